/* listeners.c - the sockets of a netns from /proc/net, and who holds one
 * (listeners.h). */
#define _GNU_SOURCE
#include "diagnose/listeners.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "diagnose/target.h"
#include "model/print.h"

#define UDP_UNCONNECTED 7

const char *ns_server_kind_name(enum ns_server_kind k)
{
	static const char *const names[] = {
		[NSS_UNKNOWN] = "unknown", [NSS_LOCAL] = "local", [NSS_LOOPBACK_NONE] = "loopback-none",
		[NSS_HOST] = "host", [NSS_HOST_NONE] = "host-none", [NSS_REMOTE] = "remote",
	};

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown";
}

/* "0100007F:0035": an address as the kernel prints it (each 32-bit word
 * in the machine's order) and a port. */
static int hex_addr(const char *s, bool v6, struct nst_addr *a)
{
	size_t words = v6 ? 4 : 1;
	char w[9];
	char *end;

	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < words; i++) {
		memcpy(w, s + i * 8, 8);
		w[8] = '\0';
		uint32_t v = (uint32_t)strtoul(w, &end, 16);
		if (*end)
			return -EINVAL;
		memcpy((v6 ? a->u.in6 : a->u.in4) + i * 4, &v, 4);
	}
	if (s[words * 8] != ':')
		return -EINVAL;
	unsigned long port = strtoul(s + words * 8 + 1, &end, 16);
	if (end == s + words * 8 + 1 || port > 65535)
		return -EINVAL;
	a->family = v6 ? AF_INET6 : AF_INET;
	a->port = (uint16_t)port;
	return 0;
}

int proc_net_parse_line(const char *line, size_t len, bool v6, bool tcp, struct net_sock *out)
{
	char buf[512], loc[64], rem[64];
	unsigned st;
	unsigned long long ino;
	size_t alen = v6 ? 32 : 8;

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	memset(out, 0, sizeof(*out));
	if (sscanf(buf, " %*u: %63s %63s %x %*s %*s %*s %*s %*s %llu", loc, rem, &st, &ino) != 4)
		return -EINVAL;
	if (strlen(loc) != alen + 5 || strlen(rem) != alen + 5 || st > 255)
		return -EINVAL;
	if (hex_addr(loc, v6, &out->local) < 0 || hex_addr(rem, v6, &out->remote) < 0)
		return -EINVAL;
	out->state = st;
	out->inode = ino;
	out->tcp = tcp;
	return 0;
}

static bool is_any(const struct nst_addr *a)
{
	static const uint8_t zero[16];

	return !memcmp(a->family == AF_INET6 ? a->u.in6 : a->u.in4, zero, a->family == AF_INET6 ? 16 : 4);
}

static bool same_ip(const struct nst_addr *a, const struct nst_addr *b)
{
	if (a->family != b->family)
		return false;
	return !memcmp(a->family == AF_INET6 ? a->u.in6 : a->u.in4, b->u.in4, a->family == AF_INET6 ? 16 : 4);
}

static bool is_loopback(const struct nst_addr *a)
{
	static const uint8_t lo6[16] = { [15] = 1 };

	return (a->family == AF_INET && a->u.in4[0] == 127) ||
	       (a->family == AF_INET6 && !memcmp(a->u.in6, lo6, 16));
}

/* How well s serves addr:53 (0: not at all): the address and port 53, a
 * wildcard on 53, or the address on another port (Docker's DNAT). */
static int match(const struct net_sock *s, const struct nst_addr *addr)
{
	bool listening = s->tcp ? s->state == TCP_LISTEN_STATE
				: s->state == UDP_UNCONNECTED && is_any(&s->remote);
	bool fam = s->local.family == addr->family || s->local.family == AF_INET6;

	if (!listening || !fam)
		return 0;
	if (same_ip(&s->local, addr))
		return s->local.port == 53 ? 3 : 1;
	if (is_any(&s->local) && s->local.port == 53)
		return 2;
	return 0;
}

struct scan {
	int nsfd;                 /* -1: this thread's own netns */
	const struct nst_addr *addr;
	struct net_sock best;
	int best_score;
	bool tcp_too;
	int err;
};

static void scan_table(struct scan *q, const char *name, bool v6, bool tcp)
{
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/thread-self/net/%s", name);
	if (!(f = fopen(path, "re"))) {
		if (!v6) /* no IPv6 in this kernel is no error */
			q->err = -errno;
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		struct net_sock s;
		int score;
		if (proc_net_parse_line(line, strlen(line), v6, tcp, &s) < 0 ||
		    !(score = match(&s, q->addr)))
			continue;
		if (tcp) {
			q->tcp_too = true;
		} else if (score > q->best_score) {
			q->best = s;
			q->best_score = score;
		}
	}
	fclose(f);
}

static void *scan_thread(void *arg)
{
	struct scan *q = arg;

	/* a thread of its own: setns moves it alone, and it ends there */
	if (q->nsfd >= 0 && setns(q->nsfd, CLONE_NEWNET) < 0) {
		q->err = -errno;
		return NULL;
	}
	scan_table(q, "udp", false, false);
	scan_table(q, "udp6", true, false);
	scan_table(q, "tcp", false, true);
	scan_table(q, "tcp6", true, true);
	return NULL;
}

static int scan_ns(int nsfd, const struct nst_addr *addr, struct scan *q)
{
	pthread_t th;
	int r;

	memset(q, 0, sizeof(*q));
	q->nsfd = nsfd;
	q->addr = addr;
	if ((r = pthread_create(&th, NULL, scan_thread, q)))
		return -r;
	pthread_join(th, NULL);
	return q->err;
}

/* The addresses of this thread's netns's interfaces. */
static int own_addrs(struct nst_addr *out, int max)
{
	struct ifaddrs *ifs, *i;
	int n = 0;

	if (getifaddrs(&ifs) < 0)
		return -errno;
	for (i = ifs; i && n < max; i = i->ifa_next) {
		struct nst_addr *a = &out[n];
		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		memset(a, 0, sizeof(*a));
		a->family = i->ifa_addr->sa_family;
		if (a->family == AF_INET)
			memcpy(a->u.in4, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
		else
			memcpy(a->u.in6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
		n++;
	}
	freeifaddrs(ifs);
	return n;
}

/* Is addr one of the addresses of nstrace's own netns's interfaces? */
static bool host_addr(const struct nst_addr *addr)
{
	struct nst_addr a[64];
	int n = own_addrs(a, 64);

	for (int i = 0; i < n; i++)
		if (same_ip(&a[i], addr))
			return true;
	return false;
}

struct addrs_q {
	int nsfd, max, n;
	struct nst_addr *out;
};

static void *addrs_thread(void *arg)
{
	struct addrs_q *q = arg;

	q->n = setns(q->nsfd, CLONE_NEWNET) < 0 ? -errno : own_addrs(q->out, q->max);
	return NULL;
}

int netns_addrs(int nsfd, struct nst_addr *out, int max)
{
	struct addrs_q q = { nsfd, max, 0, out };
	pthread_t th;
	int r;

	if ((r = pthread_create(&th, NULL, addrs_thread, &q)))
		return -r;
	pthread_join(th, NULL);
	return q.n;
}

/* The process holding socket inode ino: the first /proc/PID/fd that
 * names it. */
static pid_t sock_holder(uint64_t ino, char *comm, size_t n)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char want[48];
	pid_t found = 0;

	comm[0] = '\0';
	snprintf(want, sizeof(want), "socket:[%llu]", (unsigned long long)ino);
	while (d && !found && (de = readdir(d))) {
		pid_t pid = (pid_t)atoi(de->d_name);
		char path[64], link[64];
		DIR *fds;
		struct dirent *fe;
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		if (!(fds = opendir(path)))
			continue;
		while (!found && (fe = readdir(fds))) {
			char p[320];
			ssize_t l;
			if (fe->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", path, fe->d_name);
			if ((l = readlink(p, link, sizeof(link) - 1)) <= 0)
				continue;
			link[l] = '\0';
			if (!strcmp(link, want))
				found = pid;
		}
		closedir(fds);
	}
	if (d)
		closedir(d);
	if (found)
		proc_comm(found, comm, n);
	return found;
}

static void take(const struct scan *q, struct ns_server *out)
{
	out->port = q->best.local.port;
	out->tcp_too = q->tcp_too;
	out->pid = sock_holder(q->best.inode, out->comm, sizeof(out->comm));
}

int ns_server_find(int nsfd, const struct nst_addr *addr, struct ns_server *out)
{
	struct scan q;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = scan_ns(nsfd, addr, &q)) < 0)
		return r;
	if (q.best_score) {
		out->kind = NSS_LOCAL;
		take(&q, out);
		return 0;
	}
	if (is_loopback(addr)) {
		out->kind = NSS_LOOPBACK_NONE;
		return 0;
	}
	if (!host_addr(addr)) {
		out->kind = NSS_REMOTE;
		return 0;
	}
	if ((r = scan_ns(-1, addr, &q)) < 0)
		return r;
	out->kind = q.best_score ? NSS_HOST : NSS_HOST_NONE;
	if (q.best_score)
		take(&q, out);
	return 0;
}
