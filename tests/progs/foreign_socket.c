/* foreign_socket - a known call chain that makes a foreign-netns socket.
 *
 * usage: foreign_socket NETNS_PATH [ROUNDS]
 *
 * main -> do_lookup -> open_foreign_socket, which enters NETNS_PATH, makes
 * a UDP socket connected to 127.0.0.1:53 there and goes back home; then
 * do_lookup sends a DNS query on it.  Built with frame pointers and not
 * inlined, so a stack taken at socket() names these functions in order. */
#include "common.h"

#include <poll.h>
#include <sys/socket.h>

static int ns_fd, home_fd;

__attribute__((noinline)) int open_foreign_socket(void)
{
	struct sockaddr_in up = loopback(53);
	int s;

	enter_ns(ns_fd);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&up, sizeof(up)) < 0)
		FAIL("socket: %s", strerror(errno));
	enter_ns(home_fd);
	return s;
}

__attribute__((noinline)) void do_lookup(void)
{
	unsigned char buf[512];
	struct pollfd p;
	int s = open_foreign_socket();

	if (write(s, article_query, sizeof(article_query)) < 0)
		FAIL("write: %s", strerror(errno));
	p = (struct pollfd){ s, POLLIN, 0 };
	if (poll(&p, 1, 1000) == 1 && read(s, buf, sizeof(buf)) < 0 && errno != ECONNREFUSED)
		FAIL("read: %s", strerror(errno));
	close(s);
}

int main(int argc, char **argv)
{
	int rounds = argc > 2 ? atoi(argv[2]) : 1;

	if (argc < 2)
		FAIL("usage: foreign_socket NETNS_PATH [ROUNDS]");
	ns_fd = open_ns(argv[1]);
	home_fd = open_ns("/proc/self/ns/net");
	for (int i = 0; i < rounds; i++)
		do_lookup();
	return 0;
}
