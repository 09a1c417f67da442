/* signals - every signal delivered exactly once under trace.
 *
 * usage: signals [COUNT]
 *
 * A forked child queues COUNT real-time signals (which the kernel never
 * merges) to the parent with sigqueue.  The parent counts them in a
 * handler, interrupted syscalls and all.  Exits 0 only when exactly COUNT
 * arrived: a tracer that drops a signal or injects one twice fails it. */
#include "common.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t got;

static void on_rt(int sig)
{
	(void)sig;
	got++;
}

int main(int argc, char **argv)
{
	int count = argc > 1 ? atoi(argv[1]) : 200, i;
	struct sigaction sa;
	sigset_t block, old;
	pid_t parent = getpid(), child;
	time_t end;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_rt;
	sigaction(SIGRTMIN, &sa, NULL);
	/* Hold the signals until all are queued, so none can be lost to a
	 * full queue race on our side; then release them all at once. */
	sigemptyset(&block);
	sigaddset(&block, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &block, &old);
	child = fork();
	if (child == 0) {
		union sigval v = { 0 };
		for (i = 0; i < count; i++)
			if (sigqueue(parent, SIGRTMIN, v) < 0)
				FAIL("sigqueue: %s", strerror(errno));
		_exit(0);
	}
	waitpid(child, NULL, 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	for (end = time(NULL) + 5; got < count && time(NULL) < end;)
		usleep(1000);
	usleep(100000); /* a duplicate would arrive now */
	fprintf(stderr, "signals: %d of %d\n", (int)got, count);
	return got == count ? 0 : 1;
}
