/* pcapng.c - see pcapng.h. */
#include "output/pcapng.h"

#include <string.h>
#include <sys/socket.h>

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define OPT_END 0
#define OPT_COMMENT 1
#define OPT_IF_NAME 2
#define OPT_IF_DESC 3
#define OPT_SHB_USERAPPL 4
#define OPT_MAX 0xfff0 /* an option's length is 16 bits, and padded */

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, (uint16_t)v);
	le16(p + 2, (uint16_t)(v >> 16));
}

static void be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	be16(p, (uint16_t)(v >> 16));
	be16(p + 2, (uint16_t)v);
}

/* --- options and blocks ----------------------------------------------------- */

static size_t opt_len(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n ? 4 + pad4(n < OPT_MAX ? n : OPT_MAX) : 0;
}

/* A string option at p (room checked by the caller with opt_len). */
static size_t put_opt(uint8_t *p, uint16_t code, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n)
		return 0;
	if (n > OPT_MAX)
		n = OPT_MAX;
	le16(p, code);
	le16(p + 2, (uint16_t)n);
	memcpy(p + 4, s, n);
	memset(p + 4 + n, 0, pad4(n) - n);
	return 4 + pad4(n);
}

/* Options end with opt_endofopt when there are any. */
static size_t put_end(uint8_t *p, size_t opts)
{
	if (!opts)
		return 0;
	le32(p, OPT_END);
	return 4;
}

/* Type and the total length at both ends of a block of n bytes. */
static void frame(uint8_t *buf, uint32_t type, size_t n)
{
	le32(buf, type);
	le32(buf + 4, (uint32_t)n);
	le32(buf + n - 4, (uint32_t)n);
}

size_t pcapng_shb(uint8_t *buf, size_t cap, const char *app)
{
	size_t ol = opt_len(app), n = 28 + ol + (ol ? 4 : 0), o = 24;

	if (n > cap)
		return 0;
	le32(buf + 8, 0x1A2B3C4Du); /* byte-order magic */
	le16(buf + 12, 1);          /* version 1.0 */
	le16(buf + 14, 0);
	memset(buf + 16, 0xff, 8); /* section length: not given */
	o += put_opt(buf + o, OPT_SHB_USERAPPL, app);
	o += put_end(buf + o, ol);
	frame(buf, BT_SHB, n);
	return n;
}

size_t pcapng_idb(uint8_t *buf, size_t cap, uint16_t linktype, const char *name,
		  const char *desc)
{
	size_t ol = opt_len(name) + opt_len(desc), n = 20 + ol + (ol ? 4 : 0), o = 16;

	if (n > cap)
		return 0;
	le16(buf + 8, linktype);
	le16(buf + 10, 0);
	le32(buf + 12, 0); /* snaplen: no limit */
	o += put_opt(buf + o, OPT_IF_NAME, name);
	o += put_opt(buf + o, OPT_IF_DESC, desc);
	o += put_end(buf + o, ol);
	frame(buf, BT_IDB, n);
	return n;
}

size_t pcapng_epb(uint8_t *buf, size_t cap, uint32_t ifid, uint64_t ts_us, const uint8_t *pkt,
		  size_t len, size_t wire, const char *comment)
{
	size_t ol = opt_len(comment), n, o;

	if (len > 0xffff + 64 || wire < len || wire > 0xffffffffu)
		return 0;
	n = 32 + pad4(len) + ol + (ol ? 4 : 0);
	if (n > cap)
		return 0;
	le32(buf + 8, ifid);
	le32(buf + 12, (uint32_t)(ts_us >> 32));
	le32(buf + 16, (uint32_t)ts_us);
	le32(buf + 20, (uint32_t)len); /* captured */
	le32(buf + 24, (uint32_t)wire);
	memcpy(buf + 28, pkt, len);
	memset(buf + 28 + len, 0, pad4(len) - len);
	o = 28 + pad4(len);
	o += put_opt(buf + o, OPT_COMMENT, comment);
	o += put_end(buf + o, ol);
	frame(buf, BT_EPB, n);
	return n;
}

/* --- packets ---------------------------------------------------------------- */

/* The one's complement sum of n bytes, carried into 32 bits. */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

static const uint8_t *addr_bytes(const struct nst_addr *a)
{
	return a->family == AF_INET ? a->u.in4 : a->u.in6;
}

size_t pkt_build(uint8_t *buf, size_t cap, const struct pkt_spec *p, size_t *wire)
{
	int fam = p->src->family;
	size_t al = addr_len(fam), ip = fam == AF_INET ? 20 : 40, l4 = p->tcp ? 20 : 8;
	size_t full = p->full > p->len ? p->full : p->len;
	size_t body = (p->tcp ? 2 : 0) + full, n = ip + l4 + body;
	size_t got = n - (full - p->len); /* the bytes there are */
	uint8_t proto = p->tcp ? 6 : 17, *t = buf + ip;
	uint32_t s;

	if (!al || p->dst->family != fam || full > PKT_MAX_PAYLOAD || got > cap)
		return 0;
	*wire = n;
	memset(buf, 0, ip + l4);
	if (fam == AF_INET) {
		buf[0] = 0x45;
		be16(buf + 2, (uint16_t)n);
		be16(buf + 6, 0x4000); /* don't fragment */
		buf[8] = 64;
		buf[9] = proto;
		memcpy(buf + 12, p->src->u.in4, 4);
		memcpy(buf + 16, p->dst->u.in4, 4);
		be16(buf + 10, fold(sum16(buf, 20, 0)));
	} else {
		buf[0] = 0x60;
		be16(buf + 4, (uint16_t)(l4 + body));
		buf[6] = proto;
		buf[7] = 64;
		memcpy(buf + 8, p->src->u.in6, 16);
		memcpy(buf + 24, p->dst->u.in6, 16);
	}
	be16(t, p->src->port);
	be16(t + 2, p->dst->port);
	if (p->tcp) {
		be32(t + 4, p->seq);
		be32(t + 8, p->ack);
		t[12] = 5 << 4;
		t[13] = 0x18; /* PSH, ACK */
		be16(t + 14, 65535);
		be16(t + l4, (uint16_t)full);
	} else {
		be16(t + 4, (uint16_t)(l4 + body));
	}
	memcpy(t + l4 + (p->tcp ? 2 : 0), p->payload, p->len);
	if (got < n)
		return got; /* no checksum over bytes not captured */
	/* the pseudo-header, then the segment */
	s = sum16(addr_bytes(p->src), al, 0);
	s = sum16(addr_bytes(p->dst), al, s);
	s += proto + (uint32_t)(l4 + body);
	s = sum16(t, l4 + body, s);
	uint16_t ck = fold(s);
	if (!p->tcp && !ck)
		ck = 0xffff; /* UDP: 0 means none */
	be16(t + (p->tcp ? 16 : 6), ck);
	return n;
}
