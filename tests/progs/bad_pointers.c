/* bad_pointers - network syscalls handed garbage by a buggy program.
 *
 * usage: bad_pointers
 *
 * write/sendto/sendmsg/connect with unmapped or absurd pointers and
 * lengths, on a real socket.  The calls fail with EFAULT; a tracer must
 * report them as unreadable and carry on.  Exits 0. */
#include "common.h"

#include <sys/socket.h>
#include <stdint.h>
#include <sys/uio.h>

int main(void)
{
	struct sockaddr_in a = loopback(9);
	void *bad = (void *)(uintptr_t)strtoul("16", NULL, 0); /* opaque to the compiler */
	struct msghdr m;
	struct iovec iov = { bad, 1 << 20 };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0)
		FAIL("socket: %s", strerror(errno));
	connect(s, (struct sockaddr *)&a, sizeof(a));
	if (write(s, bad, 64) >= 0)
		FAIL("write with a bad pointer succeeded");
	sendto(s, "x", 1, 0, bad, sizeof(a));
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	sendmsg(s, &m, 0);
	m.msg_iovlen = (size_t)1 << 40; /* absurd count */
	sendmsg(s, &m, 0);
	sendmsg(s, bad, 0);
	connect(s, bad, 1u << 30);
	if (write(s, "ok", 2) < 0 && errno != ECONNREFUSED)
		FAIL("final write: %s", strerror(errno));
	fprintf(stderr, "bad_pointers: done\n");
	return 0;
}
