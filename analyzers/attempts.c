/* attempts.c - queries matched with their answers; see attempts.h. */
#define _GNU_SOURCE
#include "analyzers/attempts.h"

#include <errno.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "analyzers/slots.h"
#include "model/print.h"
#include "model/sysent.h"

#define MAX_QUERIES 4096
#define MAX_ROWS 256
#define SOCK_BUCKETS 4096 /* power of two */
#define RELAY_WINDOW_US 10000000
#define DOCKERD_TIMEOUT_US 4000000 /* moby's extIOTimeout, per upstream */
#define DIAL_GIVEUP_US 1000000 /* a TCP dial closed unconnected after this gave up */
/* An answer read before its query was seen: a tracer sees two threads'
 * calls in the order it handles their stops or records (a reader thread's
 * read can come before the writer's write), so it is held this long for a
 * query on its socket to claim it, then counted unmatched. */
#define EARLY_MAX 16
#define EARLY_WINDOW_US 100000

struct early {
	bool used, tcp, tc, unparsed, has_question;
	uint64_t sock, ts;
	uint16_t id, qtype, ancount;
	int rcode;
	char qname[DNS_NAME_MAX];
	struct nst_addr remote;
	struct ns_ref netns;
};

/* A query a traced process sent (or tried to: a connect that failed),
 * awaiting its answer: one attempt to reach an upstream. */
struct query {
	uint64_t xid;
	bool used, tcp, foreign, loopback, dockerd;
	bool connecting;      /* a TCP connect in progress: no query yet */
	bool unseen;          /* its socket then received messages no event
	                         showed: its answer may be one of them */
	bool icmp;            /* a readiness call reported an error queued on
	                         its socket (POLLERR): an ICMP error came */
	bool client_timeout;  /* timeout_us is the client's own wait */
	bool deaf;            /* sent to an address on an unconnected UDP socket */
	bool batched;         /* sent by a call that sent several (sendmmsg) */
	bool pair_answered;   /* the other query of its call was answered */
	uint64_t pair_xid;    /* that other query, or 0 */
	uint64_t evseq;       /* the events fed before its own */
	unsigned answers;     /* its answer's records */
	bool tc;              /* its answer was truncated */
	bool after_tc;        /* another query on its socket got a truncated
	                         answer: the client moves to TCP and may close
	                         the socket with this one's answer unread */
	int pid, tid;
	uint64_t sock; /* sock_key */
	char comm[NST_COMM_LEN];
	uint16_t id, qtype;
	char qname[DNS_NAME_MAX];
	uint64_t ts, timeout_us;
	struct nst_addr up;
	struct nst_addr self; /* its socket's own address (AF_UNSPEC: unknown) */
	char upstream[64];
	struct ns_ref netns, home;
	int lookup;           /* the lookup it forwards (lookups.h), or -1 */
	struct ns_ref asker;  /* that lookup's netns */
	struct nst_addr client; /* and its client, where that names it */
	enum dns_path path;
	int stk;    /* its socket's creation stack (sock_stacks), or -1 */
	unsigned stk_gen;
};

struct attempts {
	struct findings *fs;
	struct lookups *lk;
	struct proglookups *pl;
	const struct sock_stacks *stacks;
	uint64_t *next_xid;
	uint64_t dns_timeout_us;
	bool timeless; /* an event came without a clock: no latencies */
	uint64_t evseq; /* events fed (attempts_feed) */
	struct query q[MAX_QUERIES];
	struct upstream_row rows[MAX_ROWS];
	size_t nrows;
	size_t nq; /* queries in use: most events need no scan at all */
	size_t qhi; /* slots at and above this are free: scans stop there */
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
	unsigned long overflow;
	struct early early[EARLY_MAX]; /* answers no query claimed yet */
};

struct attempts *attempts_new(struct findings *fs, struct lookups *lk, struct proglookups *pl,
			      const struct sock_stacks *st, uint64_t *xids, uint64_t dns_timeout_us)
{
	struct attempts *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->fs = fs;
	a->lk = lk;
	a->pl = pl;
	a->stacks = st;
	a->next_xid = xids;
	a->dns_timeout_us = dns_timeout_us;
	a->freeq.free = a->freeq_heap;
	a->by_sock = (struct chains){ a->sock_head, a->sock_next, a->sock_prev };
	return a;
}

void attempts_free(struct attempts *a)
{
	free(a);
}

void attempts_timeless(struct attempts *a)
{
	a->timeless = true;
}

const struct upstream_row *attempts_rows(const struct attempts *a, size_t *n)
{
	*n = a->nrows;
	return a->rows;
}

unsigned long attempts_overflow(const struct attempts *a)
{
	return a->overflow;
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

static struct upstream_row *row_find(struct attempts *a, const struct ns_ref *netns,
				     const struct ns_ref *asker, const char *upstream, enum dns_proto proto)
{
	for (size_t i = 0; i < a->nrows; i++) {
		struct upstream_row *r = &a->rows[i];
		if (ns_ref_same(&r->netns, netns) && ns_ref_same(&r->asker, asker) &&
		    !strcmp(r->upstream, upstream) && r->proto == proto)
			return r;
	}
	if (a->nrows == MAX_ROWS)
		return NULL;
	struct upstream_row *r = &a->rows[a->nrows++];
	r->netns = *netns;
	r->asker = *asker;
	str_copy(r->upstream, sizeof(r->upstream), upstream);
	r->proto = proto;
	return r;
}

static struct upstream_row *row_for(struct attempts *a, const struct query *q)
{
	return row_find(a, &q->netns, &q->asker, q->upstream, q->tcp ? PROTO_TCP : PROTO_UDP);
}

/* An answer no query of the trace asked (its query came before the trace,
 * or the log is an excerpt): counted on its server's row, never dropped. */
static void unmatched(struct attempts *a, struct early *e)
{
	struct ns_ref none;
	struct upstream_row *r;
	char up[64];

	if (e->remote.family != AF_INET && e->remote.family != AF_INET6)
		snprintf(up, sizeof(up), "?");
	else
		print_addr(up, sizeof(up), &e->remote);
	memset(&none, 0, sizeof(none));
	if ((r = row_find(a, &e->netns, &none, up, e->tcp ? PROTO_TCP : PROTO_UDP)))
		r->unmatched++;
	e->used = false;
}

/* Hold an answer nothing claimed (the oldest held one goes, unmatched, to
 * make room). */
static void hold_early(struct attempts *a, const struct dns_seen *d)
{
	struct early *e = NULL;

	for (int i = 0; i < EARLY_MAX; i++)
		if (!a->early[i].used) {
			e = &a->early[i];
			break;
		} else if (!e || a->early[i].ts < e->ts) {
			e = &a->early[i];
		}
	if (e->used)
		unmatched(a, e);
	*e = (struct early){ .used = true, .tcp = d->tcp, .tc = d->msg.tc, .unparsed = d->unparsed,
			     .has_question = d->msg.has_question, .sock = d->sock, .ts = d->ev->ts_us,
			     .id = d->msg.id, .qtype = d->msg.qtype, .ancount = d->msg.ancount,
			     .rcode = d->msg.rcode, .remote = d->remote };
	str_copy(e->qname, sizeof(e->qname), d->msg.has_question ? d->msg.qname : "");
	ns_ref_from(&e->netns, &d->ev->sock.netns);
}

/* Held answers older than the window (all of them at the end): unmatched. */
static void expire_early(struct attempts *a, uint64_t now, bool all)
{
	for (int i = 0; i < EARLY_MAX; i++)
		if (a->early[i].used && (all || now > a->early[i].ts + EARLY_WINDOW_US))
			unmatched(a, &a->early[i]);
}

static size_t sock_bucket(uint64_t sock)
{
	return (size_t)((sock * 0x9e3779b97f4a7c15ull) >> 52) & (SOCK_BUCKETS - 1);
}

static uint16_t slot_of(const struct attempts *a, const struct query *q)
{
	return (uint16_t)(q - a->q);
}

/* q (in use) is on sock from now on. */
static void sock_set(struct attempts *a, struct query *q, uint64_t sock)
{
	chains_del(&a->by_sock, sock_bucket(q->sock), slot_of(a, q));
	q->sock = sock;
	chains_add(&a->by_sock, sock_bucket(sock), slot_of(a, q));
}

/* The next query on sock from slot *nx (slot + 1; 0: none), *nx read
 * ahead: the caller may resolve (unlink) the one returned.  Start with
 * *nx = a->sock_head[sock_bucket(sock)]. */
static struct query *on_sock(struct attempts *a, uint64_t sock, uint16_t *nx)
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
static void slot_release(struct attempts *a, struct query *q)
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

/* q was answered: the other query its call sent, if still waiting, was
 * sent with an answered one. */
static void pair_answered(struct attempts *a, const struct query *q)
{
	struct query *o;
	uint16_t nx;

	for (nx = a->sock_head[sock_bucket(q->sock)]; (o = on_sock(a, q->sock, &nx));)
		if (o->xid == q->pair_xid)
			o->pair_answered = true;
}

/* A query's fate is known: count it, and offer it to the finding rows. */
static void resolve(struct attempts *a, struct query *q, enum dns_result res, int rcode, uint64_t ts)
{
	struct upstream_row *r = row_for(a, q);
	struct finding f;

	/* an ICMP error came: refused or unreachable, never a timeout; which
	 * one, nothing said */
	if (q->icmp && (res == RES_TIMEOUT || res == RES_PENDING || res == RES_UNSEEN))
		res = RES_REJECTED;
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
		case RES_REJECTED: r->rejected++; break;
		case RES_TIMEOUT: r->timeout++; break;
		case RES_PENDING:
		case RES_UNSEEN: r->pending++; break;
		case RES_BLOCKED: r->blocked++; break;
		default: break;
		}
	}
	memset(&f, 0, sizeof(f));
	f.stack = sockstacks_get(a->stacks, q->stk, q->stk_gen);
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
	f.client_timeout = q->client_timeout;
	f.deaf = q->deaf;
	f.pair_answered = q->pair_answered;
	f.foreign = q->foreign;
	f.loopback = q->loopback;
	f.dockerd = q->dockerd;
	f.relayed = q->lookup >= 0;
	f.asker = q->asker;
	f.client = q->client;
	f.path = q->path;
	f.client_rcode = ASKED_NOTHING;
	f.xid = q->xid;
	findings_offer(a->fs, SUBJECT_QUERY, &f);
	if (q->lookup >= 0)
		lookups_attempt_done(a->lk, q->lookup, q->path, q->upstream, f.proto, res, ts);
	else if (a->pl)
		proglookups_attempt(a->pl, &(struct pl_attempt){
			.pid = q->pid, .comm = q->comm, .netns = &q->netns, .qname = q->qname,
			.qtype = q->qtype, .upstream = q->upstream, .proto = f.proto, .res = res,
			.rcode = rcode, .answers = q->answers, .tc = q->tc, .ts_sent = q->ts,
			.ts_end = ts });
	if (res == RES_OK && q->pair_xid)
		pair_answered(a, q);
	slot_release(a, q);
}

/* Lower the scan limits past freed slots at the top. */
static void trim(struct attempts *a)
{
	while (a->qhi && !a->q[a->qhi - 1].used)
		a->qhi--;
}

/* An attempt that is none after all (a connect that completed, then no
 * query), or whose end nobody saw: forgotten, not counted as a result. */
static void forget(struct attempts *a, struct query *q, bool was_attempt, uint64_t ts)
{
	if (q->lookup >= 0) {
		if (was_attempt)
			lookups_attempt_unknown(a->lk, q->lookup, q->path, q->upstream, q->tcp ? PROTO_TCP : PROTO_UDP, ts);
		else
			lookups_attempt_cancel(a->lk, q->lookup);
	}
	slot_release(a, q);
}

/* Every query pending on the socket gets res.  A TCP dial closed without
 * ever connecting is a timeout only when it waited (a resolver's dial
 * timeout): closed sooner, nobody saw how it ended. */
static void resolve_socket(struct attempts *a, uint64_t sock, enum dns_result res, uint64_t ts)
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
		if (first->connecting && res == RES_TIMEOUT && !first->icmp &&
		    !first->client_timeout && ts - first->ts < DIAL_GIVEUP_US)
			forget(a, first, true, ts);
		else if (first->after_tc && res == RES_TIMEOUT && !first->client_timeout)
			forget(a, first, true, ts); /* closed for the TCP retry: not seen */
		else
			resolve(a, first, res, -1, ts);
	}
	trim(a);
}

void attempts_sweep(struct attempts *a, uint64_t now, uint64_t spare)
{
	expire_early(a, now, false);
	for (size_t i = 0; a->nq && i < a->qhi; i++)
		if (a->q[i].used && a->q[i].sock != spare && now > a->q[i].ts + a->q[i].timeout_us)
			resolve(a, &a->q[i], RES_TIMEOUT, -1, now);
	trim(a);
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

/* The message at hand is of attempt q (still readable after its resolve:
 * a slot is only reused by a later message). */
static void of_attempt(struct dns_exchange *x, const struct query *q)
{
	*x = (struct dns_exchange){ .xid = q->xid, .up = &q->up,
			      .asker = q->lookup >= 0 ? &q->asker : NULL };
}

/* The query taken first of those in use (the table is full: one is). */
static struct query *oldest(struct attempts *a)
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
static void fifo_push(struct attempts *a, const struct query *q)
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
static struct query *query_slot(struct attempts *a, uint64_t now)
{
	int i = slots_get(&a->freeq, &a->qhi, MAX_QUERIES);

	if (i < 0) {
		resolve(a, oldest(a), RES_PENDING, -1, now); /* frees its slot */
		a->overflow++;
		i = slots_get(&a->freeq, &a->qhi, MAX_QUERIES);
	}
	return &a->q[i];
}

/* The creation stack of the query's socket (-k), if one was kept. */
static void query_stack(struct attempts *a, struct query *q)
{
	q->stk = sockstacks_find(a->stacks, q->sock, &q->stk_gen);
}

/* The attempt serves a lookup of this resolver (its asking container), or
 * is a program's own query: its path and timeout follow. */
static void attach_lookup(struct attempts *a, struct query *q, bool has_id)
{
	q->lookup = lookups_attach(a->lk, q->pid, has_id, q->id, q->qtype, q->qname, q->ts, &q->self,
				   &q->netns, &q->asker, &q->client);
	/* its own netns first: wherever its listener lives (aardvark-dns's, in
	 * the host's too, is not the asking container's) */
	if (q->lookup < 0)
		q->path = PATH_SELF;
	else if (ns_ref_same(&q->netns, &q->home) && ns_ref_known(&q->netns))
		q->path = PATH_RESOLVER;
	else if (ns_ref_same(&q->netns, &q->asker) && ns_ref_known(&q->netns))
		q->path = PATH_CONTAINER;
	else
		q->path = PATH_OTHER;
	q->timeout_us = q->lookup >= 0 && q->dockerd ? DOCKERD_TIMEOUT_US : a->dns_timeout_us;
}

/* What an attempt knows from its event, before its question. */
static struct query *new_attempt(struct attempts *a, const struct nst_event *ev,
				 const struct nst_addr *up, bool tcp)
{
	struct query *q = query_slot(a, ev->ts_us);

	memset(q, 0, sizeof(*q));
	q->used = true;
	q->xid = ++*a->next_xid;
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
	if (ev->flags & NST_EV_SOCK)
		q->self = ev->sock.local;
	print_addr(q->upstream, sizeof(q->upstream), up);
	q->loopback = is_loopback(up);
	q->foreign = ev->sock.foreign;
	ns_ref_from(&q->netns, &ev->sock.netns);
	ns_ref_from(&q->home, &ev->home_netns);
	query_stack(a, q);
	return q;
}

/* The dial of this socket, when a query now follows it: the same attempt. */
static struct query *dialed(struct attempts *a, uint64_t sock, uint64_t ts)
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

/* q and a query sent just before it on the same socket for the same name,
 * of another type, still waiting: a pair sent together (glibc's sendmmsg
 * of A and AAAA; musl's two sendto).  The first still waits, so a client
 * that asks one after the other's answer (single-request) makes no pair;
 * the window is generous because a traced client's two sends are stopped
 * apart (ptrace, strace: milliseconds on a busy machine), and short beside
 * any client's retry timeout.  Without a clock, together is the event just
 * before. */
#define PAIR_WINDOW_US 100000

static void pair_up(struct attempts *a, struct query *q, const struct nst_event *ev)
{
	struct query *o;
	uint16_t nx;

	(void)ev;
	for (nx = a->sock_head[sock_bucket(q->sock)]; (o = on_sock(a, q->sock, &nx));) {
		bool together = a->timeless ? o->evseq + 1 == q->evseq
					    : q->ts >= o->ts && q->ts - o->ts <= PAIR_WINDOW_US;
		if (o != q && !o->pair_xid && together && o->qtype != q->qtype &&
		    !strcasecmp(o->qname, q->qname)) {
			o->pair_xid = q->xid;
			q->pair_xid = o->xid;
			return;
		}
	}
}

/* A held answer that is q's (the same socket, id, question and server,
 * read within the window): q is answered by it, at the later of the two
 * times. */
static bool claim_early(struct attempts *a, struct query *q)
{
	for (int i = 0; i < EARLY_MAX; i++) {
		struct early *e = &a->early[i];
		if (!e->used || e->sock != q->sock || e->id != q->id || !same_name(q->qname, e->qname) ||
		    (e->has_question && e->qtype != q->qtype) || !remote_matches(&e->remote, &q->up) ||
		    (e->ts > q->ts ? e->ts - q->ts : q->ts - e->ts) > EARLY_WINDOW_US)
			continue;
		e->used = false;
		q->answers = e->ancount;
		q->tc = e->tc;
		resolve(a, q, e->unparsed ? RES_UNPARSED : RES_OK, e->rcode, e->ts > q->ts ? e->ts : q->ts);
		trim(a);
		return true;
	}
	return false;
}

void attempts_query_sent(struct attempts *a, const struct dns_seen *d, struct dns_exchange *x)
{
	const struct nst_event *ev = d->ev;
	struct query *q;
	bool known;
	enum dns_result res;

	if (!(q = dialed(a, d->sock, ev->ts_us)))
		q = new_attempt(a, ev, &d->remote, d->tcp);
	if (q->sock != d->sock)
		sock_set(a, q, d->sock);
	if (d->local.family != AF_UNSPEC) /* bound by now, by the send at the latest */
		q->self = d->local;
	q->id = d->msg.id;
	q->qtype = d->msg.qtype;
	q->deaf = !d->tcp && (ev->flags & NST_EV_ADDR) && (ev->flags & NST_EV_SOCK) &&
		  ev->sock.peer.family == AF_UNSPEC;
	q->batched = ev->sen == SEN_sendmmsg;
	q->evseq = a->evseq;
	str_copy(q->qname, sizeof(q->qname), d->msg.qname);
	if (!ev->err)
		pair_up(a, q, ev);
	attach_lookup(a, q, true);
	of_attempt(x, q);
	if (!ev->err && claim_early(a, q))
		return;
	if (ev->err) { /* the send itself failed: its fate is known now */
		res = error_result(ev->err, &known);
		if (known && (res == RES_REFUSED || res == RES_UNREACHABLE)) {
			/* the error an earlier query's ICMP left on the socket (busybox
			 * sends A, then AAAA gets it): theirs, and this one's too */
			resolve_socket(a, d->sock, res, ev->ts_us);
		} else if (known) {
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
static void on_connect_failed(struct attempts *a, const struct nst_event *ev)
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
static void on_connecting(struct attempts *a, const struct nst_event *ev)
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
static void on_sockerr(struct attempts *a, const struct nst_event *ev, uint64_t sock)
{
	bool known;
	enum dns_result res = error_result((int)ev->arg, &known);
	struct query *q;
	uint16_t nx;

	for (nx = a->nq ? a->sock_head[sock_bucket(sock)] : 0; (q = on_sock(a, sock, &nx));) {
		if (!ev->arg && q->connecting) /* connected: the query to come is the attempt */
			forget(a, q, false, ev->ts_us);
		else if (known) /* a dial's end, or the ICMP error a query met */
			resolve(a, q, res, -1, ev->ts_us);
	}
	trim(a);
}

/* A readiness call's word on sock: the error queued on it (under BPF read
 * without clearing it), POLLERR (an error queued: which one, later calls
 * may say), or the client's own timeout. */
static void on_wait(struct attempts *a, const struct nst_event *ev, uint64_t sock)
{
	struct query *q;
	uint16_t nx;
	bool known = false;
	enum dns_result res = RES_PENDING;

	if (!a->nq)
		return;
	if ((ev->flags & NST_EV_SOCK_ERR) && ev->sock_err)
		res = error_result(ev->sock_err, &known);
	if (known) {
		resolve_socket(a, sock, res, ev->ts_us);
		return;
	}
	if (ev->arg & POLLERR) {
		for (nx = a->sock_head[sock_bucket(sock)]; (q = on_sock(a, sock, &nx));)
			q->icmp = true;
		return;
	}
	if (ev->ret != 0 || ev->wait_us <= 0 || !(ev->flags & NST_EV_WAIT_SOCKS))
		return; /* an event loop's wake-up may be any timer's */
	for (nx = a->sock_head[sock_bucket(sock)]; (q = on_sock(a, sock, &nx));) {
		uint64_t waited = (uint64_t)ev->wait_us;
		if (!a->timeless && ev->ts_us > q->ts && ev->ts_us - q->ts > waited)
			waited = ev->ts_us - q->ts;
		q->timeout_us = waited;
		q->client_timeout = true;
	}
	resolve_socket(a, sock, RES_TIMEOUT, ev->ts_us);
}

/* An answer: the pending query on its socket with its id and question,
 * whoever read it. */
void attempts_response(struct attempts *a, const struct dns_seen *d, struct dns_exchange *x)
{
	const struct nst_event *ev = d->ev;
	const char *qname = d->msg.has_question ? d->msg.qname : "";
	struct query *q, *best = NULL;
	uint16_t nx;

	/* the same question sent twice on the socket (a retry with the same
	 * id): the first one sent is answered */
	for (nx = a->sock_head[sock_bucket(d->sock)]; (q = on_sock(a, d->sock, &nx));) {
		if (q->id != d->msg.id || !same_name(q->qname, qname) ||
		    (d->msg.has_question && d->msg.qtype != q->qtype) || !remote_matches(&d->remote, &q->up))
			continue;
		if (!best || q->xid < best->xid)
			best = q;
	}
	if (best && d->msg.tc) /* the client will ask again over TCP */
		for (nx = a->sock_head[sock_bucket(d->sock)]; (q = on_sock(a, d->sock, &nx));)
			q->after_tc = true;
	if (best) {
		of_attempt(x, best);
		best->answers = d->msg.ancount;
		best->tc = d->msg.tc;
		resolve(a, best, d->unparsed ? RES_UNPARSED : RES_OK, d->msg.rcode, ev->ts_us);
		trim(a);
	} else {
		hold_early(a, d);
	}
}

void attempts_unseen(struct attempts *a, uint64_t sock)
{
	struct query *q;
	uint16_t nx;

	for (nx = a->sock_head[sock_bucket(sock)]; (q = on_sock(a, sock, &nx));)
		q->unseen = true;
}

uint64_t attempts_client_sent(const struct attempts *a, const struct dns_seen *d)
{
	const struct nst_event *ev = d->ev;

	for (size_t i = 0; i < a->qhi; i++) {
		const struct query *q = &a->q[i];
		if (q->used && q->pid != ev->pid && q->id == d->msg.id && q->qtype == d->msg.qtype &&
		    same_name(q->qname, d->msg.qname) && ev->ts_us - q->ts < RELAY_WINDOW_US)
			return q->ts;
	}
	return 0;
}

void attempts_feed(struct attempts *a, const struct nst_event *ev, uint64_t sock)
{
	a->evseq++;
	switch (ev->op) {
	case NST_OP_CLOSE:
		/* The socket is gone with no answer: a timeout, however short
		 * the wait.  Another fd (dup, fork) keeps it, and its answer. */
		if (sock_gone(ev))
			resolve_socket(a, sock, RES_TIMEOUT, ev->ts_us);
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
	if (ev->op == NST_OP_WAIT) {
		on_wait(a, ev, sock);
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

void attempts_finish(struct attempts *a, uint64_t end_ts)
{
	expire_early(a, end_ts, true);
	for (size_t i = 0; i < a->qhi; i++) {
		struct query *q = &a->q[i];
		if (q->used)
			resolve(a, q, end_ts > q->ts + q->timeout_us ? RES_TIMEOUT : RES_PENDING,
				-1, end_ts);
	}
}
