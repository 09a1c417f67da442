/* dns.c - DNS decoding, see dns.h.  RFC 1035 section 4, RFC 6891 (EDNS). */
#include "analyzers/dns.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "model/print.h"

/* Labels and pointers followed per message.  Pointers only go backwards,
 * so one name ends within the message's length (libresolv's bound); the
 * budget keeps a message of many such names from costing its length
 * squared. */
#define MAX_STEPS (1u << 18)

struct rd {
	const uint8_t *p;
	size_t len, off;
	bool short_read;
	unsigned *steps; /* the message's budget, shared by its names */
};

static bool need(struct rd *r, size_t n)
{
	if (r->off + n > r->len) {
		r->short_read = true;
		return false;
	}
	return true;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Read a (possibly compressed) name at r->off into out.  Advances r->off
 * past the name's in-place bytes.  Returns 0, -EAGAIN when the buffer ends
 * inside it, -EINVAL when malformed. */
static int read_name(struct rd *r, char *out, size_t outn)
{
	size_t pos = r->off, o = 0, wire = 0;
	bool jumped = false;

	out[0] = '\0';
	for (;;) {
		uint8_t l;
		if (++*r->steps > MAX_STEPS)
			return -EINVAL;
		if (pos >= r->len)
			return -EAGAIN;
		l = r->p[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t target;
			if (pos + 1 >= r->len)
				return -EAGAIN;
			target = (size_t)(l & 0x3f) << 8 | r->p[pos + 1];
			/* Only backwards: no loops possible. */
			if (target >= pos)
				return -EINVAL;
			if (!jumped)
				r->off = pos + 2;
			jumped = true;
			pos = target;
			continue;
		}
		if (l & 0xc0)
			return -EINVAL; /* 0x40/0x80: obsolete/reserved label types */
		if (l == 0) {
			if (!jumped)
				r->off = pos + 1;
			if (o == 0)
				snprintf(out, outn, ".");
			return 0;
		}
		wire += (size_t)l + 1;
		if (wire > 255)
			return -EINVAL;
		if (pos + 1 + l > r->len)
			return -EAGAIN;
		if (o && o + 1 < outn)
			out[o++] = '.';
		for (size_t i = 0; i < l; i++) {
			uint8_t c = r->p[pos + 1 + i];
			if (c > 0x20 && c < 0x7f && c != '.' && c != '\\') {
				if (o + 1 < outn)
					out[o++] = (char)c;
			} else if (o + 4 < outn) {
				o += (size_t)snprintf(out + o, outn - o, "\\%03u", c);
			}
		}
		out[o < outn ? o : outn - 1] = '\0';
		pos += 1 + (size_t)l;
	}
}

static int read_rr(struct rd *r, struct dns_rr *rr, struct dns_msg *m, bool keep)
{
	struct dns_rr tmp;
	uint16_t rdlen;
	size_t rdata;
	int e;

	if (!keep)
		rr = &tmp;
	e = read_name(r, rr->name, sizeof(rr->name));
	if (e)
		return e;
	if (!need(r, 10))
		return -EAGAIN;
	rr->type = get16(r->p + r->off);
	rr->rclass = get16(r->p + r->off + 2);
	rr->ttl = (uint32_t)get16(r->p + r->off + 4) << 16 | get16(r->p + r->off + 6);
	rdlen = get16(r->p + r->off + 8);
	r->off += 10;
	rdata = r->off;
	if (rr->type == DNS_T_OPT) {
		/* EDNS: CLASS is the UDP size, TTL's top byte the rcode's high bits. */
		m->has_edns = true;
		m->edns_size = rr->rclass;
		m->rcode = (uint16_t)((rr->ttl >> 24) << 4 | (m->rcode & 0xf));
	}
	if (!need(r, rdlen))
		return -EAGAIN;
	memset(&rr->u, 0, sizeof(rr->u));
	if (rr->type == DNS_T_A && rdlen == 4) {
		memcpy(rr->u.a, r->p + rdata, 4);
	} else if (rr->type == DNS_T_AAAA && rdlen == 16) {
		memcpy(rr->u.aaaa, r->p + rdata, 16);
	} else if (rr->type == DNS_T_CNAME || rr->type == DNS_T_PTR) {
		struct rd sub = { r->p, rdata + rdlen, rdata, false, r->steps };
		e = read_name(&sub, rr->u.target, sizeof(rr->u.target));
		if (e)
			return -EINVAL; /* a name must fit its rdata */
	} else if (rr->type == DNS_T_TXT) {
		size_t p = rdata;
		while (p < rdata + rdlen) {
			size_t sl = r->p[p];
			if (p + 1 + sl > rdata + rdlen)
				return -EINVAL;
			rr->u.txt_len = (uint16_t)(rr->u.txt_len + sl);
			p += 1 + sl;
		}
	}
	r->off = rdata + rdlen;
	return 0;
}

int dns_parse(const uint8_t *buf, size_t len, struct dns_msg *m)
{
	unsigned steps = 0, total, i;
	struct rd r = { buf, len, 12, false, &steps };
	int e;

	/* the answers are valid up to nanswers: only the rest is zeroed */
	memset(m, 0, offsetof(struct dns_msg, an));
	m->has_edns = false;
	m->edns_size = 0;
	m->truncated = false;
	if (len < 12) {
		m->truncated = true;
		if (len >= 2)
			m->id = get16(buf);
		return -EINVAL;
	}
	m->id = get16(buf);
	m->qr = buf[2] >> 7;
	m->opcode = (buf[2] >> 3) & 0xf;
	m->aa = (buf[2] >> 2) & 1;
	m->tc = (buf[2] >> 1) & 1;
	m->rd = buf[2] & 1;
	m->ra = buf[3] >> 7;
	m->rcode = buf[3] & 0xf;
	m->qdcount = get16(buf + 4);
	m->ancount = get16(buf + 6);
	m->nscount = get16(buf + 8);
	m->arcount = get16(buf + 10);

	for (i = 0; i < m->qdcount; i++) {
		char other[DNS_NAME_MAX]; /* questions after the first are only checked */
		e = read_name(&r, i ? other : m->qname, DNS_NAME_MAX);
		if (!e && i == 0 && need(&r, 2))
			m->qtype = get16(buf + r.off); /* cut in its class (strace -s 32): the type holds */
		if (!e && !need(&r, 4))
			e = -EAGAIN;
		if (e == -EAGAIN)
			goto truncated;
		if (e)
			return e;
		if (i == 0) {
			m->qtype = get16(buf + r.off);
			m->qclass = get16(buf + r.off + 2);
			m->has_question = true;
		}
		r.off += 4;
	}
	total = (unsigned)m->ancount + m->nscount + m->arcount;
	for (i = 0; i < total; i++) {
		bool keep = i < m->ancount && m->nanswers < DNS_MAX_ANSWERS;
		e = read_rr(&r, keep ? &m->an[m->nanswers] : NULL, m, keep);
		if (e == -EAGAIN)
			goto truncated;
		if (e)
			return e;
		if (keep)
			m->nanswers++;
	}
	return 0;
truncated:
	m->truncated = true;
	return 0;
}

const char *dns_type_name(uint16_t type)
{
	switch (type) {
	case 1: return "A";
	case 2: return "NS";
	case 5: return "CNAME";
	case 6: return "SOA";
	case 12: return "PTR";
	case 15: return "MX";
	case 16: return "TXT";
	case 28: return "AAAA";
	case 33: return "SRV";
	case 35: return "NAPTR";
	case 41: return "OPT";
	case 43: return "DS";
	case 48: return "DNSKEY";
	case 64: return "SVCB";
	case 65: return "HTTPS";
	case 255: return "ANY";
	case 257: return "CAA";
	default: return NULL;
	}
}

const char *dns_rcode_name(uint16_t rcode)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
		"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
	};
	if (rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	return rcode == 16 ? "BADVERS" : NULL;
}

/* name, or prefix and the number when there is no name. */
static const char *name_or_number(char *buf, size_t n, const char *name, const char *prefix,
				  unsigned v)
{
	if (name)
		str_copy(buf, n, name);
	else
		snprintf(buf, n, "%s%u", prefix, v);
	return buf;
}

const char *dns_type_str(uint16_t type, char *buf, size_t n)
{
	return name_or_number(buf, n, dns_type_name(type), "TYPE", type);
}

const char *dns_rcode_str(uint16_t rcode, char *buf, size_t n)
{
	return name_or_number(buf, n, dns_rcode_name(rcode), "RCODE", rcode);
}

bool dns_plausible(const struct dns_msg *m)
{
	if (m->opcode > 6 || m->opcode == 3)
		return false;
	if (m->qdcount != 1)
		return false;
	/* The question must have decoded, unless the capture ended first. */
	return m->has_question || m->truncated;
}
