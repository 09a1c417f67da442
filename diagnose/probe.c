/* probe.c - diagnose's own lookup, as a libc makes it (probe.h). */
#define _GNU_SOURCE
#include "diagnose/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "analyzers/dns.h"
#include "model/parse.h"
#include "model/print.h"

#define QTYPE_A 1
#define QTYPE_AAAA 28
#define QTYPE_NS 2
#define MSG_MAX 65535

static const char *const status_names[PS_COUNT] = {
	[PS_RECORDS] = "records", [PS_NODATA] = "nodata", [PS_NXDOMAIN] = "nxdomain",
	[PS_RCODE] = "rcode", [PS_TIMEOUT] = "timeout", [PS_REFUSED] = "refused",
	[PS_UNREACHABLE] = "unreachable", [PS_BLOCKED] = "blocked", [PS_ERROR] = "error",
};

const char *probe_status_name(enum probe_status s)
{
	return s < PS_COUNT ? status_names[s] : "?";
}

int dns_build_query(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t qtype)
{
	size_t nl = strlen(name), at = 12;

	if (nl && name[nl - 1] == '.')
		nl--; /* "example.com." and "." */
	if (nl > 253 || cap < 12 + nl + 2 + 4)
		return -EINVAL;
	memset(buf, 0, 12);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[2] = 0x01; /* RD */
	buf[5] = 1;    /* one question */
	for (const char *p = name; nl;) {
		const char *dot = memchr(p, '.', nl);
		size_t l = dot ? (size_t)(dot - p) : nl;
		if (!l || l > 63)
			return -EINVAL;
		buf[at++] = (uint8_t)l;
		memcpy(buf + at, p, l);
		at += l;
		if (!dot)
			break;
		p = dot + 1;
		nl -= l + 1;
		if (!nl)
			return -EINVAL; /* "a..": an empty label */
	}
	buf[at++] = 0;
	buf[at++] = (uint8_t)(qtype >> 8);
	buf[at++] = (uint8_t)qtype;
	buf[at++] = 0;
	buf[at++] = 1; /* IN */
	return (int)at;
}

/* --- the result line -------------------------------------------------------- */

size_t probe_result_format(const struct probe_result *r, char *buf, size_t n)
{
	char srv[64], passed[PROBE_SERVERS * 80] = "-";
	size_t pl = 0;
	int len;

	for (unsigned i = 0; i < r->npassed && i < PROBE_SERVERS; i++) {
		char a[64];
		print_addr(a, sizeof(a), &r->passed[i].server);
		pl += (size_t)snprintf(passed + pl, sizeof(passed) - pl, "%s%s=%s/%d", i ? "," : "", a,
				       probe_status_name(r->passed[i].status), r->passed[i].rcode);
	}
	print_addr(srv, sizeof(srv), &r->server);
	len = snprintf(buf, n, "%s\t%s\t%d\t%d\t%u\t%s\t%s\t%u\t%u\t%s\n", r->name,
		       probe_status_name(r->status), r->rcode, r->err, r->answers,
		       r->server.family ? srv : "-", r->tcp ? "tcp" : "udp", r->ms, r->tries, passed);
	return len < 0 ? 0 : (size_t)len < n ? (size_t)len : n - 1;
}

/* "10.89.0.1:53=timeout/-1,[::1]:53=rcode/2" */
static int parse_passed(char *s, struct probe_result *r)
{
	char *save = NULL;

	for (char *e = strtok_r(s, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
		struct probe_pass *pp = &r->passed[r->npassed];
		char *eq = strrchr(e, '='), *sl, *end;
		if (r->npassed == PROBE_SERVERS || !eq || !(sl = strchr(eq, '/')))
			return -EINVAL;
		*eq = *sl = '\0';
		if (parse_addr(e, &pp->server) < 0)
			return -EINVAL;
		pp->status = PS_COUNT;
		for (int k = 0; k < PS_COUNT; k++)
			if (!strcmp(eq + 1, status_names[k]))
				pp->status = (enum probe_status)k;
		long rc = strtol(sl + 1, &end, 10);
		if (pp->status == PS_COUNT || *end || end == sl + 1 || rc < -1 || rc > 4095)
			return -EINVAL;
		pp->rcode = (int)rc;
		r->npassed++;
	}
	return 0;
}

int probe_result_parse(const char *line, size_t len, struct probe_result *r)
{
	char buf[1024], *f[10], *save = NULL, *p;
	int k = 0;

	memset(r, 0, sizeof(*r));
	if (len >= sizeof(buf) || !len)
		return -EINVAL;
	memcpy(buf, line, len);
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	for (p = strtok_r(buf, "\t", &save); p && k < 10; p = strtok_r(NULL, "\t", &save))
		f[k++] = p;
	if (k != 10 || p)
		return -EINVAL;
	str_copy(r->name, sizeof(r->name), f[0]);
	r->status = PS_COUNT;
	for (int s = 0; s < PS_COUNT; s++)
		if (!strcmp(f[1], status_names[s]))
			r->status = (enum probe_status)s;
	char *e1, *e2, *e3, *e4, *e5;
	long rc = strtol(f[2], &e1, 10), err = strtol(f[3], &e2, 10);
	unsigned long an = strtoul(f[4], &e3, 10), ms = strtoul(f[7], &e4, 10), tr = strtoul(f[8], &e5, 10);
	if (r->status == PS_COUNT || *e1 || *e2 || *e3 || *e4 || *e5 || rc < -1 || rc > 4095 || err < 0 ||
	    err > 4095 || an > 65535 || ms > 86400000 || tr > 1000)
		return -EINVAL;
	r->rcode = (int)rc;
	r->err = (int)err;
	r->answers = (unsigned)an;
	r->ms = (unsigned)ms;
	r->tries = (unsigned)tr;
	if (strcmp(f[5], "-") && parse_addr(f[5], &r->server) < 0)
		return -EINVAL;
	if (strcmp(f[6], "tcp") && strcmp(f[6], "udp"))
		return -EINVAL;
	r->tcp = !strcmp(f[6], "tcp");
	return strcmp(f[9], "-") ? parse_passed(f[9], r) : 0;
}

/* --- the child's argv --------------------------------------------------------- */

bool probe_argv(const struct probe_opts *o, char **argv, size_t max, char *bufs, size_t bufsize)
{
	size_t k = 0, used = 0;

#define PUT(...)                                                                   \
	do {                                                                       \
		int l_ = snprintf(bufs + used, bufsize - used, __VA_ARGS__);       \
		if (l_ < 0 || (size_t)l_ >= bufsize - used || k + 2 > max)         \
			return false;                                              \
		argv[k++] = bufs + used;                                           \
		used += (size_t)l_ + 1;                                            \
	} while (0)
	PUT("nstrace");
	PUT("__probe");
	PUT("%s", o->netns_path ? o->netns_path : "-");
	PUT("%u", o->timeout_ms);
	PUT("%s%s-", o->use_vc ? "v" : "", o->no_aaaa ? "n" : "");
	PUT("%d", o->report_fd);
	for (unsigned i = 0; i < o->nservers; i++) {
		char a[64];
		print_addr(a, sizeof(a), &o->servers[i]);
		PUT("%s", a);
	}
	PUT("--");
	for (unsigned i = 0; i < o->nnames; i++)
		PUT("%s", o->names[i]);
#undef PUT
	argv[k] = NULL;
	return true;
}

/* --- asking ----------------------------------------------------------------- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static enum probe_status errno_status(int err)
{
	switch (err) {
	case ECONNREFUSED: return PS_REFUSED;
	case ENETUNREACH: case EHOSTUNREACH: case EADDRNOTAVAIL: return PS_UNREACHABLE;
	case EPERM: case EACCES: return PS_BLOCKED;
	case ETIMEDOUT: return PS_TIMEOUT;
	default: return PS_ERROR;
	}
}

static socklen_t to_sockaddr(const struct nst_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->port);
		s6->sin6_scope_id = a->scope_id;
		memcpy(&s6->sin6_addr, a->u.in6, 16);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(a->port);
	memcpy(&s4->sin_addr, a->u.in4, 4);
	return sizeof(*s4);
}

/* One exchange's outcome. */
struct reply {
	enum probe_status st;
	int rcode, err;
	unsigned answers;
	bool tc;
};

/* Wait for fd to be readable until deadline: 1 ready, 0 timed out,
 * -errno (POLLERR: the socket's pending error, read by the caller's recv). */
static int wait_in(int fd, uint64_t deadline)
{
	for (;;) {
		uint64_t now = now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (now >= deadline)
			return 0;
		int r = poll(&p, 1, (int)(deadline - now));
		if (r < 0 && errno == EINTR)
			continue;
		return r < 0 ? -errno : r;
	}
}

static void judge(const uint8_t *msg, size_t len, uint16_t id, struct reply *out, bool *mine)
{
	struct dns_msg m;

	*mine = dns_parse(msg, len, &m) == 0 && m.qr && m.id == id;
	if (!*mine)
		return;
	out->rcode = m.rcode;
	out->tc = m.tc;
	out->answers = m.ancount;
	out->st = m.rcode == 0 ? (m.ancount ? PS_RECORDS : PS_NODATA) : m.rcode == 3 ? PS_NXDOMAIN : PS_RCODE;
}

static void ask_udp(const struct nst_addr *srv, const uint8_t *q, size_t qlen, uint16_t id,
		    unsigned timeout_ms, struct reply *out)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(srv, &ss);
	uint8_t buf[4096];
	uint64_t deadline = now_ms() + timeout_ms;
	int fd = socket(srv->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	out->st = PS_TIMEOUT;
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) < 0 || send(fd, q, qlen, 0) < 0) {
		out->err = errno;
		out->st = errno_status(errno);
		if (fd >= 0)
			close(fd);
		return;
	}
	for (;;) {
		int r = wait_in(fd, deadline);
		if (r == 0)
			break;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			out->err = errno;
			out->st = errno_status(errno);
			break;
		}
		bool mine;
		judge(buf, (size_t)n, id, out, &mine);
		if (mine)
			break; /* else another's answer: wait on */
	}
	close(fd);
}

static bool full_io(int fd, void *buf, size_t len, bool writing, uint64_t deadline)
{
	size_t done = 0;

	while (done < len) {
		if (!writing && wait_in(fd, deadline) <= 0)
			return false;
		ssize_t n = writing ? send(fd, (uint8_t *)buf + done, len - done, MSG_NOSIGNAL)
				    : recv(fd, (uint8_t *)buf + done, len - done, 0);
		if (n <= 0)
			return false;
		done += (size_t)n;
	}
	return true;
}

static void ask_tcp(const struct nst_addr *srv, const uint8_t *q, size_t qlen, uint16_t id,
		    unsigned timeout_ms, struct reply *out)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(srv, &ss);
	uint64_t deadline = now_ms() + timeout_ms;
	uint8_t hdr[2], *buf = NULL;
	int fd = socket(srv->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	memset(out, 0, sizeof(*out));
	out->rcode = -1;
	out->st = PS_TIMEOUT;
	if (fd < 0)
		goto fail;
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int err = 0;
		socklen_t el = sizeof(err);
		if (errno != EINPROGRESS)
			goto fail;
		uint64_t now = now_ms();
		if (poll(&p, 1, now < deadline ? (int)(deadline - now) : 0) <= 0)
			goto out; /* a timeout */
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
		if (err) {
			errno = err;
			goto fail;
		}
	}
	uint8_t len2[2] = { (uint8_t)(qlen >> 8), (uint8_t)qlen };
	if (!full_io(fd, len2, 2, true, deadline) || !full_io(fd, (void *)q, qlen, true, deadline))
		goto fail;
	if (!full_io(fd, hdr, 2, false, deadline))
		goto out;
	size_t mlen = (size_t)hdr[0] << 8 | hdr[1];
	if (!(buf = malloc(mlen ? mlen : 1)) || !full_io(fd, buf, mlen, false, deadline))
		goto out;
	bool mine;
	judge(buf, mlen, id, out, &mine);
	goto out;
fail:
	out->err = errno;
	out->st = errno_status(errno);
out:
	free(buf);
	if (fd >= 0)
		close(fd);
}

/* One query of name at srv, over UDP (TCP after TC, or with use-vc). */
static void ask(const struct probe_opts *o, const struct nst_addr *srv, const char *name, uint16_t qtype,
		struct reply *out, bool *tcp, unsigned *tries)
{
	uint8_t q[300];
	uint16_t id = (uint16_t)(rand() & 0xffff);
	int ql = dns_build_query(q, sizeof(q), id, name, qtype);

	memset(out, 0, sizeof(*out));
	out->rcode = -1;
	if (ql < 0) {
		out->st = PS_ERROR;
		out->err = EINVAL;
		return;
	}
	(*tries)++;
	*tcp = o->use_vc;
	if (!o->use_vc)
		ask_udp(srv, q, (size_t)ql, id, o->timeout_ms, out);
	if (o->use_vc || out->tc) {
		*tcp = true;
		if (!o->use_vc)
			(*tries)++;
		ask_tcp(srv, q, (size_t)ql, id, o->timeout_ms, out);
	}
}

/* A server's answer ends the lookup unless it is one a libc passes over
 * to the next server (SERVFAIL, NOTIMP, REFUSED). */
static bool final(const struct reply *r)
{
	return r->st == PS_RECORDS || r->st == PS_NODATA || r->st == PS_NXDOMAIN ||
	       (r->st == PS_RCODE && r->rcode != 2 && r->rcode != 4 && r->rcode != 5);
}

static void lookup(const struct probe_opts *o, const char *name, struct probe_result *res)
{
	uint64_t t0 = now_ms();
	struct reply r = { .st = PS_ERROR, .rcode = -1 };
	uint16_t qtype = strcmp(name, ".") ? QTYPE_A : QTYPE_NS;

	memset(res, 0, sizeof(*res));
	str_copy(res->name, sizeof(res->name), name);
	for (unsigned i = 0; i < o->nservers; i++) {
		bool tcp;
		ask(o, &o->servers[i], name, qtype, &r, &tcp, &res->tries);
		res->server = o->servers[i];
		res->tcp = tcp;
		if (!final(&r)) {
			if (i + 1 < o->nservers && res->npassed < PROBE_SERVERS)
				res->passed[res->npassed++] = (struct probe_pass){ o->servers[i], r.st, r.rcode };
			continue;
		}
		res->answers = r.answers;
		if (r.st != PS_NXDOMAIN && qtype == QTYPE_A && !o->no_aaaa) {
			struct reply r6;
			ask(o, &o->servers[i], name, QTYPE_AAAA, &r6, &tcp, &res->tries);
			if (r6.st == PS_RECORDS) {
				res->answers += r6.answers;
				r.st = PS_RECORDS;
			}
		}
		break;
	}
	res->status = r.st;
	res->rcode = r.rcode;
	res->err = r.err;
	res->ms = (unsigned)(now_ms() - t0);
}

/* --- the child ------------------------------------------------------------------ */

bool probe_self_path(char *buf, size_t n)
{
	ssize_t l = readlink("/proc/self/exe", buf, n - 1);

	if (l <= 0)
		return false;
	buf[l] = '\0';
	return true;
}

static int usage_err(const char *what)
{
	fprintf(stderr, "nstrace __probe: %s\n", what);
	return 2;
}

int probe_main(int argc, char **argv)
{
	struct probe_opts o = { 0 };
	int i = 0;

	if (argc < 5)
		return usage_err("usage: __probe NETNS TIMEOUT_MS FLAGS FD SERVER... -- NAME...");
	if (strcmp(argv[0], "-")) {
		/* enter, then exec again: a program started in the netns, whose
		 * home it is (as ip netns exec makes one) */
		int fd = open(argv[0], O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
			fprintf(stderr, "nstrace __probe: cannot enter %s: %s\n", argv[0], strerror(errno));
			return 2;
		}
		close(fd);
		char *again[PROBE_SERVERS + PROBE_NAMES + 10];
		int k = 0;
		again[k++] = (char *)"nstrace";
		again[k++] = (char *)"__probe";
		again[k++] = (char *)"-";
		for (int j = 1; j < argc && k < (int)(sizeof(again) / sizeof(again[0])) - 1; j++)
			again[k++] = argv[j];
		again[k] = NULL;
		char self[4096];
		bool named = probe_self_path(self, sizeof(self));
		if (named)
			again[0] = self;
		execv(named ? self : "/proc/self/exe", again);
		fprintf(stderr, "nstrace __probe: exec: %s\n", strerror(errno));
		return 2;
	}
	o.timeout_ms = (unsigned)strtoul(argv[1], NULL, 10);
	o.use_vc = strchr(argv[2], 'v') != NULL;
	o.no_aaaa = strchr(argv[2], 'n') != NULL;
	o.report_fd = atoi(argv[3]);
	if (!o.timeout_ms || o.report_fd < 0)
		return usage_err("bad timeout or fd");
	for (i = 4; i < argc && strcmp(argv[i], "--"); i++) {
		if (o.nservers == PROBE_SERVERS || parse_addr(argv[i], &o.servers[o.nservers]) < 0)
			return usage_err("bad server");
		o.nservers++;
	}
	for (i++; i < argc && o.nnames < PROBE_NAMES; i++)
		o.names[o.nnames++] = argv[i];
	srand((unsigned)(now_ms() ^ (uint64_t)getpid()));
	for (unsigned k = 0; k < o.nnames; k++) {
		struct probe_result r;
		char line[1024];
		lookup(&o, o.names[k], &r);
		size_t n = probe_result_format(&r, line, sizeof(line));
		if (write(o.report_fd, line, n) != (ssize_t)n)
			return 2;
	}
	return 0;
}
