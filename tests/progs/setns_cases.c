/* setns_cases - every way into a netns that the tracer caches or not.
 *
 * usage: setns_cases NETNS_A NETNS_B
 *
 * After each step it makes one UDP socket (and closes it) and prints
 * "S <ino>" to stderr: the netns that socket really lives in, read from
 * /proc/self/ns/net.  The test compares the tracer's socket() events, in
 * order, with these lines.  Steps: the same fd used again and again (the
 * tracer learns it is a netns); a closed cached fd whose number comes back
 * on another netns; nstype 0; dup2 over a cached fd; a pidfd, several
 * times; a UTS namespace fd with nstype 0 (no net change). */
#include "common.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static void mark(void)
{
	struct stat st;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0 || stat("/proc/thread-self/ns/net", &st) < 0)
		FAIL("socket/stat: %s", strerror(errno));
	fprintf(stderr, "S %llu\n", (unsigned long long)st.st_ino);
	close(s);
}

static void join(int fd, int nstype)
{
	if (setns(fd, nstype) < 0)
		FAIL("setns(%d, %d): %s", fd, nstype, strerror(errno));
	mark();
}

int main(int argc, char **argv)
{
	int home, home2, fa, fb, uts, pidfd, i;
	pid_t child;

	if (argc < 3)
		FAIL("usage: setns_cases NETNS_A NETNS_B");
	home = open_ns("/proc/self/ns/net");
	home2 = open_ns("/proc/self/ns/net");
	fa = open_ns(argv[1]);
	for (i = 0; i < 3; i++) { /* first sight, second use, cached */
		join(fa, CLONE_NEWNET);
		join(home, CLONE_NEWNET);
	}
	close(fa);
	fb = open_ns(argv[2]); /* takes fa's number: a cache must not say A */
	if (fb != fa)
		FAIL("expected fd %d again, got %d", fa, fb);
	join(fb, CLONE_NEWNET);
	join(home, 0);
	join(fb, 0);
	join(home, 0);
	if (dup2(fb, home) < 0) /* home's number now means B */
		FAIL("dup2: %s", strerror(errno));
	join(home, CLONE_NEWNET);
	home = home2;
	join(home, CLONE_NEWNET);

	child = fork();
	if (child == 0) {
		fa = open_ns(argv[1]);
		enter_ns(fa);
		pause();
		_exit(0);
	}
	usleep(200000);
	pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	if (pidfd < 0)
		FAIL("pidfd_open: %s", strerror(errno));
	for (i = 0; i < 3; i++) { /* a pidfd is never cached as a netns */
		join(pidfd, CLONE_NEWNET);
		join(home, CLONE_NEWNET);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);

	uts = open_ns("/proc/self/ns/uts");
	join(fb, CLONE_NEWNET);
	join(uts, 0); /* not a net namespace: still in B */
	join(home, CLONE_NEWNET);
	return 0;
}
