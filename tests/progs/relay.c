/* relay - a forwarding resolver shaped like dockerd's 127.0.0.11.
 *
 * usage: relay NETNS_PATH UPSTREAM_IP COUNT
 *
 * Binds a UDP listener on 127.0.0.11:53 inside NETNS_PATH (setns in,
 * socket, bind, setns back), prints "ready", then COUNT times: receives a
 * client query, forwards it upstream over a socket created inside
 * NETNS_PATH (setns, socket, connect, setns back, write), reads the answer
 * and sends it back to the client. */
#include "common.h"

#include <poll.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct sockaddr_in lst = loopback(53), up, cli;
	unsigned char buf[4096];
	int ns, home, l, count, i;

	if (argc < 4)
		FAIL("usage: relay NETNS_PATH UPSTREAM_IP COUNT");
	ns = open_ns(argv[1]);
	home = open_ns("/proc/self/ns/net");
	count = atoi(argv[3]);
	inet_pton(AF_INET, "127.0.0.11", &lst.sin_addr);
	memset(&up, 0, sizeof(up));
	up.sin_family = AF_INET;
	up.sin_port = htons(53);
	inet_pton(AF_INET, argv[2], &up.sin_addr);
	enter_ns(ns);
	l = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&lst, sizeof(lst)) < 0)
		FAIL("bind 127.0.0.11:53: %s", strerror(errno));
	enter_ns(home);
	fprintf(stderr, "ready\n");
	for (i = 0; i < count; i++) {
		socklen_t cl = sizeof(cli);
		struct pollfd p;
		ssize_t n = recvfrom(l, buf, sizeof(buf), 0, (struct sockaddr *)&cli, &cl), m;
		int s;
		if (n < 12)
			FAIL("recvfrom: %s", strerror(errno));
		enter_ns(ns);
		s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&up, sizeof(up)) < 0)
			FAIL("upstream: %s", strerror(errno));
		enter_ns(home);
		if (write(s, buf, (size_t)n) != n)
			FAIL("forward: %s", strerror(errno));
		p = (struct pollfd){ s, POLLIN, 0 };
		if (poll(&p, 1, 3000) == 1 && (m = read(s, buf, sizeof(buf))) > 0)
			sendto(l, buf, (size_t)m, 0, (struct sockaddr *)&cli, cl);
		close(s);
	}
	return 0;
}
