/* proglookups.h - the lookups the traced programs make, as their resolver
 * library lives them: the attempts it makes for one name grouped into one
 * lookup (the search-list expansions ndots asks for, the servers tried in
 * order, the attempts per server, A and AAAA, a TCP retry after TC) and
 * what the program finally got.
 *
 * A lookup is a program's (by pid) run of attempts for one name: the same
 * name again (a retry, another type, another server), or, while no
 * answer has given records, a name that shares its first labels with the
 * first one tried (the next search-list expansion, or the bare name).  It
 * ends at an unrelated name, after LOOKUP_GAP_US without an attempt, or
 * when the trace ends.
 *
 * A traced resolver's clients (dockerd's containers, aardvark-dns's) live
 * the same model: each lookup it served (lookups.h) is one attempt of the
 * client's lookup, keyed by the asking netns and the client's address, its
 * outcome what the resolver answered.
 *
 * Each lookup that ended is offered to the findings (SUBJECT_PROGRAM) and
 * kept for the report.  Bounded: 64 open lookups (the oldest ends first),
 * PROG_LOOKUPS_MAX kept (the rest counted). */
#ifndef NST_PROGLOOKUPS_H
#define NST_PROGLOOKUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzers/dns.h"
#include "analyzers/findings.h"

#define PROG_LOOKUPS_MAX 256
#define PL_NAMES 8
#define PL_SERVERS 4
#define LOOKUP_GAP_US 10000000

/* One attempt's fate, as attempts.c resolved it. */
struct pl_attempt {
	int pid;
	const char *comm;
	const struct ns_ref *netns;
	const char *qname;
	uint16_t qtype;
	const char *upstream;
	enum dns_proto proto;
	enum dns_result res;
	int rcode;        /* -1: no answer */
	unsigned answers; /* records in the answer section */
	bool tc;          /* the answer was truncated */
	uint64_t ts_sent, ts_end;
	/* a lookup a traced resolver (pid) served: who asked, else NULL */
	const struct ns_ref *asker;
	const struct nst_addr *client;
};

/* What a lookup finally got. */
enum pl_result {
	PL_RECORDS,  /* an answer with records, for some name it tried */
	PL_NXDOMAIN, /* every name tried does not exist */
	PL_NODATA,   /* the name exists, without records of the types asked */
	PL_FAILED,   /* no answer: fail says how the last attempt ended */
	PL_UNKNOWN,  /* the trace ended while it waited, or what came is unreadable */
};

struct prog_lookup {
	int pid;
	char comm[NST_COMM_LEN];
	bool served;           /* the client's, as the resolver pid served it */
	struct ns_ref asker;   /* served: the asking netns */
	struct nst_addr client; /* served: the client's address (its port not kept) */
	struct ns_ref netns;
	char name[DNS_NAME_MAX];          /* what was asked: the names' common stem */
	char names[PL_NAMES][DNS_NAME_MAX]; /* in the order tried */
	unsigned nnames, more_names;
	bool name_nx[PL_NAMES];           /* that name got NXDOMAIN */
	struct { char server[64]; enum dns_proto proto; unsigned queries; } servers[PL_SERVERS];
	unsigned nservers;
	unsigned queries;
	bool asked_a, asked_aaaa, tcp_retry, truncated;
	enum pl_result result;
	enum dns_result fail;             /* PL_FAILED: the last attempt's fate */
	char answered_name[DNS_NAME_MAX]; /* PL_RECORDS: the name that had them */
	uint64_t first_ts, last_ts;
};

struct proglookups;

/* Findings go to fs (outlives it).  NULL on ENOMEM. */
struct proglookups *proglookups_new(struct findings *fs);
void proglookups_free(struct proglookups *pl);

/* An attempt of a program's own lookup ended. */
void proglookups_attempt(struct proglookups *pl, const struct pl_attempt *at);
/* Lookups idle for LOOKUP_GAP_US at now have ended. */
void proglookups_sweep(struct proglookups *pl, uint64_t now);
/* The trace ended: every open lookup ends. */
void proglookups_finish(struct proglookups *pl);

/* The lookups that ended, in order; *dropped: those past the table. */
const struct prog_lookup *proglookups_rows(const struct proglookups *pl, size_t *n,
					   unsigned long *dropped);
const char *pl_result_name(enum pl_result r);

#endif
