/* lookups.c - lookups served by a traced resolver, see lookups.h. */
#define _GNU_SOURCE
#include "analyzers/lookups.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "analyzers/slots.h"
#include "model/print.h"

#define MAX_ROWS 256
#define MAX_RELAYS 64
#define MAX_TC 32
#define ID_BUCKETS 1024 /* power of two */
#define WINDOW_US 10000000   /* an attempt follows its lookup within this */
#define TTL_US 30000000      /* a lookup without a reply is forgotten after this */
#define TC_RETRY_US 5000000  /* a TCP lookup this soon after a truncated reply retries it */
#define REPLY_GRACE_US 1000000 /* a resolver replies this soon after its last attempt failed */
#define UNFORWARDED_US 5000000 /* a lookup neither forwarded nor answered this long was dropped */

struct lookup {
	bool used, answered_up;
	uint64_t xid;
	int pid;
	char comm[NST_COMM_LEN];
	uint64_t sock; /* the listening (or accepted) socket: the reply goes there */
	struct ns_ref asker, home;
	bool tcp, tcp_retry;
	uint16_t id, qtype;
	char qname[DNS_NAME_MAX];
	struct nst_addr client, listener; /* printed only for a relay row */
	char upstream[64];
	uint64_t ts_client, ts_in, ts_fwd, ts_up;
	uint64_t ts_end; /* the latest attempt ended */
	unsigned attempts, open; /* made, and not ended yet */
	enum dns_path via[4];   /* the paths its attempts took */
	char tried[192];         /* their upstreams and results, for the finding */
	unsigned answers;        /* the reply's records */
	bool tc;                 /* the reply was truncated */
};

struct tc_reply { /* a truncated UDP reply, for spotting the TCP retry */
	struct ns_ref asker;
	uint16_t qtype;
	char qname[DNS_NAME_MAX];
	uint64_t ts;
};

struct lookups {
	struct findings *fs;
	struct proglookups *pl;
	struct lookup l[LOOKUPS_MAX];
	size_t hi; /* slots at and above are free */
	struct lookup_row rows[MAX_ROWS];
	size_t nrows;
	struct relay_row relays[MAX_RELAYS];
	size_t nrelays;
	struct tc_reply tc[MAX_TC];
	size_t ntc;
	unsigned long overflow;
	/* Lookups without a scan: the free slots, and the open ones by DNS id
	 * (what attempts and replies look them up by). */
	uint16_t free_heap[LOOKUPS_MAX];
	struct slots free; /* over free_heap: the lowest free slot first */
	uint16_t id_head[ID_BUCKETS], id_next[LOOKUPS_MAX], id_prev[LOOKUPS_MAX];
	struct chains by_id; /* over those (slots.h): by DNS id */
};

struct lookups *lookups_new(struct findings *fs, struct proglookups *pl)
{
	struct lookups *lk = calloc(1, sizeof(*lk));

	if (lk) {
		lk->fs = fs;
		lk->pl = pl;
		lk->free.free = lk->free_heap;
		lk->by_id = (struct chains){ lk->id_head, lk->id_next, lk->id_prev };
	}
	return lk;
}

void lookups_free(struct lookups *lk)
{
	free(lk);
}

unsigned long lookups_overflow(const struct lookups *lk) { return lk->overflow; }

const struct lookup_row *lookups_rows(const struct lookups *lk, size_t *n)
{
	*n = lk->nrows;
	return lk->rows;
}

const struct relay_row *lookups_relays(const struct lookups *lk, size_t *n)
{
	*n = lk->nrelays;
	return lk->relays;
}

static bool same_name(const char *x, const char *y)
{
	return !x[0] || !y[0] || !strcasecmp(x, y);
}

static size_t id_bucket(uint16_t id)
{
	return id & (ID_BUCKETS - 1);
}

/* l's slot is free again (its fields stay readable until it is taken). */
static void release(struct lookups *lk, struct lookup *l)
{
	if (!l->used)
		return;
	l->used = false;
	chains_del(&lk->by_id, id_bucket(l->id), (uint16_t)(l - lk->l));
	slots_put(&lk->free, (uint16_t)(l - lk->l));
}

/* The next open lookup with this id from slot *nx (slot + 1; 0: none), *nx
 * read ahead.  Start with *nx = lk->id_head[id_bucket(id)]. */
static struct lookup *with_id(struct lookups *lk, uint16_t id, uint16_t *nx)
{
	while (*nx) {
		struct lookup *l = &lk->l[*nx - 1];
		*nx = lk->id_next[*nx - 1];
		if (l->id == id)
			return l;
	}
	return NULL;
}

static void trim(struct lookups *lk)
{
	while (lk->hi && !lk->l[lk->hi - 1].used)
		lk->hi--;
}

/* The client's address, port 0, when it is what names the client: the
 * listener lives in the resolver's own netns (aardvark-dns on a bridge's
 * gateway, a host stub), so that netns says nothing of who asked.  Docker's
 * listener is in the container's own netns: AF_UNSPEC. */
static void lookup_client(const struct lookup *l, struct nst_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (!ns_ref_known(&l->home) || !ns_ref_same(&l->asker, &l->home) ||
	    (l->client.family != AF_INET && l->client.family != AF_INET6))
		return;
	*out = l->client;
	out->port = 0;
}

/* --- what the clients got ----------------------------------------------------- */

static struct lookup_row *row_for(struct lookups *lk, const struct lookup *l)
{
	for (size_t i = 0; i < lk->nrows; i++)
		if (lk->rows[i].pid == l->pid && ns_ref_same(&lk->rows[i].asker, &l->asker))
			return &lk->rows[i];
	if (lk->nrows == MAX_ROWS)
		return NULL;
	struct lookup_row *r = &lk->rows[lk->nrows++];
	r->asker = l->asker;
	r->pid = l->pid;
	memcpy(r->comm, l->comm, sizeof(r->comm));
	return r;
}

/* The listener's address; a port no call showed (an IP_PKTINFO fact in a
 * strace log) is left out rather than printed as 0. */
static void listener_text(char *buf, size_t n, const struct nst_addr *a)
{
	size_t len = print_addr(buf, n, a);

	if ((a->family == AF_INET || a->family == AF_INET6) && !a->port && len > 2)
		buf[len - 2] = '\0'; /* ":0" */
}

static struct relay_row *relay_for(struct lookups *lk, const struct lookup *l)
{
	for (size_t i = 0; i < lk->nrelays; i++) {
		struct relay_row *r = &lk->relays[i];
		if (r->pid == l->pid && addr_same(&r->listener_addr, &l->listener) &&
		    !strcmp(r->upstream, l->upstream))
			return r;
	}
	if (lk->nrelays == MAX_RELAYS)
		return NULL;
	struct relay_row *r = &lk->relays[lk->nrelays++];
	r->pid = l->pid;
	memcpy(r->comm, l->comm, sizeof(r->comm));
	r->listener_addr = l->listener;
	listener_text(r->listener, sizeof(r->listener), &l->listener);
	memcpy(r->upstream, l->upstream, sizeof(r->upstream));
	return r;
}

/* The lookup ended: client_rcode is what the client got (ASKED_NOTHING:
 * no reply after every attempt failed).  Count it and offer it to the
 * finding rows. */
static void finish(struct lookups *lk, struct lookup *l, int client_rcode, uint64_t ts)
{
	struct lookup_row *r = row_for(lk, l);
	struct finding f;

	if (r) {
		r->lookups++;
		if (!l->attempts)
			r->by_itself++;
		switch (client_rcode) {
		case ASKED_NOTHING: r->nothing++; break;
		case DNS_NOERROR: r->answered++; break;
		case DNS_NXDOMAIN: r->nxdomain++; break;
		case DNS_SERVFAIL: r->servfail++; break;
		case DNS_REFUSED: r->refused++; break;
		default: r->other_rcode++; break;
		}
		if (l->tcp_retry)
			r->tcp_retries++;
	}
	memset(&f, 0, sizeof(f));
	f.pid = l->pid;
	memcpy(f.comm, l->comm, sizeof(f.comm));
	f.dockerd = nst_is_dockerd(l->comm);
	f.netns = l->asker; /* where the client asked */
	f.home = l->home;
	f.relayed = true;
	f.asker = l->asker;
	lookup_client(l, &f.client);
	f.rcode = -1;
	f.client_rcode = client_rcode;
	f.attempts = l->attempts;
	str_copy(f.tried, sizeof(f.tried), l->tried);
	str_copy(f.ex_qname, sizeof(f.ex_qname), l->qname);
	f.ex_qtype = l->qtype;
	f.ex_id = l->id;
	f.first_ts = l->ts_in;
	f.last_ts = ts;
	f.xid = l->xid;
	findings_offer(lk->fs, SUBJECT_LOOKUP, &f);
	if (lk->pl) { /* one attempt of the client's own lookup */
		char listener[64];
		print_addr(listener, sizeof(listener), &l->listener);
		proglookups_attempt(lk->pl, &(struct pl_attempt){
			.pid = l->pid, .comm = l->comm, .netns = &l->asker, .qname = l->qname,
			.qtype = l->qtype, .upstream = listener, .proto = l->tcp ? PROTO_TCP : PROTO_UDP,
			.res = client_rcode == ASKED_NOTHING ? RES_TIMEOUT : RES_OK, .rcode = client_rcode,
			.answers = l->answers, .tc = l->tc, .ts_sent = l->ts_in, .ts_end = ts,
			.asker = &l->asker, .client = &l->client });
	}
	release(lk, l);
}

/* --- lookups in, replies out ---------------------------------------------------- */

static struct lookup *slot(struct lookups *lk)
{
	int i = slots_get(&lk->free, &lk->hi, LOOKUPS_MAX);

	if (i < 0) {
		lk->overflow++;
		return NULL;
	}
	return &lk->l[i];
}

/* A TCP lookup soon after a truncated UDP reply to the same question from
 * the same netns is the client's retry. */
static bool is_tc_retry(struct lookups *lk, const struct lookup *l)
{
	for (size_t i = 0; i < lk->ntc; i++) {
		struct tc_reply *t = &lk->tc[i];
		if (l->ts_in - t->ts < TC_RETRY_US && t->qtype == l->qtype &&
		    !strcasecmp(t->qname, l->qname) && ns_ref_same(&t->asker, &l->asker))
			return true;
	}
	return false;
}

static void note_tc(struct lookups *lk, const struct lookup *l, uint64_t ts)
{
	struct tc_reply *t = &lk->tc[lk->ntc < MAX_TC ? lk->ntc++ : (size_t)(ts % MAX_TC)];

	t->asker = l->asker;
	t->qtype = l->qtype;
	str_copy(t->qname, sizeof(t->qname), l->qname);
	t->ts = ts;
}

void lookups_query_received(struct lookups *lk, const struct dns_seen *d, uint64_t client_ts,
			    uint64_t xid)
{
	const struct nst_event *ev = d->ev;
	struct lookup *l;

	if (!(l = slot(lk)))
		return;
	memset(l, 0, sizeof(*l));
	l->used = true;
	l->xid = xid;
	l->pid = ev->pid;
	memcpy(l->comm, ev->comm, sizeof(l->comm));
	l->sock = d->sock;
	ns_ref_from(&l->asker, &ev->sock.netns);
	ns_ref_from(&l->home, &ev->home_netns);
	l->tcp = d->tcp;
	l->id = d->msg.id;
	l->qtype = d->msg.qtype;
	str_copy(l->qname, sizeof(l->qname), d->msg.qname);
	l->client = d->remote;
	l->listener = d->local;
	l->ts_in = ev->ts_us;
	l->ts_client = client_ts;
	l->tcp_retry = l->tcp && is_tc_retry(lk, l);
	chains_add(&lk->by_id, id_bucket(l->id), (uint16_t)(l - lk->l));
}

uint64_t lookups_response_sent(struct lookups *lk, const struct dns_seen *d,
			       const struct ns_ref **asker)
{
	const struct nst_event *ev = d->ev;
	struct lookup *l, *best = NULL;
	uint16_t nx;

	/* the same question asked twice (a client's retry with its id): the
	 * first one asked is answered */
	for (nx = lk->id_head[id_bucket(d->msg.id)]; (l = with_id(lk, d->msg.id, &nx));)
		if (l->pid == ev->pid && same_name(l->qname, d->msg.qname) &&
		    (d->remote.family == AF_UNSPEC || addr_same(&l->client, &d->remote)) &&
		    (!best || l->xid < best->xid))
			best = l;
	if ((l = best)) {
		if (l->attempts && l->answered_up) {
			struct relay_row *r = relay_for(lk, l);
			if (r)
				r->count++;
			if (r && !(ev->flags & NST_EV_NO_TIME)) { /* no clock: unknown, not 0 */
				if (l->ts_client)
					samples_add(&r->client_in, l->ts_in - l->ts_client);
				samples_add(&r->to_up, l->ts_fwd - l->ts_in);
				samples_add(&r->up_rtt, l->ts_up - l->ts_fwd);
				samples_add(&r->to_client, ev->ts_us - l->ts_up);
				samples_add(&r->total, ev->ts_us - l->ts_in);
			}
		}
		if (d->msg.tc && !d->tcp)
			note_tc(lk, l, ev->ts_us);
		l->answers = d->msg.ancount;
		l->tc = d->msg.tc;
		finish(lk, l, d->msg.rcode, ev->ts_us);
		trim(lk); /* the slot stays as it is until reused: *asker holds */
		*asker = &l->asker;
		return l->xid;
	}
	return 0;
}

/* --- attempts --------------------------------------------------------------------- */

/* Did l come after best (none yet: yes)?  Equal times (a log without a
 * clock): the one taken first, as a scan in slot order would. */
static bool later(const struct lookup *l, const struct lookup *best)
{
	return !best || l->ts_in > best->ts_in || (l->ts_in == best->ts_in && l->xid < best->xid);
}

/* Was l received from self, in netns: the attempt's own query? */
static bool from_self(const struct lookup *l, const struct nst_addr *self, const struct ns_ref *netns)
{
	return (self->family == AF_INET || self->family == AF_INET6) && self->port &&
	       addr_same(&l->client, self) && ns_ref_same(&l->asker, netns);
}

int lookups_attach(struct lookups *lk, int pid, bool has_id, uint16_t id, uint16_t qtype,
		   const char *qname, uint64_t ts, const struct nst_addr *self, const struct ns_ref *netns,
		   struct ns_ref *asker, struct nst_addr *client)
{
	struct lookup *best = NULL, *l;
	uint16_t nx;

	/* the latest lookup of the process: with its id and question when the
	 * attempt has them (by id, no scan) */
	for (nx = has_id ? lk->id_head[id_bucket(id)] : 0; (l = with_id(lk, id, &nx));)
		if (l->pid == pid && ts - l->ts_in < WINDOW_US && l->qtype == qtype &&
		    same_name(l->qname, qname) && !from_self(l, self, netns) && later(l, best))
			best = l;
	for (size_t i = 0; !has_id && i < lk->hi; i++) {
		l = &lk->l[i];
		if (l->used && l->pid == pid && ts - l->ts_in < WINDOW_US && !from_self(l, self, netns) &&
		    later(l, best))
			best = l;
	}
	if (!best && has_id) /* a resolver that picks its own ids: by the question */
		for (size_t i = 0; i < lk->hi; i++) {
			struct lookup *l = &lk->l[i];
			if (l->used && !l->attempts && l->pid == pid && l->qtype == qtype &&
			    same_name(l->qname, qname) && ts - l->ts_in < WINDOW_US &&
			    !from_self(l, self, netns))
				best = l;
		}
	if (!best)
		return -1;
	if (!best->attempts++)
		best->ts_fwd = ts;
	best->open++;
	*asker = best->asker;
	lookup_client(best, client);
	return (int)(best - lk->l);
}

void lookups_question(const struct lookups *lk, int i, char *qname, size_t n, uint16_t *qtype,
		      uint16_t *id)
{
	str_copy(qname, n, lk->l[i].qname);
	*qtype = lk->l[i].qtype;
	*id = lk->l[i].id;
}

static const char *via_text(enum dns_path via)
{
	return via == PATH_RESOLVER ? "its own" : via == PATH_CONTAINER ? "the asking" : "another";
}

/* Attempt of lookup i ended (what: its result's name, or "unknown"): one
 * open attempt less, and a line of "tried".  NULL when i is no lookup. */
static struct lookup *attempt_ended(struct lookups *lk, int i, enum dns_path via,
				    const char *upstream, enum dns_proto proto, const char *what,
				    uint64_t ts)
{
	struct lookup *l;
	size_t len;

	if (i < 0 || (size_t)i >= lk->hi || !lk->l[i].used)
		return NULL;
	l = &lk->l[i];
	len = strlen(l->tried);
	if (l->open)
		l->open--;
	if (ts > l->ts_end)
		l->ts_end = ts;
	/* "%s%s %s from %s netns: %s", put together without printf: an
	 * attempt per forwarded query */
	const char *part[] = { len ? "; " : "", upstream, " ", dns_proto_name(proto), " from ", via_text(via),
			       " netns: ", what };
	for (size_t k = 0; k < sizeof(part) / sizeof(part[0]) && len < sizeof(l->tried) - 1; k++)
		len += str_copy(l->tried + len, sizeof(l->tried) - len, part[k]);
	return l;
}

void lookups_attempt_done(struct lookups *lk, int i, enum dns_path via, const char *upstream,
			  enum dns_proto proto, enum dns_result res, uint64_t ts)
{
	struct lookup *l;
	struct lookup_row *r;

	if (res == RES_PENDING) /* not ended: the lookup may still be answered */
		return;
	if (!(l = attempt_ended(lk, i, via, upstream, proto, result_name(res), ts)))
		return;
	if ((res == RES_OK || res == RES_UNPARSED) && !l->answered_up) {
		l->answered_up = true;
		l->ts_up = ts;
		str_copy(l->upstream, sizeof(l->upstream), upstream);
	}
	if (!l->upstream[0])
		str_copy(l->upstream, sizeof(l->upstream), upstream);
	if ((r = row_for(lk, l)))
		r->via[via]++;
}

void lookups_attempt_unknown(struct lookups *lk, int i, enum dns_path via, const char *upstream,
			     enum dns_proto proto, uint64_t ts)
{
	attempt_ended(lk, i, via, upstream, proto, "unknown", ts);
}

void lookups_attempt_cancel(struct lookups *lk, int i)
{
	if (i < 0 || (size_t)i >= lk->hi || !lk->l[i].used)
		return;
	if (lk->l[i].attempts)
		lk->l[i].attempts--;
	if (lk->l[i].open)
		lk->l[i].open--;
}

/* --- ends ------------------------------------------------------------------------- */

/* No reply will come: every attempt has ended, none answered (a second
 * ago); or none was made for UNFORWARDED_US (a resolver at its concurrency
 * limit drops lookups: dockerd before 23.0; one forwarding by a way nstrace
 * does not see as DNS has answered by then). */
static bool gave_up(const struct lookup *l, uint64_t now)
{
	if (!l->attempts)
		return l->ts_in + UNFORWARDED_US <= now;
	return !l->open && !l->answered_up && l->ts_end + REPLY_GRACE_US <= now;
}

void lookups_sweep(struct lookups *lk, uint64_t now)
{
	for (size_t i = 0; i < lk->hi; i++) {
		struct lookup *l = &lk->l[i];
		if (!l->used || now <= l->ts_in + TTL_US)
			continue;
		if (gave_up(l, now))
			finish(lk, l, ASKED_NOTHING, now);
		else
			release(lk, l);
	}
	trim(lk);
}

/* A reply may still have come after the trace ended when the last attempt
 * failed just before (or only at) its end: such lookups are left out. */
void lookups_finish(struct lookups *lk, uint64_t end_ts)
{
	for (size_t i = 0; i < lk->hi; i++) {
		struct lookup *l = &lk->l[i];
		if (l->used && gave_up(l, end_ts))
			finish(lk, l, ASKED_NOTHING, end_ts);
	}
}
