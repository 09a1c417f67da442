/* common.h - helpers shared by the fixture programs (header-only so that
 * each fixture stays one file). */
#ifndef NST_FIXTURE_COMMON_H
#define NST_FIXTURE_COMMON_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); exit(1); } while (0)

/* The PTR query of the seed article: 78.143.241.199.in-addr.arpa, id 0x77f4. */
static const unsigned char article_query[45] = {
	0x77, 0xf4, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	2, '7', '8', 3, '1', '4', '3', 3, '2', '4', '1', 3, '1', '9', '9',
	7, 'i', 'n', '-', 'a', 'd', 'd', 'r', 4, 'a', 'r', 'p', 'a', 0,
	0x00, 0x0c, 0x00, 0x01,
};

static inline int open_ns(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		FAIL("open %s: %s", path, strerror(errno));
	return fd;
}

static inline void enter_ns(int fd)
{
	if (setns(fd, CLONE_NEWNET) < 0)
		FAIL("setns: %s", strerror(errno));
}

static inline struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

#endif
