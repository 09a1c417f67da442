/* engine.c - the ptrace stop loop, see engine.h.
 *
 * Per stop the common path is: waitpid, one PTRACE_GET_SYSCALL_INFO at
 * syscall entry (none at the exit of an undecoded syscall), one resume. */
#define _GNU_SOURCE
#include "tracer/engine.h"

#include <dirent.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tracer/arch.h"
#include "tracer/decode.h"
#include "tracer/netns.h"
#include "tracer/proc.h"
#include "tracer/stack.h"
#include "tracer/symbols.h"
#include "tracer/syscalls.h"

#define TRACE_OPTS (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | \
		    PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC)
#define DETACH_TIMEOUT_S 5

static volatile sig_atomic_t stop_requested;
static bool seccomp_mode; /* launch mode: only decoded syscalls stop */
static pid_t launched_pid;
static int launched_status;
static struct engine_stats stats;

void engine_request_stop(void)
{
	stop_requested = 1;
}

const struct engine_stats *engine_stats(void)
{
	return &stats;
}

static void resume(pid_t tid, int sig)
{
	struct thread *t;
	int req = PTRACE_SYSCALL;

	/* Under the seccomp filter, the next syscall worth a stop brings one,
	 * unless this thread is inside a decoded syscall whose exit we need
	 * (an event or a signal can stop it in between). */
	if (seccomp_mode && !((t = thread_find(tid)) && t->in_syscall && t->entry.decode))
		req = PTRACE_CONT;
	/* ESRCH: the thread was killed meanwhile; its exit comes via waitpid. */
	ptrace(req, tid, 0L, (long)sig);
}

/* After a decoded entry: stop at this syscall's exit. */
static void resume_to_exit(pid_t tid)
{
	ptrace(PTRACE_SYSCALL, tid, 0L, 0L);
}

/* The seccomp-bpf program: SECCOMP_RET_TRACE for every syscall in the
 * decode table (native arch only), SECCOMP_RET_ALLOW for the rest, so that
 * futex, epoll, nanosleep... never stop the traced program. */
static int install_seccomp_filter(void)
{
	struct sock_filter prog[8 + 512];
	size_t n = 0, ntrace = 0;

	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						 offsetof(struct seccomp_data, arch));
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NST_AUDIT_ARCH, 1, 0);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						 offsetof(struct seccomp_data, nr));
	for (size_t nr = 0; nr < syscall_table_len; nr++)
		if (syscall_table[nr].name)
			ntrace++;
	for (size_t nr = 0, i = 0; nr < syscall_table_len; nr++) {
		if (!syscall_table[nr].name)
			continue;
		/* jump over the remaining tests and the ALLOW to the TRACE */
		prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr,
							 (unsigned char)(ntrace - i), 0);
		i++;
	}
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	struct sock_fprog fprog = { (unsigned short)n, prog };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) < 0 ? -errno : 0;
}

static int read_status_ids(pid_t tid, pid_t *tgid, pid_t *ppid);

/* --- attach --------------------------------------------------------------- */

static int tracer_of(pid_t tid)
{
	char path[64], line[128];
	int tracer = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "TracerPid: %d", &tracer) == 1)
			break;
	fclose(f);
	return tracer;
}

static int seize_task(pid_t tid, struct proc **p)
{
	struct thread *t;

	if (thread_find(tid))
		return 0;
	if (ptrace(PTRACE_SEIZE, tid, 0L, (long)TRACE_OPTS) == 0) {
		ptrace(PTRACE_INTERRUPT, tid, 0L, 0L);
	} else if (errno != EPERM || tracer_of(tid) != getpid()) {
		return -errno;
	} /* else: auto-attached already, as a child of a thread we seized */
	t = thread_add(tid, *p, *p ? NULL : fdtab_new());
	if (!t)
		return -ENOMEM;
	*p = t->p;
	stats.threads_seen++;
	return 1;
}

int engine_attach(pid_t pid)
{
	char path[64];
	struct proc *p = NULL;
	struct dirent *de;
	int r, added;
	DIR *d;

	pid_t tgid = 0, ppid = 0;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return -ESRCH;
	/* -p may name any thread: trace its whole thread group. */
	if (read_status_ids(pid, &tgid, &ppid) == 0 && tgid > 0)
		pid = tgid;
	r = seize_task(pid, &p);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	do { /* threads keep spawning while we attach: rescan until stable */
		added = 0;
		d = opendir(path);
		if (!d)
			return -errno;
		while ((de = readdir(d))) {
			pid_t tid = (pid_t)atoi(de->d_name);
			if (tid <= 0)
				continue;
			r = seize_task(tid, &p);
			if (r > 0)
				added++;
			/* ESRCH: the thread ended between readdir and seize. */
		}
		closedir(d);
	} while (added);
	if (p && !p->home_netns) { /* the leader is a zombie: use any thread */
		size_t cur = 0;
		struct thread *t;
		while ((t = thread_next(&cur)))
			if (t->p == p && t->netns) {
				p->home_netns = t->netns;
				break;
			}
	}
	return 0;
}

/* --- launch --------------------------------------------------------------- */

pid_t engine_launch(char *const argv[], bool use_seccomp)
{
	pid_t pid;
	int st;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* Filtered syscalls fail with ENOSYS until a tracer with
		 * TRACESECCOMP is attached: none is made before the stop. */
		if (use_seccomp && install_seccomp_filter() < 0)
			_exit(126);
		raise(SIGSTOP); /* wait here until the tracer has seized us */
		execvp(argv[0], argv);
		fprintf(stderr, "nstrace: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &st, WSTOPPED) < 0 || !WIFSTOPPED(st)) {
		kill(pid, SIGKILL);
		return -ECHILD;
	}
	if (ptrace(PTRACE_SEIZE, pid, 0L, (long)(TRACE_OPTS | PTRACE_O_EXITKILL |
						  (use_seccomp ? PTRACE_O_TRACESECCOMP : 0))) < 0) {
		int err = errno;
		kill(pid, SIGKILL);
		return -err;
	}
	if (!thread_add(pid, NULL, fdtab_new())) {
		kill(pid, SIGKILL);
		return -ENOMEM;
	}
	stats.threads_seen++;
	launched_pid = pid;
	seccomp_mode = use_seccomp;
	kill(pid, SIGCONT);
	return pid;
}

/* --- new tasks, exec ------------------------------------------------------ */

static int read_status_ids(pid_t tid, pid_t *tgid, pid_t *ppid)
{
	char path[64], line[128];
	FILE *f;
	int got = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (got < 2 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Tgid: %d", tgid) == 1)
			got++;
		else if (sscanf(line, "PPid: %d", ppid) == 1)
			got++;
	}
	fclose(f);
	return got == 2 ? 0 : -EINVAL;
}

/* A task we have not seen: a thread or child of a traced task, auto-attached
 * by the kernel.  parent/flags come from the creator's clone event when it
 * arrived first; otherwise /proc tells. */
static struct thread *adopt_task(pid_t tid, struct thread *parent, uint64_t flags)
{
	struct proc *owner = NULL, *pp = NULL;
	struct fdtab *fds = NULL;
	struct thread *t;

	if (parent) {
		if (flags & CLONE_THREAD)
			owner = parent->p;
		else
			pp = parent->p;
	} else {
		pid_t tgid = 0, ppid = 0;
		if (read_status_ids(tid, &tgid, &ppid) == 0) {
			if (tgid != tid)
				owner = proc_find(tgid);
			else
				pp = proc_find(ppid);
		}
	}
	if (!owner) {
		if (pp && (flags & CLONE_FILES))
			fds = fdtab_ref(pp->fds);
		else
			fds = pp ? fdtab_copy(pp->fds) : fdtab_new();
		if (!fds)
			return NULL;
	}
	t = thread_add(tid, owner, fds);
	if (!t && fds)
		fdtab_unref(fds);
	if (t)
		stats.threads_seen++;
	return t;
}

static void on_clone_event(struct thread *t)
{
	unsigned long msg = 0;
	uint64_t flags;
	struct thread *child;

	if (ptrace(PTRACE_GETEVENTMSG, t->tid, 0L, &msg) < 0 || !msg)
		return;
	/* clone3 keeps its flags in memory: the entry decoder saved them. */
	flags = t->entry.nr == SYS_clone3 || t->entry.nr == SYS_clone ? t->entry.aux : 0;
	child = thread_find((pid_t)msg);
	if (!child) {
		child = adopt_task((pid_t)msg, t, flags);
	} else if ((flags & CLONE_FILES) && !(flags & CLONE_THREAD) &&
		   child->p != t->p && child->p->fds != t->p->fds) {
		fdtab_unref(child->p->fds);
		child->p->fds = fdtab_ref(t->p->fds);
	}
	if (child)
		t->entry.child_netns = child->netns;
}

static struct thread *on_exec_event(pid_t tid)
{
	unsigned long former = 0;
	struct thread *t, *u, *gone[64];
	size_t cur, n;
	struct proc *p;

	ptrace(PTRACE_GETEVENTMSG, tid, 0L, &former);
	t = thread_find((pid_t)former);
	if ((pid_t)former != tid) {
		/* A non-leader exec'd: it takes the leader's tid. */
		u = thread_find(tid);
		if (u && u != t)
			thread_remove(u);
		if (t)
			thread_retid(t, tid);
	}
	if (!t)
		t = thread_find(tid);
	if (!t)
		return NULL;
	p = t->p;
	do { /* every other thread of the process is gone */
		n = 0;
		cur = 0;
		while ((u = thread_next(&cur)) && n < 64)
			if (u->p == p && u != t)
				gone[n++] = u;
		while (n)
			thread_remove(gone[--n]);
	} while (p->nthreads > 1);
	if (p->fds->refs > 1) { /* execve unshares the fd table */
		struct fdtab *copy = fdtab_copy(p->fds);
		if (copy) {
			fdtab_unref(p->fds);
			p->fds = copy;
		}
	}
	fdtab_exec(p->fds);
	sym_proc_free(p->syms); /* a new program: new maps, new symbols */
	p->syms = NULL;
	stack_thread_free(&t->unwind);
	proc_read_comm(p);
	p->home_netns = t->netns; /* a fresh program is at home where it starts */
	return t;
}

/* --- syscall stops -------------------------------------------------------- */

/* A syscall entry (a syscall-entry stop, or a seccomp stop): save what the
 * exit needs and decide whether the exit needs decoding. */
static void start_syscall(struct thread *t, uint32_t arch, uint64_t nr, const uint64_t *args)
{
	const struct syscall_desc *sc = arch == NST_AUDIT_ARCH ? syscall_lookup((long)nr) : NULL;

	t->in_syscall = true;
	t->entry.decode = false;
	t->entry.sc = sc;
	if (!sc)
		return;
	t->entry.nr = (int32_t)nr;
	memcpy(t->entry.args, args, sizeof(t->entry.args));
	t->entry.netns = t->netns;
	t->entry.aux = 0;
	t->entry.aux_type = 0;
	t->entry.child_netns = 0;
	if (sc->on_entry)
		t->entry.decode = sc->on_entry(t);
	else if (sc->flags & SF_SOCKFD)
		t->entry.decode = entry_sockfd(t);
	else
		t->entry.decode = true;
}

static void on_syscall_stop(struct thread *t)
{
	struct __ptrace_syscall_info info;

	stats.syscall_stops++;
	if (t->in_syscall && !t->entry.decode) {
		/* Exit of a syscall we do not decode: no ptrace call needed. */
		t->in_syscall = false;
		resume(t->tid, 0);
		return;
	}
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(info), &info) <= 0) {
		resume(t->tid, 0);
		return;
	}
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
		start_syscall(t, info.arch, info.entry.nr, info.entry.args);
	} else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
		if (t->in_syscall && t->entry.decode) {
			stats.decoded++;
			decode_exit(t, info.exit.rval, info.exit.is_error);
		}
		t->in_syscall = false;
		t->entry.decode = false;
	}
	resume(t->tid, 0);
}

/* Launch mode: the filter stopped a syscall we decode, at its entry. */
static void on_seccomp_stop(struct thread *t)
{
	struct __ptrace_syscall_info info;

	stats.syscall_stops++;
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(info), &info) <= 0 ||
	    info.op != PTRACE_SYSCALL_INFO_SECCOMP) {
		resume(t->tid, 0);
		return;
	}
	start_syscall(t, info.arch, info.seccomp.nr, info.seccomp.args);
	if (t->entry.decode) {
		resume_to_exit(t->tid);
	} else {
		t->in_syscall = false;
		resume(t->tid, 0);
	}
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void note_exit(pid_t tid, int status)
{
	struct thread *t = thread_find(tid);

	if (tid == launched_pid)
		launched_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (t)
		thread_remove(t);
}

static void on_stop(pid_t tid, int status)
{
	int sig = WSTOPSIG(status), event = status >> 16;
	struct thread *t;

	stats.stops++;
	if (event == PTRACE_EVENT_EXEC) {
		on_exec_event(tid);
		resume(tid, 0);
		return;
	}
	t = thread_find(tid);
	if (!t)
		t = adopt_task(tid, NULL, 0);
	if (sig == (SIGTRAP | 0x80) && t) {
		on_syscall_stop(t);
		return;
	}
	switch (event) {
	case 0: /* signal-delivery stop: hand the signal over, exactly once */
		stats.signals++;
		resume(tid, sig);
		return;
	case PTRACE_EVENT_SECCOMP:
		if (t)
			on_seccomp_stop(t);
		else
			resume(tid, 0);
		return;
	case PTRACE_EVENT_STOP:
		if (is_stop_signal(sig)) /* group-stop: stay stopped, keep tracing */
			ptrace(PTRACE_LISTEN, tid, 0L, 0L);
		else
			resume(tid, 0);
		return;
	case PTRACE_EVENT_CLONE:
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
		if (t)
			on_clone_event(t);
		resume(tid, 0);
		return;
	default:
		resume(tid, 0);
		return;
	}
}

/* --- detach --------------------------------------------------------------- */

static bool is_zombie(pid_t tid)
{
	char path[64], buf[256], *rp;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", tid);
	f = fopen(path, "re");
	if (!f)
		return true;
	n = (ssize_t)fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n > 0 ? n : 0] = '\0';
	rp = strrchr(buf, ')');
	return !rp || rp[1] != ' ' || rp[2] == 'Z' || rp[2] == 'X';
}

static void detach_all(void)
{
	struct thread *t, *zombies[64];
	time_t deadline = time(NULL) + DETACH_TIMEOUT_S;
	size_t cur = 0, nz = 0;
	int status;
	pid_t tid;

	while ((t = thread_next(&cur))) {
		if (ptrace(PTRACE_INTERRUPT, t->tid, 0L, 0L) < 0 || is_zombie(t->tid))
			if (nz < 64)
				zombies[nz++] = t; /* will never stop: nothing to detach */
	}
	while (nz)
		thread_remove(zombies[--nz]);
	while (thread_count() > 0) {
		tid = waitpid(-1, &status, __WALL);
		if (tid < 0) {
			if (errno == EINTR && time(NULL) < deadline)
				continue;
			break; /* ECHILD, or stuck: our exit makes the kernel detach */
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			note_exit(tid, status);
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		int sig = WSTOPSIG(status), event = status >> 16;
		if (event == PTRACE_EVENT_CLONE || event == PTRACE_EVENT_FORK ||
		    event == PTRACE_EVENT_VFORK) {
			unsigned long child = 0;
			t = thread_find(tid);
			/* The new task is auto-attached: wait for it too. */
			if (ptrace(PTRACE_GETEVENTMSG, tid, 0L, &child) == 0 && child &&
			    !thread_find((pid_t)child) && t)
				adopt_task((pid_t)child, t, t->entry.aux);
		}
		/* Only a signal-delivery stop carries a signal to pass on. */
		ptrace(PTRACE_DETACH, tid, 0L,
		       (long)(event == 0 && sig != (SIGTRAP | 0x80) ? sig : 0));
		t = thread_find(tid);
		if (t)
			thread_remove(t);
	}
	stats.undetached = thread_count();
}

/* --- the loop ------------------------------------------------------------- */

int engine_run(void)
{
	int status;
	pid_t tid;

	while (thread_count() > 0) {
		decode_flush(); /* every stop handled so far has been resumed */
		if (stop_requested) {
			detach_all();
			break;
		}
		tid = waitpid(-1, &status, __WALL);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFSTOPPED(status))
			on_stop(tid, status);
		else if (WIFEXITED(status) || WIFSIGNALED(status))
			note_exit(tid, status);
	}
	decode_flush();
	return launched_status;
}

void engine_cleanup(void)
{
	proc_cleanup();
}
