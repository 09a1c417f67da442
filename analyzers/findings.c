/* findings.c - aggregation and wording of diagnoses, see findings.h. */
#include "analyzers/findings.h"

#include <stdlib.h>
#include <string.h>

#include "model/containers.h"
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

static bool same_key(const struct finding *a, const struct finding *b)
{
	return !strcmp(a->id, b->id) && a->pid == b->pid && a->netns.ino == b->netns.ino &&
	       !strcmp(a->netns.path, b->netns.path) && !strcmp(a->netns.label, b->netns.label) &&
	       !strcmp(a->upstream, b->upstream) &&
	       a->result == b->result && a->rcode == b->rcode && a->tid == b->tid;
}

void findings_add(struct findings *fs, const struct finding *f)
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

static void ns_text(const struct ns_ref *ns, char *buf, size_t n)
{
	const struct container *c = containers_find(ns->ino, ns->path);
	char ct[160];

	if (c) { /* "net:[X] (/run/docker/netns/Y) of container web (abc, 172.18.0.2)" */
		int m;
		container_text(c, ct, sizeof(ct));
		if (ns->ino)
			m = snprintf(buf, n, "net:[%llu] (%s) of %s", (unsigned long long)ns->ino,
				     ns->path[0] ? ns->path : c->netns_path, ct);
		else
			m = snprintf(buf, n, "%s of %s", ns->path[0] ? ns->path : c->netns_path, ct);
		(void)m;
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

static bool is_foreign(const struct finding *f)
{
	return !strcmp(f->id, "dns-foreign-netns") || !strcmp(f->id, "dns-loopback-upstream-foreign-netns") ||
	       f->foreign;
}

#define FIREWALL_FIX \
	"allow udp and tcp port 53 from the container subnet to %s in the host firewall's " \
	"forwarding path (for Docker: iptables -I DOCKER-USER -p udp --dport 53 -j ACCEPT, and " \
	"the same with -p tcp), or give the container a DNS server directly: dns: in compose, " \
	"--dns on docker run, or \"dns\" in /etc/docker/daemon.json"

void finding_message(const struct finding *f, char *buf, size_t n)
{
	char ns[512], home[512], rc[16];
	const char *id = f->id;

	ns_text(&f->netns, ns, sizeof(ns));
	ns_text(&f->home, home, sizeof(home));
	if (!strcmp(id, "dns-foreign-netns")) {
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
	} else if (!strcmp(id, "dns-upstream-refused")) {
		int m = snprintf(buf, n,
				 f->result == RES_REFUSED
				 ? "DNS queries from %s (pid %d) to %s were refused: the socket got "
				   "ECONNREFUSED, i.e. an ICMP port-unreachable came back, from a firewall "
				   "REJECT rule or because nothing listens on %s."
				 : "DNS queries from %s (pid %d) to %s failed as unreachable (EHOSTUNREACH/"
				   "ENETUNREACH): there is no route to it from the namespace the socket "
				   "lives in, or a firewall rejects it with host-unreachable (%s).",
				 f->comm, f->pid, f->upstream, f->upstream);
		if (m > 0 && (size_t)m < n && is_foreign(f))
			snprintf(buf + m, n - (size_t)m,
				 " The socket lives in network namespace %s, not in the process's own %s: the "
				 "query left from the container's namespace with its source address, so the "
				 "rejection happens on that path. The host path is not the one the query took: "
				 "the same server may well answer queries made from the host.",
				 ns, home);
	} else if (!strcmp(id, "dns-upstream-timeout")) {
		int m = snprintf(buf, n,
				 "DNS queries from %s (pid %d) to %s got no answer within %.1f s or before "
				 "the socket was closed: the packets are silently dropped (a firewall DROP "
				 "rule), or the server is down or unreachable.",
				 f->comm, f->pid, f->upstream, (double)f->timeout_us / 1e6);
		if (m > 0 && (size_t)m < n && is_foreign(f))
			snprintf(buf + m, n - (size_t)m,
				 " The socket lives in network namespace %s, not in the process's own %s: the "
				 "query left from the container's namespace, so the drop happens on that path; "
				 "the same server may answer queries made from the host.",
				 ns, home);
	} else if (!strcmp(id, "dns-loopback-upstream-foreign-netns")) {
		snprintf(buf, n,
			 "%s (pid %d) sent DNS queries to %s, a loopback address, on a socket that lives "
			 "in network namespace %s, not in its own %s. Loopback there is the container's "
			 "own loopback: a resolver listening on the host's loopback (systemd-resolved on "
			 "127.0.0.53, a local dnsmasq) cannot be reached from it. Result: %s%s.",
			 f->comm, f->pid, f->upstream, ns, home, result_name(f->result),
			 f->result == RES_OK ? " (whatever answered listens inside that namespace, not on "
					       "the host)" : "");
	} else if (!strcmp(id, "dns-error-rcode")) {
		snprintf(buf, n, "Upstream %s answered DNS queries from %s (pid %d) with %s.",
			 f->upstream, f->comm, f->pid, dns_rcode_str((uint16_t)f->rcode, rc, sizeof(rc)));
	} else if (!strcmp(id, "netns-thread-stuck")) {
		snprintf(buf, n,
			 "Thread %d of %s (pid %d) entered network namespace %s and was still there when "
			 "the trace ended, after %lu further calls there. Every socket it creates now "
			 "lands in that namespace, and its traffic leaves from there.",
			 f->tid, f->comm, f->pid, ns, f->extra);
	} else {
		snprintf(buf, n, "%s", id);
	}
}

void finding_fix(const struct finding *f, char *buf, size_t n)
{
	const char *id = f->id;

	if (!strcmp(id, "dns-foreign-netns")) {
		snprintf(buf, n, "If container DNS fails, " FIREWALL_FIX ".", f->upstream);
	} else if (!strcmp(id, "dns-upstream-refused")) {
		snprintf(buf, n,
			 "Check that a DNS server listens on %s; if one does, find the REJECT rule that "
			 "matches port 53 from the container subnet (iptables -S DOCKER-USER; iptables -S "
			 "FORWARD) and " FIREWALL_FIX ".",
			 f->upstream, f->upstream);
	} else if (!strcmp(id, "dns-upstream-timeout")) {
		snprintf(buf, n,
			 "Find the DROP rule or missing route for port 53 from the container subnet "
			 "(iptables -S DOCKER-USER; iptables -S FORWARD; ip route inside the container), "
			 "then " FIREWALL_FIX ".",
			 f->upstream);
	} else if (!strcmp(id, "dns-loopback-upstream-foreign-netns")) {
		snprintf(buf, n,
			 "Do not give containers a loopback resolver: set --dns, dns: in compose, or \"dns\" "
			 "in /etc/docker/daemon.json to an address reachable from the container (the real "
			 "upstream server, or a host address on which the local resolver listens).");
	} else if (!strcmp(id, "dns-error-rcode")) {
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
	} else if (!strcmp(id, "netns-thread-stuck")) {
		snprintf(buf, n,
			 "Code that enters another namespace must switch back (in Go: keep the OS thread "
			 "locked until it has, or let the thread exit); report it to the program's "
			 "authors. Restarting the process clears it.");
	} else {
		buf[0] = '\0';
	}
}

static json_t *ns_json(const struct ns_ref *ns)
{
	json_t *o = json_pack("{s:o, s:o}", "inode", ns->ino ? json_integer((json_int_t)ns->ino) : json_null(),
			      "path", ns->path[0] ? json_string(ns->path) : json_null());
	if (o && ns->label[0])
		json_object_set_new(o, "label", json_string(ns->label));
	const struct container *c = containers_find(ns->ino, ns->path);
	if (o && c)
		json_object_set_new(o, "container", container_json(c));
	return o;
}

json_t *finding_to_json(const struct finding *f)
{
	char msg[2048], fix[1024], qt[16], rc[16];
	json_t *o;

	finding_message(f, msg, sizeof(msg));
	finding_fix(f, fix, sizeof(fix));
	o = json_pack("{s:s, s:s, s:s, s:I, s:i, s:s, s:o, s:o, s:I, s:I, s:s, s:s}",
		      "type", "finding", "id", f->id, "severity", severity_name(f->sev),
		      "count", (json_int_t)f->count, "pid", f->pid, "comm", f->comm,
		      "netns", ns_json(&f->netns), "home_netns", ns_json(&f->home),
		      "first_ts", (json_int_t)f->first_ts, "last_ts", (json_int_t)f->last_ts,
		      "message", msg, "fix", fix);
	if (!o)
		return NULL;
	if (f->upstream[0]) {
		json_object_set_new(o, "upstream", json_string(f->upstream));
		json_object_set_new(o, "proto", json_string(f->proto));
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
	if (f->tid)
		json_object_set_new(o, "tid", json_integer(f->tid));
	if (!strcmp(f->id, "netns-thread-stuck"))
		json_object_set_new(o, "calls_while_stuck", json_integer((json_int_t)f->extra));
	return o;
}

void finding_print_text(FILE *out, const struct finding *f, bool full)
{
	char msg[4096], fix[1024], ns[512], qt[16];

	ns_text(&f->netns, ns, sizeof(ns));
	fprintf(out, "[%s] %s: %s[%d]", severity_name(f->sev), f->id, f->comm, f->pid);
	if (f->upstream[0])
		fprintf(out, " %s %s result %s", f->proto, f->upstream, result_name(f->result));
	fprintf(out, " in %s", ns);
	if (full)
		fprintf(out, " (x%lu)", f->count);
	fputc('\n', out);
	if (!full)
		return;
	if (f->ex_qname[0])
		fprintf(out, "    example: %s %s (id %u)\n", f->ex_qname,
			dns_type_str(f->ex_qtype, qt, sizeof(qt)), f->ex_id);
	finding_message(f, msg, sizeof(msg));
	finding_fix(f, fix, sizeof(fix));
	fprintf(out, "    why: %s\n    fix: %s\n", msg, fix);
	for (uint32_t i = 0; f->stack && i < f->stack->n; i++) {
		if (f->stack->f[i].function[0])
			fprintf(out, "    %s %s(%s+0x%llx) [0x%llx]\n", i ? "     " : "stack:", f->stack->f[i].module,
				f->stack->f[i].function, (unsigned long long)f->stack->f[i].offset,
				(unsigned long long)f->stack->f[i].addr);
		else
			fprintf(out, "    %s %s+0x%llx [0x%llx]\n", i ? "     " : "stack:", f->stack->f[i].module,
				(unsigned long long)f->stack->f[i].offset, (unsigned long long)f->stack->f[i].addr);
	}
}
