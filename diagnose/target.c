/* target.c - TARGET to netns, process and resolv.conf (target.h). */
#define _GNU_SOURCE
#include "diagnose/target.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/print.h"

#define RESOLV_MAX (64 * 1024)

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static uint64_t ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

void proc_comm(pid_t pid, char *buf, size_t n)
{
	char p[64];
	int fd;
	ssize_t l = 0;

	snprintf(p, sizeof(p), "/proc/%d/comm", pid);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) >= 0) {
		l = read(fd, buf, n - 1);
		close(fd);
	}
	buf[l > 0 ? l : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* The first process (lowest pid) whose netns is ino; 0 when none. */
static pid_t pid_in_netns(uint64_t ino)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t best = 0;

	while (d && (de = readdir(d))) {
		pid_t pid = (pid_t)atoi(de->d_name);
		char p[64];
		if (pid <= 0 || (best && pid > best))
			continue;
		snprintf(p, sizeof(p), "/proc/%d/ns/net", pid);
		if (ino_of(p) == ino)
			best = pid;
	}
	if (d)
		closedir(d);
	return best;
}

static void use_pid(struct target *t, pid_t pid)
{
	t->pid = pid;
	snprintf(t->resolv_path, sizeof(t->resolv_path), "/proc/%d/root/etc/resolv.conf", pid);
}

/* No process to read it through: the file ip netns exec would give a
 * program started there (/etc/netns/NAME/resolv.conf, else the host's). */
static void guess_resolv(struct target *t, const char *netns_name)
{
	char p[300];

	snprintf(p, sizeof(p), "/etc/netns/%s/resolv.conf", netns_name ? netns_name : "");
	str_copy(t->resolv_path, sizeof(t->resolv_path),
		 netns_name && access(p, R_OK) == 0 ? p : "/etc/resolv.conf");
	t->resolv_guess = true;
}

static int by_pid(const char *arg, struct target *t, char *why, size_t n)
{
	char comm[32];
	pid_t pid = (pid_t)strtol(arg, NULL, 10);

	snprintf(t->netns_path, sizeof(t->netns_path), "/proc/%d/ns/net", pid);
	if (pid <= 0 || !(t->netns_ino = ino_of(t->netns_path))) {
		snprintf(why, n, "pid %s: no such process", arg);
		return -ENOENT;
	}
	proc_comm(pid, comm, sizeof(comm));
	t->kind = TGT_PID;
	snprintf(t->name, sizeof(t->name), "pid %d (%s)", pid, comm);
	use_pid(t, pid);
	return 0;
}

static int by_path(const char *arg, struct target *t, char *why, size_t n)
{
	struct stat st;

	if (stat(arg, &st) < 0) {
		snprintf(why, n, "%s: %s", arg, strerror(errno));
		return -ENOENT;
	}
	int fd = open(arg, O_RDONLY | O_CLOEXEC);
	int type = fd >= 0 ? ioctl(fd, NS_GET_NSTYPE) : -1;
	if (fd >= 0)
		close(fd);
	if (type != CLONE_NEWNET) {
		snprintf(why, n, "%s: not a network namespace file (a /run/netns entry, a sandbox key, "
			 "/proc/PID/ns/net)", arg);
		return -ENOENT;
	}
	t->kind = TGT_PATH;
	str_copy(t->netns_path, sizeof(t->netns_path), arg);
	t->netns_ino = st.st_ino;
	str_copy(t->name, sizeof(t->name), arg);
	return 0;
}

static void list_names(const struct containers *names, char *why, size_t n)
{
	size_t len = strlen(why);

	for (size_t i = 0; names && i < names->n && len + 2 < n; i++)
		len += (size_t)snprintf(why + len, n - len, "%s%s", i ? ", " : "; the names there are: ",
					names->v[i].name);
	if (!names || !names->n)
		snprintf(why + len, n - len, "; no container or ip netns is known here");
}

/* A container's name or id prefix, before an ip netns of the same name. */
static const struct container *find_container(const char *arg, const struct containers *names)
{
	for (size_t i = 0; names && i < names->n; i++)
		if (ct_is_container(names->v[i].kind) && container_is(&names->v[i], arg))
			return &names->v[i];
	for (size_t i = 0; names && i < names->n; i++)
		if (!ct_is_container(names->v[i].kind) && !strcmp(names->v[i].name, arg))
			return &names->v[i];
	return NULL;
}

int target_resolve(const char *arg, const struct containers *names, struct target *t, char *why,
		   size_t n)
{
	const struct container *c = NULL;
	int r = 0;

	memset(t, 0, sizeof(*t));
	why[0] = '\0';
	str_copy(t->arg, sizeof(t->arg), arg);
	if (all_digits(arg) && !(by_pid(arg, t, why, n) < 0 && find_container(arg, names)))
		r = t->netns_ino ? 0 : -ENOENT; /* a pid (an all-digit id prefix only when none) */
	else if (strchr(arg, '/'))
		r = by_path(arg, t, why, n);
	else {
		memset(t, 0, sizeof(*t));
		str_copy(t->arg, sizeof(t->arg), arg);
		why[0] = '\0';
		if (!(c = find_container(arg, names))) {
			snprintf(why, n, "%s: no such container, pid or ip netns", arg);
			list_names(names, why, n);
			return -ENOENT;
		}
		t->kind = c->kind == CT_NETNS ? TGT_NETNS : c->kind == CT_SANDBOX ? TGT_PATH : TGT_CONTAINER;
		str_copy(t->name, sizeof(t->name), c->name);
		str_copy(t->netns_path, sizeof(t->netns_path), c->netns_path);
		t->netns_ino = c->netns_ino ? c->netns_ino : ino_of(c->netns_path);
		if (!t->netns_path[0] && c->pid)
			snprintf(t->netns_path, sizeof(t->netns_path), "/proc/%d/ns/net", c->pid);
		if (c->pid)
			use_pid(t, c->pid);
	}
	if (r < 0)
		return r;
	if (!c)
		c = containers_find(names, t->netns_ino, t->netns_path);
	if (c) {
		t->ct = *c;
		t->named = true;
		if (t->kind == TGT_PATH)
			str_copy(t->name, sizeof(t->name), c->name);
	}
	if (!t->pid) {
		pid_t pid = t->netns_ino ? pid_in_netns(t->netns_ino) : 0;
		if (pid)
			use_pid(t, pid);
		else
			guess_resolv(t, t->kind == TGT_NETNS ? t->name : NULL);
	}
	return 0;
}

char *target_read_resolv(const struct target *t, size_t *len)
{
	int fd = open(t->resolv_path, O_RDONLY | O_CLOEXEC);
	char *buf;
	ssize_t r;
	size_t got = 0;

	if (fd < 0)
		return NULL;
	if (!(buf = malloc(RESOLV_MAX + 1))) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	while (got < RESOLV_MAX && (r = read(fd, buf + got, RESOLV_MAX - got)) > 0)
		got += (size_t)r;
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
}
