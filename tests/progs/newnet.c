/* newnet - namespace changes other than setns, and fd bookkeeping.
 *
 * usage: newnet            (run it under a tracer)
 *
 * 1. A thread calls unshare(CLONE_NEWNET), makes a UDP socket there, and
 *    returns nothing home: the socket is foreign to the process.
 * 2. The main thread dup()s, dup2()s and fcntl(F_DUPFD_CLOEXEC)s that socket
 *    and sends on each copy.
 * 3. A fork()ed child sends on the inherited socket; an exec()ed program
 *    (this one, re-run as "newnet send FD") sends on it after execve.
 * 4. clone(CLONE_NEWNET) makes a child born in its own netns, which makes a
 *    socket there: at home for that child.
 * Prints "unshared INO" and "cloned INO" to stderr for the test. */
#include "common.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

static int foreign_sock = -1;

static unsigned long long my_netns(void)
{
	struct stat st;
	return stat("/proc/thread-self/ns/net", &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

static void send_on(int fd, const char *tag)
{
	/* lo is down in the new netns: the send fails (ENETUNREACH) but is
	 * still a network event on that socket. */
	struct sockaddr_in a = loopback(53);
	sendto(fd, tag, strlen(tag), 0, (struct sockaddr *)&a, sizeof(a));
}

static void *unsharer(void *arg)
{
	(void)arg;
	if (unshare(CLONE_NEWNET) < 0)
		FAIL("unshare: %s", strerror(errno));
	foreign_sock = socket(AF_INET, SOCK_DGRAM, 0);
	fprintf(stderr, "unshared %llu\n", my_netns());
	return NULL;
}

static char clone_stack[64 * 1024] __attribute__((aligned(16)));

static int cloned(void *arg)
{
	(void)arg;
	fprintf(stderr, "cloned %llu\n", my_netns());
	send_on(socket(AF_INET, SOCK_DGRAM, 0), "cloned");
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t t;
	pid_t pid;
	char fdarg[16];
	int d;

	if (argc == 3 && !strcmp(argv[1], "send")) { /* after execve */
		send_on(atoi(argv[2]), "exec");
		return 0;
	}
	pthread_create(&t, NULL, unsharer, NULL);
	pthread_join(t, NULL);
	if (foreign_sock < 0)
		FAIL("no socket");
	send_on(foreign_sock, "orig");
	d = dup(foreign_sock);
	send_on(d, "dup");
	dup2(foreign_sock, 40);
	send_on(40, "dup2");
	d = fcntl(foreign_sock, F_DUPFD_CLOEXEC, 50);
	send_on(d, "dupfd");

	pid = fork();
	if (pid == 0) {
		send_on(foreign_sock, "fork");
		_exit(0);
	}
	waitpid(pid, NULL, 0);

	pid = fork();
	if (pid == 0) {
		snprintf(fdarg, sizeof(fdarg), "%d", foreign_sock);
		execl("/proc/self/exe", "newnet", "send", fdarg, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, NULL, 0);

	pid = clone(cloned, clone_stack + sizeof(clone_stack), CLONE_NEWNET | SIGCHLD, NULL);
	if (pid < 0)
		FAIL("clone: %s", strerror(errno));
	waitpid(pid, NULL, 0);
	return 0;
}
