/* analyzer.c - DNS correlation, relays and netns bookkeeping; see analyzer.h. */
#define _GNU_SOURCE
#include "analyzers/analyzer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "analyzers/dns.h"
#include "analyzers/dnsstream.h"
#include "analyzers/firewall.h"
#include "analyzers/lookups.h"
#include "analyzers/slots.h"
#include "model/parse.h"

#define MAX_QUERIES 4096
#define MAX_ROWS 256
#define MAX_FOREIGN 256
#define MAX_THREADS 1024
#define MAX_SOCK_STACKS 128
#define SOCK_BUCKETS 4096 /* power of two */
#define SWEEP_EVERY_US 100000
#define RELAY_WINDOW_US 10000000
#define DOCKERD_TIMEOUT_US 4000000 /* moby's extIOTimeout, per upstream */
#define DIAL_GIVEUP_US 1000000 /* a TCP dial closed unconnected after this gave up */

/* A query a traced process sent (or tried to: a connect that failed),
 * awaiting its answer: one attempt to reach an upstream. */
struct query {
	uint64_t xid;
	bool used, tcp, foreign, loopback, dockerd;
	bool connecting;      /* a TCP connect in progress: no query yet */
	bool unseen;          /* its socket then received messages no event
	                         showed: its answer may be one of them */
	int pid, tid;
	uint64_t sock; /* sock_key */
	char comm[NST_COMM_LEN];
	uint16_t id, qtype;
	char qname[DNS_NAME_MAX];
	uint64_t ts, timeout_us;
	struct nst_addr up;
	char upstream[64];
	struct ns_ref netns, home;
	int lookup;           /* the lookup it forwards (lookups.h), or -1 */
	struct ns_ref asker;  /* that lookup's netns */
	enum dns_path path;
	int stk;    /* its socket's creation stack (sock_stacks), or -1 */
	unsigned stk_gen;
};

struct sock_stack { /* -k: where a foreign socket was made */
	bool used;
	uint64_t sock;
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
	struct lookups *lk;
	struct query q[MAX_QUERIES];
	struct upstream_row rows[MAX_ROWS];
	size_t nrows;
	struct foreign_row foreign[MAX_FOREIGN];
	size_t nforeign;
	struct tstate th[MAX_THREADS];
	struct sock_stack stacks[MAX_SOCK_STACKS];
	unsigned stack_gen;
	unsigned nstacks; /* stacks used: none without -k, and no scan */
	bool timeless; /* an event came without a clock: no latencies */
	uint64_t now, last_sweep;
	uint64_t next_xid;
	struct dns_exchange x; /* of the DNS message at hand */
	size_t nq; /* queries in use: most events need no scan at all */
	size_t qhi, thi; /* slots at and above these are free: scans stop there */
	/* Query slots without a scan (a flood of unanswered queries fills the
	 * table): the free ones, and every used one in the order it was
	 * taken (stale entries are skipped: a slot's xid says whose it is). */
	uint16_t freeq_heap[MAX_QUERIES];
	struct slots freeq; /* over freeq_heap: the lowest free slot first */
	struct { uint16_t slot; uint64_t xid; } fifo[2 * MAX_QUERIES];
	size_t fifo_head, fifo_n;
	size_t nconnecting; /* TCP dials without a query yet */
	/* the queries on each socket (slots.h), by its sock_key's hash */
	uint16_t sock_head[SOCK_BUCKETS], sock_next[MAX_QUERIES], sock_prev[MAX_QUERIES];
	struct chains by_sock;
	struct analyzer_counts c;
};

struct analyzer *analyzer_new(const struct analyzer_opts *o)
{
	struct analyzer *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->o = *o;
	a->freeq.free = a->freeq_heap;
	a->by_sock = (struct chains){ a->sock_head, a->sock_next, a->sock_prev };
	if (!a->o.dns_timeout_us)
		a->o.dns_timeout_us = 5000000;
	a->ds = dnsstream_new();
	a->fs = findings_new(o->on_new, o->ctx);
	if (a->fs)
		findings_on_outcome(a->fs, o->on_outcome);
	a->lk = a->fs ? lookups_new(a->fs) : NULL;
	if (!a->ds || !a->fs || !a->lk) {
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
	lookups_free(a->lk);
	findings_free(a->fs);
	free(a);
}

const struct findings *analyzer_findings(const struct analyzer *a)
{
	return a->fs;
}

const struct analyzer_counts *analyzer_counts(const struct analyzer *a)
{
	((struct analyzer *)a)->c.sv_overflow = lookups_overflow(a->lk);
	((struct analyzer *)a)->c.not_dns = dnsstream_not_dns(a->ds);
	return &a->c;
}

const struct upstream_row *analyzer_upstreams(const struct analyzer *a, size_t *n)
{
	*n = a->nrows;
	return a->rows;
}

const struct relay_row *analyzer_relays(const struct analyzer *a, size_t *n)
{
	return lookups_relays(a->lk, n);
}

const struct lookup_row *analyzer_lookups(const struct analyzer *a, size_t *n)
{
	return lookups_rows(a->lk, n);
}

const struct foreign_row *analyzer_foreign(const struct analyzer *a, size_t *n)
{
	*n = a->nforeign;
	return a->foreign;
}

/* --- helpers -------------------------------------------------------------- */

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

/* Is the remote end of an answer the query's upstream?  Only an address
 * the call showed counts; an unknown one never disagrees. */
static bool remote_matches(const struct nst_addr *remote, const struct nst_addr *up)
{
	if (remote->family != AF_INET && remote->family != AF_INET6)
		return true;
	if (remote->family != up->family || remote->port != up->port)
		return false;
	return remote->family == AF_INET ? !memcmp(remote->u.in4, up->u.in4, 4)
					 : !memcmp(remote->u.in6, up->u.in6, 16);
}

static struct upstream_row *row_for(struct analyzer *a, const struct query *q)
{
	for (size_t i = 0; i < a->nrows; i++) {
		struct upstream_row *r = &a->rows[i];
		if (ns_ref_same(&r->netns, &q->netns) && ns_ref_same(&r->asker, &q->asker) &&
		    !strcmp(r->upstream, q->upstream) && r->proto == (q->tcp ? PROTO_TCP : PROTO_UDP))
			return r;
	}
	if (a->nrows == MAX_ROWS)
		return NULL;
	struct upstream_row *r = &a->rows[a->nrows++];
	r->netns = q->netns;
	r->asker = q->asker;
	str_copy(r->upstream, sizeof(r->upstream), q->upstream);
	r->proto = q->tcp ? PROTO_TCP : PROTO_UDP;
	return r;
}

/* --- queries by socket: what answers, closes and dials look up --------------- */

static size_t sock_bucket(uint64_t sock)
{
	return (size_t)((sock * 0x9e3779b97f4a7c15ull) >> 52) & (SOCK_BUCKETS - 1);
}

static uint16_t slot_of(const struct analyzer *a, const struct query *q)
{
	return (uint16_t)(q - a->q);
}

/* q (in use) is on sock from now on. */
static void sock_set(struct analyzer *a, struct query *q, uint64_t sock)
{
	chains_del(&a->by_sock, sock_bucket(q->sock), slot_of(a, q));
	q->sock = sock;
	chains_add(&a->by_sock, sock_bucket(sock), slot_of(a, q));
}

/* The next query on sock from slot *nx (slot + 1; 0: none), *nx read
 * ahead: the caller may resolve (unlink) the one returned.  Start with
 * *nx = a->sock_head[sock_bucket(sock)]. */
static struct query *on_sock(struct analyzer *a, uint64_t sock, uint16_t *nx)
{
	while (*nx) {
		struct query *q = &a->q[*nx - 1];
		*nx = a->sock_next[*nx - 1];
		if (q->sock == sock)
			return q;
	}
	return NULL;
}

/* q's slot is free again (its fields stay readable until it is taken). */
static void slot_release(struct analyzer *a, struct query *q)
{
	if (!q->used)
		return;
	chains_del(&a->by_sock, sock_bucket(q->sock), slot_of(a, q));
	q->used = false;
	a->nq--;
	if (q->connecting)
		a->nconnecting--;
	q->connecting = false;
	slots_put(&a->freeq, slot_of(a, q));
}

/* A query's fate is known: count it, and offer it to the finding rows. */
static void resolve(struct analyzer *a, struct query *q, enum dns_result res, int rcode, uint64_t ts)
{
	struct upstream_row *r = row_for(a, q);
	struct finding f;

	if (q->unseen && res == RES_TIMEOUT) /* never a timeout on a guess */
		res = RES_UNSEEN;
	if (r) {
		r->queries++;
		switch (res) {
		case RES_OK:
		case RES_UNPARSED:
			r->answered++;
			if (!a->timeless) /* no clock: latency unknown, not 0 */
				samples_add(&r->lat, ts - q->ts);
			break;
		case RES_REFUSED: r->refused++; break;
		case RES_UNREACHABLE: r->unreachable++; break;
		case RES_TIMEOUT: r->timeout++; break;
		case RES_PENDING:
		case RES_UNSEEN: r->pending++; break;
		case RES_BLOCKED: r->blocked++; break;
		default: break;
		}
	}
	memset(&f, 0, sizeof(f));
	if (q->stk >= 0 && a->stacks[q->stk].used && a->stacks[q->stk].gen == q->stk_gen)
		f.stack = &a->stacks[q->stk].st;
	f.pid = q->pid;
	memcpy(f.comm, q->comm, sizeof(f.comm));
	f.netns = q->netns;
	f.home = q->home;
	str_copy(f.upstream, sizeof(f.upstream), q->upstream);
	f.proto = q->tcp ? PROTO_TCP : PROTO_UDP;
	f.result = res;
	f.rcode = rcode;
	str_copy(f.ex_qname, sizeof(f.ex_qname), q->qname);
	f.ex_qtype = q->qtype;
	f.ex_id = q->id;
	f.first_ts = q->ts;
	f.last_ts = ts;
	f.timeout_us = q->timeout_us;
	f.foreign = q->foreign;
	f.loopback = q->loopback;
	f.dockerd = q->dockerd;
	f.relayed = q->lookup >= 0;
	f.asker = q->asker;
	f.path = q->path;
	f.client_rcode = ASKED_NOTHING;
	f.xid = q->xid;
	findings_offer(a->fs, SUBJECT_QUERY, &f);
	if (q->lookup >= 0)
		lookups_attempt_done(a->lk, q->lookup, q->path, q->upstream, dns_proto_name(f.proto), res, ts);
	slot_release(a, q);
}

/* Lower the scan limits past freed slots at the top. */
static void trim(struct analyzer *a)
{
	while (a->qhi && !a->q[a->qhi - 1].used)
		a->qhi--;
	while (a->thi && !a->th[a->thi - 1].used)
		a->thi--;
}

/* Every pending query on the socket gets the same fate. */
/* An attempt that is none after all (a connect that completed, then no
 * query), or whose end nobody saw: forgotten, not counted as a result. */
static void forget(struct analyzer *a, struct query *q, bool was_attempt, uint64_t ts)
{
	if (q->lookup >= 0) {
		if (was_attempt)
			lookups_attempt_unknown(a->lk, q->lookup, q->path, q->upstream, q->tcp ? "tcp" : "udp", ts);
		else
			lookups_attempt_cancel(a->lk, q->lookup);
	}
	slot_release(a, q);
}

/* Every query pending on the socket gets res.  A TCP dial closed without
 * ever connecting is a timeout only when it waited (a resolver's dial
 * timeout): closed sooner, nobody saw how it ended. */
static void resolve_socket(struct analyzer *a, uint64_t sock, enum dns_result res, uint64_t ts)
{
	struct query *q, *first;
	uint16_t nx;

	/* in slot order, as the findings' examples always were: the lowest
	 * slot on the socket, each time (a socket has one or two) */
	for (;;) {
		first = NULL;
		for (nx = a->nq ? a->sock_head[sock_bucket(sock)] : 0; (q = on_sock(a, sock, &nx));)
			if (!first || q < first)
				first = q;
		if (!first)
			break;
		if (first->connecting && res == RES_TIMEOUT && ts - first->ts < DIAL_GIVEUP_US)
			forget(a, first, true, ts);
		else
			resolve(a, first, res, -1, ts);
	}
	trim(a);
}

static void sweep(struct analyzer *a, uint64_t now)
{
	for (size_t i = 0; a->nq && i < a->qhi; i++)
		if (a->q[i].used && now > a->q[i].ts + a->q[i].timeout_us)
			resolve(a, &a->q[i], RES_TIMEOUT, -1, now);
	lookups_sweep(a->lk, now);
	trim(a);
	a->last_sweep = now;
}

static enum dns_result error_result(int err, bool *known)
{
	*known = true;
	if (err == ECONNREFUSED)
		return RES_REFUSED;
	if (err == EHOSTUNREACH || err == ENETUNREACH || err == EADDRNOTAVAIL)
		return RES_UNREACHABLE;
	if (err == EPERM || err == EACCES)
		return RES_BLOCKED;
	*known = false;
	return RES_PENDING;
}

/* --- DNS messages --------------------------------------------------------- */

/* The message at hand is of attempt q (still readable after its resolve:
 * a slot is only reused by a later message). */
static void of_attempt(struct analyzer *a, const struct query *q)
{
	a->x = (struct dns_exchange){ .xid = q->xid, .up = &q->up,
				      .asker = q->lookup >= 0 ? &q->asker : NULL };
}

/* The query taken first of those in use (the table is full: one is). */
static struct query *oldest(struct analyzer *a)
{
	const size_t cap = sizeof(a->fifo) / sizeof(a->fifo[0]);

	for (; a->fifo_n; a->fifo_head = (a->fifo_head + 1) % cap, a->fifo_n--) {
		struct query *q = &a->q[a->fifo[a->fifo_head].slot];
		if (q->used && q->xid == a->fifo[a->fifo_head].xid)
			return q;
	}
	return &a->q[0];
}

/* Note that q was taken, in order; a full ring drops its stale entries
 * first (at most MAX_QUERIES live ones: room for as many again). */
static void fifo_push(struct analyzer *a, const struct query *q)
{
	const size_t cap = sizeof(a->fifo) / sizeof(a->fifo[0]);

	if (a->fifo_n == cap) {
		size_t n = 0;
		for (size_t k = 0; k < cap; k++) {
			size_t j = (a->fifo_head + k) % cap;
			const struct query *o = &a->q[a->fifo[j].slot];
			if (o->used && o->xid == a->fifo[j].xid)
				a->fifo[(a->fifo_head + n++) % cap] = a->fifo[j];
		}
		a->fifo_n = n;
	}
	size_t at = (a->fifo_head + a->fifo_n++) % cap;
	a->fifo[at].slot = slot_of(a, q);
	a->fifo[at].xid = q->xid;
}

/* A free query slot, without a scan; when full, the oldest gives way, as
 * pending. */
static struct query *query_slot(struct analyzer *a, uint64_t now)
{
	int i = slots_get(&a->freeq, &a->qhi, MAX_QUERIES);

	if (i < 0) {
		resolve(a, oldest(a), RES_PENDING, -1, now); /* frees its slot */
		a->c.q_overflow++;
		i = slots_get(&a->freeq, &a->qhi, MAX_QUERIES);
	}
	return &a->q[i];
}

/* The creation stack of the query's socket (-k), if one was kept. */
static void query_stack(struct analyzer *a, struct query *q)
{
	q->stk = -1;
	for (size_t i = 0; a->nstacks && i < MAX_SOCK_STACKS; i++)
		if (a->stacks[i].used && a->stacks[i].sock == q->sock) {
			q->stk = (int)i;
			q->stk_gen = a->stacks[i].gen;
			return;
		}
}

/* The attempt serves a lookup of this resolver (its asking container), or
 * is a program's own query: its path and timeout follow. */
static void attach_lookup(struct analyzer *a, struct query *q, bool has_id)
{
	q->lookup = lookups_attach(a->lk, q->pid, has_id, q->id, q->qtype, q->qname, q->ts, &q->asker);
	if (q->lookup < 0)
		q->path = PATH_SELF;
	else if (ns_ref_same(&q->netns, &q->asker) && ns_ref_known(&q->netns))
		q->path = PATH_CONTAINER;
	else if (ns_ref_same(&q->netns, &q->home) && ns_ref_known(&q->netns))
		q->path = PATH_RESOLVER;
	else
		q->path = PATH_OTHER;
	q->timeout_us = q->lookup >= 0 && q->dockerd ? DOCKERD_TIMEOUT_US : a->o.dns_timeout_us;
}

/* What an attempt knows from its event, before its question. */
static struct query *new_attempt(struct analyzer *a, const struct nst_event *ev,
				 const struct nst_addr *up, bool tcp)
{
	struct query *q = query_slot(a, ev->ts_us);

	memset(q, 0, sizeof(*q));
	q->used = true;
	q->xid = ++a->next_xid;
	a->nq++;
	fifo_push(a, q);
	q->pid = ev->pid;
	q->tid = ev->tid;
	q->sock = sock_key(ev);
	chains_add(&a->by_sock, sock_bucket(q->sock), slot_of(a, q));
	memcpy(q->comm, ev->comm, sizeof(q->comm));
	q->dockerd = nst_is_dockerd(ev->comm);
	q->ts = ev->ts_us;
	q->tcp = tcp;
	q->up = *up;
	print_addr(q->upstream, sizeof(q->upstream), up);
	q->loopback = is_loopback(up);
	q->foreign = ev->sock.foreign;
	ns_ref_from(&q->netns, &ev->sock.netns);
	ns_ref_from(&q->home, &ev->home_netns);
	query_stack(a, q);
	return q;
}

/* The dial of this socket, when a query now follows it: the same attempt. */
static struct query *dialed(struct analyzer *a, uint64_t sock, uint64_t ts)
{
	struct query *q;
	uint16_t nx;

	for (nx = a->nconnecting ? a->sock_head[sock_bucket(sock)] : 0; (q = on_sock(a, sock, &nx));) {
		if (q->connecting) {
			if (q->lookup >= 0) /* attached again below, by its id */
				lookups_attempt_cancel(a->lk, q->lookup);
			q->connecting = false;
			a->nconnecting--;
			q->ts = ts;
			return q;
		}
	}
	return NULL;
}

static void on_query_sent(struct analyzer *a, const struct dns_seen *d)
{
	const struct nst_event *ev = d->ev;
	struct query *q;
	bool known;
	enum dns_result res;

	a->c.q_sent++;
	if (!(q = dialed(a, d->sock, ev->ts_us)))
		q = new_attempt(a, ev, &d->remote, d->tcp);
	if (q->sock != d->sock)
		sock_set(a, q, d->sock);
	q->id = d->msg.id;
	q->qtype = d->msg.qtype;
	str_copy(q->qname, sizeof(q->qname), d->msg.qname);
	attach_lookup(a, q, true);
	of_attempt(a, q);
	if (ev->err) { /* the send itself failed: its fate is known now */
		res = error_result(ev->err, &known);
		if (known) {
			resolve(a, q, res, -1, ev->ts_us);
		} else { /* EAGAIN, EINTR: nothing left; it may be retried */
			if (q->lookup >= 0)
				lookups_attempt_cancel(a->lk, q->lookup);
			slot_release(a, q);
		}
	}
}

/* A connect to port 53 that failed (ENETUNREACH for an IPv6 server from a
 * netns without IPv6, EPERM from a REJECT): an attempt that ended before any
 * query left. */
static void on_connect_failed(struct analyzer *a, const struct nst_event *ev)
{
	bool known;
	enum dns_result res = error_result(ev->err, &known);
	struct query *q;

	if (!known)
		return; /* EINPROGRESS and the like: not a failure */
	q = new_attempt(a, ev, &ev->addr, ev->sock.type == SOCK_STREAM);
	attach_lookup(a, q, false);
	if (q->lookup >= 0)
		lookups_question(a->lk, q->lookup, q->qname, sizeof(q->qname), &q->qtype, &q->id);
	resolve(a, q, res, -1, ev->ts_us);
}

/* A non-blocking TCP connect to port 53 (EINPROGRESS): an attempt before
 * its query, which getsockopt(SO_ERROR), the query, or the close decides. */
static void on_connecting(struct analyzer *a, const struct nst_event *ev)
{
	struct query *q = new_attempt(a, ev, &ev->addr, true);

	q->connecting = true;
	a->nconnecting++;
	attach_lookup(a, q, false);
	if (q->lookup >= 0)
		lookups_question(a->lk, q->lookup, q->qname, sizeof(q->qname), &q->qtype, &q->id);
}

/* getsockopt(SO_ERROR) on a dialing socket: connected (0), or how the
 * connect failed. */
static void on_sockerr(struct analyzer *a, const struct nst_event *ev, uint64_t sock)
{
	bool known;
	enum dns_result res = error_result((int)ev->arg, &known);
	struct query *q;
	uint16_t nx;

	for (nx = a->nconnecting ? a->sock_head[sock_bucket(sock)] : 0; (q = on_sock(a, sock, &nx));) {
		if (!q->connecting)
			continue;
		if (!ev->arg) /* connected: the query to come is the attempt */
			forget(a, q, false, ev->ts_us);
		else if (known)
			resolve(a, q, res, -1, ev->ts_us);
	}
	trim(a);
}

/* An answer: the pending query on its socket with its id and question,
 * whoever read it. */
static void on_response_received(struct analyzer *a, const struct dns_seen *d)
{
	const struct nst_event *ev = d->ev;
	const char *qname = d->msg.has_question ? d->msg.qname : "";
	struct query *q, *best = NULL;
	uint16_t nx;

	a->c.r_recv++;
	/* the same question sent twice on the socket (a retry with the same
	 * id): the first one sent is answered */
	for (nx = a->sock_head[sock_bucket(d->sock)]; (q = on_sock(a, d->sock, &nx));) {
		if (q->id != d->msg.id || !same_name(q->qname, qname) ||
		    (d->msg.has_question && d->msg.qtype != q->qtype) || !remote_matches(&d->remote, &q->up))
			continue;
		if (!best || q->xid < best->xid)
			best = q;
	}
	if (best) {
		of_attempt(a, best);
		resolve(a, best, d->unparsed ? RES_UNPARSED : RES_OK, d->msg.rcode, ev->ts_us);
		trim(a);
	}
}

static void on_query_received(struct analyzer *a, const struct dns_seen *d)
{
	const struct nst_event *ev = d->ev;
	uint64_t client_ts = 0;

	a->c.q_recv++;
	/* The client is traced too: its send starts the first hop. */
	for (size_t i = 0; i < a->qhi; i++) {
		struct query *q = &a->q[i];
		if (q->used && q->pid != ev->pid && q->id == d->msg.id && q->qtype == d->msg.qtype &&
		    same_name(q->qname, d->msg.qname) && ev->ts_us - q->ts < RELAY_WINDOW_US) {
			client_ts = q->ts;
			break;
		}
	}
	a->x = (struct dns_exchange){ .xid = ++a->next_xid, .lookup = true };
	lookups_query_received(a->lk, d, client_ts, a->x.xid);
}

static void on_response_sent(struct analyzer *a, const struct dns_seen *d)
{
	const struct ns_ref *asker = NULL;

	a->c.r_sent++;
	a->x.xid = lookups_response_sent(a->lk, d, &asker);
	a->x.lookup = a->x.xid != 0;
	a->x.asker = asker;
}

static void on_dns(const struct dns_seen *d, void *ctx)
{
	struct analyzer *a = ctx;

	a->x = (struct dns_exchange){ .xid = 0 };
	if (d->unparsed) { /* an answer all the same: never a timeout */
		on_response_received(a, d);
		return;
	}
	if (d->outbound && !d->msg.qr)
		on_query_sent(a, d);
	else if (!d->outbound && d->msg.qr)
		on_response_received(a, d);
	else if (!d->outbound)
		on_query_received(a, d);
	else
		on_response_sent(a, d);
	if (a->o.on_message)
		a->o.on_message(d, &a->x, a->o.ctx);
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

/* Setting up sockets in a namespace is why a thread goes there. */
static bool is_setup_call(enum nst_op op)
{
	switch (op) {
	case NST_OP_SOCKET: case NST_OP_CONNECT: case NST_OP_BIND: case NST_OP_GETSOCKNAME:
	case NST_OP_GETPEERNAME: case NST_OP_LISTEN: case NST_OP_SETNS: case NST_OP_CLOSE:
		return true;
	default:
		return false;
	}
}

static void track_thread_netns(struct analyzer *a, const struct nst_event *ev)
{
	struct tstate *t;

	if ((ev->flags & NST_EV_NS_CHANGE) && ev->ret == 0 &&
	    (ev->op == NST_OP_SETNS || ev->op == NST_OP_UNSHARE)) {
		bool away = ev->flags & NST_EV_NEW_AWAY;
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
		ns_ref_from(&t->ns, &ev->ns_new);
		ns_ref_from(&t->home, &ev->home_netns);
		t->since = ev->ts_us;
		return;
	}
	t = tstate_for(a, ev->tid, false);
	if (!t)
		return;
	if (!ns_ref_is(&t->ns, &ev->thread_netns))
		return;
	/* Setting up sockets in that namespace is why it went there;
	 * anything else means it forgot to come back. */
	if (is_setup_call(ev->op) && (!(ev->flags & NST_EV_SOCK) || ns_ref_is(&t->ns, &ev->sock.netns)))
		return;
	t->calls++;
}

/* --- sockets used outside their home netns -------------------------------- */

static void note_foreign(struct analyzer *a, const struct nst_event *ev)
{
	const char *proto = proto_short(&ev->sock);
	size_t i;

	for (i = 0; i < a->nforeign; i++) {
		struct foreign_row *r = &a->foreign[i];
		if (r->pid == ev->pid && r->netns == ev->sock.netns.ino &&
		    addr_same(&r->peer_addr, &ev->sock.peer) && !strcmp(r->proto, proto)) {
			r->count++;
			return;
		}
	}
	if (a->nforeign == MAX_FOREIGN)
		return;
	struct foreign_row *r = &a->foreign[a->nforeign++];
	r->pid = ev->pid;
	memcpy(r->comm, ev->comm, sizeof(r->comm));
	r->netns = ev->sock.netns.ino;
	str_copy(r->path, sizeof(r->path), ev->sock.netns.path ? ev->sock.netns.path : ev->sock.netns.label);
	str_copy(r->proto, sizeof(r->proto), proto);
	r->peer_addr = ev->sock.peer;
	if (ev->sock.peer.family)
		print_addr(r->peer, sizeof(r->peer), &ev->sock.peer);
	else
		str_copy(r->peer, sizeof(r->peer), "(unconnected)");
	r->count = 1;
}

/* --- stacks (-k) ----------------------------------------------------------- */

/* Remember where foreign sockets were made; forget them when they go. */
static void track_stacks(struct analyzer *a, const struct nst_event *ev, uint64_t sock)
{
	struct sock_stack *slot = NULL, *oldest = NULL;

	if (ev->op == NST_OP_CLOSE) {
		if (!sock_gone(ev))
			return;
		for (size_t i = 0; a->nstacks && i < MAX_SOCK_STACKS; i++)
			if (a->stacks[i].used && a->stacks[i].sock == sock) {
				a->stacks[i].used = false;
				a->nstacks--;
			}
		return;
	}
	if (!ev->stack || (ev->ret < 0 && ev->op != NST_OP_CONNECT && ev->op != NST_OP_SEND))
		return;
	if (ev->op == NST_OP_CONNECT || ev->op == NST_OP_SEND) {
		/* the dial of a server: the socket's stack unless its creation's is kept */
		for (size_t i = 0; i < MAX_SOCK_STACKS; i++)
			if (a->stacks[i].used && a->stacks[i].sock == sock)
				return;
	} else if (ev->op != NST_OP_SOCKET && ev->op != NST_OP_ACCEPT) {
		return;
	}
	for (size_t i = 0; i < MAX_SOCK_STACKS && !slot; i++) {
		if (!a->stacks[i].used || a->stacks[i].sock == sock)
			slot = &a->stacks[i];
		else if (!oldest || a->stacks[i].gen < oldest->gen)
			oldest = &a->stacks[i];
	}
	if (!slot)
		slot = oldest;
	if (!slot->used)
		a->nstacks++;
	slot->used = true;
	slot->sock = sock;
	slot->gen = ++a->stack_gen;
	stack_save(&slot->st, ev->stack);
}

/* --- feeding -------------------------------------------------------------- */

/* A receive on sock moved more messages than the events show: the queries
 * waiting on it may have had their answers among them. */
static void mark_unseen(struct analyzer *a, uint64_t sock)
{
	struct query *q;
	uint16_t nx;

	for (nx = a->sock_head[sock_bucket(sock)]; (q = on_sock(a, sock, &nx));)
		q->unseen = true;
}

void analyzer_feed(struct analyzer *a, const struct nst_event *ev)
{
	uint64_t sock = sock_key(ev);

	a->c.events++;
	if (ev->flags & NST_EV_NO_TIME)
		a->timeless = true;
	if (ev->ts_us > a->now)
		a->now = ev->ts_us;
	if (a->now >= a->last_sweep + SWEEP_EVERY_US)
		sweep(a, a->now);
	if ((ev->flags & NST_EV_SOCK) && ev->sock.foreign)
		note_foreign(a, ev);
	track_thread_netns(a, ev);
	if (ev->op != NST_OP_CLOSE)
		track_stacks(a, ev, sock);
	dnsstream_feed(a->ds, ev, on_dns, a);
	a->c.unseen += ev->unseen;
	if (ev->unseen && ev->dir == NST_DIR_IN)
		mark_unseen(a, sock);

	switch (ev->op) {
	case NST_OP_CLOSE:
		/* The socket is gone with no answer: a timeout, however short
		 * the wait.  Another fd (dup, fork) keeps it, and its answer. */
		if (sock_gone(ev)) {
			resolve_socket(a, sock, RES_TIMEOUT, ev->ts_us);
			track_stacks(a, ev, sock);
		}
		return;
	case NST_OP_SOCKET:
		/* A socket known only by (pid, fd) starts over. */
		if (ev->ret >= 0)
			resolve_socket(a, sock, RES_TIMEOUT, ev->ts_us);
		return;
	default:
		break;
	}
	if (ev->op == NST_OP_CONNECT && ev->err && (ev->flags & NST_EV_ADDR) &&
	    (ev->addr.family == AF_INET || ev->addr.family == AF_INET6) && ev->addr.port == 53) {
		if (ev->err == EINPROGRESS && ev->sock.type == SOCK_STREAM)
			on_connecting(a, ev);
		else
			on_connect_failed(a, ev);
		return;
	}
	if (ev->op == NST_OP_SOCKERR && !ev->err && !(ev->flags & NST_EV_UNREADABLE)) {
		on_sockerr(a, ev, sock);
		return;
	}
	/* ECONNREFUSED and friends on a socket with pending queries is their
	 * fate, on a send (without a query in it) or a receive. */
	if (ev->err && ev->dir != NST_DIR_NONE && (ev->dir == NST_DIR_IN || !ev->payload_len)) {
		bool known;
		enum dns_result res = error_result(ev->err, &known);
		if (known)
			resolve_socket(a, sock, res, ev->ts_us);
	}
}

void analyzer_firewall(struct analyzer *a, const struct fw_facts *ff)
{
	if (a->fs)
		firewall_explain(a->fs, ff);
}

void analyzer_finish(struct analyzer *a, uint64_t end_ts)
{
	if (end_ts < a->now)
		end_ts = a->now;
	for (size_t i = 0; i < a->qhi; i++) {
		struct query *q = &a->q[i];
		if (q->used)
			resolve(a, q, end_ts > q->ts + q->timeout_us ? RES_TIMEOUT : RES_PENDING,
				-1, end_ts);
	}
	lookups_finish(a->lk, end_ts);
	for (size_t i = 0; i < a->thi; i++) {
		struct tstate *t = &a->th[i];
		struct finding f;
		if (!t->used)
			continue;
		memset(&f, 0, sizeof(f));
		f.pid = t->pid;
		f.tid = t->tid;
		memcpy(f.comm, t->comm, sizeof(f.comm));
		f.netns = t->ns;
		f.home = t->home;
		f.rcode = -1;
		f.first_ts = t->since;
		f.last_ts = end_ts;
		f.extra = t->calls;
		findings_offer(a->fs, SUBJECT_THREAD, &f);
	}
}
