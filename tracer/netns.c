/* netns.c - namespace inodes and paths, see netns.h. */
#define _GNU_SOURCE
#include "tracer/netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model/parse.h"

/* ino -> path, open addressing (an ino of 0 marks a free slot).  A NULL
 * path records an inode that was looked at and has no bind mount yet. */
struct ns_path {
	uint64_t ino;
	char *path;
};

static struct ns_path *paths;
static size_t npaths, cap_paths; /* cap_paths: a power of two */
static time_t last_scan;

static const char *const scan_dirs[] = { "/run/netns", "/run/docker/netns", "/var/run/netns" };

int netns_of_task(pid_t tid, uint64_t *ino)
{
	char p[64];
	struct stat st;

	snprintf(p, sizeof(p), "/proc/%d/ns/net", tid);
	if (stat(p, &st) < 0)
		return -errno;
	*ino = st.st_ino;
	return 0;
}

static size_t slot_of(uint64_t ino, size_t cap)
{
	return (size_t)((ino * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

static struct ns_path *find(uint64_t ino)
{
	size_t i;

	if (!cap_paths)
		return NULL;
	for (i = slot_of(ino, cap_paths); paths[i].ino; i = (i + 1) & (cap_paths - 1))
		if (paths[i].ino == ino)
			return &paths[i];
	return NULL;
}

static int grow(void)
{
	size_t ncap = cap_paths ? 2 * cap_paths : 64, i, j;
	struct ns_path *n = calloc(ncap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (i = 0; i < cap_paths; i++) {
		if (!paths[i].ino)
			continue;
		for (j = slot_of(paths[i].ino, ncap); n[j].ino; j = (j + 1) & (ncap - 1))
			;
		n[j] = paths[i];
	}
	free(paths);
	paths = n;
	cap_paths = ncap;
	return 0;
}

/* The entry for ino, made (with no path) when missing; NULL on ENOMEM. */
static struct ns_path *get(uint64_t ino)
{
	struct ns_path *e = find(ino);
	size_t i;

	if (e)
		return e;
	if (2 * (npaths + 1) > cap_paths && grow() < 0)
		return NULL;
	for (i = slot_of(ino, cap_paths); paths[i].ino; i = (i + 1) & (cap_paths - 1))
		;
	paths[i].ino = ino;
	paths[i].path = NULL;
	npaths++;
	return &paths[i];
}

void netns_learn_path(uint64_t ino, const char *path)
{
	struct ns_path *e;

	if (!ino || !path || !path[0])
		return;
	e = get(ino);
	if (e && !e->path)
		e->path = strdup(path); /* NULL on ENOMEM: a path is a courtesy */
}

bool netns_first_sight(uint64_t ino)
{
	if (!ino || find(ino))
		return false;
	get(ino);
	return true;
}

static void scan_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[512];
	struct stat st;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		/* A bind-mounted nsfs file; a plain file here has another dev. */
		if (stat(p, &st) == 0 && !S_ISDIR(st.st_mode) && st.st_size == 0)
			netns_learn_path(st.st_ino, p);
	}
	closedir(d);
}

const char *netns_path(uint64_t ino)
{
	struct ns_path *e;
	time_t now;
	size_t i;

	if (!ino)
		return NULL;
	e = find(ino);
	if (e && e->path)
		return e->path;
	now = time(NULL);
	if (now == last_scan)
		return NULL;
	last_scan = now;
	for (i = 0; i < sizeof(scan_dirs) / sizeof(scan_dirs[0]); i++)
		scan_dir(scan_dirs[i]);
	e = find(ino);
	return e ? e->path : NULL;
}

static void fill_addr(int sfd, int peer, struct nst_addr *out)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int r = peer ? getpeername(sfd, (struct sockaddr *)&ss, &len)
		     : getsockname(sfd, (struct sockaddr *)&ss, &len);

	if (r < 0 || parse_sockaddr(&ss, len < sizeof(ss) ? len : sizeof(ss), out) < 0)
		memset(out, 0, sizeof(*out));
}

static int grab_socket(int pidfd, int fd)
{
	struct stat st;
	int sfd = pidfd_getfd(pidfd, fd, 0);

	if (sfd < 0)
		return -errno;
	if (fstat(sfd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		close(sfd);
		return -ENOTSOCK;
	}
	return sfd;
}

int netns_query_socket(int pidfd, int fd, struct nst_sock *s)
{
	struct stat st;
	socklen_t l;
	int sfd, nsfd;

	sfd = grab_socket(pidfd, fd);
	if (sfd < 0)
		return sfd;
	memset(s, 0, sizeof(*s));
	l = sizeof(int);
	getsockopt(sfd, SOL_SOCKET, SO_DOMAIN, &s->family, &l);
	l = sizeof(int);
	getsockopt(sfd, SOL_SOCKET, SO_TYPE, &s->type, &l);
	l = sizeof(int);
	getsockopt(sfd, SOL_SOCKET, SO_PROTOCOL, &s->protocol, &l);
	fill_addr(sfd, 0, &s->local);
	fill_addr(sfd, 1, &s->peer);
	nsfd = ioctl(sfd, SIOCGSKNS);
	if (nsfd >= 0) {
		if (fstat(nsfd, &st) == 0)
			s->netns.ino = st.st_ino;
		close(nsfd);
	}
	close(sfd);
	return 0;
}

int netns_query_local(int pidfd, int fd, struct nst_addr *local)
{
	/* No fstat check: getsockname() fails on anything but a socket. */
	int sfd = pidfd_getfd(pidfd, fd, 0);

	if (sfd < 0)
		return -errno;
	fill_addr(sfd, 0, local);
	close(sfd);
	return 0;
}

void netns_cleanup(void)
{
	size_t i;

	for (i = 0; i < cap_paths; i++)
		free(paths[i].path);
	free(paths);
	paths = NULL;
	npaths = cap_paths = 0;
}
