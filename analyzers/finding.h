/* finding.h - what one finding holds: a diagnosis's facts (an attempt's
 * fate, a lookup a resolver served, or a thread), its row (catalog.h) and
 * severity, and the names of its enums.  Plain data: findings.h aggregates
 * them, catalog.h words them. */
#ifndef NST_FINDING_H
#define NST_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzers/nsref.h"
#include "model/event.h"
#include "model/fwfacts.h"

enum severity { SEV_INFO, SEV_WARNING, SEV_ERROR };

/* The fate of one attempt to reach an upstream. */
enum dns_result {
	RES_OK,          /* answered (with any rcode) */
	RES_REFUSED,     /* ECONNREFUSED: an ICMP port-unreachable */
	RES_UNREACHABLE, /* ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL: no route */
	RES_TIMEOUT,     /* no answer in time, or closed without one */
	RES_PENDING,     /* still open, young, when the trace ended */
	RES_BLOCKED,     /* EPERM, EACCES: the sending netns's OUTPUT path, or an LSM */
	RES_UNPARSED,    /* answered, by a reply nstrace cannot parse: what it said is unknown */
	RES_UNSEEN,      /* not known: its socket received messages no event showed
	                    (a batch past a source's cap), its answer may be one */
	RES_REJECTED,    /* an ICMP error came back (POLLERR), and the program
	                    never read which: refused or unreachable */
	RES_COUNT
};

/* What DNS went over: UDP, or TCP (its 2-byte length prefixes). */
enum dns_proto { PROTO_UDP, PROTO_TCP };

/* The netns an attempt left from, as seen from the lookup it served. */
enum dns_path {
	PATH_SELF,      /* no relayed lookup: a program's own query */
	PATH_CONTAINER, /* the asking container's netns (Docker up to 27.x; --dns) */
	PATH_RESOLVER,  /* the resolver's own netns (28.x: the host's resolv.conf) */
	PATH_OTHER,     /* another netns than either */
};

/* In the order they are offered (and so printed). */
enum finding_id {
	FIND_DNS_FOREIGN_NETNS,
	FIND_DNS_LOOPBACK_UPSTREAM_FOREIGN_NETNS,
	FIND_DNS_UPSTREAM_REFUSED,
	FIND_DNS_UPSTREAM_UNREACHABLE,
	FIND_DNS_UPSTREAM_BLOCKED,
	FIND_DNS_UPSTREAM_TIMEOUT,
	FIND_DNS_ERROR_RCODE,
	FIND_DNS_LOOKUP_FAILED,
	FIND_DNS_ANSWERED_BY_RESOLVER,
	FIND_NETNS_THREAD_STUCK,
	FIND_DNS_SEARCH_AMPLIFICATION,
	FIND_DNS_PARALLEL_REPLY_LOST,
	FIND_COUNT
};

/* What a finding is about. */
enum finding_subject {
	SUBJECT_QUERY,  /* an attempt's fate: upstream, proto, result, example */
	SUBJECT_LOOKUP, /* a lookup a resolver served: what the client got */
	SUBJECT_THREAD, /* a thread: tid, and the calls it made (extra) */
	SUBJECT_PROGRAM, /* a program's own lookup (proglookups.h): the name
	                    asked (ex_qname), the names tried, queries made */
};

/* A stack copied out of an event (whose strings do not outlive it). */
#define SAVED_FRAMES 32
struct saved_stack {
	uint32_t n;
	struct {
		uint64_t addr, offset;
		char module[64];
		char function[160]; /* "" when unknown */
	} f[SAVED_FRAMES];
};

void stack_save(struct saved_stack *dst, const struct nst_stack *src);

#define ASKED_NOTHING (-1) /* client_rcode: the resolver answered nothing */

/* A firewall rule that counted the finding's packets (analyzers/fwexplain.c):
 * g points into the session's fw_facts, which outlive the findings' report. */
struct fw_hit {
	const struct fw_grown *g;
	bool likely; /* other traffic could explain its counter */
};
#define FINDING_FW_HITS 4

struct finding {
	enum finding_id id;
	enum severity sev;   /* from the row's rule */
	unsigned long count;
	int pid, tid;        /* tid: SUBJECT_THREAD only, else 0 */
	char comm[NST_COMM_LEN];
	bool dockerd;        /* the process is Docker's daemon: Docker advice */
	struct ns_ref netns, home; /* the socket's (or lookup's listener's) netns */
	/* SUBJECT_QUERY and SUBJECT_LOOKUP */
	bool relayed;        /* an attempt made for a lookup a resolver served */
	struct ns_ref asker; /* the asking client's netns (relayed only) */
	struct nst_addr client; /* relayed, when the listener lives in the resolver's
	                           own netns (aardvark-dns, a host stub): the asking
	                           client's address, port 0, which names it (asker
	                           is then only the listener's netns); else AF_UNSPEC */
	enum dns_path path;
	char upstream[64];
	enum dns_proto proto;
	enum dns_result result;
	int rcode;           /* -1 when no answer, or not in the row's key */
	char ex_qname[256];
	uint16_t ex_qtype, ex_id;
	bool foreign;        /* the socket lives outside the home netns */
	bool loopback;       /* the upstream is a loopback address */
	uint64_t timeout_us; /* the timeout that applied, for the wording */
	bool deaf;           /* sent on an unconnected UDP socket, which hears
	                        no ICMP error: a REJECT looks like a DROP to it */
	bool pair_answered;  /* sent with another query in one call (sendmmsg),
	                        which was answered while this one was not */
	unsigned names_tried; /* SUBJECT_PROGRAM: names the lookup asked for */
	bool client_timeout; /* timeout_us is the client's own: its readiness
	                        call waited that long and gave up */
	/* SUBJECT_LOOKUP */
	int client_rcode;    /* what the resolver answered, or ASKED_NOTHING */
	unsigned attempts;   /* forwarding attempts made for it (0: none) */
	char tried[192];     /* "198.51.100.53:53 udp from dockerd's netns: blocked" */
	/* SUBJECT_QUERY, after the trace: the rules that dropped or rejected it */
	struct fw_hit fw[FINDING_FW_HITS];
	unsigned nfw;
	/* SUBJECT_THREAD */
	unsigned long extra; /* calls made while stuck */
	uint64_t first_ts, last_ts;
	uint64_t xid;        /* the exchange (analyzer.h) of the occurrence offered;
	                        not part of the key */
	const struct saved_stack *stack; /* -k: the socket's creation; in the
	                                    table a copy owned by it */
};

/* Who asked a relayed finding's lookup, for a sentence: the container
 * with the client's address when the asker's netns does not name it
 * (f->client), "client 10.89.0.2 in net:[X]" when none has it, else the
 * asking netns's own text (nsref.h). */
void finding_asker_text(const struct finding *f, const struct containers *names, char *buf, size_t n);

/* The upstream's address without port or brackets: "10.0.0.2",
 * "2001:db8::53" (for ip route get, or matching firewall rules). */
const char *finding_upstream_ip(const struct finding *f, char *buf, size_t n);
const char *severity_name(enum severity s);
const char *result_name(enum dns_result r);
/* "udp", "tcp". */
const char *dns_proto_name(enum dns_proto p);
/* "container" (the asking container's netns), "resolver" (its own), ... */
const char *path_name(enum dns_path p);
#endif
