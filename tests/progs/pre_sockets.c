/* pre_sockets - sockets made in another netns before any tracer attaches.
 *
 * usage: pre_sockets NETNS_PATH [SECONDS]
 *
 * Creates, inside NETNS_PATH, a UDP server on 127.0.0.1:53 and a client
 * connected to it, returns home, prints "ready" and then exchanges a query
 * every 20 ms for SECONDS (default 30).  A tracer attached after "ready"
 * has never seen these sockets being created. */
#include "common.h"

#include <sys/socket.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct sockaddr_in up = loopback(53), from;
	unsigned char buf[512];
	int ns, home, srv, cli, seconds = 30;
	socklen_t fl;
	time_t end;
	ssize_t n;

	if (argc < 2)
		FAIL("usage: pre_sockets NETNS_PATH [SECONDS]");
	if (argc > 2)
		seconds = atoi(argv[2]);
	ns = open_ns(argv[1]);
	home = open_ns("/proc/self/ns/net");
	enter_ns(ns);
	srv = socket(AF_INET, SOCK_DGRAM, 0);
	cli = socket(AF_INET, SOCK_DGRAM, 0);
	if (bind(srv, (struct sockaddr *)&up, sizeof(up)) < 0 ||
	    connect(cli, (struct sockaddr *)&up, sizeof(up)) < 0)
		FAIL("setup: %s", strerror(errno));
	enter_ns(home);
	printf("ready %d %d\n", srv, cli);
	fflush(stdout);
	for (end = time(NULL) + seconds; time(NULL) < end;) {
		if (send(cli, article_query, sizeof(article_query), 0) < 0)
			FAIL("send: %s", strerror(errno));
		fl = sizeof(from);
		n = recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n > 2) {
			buf[2] |= 0x80;
			sendto(srv, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
			recv(cli, buf, sizeof(buf), 0);
		}
		usleep(20000);
	}
	return 0;
}
