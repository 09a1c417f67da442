/* findings.h - the diagnoses nstrace makes, one row each, and their
 * aggregation.
 *
 * Every finding is one row of finding_rows: its name, what it is about (a
 * DNS query's fate, or a thread), whether the rcode is part of its key, and
 * four functions: when it applies, how severe it is, and its message and
 * fix.  The analyzer offers each outcome to every row of its subject; the
 * outputs print any finding from its row.  Adding a finding is adding a row
 * and its functions.
 *
 * A finding is aggregated by (row, pid, socket netns, asking netns,
 * upstream, result, rcode, tid, client rcode); repeats bump its count and
 * its first/last times. */
#ifndef NST_FINDINGS_H
#define NST_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/containers.h"
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
	FIND_COUNT
};

/* What a finding is about. */
enum finding_subject {
	SUBJECT_QUERY,  /* an attempt's fate: upstream, proto, result, example */
	SUBJECT_LOOKUP, /* a lookup a resolver served: what the client got */
	SUBJECT_THREAD, /* a thread: tid, and the calls it made (extra) */
};

/* One side of the story: a namespace reference as findings print it. */
struct ns_ref {
	uint64_t ino; /* 0 = unknown (printed as null) */
	char path[128];
	char label[64]; /* what identifies it when ino and path are unknown */
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

/* A firewall rule that counted the finding's packets (analyzers/firewall.c):
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

struct finding_row {
	const char *name; /* "dns-foreign-netns" */
	enum finding_subject subject;
	bool rcode_in_key; /* the rcode is the finding: one per rcode */
	bool fw_explains;  /* a firewall rule on the query's path can cause this
	                      result (analyzers/firewall.c names it) */
	bool (*when)(const struct finding *f);
	enum severity (*severity)(const struct finding *f);
	/* Plain language, from the finding's own fields; names may be NULL. */
	void (*message)(const struct finding *f, const struct containers *names, char *buf,
			size_t n);
	void (*fix)(const struct finding *f, char *buf, size_t n);
};

extern const struct finding_row finding_rows[FIND_COUNT];

static inline const struct finding_row *finding_row(const struct finding *f)
{
	return &finding_rows[f->id];
}

struct findings;

typedef void (*finding_new_cb)(const struct finding *f, void *ctx);
/* The rows an exchange's outcome was counted in: bit 1 << enum finding_id
 * (0: none of them). */
typedef void (*finding_outcome_cb)(uint64_t xid, uint32_t rows, void *ctx);

/* NULL on ENOMEM.  on_new runs once per new key (live printing). */
struct findings *findings_new(finding_new_cb on_new, void *ctx);
void findings_free(struct findings *fs);
/* After each offer of an occurrence with an exchange (base->xid), cb tells
 * which rows took it.  NULL: no such calls. */
void findings_on_outcome(struct findings *fs, finding_outcome_cb cb);

/* Offer one outcome (the facts in *base, id and severity unset) to every
 * row of its subject: each row whose when() holds adds one occurrence.
 * base->stack is copied for a new finding (the first occurrence's stack is
 * the one shown).  At most 1024 distinct keys: later new keys are counted
 * in findings_dropped().  Returns the rows that took it (as on_outcome). */
uint32_t findings_offer(struct findings *fs, enum finding_subject subject,
			const struct finding *base);
size_t findings_count(const struct findings *fs);
const struct finding *findings_get(const struct findings *fs, size_t i);
/* The same, to add what is learned after the trace (firewall rules). */
struct finding *findings_get_mut(struct findings *fs, size_t i);
unsigned long findings_dropped(const struct findings *fs);
enum severity findings_max_severity(const struct findings *fs, bool *any);

/* One namespace: by inode when either side has one (a path may be learned
 * late), else by path and label. */
bool ns_ref_same(const struct ns_ref *a, const struct ns_ref *b);
/* Known at all (an inode, a path or a label). */
bool ns_ref_known(const struct ns_ref *ns);
/* The upstream's address without port or brackets: "10.0.0.2",
 * "2001:db8::53" (for ip route get, or matching firewall rules). */
const char *finding_upstream_ip(const struct finding *f, char *buf, size_t n);
/* A copy of an event's namespace (whose strings do not outlive it). */
void ns_ref_from(struct ns_ref *r, const struct nst_ns *ns);
/* ns_ref_same(r, the copy ns_ref_from would make of ns), without a copy. */
bool ns_ref_is(const struct ns_ref *r, const struct nst_ns *ns);

const char *severity_name(enum severity s);
const char *result_name(enum dns_result r);
/* "udp", "tcp". */
const char *dns_proto_name(enum dns_proto p);
/* "container" (the asking container's netns), "resolver" (its own), ... */
const char *path_name(enum dns_path p);
/* "net:[X] (/run/docker/netns/Y) of container web (abc, 172.18.0.2)" */
void ns_ref_text(const struct ns_ref *ns, const struct containers *names, char *buf, size_t n);

#endif
