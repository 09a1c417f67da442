/* floor.c - the ptrace floor: a tracer that only resumes every stop.
 *
 * usage: floor PID
 *
 * PTRACE_SEIZE on every thread (rescanning /proc/PID/task), then for each
 * stop: PTRACE_GET_SYSCALL_INFO at syscall stops and PTRACE_SYSCALL, signals
 * passed on.  No decoding at all: whatever nstrace costs beyond this is
 * nstrace's own.  SIGINT detaches. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#define OPTS (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | \
	      PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC)

static volatile sig_atomic_t stop;
static pid_t tids[65536];
static int ntids;

static void on_sig(int s)
{
	(void)s;
	stop = 1;
	alarm(1);
}

static int known(pid_t t)
{
	for (int i = 0; i < ntids; i++)
		if (tids[i] == t)
			return 1;
	return 0;
}

static void attach(pid_t pid)
{
	char path[64];
	int added;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	do {
		DIR *d = opendir(path);
		struct dirent *de;
		added = 0;
		if (!d)
			exit(1);
		while ((de = readdir(d))) {
			pid_t t = atoi(de->d_name);
			if (t <= 0 || known(t) || ntids == 65536)
				continue;
			if (ptrace(PTRACE_SEIZE, t, 0L, (long)OPTS) == 0) {
				ptrace(PTRACE_INTERRUPT, t, 0L, 0L);
				tids[ntids++] = t;
				added++;
			}
		}
		closedir(d);
	} while (added);
}

int main(int argc, char **argv)
{
	struct __ptrace_syscall_info info;
	struct sigaction sa;
	int st;

	if (argc < 2)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	attach(atoi(argv[1]));
	while (!stop) {
		pid_t t = waitpid(-1, &st, __WALL);
		if (t < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!WIFSTOPPED(st))
			continue;
		int sig = WSTOPSIG(st), ev = st >> 16;
		if (sig == (SIGTRAP | 0x80)) {
			ptrace(PTRACE_GET_SYSCALL_INFO, t, (void *)sizeof(info), &info);
			ptrace(PTRACE_SYSCALL, t, 0L, 0L);
		} else if (ev == PTRACE_EVENT_STOP && (sig == SIGSTOP || sig == SIGTSTP ||
						       sig == SIGTTIN || sig == SIGTTOU)) {
			ptrace(PTRACE_LISTEN, t, 0L, 0L);
		} else {
			if (!known(t) && ntids < 65536)
				tids[ntids++] = t;
			ptrace(PTRACE_SYSCALL, t, 0L, (long)(ev ? 0 : sig));
		}
	}
	/* detach: interrupt everyone, detach each at its next stop */
	for (int i = 0; i < ntids; i++)
		ptrace(PTRACE_INTERRUPT, tids[i], 0L, 0L);
	for (int left = ntids, spins = 0; left > 0 && spins < 100000; spins++) {
		pid_t t = waitpid(-1, &st, __WALL);
		if (t < 0)
			break;
		if (!WIFSTOPPED(st)) {
			left--;
			continue;
		}
		int sig = WSTOPSIG(st), ev = st >> 16;
		ptrace(PTRACE_DETACH, t, 0L, (long)(ev == 0 && sig != (SIGTRAP | 0x80) ? sig : 0));
		left--;
	}
	return 0;
}
