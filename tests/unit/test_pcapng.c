/* test_pcapng.c - the pcapng blocks and IP packets of -w, checked byte by
 * byte against the format (lengths at both ends, 32-bit padding, options)
 * and the checksums the receiving stacks would verify; and the
 * --container selection over names and namespace paths. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "output/pcapng.h"
#include "output/select.h"
#include "tests/unit/unit.h"

static uint8_t buf[70000];

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The one's complement sum over bytes, as a receiver checks it. */
static uint32_t sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t folded(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static struct nst_addr in4(const char *ip, uint16_t port)
{
	struct nst_addr a = { .family = AF_INET, .port = port };
	inet_pton(AF_INET, ip, a.u.in4);
	return a;
}

static struct nst_addr in6(const char *ip, uint16_t port)
{
	struct nst_addr a = { .family = AF_INET6, .port = port };
	inet_pton(AF_INET6, ip, a.u.in6);
	return a;
}

/* A block's framing: both lengths equal, a multiple of 4. */
static bool framed(const uint8_t *b, size_t n, uint32_t type)
{
	return n >= 12 && n % 4 == 0 && le32(b) == type && le32(b + 4) == n && le32(b + n - 4) == n;
}

static void blocks_are_framed_and_padded(void)
{
	static const uint8_t pkt[5] = { 1, 2, 3, 4, 5 };
	size_t n = pcapng_shb(buf, sizeof(buf), "nstrace test");

	CHECK(framed(buf, n, 0x0A0D0D0A) && le32(buf + 8) == 0x1A2B3C4D);
	CHECK(buf[12] == 1 && buf[14] == 0); /* version 1.0 */
	/* shb_userappl: code 4, 12 bytes, already aligned */
	CHECK(buf[24] == 4 && buf[26] == 12 && !memcmp(buf + 28, "nstrace test", 12));
	n = pcapng_idb(buf, sizeof(buf), PCAPNG_LINKTYPE_RAW, "web", "net:[1] of container web");
	CHECK(framed(buf, n, 1) && buf[8] == 101 && buf[9] == 0);
	CHECK(buf[16] == 2 && buf[18] == 3 && !memcmp(buf + 20, "web", 3) && buf[23] == 0);
	n = pcapng_epb(buf, sizeof(buf), 2, 0x0000000100000002ull, pkt, sizeof(pkt), 9, "hi");
	CHECK(framed(buf, n, 6) && le32(buf + 8) == 2 && le32(buf + 12) == 1 && le32(buf + 16) == 2);
	CHECK(le32(buf + 20) == 5 && le32(buf + 24) == 9); /* captured, on the wire */
	CHECK(!memcmp(buf + 28, pkt, 5) && buf[33] == 0 && buf[36] == 1 && buf[38] == 2);
	CHECK(le32(buf + n - 8) == 0); /* opt_endofopt */
	CHECK(pcapng_epb(buf, 40, 0, 0, pkt, sizeof(pkt), 5, "too long for 40 bytes") == 0);
	CHECK(pcapng_epb(buf, sizeof(buf), 0, 0, pkt, sizeof(pkt), 4, NULL) == 0); /* wire < captured */
	n = pcapng_idb(buf, sizeof(buf), PCAPNG_LINKTYPE_RAW, NULL, NULL);
	CHECK(n == 20 && framed(buf, n, 1)); /* no options, no end-of-options */
}

static void udp4_headers_and_checksums(void)
{
	static const uint8_t dns[13] = { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 };
	struct nst_addr s = in4("172.18.0.2", 41000), d = in4("198.51.100.53", 53);
	struct pkt_spec p = { .src = &s, .dst = &d, .payload = dns, .len = sizeof(dns) };
	size_t wire, n = pkt_build(buf, sizeof(buf), &p, &wire);

	CHECK(n == 20 + 8 + 13 && wire == n);
	CHECK(buf[0] == 0x45 && be16(buf + 2) == n && buf[9] == 17 && buf[8] == 64);
	CHECK(folded(sum(buf, 20, 0)) == 0xffff); /* the IP header checksum holds */
	CHECK(!memcmp(buf + 12, s.u.in4, 4) && !memcmp(buf + 16, d.u.in4, 4));
	CHECK(be16(buf + 20) == 41000 && be16(buf + 22) == 53 && be16(buf + 24) == 8 + 13);
	/* UDP: the pseudo-header and the datagram sum to all ones */
	uint32_t ps = sum(buf + 12, 8, 0) + 17 + 8 + 13;
	CHECK(folded(sum(buf + 20, 8 + 13, ps)) == 0xffff);
	CHECK(!memcmp(buf + 28, dns, sizeof(dns)));
}

static void tcp6_segment_carries_its_length_prefix(void)
{
	static const uint8_t dns[12] = { 0xab, 0xcd, 0x81, 0x80 };
	struct nst_addr s = in6("2001:db8::53", 53), d = in6("2001:db8::2", 50000);
	struct pkt_spec p = { .src = &s, .dst = &d, .tcp = true, .seq = 7, .ack = 99,
			      .payload = dns, .len = sizeof(dns) };
	size_t wire, n = pkt_build(buf, sizeof(buf), &p, &wire);
	const uint8_t *t = buf + 40;

	CHECK(n == 40 + 20 + 2 + 12 && wire == n);
	CHECK(buf[0] >> 4 == 6 && be16(buf + 4) == 20 + 2 + 12 && buf[6] == 6);
	CHECK(be16(t) == 53 && be16(t + 2) == 50000 && be16(t + 4) == 0 && be16(t + 6) == 7);
	CHECK(be16(t + 10) == 99 && t[12] == 0x50 && t[13] == 0x18);
	CHECK(be16(t + 20) == 12 && t[22] == 0xab); /* DNS over TCP: the 2-byte length first */
	uint32_t ps = sum(buf + 8, 32, 0) + 6 + 20 + 2 + 12;
	CHECK(folded(sum(t, 20 + 2 + 12, ps)) == 0xffff);
}

static void cut_messages_keep_their_real_length(void)
{
	uint8_t dns[20] = { 1, 2 };
	struct nst_addr s = in4("198.51.100.53", 53), d = in4("10.0.0.2", 4000);
	struct pkt_spec p = { .src = &s, .dst = &d, .payload = dns, .len = sizeof(dns), .full = 600 };
	size_t wire, n = pkt_build(buf, sizeof(buf), &p, &wire);

	CHECK(n == 28 + 20 && wire == 28 + 600);
	CHECK(be16(buf + 2) == 628 && be16(buf + 24) == 608 && be16(buf + 26) == 0);
	CHECK(folded(sum(buf, 20, 0)) == 0xffff);
	p.tcp = true;
	n = pkt_build(buf, sizeof(buf), &p, &wire);
	CHECK(n == 20 + 20 + 2 + 20 && wire == 20 + 20 + 2 + 600 && be16(buf + 40) == 600);
	/* what cannot be a packet is refused, not written */
	p.full = PKT_MAX_PAYLOAD + 1;
	CHECK(pkt_build(buf, sizeof(buf), &p, &wire) == 0);
	p.full = 0;
	d = in6("::1", 53);
	CHECK(pkt_build(buf, sizeof(buf), &p, &wire) == 0); /* mixed families */
	CHECK(pkt_build(buf, 30, &(struct pkt_spec){ .src = &s, .dst = &s, .payload = dns, .len = 20 },
			&wire) == 0);
}

static void container_names_select_namespaces(void)
{
	struct containers names = { 0 };
	struct container web = { .netns_ino = 11, .netns_path = "/run/docker/netns/aa11", .name = "web",
				 .id = "0123456789ab", .kind = CT_DOCKER };
	struct container lab = { .netns_ino = 22, .netns_path = "/run/netns/lab", .name = "lab",
				 .kind = CT_NETNS };
	struct select s = { .names = &names };
	char known[256];

	containers_add(&names, &web);
	containers_add(&names, &lab);
	CHECK(select_ns(&s, 99, "/x")); /* no NAME: everything */
	select_add(&s, "/web");
	CHECK(select_ns(&s, 11, NULL) && select_ns(&s, 0, "/run/docker/netns/aa11"));
	CHECK(!select_ns(&s, 22, "/run/netns/lab") && !select_ns(&s, 0, NULL));
	s = (struct select){ .names = &names };
	select_add(&s, "0123456789abcdef0123"); /* a full id starts with the short one */
	CHECK(select_ns(&s, 11, NULL));
	s = (struct select){ .names = &names };
	select_add(&s, "lab");
	select_add(&s, "bb22"); /* a sandbox key with no container known */
	CHECK(select_ns(&s, 22, NULL) && select_ns(&s, 33, "/var/run/docker/netns/bb22"));
	CHECK(!select_ns(&s, 11, "/run/docker/netns/aa11"));
	CHECK(select_unknown(&s) == -1);
	s = (struct select){ .names = &names };
	select_add(&s, "nosuch");
	CHECK(!select_ns(&s, 44, "/run/docker/netns/cc33") && select_unknown(&s) == 0);
	select_known(&s, known, sizeof(known));
	CHECK(strstr(known, "web") && strstr(known, "lab (ip netns)") && strstr(known, "cc33"));
	containers_free(&names);
}

int main(void)
{
	RUN(blocks_are_framed_and_padded,
	    "SHB, IDB and EPB: lengths at both ends, 32-bit padding, options and their end, captured vs wire");
	RUN(udp4_headers_and_checksums, "an IPv4/UDP packet: lengths, addresses, ports, both checksums valid");
	RUN(tcp6_segment_carries_its_length_prefix,
	    "an IPv6/TCP segment: PSH|ACK with seq/ack, DNS's length prefix, a valid checksum");
	RUN(cut_messages_keep_their_real_length,
	    "a message -s cut short: headers give its real length, no checksum over missing bytes; bad input refused");
	RUN(container_names_select_namespaces,
	    "--container: names, /names, id prefixes, ip-netns names and sandbox keys select; unknown names are told with the ones there");
	return UNIT_DONE();
}
