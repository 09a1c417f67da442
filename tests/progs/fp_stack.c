/* fp_stack - a program without DWARF unwind tables, like Go code.
 *
 * usage: fp_stack NETNS_PATH
 *
 * Built with frame pointers and no .eh_frame_hdr (see the Makefile), it
 * enters NETNS_PATH and makes its UDP socket with its own `syscall`
 * instruction, so that the thread stops inside code only frame pointers can
 * unwind: raw_socket <- make_foreign_socket <- main, then libc's start code
 * (which has tables again).  Prints the socket's fd. */
#include "common.h"

#include <sys/socket.h>
#include <sys/syscall.h>

static long __attribute__((noinline)) raw_socket(void)
{
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"((long)SYS_socket), "D"((long)AF_INET), "S"((long)SOCK_DGRAM), "d"(0L)
			 : "rcx", "r11", "memory");
	return r;
}

static int __attribute__((noinline)) make_foreign_socket(int nsfd, int home)
{
	long s;

	enter_ns(nsfd);
	s = raw_socket();
	enter_ns(home);
	return (int)s;
}

int main(int argc, char **argv)
{
	int s;

	if (argc < 2)
		FAIL("usage: fp_stack NETNS_PATH");
	s = make_foreign_socket(open_ns(argv[1]), open_ns("/proc/self/ns/net"));
	if (s < 0)
		FAIL("socket: %s", strerror((int)-s));
	printf("%d\n", s);
	close(s);
	return 0;
}
