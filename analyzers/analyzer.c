/* analyzer.c - the pipeline over the event stream, wired; see analyzer.h. */
#include "analyzers/analyzer.h"

#include <stdlib.h>

#include "analyzers/dnsstream.h"
#include "analyzers/fwexplain.h"
#include "analyzers/nsthreads.h"
#include "analyzers/sockstacks.h"

#define SWEEP_EVERY_US 100000

struct analyzer {
	struct analyzer_opts o;
	struct dnsstream *ds;
	struct findings *fs;
	struct lookups *lk;
	struct proglookups *pl;
	struct attempts *at;
	struct ns_threads *th;
	struct foreign_socks *fr;
	struct sock_stacks *st;
	uint64_t now, last_sweep;
	uint64_t next_xid;     /* of attempts and lookups alike */
	struct dns_exchange x; /* of the DNS message at hand */
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
	if (a->fs)
		findings_on_outcome(a->fs, o->on_outcome);
	a->pl = a->fs ? proglookups_new(a->fs) : NULL;
	a->lk = a->pl ? lookups_new(a->fs, a->pl) : NULL;
	a->th = nsthreads_new();
	a->fr = foreign_new();
	a->st = sockstacks_new();
	if (a->lk && a->pl && a->st)
		a->at = attempts_new(a->fs, a->lk, a->pl, a->st, &a->next_xid, a->o.dns_timeout_us);
	if (!a->ds || !a->fs || !a->lk || !a->pl || !a->th || !a->fr || !a->st || !a->at) {
		analyzer_free(a);
		return NULL;
	}
	return a;
}

void analyzer_free(struct analyzer *a)
{
	if (!a)
		return;
	attempts_free(a->at);
	sockstacks_free(a->st);
	foreign_free(a->fr);
	nsthreads_free(a->th);
	dnsstream_free(a->ds);
	lookups_free(a->lk);
	proglookups_free(a->pl);
	findings_free(a->fs);
	free(a);
}

const struct findings *analyzer_findings(const struct analyzer *a)
{
	return a->fs;
}

const struct analyzer_counts *analyzer_counts(const struct analyzer *a)
{
	struct analyzer *m = (struct analyzer *)a;

	m->c.q_overflow = attempts_overflow(a->at);
	m->c.sv_overflow = lookups_overflow(a->lk);
	m->c.not_dns = dnsstream_not_dns(a->ds);
	return &a->c;
}

const struct upstream_row *analyzer_upstreams(const struct analyzer *a, size_t *n)
{
	return attempts_rows(a->at, n);
}

const struct relay_row *analyzer_relays(const struct analyzer *a, size_t *n)
{
	return lookups_relays(a->lk, n);
}

const struct lookup_row *analyzer_lookups(const struct analyzer *a, size_t *n)
{
	return lookups_rows(a->lk, n);
}

const struct prog_lookup *analyzer_prog_lookups(const struct analyzer *a, size_t *n,
						 unsigned long *dropped)
{
	return proglookups_rows(a->pl, n, dropped);
}

const struct foreign_row *analyzer_foreign(const struct analyzer *a, size_t *n)
{
	return foreign_rows(a->fr, n);
}

/* A DNS message: an attempt's query or answer, or a lookup a traced
 * resolver serves (its client's query, its reply). */
static void on_dns(const struct dns_seen *d, void *ctx)
{
	struct analyzer *a = ctx;
	const struct ns_ref *asker = NULL;

	a->x = (struct dns_exchange){ .xid = 0 };
	if (d->unparsed) { /* an answer all the same: never a timeout */
		a->c.r_recv++;
		attempts_response(a->at, d, &a->x);
		return;
	}
	if (d->outbound && !d->msg.qr) {
		a->c.q_sent++;
		attempts_query_sent(a->at, d, &a->x);
	} else if (!d->outbound && d->msg.qr) {
		a->c.r_recv++;
		attempts_response(a->at, d, &a->x);
	} else if (!d->outbound) {
		a->c.q_recv++;
		a->x = (struct dns_exchange){ .xid = ++a->next_xid, .lookup = true };
		lookups_query_received(a->lk, d, attempts_client_sent(a->at, d), a->x.xid);
	} else {
		a->c.r_sent++;
		a->x.xid = lookups_response_sent(a->lk, d, &asker);
		a->x.lookup = a->x.xid != 0;
		a->x.asker = asker;
	}
	if (a->o.on_message)
		a->o.on_message(d, &a->x, a->o.ctx);
}

void analyzer_feed(struct analyzer *a, const struct nst_event *ev)
{
	uint64_t sock = sock_key(ev);

	a->c.events++;
	if (ev->flags & NST_EV_NO_TIME)
		attempts_timeless(a->at);
	if (ev->ts_us > a->now)
		a->now = ev->ts_us;
	/* a readiness call's word on its socket at its time (the client's own
	 * timeout, an ICMP error) comes before nstrace's timeout does */
	if (a->now >= a->last_sweep + SWEEP_EVERY_US) {
		attempts_sweep(a->at, a->now, ev->op == NST_OP_WAIT ? sock : 0);
		lookups_sweep(a->lk, a->now);
		proglookups_sweep(a->pl, a->now);
		a->last_sweep = a->now;
	}
	if ((ev->flags & NST_EV_SOCK) && ev->sock.foreign)
		foreign_note(a->fr, ev);
	nsthreads_feed(a->th, ev);
	if (ev->op != NST_OP_CLOSE) /* a close's stack goes after its attempts' fate */
		sockstacks_feed(a->st, ev, sock);
	dnsstream_feed(a->ds, ev, on_dns, a);
	a->c.unseen += ev->unseen;
	if (ev->unseen && ev->dir == NST_DIR_IN)
		attempts_unseen(a->at, sock);
	attempts_feed(a->at, ev, sock);
	if (ev->op == NST_OP_CLOSE)
		sockstacks_feed(a->st, ev, sock);
}

void analyzer_firewall(struct analyzer *a, const struct fw_facts *ff)
{
	if (a->fs)
		fw_explain(a->fs, ff);
}

void analyzer_finish(struct analyzer *a, uint64_t end_ts)
{
	if (end_ts < a->now)
		end_ts = a->now;
	attempts_finish(a->at, end_ts);
	lookups_finish(a->lk, end_ts); /* its lookups end their clients' attempts */
	proglookups_finish(a->pl);
	nsthreads_finish(a->th, a->fs, end_ts);
}
