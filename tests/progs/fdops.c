/* fdops - every fd and netns operation nstrace models, each carrying a DNS
 * query whose answer is read some other way than it was sent.
 *
 * usage: fdops CTR_NETNS_PATH UPSTREAM_IP
 *        fdops --exec-child FD CTR_NETNS_PATH   (its own execve)
 *
 * Queries for ok.nstrace.test A go to UPSTREAM_IP:53 from sockets made in
 * CTR_NETNS_PATH (so they are foreign to this process); the program never
 * sends from the namespace it starts in.  Each of its processes prints
 * "fdops: queries N answers M" (one write(2), whole) for the test to
 * compare with what nstrace reports: every query sent (whether the send
 * worked or not) and every answer read. */
#include "common.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

static int ctr_fd, home_fd;
static struct sockaddr_in up;
static int queries, answers;

static size_t mkquery(unsigned char *q, int id)
{
	static const unsigned char tail[] = { 2, 'o', 'k', 7, 'n', 's', 't', 'r', 'a', 'c', 'e',
					      4, 't', 'e', 's', 't', 0, 0, 1, 0, 1 };
	memset(q, 0, 12);
	q[0] = (unsigned char)(id >> 8);
	q[1] = (unsigned char)id;
	q[2] = 1; /* RD */
	q[5] = 1; /* one question */
	memcpy(q + 12, tail, sizeof(tail));
	return 12 + sizeof(tail);
}

/* A UDP socket made inside the container's netns (the article's pattern). */
static int ctr_socket(int flags)
{
	int s;

	enter_ns(ctr_fd);
	s = socket(AF_INET, SOCK_DGRAM | flags, 0);
	enter_ns(home_fd);
	if (s < 0)
		FAIL("socket: %s", strerror(errno));
	return s;
}

static void wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 5000) != 1)
		FAIL("no answer on fd %d", fd);
}

static void sent(ssize_t n)
{
	queries++;
	if (n < 0)
		fprintf(stderr, "fdops: send: %s\n", strerror(errno));
}

static void got(ssize_t n)
{
	if (n >= 12)
		answers++;
}

static void save_counts(void)
{
	dprintf(STDOUT_FILENO, "fdops: queries %d answers %d\n", queries, answers);
}

/* 1. socket()=s; dup(s)=d; connect(d); getsockname(d); write(s); read(d) */
static void by_dup(void)
{
	unsigned char q[64], a[512];
	struct sockaddr_in local;
	socklen_t ll = sizeof(local);
	int s = ctr_socket(SOCK_CLOEXEC), d = dup(s);

	if (d < 0 || connect(d, (struct sockaddr *)&up, sizeof(up)) < 0 ||
	    getsockname(d, (struct sockaddr *)&local, &ll) < 0)
		FAIL("dup/connect: %s", strerror(errno));
	sent(write(s, q, mkquery(q, 1)));
	wait_readable(d);
	close(s); /* d keeps the socket: not the end of its query */
	got(read(d, a, sizeof(a)));
	close(d);
}

/* 2. dup2 onto a live socket's number, then that number is the new one:
 *    sendto / recvfrom without an address */
static void by_dup2_over_a_socket(void)
{
	unsigned char q[64], a[512];
	int home = socket(AF_INET, SOCK_DGRAM, 0); /* a home socket, never used */
	int s = ctr_socket(0);

	if (home < 0 || dup2(s, home) != home)
		FAIL("dup2: %s", strerror(errno));
	close(s);
	sent(sendto(home, q, mkquery(q, 2), 0, (struct sockaddr *)&up, sizeof(up)));
	wait_readable(home);
	got(recvfrom(home, a, sizeof(a), 0, NULL, NULL));
	close(home);
}

/* 3. F_DUPFD_CLOEXEC: sendto on one fd, recv (no address) on the copy */
static void by_fdupfd_cloexec(void)
{
	unsigned char q[64], a[512];
	int s = ctr_socket(0), c = fcntl(s, F_DUPFD_CLOEXEC, 60);

	if (c < 60)
		FAIL("F_DUPFD_CLOEXEC: %s", strerror(errno));
	sent(sendto(s, q, mkquery(q, 3), 0, (struct sockaddr *)&up, sizeof(up)));
	wait_readable(c);
	got(recv(c, a, sizeof(a), 0));
	close(s);
	close(c);
}

/* 4. fd reuse: a socket's number goes to a file, then to a new socket */
static void by_reused_numbers(void)
{
	unsigned char q[64], a[512];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	int s = ctr_socket(0), n = s, f;

	close(s);
	f = open("/dev/null", O_WRONLY | O_CLOEXEC); /* takes s's number */
	if (f != n)
		FAIL("fd %d was not reused (got %d)", n, f);
	if (write(f, q, mkquery(q, 40)) < 0) /* DNS bytes, but not to a socket */
		FAIL("write /dev/null: %s", strerror(errno));
	close(f);
	s = ctr_socket(0); /* the number again, a new socket */
	if (s != n)
		FAIL("fd %d was not reused by the socket (got %d)", n, s);
	sent(sendto(s, q, mkquery(q, 4), 0, (struct sockaddr *)&up, sizeof(up)));
	wait_readable(s);
	got(recvfrom(s, a, sizeof(a), 0, (struct sockaddr *)&from, &fl));
	close(s);
}

/* 5. fork: the parent sends, the child reads the answer */
static void by_fork(void)
{
	unsigned char q[64], a[512];
	int s = ctr_socket(SOCK_CLOEXEC), st;
	pid_t pid;

	if (connect(s, (struct sockaddr *)&up, sizeof(up)) < 0)
		FAIL("connect: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		FAIL("fork: %s", strerror(errno));
	if (pid == 0) {
		queries = answers = 0;
		wait_readable(s);
		got(read(s, a, sizeof(a)));
		save_counts();
		_exit(0);
	}
	sent(write(s, q, mkquery(q, 5)));
	close(s); /* the child's fd keeps the socket */
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		FAIL("fork child failed");
}

/* 6. another thread reads the answers of an unconnected socket, without
 *    an address: recvmsg without msg_name, recvfrom(NULL), read() */
static int thread_sock;

static void *reader(void *arg)
{
	unsigned char a[512];
	struct iovec iov = { a, sizeof(a) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	(void)arg;
	wait_readable(thread_sock);
	got(recvmsg(thread_sock, &m, 0));
	wait_readable(thread_sock);
	got(recvfrom(thread_sock, a, sizeof(a), 0, NULL, NULL));
	wait_readable(thread_sock);
	got(read(thread_sock, a, sizeof(a)));
	return NULL;
}

static void by_another_thread(void)
{
	unsigned char q[64];
	pthread_t t;

	thread_sock = ctr_socket(SOCK_CLOEXEC);
	if (pthread_create(&t, NULL, reader, NULL))
		FAIL("pthread_create");
	sent(sendto(thread_sock, q, mkquery(q, 6), 0, (struct sockaddr *)&up, sizeof(up)));
	sent(sendto(thread_sock, q, mkquery(q, 7), 0, (struct sockaddr *)&up, sizeof(up)));
	sent(sendto(thread_sock, q, mkquery(q, 15), 0, (struct sockaddr *)&up, sizeof(up)));
	pthread_join(t, NULL);
	close(thread_sock);
}

/* 7. execve: an inherited socket is used by the new program, a
 *    close-on-exec one is gone (its number becomes a file) */
static void by_exec(const char *self, const char *ctr_path)
{
	int keep = ctr_socket(0), gone = ctr_socket(SOCK_CLOEXEC), marked = ctr_socket(0), st;
	char fd[16];
	pid_t pid;

	if (connect(keep, (struct sockaddr *)&up, sizeof(up)) < 0 ||
	    fcntl(marked, F_SETFD, FD_CLOEXEC) < 0) /* close-on-exec after the fact */
		FAIL("connect/F_SETFD: %s", strerror(errno));
	snprintf(fd, sizeof(fd), "%d", keep);
	pid = fork();
	if (pid < 0)
		FAIL("fork: %s", strerror(errno));
	if (pid == 0) {
		execl(self, self, "--exec-child", fd, ctr_path, (char *)NULL);
		_exit(127);
	}
	close(keep);
	close(gone);
	close(marked);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		FAIL("exec child failed");
}

static int exec_child(int fd)
{
	unsigned char q[64], a[512];
	int f, s;

	queries = answers = 0;
	sent(write(fd, q, mkquery(q, 8)));
	wait_readable(fd);
	got(read(fd, a, sizeof(a)));
	/* The close-on-exec socket's number is free now: a file takes it, and
	 * DNS bytes written there are no query. */
	f = open("/dev/null", O_WRONLY);
	int f2 = open("/dev/null", O_WRONLY); /* and the F_SETFD one's */
	if (write(f, q, mkquery(q, 41)) < 0 || write(f2, q, mkquery(q, 42)) < 0)
		FAIL("write /dev/null: %s", strerror(errno));
	close(f2);
	/* Nothing listens on the container's own loopback: refused. */
	struct sockaddr_in lo = loopback(53);
	s = ctr_socket(0);
	if (connect(s, (struct sockaddr *)&lo, sizeof(lo)) < 0)
		FAIL("connect lo: %s", strerror(errno));
	sent(write(s, q, mkquery(q, 9)));
	wait_readable(s);
	if (read(s, a, sizeof(a)) >= 0)
		FAIL("loopback answered");
	close(s);
	close(f);
	close(fd);
	save_counts();
	return 0;
}

/* 8. unshare(CLONE_NEWNET) in a child: its new netns has no route */
static void by_unshare(void)
{
	unsigned char q[64];
	int st;
	pid_t pid = fork();

	if (pid < 0)
		FAIL("fork: %s", strerror(errno));
	if (pid == 0) {
		queries = answers = 0;
		int back = open_ns("/proc/self/ns/net");
		if (unshare(CLONE_NEWNET) < 0)
			FAIL("unshare: %s", strerror(errno));
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		enter_ns(back); /* and back: it is not stuck there */
		sent(sendto(s, q, mkquery(q, 10), 0, (struct sockaddr *)&up, sizeof(up)));
		close(s);
		save_counts();
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		FAIL("unshare child failed");
}

/* 9. clone(CLONE_NEWNET): a child born in a new netns is at home there */
static void by_clone_newnet(void)
{
	unsigned char q[64];
	int st;
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);

	if (pid < 0)
		FAIL("clone: %s", strerror(errno));
	if (pid == 0) {
		queries = answers = 0;
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		sent(sendto(s, q, mkquery(q, 11), 0, (struct sockaddr *)&up, sizeof(up)));
		close(s);
		save_counts();
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		FAIL("clone child failed");
}

/* 10. TCP: the length-prefixed query on one fd, the answer read on a
 *     dup3(O_CLOEXEC) copy by another thread, its prefix and body apart */
static int tcp_copy;

static void *tcp_reader(void *arg)
{
	unsigned char a[1024];
	size_t len, got_len = 0;

	(void)arg;
	wait_readable(tcp_copy);
	if (read(tcp_copy, a, 2) != 2)
		FAIL("tcp prefix: %s", strerror(errno));
	len = (size_t)a[0] << 8 | a[1];
	while (got_len < len) {
		ssize_t n = read(tcp_copy, a + 2 + got_len, len - got_len);
		if (n <= 0)
			FAIL("tcp body: %s", strerror(errno));
		got_len += (size_t)n;
	}
	got((ssize_t)got_len);
	return NULL;
}

static void by_tcp_dup3(void)
{
	unsigned char q[66];
	pthread_t t;
	int s;
	size_t n;

	enter_ns(ctr_fd);
	s = socket(AF_INET, SOCK_STREAM, 0);
	enter_ns(home_fd);
	if (s < 0 || connect(s, (struct sockaddr *)&up, sizeof(up)) < 0)
		FAIL("tcp connect: %s", strerror(errno));
	tcp_copy = dup3(s, 70, O_CLOEXEC);
	if (tcp_copy != 70)
		FAIL("dup3: %s", strerror(errno));
	n = mkquery(q + 2, 13);
	q[0] = (unsigned char)(n >> 8);
	q[1] = (unsigned char)n;
	if (pthread_create(&t, NULL, tcp_reader, NULL))
		FAIL("pthread_create");
	sent(write(s, q, n + 2));
	pthread_join(t, NULL);
	close(s);
	close(tcp_copy);
}

/* 11. close_range ends a socket after its answer */
static void by_close_range(void)
{
	unsigned char q[64], a[512];
	int s = ctr_socket(0);

	if (connect(s, (struct sockaddr *)&up, sizeof(up)) < 0)
		FAIL("connect: %s", strerror(errno));
	sent(send(s, q, mkquery(q, 14), 0));
	wait_readable(s);
	got(recv(s, a, sizeof(a), 0));
	if (syscall(SYS_close_range, s, s, 0) < 0)
		FAIL("close_range: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--exec-child")) {
		ctr_fd = open_ns(argv[3]);
		home_fd = open_ns("/proc/self/ns/net");
		return exec_child(atoi(argv[2]));
	}
	if (argc != 3)
		FAIL("usage: fdops CTR_NETNS_PATH UPSTREAM_IP");
	memset(&up, 0, sizeof(up));
	up.sin_family = AF_INET;
	up.sin_port = htons(53);
	if (inet_pton(AF_INET, argv[2], &up.sin_addr) != 1)
		FAIL("bad address %s", argv[2]);
	ctr_fd = open_ns(argv[1]);
	home_fd = open_ns("/proc/self/ns/net");
	by_dup();
	by_dup2_over_a_socket();
	by_fdupfd_cloexec();
	by_reused_numbers();
	by_fork();
	by_another_thread();
	by_exec("/proc/self/exe", argv[1]);
	by_unshare();
	by_clone_newnet();
	by_tcp_dup3();
	by_close_range();
	save_counts();
	return 0;
}
