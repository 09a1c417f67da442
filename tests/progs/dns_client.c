/* dns_client - DNS queries the way dockerd's embedded resolver sends them.
 *
 * usage: dns_client NETNS_PATH UPSTREAM_IP QNAME QTYPE ROUNDS [tcp]
 *
 * Per round: thread A enters NETNS_PATH (setns), creates a socket, connects
 * to UPSTREAM_IP:53, returns home (setns) and only then sends the query
 * (write over UDP; over TCP a writev of the 2-byte length prefix and the
 * body).  Thread B waits up to 3 s and reads the answer (over TCP: the
 * prefix, then the body), then the socket is closed.  Prints one line per
 * round ("answered rcode N", "error ECONNREFUSED", "timeout") and exits 0:
 * the test judges what a tracer made of it. */
#include "common.h"

#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

static int ns_fd, home_fd, tcp;
static const char *upstream, *qname;
static int qtype;

static size_t build_query(uint8_t *q, uint16_t id)
{
	size_t o = 12;
	const char *p = qname;

	memset(q, 0, 12);
	q[0] = (uint8_t)(id >> 8);
	q[1] = (uint8_t)id;
	q[2] = 0x01; /* RD */
	q[5] = 1;    /* QDCOUNT */
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		q[o++] = (uint8_t)l;
		memcpy(q + o, p, l);
		o += l;
		p += l + (dot ? 1 : 0);
	}
	q[o++] = 0;
	q[o++] = (uint8_t)(qtype >> 8);
	q[o++] = (uint8_t)qtype;
	q[o++] = 0;
	q[o++] = 1;
	return o;
}

static int open_upstream(void)
{
	struct sockaddr_in a;
	int s;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(53);
	inet_pton(AF_INET, upstream, &a.sin_addr);
	enter_ns(ns_fd);
	s = socket(AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "connect: %s\n", strerror(errno));
		close(s);
		s = -1;
	}
	enter_ns(home_fd);
	return s;
}

struct round {
	int s;
	uint16_t id;
};

static void *reader(void *arg)
{
	struct round *r = arg;
	uint8_t buf[4096];
	struct pollfd p = { r->s, POLLIN, 0 };
	ssize_t n;

	if (poll(&p, 1, 3000) != 1) {
		printf("round %u: timeout\n", r->id);
		return NULL;
	}
	if (tcp) {
		uint8_t pre[2];
		size_t len, got = 0;
		if (read(r->s, pre, 2) != 2) {
			printf("round %u: error %s\n", r->id, strerrorname_np(errno));
			return NULL;
		}
		len = (size_t)pre[0] << 8 | pre[1];
		while (got < len && got < sizeof(buf)) {
			p.revents = 0;
			if (poll(&p, 1, 3000) != 1)
				break;
			n = read(r->s, buf + got, (len - got < sizeof(buf) - got ? len - got : sizeof(buf) - got));
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		n = (ssize_t)got;
	} else {
		n = read(r->s, buf, sizeof(buf));
	}
	if (n < 12)
		printf("round %u: error %s\n", r->id, n < 0 ? strerrorname_np(errno) : "short");
	else
		printf("round %u: answered rcode %d\n", r->id, buf[3] & 0xf);
	return NULL;
}

int main(int argc, char **argv)
{
	uint8_t q[512];
	int rounds, i;

	if (argc < 6)
		FAIL("usage: dns_client NETNS_PATH UPSTREAM_IP QNAME QTYPE ROUNDS [tcp]");
	ns_fd = open_ns(argv[1]);
	home_fd = open_ns("/proc/self/ns/net");
	upstream = argv[2];
	qname = argv[3];
	qtype = atoi(argv[4]);
	rounds = atoi(argv[5]);
	tcp = argc > 6 && !strcmp(argv[6], "tcp");
	setvbuf(stdout, NULL, _IONBF, 0);
	for (i = 0; i < rounds; i++) {
		struct round r = { open_upstream(), (uint16_t)(0x1000 + i) };
		size_t len = build_query(q, r.id);
		pthread_t t;
		if (r.s < 0) {
			printf("round %u: error connect\n", r.id);
			continue;
		}
		pthread_create(&t, NULL, reader, &r);
		if (tcp) {
			uint8_t pre[2] = { (uint8_t)(len >> 8), (uint8_t)len };
			struct iovec iov[2] = { { pre, 2 }, { q, len } };
			if (writev(r.s, iov, 2) < 0)
				printf("round %u: send %s\n", r.id, strerrorname_np(errno));
		} else if (write(r.s, q, len) < 0) {
			printf("round %u: send %s\n", r.id, strerrorname_np(errno));
		}
		pthread_join(t, NULL);
		close(r.s);
	}
	return 0;
}
