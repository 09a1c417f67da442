/* analyzer.c - DNS correlation, relays and netns bookkeeping; see analyzer.h. */
#define _GNU_SOURCE
#include "analyzers/analyzer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "analyzers/dns.h"
#include "analyzers/dnsstream.h"
#include "model/parse.h"
#include "analyzers/samples.h"

#define MAX_QUERIES 4096
#define MAX_SERVED 4096
#define MAX_ROWS 256
#define MAX_RELAYS 64
#define MAX_THREADS 1024
#define MAX_SOCK_STACKS 128
#define SWEEP_EVERY_US 100000
#define SERVED_TTL_US 30000000
#define RELAY_WINDOW_US 10000000

struct query { /* a query this process sent, awaiting its answer */
	bool used, tcp, foreign, loopback;
	int pid, tid, fd;
	char comm[NST_COMM_LEN];
	uint16_t id, qtype;
	char qname[DNS_NAME_MAX];
	uint64_t ts;
	char upstream[64];
	struct ns_ref netns, home;
	int served; /* the relayed client query, or -1 */
	int stk;    /* its socket's creation stack (sock_stacks), or -1 */
	unsigned stk_gen;
};

struct served { /* a query this process received, as a resolver */
	bool used, forwarded, answered_up;
	int pid, fd;
	char comm[NST_COMM_LEN];
	uint16_t id, qtype;
	char qname[DNS_NAME_MAX];
	char client[64], listener[64], upstream[64];
	uint64_t ts_client, ts_in, ts_fwd, ts_up;
};

struct row { /* per (socket netns, upstream, proto) */
	struct ns_ref netns;
	char upstream[64], proto[4];
	unsigned long queries, answered, refused, unreachable, timeout, pending;
	struct samples lat;
};

struct relay { /* per (pid, listener, upstream) */
	int pid;
	char comm[NST_COMM_LEN], listener[64], upstream[64];
	unsigned long count;
	struct samples client_in, to_up, up_rtt, to_client, total;
};

struct sock_stack { /* -k: where a foreign socket was made */
	bool used;
	int pid, fd;
	unsigned gen;
	struct saved_stack st;
};

struct tstate { /* a thread that entered a foreign netns */
	bool used;
	int tid, pid;
	char comm[NST_COMM_LEN];
	struct ns_ref ns, home;
	unsigned long calls;
	uint64_t since;
};

struct analyzer {
	struct analyzer_opts o;
	struct dnsstream *ds;
	struct findings *fs;
	struct query q[MAX_QUERIES];
	struct served sv[MAX_SERVED];
	struct row rows[MAX_ROWS];
	size_t nrows;
	struct relay relays[MAX_RELAYS];
	size_t nrelays;
	struct tstate th[MAX_THREADS];
	struct sock_stack stacks[MAX_SOCK_STACKS];
	unsigned stack_gen;
	uint64_t now, last_sweep;
	size_t nq; /* queries in use: most events need no scan at all */
	size_t qhi, svhi, thi; /* slots at and above these are free: scans stop there */
	unsigned long events, q_sent, r_recv, q_recv, r_sent, q_overflow, sv_overflow;
};

struct analyzer *analyzer_new(const struct analyzer_opts *o)
{
	struct analyzer *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->o = *o;
	if (!a->o.dns_timeout_us)
		a->o.dns_timeout_us = 5000000;
	a->ds = dnsstream_new();
	a->fs = findings_new(o->on_new, o->ctx);
	if (!a->ds || !a->fs) {
		analyzer_free(a);
		return NULL;
	}
	return a;
}

void analyzer_free(struct analyzer *a)
{
	if (!a)
		return;
	dnsstream_free(a->ds);
	findings_free(a->fs);
	free(a);
}

const struct findings *analyzer_findings(const struct analyzer *a)
{
	return a->fs;
}

/* --- helpers -------------------------------------------------------------- */

static void ns_from(struct ns_ref *r, const struct nst_ns *ns)
{
	r->ino = ns->ino;
	snprintf(r->path, sizeof(r->path), "%s", ns->path ? ns->path : "");
	snprintf(r->label, sizeof(r->label), "%s", ns->label ? ns->label : "");
}

static bool same_ns(const struct ns_ref *a, const struct ns_ref *b)
{
	return a->ino == b->ino && !strcmp(a->path, b->path) && !strcmp(a->label, b->label);
}

static bool is_loopback(const struct nst_addr *a)
{
	static const uint8_t v6lo[16] = { [15] = 1 };

	if (a->family == AF_INET)
		return a->u.in4[0] == 127;
	return a->family == AF_INET6 && !memcmp(a->u.in6, v6lo, 16);
}

static bool same_name(const char *x, const char *y)
{
	return !x[0] || !y[0] || !strcasecmp(x, y);
}

static struct row *row_for(struct analyzer *a, const struct query *q)
{
	for (size_t i = 0; i < a->nrows; i++) {
		struct row *r = &a->rows[i];
		if (same_ns(&r->netns, &q->netns) &&
		    !strcmp(r->upstream, q->upstream) && !strcmp(r->proto, q->tcp ? "tcp" : "udp"))
			return r;
	}
	if (a->nrows == MAX_ROWS)
		return NULL;
	struct row *r = &a->rows[a->nrows++];
	r->netns = q->netns;
	snprintf(r->upstream, sizeof(r->upstream), "%s", q->upstream);
	snprintf(r->proto, sizeof(r->proto), "%s", q->tcp ? "tcp" : "udp");
	return r;
}

static void add_finding(struct analyzer *a, const struct query *q, const char *id,
			enum severity sev, enum dns_result res, int rcode, uint64_t ts)
{
	struct finding f;

	memset(&f, 0, sizeof(f));
	if (q->stk >= 0 && a->stacks[q->stk].used && a->stacks[q->stk].gen == q->stk_gen)
		f.stack = &a->stacks[q->stk].st;
	f.id = id;
	f.sev = sev;
	f.pid = q->pid;
	memcpy(f.comm, q->comm, sizeof(f.comm));
	f.netns = q->netns;
	f.home = q->home;
	snprintf(f.upstream, sizeof(f.upstream), "%s", q->upstream);
	snprintf(f.proto, sizeof(f.proto), "%s", q->tcp ? "tcp" : "udp");
	f.result = res;
	/* The rcode is part of the key only where it is the finding. */
	f.rcode = strcmp(id, "dns-error-rcode") ? -1 : rcode;
	snprintf(f.ex_qname, sizeof(f.ex_qname), "%s", q->qname);
	f.ex_qtype = q->qtype;
	f.ex_id = q->id;
	f.first_ts = q->ts;
	f.last_ts = ts;
	f.timeout_us = a->o.dns_timeout_us;
	f.foreign = q->foreign;
	findings_add(a->fs, &f);
}

/* A query's fate is known: count it and derive the findings. */
static void resolve(struct analyzer *a, struct query *q, enum dns_result res, int rcode, uint64_t ts)
{
	struct row *r = row_for(a, q);

	if (r) {
		r->queries++;
		switch (res) {
		case RES_OK: r->answered++; samples_add(&r->lat, ts - q->ts); break;
		case RES_REFUSED: r->refused++; break;
		case RES_UNREACHABLE: r->unreachable++; break;
		case RES_TIMEOUT: r->timeout++; break;
		case RES_PENDING: r->pending++; break;
		}
	}
	a->nq--;
	if (q->foreign)
		add_finding(a, q, "dns-foreign-netns",
			    res == RES_OK || res == RES_PENDING ? SEV_WARNING : SEV_ERROR, res, rcode, ts);
	if (q->foreign && q->loopback)
		add_finding(a, q, "dns-loopback-upstream-foreign-netns", SEV_ERROR, res, rcode, ts);
	if (res == RES_REFUSED || res == RES_UNREACHABLE)
		add_finding(a, q, "dns-upstream-refused", SEV_ERROR, res, rcode, ts);
	if (res == RES_TIMEOUT)
		add_finding(a, q, "dns-upstream-timeout", SEV_ERROR, res, rcode, ts);
	if (res == RES_OK && (rcode == DNS_SERVFAIL || rcode == DNS_REFUSED || rcode == DNS_NXDOMAIN))
		add_finding(a, q, "dns-error-rcode", rcode == DNS_NXDOMAIN ? SEV_INFO : SEV_WARNING,
			    res, rcode, ts);
	q->used = false;
}

/* Lower the scan limits past freed slots at the top. */
static void trim(struct analyzer *a)
{
	while (a->qhi && !a->q[a->qhi - 1].used)
		a->qhi--;
	while (a->svhi && !a->sv[a->svhi - 1].used)
		a->svhi--;
	while (a->thi && !a->th[a->thi - 1].used)
		a->thi--;
}

/* Every pending query on (pid, fd) gets the same fate. */
static void resolve_socket(struct analyzer *a, int pid, int fd, enum dns_result res, uint64_t ts)
{
	if (!a->nq)
		return;
	for (size_t i = 0; i < a->qhi; i++)
		if (a->q[i].used && a->q[i].pid == pid && a->q[i].fd == fd)
			resolve(a, &a->q[i], res, -1, ts);
	trim(a);
}

static void sweep(struct analyzer *a, uint64_t now)
{
	for (size_t i = 0; a->nq && i < a->qhi; i++)
		if (a->q[i].used && now > a->q[i].ts + a->o.dns_timeout_us)
			resolve(a, &a->q[i], RES_TIMEOUT, -1, now);
	for (size_t i = 0; i < a->svhi; i++)
		if (a->sv[i].used && now > a->sv[i].ts_in + SERVED_TTL_US)
			a->sv[i].used = false;
	trim(a);
	a->last_sweep = now;
}

static enum dns_result error_result(int err, bool *known)
{
	*known = true;
	if (err == ECONNREFUSED)
		return RES_REFUSED;
	if (err == EHOSTUNREACH || err == ENETUNREACH)
		return RES_UNREACHABLE;
	*known = false;
	return RES_PENDING;
}

/* --- relays --------------------------------------------------------------- */

static struct relay *relay_for(struct analyzer *a, const struct served *s)
{
	for (size_t i = 0; i < a->nrelays; i++) {
		struct relay *r = &a->relays[i];
		if (r->pid == s->pid && !strcmp(r->listener, s->listener) && !strcmp(r->upstream, s->upstream))
			return r;
	}
	if (a->nrelays == MAX_RELAYS)
		return NULL;
	struct relay *r = &a->relays[a->nrelays++];
	r->pid = s->pid;
	memcpy(r->comm, s->comm, sizeof(r->comm));
	memcpy(r->listener, s->listener, sizeof(r->listener));
	memcpy(r->upstream, s->upstream, sizeof(r->upstream));
	return r;
}

static void relay_done(struct analyzer *a, struct served *s, uint64_t ts_out)
{
	struct relay *r = relay_for(a, s);

	if (r) {
		r->count++;
		if (s->ts_client)
			samples_add(&r->client_in, s->ts_in - s->ts_client);
		samples_add(&r->to_up, s->ts_fwd - s->ts_in);
		samples_add(&r->up_rtt, s->ts_up - s->ts_fwd);
		samples_add(&r->to_client, ts_out - s->ts_up);
		samples_add(&r->total, ts_out - s->ts_in);
	}
	s->used = false;
}

/* --- DNS messages --------------------------------------------------------- */

static void on_query_sent(struct analyzer *a, const struct dns_seen *d)
{
	const struct nst_event *ev = d->ev;
	struct query *q = NULL;
	bool known;
	enum dns_result res;
	size_t i;

	a->q_sent++;
	for (i = 0; i < a->qhi && !q; i++)
		if (!a->q[i].used)
			q = &a->q[i];
	if (!q && a->qhi < MAX_QUERIES)
		q = &a->q[a->qhi++];
	if (!q) { /* full: the oldest gives way, as pending */
		struct query *old = &a->q[0];
		for (i = 1; i < MAX_QUERIES; i++)
			if (a->q[i].ts < old->ts)
				old = &a->q[i];
		resolve(a, old, RES_PENDING, -1, ev->ts_us);
		a->q_overflow++;
		q = old;
	}
	memset(q, 0, sizeof(*q));
	q->used = true;
	a->nq++;
	q->pid = ev->pid;
	q->tid = ev->tid;
	q->fd = ev->fd;
	memcpy(q->comm, ev->comm, sizeof(q->comm));
	q->id = d->msg.id;
	q->qtype = d->msg.qtype;
	snprintf(q->qname, sizeof(q->qname), "%s", d->msg.qname);
	q->ts = ev->ts_us;
	q->tcp = d->tcp;
	print_addr(q->upstream, sizeof(q->upstream), &d->remote);
	q->loopback = is_loopback(&d->remote);
	q->foreign = ev->sock.foreign;
	ns_from(&q->netns, &ev->sock.netns);
	ns_from(&q->home, &ev->home_netns);
	q->served = -1;
	q->stk = -1;
	for (i = 0; i < MAX_SOCK_STACKS; i++)
		if (a->stacks[i].used && a->stacks[i].pid == ev->pid && a->stacks[i].fd == ev->fd) {
			q->stk = (int)i;
			q->stk_gen = a->stacks[i].gen;
			break;
		}
	/* A resolver forwarding what a client asked it: link the hops. */
	for (i = 0; i < a->svhi; i++) {
		struct served *s = &a->sv[i];
		if (s->used && !s->forwarded && s->pid == ev->pid && s->qtype == q->qtype &&
		    same_name(s->qname, q->qname) && ev->ts_us - s->ts_in < RELAY_WINDOW_US) {
			s->forwarded = true;
			s->ts_fwd = ev->ts_us;
			snprintf(s->upstream, sizeof(s->upstream), "%s", q->upstream);
			q->served = (int)i;
			break;
		}
	}
	if (ev->err) { /* the send itself failed: its fate is known now */
		res = error_result(ev->err, &known);
		if (known) {
			resolve(a, q, res, -1, ev->ts_us);
		} else {
			q->used = false;
			a->nq--;
		}
	}
}

static void on_response_received(struct analyzer *a, const struct dns_seen *d)
{
	const struct nst_event *ev = d->ev;

	a->r_recv++;
	for (size_t i = 0; i < a->qhi; i++) {
		struct query *q = &a->q[i];
		if (q->used && q->pid == ev->pid && q->fd == ev->fd && q->id == d->msg.id &&
		    same_name(q->qname, d->msg.has_question ? d->msg.qname : "")) {
			if (q->served >= 0 && a->sv[q->served].used) {
				a->sv[q->served].answered_up = true;
				a->sv[q->served].ts_up = ev->ts_us;
			}
			resolve(a, q, RES_OK, d->msg.rcode, ev->ts_us);
			trim(a);
			return;
		}
	}
}

static void on_query_received(struct analyzer *a, const struct dns_seen *d)
{
	const struct nst_event *ev = d->ev;
	struct served *s = NULL;
	size_t i;

	a->q_recv++;
	for (i = 0; i < a->svhi && !s; i++)
		if (!a->sv[i].used)
			s = &a->sv[i];
	if (!s && a->svhi < MAX_SERVED)
		s = &a->sv[a->svhi++];
	if (!s) {
		a->sv_overflow++;
		return;
	}
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->pid = ev->pid;
	s->fd = ev->fd;
	memcpy(s->comm, ev->comm, sizeof(s->comm));
	s->id = d->msg.id;
	s->qtype = d->msg.qtype;
	snprintf(s->qname, sizeof(s->qname), "%s", d->msg.qname);
	print_addr(s->client, sizeof(s->client), &d->remote);
	print_addr(s->listener, sizeof(s->listener), &d->local);
	s->ts_in = ev->ts_us;
	/* The client is traced too: its send starts the first hop. */
	for (i = 0; i < a->qhi; i++) {
		struct query *q = &a->q[i];
		if (q->used && q->pid != ev->pid && q->id == s->id && q->qtype == s->qtype &&
		    same_name(q->qname, s->qname) && ev->ts_us - q->ts < RELAY_WINDOW_US) {
			s->ts_client = q->ts;
			break;
		}
	}
}

static void on_response_sent(struct analyzer *a, const struct dns_seen *d)
{
	const struct nst_event *ev = d->ev;
	char client[64];

	a->r_sent++;
	print_addr(client, sizeof(client), &d->remote);
	for (size_t i = 0; i < a->svhi; i++) {
		struct served *s = &a->sv[i];
		if (s->used && s->pid == ev->pid && s->id == d->msg.id &&
		    same_name(s->qname, d->msg.qname) &&
		    (d->remote.family == AF_UNSPEC || !strcmp(s->client, client))) {
			if (s->forwarded && s->answered_up)
				relay_done(a, s, ev->ts_us);
			else
				s->used = false; /* answered locally (names of containers) */
			return;
		}
	}
}

static void on_dns(const struct dns_seen *d, void *ctx)
{
	struct analyzer *a = ctx;

	if (d->outbound && !d->msg.qr)
		on_query_sent(a, d);
	else if (!d->outbound && d->msg.qr)
		on_response_received(a, d);
	else if (!d->outbound)
		on_query_received(a, d);
	else
		on_response_sent(a, d);
}

/* --- threads in foreign namespaces ---------------------------------------- */

static struct tstate *tstate_for(struct analyzer *a, int tid, bool create)
{
	struct tstate *free_slot = NULL;

	for (size_t i = 0; i < a->thi; i++) {
		if (a->th[i].used && a->th[i].tid == tid)
			return &a->th[i];
		if (!a->th[i].used && !free_slot)
			free_slot = &a->th[i];
	}
	if (!create)
		return NULL;
	if (!free_slot && a->thi < MAX_THREADS)
		free_slot = &a->th[a->thi++];
	return free_slot;
}

static bool is_setup_call(const char *n)
{
	static const char *const setup[] = { "socket", "socketpair", "connect", "bind",
		"getsockname", "getpeername", "listen", "setns", "close" };
	for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++)
		if (!strcmp(n, setup[i]))
			return true;
	return false;
}

static void track_thread_netns(struct analyzer *a, const struct nst_event *ev)
{
	struct tstate *t;

	if ((ev->flags & NST_EV_NS_CHANGE) && ev->ret == 0 &&
	    (!strcmp(ev->syscall, "setns") || !strcmp(ev->syscall, "unshare"))) {
		bool away = ev->ns_new.ino && ev->home_netns.ino && ev->ns_new.ino != ev->home_netns.ino;
		t = tstate_for(a, ev->tid, away);
		if (!away) {
			if (t)
				t->used = false;
			return;
		}
		if (!t)
			return;
		memset(t, 0, sizeof(*t));
		t->used = true;
		t->tid = ev->tid;
		t->pid = ev->pid;
		memcpy(t->comm, ev->comm, sizeof(t->comm));
		ns_from(&t->ns, &ev->ns_new);
		ns_from(&t->home, &ev->home_netns);
		t->since = ev->ts_us;
		return;
	}
	t = tstate_for(a, ev->tid, false);
	if (!t || ev->thread_netns.ino != t->ns.ino)
		return;
	/* Setting up sockets in that namespace is why it went there;
	 * anything else means it forgot to come back. */
	if (is_setup_call(ev->syscall) && (!(ev->flags & NST_EV_SOCK) || ev->sock.netns.ino == t->ns.ino))
		return;
	t->calls++;
}

/* --- stacks (-k) ----------------------------------------------------------- */

/* Remember where foreign sockets were made; forget them at close. */
static void track_stacks(struct analyzer *a, const struct nst_event *ev)
{
	const char *n = ev->syscall;
	int fd = !strncmp(n, "accept", 6) ? ev->fd2 : ev->fd;
	struct sock_stack *slot = NULL, *oldest = NULL;

	if (!strcmp(n, "close")) {
		for (size_t i = 0; i < MAX_SOCK_STACKS; i++)
			if (a->stacks[i].used && a->stacks[i].pid == ev->pid && a->stacks[i].fd == ev->fd)
				a->stacks[i].used = false;
		return;
	}
	if (!ev->stack || ev->ret < 0 || (strcmp(n, "socket") && strcmp(n, "socketpair") &&
					  strncmp(n, "accept", 6)))
		return;
	for (size_t i = 0; i < MAX_SOCK_STACKS && !slot; i++) {
		if (!a->stacks[i].used || (a->stacks[i].pid == ev->pid && a->stacks[i].fd == fd))
			slot = &a->stacks[i];
		else if (!oldest || a->stacks[i].gen < oldest->gen)
			oldest = &a->stacks[i];
	}
	if (!slot)
		slot = oldest;
	slot->used = true;
	slot->pid = ev->pid;
	slot->fd = fd;
	slot->gen = ++a->stack_gen;
	stack_save(&slot->st, ev->stack);
}

/* --- feeding -------------------------------------------------------------- */

void analyzer_feed(struct analyzer *a, const struct nst_event *ev)
{
	struct nst_addr remote;
	int dir;

	a->events++;
	if (ev->ts_us > a->now)
		a->now = ev->ts_us;
	if (a->now >= a->last_sweep + SWEEP_EVERY_US)
		sweep(a, a->now);
	track_thread_netns(a, ev);
	if (strcmp(ev->syscall, "close"))
		track_stacks(a, ev);
	dnsstream_feed(a->ds, ev, on_dns, a);

	if (!strcmp(ev->syscall, "close") || (!strcmp(ev->syscall, "socket") && ev->ret >= 0)) {
		/* Closed with no answer: a timeout, however short the wait. */
		resolve_socket(a, ev->pid, ev->fd, RES_TIMEOUT, ev->ts_us);
		if (!strcmp(ev->syscall, "close"))
			track_stacks(a, ev);
		return;
	}
	dir = syscall_direction(ev->syscall);
	if (ev->err && dir && (dir < 0 || !ev->payload_len) && dns_candidate(ev, &remote)) {
		bool known;
		enum dns_result res = error_result(ev->err, &known);
		if (known)
			resolve_socket(a, ev->pid, ev->fd, res, ev->ts_us);
	}
}

void analyzer_finish(struct analyzer *a, uint64_t end_ts)
{
	if (end_ts < a->now)
		end_ts = a->now;
	for (size_t i = 0; i < a->qhi; i++) {
		struct query *q = &a->q[i];
		if (q->used)
			resolve(a, q, end_ts > q->ts + a->o.dns_timeout_us ? RES_TIMEOUT : RES_PENDING,
				-1, end_ts);
	}
	for (size_t i = 0; i < a->thi; i++) {
		struct tstate *t = &a->th[i];
		struct finding f;
		if (!t->used || !t->calls)
			continue;
		memset(&f, 0, sizeof(f));
		f.id = "netns-thread-stuck";
		f.sev = SEV_WARNING;
		f.pid = t->pid;
		f.tid = t->tid;
		memcpy(f.comm, t->comm, sizeof(f.comm));
		f.netns = t->ns;
		f.home = t->home;
		f.rcode = -1;
		f.first_ts = t->since;
		f.last_ts = end_ts;
		f.extra = t->calls;
		findings_add(a->fs, &f);
	}
}

/* --- output --------------------------------------------------------------- */

static json_t *ns_json(const struct ns_ref *ns)
{
	return json_pack("{s:o, s:o}", "inode", ns->ino ? json_integer((json_int_t)ns->ino) : json_null(),
			 "path", ns->path[0] ? json_string(ns->path) : json_null());
}

static json_t *ms_json(const struct samples *s, double q)
{
	return s->n ? json_real(samples_quantile(s, q) / 1000.0) : json_null();
}

static json_t *lat_json(const struct samples *s)
{
	return json_pack("{s:o, s:o, s:o}", "p50", ms_json(s, 0.5), "p95", ms_json(s, 0.95),
			 "max", ms_json(s, 1.0));
}

static json_t *hop_json(const char *from, const char *to, const struct samples *s)
{
	return json_pack("{s:s, s:s, s:o}", "from", from, "to", to, "latency_ms", lat_json(s));
}

json_t *analyzer_summary_json(const struct analyzer *a)
{
	json_t *ups = json_array(), *rel = json_array(), *o;

	for (size_t i = 0; i < a->nrows; i++) {
		const struct row *r = &a->rows[i];
		json_array_append_new(ups, json_pack(
			"{s:s, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "upstream", r->upstream,
			"proto", r->proto, "netns", ns_json(&r->netns), "queries", (json_int_t)r->queries,
			"answered", (json_int_t)r->answered, "refused", (json_int_t)r->refused,
			"unreachable", (json_int_t)r->unreachable, "timeout", (json_int_t)r->timeout,
			"pending", (json_int_t)r->pending, "latency_ms", lat_json(&r->lat)));
	}
	for (size_t i = 0; i < a->nrelays; i++) {
		const struct relay *r = &a->relays[i];
		json_t *hops = json_array();
		json_array_append_new(hops, hop_json("client", r->comm, &r->client_in));
		json_array_append_new(hops, hop_json(r->comm, "upstream", &r->to_up));
		json_array_append_new(hops, hop_json("upstream", r->comm, &r->up_rtt));
		json_array_append_new(hops, hop_json(r->comm, "client", &r->to_client));
		json_array_append_new(rel, json_pack("{s:i, s:s, s:s, s:s, s:I, s:o, s:o}", "pid", r->pid,
			"comm", r->comm, "listener", r->listener, "upstream", r->upstream,
			"count", (json_int_t)r->count, "hops", hops, "total_ms", lat_json(&r->total)));
	}
	o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "type", "summary",
		      "events", (json_int_t)a->events, "dns_queries_sent", (json_int_t)a->q_sent,
		      "dns_responses_received", (json_int_t)a->r_recv,
		      "dns_queries_received", (json_int_t)a->q_recv,
		      "dns_responses_sent", (json_int_t)a->r_sent, "upstreams", ups, "relays", rel);
	if (o && (a->q_overflow || a->sv_overflow || findings_dropped(a->fs)))
		json_object_set_new(o, "overflow", json_pack("{s:I, s:I, s:I}",
			"queries", (json_int_t)a->q_overflow, "served", (json_int_t)a->sv_overflow,
			"findings", (json_int_t)findings_dropped(a->fs)));
	return o;
}

static void print_ms(FILE *out, const struct samples *s, double q)
{
	if (s->n)
		fprintf(out, " %8.3f", samples_quantile(s, q) / 1000.0);
	else
		fprintf(out, " %8s", "-");
}

void analyzer_print_report(const struct analyzer *a, FILE *out)
{
	size_t n = findings_count(a->fs);

	fprintf(out, "\n== nstrace report: %lu events, %lu DNS queries sent, %lu answers received, "
		     "%lu queries served ==\n", a->events, a->q_sent, a->r_recv, a->q_recv);
	if (!n)
		fprintf(out, "No findings.\n");
	for (size_t i = 0; i < n; i++) {
		fputc('\n', out);
		finding_print_text(out, findings_get(a->fs, i), true);
	}
	if (a->nrows) {
		fprintf(out, "\nDNS upstreams (per socket netns):\n  %-5s %-22s %-40s %7s %8s %7s %7s %8s %8s %8s\n",
			"proto", "upstream", "socket netns", "queries", "answered", "refused", "timeout",
			"p50 ms", "p95 ms", "max ms");
	}
	for (size_t i = 0; i < a->nrows; i++) {
		const struct row *r = &a->rows[i];
		char ns[64];
		if (r->netns.path[0])
			snprintf(ns, sizeof(ns), "%s", r->netns.path);
		else if (r->netns.label[0])
			snprintf(ns, sizeof(ns), "{%s}", r->netns.label);
		else if (r->netns.ino)
			snprintf(ns, sizeof(ns), "net:[%llu]", (unsigned long long)r->netns.ino);
		else
			snprintf(ns, sizeof(ns), "?");
		fprintf(out, "  %-5s %-22s %-40s %7lu %8lu %7lu %7lu", r->proto, r->upstream, ns,
			r->queries, r->answered, r->refused + r->unreachable, r->timeout);
		print_ms(out, &r->lat, 0.5);
		print_ms(out, &r->lat, 0.95);
		print_ms(out, &r->lat, 1.0);
		fputc('\n', out);
	}
	for (size_t i = 0; i < a->nrelays; i++) {
		const struct relay *r = &a->relays[i];
		if (!i)
			fprintf(out, "\nDNS relays (median ms per hop):\n");
		fprintf(out, "  client -> %s[%d] %s -> upstream %s: %lu relayed\n", r->comm, r->pid,
			r->listener, r->upstream, r->count);
		fprintf(out, "    client->%s", r->comm);
		print_ms(out, &r->client_in, 0.5);
		fprintf(out, " | %s->upstream", r->comm);
		print_ms(out, &r->to_up, 0.5);
		fprintf(out, " | upstream->%s", r->comm);
		print_ms(out, &r->up_rtt, 0.5);
		fprintf(out, " | %s->client", r->comm);
		print_ms(out, &r->to_client, 0.5);
		fprintf(out, " | total");
		print_ms(out, &r->total, 0.5);
		fputc('\n', out);
	}
}
