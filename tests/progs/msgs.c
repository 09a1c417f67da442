/* msgs - the vectored and batched socket calls, in a netns the test made.
 *
 * usage: msgs NETNS_PATH
 *
 * UDP in the netns: sendmmsg of two datagrams ("one", "two"), recvmmsg of
 * both, sendmsg/recvmsg with a name.  TCP: a listener created in the netns,
 * then (from home) a connect and an accept4; writev sends a 2-byte length
 * prefix and a body as two iovecs, readv reads them back.  Exits 0. */
#include "common.h"

#include <sys/socket.h>
#include <sys/uio.h>

int main(int argc, char **argv)
{
	struct sockaddr_in srv = loopback(5353), tsrv = loopback(5354), from;
	char b1[16], b2[16], big[64];
	struct mmsghdr mm[2];
	struct iovec iv[2];
	struct msghdr m;
	int ns, home, us, uc, ls, cs, as;

	if (argc < 2)
		FAIL("usage: msgs NETNS_PATH");
	ns = open_ns(argv[1]);
	home = open_ns("/proc/self/ns/net");
	enter_ns(ns);
	us = socket(AF_INET, SOCK_DGRAM, 0);
	uc = socket(AF_INET, SOCK_DGRAM, 0);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(us, (struct sockaddr *)&srv, sizeof(srv)) < 0 ||
	    bind(ls, (struct sockaddr *)&tsrv, sizeof(tsrv)) < 0 || listen(ls, 4) < 0)
		FAIL("setup: %s", strerror(errno));
	cs = socket(AF_INET, SOCK_STREAM, 0);
	enter_ns(home);

	/* sendmmsg: two datagrams in one call */
	memset(mm, 0, sizeof(mm));
	iv[0] = (struct iovec){ "one", 3 };
	iv[1] = (struct iovec){ "two", 3 };
	mm[0].msg_hdr = (struct msghdr){ .msg_name = &srv, .msg_namelen = sizeof(srv), .msg_iov = &iv[0], .msg_iovlen = 1 };
	mm[1].msg_hdr = (struct msghdr){ .msg_name = &srv, .msg_namelen = sizeof(srv), .msg_iov = &iv[1], .msg_iovlen = 1 };
	if (sendmmsg(uc, mm, 2, 0) != 2)
		FAIL("sendmmsg: %s", strerror(errno));
	iv[0] = (struct iovec){ b1, sizeof(b1) };
	iv[1] = (struct iovec){ b2, sizeof(b2) };
	mm[0].msg_hdr = (struct msghdr){ .msg_iov = &iv[0], .msg_iovlen = 1 };
	mm[1].msg_hdr = (struct msghdr){ .msg_iov = &iv[1], .msg_iovlen = 1 };
	if (recvmmsg(us, mm, 2, MSG_WAITFORONE, NULL) < 1)
		FAIL("recvmmsg: %s", strerror(errno));

	/* sendmsg with a name, recvmsg filling one in */
	iv[0] = (struct iovec){ "hdr", 3 };
	m = (struct msghdr){ .msg_name = &srv, .msg_namelen = sizeof(srv), .msg_iov = iv, .msg_iovlen = 1 };
	sendmsg(uc, &m, 0);
	iv[0] = (struct iovec){ b1, sizeof(b1) };
	m = (struct msghdr){ .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = iv, .msg_iovlen = 1 };
	recvmsg(us, &m, 0);

	/* TCP: DNS-style length prefix and body as two iovecs */
	if (connect(cs, (struct sockaddr *)&tsrv, sizeof(tsrv)) < 0)
		FAIL("connect: %s", strerror(errno));
	as = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	if (as < 0)
		FAIL("accept4: %s", strerror(errno));
	iv[0] = (struct iovec){ "\0\5", 2 };
	iv[1] = (struct iovec){ "hello", 5 };
	if (writev(cs, iv, 2) != 7)
		FAIL("writev: %s", strerror(errno));
	iv[0] = (struct iovec){ big, 2 };
	iv[1] = (struct iovec){ big + 2, 5 };
	if (readv(as, iv, 2) != 7)
		FAIL("readv: %s", strerror(errno));
	fprintf(stderr, "msgs: done\n");
	return 0;
}
