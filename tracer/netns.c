/* netns.c - namespaces as the live system shows them, see netns.h. */
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

static void scan_dir(struct nstab *t, const char *dir)
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
			nstab_learn_path(t, nstab_ino(t, st.st_ino), p);
	}
	closedir(d);
}

const char *netns_path(struct netns_scan *sc, struct nstab *t, uint64_t ino)
{
	struct nsent *e;
	time_t now;

	if (!ino)
		return NULL;
	e = nstab_get(t, nstab_ino(t, ino));
	if (e && e->path)
		return e->path;
	now = time(NULL);
	if (now == sc->last)
		return NULL;
	sc->last = now;
	for (size_t i = 0; i < sizeof(scan_dirs) / sizeof(scan_dirs[0]); i++)
		scan_dir(t, scan_dirs[i]);
	e = nstab_get(t, nstab_ino(t, ino));
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
