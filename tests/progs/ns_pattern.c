/* ns_pattern - the seed article's pattern, in a netns the test created.
 *
 * usage: ns_pattern NETNS_PATH [ROUNDS]
 *
 * A server thread answers on 127.0.0.1:53 inside NETNS_PATH.  Per round,
 * thread A does setns(ns) -> socket -> connect -> getsockname -> setns(home)
 * -> write(query), the way dockerd forwards embedded DNS; thread B reads the
 * answer.  Exits 0 when every round got its answer. */
#include "common.h"

#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>

static int ns_fd, home_fd, rounds = 1;
static int query_sock = -1;
static pthread_barrier_t bound, sent, done;

static void *server(void *arg)
{
	struct sockaddr_in a = loopback(53), from;
	unsigned char buf[512];
	socklen_t fl;
	int s, i;
	ssize_t n;

	(void)arg;
	enter_ns(ns_fd);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		FAIL("server bind: %s", strerror(errno));
	enter_ns(home_fd);
	pthread_barrier_wait(&bound);
	for (i = 0; i < rounds; i++) {
		fl = sizeof(from);
		n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 12)
			FAIL("server recv: %s", strerror(errno));
		buf[2] |= 0x80; /* QR: a response, no answers (NXDOMAIN-free) */
		sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
	}
	close(s);
	return NULL;
}

static void *sender(void *arg)
{
	struct sockaddr_in up = loopback(53), local;
	socklen_t ll = sizeof(local);
	int i;

	(void)arg;
	for (i = 0; i < rounds; i++) {
		enter_ns(ns_fd);
		query_sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (query_sock < 0 || connect(query_sock, (struct sockaddr *)&up, sizeof(up)) < 0)
			FAIL("connect: %s", strerror(errno));
		getsockname(query_sock, (struct sockaddr *)&local, &ll);
		enter_ns(home_fd);
		if (write(query_sock, article_query, sizeof(article_query)) != sizeof(article_query))
			FAIL("write: %s", strerror(errno));
		pthread_barrier_wait(&sent);
		pthread_barrier_wait(&done);
		close(query_sock);
	}
	return NULL;
}

static void *reader(void *arg)
{
	unsigned char buf[512];
	struct pollfd p;
	int i;

	(void)arg;
	for (i = 0; i < rounds; i++) {
		pthread_barrier_wait(&sent);
		p.fd = query_sock;
		p.events = POLLIN;
		if (poll(&p, 1, 5000) != 1 || read(query_sock, buf, sizeof(buf)) < 12)
			FAIL("no answer in round %d", i);
		pthread_barrier_wait(&done);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t ts, ta, tb;

	if (argc < 2)
		FAIL("usage: ns_pattern NETNS_PATH [ROUNDS]");
	if (argc > 2)
		rounds = atoi(argv[2]);
	ns_fd = open_ns(argv[1]);
	home_fd = open_ns("/proc/self/ns/net");
	pthread_barrier_init(&bound, NULL, 2);
	pthread_barrier_init(&sent, NULL, 2);
	pthread_barrier_init(&done, NULL, 2);
	pthread_create(&ts, NULL, server, NULL);
	pthread_barrier_wait(&bound);
	pthread_create(&ta, NULL, sender, NULL);
	pthread_create(&tb, NULL, reader, NULL);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_join(ts, NULL);
	fprintf(stderr, "ns_pattern: %d rounds answered\n", rounds);
	return 0;
}
