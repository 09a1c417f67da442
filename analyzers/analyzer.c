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
#include "model/parse.h"

#define MAX_QUERIES 4096
#define MAX_SERVED 4096
#define MAX_ROWS 256
#define MAX_RELAYS 64
#define MAX_FOREIGN 256
#define MAX_THREADS 1024
#define MAX_SOCK_STACKS 128
#define SWEEP_EVERY_US 100000
#define SERVED_TTL_US 30000000
#define RELAY_WINDOW_US 10000000

struct query { /* a query a traced process sent, awaiting its answer */
	bool used, tcp, foreign, loopback;
	int pid, tid;
	uint64_t sock; /* sock_key */
	char comm[NST_COMM_LEN];
	uint16_t id, qtype;
	char qname[DNS_NAME_MAX];
	uint64_t ts;
	struct nst_addr up;
	char upstream[64];
	struct ns_ref netns, home;
	int served; /* the relayed client query, or -1 */
	int stk;    /* its socket's creation stack (sock_stacks), or -1 */
	unsigned stk_gen;
};

struct served { /* a query a traced process received, as a resolver */
	bool used, forwarded, answered_up;
	int pid;
	char comm[NST_COMM_LEN];
	uint16_t id, qtype;
	char qname[DNS_NAME_MAX];
	char client[64], listener[64], upstream[64];
	uint64_t ts_client, ts_in, ts_fwd, ts_up;
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
	struct query q[MAX_QUERIES];
	struct served sv[MAX_SERVED];
	struct upstream_row rows[MAX_ROWS];
	size_t nrows;
	struct relay_row relays[MAX_RELAYS];
	size_t nrelays;
	struct foreign_row foreign[MAX_FOREIGN];
	size_t nforeign;
	struct tstate th[MAX_THREADS];
	struct sock_stack stacks[MAX_SOCK_STACKS];
	unsigned stack_gen;
	uint64_t now, last_sweep;
	size_t nq; /* queries in use: most events need no scan at all */
	size_t qhi, svhi, thi; /* slots at and above these are free: scans stop there */
	struct analyzer_counts c;
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

const struct analyzer_counts *analyzer_counts(const struct analyzer *a)
{
	return &a->c;
}

const struct upstream_row *analyzer_upstreams(const struct analyzer *a, size_t *n)
{
	*n = a->nrows;
	return a->rows;
}

const struct relay_row *analyzer_relays(const struct analyzer *a, size_t *n)
{
	*n = a->nrelays;
	return a->relays;
}

const struct foreign_row *analyzer_foreign(const struct analyzer *a, size_t *n)
{
	*n = a->nforeign;
	return a->foreign;
}

/* --- helpers -------------------------------------------------------------- */

static void ns_from(struct ns_ref *r, const struct nst_ns *ns)
{
	r->ino = ns->ino;
	snprintf(r->path, sizeof(r->path), "%s", ns->path ? ns->path : "");
	snprintf(r->label, sizeof(r->label), "%s", ns->label ? ns->label : "");
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

static struct upstream_row *row_for(struct analyzer *a, const struct query *q)
{
	for (size_t i = 0; i < a->nrows; i++) {
		struct upstream_row *r = &a->rows[i];
		if (ns_ref_same(&r->netns, &q->netns) &&
		    !strcmp(r->upstream, q->upstream) && !strcmp(r->proto, q->tcp ? "tcp" : "udp"))
			return r;
	}
	if (a->nrows == MAX_ROWS)
		return NULL;
	struct upstream_row *r = &a->rows[a->nrows++];
	r->netns = q->netns;
	snprintf(r->upstream, sizeof(r->upstream), "%s", q->upstream);
	snprintf(r->proto, sizeof(r->proto), "%s", q->tcp ? "tcp" : "udp");
	return r;
}

/* A query's fate is known: count it, and offer it to the finding rows. */
static void resolve(struct analyzer *a, struct query *q, enum dns_result res, int rcode, uint64_t ts)
{
	struct upstream_row *r = row_for(a, q);
	struct finding f;

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
	memset(&f, 0, sizeof(f));
	if (q->stk >= 0 && a->stacks[q->stk].used && a->stacks[q->stk].gen == q->stk_gen)
		f.stack = &a->stacks[q->stk].st;
	f.pid = q->pid;
	memcpy(f.comm, q->comm, sizeof(f.comm));
	f.netns = q->netns;
	f.home = q->home;
	snprintf(f.upstream, sizeof(f.upstream), "%s", q->upstream);
	snprintf(f.proto, sizeof(f.proto), "%s", q->tcp ? "tcp" : "udp");
	f.result = res;
	f.rcode = rcode;
	snprintf(f.ex_qname, sizeof(f.ex_qname), "%s", q->qname);
	f.ex_qtype = q->qtype;
	f.ex_id = q->id;
	f.first_ts = q->ts;
	f.last_ts = ts;
	f.timeout_us = a->o.dns_timeout_us;
	f.foreign = q->foreign;
	f.loopback = q->loopback;
	findings_offer(a->fs, SUBJECT_QUERY, &f);
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

/* Every pending query on the socket gets the same fate. */
static void resolve_socket(struct analyzer *a, uint64_t sock, enum dns_result res, uint64_t ts)
{
	if (!a->nq)
		return;
	for (size_t i = 0; i < a->qhi; i++)
		if (a->q[i].used && a->q[i].sock == sock)
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

static struct relay_row *relay_for(struct analyzer *a, const struct served *s)
{
	for (size_t i = 0; i < a->nrelays; i++) {
		struct relay_row *r = &a->relays[i];
		if (r->pid == s->pid && !strcmp(r->listener, s->listener) && !strcmp(r->upstream, s->upstream))
			return r;
	}
	if (a->nrelays == MAX_RELAYS)
		return NULL;
	struct relay_row *r = &a->relays[a->nrelays++];
	r->pid = s->pid;
	memcpy(r->comm, s->comm, sizeof(r->comm));
	memcpy(r->listener, s->listener, sizeof(r->listener));
	memcpy(r->upstream, s->upstream, sizeof(r->upstream));
	return r;
}

static void relay_done(struct analyzer *a, struct served *s, uint64_t ts_out)
{
	struct relay_row *r = relay_for(a, s);

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

/* A free query slot; when full, the oldest gives way, as pending. */
static struct query *query_slot(struct analyzer *a, uint64_t now)
{
	size_t i;

	for (i = 0; i < a->qhi; i++)
		if (!a->q[i].used)
			return &a->q[i];
	if (a->qhi < MAX_QUERIES)
		return &a->q[a->qhi++];
	struct query *old = &a->q[0];
	for (i = 1; i < MAX_QUERIES; i++)
		if (a->q[i].ts < old->ts)
			old = &a->q[i];
	resolve(a, old, RES_PENDING, -1, now);
	a->c.q_overflow++;
	return old;
}

/* The creation stack of the query's socket (-k), if one was kept. */
static void query_stack(struct analyzer *a, struct query *q)
{
	q->stk = -1;
	for (size_t i = 0; i < MAX_SOCK_STACKS; i++)
		if (a->stacks[i].used && a->stacks[i].sock == q->sock) {
			q->stk = (int)i;
			q->stk_gen = a->stacks[i].gen;
			return;
		}
}

/* A resolver forwarding what a client asked it: link the hops. */
static void link_relay(struct analyzer *a, struct query *q)
{
	for (size_t i = 0; i < a->svhi; i++) {
		struct served *s = &a->sv[i];
		if (s->used && !s->forwarded && s->pid == q->pid && s->qtype == q->qtype &&
		    same_name(s->qname, q->qname) && q->ts - s->ts_in < RELAY_WINDOW_US) {
			s->forwarded = true;
			s->ts_fwd = q->ts;
			snprintf(s->upstream, sizeof(s->upstream), "%s", q->upstream);
			q->served = (int)i;
			return;
		}
	}
}

static void on_query_sent(struct analyzer *a, const struct dns_seen *d)
{
	const struct nst_event *ev = d->ev;
	struct query *q;
	bool known;
	enum dns_result res;

	a->c.q_sent++;
	q = query_slot(a, ev->ts_us);
	memset(q, 0, sizeof(*q));
	q->used = true;
	a->nq++;
	q->pid = ev->pid;
	q->tid = ev->tid;
	q->sock = d->sock;
	memcpy(q->comm, ev->comm, sizeof(q->comm));
	q->id = d->msg.id;
	q->qtype = d->msg.qtype;
	snprintf(q->qname, sizeof(q->qname), "%s", d->msg.qname);
	q->ts = ev->ts_us;
	q->tcp = d->tcp;
	q->up = d->remote;
	print_addr(q->upstream, sizeof(q->upstream), &d->remote);
	q->loopback = is_loopback(&d->remote);
	q->foreign = ev->sock.foreign;
	ns_from(&q->netns, &ev->sock.netns);
	ns_from(&q->home, &ev->home_netns);
	q->served = -1;
	query_stack(a, q);
	link_relay(a, q);
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

/* An answer: the pending query on its socket with its id and question,
 * whoever read it. */
static void on_response_received(struct analyzer *a, const struct dns_seen *d)
{
	const struct nst_event *ev = d->ev;
	const char *qname = d->msg.has_question ? d->msg.qname : "";

	a->c.r_recv++;
	for (size_t i = 0; i < a->qhi; i++) {
		struct query *q = &a->q[i];
		if (!q->used || q->sock != d->sock || q->id != d->msg.id || !same_name(q->qname, qname) ||
		    (d->msg.has_question && d->msg.qtype != q->qtype) || !remote_matches(&d->remote, &q->up))
			continue;
		if (q->served >= 0 && a->sv[q->served].used) {
			a->sv[q->served].answered_up = true;
			a->sv[q->served].ts_up = ev->ts_us;
		}
		resolve(a, q, RES_OK, d->msg.rcode, ev->ts_us);
		trim(a);
		return;
	}
}

static void on_query_received(struct analyzer *a, const struct dns_seen *d)
{
	const struct nst_event *ev = d->ev;
	struct served *s = NULL;
	size_t i;

	a->c.q_recv++;
	for (i = 0; i < a->svhi && !s; i++)
		if (!a->sv[i].used)
			s = &a->sv[i];
	if (!s && a->svhi < MAX_SERVED)
		s = &a->sv[a->svhi++];
	if (!s) {
		a->c.sv_overflow++;
		return;
	}
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->pid = ev->pid;
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

	a->c.r_sent++;
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
	struct ns_ref at, sk;

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
		ns_from(&t->ns, &ev->ns_new);
		ns_from(&t->home, &ev->home_netns);
		t->since = ev->ts_us;
		return;
	}
	t = tstate_for(a, ev->tid, false);
	if (!t)
		return;
	ns_from(&at, &ev->thread_netns);
	if (!ns_ref_same(&at, &t->ns))
		return;
	/* Setting up sockets in that namespace is why it went there;
	 * anything else means it forgot to come back. */
	if (ev->flags & NST_EV_SOCK)
		ns_from(&sk, &ev->sock.netns);
	if (is_setup_call(ev->op) && (!(ev->flags & NST_EV_SOCK) || ns_ref_same(&sk, &t->ns)))
		return;
	t->calls++;
}

/* --- sockets used outside their home netns -------------------------------- */

static void note_foreign(struct analyzer *a, const struct nst_event *ev)
{
	char peer[64];
	size_t i;

	if (ev->sock.peer.family)
		print_addr(peer, sizeof(peer), &ev->sock.peer);
	else
		snprintf(peer, sizeof(peer), "(unconnected)");
	for (i = 0; i < a->nforeign; i++) {
		struct foreign_row *r = &a->foreign[i];
		if (r->pid == ev->pid && r->netns == ev->sock.netns.ino &&
		    !strcmp(r->proto, proto_short(&ev->sock)) && !strcmp(r->peer, peer)) {
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
	snprintf(r->path, sizeof(r->path), "%s",
		 ev->sock.netns.path ? ev->sock.netns.path : ev->sock.netns.label ? ev->sock.netns.label : "");
	snprintf(r->proto, sizeof(r->proto), "%s", proto_short(&ev->sock));
	snprintf(r->peer, sizeof(r->peer), "%s", peer);
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
		for (size_t i = 0; i < MAX_SOCK_STACKS; i++)
			if (a->stacks[i].used && a->stacks[i].sock == sock)
				a->stacks[i].used = false;
		return;
	}
	if (!ev->stack || ev->ret < 0 || (ev->op != NST_OP_SOCKET && ev->op != NST_OP_ACCEPT))
		return;
	for (size_t i = 0; i < MAX_SOCK_STACKS && !slot; i++) {
		if (!a->stacks[i].used || a->stacks[i].sock == sock)
			slot = &a->stacks[i];
		else if (!oldest || a->stacks[i].gen < oldest->gen)
			oldest = &a->stacks[i];
	}
	if (!slot)
		slot = oldest;
	slot->used = true;
	slot->sock = sock;
	slot->gen = ++a->stack_gen;
	stack_save(&slot->st, ev->stack);
}

/* --- feeding -------------------------------------------------------------- */

void analyzer_feed(struct analyzer *a, const struct nst_event *ev)
{
	uint64_t sock = sock_key(ev);

	a->c.events++;
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
	/* ECONNREFUSED and friends on a socket with pending queries is their
	 * fate, on a send (without a query in it) or a receive. */
	if (ev->err && ev->dir != NST_DIR_NONE && (ev->dir == NST_DIR_IN || !ev->payload_len)) {
		bool known;
		enum dns_result res = error_result(ev->err, &known);
		if (known)
			resolve_socket(a, sock, res, ev->ts_us);
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
