/* hostile - programs of the kind any container may run, to prove that
 * nstrace reports no false error under them.  Each mode prints what it
 * really got ("sent N answered M") and exits 0.
 *
 * usage:
 *   hostile fdreuse SERVER THREADS SECONDS   threads that open, query and
 *                                            close as fast as they can
 *   hostile mmsg SERVER COUNT                COUNT queries in one sendmmsg,
 *                                            answers in big recvmmsg batches
 *   hostile leader SERVER SECONDS            the main thread exits; two
 *                                            others go on querying
 *   hostile comm NAME SERVER                 renamed (prctl), then one query
 *   hostile netns COUNT SERVER               COUNT new netns in a loop, then
 *                                            back home and one query
 *   hostile compress-serve ADDR [broken]     a DNS server on ADDR:53 whose
 *                                            answers reach their name through
 *                                            201 compression pointers (broken:
 *                                            whose answer's name points past
 *                                            the message, which no parser reads)
 *   hostile query SERVER COUNT               COUNT plain queries, in turn
 *   hostile sockets COUNT SERVER SECONDS     COUNT sockets held open, then a
 *                                            query every 100 ms (a process
 *                                            to attach to)
 *
 * Queries ask ok.nstrace.test A of SERVER:53 over UDP; an answer counts
 * when its id is the query's. */
#include "common.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#define MAXQ 1024

static struct sockaddr_in server;
static atomic_long n_sent, n_answered;
static atomic_int next_id = 1;

static size_t mkquery(unsigned char *b, uint16_t id)
{
	static const unsigned char name[] = "\2ok\7nstrace\4test";
	size_t n = 12;

	memset(b, 0, 12);
	b[0] = (unsigned char)(id >> 8), b[1] = (unsigned char)id, b[2] = 1, b[5] = 1;
	memcpy(b + n, name, sizeof(name)); /* with its root label */
	n += sizeof(name);
	b[n++] = 0, b[n++] = 1, b[n++] = 0, b[n++] = 1;
	return n;
}

static void set_server(const char *ip)
{
	server.sin_family = AF_INET;
	server.sin_port = htons(53);
	if (inet_pton(AF_INET, ip, &server.sin_addr) != 1)
		FAIL("bad server %s", ip);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One query on a socket of its own, closed after: true when answered. */
static bool one_query(int wait_ms)
{
	unsigned char q[512], r[512];
	uint16_t id = (uint16_t)atomic_fetch_add(&next_id, 1);
	size_t n = mkquery(q, id);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	bool ok = false;

	if (fd < 0)
		FAIL("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&server, sizeof(server)) == 0 && send(fd, q, n, 0) == (ssize_t)n) {
		struct pollfd p = { fd, POLLIN, 0 };
		atomic_fetch_add(&n_sent, 1);
		while (!ok && poll(&p, 1, wait_ms) == 1) {
			ssize_t k = recv(fd, r, sizeof(r), 0);
			if (k < 0)
				break;
			ok = k >= 12 && r[0] == q[0] && r[1] == q[1];
		}
	}
	if (ok)
		atomic_fetch_add(&n_answered, 1);
	close(fd);
	return ok;
}

static void report(void)
{
	printf("sent %ld answered %ld\n", atomic_load(&n_sent), atomic_load(&n_answered));
	fflush(stdout);
}

/* --- fdreuse ------------------------------------------------------------------ */

static double deadline;

static void *querier(void *arg)
{
	(void)arg;
	while (now() < deadline)
		one_query(2000);
	return NULL;
}

static int fdreuse(int threads, double seconds)
{
	pthread_t t[64];

	if (threads < 1 || threads > 64)
		FAIL("threads: 1..64");
	deadline = now() + seconds;
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, querier, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	report();
	return 0;
}

/* --- mmsg --------------------------------------------------------------------- */

static int mmsg(int count)
{
	static unsigned char q[MAXQ][64], r[MAXQ][512];
	static struct mmsghdr m[MAXQ];
	static struct iovec iov[MAXQ];
	static bool got[MAXQ];
	int fd = socket(AF_INET, SOCK_DGRAM, 0), sent;
	int rcvbuf = 4 << 20;

	if (count < 1 || count > MAXQ)
		FAIL("count: 1..%d", MAXQ);
	if (fd < 0 || connect(fd, (struct sockaddr *)&server, sizeof(server)) < 0)
		FAIL("socket/connect: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	for (int i = 0; i < count; i++) {
		iov[i] = (struct iovec){ q[i], mkquery(q[i], (uint16_t)(i + 1)) };
		m[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
	}
	if ((sent = sendmmsg(fd, m, (unsigned)count, 0)) < 0)
		FAIL("sendmmsg: %s", strerror(errno));
	atomic_store(&n_sent, sent);
	usleep(500000); /* every answer queued: one big batch */
	for (double end = now() + 3; now() < end && atomic_load(&n_answered) < sent;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int k;
		if (poll(&p, 1, 500) != 1)
			continue;
		for (int i = 0; i < count; i++) {
			iov[i] = (struct iovec){ r[i], sizeof(r[i]) };
			m[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
		}
		if ((k = recvmmsg(fd, m, (unsigned)count, MSG_DONTWAIT, NULL)) < 0)
			continue;
		for (int i = 0; i < k; i++) {
			unsigned id = (unsigned)r[i][0] << 8 | r[i][1];
			if (m[i].msg_len >= 12 && id >= 1 && id <= (unsigned)count && !got[id - 1]) {
				got[id - 1] = true;
				atomic_fetch_add(&n_answered, 1);
			}
		}
	}
	close(fd);
	report();
	return 0;
}

/* --- leader ------------------------------------------------------------------- */

static void *ticker(void *arg)
{
	(void)arg;
	while (now() < deadline) {
		one_query(2000);
		usleep(100000);
	}
	report();
	return NULL;
}

static int leader(double seconds)
{
	pthread_t t[2];

	deadline = now() + seconds;
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, ticker, NULL);
	printf("ready\n");
	fflush(stdout);
	pthread_exit(NULL); /* the process goes on with a zombie leader */
}

/* --- netns -------------------------------------------------------------------- */

static int many_netns(int count)
{
	int home = open_ns("/proc/self/ns/net");

	for (int i = 0; i < count; i++)
		if (unshare(CLONE_NEWNET) < 0)
			FAIL("unshare %d: %s", i, strerror(errno));
	enter_ns(home);
	close(home);
	one_query(2000);
	report();
	return 0;
}

/* --- compress-serve ------------------------------------------------------------ */

/* The answer to q (n bytes): the question, then a NULL-type record whose
 * rdata is a run of 201 pointers each to the one before (the first to the
 * question's name), then the A record, whose name enters the run at its
 * end.  libresolv follows it; so must nstrace. */
static size_t compress_answer(const unsigned char *q, size_t n, unsigned char *a)
{
	size_t k = n, run, rdlen_at;

	memcpy(a, q, n);
	a[2] = 0x81, a[3] = 0x80, a[7] = 2;
	memcpy(a + k, "\xc0\x0c\0\x0a\0\1\0\0\0\0", 10);
	rdlen_at = k + 10;
	k += 12;
	run = k;
	for (int i = 0; i < 201; i++, k += 2) {
		size_t to = i ? k - 2 : 12;
		a[k] = (unsigned char)(0xc0 | to >> 8), a[k + 1] = (unsigned char)to;
	}
	a[rdlen_at] = (unsigned char)((k - run) >> 8), a[rdlen_at + 1] = (unsigned char)(k - run);
	a[k] = (unsigned char)(0xc0 | (k - 2) >> 8), a[k + 1] = (unsigned char)(k - 2);
	k += 2;
	memcpy(a + k, "\0\1\0\1\0\0\0\x3c\0\4\xc6\x33\x64\x0a", 14);
	return k + 14;
}

static int compress_serve(const char *addr, bool broken)
{
	struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(53) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (inet_pton(AF_INET, addr, &me.sin_addr) != 1 || fd < 0 ||
	    bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0)
		FAIL("bind %s:53: %s", addr, strerror(errno));
	printf("ready\n");
	fflush(stdout);
	alarm(120); /* never outlives its test */
	for (;;) {
		unsigned char q[512], a[1024];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
		size_t qlen = 12;
		if (n < 12)
			continue;
		while (qlen < (size_t)n && q[qlen]) /* the question's name, then type and class */
			qlen += q[qlen] + 1u;
		qlen += 5;
		if (qlen > (size_t)n || qlen > 300)
			continue;
		size_t alen = compress_answer(q, qlen, a);
		if (broken) { /* one answer, its name a pointer forward, out of the message */
			memcpy(a, q, qlen);
			a[2] = 0x81, a[3] = 0x80, a[7] = 1;
			a[qlen] = 0xc3, a[qlen + 1] = 0xff;
			alen = qlen + 2;
		}
		sendto(fd, a, alen, 0, (struct sockaddr *)&from, fl);
	}
}

/* --- sockets -------------------------------------------------------------------- */

static int many_sockets(int count, double seconds)
{
	struct rlimit rl = { (rlim_t)count + 64, (rlim_t)count + 64 };

	/* without CAP_SYS_RESOURCE the hard limit is the ceiling: as many as
	 * it allows, said on the ready line */
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		if ((rlim_t)count + 64 > rl.rlim_max)
			count = (int)rl.rlim_max - 64;
	}
	for (int i = 0; i < count; i++)
		if (socket(AF_INET, SOCK_DGRAM, 0) < 0)
			FAIL("socket %d: %s", i, strerror(errno));
	deadline = now() + seconds;
	printf("ready %d sockets\n", count);
	fflush(stdout);
	while (now() < deadline) {
		one_query(2000);
		usleep(100000);
	}
	report();
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(mode, "fdreuse") && argc == 5) {
		set_server(argv[2]);
		return fdreuse(atoi(argv[3]), atof(argv[4]));
	}
	if (!strcmp(mode, "mmsg") && argc == 4) {
		set_server(argv[2]);
		return mmsg(atoi(argv[3]));
	}
	if (!strcmp(mode, "leader") && argc == 4) {
		set_server(argv[2]);
		return leader(atof(argv[3]));
	}
	if (!strcmp(mode, "comm") && argc == 4) {
		set_server(argv[3]);
		prctl(PR_SET_NAME, argv[2]);
		one_query(1000);
		report();
		return 0;
	}
	if (!strcmp(mode, "netns") && argc == 4) {
		set_server(argv[3]);
		return many_netns(atoi(argv[2]));
	}
	if (!strcmp(mode, "compress-serve") && (argc == 3 || argc == 4))
		return compress_serve(argv[2], argc == 4 && !strcmp(argv[3], "broken"));
	if (!strcmp(mode, "query") && argc == 4) {
		set_server(argv[2]);
		for (int i = 0; i < atoi(argv[3]); i++)
			one_query(2000);
		report();
		return 0;
	}
	if (!strcmp(mode, "sockets") && argc == 5) {
		set_server(argv[3]);
		return many_sockets(atoi(argv[2]), atof(argv[4]));
	}
	fprintf(stderr, "usage: hostile fdreuse|mmsg|leader|comm|netns|compress-serve|query|sockets ...\n");
	return 2;
}
