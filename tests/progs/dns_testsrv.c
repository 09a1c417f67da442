/* dns_testsrv.c - a DNS server that misbehaves on purpose, for the shapes
 * a real server (dnsmasq) will not show:
 *   dns_testsrv tc ADDR         every UDP answer truncated (TC, no records):
 *                               the client must ask again over TCP, where
 *                               the answer is whole;
 *   dns_testsrv drop-aaaa ADDR  A answered, AAAA never (the reply of a
 *                               parallel pair lost, as the conntrack race
 *                               loses it).
 * Answers every A question with 198.51.100.10 and every other type with no
 * records (NOERROR), on port 53 of ADDR, UDP and TCP, until SIGTERM. */
#include "common.h"

#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/socket.h>

enum mode { TC, DROP_AAAA };

/* The reply to the query q (n bytes) into r: its length, 0 to send none. */
static size_t answer(enum mode m, bool udp, const unsigned char *q, size_t n, unsigned char *r)
{
	size_t at = 12;
	unsigned qtype;

	if (n < 17 || n > 512 || (q[2] & 0x80))
		return 0;
	while (at < n && q[at] && at < n - 5)
		at += (size_t)q[at] + 1; /* the question's name */
	if (at + 5 > n || q[at])
		return 0;
	qtype = (unsigned)q[at + 1] << 8 | q[at + 2];
	if (m == DROP_AAAA && qtype == 28)
		return 0;
	memcpy(r, q, at + 5);
	r[2] = 0x84 | (q[2] & 0x01); /* QR, AA, RD as asked */
	r[3] = 0x80;                 /* RA, NOERROR */
	r[6] = r[7] = 0;
	if (m == TC && udp) {
		r[2] |= 0x02; /* TC: ask again over TCP */
		return at + 5;
	}
	if (qtype != 1)
		return at + 5;
	static const unsigned char rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4,
					    198, 51, 100, 10 };
	r[7] = 1;
	memcpy(r + at + 5, rr, sizeof(rr));
	return at + 5 + sizeof(rr);
}

/* The queries of one TCP connection, each answered (glibc sends A and
 * AAAA down one stream), until the client closes it. */
static void on_tcp(enum mode m, int c)
{
	unsigned char q[514], r[600];
	size_t got = 0;

	for (;;) {
		while (got < 2 || got < 2 + ((size_t)q[0] << 8 | q[1])) {
			ssize_t k = read(c, q + got, sizeof(q) - got);
			if (k <= 0)
				return;
			got += (size_t)k;
		}
		size_t len = 2 + ((size_t)q[0] << 8 | q[1]);
		size_t n = answer(m, false, q + 2, len - 2, r + 2);
		r[0] = (unsigned char)(n >> 8);
		r[1] = (unsigned char)n;
		if (n && write(c, r, n + 2) < 0)
			return;
		memmove(q, q + len, got - len);
		got -= len;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(53) };
	enum mode m;
	int u, t, one = 1;

	if (argc != 3 || inet_pton(AF_INET, argv[2], &a.sin_addr) != 1)
		FAIL("usage: dns_testsrv tc|drop-aaaa ADDR");
	if (!strcmp(argv[1], "tc"))
		m = TC;
	else if (!strcmp(argv[1], "drop-aaaa"))
		m = DROP_AAAA;
	else
		FAIL("dns_testsrv: unknown mode %s", argv[1]);
	signal(SIGPIPE, SIG_IGN);
	if ((u = socket(AF_INET, SOCK_DGRAM, 0)) < 0 || (t = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		FAIL("socket: %s", strerror(errno));
	setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(u, (struct sockaddr *)&a, sizeof(a)) < 0 || bind(t, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(t, 16) < 0)
		FAIL("bind %s:53: %s", argv[2], strerror(errno));
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		struct pollfd p[2] = { { u, POLLIN, 0 }, { t, POLLIN, 0 } };
		unsigned char q[512], r[600];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			FAIL("poll: %s", strerror(errno));
		if (p[0].revents & POLLIN) {
			ssize_t n = recvfrom(u, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
			size_t k = n > 0 ? answer(m, true, q, (size_t)n, r) : 0;
			if (k)
				sendto(u, r, k, 0, (struct sockaddr *)&from, fl);
		}
		if (p[1].revents & POLLIN) {
			int c = accept(t, NULL, NULL);
			if (c >= 0) {
				struct timeval tv = { 2, 0 };
				setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
				on_tcp(m, c);
				close(c);
			}
		}
	}
}
