/* proglookups.c - a program's lookups; see proglookups.h. */
#include "analyzers/proglookups.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/print.h"

#define OPEN_MAX 64

static char tolower_ascii(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

struct proglookups {
	struct findings *fs;
	struct prog_lookup open[OPEN_MAX];
	bool used[OPEN_MAX];
	unsigned nopen;
	struct prog_lookup rows[PROG_LOOKUPS_MAX];
	size_t nrows;
	unsigned long dropped;
};

struct proglookups *proglookups_new(struct findings *fs)
{
	struct proglookups *pl = calloc(1, sizeof(*pl));

	if (pl)
		pl->fs = fs;
	return pl;
}

void proglookups_free(struct proglookups *pl)
{
	free(pl);
}

const char *pl_result_name(enum pl_result r)
{
	static const char *const names[] = { "records", "nxdomain", "nodata", "failed", "unknown" };
	return (unsigned)r <= PL_UNKNOWN ? names[r] : "?";
}

/* The labels name a and b begin with alike: "ok.test.s1.test" and
 * "ok.test" share "ok.test" (2 labels); into stem when not NULL. */
static unsigned common_labels(const char *a, const char *b, char *stem, size_t n)
{
	size_t i = 0, end = 0;
	unsigned labels = 0;

	while (a[i] && b[i] && tolower_ascii(a[i]) == tolower_ascii(b[i])) {
		i++;
		if ((a[i] == '.' || !a[i]) && (b[i] == '.' || !b[i])) {
			labels++;
			end = i;
		}
	}
	if (stem && n) { /* stem may be a itself */
		size_t k = end < n - 1 ? end : n - 1;
		memmove(stem, a, k);
		stem[k] = '\0';
	}
	return labels;
}

static int name_index(const struct prog_lookup *l, const char *name)
{
	for (unsigned i = 0; i < l->nnames; i++)
		if (!strcasecmp(l->names[i], name))
			return (int)i;
	return -1;
}

/* Does the attempt belong to lookup l: its name again, or the next
 * candidate of the same stem while no name has had records? */
/* The same asker: the program itself, or the same client of a resolver. */
static bool same_asker(const struct prog_lookup *l, const struct pl_attempt *at)
{
	struct nst_addr c;

	if (l->pid != at->pid || l->served != (at->asker != NULL))
		return false;
	if (!l->served)
		return true;
	c = *at->client;
	c.port = 0;
	return ns_ref_same(&l->asker, at->asker) && addr_same(&l->client, &c);
}

static bool belongs(const struct prog_lookup *l, const struct pl_attempt *at)
{
	if (!same_asker(l, at) || at->ts_sent > l->last_ts + LOOKUP_GAP_US)
		return false;
	if (name_index(l, at->qname) >= 0)
		return true;
	return l->result != PL_RECORDS && common_labels(l->names[0], at->qname, NULL, 0) >= 1;
}

/* What l finally got, from what its names got. */
static void settle(struct prog_lookup *l)
{
	bool all_nx = l->nnames > 0;

	if (l->result == PL_RECORDS || l->result == PL_NODATA || l->result == PL_FAILED)
		return;
	for (unsigned i = 0; i < l->nnames; i++)
		all_nx &= l->name_nx[i];
	if (all_nx && !l->more_names)
		l->result = PL_NXDOMAIN;
}

static void finish_one(struct proglookups *pl, unsigned slot)
{
	struct prog_lookup *l = &pl->open[slot];
	struct finding f;

	settle(l);
	if (l->nnames > 1 && l->nnames <= PL_NAMES) {
		/* the stem the names share is what the program asked */
		common_labels(l->names[0], l->names[1], l->name, sizeof(l->name));
		for (unsigned i = 2; i < l->nnames; i++)
			common_labels(l->name, l->names[i], l->name, sizeof(l->name));
	}
	memset(&f, 0, sizeof(f));
	f.pid = l->pid;
	memcpy(f.comm, l->comm, sizeof(f.comm));
	f.netns = l->netns;
	f.home = l->netns;
	str_copy(f.ex_qname, sizeof(f.ex_qname), l->name);
	f.attempts = l->queries;
	f.names_tried = l->nnames + l->more_names;
	for (unsigned i = 0, o = 0; i < l->nnames && o < sizeof(f.tried); i++)
		o += (unsigned)snprintf(f.tried + o, sizeof(f.tried) - o, "%s%s", i ? ", " : "", l->names[i]);
	f.first_ts = l->first_ts;
	f.last_ts = l->last_ts;
	if (l->served) {
		f.relayed = true;
		f.asker = l->asker;
		f.netns = l->asker; /* where the client asked */
		f.dockerd = nst_is_dockerd(l->comm);
	}
	f.result = l->result == PL_RECORDS ? RES_OK : l->result == PL_FAILED ? l->fail : RES_PENDING;
	f.rcode = l->result == PL_NXDOMAIN ? DNS_NXDOMAIN : -1;
	f.client_rcode = ASKED_NOTHING;
	if (pl->fs)
		findings_offer(pl->fs, SUBJECT_PROGRAM, &f);
	if (pl->nrows < PROG_LOOKUPS_MAX)
		pl->rows[pl->nrows++] = *l;
	else
		pl->dropped++;
	pl->used[slot] = false;
	pl->nopen--;
}

static unsigned open_slot(struct proglookups *pl)
{
	unsigned oldest = 0;

	for (unsigned i = 0; i < OPEN_MAX; i++) {
		if (!pl->used[i])
			return i;
		if (pl->open[i].last_ts < pl->open[oldest].last_ts)
			oldest = i;
	}
	finish_one(pl, oldest); /* full: the oldest has ended */
	return oldest;
}

static void add_server(struct prog_lookup *l, const struct pl_attempt *at)
{
	for (unsigned i = 0; i < l->nservers; i++)
		if (!strcmp(l->servers[i].server, at->upstream) && l->servers[i].proto == at->proto) {
			l->servers[i].queries++;
			return;
		}
	if (l->nservers == PL_SERVERS)
		return;
	str_copy(l->servers[l->nservers].server, sizeof(l->servers[0].server), at->upstream);
	l->servers[l->nservers].proto = at->proto;
	l->servers[l->nservers++].queries = 1;
}

/* The attempt's answer, for its lookup's outcome. */
static void note_answer(struct prog_lookup *l, const struct pl_attempt *at, int idx)
{
	if (at->tc)
		l->truncated = true;
	if (at->proto == PROTO_TCP && l->truncated)
		l->tcp_retry = true;
	if (at->res != RES_OK) {
		if (at->res != RES_PENDING && at->res != RES_UNSEEN && at->res != RES_UNPARSED &&
		    l->result != PL_RECORDS && l->result != PL_NODATA) {
			l->result = PL_FAILED;
			l->fail = at->res;
		}
		return;
	}
	if (at->rcode == DNS_NXDOMAIN) {
		if (idx >= 0)
			l->name_nx[idx] = true;
		return;
	}
	if (at->rcode != 0 || at->tc)
		return; /* SERVFAIL, REFUSED: the library tries on; a TC goes to TCP */
	if (at->answers) {
		l->result = PL_RECORDS;
		str_copy(l->answered_name, sizeof(l->answered_name), at->qname);
	} else if (l->result != PL_RECORDS) {
		l->result = PL_NODATA;
	}
}

void proglookups_attempt(struct proglookups *pl, const struct pl_attempt *at)
{
	struct prog_lookup *l = NULL;
	int idx;

	for (unsigned i = 0; pl->nopen && i < OPEN_MAX; i++) {
		if (!pl->used[i] || !same_asker(&pl->open[i], at))
			continue;
		if (belongs(&pl->open[i], at)) {
			l = &pl->open[i];
			break;
		}
		finish_one(pl, i); /* the program moved on to another name */
	}
	if (!l) {
		unsigned s = open_slot(pl);
		l = &pl->open[s];
		memset(l, 0, sizeof(*l));
		pl->used[s] = true;
		pl->nopen++;
		l->pid = at->pid;
		str_copy(l->comm, sizeof(l->comm), at->comm);
		if (at->netns)
			l->netns = *at->netns;
		str_copy(l->name, sizeof(l->name), at->qname);
		l->result = PL_UNKNOWN;
		l->first_ts = at->ts_sent;
		if (at->asker) {
			l->served = true;
			l->asker = *at->asker;
			l->client = *at->client;
			l->client.port = 0;
		}
	}
	if ((idx = name_index(l, at->qname)) < 0) {
		if (l->nnames < PL_NAMES) {
			idx = (int)l->nnames;
			str_copy(l->names[l->nnames++], sizeof(l->names[0]), at->qname);
		} else {
			l->more_names++;
		}
	}
	l->queries++;
	l->asked_a |= at->qtype == DNS_T_A;
	l->asked_aaaa |= at->qtype == DNS_T_AAAA;
	add_server(l, at);
	note_answer(l, at, idx);
	if (at->ts_end > l->last_ts)
		l->last_ts = at->ts_end;
	if (at->ts_sent > l->last_ts)
		l->last_ts = at->ts_sent;
}

void proglookups_sweep(struct proglookups *pl, uint64_t now)
{
	for (unsigned i = 0; pl->nopen && i < OPEN_MAX; i++)
		if (pl->used[i] && now > pl->open[i].last_ts + LOOKUP_GAP_US)
			finish_one(pl, i);
}

void proglookups_finish(struct proglookups *pl)
{
	/* in the order they began, as the report lists them */
	while (pl->nopen) {
		unsigned first = OPEN_MAX;
		for (unsigned i = 0; i < OPEN_MAX; i++)
			if (pl->used[i] && (first == OPEN_MAX || pl->open[i].first_ts < pl->open[first].first_ts))
				first = i;
		finish_one(pl, first);
	}
}

const struct prog_lookup *proglookups_rows(const struct proglookups *pl, size_t *n,
					   unsigned long *dropped)
{
	*n = pl->nrows;
	*dropped = pl->dropped;
	return pl->rows;
}
