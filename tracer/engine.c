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

#include "model/model.h"
#include "tracer/arch.h"
#include "tracer/decode.h"
#include "tracer/netns.h"
#include "tracer/stack.h"
#include "tracer/symbols.h"
#include "tracer/syscalls.h"
#include "tracer/tasks.h"

#define TRACE_OPTS (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | \
		    PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC)
#define DETACH_TIMEOUT_S 5

struct engine {
	struct model m;       /* the traced tasks, their fds, sockets, namespaces */
	struct decoder d;
	bool seccomp_mode;    /* launch mode: only decoded syscalls stop */
	pid_t launched_pid;
	int launched_status;
	bool launched_gone;   /* the launched command has exited */
	bool attached;        /* a process was attached too: the run ends with
	                         the launched command (as BPF's does) */
	struct engine_stats stats;
	const volatile sig_atomic_t *stop; /* engine_opts.stop */
};

const struct engine_stats *engine_stats(const struct engine *e)
{
	return &e->stats;
}

struct engine *engine_new(const struct engine_opts *o)
{
	struct engine *e = calloc(1, sizeof(*e));
	struct model_cfg cfg;

	if (!e)
		return NULL;
	tasks_model_cfg(&cfg, &e->m);
	model_init(&e->m, &cfg);
	if (decode_init(&e->d, &e->m, o->sink, o->ctx, o->snaplen) < 0) {
		model_destroy(&e->m);
		free(e);
		return NULL;
	}
	decode_set_stacks(&e->d, o->stack_depth);
	e->stop = o->stop;
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	decode_free(&e->d);
	model_destroy(&e->m);
	free(e);
}

static void resume(struct engine *e, pid_t tid, int sig)
{
	struct mthread *t;
	int req = PTRACE_SYSCALL;

	/* Under the seccomp filter, the next syscall worth a stop brings one,
	 * unless this thread is inside a decoded syscall whose exit we need
	 * (an event or a signal can stop it in between). */
	if (e->seccomp_mode && !((t = model_thread(&e->m, tid)) && tthread_of(t)->in_syscall &&
				 tthread_of(t)->entry.decode))
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
		if (syscall_table[nr].sen)
			ntrace++;
	for (size_t nr = 0, i = 0; nr < syscall_table_len; nr++) {
		if (!syscall_table[nr].sen)
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

/* A new live task in the model, with its comm read when its process is new. */
static struct mthread *add_task(struct engine *e, pid_t tid, pid_t pid, struct fdtab *fds)
{
	struct mthread *t = model_task_new(&e->m, tid, pid, fds, tasks_ns_of(&e->m, tid));

	if (t) {
		if (!t->p->comm[0])
			tproc_read_comm(t->p);
		e->stats.threads_seen++;
	}
	return t;
}

static int seize_task(struct engine *e, pid_t tid, pid_t pid)
{
	if (model_thread(&e->m, tid))
		return 0;
	if (ptrace(PTRACE_SEIZE, tid, 0L, (long)TRACE_OPTS) == 0) {
		ptrace(PTRACE_INTERRUPT, tid, 0L, 0L);
	} else if (errno != EPERM || tracer_of(tid) != getpid()) {
		return -errno;
	} /* else: auto-attached already, as a child of a thread we seized */
	return add_task(e, tid, pid, NULL) ? 1 : -ENOMEM;
}

struct seize {
	struct engine *e;
	pid_t pid;
};

static int seize_one(void *ctx, pid_t tid)
{
	struct seize *z = ctx;

	return seize_task(z->e, tid, z->pid); /* ESRCH: it ended between readdir and seize */
}

int engine_attach(struct engine *e, pid_t pid)
{
	struct seize z = { e, 0 };
	struct mproc *p;
	int r, added;
	bool zombie;

	if (e->seccomp_mode)
		return -EINVAL; /* its threads would be resumed past every call */
	if ((pid = tasks_thread_group(pid)) < 0) /* -p may name any thread: its whole group */
		return pid;
	z.pid = pid;
	r = seize_task(e, pid, pid);
	/* a leader that has exited cannot be seized (EPERM), but its thread
	 * group goes on: trace the threads that live */
	zombie = r == -EPERM && tasks_zombie(pid);
	if (r < 0 && !zombie)
		return r;
	do /* threads keep spawning while we attach: rescan until stable */
		if ((added = tasks_each(pid, seize_one, &z)) < 0)
			return added;
	while (added);
	p = model_proc(&e->m, pid);
	if (!p) /* only a zombie leader, and no thread that could be seized */
		return zombie ? -ESRCH : -EPERM;
	if (!p->home) { /* the leader is a zombie: use any thread */
		size_t cur = 0;
		struct mthread *t;
		while ((t = model_thread_next(&e->m, &cur)))
			if (t->p == p && t->ns) {
				model_set_home(p, t->ns);
				break;
			}
	}
	e->attached = true;
	return 0;
}

/* --- launch --------------------------------------------------------------- */

pid_t engine_launch(struct engine *e, char *const argv[], bool use_seccomp)
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
	if (!add_task(e, pid, pid, NULL)) {
		kill(pid, SIGKILL);
		return -ENOMEM;
	}
	e->launched_pid = pid;
	e->seccomp_mode = use_seccomp;
	kill(pid, SIGCONT);
	return pid;
}

/* --- new tasks, exec ------------------------------------------------------ */

/* A task we have not seen: a thread or child of a traced task, auto-attached
 * by the kernel.  parent/flags come from the creator's clone event when it
 * arrived first; otherwise /proc tells. */
static struct mthread *adopt_task(struct engine *e, pid_t tid, struct mthread *parent,
				  uint64_t flags)
{
	pid_t tgid = 0, ppid = 0;
	struct mthread *t;
	struct mproc *pp;

	if (parent) {
		t = model_clone(&e->m, parent, tid, flags, tasks_ns_of(&e->m, tid));
		if (t)
			e->stats.threads_seen++;
		return t;
	}
	if (tasks_status_ids(tid, &tgid, &ppid) < 0)
		tgid = tid;
	if (tgid != tid) /* a thread of a process we know, or will */
		return add_task(e, tid, tgid, NULL);
	/* A new process: a fork copies its parent's fd table; CLONE_FILES is
	 * set right when the clone event comes. */
	pp = model_proc(&e->m, ppid);
	return add_task(e, tid, tid, pp ? fdtab_copy(&e->m.socks, pp->fds) : NULL);
}

static void on_clone_event(struct engine *e, struct mthread *t, int event)
{
	struct tthread *tt = tthread_of(t);
	unsigned long msg = 0;
	uint64_t flags = 0;
	struct mthread *child;

	if (ptrace(PTRACE_GETEVENTMSG, t->tid, 0L, &msg) < 0 || !msg)
		return;
	/* clone3 keeps its flags in memory: the entry decoder saved them.  A
	 * raw fork/vfork is not decoded (the entry may be an old clone's), but
	 * its event says it made a process, never a thread. */
	if (tt->entry.sc && sysent[tt->entry.sc->sen].op == NST_OP_CLONE)
		flags = tt->entry.aux;
	if (event != PTRACE_EVENT_CLONE)
		flags &= ~(uint64_t)CLONE_THREAD;
	child = model_thread(&e->m, (pid_t)msg);
	if (!child)
		child = adopt_task(e, (pid_t)msg, t, flags);
	else
		model_clone(&e->m, t, (pid_t)msg, flags, child->ns); /* shares CLONE_FILES */
	if (child)
		tt->entry.child_netns = child->ns;
}

static struct mthread *on_exec_event(struct engine *e, pid_t tid)
{
	unsigned long former = 0;
	struct mthread *t;
	struct tproc *tp;

	ptrace(PTRACE_GETEVENTMSG, tid, 0L, &former);
	t = model_thread(&e->m, (pid_t)former);
	if (t && (pid_t)former != tid) /* its handle names the old tid */
		stack_thread_free(&tthread_of(t)->unwind);
	if (!t)
		t = model_thread(&e->m, tid);
	if (!t)
		return NULL;
	model_exec(&e->m, t, tid);
	if (!(t = model_thread(&e->m, tid)))
		return NULL;
	tp = tproc_of(t->p);
	sym_proc_free(tp->syms); /* a new program: new maps, new symbols */
	tp->syms = NULL;
	stack_thread_free(&tthread_of(t)->unwind);
	tproc_read_comm(t->p);
	return t;
}

/* --- syscall stops -------------------------------------------------------- */

/* A syscall entry (a syscall-entry stop, or a seccomp stop): save what the
 * exit needs and decide whether the exit needs decoding. */
static void start_syscall(struct engine *e, struct mthread *t, uint32_t arch, uint64_t nr,
			  const uint64_t *args)
{
	struct tthread *tt = tthread_of(t);
	const struct syscall_desc *sc = arch == NST_AUDIT_ARCH ? syscall_lookup((long)nr) : NULL;

	tt->in_syscall = true;
	tt->entry.decode = false;
	tt->entry.sc = sc;
	if (sc)
		tt->entry.decode = decode_entry(&e->d, t, sc, args);
}

static void on_syscall_stop(struct engine *e, struct mthread *t)
{
	struct tthread *tt = tthread_of(t);
	struct __ptrace_syscall_info info;

	e->stats.syscall_stops++;
	if (tt->in_syscall && !tt->entry.decode) {
		/* Exit of a syscall we do not decode: no ptrace call needed. */
		tt->in_syscall = false;
		resume(e, t->tid, 0);
		return;
	}
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(info), &info) <= 0) {
		resume(e, t->tid, 0);
		return;
	}
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
		start_syscall(e, t, info.arch, info.entry.nr, info.entry.args);
	} else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
		if (tt->in_syscall && tt->entry.decode) {
			e->stats.decoded++;
			decode_exit(&e->d, t, info.exit.rval, info.exit.is_error);
		}
		tt->in_syscall = false;
		tt->entry.decode = false;
	}
	resume(e, t->tid, 0);
}

/* Launch mode: the filter stopped a syscall we decode, at its entry. */
static void on_seccomp_stop(struct engine *e, struct mthread *t)
{
	struct tthread *tt = tthread_of(t);
	struct __ptrace_syscall_info info;

	e->stats.syscall_stops++;
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(info), &info) <= 0 ||
	    info.op != PTRACE_SYSCALL_INFO_SECCOMP) {
		resume(e, t->tid, 0);
		return;
	}
	start_syscall(e, t, info.arch, info.seccomp.nr, info.seccomp.args);
	if (tt->entry.decode) {
		resume_to_exit(t->tid);
	} else {
		tt->in_syscall = false;
		resume(e, t->tid, 0);
	}
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void note_exit(struct engine *e, pid_t tid, int status)
{
	struct mthread *t = model_thread(&e->m, tid);

	if (tid == e->launched_pid) {
		e->launched_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		e->launched_gone = true;
	}
	if (t)
		model_thread_exit(&e->m, t);
}

static void on_stop(struct engine *e, pid_t tid, int status)
{
	int sig = WSTOPSIG(status), event = status >> 16;
	struct mthread *t;

	e->stats.stops++;
	if (event == PTRACE_EVENT_EXEC) {
		on_exec_event(e, tid);
		resume(e, tid, 0);
		return;
	}
	t = model_thread(&e->m, tid);
	if (!t)
		t = adopt_task(e, tid, NULL, 0);
	if (sig == (SIGTRAP | 0x80) && t) {
		on_syscall_stop(e, t);
		return;
	}
	switch (event) {
	case 0: /* signal-delivery stop: hand the signal over, exactly once */
		e->stats.signals++;
		resume(e, tid, sig);
		return;
	case PTRACE_EVENT_SECCOMP:
		if (t)
			on_seccomp_stop(e, t);
		else
			resume(e, tid, 0);
		return;
	case PTRACE_EVENT_STOP:
		if (is_stop_signal(sig)) /* group-stop: stay stopped, keep tracing */
			ptrace(PTRACE_LISTEN, tid, 0L, 0L);
		else
			resume(e, tid, 0);
		return;
	case PTRACE_EVENT_CLONE:
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
		if (t)
			on_clone_event(e, t, event);
		resume(e, tid, 0);
		return;
	default:
		resume(e, tid, 0);
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

static void detach_all(struct engine *e)
{
	struct mthread *t, *zombies[64];
	time_t deadline = time(NULL) + DETACH_TIMEOUT_S;
	size_t cur = 0, nz = 0;
	int status;
	pid_t tid;

	while ((t = model_thread_next(&e->m, &cur))) {
		if (ptrace(PTRACE_INTERRUPT, t->tid, 0L, 0L) < 0 || is_zombie(t->tid))
			if (nz < 64)
				zombies[nz++] = t; /* will never stop: nothing to detach */
	}
	while (nz)
		model_thread_exit(&e->m, zombies[--nz]);
	while (model_thread_count(&e->m) > 0) {
		tid = waitpid(-1, &status, __WALL);
		if (tid < 0) {
			if (errno == EINTR && time(NULL) < deadline)
				continue;
			break; /* ECHILD, or stuck: our exit makes the kernel detach */
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			note_exit(e, tid, status);
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		int sig = WSTOPSIG(status), event = status >> 16;
		t = model_thread(&e->m, tid);
		if (t && (event == PTRACE_EVENT_CLONE || event == PTRACE_EVENT_FORK ||
			  event == PTRACE_EVENT_VFORK)) {
			unsigned long child = 0;
			/* The new task is auto-attached: wait for it too. */
			if (ptrace(PTRACE_GETEVENTMSG, tid, 0L, &child) == 0 && child &&
			    !model_thread(&e->m, (pid_t)child))
				adopt_task(e, (pid_t)child, t,
					   event == PTRACE_EVENT_CLONE ? tthread_of(t)->entry.aux : 0);
		}
		/* Only a signal-delivery stop carries a signal to pass on. */
		ptrace(PTRACE_DETACH, tid, 0L,
		       (long)(event == 0 && sig != (SIGTRAP | 0x80) ? sig : 0));
		if (t)
			model_thread_exit(&e->m, t);
	}
	e->stats.undetached = model_thread_count(&e->m);
}

/* --- the loop ------------------------------------------------------------- */

int engine_run(struct engine *e)
{
	int status;
	pid_t tid;

	while (model_thread_count(&e->m) > 0) {
		decode_flush(&e->d); /* every stop handled so far has been resumed */
		if (*e->stop || (e->launched_gone && e->attached)) {
			detach_all(e);
			break;
		}
		tid = waitpid(-1, &status, __WALL);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFSTOPPED(status))
			on_stop(e, tid, status);
		else if (WIFEXITED(status) || WIFSIGNALED(status))
			note_exit(e, tid, status);
	}
	decode_flush(&e->d);
	return e->launched_status;
}
