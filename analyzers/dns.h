/* dns.h - DNS message decoding: pure, over a byte buffer, never reading
 * out of bounds.  Names follow compression pointers with a hop limit and
 * only backwards, so loops cannot hang or overflow. */
#ifndef NST_DNS_H
#define NST_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_NAME_MAX 256     /* 255 octets as text, plus NUL */
#define DNS_MAX_ANSWERS 8

enum dns_rcode {
	DNS_NOERROR = 0, DNS_FORMERR = 1, DNS_SERVFAIL = 2, DNS_NXDOMAIN = 3,
	DNS_NOTIMP = 4, DNS_REFUSED = 5,
};

enum dns_type {
	DNS_T_A = 1, DNS_T_NS = 2, DNS_T_CNAME = 5, DNS_T_SOA = 6, DNS_T_PTR = 12,
	DNS_T_MX = 15, DNS_T_TXT = 16, DNS_T_AAAA = 28, DNS_T_SRV = 33, DNS_T_OPT = 41,
};

struct dns_rr {
	char name[DNS_NAME_MAX];
	uint16_t type, rclass;
	uint32_t ttl;
	union {
		uint8_t a[4];
		uint8_t aaaa[16];
		char target[DNS_NAME_MAX]; /* CNAME, PTR */
		uint16_t txt_len;          /* total bytes of TXT strings */
	} u;
};

struct dns_msg {
	uint16_t id;
	bool qr, aa, tc, rd, ra;
	uint8_t opcode;
	uint16_t rcode; /* with the EDNS extended bits when an OPT RR is seen */
	uint16_t qdcount, ancount, nscount, arcount;
	bool has_question;
	char qname[DNS_NAME_MAX];
	uint16_t qtype, qclass;
	int nanswers; /* decoded answers (A/AAAA/CNAME/PTR/TXT and others) */
	struct dns_rr an[DNS_MAX_ANSWERS];
	bool has_edns;
	uint16_t edns_size;
	bool truncated; /* the buffer ended before the message did */
};

/* Decode buf.  Returns 0 (check m->truncated for a partial message) or
 * -EINVAL when the bytes are not a well-formed DNS message: shorter than a
 * header, a bad label type, a pointer loop or forward pointer, a name over
 * 255 octets.  m is always initialized: its answers up to nanswers. */
int dns_parse(const uint8_t *buf, size_t len, struct dns_msg *m);

/* Names for the common values; NULL for others (print the number). */
const char *dns_type_name(uint16_t type);
const char *dns_rcode_name(uint16_t rcode);

/* "A", "TYPE99" into buf; always returns buf. */
const char *dns_type_str(uint16_t type, char *buf, size_t n);
const char *dns_rcode_str(uint16_t rcode, char *buf, size_t n);

/* Does this look like a real DNS message rather than random bytes?
 * A standard opcode and exactly one question that decoded (unless the
 * capture ended inside it). */
bool dns_plausible(const struct dns_msg *m);

#endif
