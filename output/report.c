/* report.c - findings, tables and summary as text and JSON, see report.h. */
#include "output/report.h"
#include "output/textesc.h"

#include <stdlib.h>
#include <string.h>

#include "analyzers/dns.h"
#include "model/print.h"
#include "model/version.h"

/* --- findings --------------------------------------------------------------- */

static json_t *ns_json(const struct ns_ref *ns, const struct containers *names)
{
	json_t *o = json_pack("{s:o, s:o}", "inode", ns->ino ? json_integer((json_int_t)ns->ino) : json_null(),
			      "path", ns->path[0] ? json_string(ns->path) : json_null());
	const struct container *c = containers_find(names, ns->ino, ns->path);

	if (o && ns->label[0])
		json_object_set_new(o, "label", json_string(ns->label));
	if (o && c)
		json_object_set_new(o, "container", container_json(c));
	return o;
}

json_t *finding_to_json(const struct finding *f, const struct containers *names)
{
	const struct finding_row *row = finding_row(f);
	char msg[2048], fix[1024], qt[16], rc[16];
	json_t *o;

	row->message(f, names, msg, sizeof(msg));
	finding_fix(f, fix, sizeof(fix));
	o = json_pack("{s:s, s:s, s:s, s:I, s:i, s:s, s:o, s:o, s:I, s:I, s:s, s:s}",
		      "type", "finding", "id", row->name, "severity", severity_name(f->sev),
		      "count", (json_int_t)f->count, "pid", f->pid, "comm", f->comm,
		      "netns", ns_json(&f->netns, names), "home_netns", ns_json(&f->home, names),
		      "first_ts", (json_int_t)f->first_ts, "last_ts", (json_int_t)f->last_ts,
		      "message", msg, "fix", fix);
	if (!o)
		return NULL;
	if (f->relayed) {
		json_object_set_new(o, "asking", ns_json(&f->asker, names));
		if (f->client.family) { /* the client's address names it (aardvark-dns) */
			char ip[64];
			const struct container *c = containers_find_ip(names, &f->client);
			print_addr(ip, sizeof(ip), &f->client);
			ip[strlen(ip) - 2] = '\0';
			json_object_set_new(o, "asking_address", json_string(ip));
			json_object_set_new(o, "asking_container", c ? container_json(c) : json_null());
		}
		if (row->subject == SUBJECT_QUERY)
			json_object_set_new(o, "path", json_string(path_name(f->path)));
	}
	if (row->subject == SUBJECT_LOOKUP) {
		json_object_set_new(o, "client", f->client_rcode == ASKED_NOTHING ? json_string("nothing")
			: json_string(dns_rcode_str((uint16_t)f->client_rcode, rc, sizeof(rc))));
		json_object_set_new(o, "attempts", json_integer(f->attempts));
		json_object_set_new(o, "tried", json_string(f->tried));
		json_object_set_new(o, "example", json_pack("{s:s, s:s, s:i}", "qname", f->ex_qname,
			"qtype", dns_type_str(f->ex_qtype, qt, sizeof(qt)), "id", f->ex_id));
	}
	if (row->subject == SUBJECT_QUERY && f->nfw) {
		json_t *a = json_array();
		for (unsigned i = 0; i < f->nfw; i++) {
			char rule[FW_RULE_LEN + 96];
			fw_rule_text(f->fw[i].g, rule, sizeof(rule));
			json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:b}",
				"certainty", f->fw[i].likely ? "likely" : "matched", "tool", fw_tool_name(f->fw[i].g->tool),
				"table", f->fw[i].g->table, "chain", f->fw[i].g->chain,
				"rule", f->fw[i].g->rule, "command", rule,
				"packets", (json_int_t)f->fw[i].g->packets, "added", f->fw[i].g->added));
		}
		json_object_set_new(o, "firewall", a);
	}
	if (row->subject == SUBJECT_QUERY) {
		json_object_set_new(o, "upstream", json_string(f->upstream));
		json_object_set_new(o, "proto", json_string(dns_proto_name(f->proto)));
		json_object_set_new(o, "result", json_string(result_name(f->result)));
		json_object_set_new(o, "rcode", f->rcode >= 0
			? json_string(dns_rcode_str((uint16_t)f->rcode, rc, sizeof(rc))) : json_null());
		json_object_set_new(o, "example", json_pack("{s:s, s:s, s:i}", "qname", f->ex_qname,
			"qtype", dns_type_str(f->ex_qtype, qt, sizeof(qt)), "id", f->ex_id));
	}
	if (f->stack) {
		json_t *a = json_array();
		for (uint32_t i = 0; i < f->stack->n; i++)
			json_array_append_new(a, json_pack("{s:s, s:o, s:I, s:I}", "module", f->stack->f[i].module,
				"function", f->stack->f[i].function[0] ? json_string(f->stack->f[i].function) : json_null(),
				"offset", (json_int_t)f->stack->f[i].offset, "addr", (json_int_t)f->stack->f[i].addr));
		json_object_set_new(o, "stack", a);
	}
	if (row->subject == SUBJECT_PROGRAM) {
		json_object_set_new(o, "name", json_string(f->ex_qname));
		json_object_set_new(o, "queries", json_integer(f->attempts));
		json_object_set_new(o, "names_tried", json_integer(f->names_tried));
		json_object_set_new(o, "tried", json_string(f->tried));
	}
	if (row->subject == SUBJECT_THREAD) {
		json_object_set_new(o, "tid", json_integer(f->tid));
		json_object_set_new(o, "calls_while_stuck", json_integer((json_int_t)f->extra));
	}
	return o;
}

void finding_print_text(FILE *out, const struct finding *f, const struct containers *names,
			bool full)
{
	const struct finding_row *row = finding_row(f);
	char msg[4096], fix[1024], ns[512], qt[16], e[4096], e2[1024];

	ns_ref_text(&f->netns, names, ns, sizeof(ns));
	fprintf(out, "[%s] %s: %s[%d]", severity_name(f->sev), row->name,
		text_esc(e, sizeof(e), f->comm), f->pid);
	if (row->subject == SUBJECT_QUERY)
		fprintf(out, " %s %s result %s", dns_proto_name(f->proto), f->upstream, result_name(f->result));
	if (row->subject == SUBJECT_LOOKUP) {
		char got[16];
		if (f->client_rcode == ASKED_NOTHING)
			snprintf(got, sizeof(got), "nothing");
		else
			dns_rcode_str((uint16_t)f->client_rcode, got, sizeof(got));
		fprintf(out, " answered %s to %s", got, text_esc(e, sizeof(e), ns));
	} else {
		fprintf(out, " in %s", text_esc(e, sizeof(e), ns));
		if (f->relayed && ns_ref_known(&f->asker) &&
		    (!ns_ref_same(&f->asker, &f->netns) || f->client.family)) {
			char asker[512];
			finding_asker_text(f, names, asker, sizeof(asker));
			fprintf(out, " for %s", text_esc(e, sizeof(e), asker));
		}
	}
	if (full)
		fprintf(out, " (x%lu)", f->count);
	fputc('\n', out);
	if (!full)
		return;
	if (f->ex_qname[0])
		fprintf(out, "    example: %s %s (id %u)\n", text_esc(e, sizeof(e), f->ex_qname),
			dns_type_str(f->ex_qtype, qt, sizeof(qt)), f->ex_id);
	row->message(f, names, msg, sizeof(msg));
	finding_fix(f, fix, sizeof(fix));
	fprintf(out, "    why: %s\n", text_esc(e, sizeof(e), msg));
	fprintf(out, "    fix: %s\n", text_esc(e, sizeof(e), fix));
	for (unsigned i = 0; i < f->nfw; i++) {
		char rule[FW_RULE_LEN + 96];
		fw_rule_text(f->fw[i].g, rule, sizeof(rule));
		fprintf(out, "    %s %s: %s (%llu packet%s while traced%s)\n", i ? "    " : "rule:",
			f->fw[i].likely ? "likely" : "matched", text_esc(e, sizeof(e), rule),
			(unsigned long long)f->fw[i].g->packets, f->fw[i].g->packets == 1 ? "" : "s",
			f->fw[i].g->added ? ", added meanwhile" : "");
	}
	for (uint32_t i = 0; f->stack && i < f->stack->n; i++) {
		if (f->stack->f[i].function[0])
			fprintf(out, "    %s %s(%s+0x%llx) [0x%llx]\n", i ? "     " : "stack:",
				text_esc(e, sizeof(e), f->stack->f[i].module),
				text_esc(e2, sizeof(e2), f->stack->f[i].function), (unsigned long long)f->stack->f[i].offset,
				(unsigned long long)f->stack->f[i].addr);
		else
			fprintf(out, "    %s %s+0x%llx [0x%llx]\n", i ? "     " : "stack:",
				text_esc(e, sizeof(e), f->stack->f[i].module),
				(unsigned long long)f->stack->f[i].offset, (unsigned long long)f->stack->f[i].addr);
	}
}

/* --- the summary ----------------------------------------------------------- */
static json_t *row_ns_json(const struct ns_ref *ns)
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

/* What the clients of one asking netns got from a resolver. */
static json_t *prog_lookups_json(const struct analyzer *a, const struct containers *names,
				 struct select *sel);

static json_t *lookup_row_json(const struct lookup_row *r, const struct containers *names)
{
	return json_pack("{s:o, s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I}}",
		"asking", ns_json(&r->asker, names), "pid", r->pid, "comm", r->comm,
		"lookups", (json_int_t)r->lookups, "answered", (json_int_t)r->answered,
		"nxdomain", (json_int_t)r->nxdomain, "servfail", (json_int_t)r->servfail,
		"refused", (json_int_t)r->refused, "other_rcode", (json_int_t)r->other_rcode,
		"nothing", (json_int_t)r->nothing, "by_resolver", (json_int_t)r->by_itself,
		"tcp_retries", (json_int_t)r->tcp_retries, "attempts_from",
		"container", (json_int_t)r->via[PATH_CONTAINER],
		"resolver", (json_int_t)r->via[PATH_RESOLVER], "other", (json_int_t)r->via[PATH_OTHER]);
}

static bool upstream_selected(struct select *sel, const struct upstream_row *r)
{
	return !select_on(sel) || select_ref(sel, &r->netns) ||
	       (ns_ref_known(&r->asker) && select_ref(sel, &r->asker));
}

json_t *report_summary_json(const struct analyzer *a, const struct containers *names,
			    struct select *sel)
{
	const struct analyzer_counts *c = analyzer_counts(a);
	const struct upstream_row *rows;
	const struct relay_row *relays;
	const struct lookup_row *lrows;
	size_t nrows, nrelays, nlrows;
	json_t *ups = json_array(), *rel = json_array(), *lks = json_array(), *o;

	rows = analyzer_upstreams(a, &nrows);
	relays = analyzer_relays(a, &nrelays);
	lrows = analyzer_lookups(a, &nlrows);

	if (select_on(sel))
		nrelays = 0;
	for (size_t i = 0; i < nrows; i++) {
		const struct upstream_row *r = &rows[i];
		if (!upstream_selected(sel, r))
			continue;
		json_t *u = json_pack(
			"{s:s, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "upstream", r->upstream,
			"proto", dns_proto_name(r->proto), "netns", row_ns_json(&r->netns), "queries", (json_int_t)r->queries,
			"answered", (json_int_t)r->answered, "refused", (json_int_t)r->refused,
			"unreachable", (json_int_t)r->unreachable, "timeout", (json_int_t)r->timeout,
			"pending", (json_int_t)r->pending, "latency_ms", lat_json(&r->lat));
		if (u) {
			json_object_set_new(u, "blocked", json_integer((json_int_t)r->blocked));
			json_object_set_new(u, "rejected", json_integer((json_int_t)r->rejected));
			json_object_set_new(u, "unmatched", json_integer((json_int_t)r->unmatched));
			json_object_set_new(u, "asking", ns_ref_known(&r->asker) ? ns_json(&r->asker, names)
										  : json_null());
		}
		json_array_append_new(ups, u);
	}
	for (size_t i = 0; i < nlrows; i++)
		if (select_ref(sel, &lrows[i].asker))
			json_array_append_new(lks, lookup_row_json(&lrows[i], names));
	for (size_t i = 0; i < nrelays; i++) {
		const struct relay_row *r = &relays[i];
		json_t *hops = json_array();
		json_array_append_new(hops, hop_json("client", r->comm, &r->client_in));
		json_array_append_new(hops, hop_json(r->comm, "upstream", &r->to_up));
		json_array_append_new(hops, hop_json("upstream", r->comm, &r->up_rtt));
		json_array_append_new(hops, hop_json(r->comm, "client", &r->to_client));
		json_array_append_new(rel, json_pack("{s:i, s:s, s:s, s:s, s:I, s:o, s:o}", "pid", r->pid,
			"comm", r->comm, "listener", r->listener, "upstream", r->upstream,
			"count", (json_int_t)r->count, "hops", hops, "total_ms", lat_json(&r->total)));
	}
	o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "type", "summary",
		      "version", NST_VERSION,
		      "events", (json_int_t)c->events, "dns_queries_sent", (json_int_t)c->q_sent,
		      "dns_responses_received", (json_int_t)c->r_recv,
		      "dns_queries_received", (json_int_t)c->q_recv,
		      "dns_responses_sent", (json_int_t)c->r_sent, "upstreams", ups, "relays", rel);
	if (o) {
		json_object_set_new(o, "lookups", lks);
		json_object_set_new(o, "not_dns", json_integer((json_int_t)c->not_dns));
	} else {
		json_decref(lks);
	}
	if (o)
		json_object_set_new(o, "program_lookups", prog_lookups_json(a, names, sel));
	if (o && c->unseen)
		json_object_set_new(o, "unseen_messages", json_integer((json_int_t)c->unseen));
	if (o && (c->q_overflow || c->sv_overflow || findings_dropped(analyzer_findings(a))))
		json_object_set_new(o, "overflow", json_pack("{s:I, s:I, s:I}",
			"queries", (json_int_t)c->q_overflow, "served", (json_int_t)c->sv_overflow,
			"findings", (json_int_t)findings_dropped(analyzer_findings(a))));
	return o;
}

static void print_ms(FILE *out, const struct samples *s, double q)
{
	if (s->n)
		fprintf(out, " %8.3f", samples_quantile(s, q) / 1000.0);
	else
		fprintf(out, " %8s", "-");
}

/* Sockets used outside their home netns: their packets leave from there. */
static void print_foreign_sockets(FILE *f, const struct analyzer *a, struct select *sel)
{
	size_t n;
	const struct foreign_row *r = analyzer_foreign(a, &n);
	bool head = false;

	for (size_t i = 0; i < n; i++) {
		if (!select_ns(sel, r[i].netns, r[i].path))
			continue;
		if (!head)
			fprintf(f, "\nSockets used outside their process's home netns (their packets "
				   "leave from that netns, with its addresses and firewall rules):\n");
		head = true;
		char e[1024], e2[256];
		fprintf(f, "  %s[%d] %s socket in ", text_esc(e, sizeof(e), r[i].comm), r[i].pid, r[i].proto);
		if (r[i].netns)
			fprintf(f, "net:[%llu]%s", (unsigned long long)r[i].netns, r[i].path[0] ? " " : "");
		fprintf(f, "%s, peer %s: %lu events\n", text_esc(e, sizeof(e), r[i].path),
			text_esc(e2, sizeof(e2), r[i].peer), r[i].count);
	}
}

/* A namespace in a table cell: its container's name, else its path, label
 * or inode. */
static void short_ns(const struct ns_ref *ns, const struct containers *names, char *buf, size_t n)
{
	const struct container *c = containers_find(names, ns->ino, ns->path);

	if (c && ct_is_container(c->kind))
		snprintf(buf, n, "%s", c->name);
	else if (ns->path[0])
		snprintf(buf, n, "%s", ns->path);
	else if (ns->label[0])
		snprintf(buf, n, "{%s}", ns->label);
	else if (ns->ino)
		snprintf(buf, n, "net:[%llu]", (unsigned long long)ns->ino);
	else
		snprintf(buf, n, "?");
}

static unsigned long failed(const struct lookup_row *r)
{
	return r->servfail + r->refused + r->nothing;
}

static int by_failures(const void *x, const void *y)
{
	unsigned long a = failed(*(const struct lookup_row *const *)x);
	unsigned long b = failed(*(const struct lookup_row *const *)y);

	return a < b ? 1 : a > b ? -1 : 0;
}

/* A client's address without its port (not kept: each query has its own). */
static const char *client_ip(const struct prog_lookup *l, char *buf, size_t n)
{
	size_t k;

	print_addr(buf, n, &l->client);
	k = strlen(buf);
	if (k > 2 && !strcmp(buf + k - 2, ":0"))
		buf[k - 2] = '\0';
	if (buf[0] == '[' && k > 4 && buf[k - 3] == ']')
		memmove(buf, buf + 1, k - 4), buf[k - 4] = '\0';
	return buf;
}

/* What a program's lookup got, in words: "records", "NXDOMAIN",
 * "failed (timeout)". */
static const char *pl_got(const struct prog_lookup *l, char *buf, size_t n)
{
	if (l->result == PL_FAILED)
		snprintf(buf, n, "failed (%s)", result_name(l->fail));
	else
		snprintf(buf, n, "%s", l->result == PL_NXDOMAIN ? "NXDOMAIN" : l->result == PL_NODATA ? "NODATA" : pl_result_name(l->result));
	return buf;
}

static bool pl_selected(struct select *sel, const struct prog_lookup *l)
{
	/* a served lookup is its asking container's, as a relayed finding is */
	return !select_on(sel) || select_ref(sel, &l->netns) || (l->served && select_ref(sel, &l->asker));
}

static json_t *prog_lookups_json(const struct analyzer *a, const struct containers *names,
				 struct select *sel)
{
	unsigned long dropped;
	size_t n;
	const struct prog_lookup *rows = analyzer_prog_lookups(a, &n, &dropped);
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		const struct prog_lookup *l = &rows[i];
		if (!pl_selected(sel, l))
			continue;
		json_t *tried = json_array(), *srv = json_array(), *types = json_array();
		for (unsigned k = 0; k < l->nnames; k++)
			json_array_append_new(tried, json_string(l->names[k]));
		for (unsigned k = 0; k < l->nservers; k++)
			json_array_append_new(srv, json_pack("{s:s, s:s, s:i}", "server", l->servers[k].server,
				"proto", dns_proto_name(l->servers[k].proto), "queries", (int)l->servers[k].queries));
		if (l->asked_a)
			json_array_append_new(types, json_string("A"));
		if (l->asked_aaaa)
			json_array_append_new(types, json_string("AAAA"));
		json_t *o = json_pack("{s:i, s:s, s:o, s:s, s:o, s:i, s:o, s:o, s:b, s:s}", "pid", l->pid,
			"comm", l->comm, "netns", row_ns_json(&l->netns), "name", l->name, "names_tried", tried,
			"queries", (int)l->queries, "servers", srv, "types", types, "tcp_retry", l->tcp_retry,
			"result", pl_result_name(l->result));
		if (!o)
			continue;
		json_object_set_new(o, "failure", l->result == PL_FAILED ? json_string(result_name(l->fail)) : json_null());
		json_object_set_new(o, "answered_name", l->result == PL_RECORDS ? json_string(l->answered_name) : json_null());
		json_object_set_new(o, "more_names", json_integer(l->more_names));
		if (l->served) { /* a client's lookup, as the resolver pid served it */
			char ca[64];
			json_object_set_new(o, "served_for", json_pack("{s:o, s:s}", "asking",
				ns_json(&l->asker, names), "client", client_ip(l, ca, sizeof(ca))));
		}
		json_array_append_new(arr, o);
	}
	(void)names;
	if (dropped)
		json_array_append_new(arr, json_pack("{s:I}", "dropped", (json_int_t)dropped));
	return arr;
}

#define PL_TEXT_MAX 20

/* The programs' own lookups: one line each (the first PL_TEXT_MAX). */
static void print_prog_lookups(FILE *out, const struct analyzer *a, const struct containers *names,
			       struct select *sel)
{
	unsigned long dropped;
	size_t n, shown = 0, hidden = 0;
	const struct prog_lookup *rows = analyzer_prog_lookups(a, &n, &dropped);
	char e[1024], c[64], got[64];

	for (size_t i = 0; i < n; i++) {
		const struct prog_lookup *l = &rows[i];
		if (!pl_selected(sel, l))
			continue;
		if (shown == PL_TEXT_MAX) {
			hidden++;
			continue;
		}
		if (!shown++)
			fprintf(out, "\nLookups, as the asking programs lived them:\n");
		if (l->served) { /* a client of a traced resolver */
			char ns[160], ca[64];
			short_ns(&l->asker, names, ns, sizeof(ns));
			fprintf(out, "  %s (%s, by %s[%d])", text_esc(e, sizeof(e), ns), client_ip(l, ca, sizeof(ca)),
				text_esc(c, sizeof(c), l->comm), l->pid);
		} else {
			fprintf(out, "  %s[%d]", text_esc(c, sizeof(c), l->comm), l->pid);
		}
		fprintf(out, " %s%s%s: %s after %u quer%s", text_esc(e, sizeof(e), l->name),
			l->asked_a ? " A" : "", l->asked_aaaa ? " AAAA" : "", pl_got(l, got, sizeof(got)),
			l->queries, l->queries == 1 ? "y" : "ies");
		if (l->nnames > 1) {
			fprintf(out, ", %u names tried:", l->nnames + l->more_names);
			for (unsigned k = 0; k < l->nnames; k++)
				fprintf(out, "%s %s", k ? "," : "", text_esc(e, sizeof(e), l->names[k]));
		}
		fprintf(out, ", via");
		for (unsigned k = 0; k < l->nservers; k++)
			fprintf(out, "%s %s %s x%u", k ? "," : "", dns_proto_name(l->servers[k].proto),
				text_esc(e, sizeof(e), l->servers[k].server), l->servers[k].queries);
		fprintf(out, "%s\n", l->tcp_retry ? " (TCP after a truncated answer)" : "");
	}
	if (hidden + dropped)
		fprintf(out, "  ... and %lu more (all of them in --json)\n", (unsigned long)hidden + dropped);
}

/* What each asking container got: the failing ones first. */
static void print_lookups(FILE *out, const struct analyzer *a, const struct containers *names,
			  struct select *sel)
{
	const struct lookup_row *rows, *sorted[256];
	size_t n, k = 0;
	char ns[160], who[96];

	rows = analyzer_lookups(a, &n);
	for (size_t i = 0; i < n && k < 256; i++)
		if (select_ref(sel, &rows[i].asker))
			sorted[k++] = &rows[i];
	if (!(n = k))
		return;
	qsort(sorted, n, sizeof(sorted[0]), by_failures);
	fprintf(out, "\nDNS lookups served, by asking container (failing first):\n"
		     "  %-32s %-16s %7s %8s %8s %8s %7s %7s %9s  %s\n",
		"asking", "resolver", "lookups", "answered", "nxdomain", "servfail", "refused",
		"nothing", "by itself", "attempts from: container/own/other netns");
	for (size_t i = 0; i < n; i++) {
		const struct lookup_row *r = sorted[i];
		short_ns(&r->asker, names, ns, sizeof(ns));
		char e[1024], c[64];
		snprintf(who, sizeof(who), "%s[%d]", text_esc(c, sizeof(c), r->comm), r->pid);
		fprintf(out, "  %-32s %-16s %7lu %8lu %8lu %8lu %7lu %7lu %9lu  %lu/%lu/%lu%s\n",
			text_esc(e, sizeof(e), ns), who,
			r->lookups, r->answered, r->nxdomain, r->servfail, r->refused, r->nothing,
			r->by_itself, r->via[PATH_CONTAINER], r->via[PATH_RESOLVER], r->via[PATH_OTHER],
			r->tcp_retries ? " (TCP retries after truncation)" : "");
	}
}

static void print_upstreams(FILE *out, const struct analyzer *a, const struct containers *names,
			    struct select *sel)
{
	const struct upstream_row *rows;
	size_t nrows, shown = 0;
	bool asked = false;

	rows = analyzer_upstreams(a, &nrows);
	for (size_t i = 0; i < nrows; i++)
		if (upstream_selected(sel, &rows[i])) {
			asked |= ns_ref_known(&rows[i].asker);
			shown++;
		}
	if (!shown)
		return;
	fprintf(out, "\nDNS upstreams (per socket netns):\n  %-5s %-22s %-40s %7s %8s %7s %7s %7s %8s %8s %8s%s\n",
		"proto", "upstream", "socket netns", "queries", "answered", "refused", "blocked",
		"timeout", "p50 ms", "p95 ms", "max ms", asked ? "  for" : "");
	for (size_t i = 0; i < nrows; i++) {
		const struct upstream_row *r = &rows[i];
		char ns[160], asker[160];
		if (!upstream_selected(sel, r))
			continue;
		if (r->netns.path[0])
			snprintf(ns, sizeof(ns), "%s", r->netns.path);
		else if (r->netns.label[0])
			snprintf(ns, sizeof(ns), "{%s}", r->netns.label);
		else if (r->netns.ino)
			snprintf(ns, sizeof(ns), "net:[%llu]", (unsigned long long)r->netns.ino);
		else
			snprintf(ns, sizeof(ns), "?");
		char e[640];
		fprintf(out, "  %-5s %-22s %-40s %7lu %8lu %7lu %7lu %7lu", dns_proto_name(r->proto), r->upstream,
			text_esc(e, sizeof(e), ns),
			r->queries, r->answered, r->refused + r->unreachable + r->rejected, r->blocked, r->timeout);
		print_ms(out, &r->lat, 0.5);
		print_ms(out, &r->lat, 0.95);
		print_ms(out, &r->lat, 1.0);
		if (r->unmatched)
			fprintf(out, "  +%lu answer%s to no query seen", r->unmatched, r->unmatched == 1 ? "" : "s");
		if (ns_ref_known(&r->asker)) {
			short_ns(&r->asker, names, asker, sizeof(asker));
			fprintf(out, "  %s", text_esc(e, sizeof(e), asker));
		}
		fputc('\n', out);
	}
}

static void print_relays(FILE *out, const struct analyzer *a)
{
	const struct relay_row *relays;
	size_t nrelays;

	relays = analyzer_relays(a, &nrelays);
	for (size_t i = 0; i < nrelays; i++) {
		const struct relay_row *r = &relays[i];
		char c[64], l[256];
		text_esc(c, sizeof(c), r->comm);
		if (!i)
			fprintf(out, "\nDNS relays (median ms per hop):\n");
		fprintf(out, "  client -> %s[%d] %s -> upstream %s: %lu relayed\n", c, r->pid,
			text_esc(l, sizeof(l), r->listener), r->upstream, r->count);
		fprintf(out, "    client->%s", c);
		print_ms(out, &r->client_in, 0.5);
		fprintf(out, " | %s->upstream", c);
		print_ms(out, &r->to_up, 0.5);
		fprintf(out, " | upstream->%s", c);
		print_ms(out, &r->up_rtt, 0.5);
		fprintf(out, " | %s->client", c);
		print_ms(out, &r->to_client, 0.5);
		fprintf(out, " | total");
		print_ms(out, &r->total, 0.5);
		fputc('\n', out);
	}
}

void report_print_text(FILE *out, const struct analyzer *a, const struct containers *names,
		       struct select *sel)
{
	const struct findings *fs = analyzer_findings(a);
	const struct analyzer_counts *c = analyzer_counts(a);
	size_t n = findings_count(fs), shown = 0;

	fprintf(out, "\n== nstrace report: %lu events, %lu DNS queries sent, %lu answers received, "
		     "%lu queries served ==\n", c->events, c->q_sent, c->r_recv, c->q_recv);
	if (c->not_dns)
		fprintf(out, "%lu payloads on DNS sockets (port 53, 127.0.0.11) were not DNS "
			     "messages and were not counted.\n", c->not_dns);
	/* a flood of unanswered queries: their fate is unknown, and the
	 * findings may miss them; say so rather than look clean */
	if (c->unseen)
		fprintf(out, "%lu messages of sendmmsg/recvmmsg batches were not seen (past what "
			     "one call's record carries): the queries on their sockets that got no "
			     "answer nstrace saw are unknown, not timeouts.\n", c->unseen);
	if (c->q_overflow || c->sv_overflow)
		fprintf(out, "%lu queries sent and %lu served were still waiting when the table of "
			     "pending ones was full: their fate is unknown (counted as pending), and "
			     "findings about them may be missing.\n", c->q_overflow, c->sv_overflow);
	for (size_t i = 0; i < n; i++) {
		if (!select_finding(sel, findings_get(fs, i)))
			continue;
		fputc('\n', out);
		finding_print_text(out, findings_get(fs, i), names, true);
		shown++;
	}
	if (!shown)
		fprintf(out, "No findings%s.\n", select_on(sel) ? " for the selected containers" : "");
	print_lookups(out, a, names, sel);
	print_prog_lookups(out, a, names, sel);
	print_upstreams(out, a, names, sel);
	if (!select_on(sel))
		print_relays(out, a);
	print_foreign_sockets(out, a, sel);
}

void report_print_firewall(FILE *out, const struct fw_facts *ff)
{
	if (!ff->checked) {
		char e[640];
		fprintf(out, "\nFirewall: counters not compared (%s).\n", text_esc(e, sizeof(e), ff->why));
		return;
	}
	if (!ff->n) {
		fprintf(out, "\nFirewall: no DROP or REJECT rule of the traced processes' netns counted "
			     "packets while traced.\n");
		return;
	}
	fprintf(out, "\nFirewall rules that dropped or rejected packets while traced (counters at attach "
		     "and after detach):\n");
	for (size_t i = 0; i < ff->n; i++) {
		char rule[FW_RULE_LEN + 96], e[4 * sizeof(rule)];
		fw_rule_text(&ff->g[i], rule, sizeof(rule));
		fprintf(out, "  %8llu packet%s  %s  [%s path%s]\n", (unsigned long long)ff->g[i].packets,
			ff->g[i].packets == 1 ? " " : "s", text_esc(e, sizeof(e), rule),
			ff->g[i].hooks ? fw_hook_name(ff->g[i].hooks) : "unreached",
			ff->g[i].added ? ", added meanwhile" : "");
	}
	if (ff->dropped)
		fprintf(out, "  (%lu more not shown)\n", ff->dropped);
}
