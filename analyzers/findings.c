/* findings.c - the finding rows and their aggregation, see findings.h. */
#include "analyzers/findings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/dns.h"

#define MAX_FINDINGS 1024

struct findings {
	struct finding f[MAX_FINDINGS];
	size_t n;
	unsigned long dropped;
	finding_new_cb on_new;
	void *ctx;
};

struct findings *findings_new(finding_new_cb on_new, void *ctx)
{
	struct findings *fs = calloc(1, sizeof(*fs));

	if (fs) {
		fs->on_new = on_new;
		fs->ctx = ctx;
	}
	return fs;
}

void findings_free(struct findings *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->n; i++)
		free((void *)fs->f[i].stack);
	free(fs);
}

void stack_save(struct saved_stack *dst, const struct nst_stack *src)
{
	dst->n = src->nframes < SAVED_FRAMES ? src->nframes : SAVED_FRAMES;
	for (uint32_t i = 0; i < dst->n; i++) {
		const struct nst_frame *f = &src->frames[i];
		dst->f[i].addr = f->addr;
		dst->f[i].offset = f->offset;
		snprintf(dst->f[i].module, sizeof(dst->f[i].module), "%s", f->module ? f->module : "?");
		snprintf(dst->f[i].function, sizeof(dst->f[i].function), "%s", f->function ? f->function : "");
	}
}

/* --- aggregation ----------------------------------------------------------- */

bool ns_ref_same(const struct ns_ref *a, const struct ns_ref *b)
{
	if (a->ino || b->ino)
		return a->ino == b->ino;
	return !strcmp(a->path, b->path) && !strcmp(a->label, b->label);
}

static bool same_key(const struct finding *a, const struct finding *b)
{
	return a->id == b->id && a->pid == b->pid && ns_ref_same(&a->netns, &b->netns) &&
	       !strcmp(a->upstream, b->upstream) &&
	       a->result == b->result && a->rcode == b->rcode && a->tid == b->tid;
}

static void add(struct findings *fs, const struct finding *f)
{
	struct finding *e;

	for (size_t i = 0; i < fs->n; i++) {
		e = &fs->f[i];
		if (same_key(e, f)) {
			e->count++;
			if (f->last_ts > e->last_ts)
				e->last_ts = f->last_ts;
			if (f->first_ts < e->first_ts)
				e->first_ts = f->first_ts;
			e->extra += f->extra;
			return;
		}
	}
	if (fs->n == MAX_FINDINGS) {
		fs->dropped++;
		return;
	}
	e = &fs->f[fs->n++];
	*e = *f;
	e->count = 1;
	if (f->stack) {
		struct saved_stack *copy = malloc(sizeof(*copy));
		if (copy)
			memcpy(copy, f->stack, sizeof(*copy));
		e->stack = copy;
	}
	if (fs->on_new)
		fs->on_new(e, fs->ctx);
}

void findings_offer(struct findings *fs, enum finding_subject subject,
		    const struct finding *base)
{
	for (int id = 0; id < FIND_COUNT; id++) {
		const struct finding_row *r = &finding_rows[id];
		struct finding f = *base;
		if (r->subject != subject)
			continue;
		f.id = (enum finding_id)id;
		if (!r->when(&f))
			continue;
		f.sev = r->severity(&f);
		if (!r->rcode_in_key)
			f.rcode = -1; /* the rcode is part of the key only where it is the finding */
		add(fs, &f);
	}
}

size_t findings_count(const struct findings *fs) { return fs->n; }
const struct finding *findings_get(const struct findings *fs, size_t i) { return &fs->f[i]; }
unsigned long findings_dropped(const struct findings *fs) { return fs->dropped; }

enum severity findings_max_severity(const struct findings *fs, bool *any)
{
	enum severity m = SEV_INFO;

	*any = fs->n > 0;
	for (size_t i = 0; i < fs->n; i++)
		if (fs->f[i].sev > m)
			m = fs->f[i].sev;
	return m;
}

const char *severity_name(enum severity s)
{
	return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "info";
}

const char *result_name(enum dns_result r)
{
	static const char *const names[] = { "ok", "refused", "unreachable", "timeout", "pending" };
	return names[r];
}

void ns_ref_text(const struct ns_ref *ns, const struct containers *names, char *buf, size_t n)
{
	const struct container *c = containers_find(names, ns->ino, ns->path);
	char ct[160];

	if (c) { /* "net:[X] (/run/docker/netns/Y) of container web (abc, 172.18.0.2)" */
		container_text(c, ct, sizeof(ct));
		if (ns->ino)
			snprintf(buf, n, "net:[%llu] (%s) of %s", (unsigned long long)ns->ino,
				 ns->path[0] ? ns->path : c->netns_path, ct);
		else
			snprintf(buf, n, "%s of %s", ns->path[0] ? ns->path : c->netns_path, ct);
		return;
	}
	if (!ns->ino && !ns->path[0] && ns->label[0])
		snprintf(buf, n, "{%s}", ns->label);
	else if (!ns->ino && !ns->path[0])
		snprintf(buf, n, "an unknown namespace");
	else if (!ns->ino)
		snprintf(buf, n, "%s", ns->path);
	else if (ns->path[0])
		snprintf(buf, n, "net:[%llu] (%s)", (unsigned long long)ns->ino, ns->path);
	else
		snprintf(buf, n, "net:[%llu]", (unsigned long long)ns->ino);
}

/* --- the rows --------------------------------------------------------------- */

#define FIREWALL_FIX \
	"allow udp and tcp port 53 from the container subnet to %s in the host firewall's " \
	"forwarding path (for Docker: iptables -I DOCKER-USER -p udp --dport 53 -j ACCEPT, and " \
	"the same with -p tcp), or give the container a DNS server directly: dns: in compose, " \
	"--dns on docker run, or \"dns\" in /etc/docker/daemon.json"

static enum severity sev_error(const struct finding *f)
{
	(void)f;
	return SEV_ERROR;
}

static enum severity sev_warning(const struct finding *f)
{
	(void)f;
	return SEV_WARNING;
}

/* The sockets' two namespaces, for the messages. */
static void two_ns(const struct finding *f, const struct containers *names, char *ns, char *home,
		   size_t n)
{
	ns_ref_text(&f->netns, names, ns, n);
	ns_ref_text(&f->home, names, home, n);
}

/* dns-foreign-netns: the article's case. */
static bool when_foreign(const struct finding *f)
{
	return f->foreign;
}

static enum severity sev_foreign(const struct finding *f)
{
	return f->result == RES_OK || f->result == RES_PENDING ? SEV_WARNING : SEV_ERROR;
}

static void msg_foreign(const struct finding *f, const struct containers *names, char *buf,
			size_t n)
{
	char ns[512], home[512];

	two_ns(f, names, ns, home, sizeof(ns));
	snprintf(buf, n,
		 "%s (pid %d) sent DNS queries to %s over %s on a socket that lives in network "
		 "namespace %s, not in its own namespace %s. A socket belongs to the namespace it "
		 "was created in: the thread entered the container's namespace (setns), created "
		 "the socket there and switched back, so the query leaves from the container's "
		 "namespace with the container's source address. The host's forwarding firewall "
		 "rules (FORWARD, DOCKER-USER) apply to it, not the rules for the host's own "
		 "traffic: DNS that works from the host proves nothing about this path. "
		 "Result: %s.",
		 f->comm, f->pid, f->upstream, f->proto, ns, home, result_name(f->result));
}

static void fix_foreign(const struct finding *f, char *buf, size_t n)
{
	snprintf(buf, n, "If container DNS fails, " FIREWALL_FIX ".", f->upstream);
}

/* dns-loopback-upstream-foreign-netns */
static bool when_loopback(const struct finding *f)
{
	return f->foreign && f->loopback;
}

static void msg_loopback(const struct finding *f, const struct containers *names, char *buf,
			 size_t n)
{
	char ns[512], home[512];

	two_ns(f, names, ns, home, sizeof(ns));
	snprintf(buf, n,
		 "%s (pid %d) sent DNS queries to %s, a loopback address, on a socket that lives "
		 "in network namespace %s, not in its own %s. Loopback there is the container's "
		 "own loopback: a resolver listening on the host's loopback (systemd-resolved on "
		 "127.0.0.53, a local dnsmasq) cannot be reached from it. Result: %s%s.",
		 f->comm, f->pid, f->upstream, ns, home, result_name(f->result),
		 f->result == RES_OK ? " (whatever answered listens inside that namespace, not on "
				       "the host)" : "");
}

static void fix_loopback(const struct finding *f, char *buf, size_t n)
{
	(void)f;
	snprintf(buf, n,
		 "Do not give containers a loopback resolver: set --dns, dns: in compose, or \"dns\" "
		 "in /etc/docker/daemon.json to an address reachable from the container (the real "
		 "upstream server, or a host address on which the local resolver listens).");
}

/* dns-upstream-refused: ECONNREFUSED, EHOSTUNREACH, ENETUNREACH */
static bool when_refused(const struct finding *f)
{
	return f->result == RES_REFUSED || f->result == RES_UNREACHABLE;
}

static void msg_refused(const struct finding *f, const struct containers *names, char *buf,
			size_t n)
{
	char ns[512], home[512];
	int m = snprintf(buf, n,
			 f->result == RES_REFUSED
			 ? "DNS queries from %s (pid %d) to %s were refused: the socket got "
			   "ECONNREFUSED, i.e. an ICMP port-unreachable came back, from a firewall "
			   "REJECT rule or because nothing listens on %s."
			 : "DNS queries from %s (pid %d) to %s failed as unreachable (EHOSTUNREACH/"
			   "ENETUNREACH): there is no route to it from the namespace the socket "
			   "lives in, or a firewall rejects it with host-unreachable (%s).",
			 f->comm, f->pid, f->upstream, f->upstream);

	two_ns(f, names, ns, home, sizeof(ns));
	if (m > 0 && (size_t)m < n && f->foreign)
		snprintf(buf + m, n - (size_t)m,
			 " The socket lives in network namespace %s, not in the process's own %s: the "
			 "query left from the container's namespace with its source address, so the "
			 "rejection happens on that path. The host path is not the one the query took: "
			 "the same server may well answer queries made from the host.",
			 ns, home);
}

static void fix_refused(const struct finding *f, char *buf, size_t n)
{
	snprintf(buf, n,
		 "Check that a DNS server listens on %s; if one does, find the REJECT rule that "
		 "matches port 53 from the container subnet (iptables -S DOCKER-USER; iptables -S "
		 "FORWARD) and " FIREWALL_FIX ".",
		 f->upstream, f->upstream);
}

/* dns-upstream-timeout */
static bool when_timeout(const struct finding *f)
{
	return f->result == RES_TIMEOUT;
}

static void msg_timeout(const struct finding *f, const struct containers *names, char *buf,
			size_t n)
{
	char ns[512], home[512];
	int m = snprintf(buf, n,
			 "DNS queries from %s (pid %d) to %s got no answer within %.1f s or before "
			 "the socket was closed: the packets are silently dropped (a firewall DROP "
			 "rule), or the server is down or unreachable.",
			 f->comm, f->pid, f->upstream, (double)f->timeout_us / 1e6);

	two_ns(f, names, ns, home, sizeof(ns));
	if (m > 0 && (size_t)m < n && f->foreign)
		snprintf(buf + m, n - (size_t)m,
			 " The socket lives in network namespace %s, not in the process's own %s: the "
			 "query left from the container's namespace, so the drop happens on that path; "
			 "the same server may answer queries made from the host.",
			 ns, home);
}

static void fix_timeout(const struct finding *f, char *buf, size_t n)
{
	snprintf(buf, n,
		 "Find the DROP rule or missing route for port 53 from the container subnet "
		 "(iptables -S DOCKER-USER; iptables -S FORWARD; ip route inside the container), "
		 "then " FIREWALL_FIX ".",
		 f->upstream);
}

/* dns-error-rcode: the upstream answered, with SERVFAIL, REFUSED or NXDOMAIN */
static bool when_rcode(const struct finding *f)
{
	return f->result == RES_OK &&
	       (f->rcode == DNS_SERVFAIL || f->rcode == DNS_REFUSED || f->rcode == DNS_NXDOMAIN);
}

static enum severity sev_rcode(const struct finding *f)
{
	return f->rcode == DNS_NXDOMAIN ? SEV_INFO : SEV_WARNING;
}

static void msg_rcode(const struct finding *f, const struct containers *names, char *buf,
		      size_t n)
{
	char rc[16];

	(void)names;
	snprintf(buf, n, "Upstream %s answered DNS queries from %s (pid %d) with %s.",
		 f->upstream, f->comm, f->pid, dns_rcode_str((uint16_t)f->rcode, rc, sizeof(rc)));
}

static void fix_rcode(const struct finding *f, char *buf, size_t n)
{
	snprintf(buf, n,
		 f->rcode == DNS_NXDOMAIN
		 ? "The name does not exist at %s: check its spelling and the search domains in "
		   "the container's /etc/resolv.conf."
		 : f->rcode == DNS_REFUSED
		 ? "%s refuses this client: check its allow list (allow-query, listen address) "
		   "for the source address the query came from, which for a foreign-namespace "
		   "socket is the container's."
		 : "%s could not resolve the name (its own upstreams failed, or DNSSEC "
		   "validation failed): check that server's logs.",
		 f->upstream);
}

/* netns-thread-stuck */
static bool when_stuck(const struct finding *f)
{
	return f->extra > 0;
}

static void msg_stuck(const struct finding *f, const struct containers *names, char *buf,
		      size_t n)
{
	char ns[512];

	ns_ref_text(&f->netns, names, ns, sizeof(ns));
	snprintf(buf, n,
		 "Thread %d of %s (pid %d) entered network namespace %s and was still there when "
		 "the trace ended, after %lu further calls there. Every socket it creates now "
		 "lands in that namespace, and its traffic leaves from there.",
		 f->tid, f->comm, f->pid, ns, f->extra);
}

static void fix_stuck(const struct finding *f, char *buf, size_t n)
{
	(void)f;
	snprintf(buf, n,
		 "Code that enters another namespace must switch back (in Go: keep the OS thread "
		 "locked until it has, or let the thread exit); report it to the program's "
		 "authors. Restarting the process clears it.");
}

const struct finding_row finding_rows[FIND_COUNT] = {
	[FIND_DNS_FOREIGN_NETNS] = { "dns-foreign-netns", SUBJECT_QUERY, false,
		when_foreign, sev_foreign, msg_foreign, fix_foreign },
	[FIND_DNS_LOOPBACK_UPSTREAM_FOREIGN_NETNS] = { "dns-loopback-upstream-foreign-netns",
		SUBJECT_QUERY, false, when_loopback, sev_error, msg_loopback, fix_loopback },
	[FIND_DNS_UPSTREAM_REFUSED] = { "dns-upstream-refused", SUBJECT_QUERY, false,
		when_refused, sev_error, msg_refused, fix_refused },
	[FIND_DNS_UPSTREAM_TIMEOUT] = { "dns-upstream-timeout", SUBJECT_QUERY, false,
		when_timeout, sev_error, msg_timeout, fix_timeout },
	[FIND_DNS_ERROR_RCODE] = { "dns-error-rcode", SUBJECT_QUERY, true,
		when_rcode, sev_rcode, msg_rcode, fix_rcode },
	[FIND_NETNS_THREAD_STUCK] = { "netns-thread-stuck", SUBJECT_THREAD, false,
		when_stuck, sev_warning, msg_stuck, fix_stuck },
};
