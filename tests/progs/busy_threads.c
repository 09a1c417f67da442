/* busy_threads - many threads making syscalls and counting.
 *
 * usage: busy_threads NTHREADS COUNTER_FILE [SECONDS]
 *
 * Each thread loops on a short nanosleep and a getppid, bumping a shared
 * counter; the main thread writes the counter to COUNTER_FILE every 50 ms.
 * A tracer that leaves any thread stopped makes the counter stall.  Exits
 * after SECONDS (default 60). */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static atomic_ulong counter;

static void *spin(void *arg)
{
	struct timespec ts = { 0, 200000 };

	(void)arg;
	for (;;) {
		nanosleep(&ts, NULL);
		getppid();
		atomic_fetch_add(&counter, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int i, n, seconds = 60, fd;
	pthread_t t;
	time_t end;
	char line[64], tmp[4096];

	if (argc < 3)
		FAIL("usage: busy_threads NTHREADS COUNTER_FILE [SECONDS]");
	n = atoi(argv[1]);
	if (argc > 3)
		seconds = atoi(argv[3]);
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	for (i = 0; i < n; i++)
		pthread_create(&t, NULL, spin, NULL);
	for (end = time(NULL) + seconds; time(NULL) < end;) {
		/* write + rename: a reader never sees a half-written file */
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0) {
			int len = snprintf(line, sizeof(line), "%lu\n", atomic_load(&counter));
			if (write(fd, line, (size_t)len) < 0)
				FAIL("write counter: %s", strerror(errno));
			close(fd);
			rename(tmp, argv[2]);
		}
		usleep(50000);
	}
	return 0;
}
