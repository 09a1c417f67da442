/* tasks.c - see tasks.h. */
#define _GNU_SOURCE
#include "tracer/tasks.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "tracer/netns.h"
#include "tracer/stack.h"
#include "tracer/symbols.h"

static void thread_gone(struct mthread *t, void *ctx)
{
	struct tthread *tt = tthread_of(t);

	stack_thread_free(&tt->unwind);
	model_sock_release(ctx, tt->closing); /* gone inside its close() */
	tt->closing = NULL;
}

static void proc_gone(struct mproc *p, void *ctx)
{
	struct tproc *tp = tproc_of(p);

	(void)ctx;
	if (tp->pidfd_open)
		close(tp->pidfd);
	sym_proc_free(tp->syms);
}

void tasks_model_cfg(struct model_cfg *cfg, struct model *m)
{
	cfg->thread_priv = sizeof(struct tthread);
	cfg->proc_priv = sizeof(struct tproc);
	cfg->thread_gone = thread_gone;
	cfg->proc_gone = proc_gone;
	cfg->ctx = m;
}

int tproc_pidfd(struct mproc *p)
{
	struct tproc *tp = tproc_of(p);

	if (!tp->pidfd_open) {
		int fd = pidfd_open(p->pid, 0);
		if (fd < 0)
			return -errno;
		tp->pidfd = fd;
		tp->pidfd_open = true;
	}
	return tp->pidfd;
}

void tproc_read_comm(struct mproc *p)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", p->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, p->comm, sizeof(p->comm) - 1);
	close(fd);
	if (n <= 0)
		n = 0;
	if (n > 0 && p->comm[n - 1] == '\n')
		n--;
	p->comm[n] = '\0';
}

nsid_t tasks_ns_of(struct model *m, pid_t tid)
{
	uint64_t ino = 0;

	return netns_of_task(tid, &ino) == 0 ? nstab_ino(&m->ns, ino) : 0;
}

pid_t tasks_thread_group(pid_t pid)
{
	pid_t tgid = 0, ppid = 0;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return -ESRCH;
	return tasks_status_ids(pid, &tgid, &ppid) == 0 && tgid > 0 ? tgid : pid;
}

int tasks_each(pid_t tgid, int (*fn)(void *ctx, pid_t tid), void *ctx)
{
	char path[64];
	struct dirent *de;
	int added = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", tgid);
	if (!(d = opendir(path)))
		return -errno;
	while ((de = readdir(d))) {
		pid_t tid = (pid_t)atoi(de->d_name);
		if (tid > 0 && fn(ctx, tid) > 0)
			added++;
	}
	closedir(d);
	return added;
}

bool tasks_zombie(pid_t tid)
{
	char path[64], line[64];
	FILE *f;
	bool z = false;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	if (!(f = fopen(path, "re")))
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "State:", 6)) {
			z = strchr(line, 'Z') != NULL;
			break;
		}
	fclose(f);
	return z;
}

int tasks_status_ids(pid_t tid, pid_t *tgid, pid_t *ppid)
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
