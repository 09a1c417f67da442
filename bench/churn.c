/* churn.c - a launch-mode workload: mostly syscalls nstrace does not decode
 * (futex, epoll_wait, nanosleep), with a few it does (sendto, recvfrom).
 *
 * usage: churn ITERATIONS [CHURN_PER_ITERATION]
 * Each iteration: CHURN (default 100) rounds of futex wake + epoll_wait(0)
 * + a 1 µs nanosleep, then one UDP sendto to 127.0.0.1:9 and one
 * non-blocking recvfrom.  Loopback only. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int iters = argc > 1 ? atoi(argv[1]) : 1000, churn = argc > 2 ? atoi(argv[2]) : 100;
	int ep = epoll_create1(0), s = socket(AF_INET, SOCK_DGRAM, 0), word = 0;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	struct timespec ts = { 0, 1000 };
	struct epoll_event ev;
	char buf[64];

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	prctl(PR_SET_TIMERSLACK, 1UL);
	for (int i = 0; i < iters; i++) {
		for (int j = 0; j < churn; j++) {
			syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
			epoll_wait(ep, &ev, 1, 0);
			nanosleep(&ts, NULL);
		}
		sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof(a));
		recvfrom(s, buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL);
	}
	return 0;
}
