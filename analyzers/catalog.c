/* catalog.c - the finding rows and their wording; see catalog.h. */
#include "analyzers/catalog.h"

#include <stdio.h>
#include <string.h>

#include "analyzers/dns.h"
#include "model/print.h"

/* --- wording shared by the rows --------------------------------------------- */

#define DOCKER_FIREWALL_FIX \
	"allow udp and tcp port 53 from the container subnet to %s in the host firewall's " \
	"forwarding path (for Docker: iptables -I DOCKER-USER -p udp --dport 53 -j ACCEPT, and " \
	"the same with -p tcp), or give the container a DNS server directly: dns: in compose, " \
	"--dns on docker run, or \"dns\" in /etc/docker/daemon.json"

static enum severity sev_error(const struct finding *f)
{
	(void)f;
	return SEV_ERROR;
}

static enum severity sev_warning(const struct finding *f)
{
	(void)f;
	return SEV_WARNING;
}

/* Is the attempt on the resolver's own (home) path: Docker 28's host path? */
static bool own_path(const struct finding *f)
{
	return f->relayed && f->path == PATH_RESOLVER;
}

/* "dockerd (pid 7041)", and for whom: ", forwarding lookups from container
 * web (3f2a.., 172.18.0.2)," */
static void who(const struct finding *f, const struct containers *names, char *buf, size_t n)
{
	char a[512];

	if (!f->relayed || !ns_ref_known(&f->asker)) {
		snprintf(buf, n, "%s (pid %d)", f->comm, f->pid);
		return;
	}
	finding_asker_text(f, names, a, sizeof(a));
	snprintf(buf, n, "%s (pid %d), %s lookups from %s,", f->comm, f->pid,
		 finding_row(f)->subject == SUBJECT_LOOKUP ? "serving" : "forwarding", a);
}

/* Where the socket lives, when that is not the home netns. */
static int foreign_sentence(const struct finding *f, const struct containers *names, char *buf,
			    size_t n, const char *what)
{
	char ns[512], home[512];
	const char *whose = f->dockerd ? "the container's" : "that";

	ns_ref_text(&f->netns, names, ns, sizeof(ns));
	ns_ref_text(&f->home, names, home, sizeof(home));
	return snprintf(buf, n,
			" The socket lives in network namespace %s, not in the process's own %s: the "
			"query left from %s namespace with its source address, so the %s happens on "
			"that path.",
			ns, home, whose, what);
}

/* Why dockerd asked this server from its own netns, from what is known of
 * the server and the asking container, never from a version. */
static const char *own_path_why(const struct finding *f, const struct containers *names)
{
	const struct container *c = containers_find(names, f->asker.ino, f->asker.path);

	if (!f->dockerd)
		return "";
	if (f->loopback)
		return " (a loopback server: it listens in dockerd's namespace, so dockerd asks it "
		       "from there)";
	if (f->upstream[0] == '[' && c && c->v6 == CT_V6_NO)
		return " (an IPv6 server, and the asking container has no IPv6 address: dockerd asks "
		       "it from its own namespace)";
	return " (the host's: dockerd asks the servers of the host's resolv.conf from there; "
	       "--dns servers from the container's)";
}

/* The attempt left from the resolver's own netns (Docker's host path). */
static int own_path_sentence(const struct finding *f, const struct containers *names, char *buf,
			     size_t n)
{
	char home[512];

	ns_ref_text(&f->home, names, home, sizeof(home));
	return snprintf(buf, n,
			" The socket lives in %s's own network namespace %s%s: its queries take that "
			"namespace's address and its OUTPUT chain, the path %s DNS to %s takes too.",
			f->comm, home, own_path_why(f, names),
			f->dockerd ? "the host's own" : "any other program's", f->upstream);
}

/* Appended to a failed attempt's message when it was made from an
 * --internal network's container (dockerd before 23.0.10 still forwarded
 * those, from the container's netns, where nothing leads out). */
static void internal_note(const struct finding *f, const struct containers *names, char *buf,
			  size_t n)
{
	const struct container *c;
	size_t m = strlen(buf);

	if (!f->dockerd || !f->relayed || f->path != PATH_CONTAINER || m + 1 >= n ||
	    !(c = containers_find(names, f->asker.ino, f->asker.path)) || !c->internal)
		return;
	snprintf(buf + m, n - m,
		 " The container is on an --internal network: by design nothing leads out of it, so "
		 "its lookups cannot reach an outside server (dockerd from 23.0.10 and 25.0.5 does not "
		 "even try, and answers SERVFAIL itself).");
}

/* The path sentence of a failed attempt, appended at buf + m. */
static void path_sentence(const struct finding *f, const struct containers *names, char *buf,
			  size_t n, int m, const char *what)
{
	if (m <= 0 || (size_t)m >= n)
		return;
	if (own_path(f))
		own_path_sentence(f, names, buf + m, n - (size_t)m);
	else if (f->foreign) {
		m += foreign_sentence(f, names, buf + m, n - (size_t)m, what);
		if (m > 0 && (size_t)m < n)
			snprintf(buf + m, n - (size_t)m,
				 " The host path is not the one the query took: the same server may well "
				 "answer queries made from the host.");
	}
}

/* --- the rows --------------------------------------------------------------- */

/* dns-foreign-netns: the article's case. */
static bool when_foreign(const struct finding *f)
{
	return f->foreign;
}

static enum severity sev_foreign(const struct finding *f)
{
	return f->result == RES_OK || f->result == RES_UNPARSED || f->result == RES_PENDING ||
			       f->result == RES_UNSEEN
		       ? SEV_WARNING : SEV_ERROR;
}

static void msg_foreign(const struct finding *f, const struct containers *names, char *buf,
			size_t n)
{
	char w[768], ns[512], home[512];
	const char *whose = f->dockerd ? "the container's" : "that";

	who(f, names, w, sizeof(w));
	ns_ref_text(&f->netns, names, ns, sizeof(ns));
	ns_ref_text(&f->home, names, home, sizeof(home));
	snprintf(buf, n,
		 "%s sent DNS queries to %s over %s on a socket that lives in network namespace %s, "
		 "not in its own namespace %s. A socket belongs to the namespace it was created in: "
		 "the thread entered %s namespace (setns), created the socket there and switched "
		 "back, so the query leaves from %s namespace with %s source address. The host's "
		 "forwarding firewall rules (%s) apply to it, not the rules for the host's own "
		 "traffic: DNS that works from the host proves nothing about this path. Result: %s.",
		 w, f->upstream, dns_proto_name(f->proto), ns, home, whose, whose, whose,
		 f->dockerd ? "FORWARD, DOCKER-USER" : "FORWARD", result_name(f->result));
}

static void fix_foreign(const struct finding *f, char *buf, size_t n)
{
	if (f->dockerd)
		snprintf(buf, n, "If container DNS fails, " DOCKER_FIREWALL_FIX ".", f->upstream);
	else
		snprintf(buf, n,
			 "If DNS from that namespace fails, allow udp and tcp port 53 from its address "
			 "to %s in the host's forwarding path (iptables -S FORWARD), or create the socket "
			 "in the process's own namespace.", f->upstream);
}

/* dns-loopback-upstream-foreign-netns */
static bool when_loopback(const struct finding *f)
{
	return f->foreign && f->loopback;
}

static void msg_loopback(const struct finding *f, const struct containers *names, char *buf,
			 size_t n)
{
	char w[768], ns[512], home[512];

	who(f, names, w, sizeof(w));
	ns_ref_text(&f->netns, names, ns, sizeof(ns));
	ns_ref_text(&f->home, names, home, sizeof(home));
	snprintf(buf, n,
		 "%s sent DNS queries to %s, a loopback address, on a socket that lives in network "
		 "namespace %s, not in its own %s. Loopback there is %s own loopback: a resolver "
		 "listening on the host's loopback (systemd-resolved on 127.0.0.53, a local dnsmasq) "
		 "cannot be reached from it. Result: %s%s.",
		 w, f->upstream, ns, home, f->dockerd ? "the container's" : "that namespace's",
		 result_name(f->result),
		 f->result == RES_OK ? " (whatever answered listens inside that namespace, not on "
				       "the host)" : "");
}

static void fix_loopback(const struct finding *f, char *buf, size_t n)
{
	if (f->dockerd)
		snprintf(buf, n,
			 "Do not give containers a loopback resolver: set --dns, dns: in compose, or "
			 "\"dns\" in /etc/docker/daemon.json to an address reachable from the container "
			 "(the real upstream server, or a host address on which the local resolver "
			 "listens).");
	else
		snprintf(buf, n,
			 "Use an address reachable from that namespace (the real upstream server, or an "
			 "address of the host on which the local resolver listens), not a loopback one.");
}

/* dns-upstream-refused: ECONNREFUSED; dns-upstream-unreachable:
 * EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL (one message for both) */
static bool when_refused(const struct finding *f)
{
	return f->result == RES_REFUSED || f->result == RES_REJECTED;
}

static bool when_unreachable(const struct finding *f)
{
	return f->result == RES_UNREACHABLE;
}

static void msg_refused(const struct finding *f, const struct containers *names, char *buf,
			size_t n)
{
	char w[768];
	int m;

	who(f, names, w, sizeof(w));
	if (f->result == RES_REJECTED)
		m = snprintf(buf, n,
			     "DNS queries from %s to %s were rejected: the kernel reported an ICMP error "
			     "on the socket (POLLERR) and the program gave up on it without reading "
			     "which, so port-unreachable (a firewall REJECT rule, or nothing listens on "
			     "%s) and host-unreachable (a REJECT --reject-with host-unreachable, or no "
			     "route) cannot be told apart. The packets were not silently dropped.",
			     w, f->upstream, f->upstream);
	else
		m = snprintf(buf, n,
			     f->result == RES_REFUSED
			     ? "DNS queries from %s to %s were refused: the socket got ECONNREFUSED, i.e. an "
			       "ICMP port-unreachable came back, from a firewall REJECT rule or because "
			       "nothing listens on %s."
			     : "DNS queries from %s to %s failed as unreachable (ENETUNREACH/EHOSTUNREACH/"
			       "EADDRNOTAVAIL): there is no route to it from the namespace the socket lives "
			       "in (an IPv6 server from a namespace without IPv6, say), or a firewall rejects "
			       "it with host-unreachable (%s).",
			     w, f->upstream, f->upstream);
	path_sentence(f, names, buf, n, m, "rejection");
	internal_note(f, names, buf, n);
}

static void fix_refused(const struct finding *f, char *buf, size_t n)
{
	char ip[64];

	if (f->dockerd && !own_path(f))
		snprintf(buf, n,
			 "Check that a DNS server listens on %s; if one does, find the REJECT rule that "
			 "matches port 53 from the container subnet (iptables -S DOCKER-USER; iptables -S "
			 "FORWARD) and " DOCKER_FIREWALL_FIX ".",
			 f->upstream, f->upstream);
	else if (own_path(f))
		snprintf(buf, n,
			 "Check that a DNS server listens on %s and that %s routes to it (ip route "
			 "get %s); if one does, find the REJECT rule on %s output path "
			 "(iptables -S OUTPUT) and allow udp and tcp port 53 to it%s.",
			 f->upstream, f->dockerd ? "the host" : "its namespace", finding_upstream_ip(f, ip, sizeof(ip)),
			 f->dockerd ? "the host's own" : "that namespace's",
			 f->dockerd ? ", or give the container a DNS server it reaches itself (--dns on "
				      "docker run, dns: in compose): dockerd then forwards from the "
				      "container's namespace" : "");
	else
		snprintf(buf, n,
			 "Check that a DNS server listens on %s and that the socket's namespace routes to "
			 "it; if one does, find the REJECT rule that matches port 53 on that path "
			 "(iptables -S OUTPUT in the namespace, iptables -S FORWARD on the host) and "
			 "allow udp and tcp port 53 to it.", f->upstream);
}

static void fix_unreachable(const struct finding *f, char *buf, size_t n)
{
	char ip[64];

	finding_upstream_ip(f, ip, sizeof(ip));
	if (f->foreign)
		snprintf(buf, n,
			 "Check the route to %s from the socket's namespace (nsenter --net=<its netns "
			 "file> ip route get %s): add the missing route or address family there%s, or "
			 "find the REJECT --reject-with host-unreachable rule on that path.",
			 ip, ip,
			 f->dockerd ? ", or give the container a DNS server it can reach (--dns on docker "
				      "run, dns: in compose)" : "");
	else
		snprintf(buf, n,
			 "Check the route to %s from %s namespace (ip route get %s): add the missing "
			 "route, or use a server of an address family the namespace has (an IPv4 server "
			 "where there is no IPv6), or find the REJECT --reject-with host-unreachable rule.",
			 ip, own_path(f) ? "the resolver's own" : "the process's", ip);
}

/* dns-upstream-blocked: EPERM, EACCES from send or connect */
static bool when_blocked(const struct finding *f)
{
	return f->result == RES_BLOCKED;
}

static void msg_blocked(const struct finding *f, const struct containers *names, char *buf,
			size_t n)
{
	char w[768], ns[512];
	int m;

	who(f, names, w, sizeof(w));
	ns_ref_text(&f->netns, names, ns, sizeof(ns));
	m = snprintf(buf, n,
		     "DNS queries from %s to %s could not be sent: the kernel refused them with "
		     "EPERM or EACCES, which is what a REJECT or DROP rule in the OUTPUT chain of the "
		     "sending namespace (%s), or a security module (SELinux, AppArmor), returns for "
		     "locally sent packets. No packet left.",
		     w, f->upstream, ns);
	if (m > 0 && (size_t)m < n && own_path(f))
		own_path_sentence(f, names, buf + m, n - (size_t)m);
	internal_note(f, names, buf, n);
}

static void fix_blocked(const struct finding *f, char *buf, size_t n)
{
	if (f->foreign)
		snprintf(buf, n,
			 "Find the rule in the OUTPUT chain of the socket's namespace that matches port "
			 "53 to %s (nsenter --net=%s iptables -S OUTPUT), or the security "
			 "module's denial (journalctl -k | grep -i denied), and allow udp and tcp port 53.",
			 f->upstream, f->netns.path[0] ? f->netns.path : "<its netns file>");
	else
		snprintf(buf, n,
			 "Find the rule in the OUTPUT chain of %s that matches port 53 to %s (iptables "
			 "-S OUTPUT; nft list ruleset), or the security module's denial (journalctl -k | "
			 "grep -i denied), and allow udp and tcp port 53 to it%s.",
			 f->dockerd ? "the host" : "the process's own namespace", f->upstream,
			 f->dockerd && own_path(f) ? "; or give the container a DNS server of its own "
						     "(--dns), which dockerd forwards from the "
						     "container's namespace instead" : "");
}

/* dns-upstream-timeout */
static bool when_timeout(const struct finding *f)
{
	return f->result == RES_TIMEOUT;
}

static void msg_timeout(const struct finding *f, const struct containers *names, char *buf,
			size_t n)
{
	char w[768];
	int m;

	who(f, names, w, sizeof(w));
	if (f->client_timeout)
		m = snprintf(buf, n,
			     "DNS queries from %s to %s got no answer within the program's own "
			     "timeout of %.1f s (its wait for the socket returned 0), and no error came "
			     "on the socket: the packets are silently dropped (a firewall DROP rule), "
			     "or the server is down or unreachable.",
			     w, f->upstream, (double)f->timeout_us / 1e6);
	else
		m = snprintf(buf, n,
			     "DNS queries from %s to %s got no answer within %.1f s or before the socket "
			     "was closed: the packets are silently dropped (a firewall DROP rule), or the "
			     "server is down or unreachable.",
			     w, f->upstream, (double)f->timeout_us / 1e6);
	if (m > 0 && (size_t)m < n)
		m += snprintf(buf + m, n - (size_t)m, "%s",
			      f->deaf ? " The socket is not connected, so it hears no ICMP error: a "
					"REJECT looks the same as a DROP to it."
				      : " A REJECT with host-unreachable looks the same to a socket that "
					"did not ask for ICMP errors (IP_RECVERR).");
	if (m <= 0 || (size_t)m >= n)
		return;
	if (own_path(f))
		own_path_sentence(f, names, buf + m, n - (size_t)m);
	else if (f->foreign) {
		char ns[512], home[512];
		ns_ref_text(&f->netns, names, ns, sizeof(ns));
		ns_ref_text(&f->home, names, home, sizeof(home));
		snprintf(buf + m, n - (size_t)m,
			 " The socket lives in network namespace %s, not in the process's own %s: the "
			 "query left from %s namespace, so the drop happens on that path; the same "
			 "server may answer queries made from the host.",
			 ns, home, f->dockerd ? "the container's" : "that");
	}
	internal_note(f, names, buf, n);
}

static void fix_timeout(const struct finding *f, char *buf, size_t n)
{
	char ip[64];

	if (f->dockerd && !own_path(f))
		snprintf(buf, n,
			 "Find the DROP rule or missing route for port 53 from the container subnet "
			 "(iptables -S DOCKER-USER; iptables -S FORWARD; ip route inside the container), "
			 "then " DOCKER_FIREWALL_FIX ".",
			 f->upstream);
	else if (own_path(f) || !f->foreign)
		snprintf(buf, n,
			 "Find the DROP rule or missing route for port 53 to %s on %s output "
			 "path (iptables -S OUTPUT; ip route get %s), or check that the server is up.",
			 f->upstream, f->dockerd ? "the host's own" : "its own namespace's",
			 finding_upstream_ip(f, ip, sizeof(ip)));
	else
		snprintf(buf, n,
			 "Find the DROP rule or missing route for port 53 to %s on the path from the "
			 "socket's namespace (iptables -S OUTPUT and ip route inside it, iptables -S "
			 "FORWARD on the host), or check that the server is up.", f->upstream);
}

/* dns-error-rcode: the upstream answered, with SERVFAIL, REFUSED or NXDOMAIN */
static bool when_rcode(const struct finding *f)
{
	return f->result == RES_OK &&
	       (f->rcode == DNS_SERVFAIL || f->rcode == DNS_REFUSED || f->rcode == DNS_NXDOMAIN);
}

static enum severity sev_rcode(const struct finding *f)
{
	return f->rcode == DNS_NXDOMAIN ? SEV_INFO : SEV_WARNING;
}

static void msg_rcode(const struct finding *f, const struct containers *names, char *buf,
		      size_t n)
{
	char w[768], rc[16];

	who(f, names, w, sizeof(w));
	snprintf(buf, n, "Upstream %s answered DNS queries from %s with %s.",
		 f->upstream, w, dns_rcode_str((uint16_t)f->rcode, rc, sizeof(rc)));
}

static void fix_rcode(const struct finding *f, char *buf, size_t n)
{
	snprintf(buf, n,
		 f->rcode == DNS_NXDOMAIN
		 ? "The name does not exist at %s: check its spelling and the search domains in "
		   "the /etc/resolv.conf of whoever asked."
		 : f->rcode == DNS_REFUSED
		 ? "%s refuses this client: check its allow list (allow-query, listen address) "
		   "for the source address the query came from, which for a socket in another "
		   "namespace is that namespace's."
		 : "%s could not resolve the name (its own upstreams failed, or DNSSEC "
		   "validation failed): check that server's logs.",
		 f->upstream);
}

/* dns-lookup-failed: a relayed lookup whose forwarding failed */
static bool client_failed(const struct finding *f)
{
	return f->client_rcode == ASKED_NOTHING || f->client_rcode == DNS_SERVFAIL ||
	       f->client_rcode == DNS_REFUSED;
}

static bool when_lookup_failed(const struct finding *f)
{
	return f->attempts > 0 && client_failed(f);
}

static void client_text(const struct finding *f, char *buf, size_t n)
{
	if (f->client_rcode == ASKED_NOTHING)
		snprintf(buf, n, "nothing (the client times out)");
	else
		dns_rcode_str((uint16_t)f->client_rcode, buf, n);
}

static void msg_lookup_failed(const struct finding *f, const struct containers *names,
			      char *buf, size_t n)
{
	char w[768], got[48], qt[16];

	who(f, names, w, sizeof(w));
	client_text(f, got, sizeof(got));
	snprintf(buf, n,
		 "Lookups such as %s %s asked of %s failed: it answered %s after forwarding them "
		 "%u time%s, each attempt failing (%s). Programs there see a failed lookup.",
		 f->ex_qname, dns_type_str(f->ex_qtype, qt, sizeof(qt)), w, got, f->attempts,
		 f->attempts == 1 ? "" : "s", f->tried);
}

static void fix_lookup_failed(const struct finding *f, char *buf, size_t n)
{
	snprintf(buf, n,
		 "The findings about the forwarding attempts say where each one failed and how to "
		 "fix that path%s.",
		 f->dockerd ? "; meanwhile a container can be given a DNS server it reaches (--dns on "
			      "docker run, dns: in compose)" : "");
}

/* dns-answered-by-resolver: SERVFAIL, REFUSED or nothing, without
 * forwarding at all */
static bool when_by_resolver(const struct finding *f)
{
	return f->attempts == 0 && (f->client_rcode == DNS_SERVFAIL || f->client_rcode == DNS_REFUSED ||
				    f->client_rcode == ASKED_NOTHING);
}

static void msg_by_resolver(const struct finding *f, const struct containers *names, char *buf,
			    size_t n)
{
	char w[768], rc[16], qt[16];

	const struct container *c = containers_find(names, f->asker.ino, f->asker.path);

	who(f, names, w, sizeof(w));
	dns_rcode_str((uint16_t)f->client_rcode, rc, sizeof(rc));
	if (f->client_rcode == ASKED_NOTHING)
		snprintf(buf, n,
			 "%s dropped lookups such as %s %s: it neither forwarded them nor answered, and "
			 "the clients time out.%s",
			 w, f->ex_qname, dns_type_str(f->ex_qtype, qt, sizeof(qt)),
			 f->dockerd ? " dockerd before 23.0 does this at its concurrency limit: 1024 "
				      "forwarded lookups outstanding at once, usually behind an upstream "
				      "that drops them (each waits for its timeout)." : "");
	else if (f->dockerd && c && c->internal && f->client_rcode == DNS_SERVFAIL)
		snprintf(buf, n,
			 "%s answered %s itself to lookups such as %s %s, without opening any socket "
			 "to an upstream server: the container is on an --internal network, and since "
			 "23.0.10 and 25.0.5 dockerd does not forward lookups from internal networks "
			 "(earlier versions forwarded them from the host's namespace, CVE-2024-29018).",
			 w, rc, f->ex_qname, dns_type_str(f->ex_qtype, qt, sizeof(qt)));
	else if (f->dockerd)
		snprintf(buf, n,
			 "%s answered %s itself to lookups such as %s %s, without opening any socket "
			 "to an upstream server. %s",
			 w, rc, f->ex_qname, dns_type_str(f->ex_qtype, qt, sizeof(qt)),
			 f->client_rcode == DNS_REFUSED
			 ? "REFUSED is what dockerd answers at its concurrency limit: 1024 forwarded "
			   "queries outstanding at once, usually behind an upstream that drops them "
			   "(each waits 4 s)."
			 : "dockerd does so when it has no upstream server to try for this container, "
			   "or when the container's network is --internal (since 23.0.10 and 25.0.5 "
			   "dockerd does not forward from internal networks).");
	else
		snprintf(buf, n,
			 "%s answered %s itself to lookups such as %s %s, without asking any upstream "
			 "server.",
			 w, rc, f->ex_qname, dns_type_str(f->ex_qtype, qt, sizeof(qt)));
}

static void fix_by_resolver(const struct finding *f, char *buf, size_t n)
{
	if (!f->dockerd)
		snprintf(buf, n, "Check the resolver's configuration: its upstream servers and the "
				 "clients it serves.");
	else if (f->client_rcode == DNS_REFUSED || f->client_rcode == ASKED_NOTHING)
		snprintf(buf, n,
			 "Fix the upstream path that leaves queries unanswered (see the timeout "
			 "findings), or lower the rate of lookups.");
	else
		snprintf(buf, n,
			 "Check the container's networks (docker network inspect: \"Internal\": true "
			 "cannot reach external DNS, by design) and its DNS servers (the # ExtServers "
			 "line of its /etc/resolv.conf); give it a server it reaches with --dns, or "
			 "attach it to a network that is not internal.");
}

/* netns-thread-stuck */
static bool when_stuck(const struct finding *f)
{
	return f->extra > 0;
}

static void msg_stuck(const struct finding *f, const struct containers *names, char *buf,
		      size_t n)
{
	char ns[512];

	ns_ref_text(&f->netns, names, ns, sizeof(ns));
	snprintf(buf, n,
		 "Thread %d of %s (pid %d) entered network namespace %s and was still there when "
		 "the trace ended, after %lu further calls there. Every socket it creates now "
		 "lands in that namespace, and its traffic leaves from there.",
		 f->tid, f->comm, f->pid, ns, f->extra);
}

static void fix_stuck(const struct finding *f, char *buf, size_t n)
{
	(void)f;
	snprintf(buf, n,
		 "Code that enters another namespace must switch back (in Go: keep the OS thread "
		 "locked until it has, or let the thread exit); report it to the program's "
		 "authors. Restarting the process clears it.");
}

/* dns-search-amplification: a program's lookup that took several names */
static bool when_amplified(const struct finding *f)
{
	return f->names_tried >= 2;
}

static enum severity sev_info(const struct finding *f)
{
	(void)f;
	return SEV_INFO;
}

static void msg_amplified(const struct finding *f, const struct containers *names, char *buf,
			  size_t n)
{
	char who[768];

	if (f->relayed) {
		char ns[512];
		ns_ref_text(&f->asker, names, ns, sizeof(ns));
		snprintf(who, sizeof(who), "a client in %s (served by %s, pid %d)", ns, f->comm, f->pid);
	} else {
		snprintf(who, sizeof(who), "%s (pid %d)", f->comm, f->pid);
	}
	snprintf(buf, n,
		 "A lookup of %s by %s took %u queries for %u names, which is the pattern of ndots "
		 "and the search list: a name with fewer dots than ndots is tried with each search "
		 "domain first (%s). Kubernetes' ndots:5 costs four NXDOMAINs before the real name.",
		 f->ex_qname[0] ? f->ex_qname : "?", who, f->attempts, f->names_tried, f->tried);
}

static void fix_amplified(const struct finding *f, char *buf, size_t n)
{
	snprintf(buf, n,
		 "Ask for the fully qualified name with a trailing dot (%s.), or lower ndots "
		 "(options ndots:1 in resolv.conf; dnsConfig.options in a pod spec), or shorten "
		 "the search list.",
		 f->ex_qname[0] ? f->ex_qname : "name");
}

/* dns-parallel-reply-lost: one of two queries sent together was answered */
static bool when_pair_lost(const struct finding *f)
{
	return f->result == RES_TIMEOUT && f->pair_answered;
}

static void msg_pair_lost(const struct finding *f, const struct containers *names, char *buf,
			  size_t n)
{
	char w[768], qt[16];

	who(f, names, w, sizeof(w));
	snprintf(buf, n,
		 "%s sent two queries together on one socket to %s (glibc sends A and AAAA with "
		 "one sendmmsg); one was answered, the other (%s %s) never was, and the client "
		 "waited out its timeout. This is the pattern of the Linux conntrack insertion "
		 "race on a NAT'd path, such as a Kubernetes service address or Docker's DNAT: "
		 "the two packets share a source port and one reply is lost. A server or firewall "
		 "that drops one query type looks the same.",
		 w, f->upstream, f->ex_qname, dns_type_str(f->ex_qtype, qt, sizeof(qt)));
}

static void fix_pair_lost(const struct finding *f, char *buf, size_t n)
{
	(void)f;
	snprintf(buf, n,
		 "Have glibc send the two queries one after the other from a new socket "
		 "(options single-request-reopen in resolv.conf; dnsConfig.options in a pod "
		 "spec), or use TCP (options use-vc), or run a node-local cache (NodeLocal "
		 "DNSCache); the kernel's fixes for the race landed in Linux 4.19 and 5.0.");
}

const struct finding_row finding_rows[FIND_COUNT] = {
	/* name, subject, rcode in key, a firewall rule can explain it,
	 * when, severity, message, fix */
	[FIND_DNS_FOREIGN_NETNS] = { "dns-foreign-netns", SUBJECT_QUERY, false, false,
		when_foreign, sev_foreign, msg_foreign, fix_foreign },
	[FIND_DNS_LOOPBACK_UPSTREAM_FOREIGN_NETNS] = { "dns-loopback-upstream-foreign-netns",
		SUBJECT_QUERY, false, false, when_loopback, sev_error, msg_loopback, fix_loopback },
	[FIND_DNS_UPSTREAM_REFUSED] = { "dns-upstream-refused", SUBJECT_QUERY, false, true,
		when_refused, sev_error, msg_refused, fix_refused },
	[FIND_DNS_UPSTREAM_UNREACHABLE] = { "dns-upstream-unreachable", SUBJECT_QUERY, false, true,
		when_unreachable, sev_error, msg_refused, fix_unreachable },
	[FIND_DNS_UPSTREAM_BLOCKED] = { "dns-upstream-blocked", SUBJECT_QUERY, false, true,
		when_blocked, sev_error, msg_blocked, fix_blocked },
	[FIND_DNS_UPSTREAM_TIMEOUT] = { "dns-upstream-timeout", SUBJECT_QUERY, false, true,
		when_timeout, sev_error, msg_timeout, fix_timeout },
	[FIND_DNS_ERROR_RCODE] = { "dns-error-rcode", SUBJECT_QUERY, true, false,
		when_rcode, sev_rcode, msg_rcode, fix_rcode },
	[FIND_DNS_LOOKUP_FAILED] = { "dns-lookup-failed", SUBJECT_LOOKUP, false, false,
		when_lookup_failed, sev_error, msg_lookup_failed, fix_lookup_failed },
	[FIND_DNS_ANSWERED_BY_RESOLVER] = { "dns-answered-by-resolver", SUBJECT_LOOKUP, false, false,
		when_by_resolver, sev_error, msg_by_resolver, fix_by_resolver },
	[FIND_NETNS_THREAD_STUCK] = { "netns-thread-stuck", SUBJECT_THREAD, false, false,
		when_stuck, sev_warning, msg_stuck, fix_stuck },
	[FIND_DNS_SEARCH_AMPLIFICATION] = { "dns-search-amplification", SUBJECT_PROGRAM, false, false,
		when_amplified, sev_info, msg_amplified, fix_amplified },
	[FIND_DNS_PARALLEL_REPLY_LOST] = { "dns-parallel-reply-lost", SUBJECT_QUERY, false, false,
		when_pair_lost, sev_warning, msg_pair_lost, fix_pair_lost },
};

void finding_fix(const struct finding *f, char *buf, size_t n)
{
	char tmp[2048];
	size_t o = 0;

	finding_row(f)->fix(f, buf, n);
	if (f->upstream[0] != '[' || n < 2)
		return;
	/* every "iptables" not already "ip6tables", within n */
	for (const char *p = buf; *p && o + 1 < sizeof(tmp);) {
		if (!strncmp(p, "iptables", 8) && (p == buf || p[-1] != '6')) {
			if (o + 9 >= sizeof(tmp))
				break;
			memcpy(tmp + o, "ip6tables", 9);
			o += 9;
			p += 8;
		} else {
			tmp[o++] = *p++;
		}
	}
	tmp[o] = '\0';
	str_copy(buf, n, tmp);
}
