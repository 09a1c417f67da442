/* slowdns.c - a DNS upstream that answers every UDP query after a delay.
 *
 * usage: slowdns ADDR PORT DELAY_MS
 *
 * The answer is the query with QR and RA set, NOERROR and no records:
 * enough for dnsperf and for dockerd to forward it back.  The delay keeps
 * many queries in flight at once, as a real upstream across a network does
 * (a local dnsmasq answers before the forwarder's next read).  At most
 * HELD queries wait; more are dropped.  SIGINT or SIGTERM ends it. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HELD 4096
#define MSG_MAX 512

struct held {
	long long due_ms;
	struct sockaddr_in from;
	size_t len;
	unsigned char msg[MSG_MAX];
};

static volatile sig_atomic_t done;

static void on_sig(int s)
{
	(void)s;
	done = 1;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	static struct held q[HELD]; /* a ring: every query waits as long */
	struct sockaddr_in a = { .sin_family = AF_INET };
	size_t head = 0, n = 0;
	long delay;
	int fd;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &a.sin_addr) != 1 ||
	    (a.sin_port = htons((unsigned short)atoi(argv[2]))) == 0 || (delay = atol(argv[3])) < 0) {
		fprintf(stderr, "usage: slowdns ADDR PORT DELAY_MS\n");
		return 2;
	}
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "slowdns: %s:%s: %s\n", argv[1], argv[2], strerror(errno));
		return 1;
	}
	while (!done) {
		long long t = now_ms();
		while (n && q[head].due_ms <= t) { /* the oldest first */
			struct held *h = &q[head];
			sendto(fd, h->msg, h->len, 0, (struct sockaddr *)&h->from, sizeof(h->from));
			head = (head + 1) % HELD;
			n--;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int wait = n ? (int)(q[head].due_ms - t) : 1000;
		if (poll(&p, 1, wait < 0 ? 0 : wait) <= 0)
			continue;
		static struct held full; /* a query with no room: read, and dropped */
		struct held *h = n < HELD ? &q[(head + n) % HELD] : &full;
		socklen_t fl = sizeof(h->from);
		ssize_t r = recvfrom(fd, h->msg, sizeof(h->msg), 0, (struct sockaddr *)&h->from, &fl);
		if (r < 12 || (h->msg[2] & 0x80) || h == &full)
			continue; /* not a query, or no room: dropped */
		h->len = (size_t)r;
		h->msg[2] |= 0x80; /* QR */
		h->msg[3] = 0x80;  /* RA, NOERROR */
		h->due_ms = now_ms() + delay;
		n++;
	}
	close(fd);
	return 0;
}
