/* verdict.c - diagnose's one screen (verdict.h). */
#include "diagnose/verdict.h"

#include <string.h>
#include <strings.h>

#include "analyzers/catalog.h"
#include "analyzers/findings.h"
#include "model/print.h"
#include "output/report.h"
#include "output/textesc.h"

bool verdict_resolved(const struct probe_result *r)
{
	return r->status == PS_RECORDS || r->status == PS_NODATA;
}

bool verdict_ok(const struct diag *d)
{
	bool ok = d->nres == d->nnames;

	for (unsigned i = 0; i < d->nres; i++)
		ok &= verdict_resolved(&d->res[i]);
	return ok;
}

/* The name a finding's example asked, the same as name (either may end in
 * a dot)? */
static bool same_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	la -= la > 1 && a[la - 1] == '.';
	lb -= lb > 1 && b[lb - 1] == '.';
	return la == lb && !strncasecmp(a, b, la);
}

/* One of the probe's own, or one a resolver made for it: asked from the
 * target's netns, or (a listener in the resolver's own netns) by one of
 * its addresses. */
static bool about_probe(const struct diag *d, const struct finding *f)
{
	if (f->pid == d->probe_pid)
		return true;
	if (!f->relayed)
		return false;
	if (f->client.family) {
		for (int i = 0; i < d->naddrs; i++) {
			struct nst_addr a = d->addrs[i];
			a.port = 0;
			if (addr_same(&a, &f->client))
				return true;
		}
		return false;
	}
	return d->t->netns_ino && f->asker.ino == d->t->netns_ino;
}

/* Which finding explains a failure best: an attempt that never got its
 * answer (one the resolver made for the target before the probe's own,
 * which only waited on it; one a rule explains; a result's own row before
 * dns-foreign-netns), then what the resolver answered the target without
 * one, then an error answer.  0: it explains nothing. */
static int rank(const struct finding *f)
{
	const struct finding_row *row = finding_row(f);

	if (row->subject == SUBJECT_QUERY && f->result != RES_OK && f->result != RES_PENDING)
		return 30 + (f->relayed ? 4 : 0) + (f->nfw ? 2 : 0) + (f->id != FIND_DNS_FOREIGN_NETNS);
	if (f->id == FIND_DNS_ANSWERED_BY_RESOLVER || f->id == FIND_DNS_LOOKUP_FAILED)
		return 20;
	if (f->id == FIND_DNS_ERROR_RCODE)
		return 10 + (f->relayed ? 1 : 0); /* the resolver's upstream said it, or the probe's */
	return 0;
}

const struct finding *verdict_cause(const struct diag *d, const struct probe_result *r)
{
	const struct findings *fs = analyzer_findings(d->an);
	const struct finding *best = NULL;
	int best_rank = 0;

	if (verdict_resolved(r) && !r->npassed)
		return NULL; /* nothing failed on the way */
	for (size_t i = 0; i < findings_count(fs); i++) {
		const struct finding *f = findings_get(fs, i);
		int k;
		if (!about_probe(d, f) || !(k = rank(f)))
			continue;
		k += same_name(f->ex_qname, r->name) ? 100 : 0; /* this name's own, first */
		if (k > best_rank || (k == best_rank && f->sev > best->sev)) {
			best = f;
			best_rank = k;
		}
	}
	return best;
}

static const char *status_words(const struct probe_result *r, char *buf, size_t n)
{
	char rc[16];

	switch (r->status) {
	case PS_RECORDS: snprintf(buf, n, "answered with %u record%s", r->answers, r->answers == 1 ? "" : "s"); break;
	case PS_NODATA: snprintf(buf, n, "answered: the name exists, without records of the types asked"); break;
	case PS_NXDOMAIN: snprintf(buf, n, "answered NXDOMAIN: the name does not exist"); break;
	case PS_RCODE: snprintf(buf, n, "answered %s", dns_rcode_str((uint16_t)r->rcode, rc, sizeof(rc))); break;
	case PS_TIMEOUT: snprintf(buf, n, "no answer within the timeout"); break;
	case PS_REFUSED: snprintf(buf, n, "refused (ICMP port unreachable)"); break;
	case PS_UNREACHABLE: snprintf(buf, n, "unreachable (%s)", errno_name(r->err) ? errno_name(r->err) : "no route"); break;
	case PS_BLOCKED: snprintf(buf, n, "blocked in its own netns (%s: an OUTPUT rule or an LSM)", errno_name(r->err) ? errno_name(r->err) : "EPERM"); break;
	default: snprintf(buf, n, "failed (%s)", errno_name(r->err) ? errno_name(r->err) : "?"); break;
	}
	return buf;
}

static const char *server_kind_words(const struct ns_server *s, char *buf, size_t n)
{
	switch (s->kind) {
	case NSS_LOCAL:
		if (s->pid)
			snprintf(buf, n, "served in the target's netns by %s[%d]%s", s->comm, s->pid,
				 s->port != 53 ? " (a listener behind a DNAT, as Docker's embedded resolver)" : "");
		else
			snprintf(buf, n, "a listener in the target's netns (its process not found)");
		break;
	case NSS_LOOPBACK_NONE:
		snprintf(buf, n, "a loopback address nothing listens on in the target's netns");
		break;
	case NSS_HOST:
		if (s->pid)
			snprintf(buf, n, "an address of the host, served by %s[%d]", s->comm, s->pid);
		else
			snprintf(buf, n, "an address of the host with a listener (its process not found)");
		break;
	case NSS_HOST_NONE:
		snprintf(buf, n, "an address of the host where nothing listens on port 53");
		break;
	case NSS_REMOTE:
		snprintf(buf, n, "a remote server, asked by the target's own traffic (a container's crosses the host's forwarding path)");
		break;
	default:
		snprintf(buf, n, "unknown (its netns's sockets could not be read)");
	}
	return buf;
}

static const struct ns_server *served_of(const struct diag *d, const struct nst_addr *a)
{
	for (unsigned i = 0; i < d->nservers; i++)
		if (addr_same(&d->servers[i], a))
			return &d->served[i];
	return NULL;
}

/* An attempt's fate, as the end of "and it was ...". */
static const char *fate_words(enum dns_result r)
{
	switch (r) {
	case RES_REFUSED: return "refused (ICMP port unreachable)";
	case RES_UNREACHABLE: return "unreachable (no route, or an ICMP host unreachable)";
	case RES_TIMEOUT: return "never answered (it timed out)";
	case RES_BLOCKED: return "blocked before it left (EPERM: an OUTPUT rule or an LSM)";
	case RES_REJECTED: return "rejected (an ICMP error came back)";
	default: return result_name(r);
	}
}

/* Does the target's resolv.conf mark f's upstream host(...): one dockerd
 * asks from its own netns (Docker's "# ExtServers:" comment)? */
static bool ext_host(const struct diag *d, const struct finding *f)
{
	char a[64];

	for (unsigned i = 0; d->rc && i < d->rc->next; i++) {
		print_addr(a, sizeof(a), &d->rc->ext[i].addr);
		if (d->rc->ext[i].host && !strcmp(a, f->upstream))
			return true;
	}
	return false;
}

/* Whose rule g is, seen from the target: its own netns's, or the host's. */
static const char *rule_owner(const struct diag *d, const struct fw_grown *g)
{
	if (!g->netns || !d->t->netns_ino)
		return "";
	return g->netns == d->t->netns_ino ? "its own " : "the host ";
}

static void why(const struct diag *d, const struct probe_result *r, const struct finding *f, char *buf,
		size_t n);

/* "web cannot resolve example.com: ..." */
static void sentence(const struct diag *d, const struct probe_result *r, const struct finding *f,
		     char *buf, size_t n)
{
	char srv[64], how[160];
	size_t len;

	print_addr(srv, sizeof(srv), &r->server);
	if (verdict_resolved(r) && !r->npassed) {
		snprintf(buf, n, "%s resolves %s: %s %s in %u ms", d->t->name, r->name, srv,
			 status_words(r, how, sizeof(how)), r->ms);
		return;
	}
	if (verdict_resolved(r)) { /* the first server(s) failed on the way: say why */
		struct probe_result first = *r;
		first.status = r->passed[0].status;
		first.rcode = r->passed[0].rcode;
		first.server = r->passed[0].server;
		first.npassed = 0;
		char fsrv[64], fhow[160];
		print_addr(fsrv, sizeof(fsrv), &first.server);
		len = (size_t)snprintf(buf, n, "%s resolves %s, slowly: %s %s in %u ms, but only after %s gave %s: ",
				       d->t->name, r->name, srv, status_words(r, how, sizeof(how)), r->ms, fsrv,
				       status_words(&first, fhow, sizeof(fhow)));
		if (len < n)
			why(d, &first, f, buf + len, n - len);
		return;
	}
	len = (size_t)snprintf(buf, n, "%s cannot resolve %s: ", d->t->name, r->name);
	if (len >= n)
		return;
	why(d, r, f, buf + len, n - len);
}

/* Why r failed, after "cannot resolve NAME: " (or "only after "). */
static void why(const struct diag *d, const struct probe_result *r, const struct finding *f, char *buf,
		size_t n)
{
	char srv[64], how[160], ns[512];
	const struct ns_server *s = served_of(d, &r->server);
	size_t len = 0;

	print_addr(srv, sizeof(srv), &r->server);
	if (r->status == PS_NXDOMAIN) {
		snprintf(buf + len, n - len, "%s answered NXDOMAIN: the path works, the name does not exist", srv);
		return;
	}
	/* what the sockets of its netns say outweighs what one refusal says */
	if (s && s->kind == NSS_LOOPBACK_NONE && r->status != PS_TIMEOUT) {
		snprintf(buf + len, n - len, "its nameserver %s is a loopback address and nothing listens "
			 "there in its netns (%s)", srv, status_words(r, how, sizeof(how)));
		return;
	}
	if (!f) {
		snprintf(buf + len, n - len, "%s: %s; nstrace saw nothing that says why", srv,
			 status_words(r, how, sizeof(how)));
		return;
	}
	if (d->host_ino && f->netns.ino == d->host_ino)
		snprintf(ns, sizeof(ns), "the host's, net:[%llu]", (unsigned long long)f->netns.ino);
	else
		ns_ref_text(&f->netns, d->names_tab, ns, sizeof(ns));
	if (finding_row(f)->subject == SUBJECT_LOOKUP) {
		char rc[16];
		if (f->client_rcode == ASKED_NOTHING)
			snprintf(rc, sizeof(rc), "nothing");
		else
			dns_rcode_str((uint16_t)f->client_rcode, rc, sizeof(rc));
		len += (size_t)snprintf(buf + len, n - len, "%s answered %s %s", f->comm, rc,
					f->attempts ? "after its forwarding failed" : "itself, without forwarding it");
		if (f->attempts && f->tried[0] && len < n)
			len += (size_t)snprintf(buf + len, n - len, " (%s)", f->tried);
	} else if (f->id == FIND_DNS_ERROR_RCODE) {
		char rc[16];
		dns_rcode_str((uint16_t)(f->rcode >= 0 ? f->rcode : 2), rc, sizeof(rc));
		len += (size_t)snprintf(buf + len, n - len, "%s answered %s", f->upstream, rc);
	} else if (f->relayed) {
		char from[640];
		if (f->path == PATH_RESOLVER)
			snprintf(from, sizeof(from), "its own netns (%s)%s", ns,
				 ext_host(d, f) ? ", as the target's resolv.conf says it does (# ExtServers: host(...))" : "");
		else if (ns_ref_same(&f->netns, &f->asker))
			snprintf(from, sizeof(from), "%s's netns", d->t->name);
		else
			str_copy(from, sizeof(from), ns);
		len += (size_t)snprintf(buf + len, n - len, "%s forwarded the lookup from %s to %s over %s, and it was %s",
					f->comm, from, f->upstream, dns_proto_name(f->proto), fate_words(f->result));
	} else {
		len += (size_t)snprintf(buf + len, n - len, "its own query to %s over %s was %s", f->upstream,
					dns_proto_name(f->proto), fate_words(f->result));
	}
	if (len < n && f->nfw) {
		char rule[FW_RULE_LEN + 96];
		const struct fw_grown *g = f->fw[0].g;
		fw_rule_text(g, rule, sizeof(rule));
		len += (size_t)snprintf(buf + len, n - len, "; %s%srule `%s` %s it (%llu packet%s)",
			 f->fw[0].likely ? "likely " : "", rule_owner(d, g), rule,
			 g->verdict == FW_REJECT ? "rejected" : g->verdict == FW_DROP ? "dropped" : "stopped",
			 (unsigned long long)g->packets, g->packets == 1 ? "" : "s");
	}
	if (len < n && d->t->named && d->t->ct.internal)
		snprintf(buf + len, n - len, "; %s is on an --internal network, where by design nothing leads out",
			 d->t->name);
}

/* A rule the counters proved (not a likely one) that is the user's own
 * (not one of Docker's own chains, which it rewrites): delete it, or let
 * DNS through before it; then the row's fix. */
static bool rule_fix(const struct finding *f, char *buf, size_t n)
{
	const struct fw_grown *g = f->nfw ? f->fw[0].g : NULL;
	char rest[1024];
	const char *tool;

	if (!g || f->fw[0].likely || g->policy || (g->tool != FW_IPTABLES && g->tool != FW_IP6TABLES) ||
	    strncmp(g->rule, "-A ", 3) || (!strncmp(g->chain, "DOCKER", 6) && strcmp(g->chain, "DOCKER-USER")))
		return false;
	tool = fw_tool_name(g->tool);
	finding_fix(f, rest, sizeof(rest));
	/* cut to n when long: the rule's own command comes first */
	return snprintf(buf, n, "that rule is the cause: remove it (%s -t %s -D %s), or let DNS through "
			"before it (%s -t %s -I %s -p udp --dport 53 -j ACCEPT, and the same with -p tcp). "
			"Otherwise: %s", tool, g->table, g->rule + 3, tool, g->table, g->chain, rest) > 0;
}

/* The target's container runtime's command ("docker", "podman"), NULL for
 * a netns or a process: no runtime's advice for those. */
static const char *runtime(const struct diag *d)
{
	if (!d->t->named)
		return NULL;
	return d->t->ct.kind == CT_DOCKER ? "docker" : d->t->ct.kind == CT_PODMAN ? "podman" : NULL;
}

/* The fix for r: what the netns's sockets say, else the cause's row's. */
static bool fix_text(const struct diag *d, const struct probe_result *r, const struct finding *f,
		     char *buf, size_t n)
{
	const struct ns_server *s = served_of(d, &r->server);

	const char *rt = runtime(d);

	if (s && s->kind == NSS_LOOPBACK_NONE && r->status != PS_TIMEOUT) {
		snprintf(buf, n, "give the target a nameserver it can reach (a loopback one, such as a host's "
			 "127.0.0.53 stub copied in, means the target's own loopback): %s%sa resolv.conf naming "
			 "the upstream; or run a resolver in its netns", rt ? rt : "", rt ? " run --dns, or " : "");
		return true;
	}
	if (f && rt && d->t->ct.internal) {
		snprintf(buf, n, "an --internal network has no way out, by design: connect %s to a "
			 "network that has one too (%s network connect NET %s), or serve the names it "
			 "needs inside the internal network", d->t->name, rt, d->t->name);
		return true;
	}
	if (f && rule_fix(f, buf, n))
		return true;
	if (f)
		finding_fix(f, buf, n);
	return f != NULL;
}

static void print_fix(FILE *out, const struct diag *d, const struct probe_result *r, const struct finding *f)
{
	char fix[1024], e[2048];

	if (fix_text(d, r, f, fix, sizeof(fix)))
		fprintf(out, "  fix: %s\n", text_esc(e, sizeof(e), fix));
}

/* Every name resolved at once: none failed, none only after another server. */
static bool verdict_all(const struct diag *d)
{
	bool all = verdict_ok(d);

	for (unsigned i = 0; i < d->nres; i++)
		all &= !d->res[i].npassed;
	return all;
}

void verdict_print_text(FILE *out, const struct diag *d)
{
	char line[2048], e[4096], srv[64], kind[256], how[160];

	for (unsigned i = 0; i < d->nres; i++) {
		const struct probe_result *r = &d->res[i];
		const struct finding *f = verdict_cause(d, r);
		sentence(d, r, f, line, sizeof(line));
		fprintf(out, "%s %s.\n", !verdict_resolved(r) ? "[FAIL]" : r->npassed ? "[slow]" : "[ok]", text_esc(e, sizeof(e), line));
		print_fix(out, d, r, f);
	}
	for (unsigned i = d->nres; i < d->nnames; i++)
		fprintf(out, "[FAIL] %s: the probe ended without a result for %s.\n", d->t->name, d->names[i]);
	fprintf(out, "\nNameservers of %s (%s%s):\n", d->t->name, d->t->resolv_path,
		d->t->resolv_guess ? ": no process in its netns, the file ip netns exec would give" : "");
	if (d->default_server)
		fprintf(out, "  (no nameserver line: libc asks 127.0.0.1)\n");
	for (unsigned i = 0; i < d->nservers; i++) {
		print_addr(srv, sizeof(srv), &d->servers[i]);
		fprintf(out, "  %s: %s\n", srv, server_kind_words(&d->served[i], kind, sizeof(kind)));
		for (unsigned k = 0; k < d->nres; k++)
			for (unsigned j = 0; j < d->res[k].npassed; j++)
				if (addr_same(&d->res[k].passed[j].server, &d->servers[i])) {
					struct probe_result pr = d->res[k];
					pr.status = pr.passed[j].status;
					pr.rcode = pr.passed[j].rcode;
					fprintf(out, "    %s: %s, passed over for the next\n", pr.name,
						status_words(&pr, how, sizeof(how)));
				}
		for (unsigned k = 0; k < d->nres; k++)
			if (addr_same(&d->res[k].server, &d->servers[i]))
				fprintf(out, "    %s: %s in %u ms (%u quer%s, %s)\n", d->res[k].name,
					status_words(&d->res[k], how, sizeof(how)), d->res[k].ms, d->res[k].tries,
					d->res[k].tries == 1 ? "y" : "ies", d->res[k].tcp ? "tcp" : "udp");
	}
	if (d->rc)
		fprintf(out, "  options: timeout %us, attempts %u, ndots %u%s%s\n", d->rc->timeout_s, d->rc->attempts,
			d->rc->ndots, d->rc->use_vc ? ", use-vc" : "", d->rc->rotate ? ", rotate" : "");
	/* the evidence: the findings about the probe's lookups (when all went
	 * well, only errors: a warning about a healthy path is no news here) */
	const struct findings *fs = analyzer_findings(d->an);
	bool head = false, trouble = !verdict_all(d);
	for (size_t i = 0; i < findings_count(fs); i++) {
		const struct finding *f = findings_get(fs, i);
		if (!about_probe(d, f) || (!trouble && f->sev < SEV_ERROR))
			continue;
		if (!head)
			fprintf(out, "\nEvidence:\n");
		head = true;
		finding_print_text(out, f, d->names_tab, true);
	}
}

static json_t *result_json(const struct diag *d, const struct probe_result *r)
{
	const struct finding *f = verdict_cause(d, r);
	char srv[64], line[2048], fix[1024];
	json_t *o;

	print_addr(srv, sizeof(srv), &r->server);
	sentence(d, r, f, line, sizeof(line));
	o = json_pack("{s:s, s:b, s:s, s:i, s:i, s:s, s:s}", "name", r->name, "resolved",
		      verdict_resolved(r), "status", probe_status_name(r->status), "ms", (int)r->ms,
		      "queries", (int)r->tries, "proto", r->tcp ? "tcp" : "udp", "verdict", line);
	if (!o)
		return NULL;
	json_object_set_new(o, "server", r->server.family ? json_string(srv) : json_null());
	json_object_set_new(o, "rcode", r->rcode >= 0 ? json_integer(r->rcode) : json_null());
	json_t *passed = json_array();
	for (unsigned i = 0; i < r->npassed; i++) {
		char a[64];
		print_addr(a, sizeof(a), &r->passed[i].server);
		json_array_append_new(passed, json_pack("{s:s, s:s}", "server", a, "status",
							probe_status_name(r->passed[i].status)));
	}
	json_object_set_new(o, "slow", json_boolean(verdict_resolved(r) && r->npassed));
	json_object_set_new(o, "passed_over", passed);
	json_object_set_new(o, "errno", r->err && errno_name(r->err) ? json_string(errno_name(r->err)) : json_null());
	json_object_set_new(o, "cause", f ? finding_to_json(f, d->names_tab) : json_null());
	json_object_set_new(o, "fix", fix_text(d, r, f, fix, sizeof(fix)) ? json_string(fix) : json_null());
	return o;
}

json_t *verdict_json(const struct diag *d)
{
	json_t *names = json_array(), *servers = json_array(), *o;
	char srv[64], kind[256];

	for (unsigned i = 0; i < d->nres; i++)
		json_array_append_new(names, result_json(d, &d->res[i]));
	for (unsigned i = d->nres; i < d->nnames; i++) /* the probe ended first */
		json_array_append_new(names, json_pack("{s:s, s:b, s:n, s:n, s:n}", "name", d->names[i],
						       "resolved", 0, "status", "verdict", "cause"));
	for (unsigned i = 0; i < d->nservers; i++) {
		const struct ns_server *s = &d->served[i];
		print_addr(srv, sizeof(srv), &d->servers[i]);
		json_t *e = json_pack("{s:s, s:s, s:s}", "server", srv, "kind", ns_server_kind_name(s->kind), "says",
				      server_kind_words(s, kind, sizeof(kind)));
		if (e) {
			json_object_set_new(e, "pid", s->pid ? json_integer(s->pid) : json_null());
			json_object_set_new(e, "comm", s->pid ? json_string(s->comm) : json_null());
			json_object_set_new(e, "port", s->kind == NSS_LOCAL || s->kind == NSS_HOST ? json_integer(s->port) : json_null());
		}
		json_array_append_new(servers, e);
	}
	o = json_pack("{s:s, s:s, s:s, s:b, s:o, s:o}", "type", "diagnosis", "target", d->t->name, "resolv_conf",
		      d->t->resolv_path, "resolved", verdict_ok(d), "names", names, "nameservers", servers);
	if (o) {
		const struct findings *fs = analyzer_findings(d->an);
		json_t *ev = json_array();
		for (size_t i = 0; i < findings_count(fs); i++)
			if (about_probe(d, findings_get(fs, i)))
				json_array_append_new(ev, finding_to_json(findings_get(fs, i), d->names_tab));
		json_object_set_new(o, "evidence", ev);
		json_object_set_new(o, "netns", json_pack("{s:I, s:s}", "inode", (json_int_t)d->t->netns_ino, "path",
							  d->t->netns_path));
		json_object_set_new(o, "container", d->t->named ? container_json(&d->t->ct) : json_null());
	}
	return o;
}
