/* thread_churn - threads created and ended in a tight loop.
 *
 * usage: thread_churn [SECONDS]
 *
 * At most 4 threads live at once; thread number N makes an AF_UNIX
 * socketpair and writes N (8 bytes, little endian) into it, so a tracer's
 * events show exactly which threads it saw.  Exits after SECONDS (default
 * 60). */
#include "common.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#define LIVE 4

static void *worker(void *arg)
{
	uint64_t seq = (uint64_t)(uintptr_t)arg;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) == 0) {
		if (write(sv[0], &seq, sizeof(seq)) < 0)
			FAIL("write: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[LIVE];
	uint64_t seq = 0;
	int seconds = argc > 1 ? atoi(argv[1]) : 60, i;
	time_t end;

	printf("ready\n");
	fflush(stdout);
	for (end = time(NULL) + seconds; time(NULL) < end;) {
		for (i = 0; i < LIVE; i++)
			pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)seq++);
		for (i = 0; i < LIVE; i++)
			pthread_join(t[i], NULL);
	}
	return 0;
}
