/* test_dns.c - the DNS decoder on real captured messages and on crafted
 * hostile ones.  The captures are dnsmasq 2.90 answers recorded with
 * nstrace -s 2000 in the test lab (tests/lib.sh dns_lab_up). */
#include <errno.h>
#include <stdlib.h>

#include "analyzers/dns.h"
#include "model/parse.h"
#include "tests/unit/unit.h"

static const char cap_ptr[] = "100085800001000100000000023130033130300235310331393807696e2d61646472046172706100000c0001c00c000c0001000000000011026f6b076e737472616365047465737400";
static const char cap_a[] = "100085800001000100000000026f6b076e73747261636504746573740000010001c00c00010001000000000004c633640a";
static const char cap_nxdomain_aaaa[] = "100081830001000000000000046e6f7065076e737472616365047465737400001c0001";
static const char cap_big_txt[] = "10008580000100010000000003626967076e73747261636504746573740000100001c00c0010000100000000025bc86161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161c86161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161c86161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161";

static uint8_t buf[4096];

static size_t hex(const char *h)
{
	long n = parse_hex(h, buf, sizeof(buf));
	CHECK(n > 0);
	return n > 0 ? (size_t)n : 0;
}

static void real_ptr_answer(void)
{
	struct dns_msg m;
	size_t n = hex(cap_ptr);

	CHECK(dns_parse(buf, n, &m) == 0);
	CHECK(m.id == 0x1000 && m.qr && m.rd && m.ra && m.aa == 1 && m.rcode == DNS_NOERROR);
	CHECK(m.qdcount == 1 && m.ancount == 1 && m.nscount == 0 && m.arcount == 0);
	CHECK_STR(m.qname, "10.100.51.198.in-addr.arpa");
	CHECK(m.qtype == DNS_T_PTR && m.qclass == 1);
	CHECK(m.nanswers == 1 && m.an[0].type == DNS_T_PTR);
	CHECK_STR(m.an[0].name, "10.100.51.198.in-addr.arpa"); /* via a compression pointer */
	CHECK_STR(m.an[0].u.target, "ok.nstrace.test");
	CHECK(!m.truncated && dns_plausible(&m));
}

static void real_a_answer(void)
{
	struct dns_msg m;
	size_t n = hex(cap_a);

	CHECK(dns_parse(buf, n, &m) == 0);
	CHECK_STR(m.qname, "ok.nstrace.test");
	CHECK(m.nanswers == 1 && m.an[0].type == DNS_T_A);
	CHECK(m.an[0].u.a[0] == 198 && m.an[0].u.a[1] == 51 && m.an[0].u.a[2] == 100 && m.an[0].u.a[3] == 10);
}

static void real_nxdomain(void)
{
	struct dns_msg m;
	char t[16];
	size_t n = hex(cap_nxdomain_aaaa);

	CHECK(dns_parse(buf, n, &m) == 0);
	CHECK(m.rcode == DNS_NXDOMAIN && m.nanswers == 0 && m.qtype == DNS_T_AAAA);
	CHECK_STR(dns_rcode_name(m.rcode), "NXDOMAIN");
	CHECK_STR(dns_type_str(m.qtype, t, sizeof(t)), "AAAA");
}

static void real_big_txt(void)
{
	struct dns_msg m;
	size_t n = hex(cap_big_txt);

	CHECK(n > 512);
	CHECK(dns_parse(buf, n, &m) == 0);
	CHECK(m.nanswers == 1 && m.an[0].type == DNS_T_TXT && m.an[0].u.txt_len == 600);
	CHECK(!m.truncated);
}

static void truncated_capture_decodes_as_far_as_it_goes(void)
{
	struct dns_msg m;
	size_t n = hex(cap_big_txt);

	/* -s 100: header and question survive, the answer does not. */
	CHECK(dns_parse(buf, n < 100 ? n : 100, &m) == 0);
	CHECK(m.truncated && m.has_question && m.id == 0x1000);
	CHECK_STR(m.qname, "big.nstrace.test");
	CHECK(m.nanswers == 0 && dns_plausible(&m));
	/* cut inside the question */
	CHECK(dns_parse(buf, 20, &m) == 0);
	CHECK(m.truncated && !m.has_question && m.id == 0x1000);
	/* cut inside the header: not DNS enough */
	CHECK(dns_parse(buf, 11, &m) == -EINVAL);
}

static void article_query(void)
{
	static const uint8_t q[] = "w\364\1\0\0\1\0\0\0\0\0\0\00278\003143\003241\003199\7in-addr\4arpa\0\0\f\0\1";
	struct dns_msg m;
	char t[16];

	CHECK(dns_parse(q, sizeof(q) - 1, &m) == 0);
	CHECK(m.id == 30708 && !m.qr && m.rd);
	CHECK_STR(m.qname, "78.143.241.199.in-addr.arpa");
	CHECK_STR(dns_type_str(m.qtype, t, sizeof(t)), "PTR");
}

static void pointer_loops_are_rejected(void)
{
	/* header, then a question whose name is a pointer to itself */
	uint8_t self[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1 };
	/* a forward pointer */
	uint8_t fwd[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 1, 'a', 0, 0, 1, 0, 1 };
	/* a label then a backward pointer to itself: "a.a.a.a..." forever */
	uint8_t pair[] = { 0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0,
			   1, 'a', 0xc0, 12, 0, 1, 0, 1 };
	struct dns_msg m;

	CHECK(dns_parse(self, sizeof(self), &m) == -EINVAL);
	CHECK(dns_parse(fwd, sizeof(fwd), &m) == -EINVAL);
	CHECK(dns_parse(pair, sizeof(pair), &m) == -EINVAL);
}

/* A backward chain of 201 pointers, which libresolv follows: bounded by
 * the message, not by a fixed hop count.  The run of pointers sits in the
 * rdata of a first (NULL-type) answer; the second answer's name enters it
 * at its far end. */
static void long_pointer_chains_parse(void)
{
	uint8_t msg[12 + 17 + 12 + 2 * 201 + 2 + 14];
	size_t k = 12, run, rdlen_at;
	struct dns_msg m;

	memset(msg, 0, sizeof(msg));
	msg[0] = 0x12, msg[2] = 0x81, msg[3] = 0x80, msg[5] = 1, msg[7] = 2; /* reply: 1 question, 2 answers */
	memcpy(msg + k, "\7example\3com\0\0\1\0\1", 17); /* the question's name at 12 */
	k += 17;
	memcpy(msg + k, "\xc0\x0c\0\x0a\0\1\0\0\0\0", 10); /* NULL IN ttl 0, rdlen below */
	rdlen_at = k + 10;
	k += 12;
	run = k;
	for (int i = 0; i < 201; i++, k += 2) { /* each pointer -> the one before; the first -> 12 */
		size_t to = i ? k - 2 : 12;
		msg[k] = (uint8_t)(0xc0 | to >> 8);
		msg[k + 1] = (uint8_t)to;
	}
	msg[rdlen_at] = (uint8_t)((k - run) >> 8);
	msg[rdlen_at + 1] = (uint8_t)(k - run);
	msg[k] = (uint8_t)(0xc0 | (k - 2) >> 8), msg[k + 1] = (uint8_t)(k - 2); /* the A's name */
	k += 2;
	memcpy(msg + k, "\0\1\0\1\0\0\0\0\0\4\xc6\x33\x64\x35", 14);
	k += 14;
	CHECK(k == sizeof(msg));
	CHECK(dns_parse(msg, k, &m) == 0);
	CHECK(m.nanswers == 2 && m.an[1].type == DNS_T_A && !strcmp(m.an[1].name, "example.com"));
}

static void overlong_names_are_rejected(void)
{
	uint8_t b[12 + 5 * 64 + 5];
	size_t o = 12;
	struct dns_msg m;

	memset(b, 0, sizeof(b));
	b[5] = 1;
	for (int i = 0; i < 5; i++) { /* 5 labels of 63: 320 octets > 255 */
		b[o++] = 63;
		memset(b + o, 'x', 63);
		o += 63;
	}
	b[o++] = 0;
	CHECK(dns_parse(b, o + 4, &m) == -EINVAL);
	b[12] = 0x40; /* reserved label type */
	CHECK(dns_parse(b, o + 4, &m) == -EINVAL);
}

static void garbage_never_reads_out_of_bounds(void)
{
	struct dns_msg m;
	unsigned seed = 12345;

	/* Random bytes of every length: the sanitizer build proves no
	 * out-of-bounds read; plausibility rejects almost all of them. */
	int plausible = 0;
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(rand_r(&seed) % 96);
		uint8_t *p = malloc(n ? n : 1);
		for (size_t i = 0; i < n; i++)
			p[i] = (uint8_t)rand_r(&seed);
		if (dns_parse(p, n, &m) == 0 && dns_plausible(&m) && m.has_question)
			plausible++;
		free(p);
	}
	CHECK(plausible < 200);
}

static void edns_extended_rcode(void)
{
	/* a response with an OPT RR whose TTL carries extended rcode bits 1
	 * (BADVERS = 16 = 1 << 4 | 0) */
	uint8_t b[] = { 0, 7, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 1,
			0, 0, 41, 0x04, 0xd0, 1, 0, 0, 0, 0, 0 };
	struct dns_msg m;

	CHECK(dns_parse(b, sizeof(b), &m) == 0);
	CHECK(m.has_edns && m.edns_size == 1232 && m.rcode == 16);
	CHECK_STR(dns_rcode_name(m.rcode), "BADVERS");
	CHECK(!dns_plausible(&m)); /* no question */
}

static void unknown_values_print_raw(void)
{
	char b[16];

	CHECK_STR(dns_type_str(999, b, sizeof(b)), "TYPE999");
	CHECK_STR(dns_rcode_str(14, b, sizeof(b)), "RCODE14");
}

int main(void)
{
	RUN(real_ptr_answer, "a real PTR answer decodes: header, question, compressed answer name and target");
	RUN(real_a_answer, "a real A answer decodes the address");
	RUN(real_nxdomain, "a real NXDOMAIN answer decodes its rcode and AAAA question");
	RUN(real_big_txt, "a real 600-byte TXT answer (from TCP) decodes its length");
	RUN(truncated_capture_decodes_as_far_as_it_goes, "a capture cut by -s decodes as far as it goes, marked truncated");
	RUN(article_query, "the seed article's query decodes to 78.143.241.199.in-addr.arpa PTR");
	RUN(long_pointer_chains_parse, "a backward chain of 201 compression pointers parses, as libresolv's does");
	RUN(pointer_loops_are_rejected, "self, forward and mutual compression pointers are rejected");
	RUN(overlong_names_are_rejected, "names over 255 octets and reserved label types are rejected");
	RUN(garbage_never_reads_out_of_bounds, "random bytes never crash the decoder and rarely look like DNS");
	RUN(edns_extended_rcode, "the EDNS OPT record extends the rcode");
	RUN(unknown_values_print_raw, "unknown types and rcodes print as numbers");
	return UNIT_DONE();
}
