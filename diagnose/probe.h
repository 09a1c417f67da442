/* probe.h - the lookup diagnose makes: from a socket created inside the
 * target's netns, each nameserver in order, A then AAAA, with the target's
 * timeout, the way its libc asks.  It runs as a child process nstrace
 * launches under its own trace (`nstrace __probe ...`), so the same
 * sources and analyzers see its calls as any program's.
 *
 * The child enters the netns and execs itself again (as ip netns exec
 * does: its home is that netns), asks, writes one result line per name to
 * the report fd, and exits. */
#ifndef NST_PROBE_H
#define NST_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/event.h"

#define PROBE_SERVERS 3 /* MAXNS */
#define PROBE_NAMES 16

/* How one name's lookup ended, from what the probe's sockets said. */
enum probe_status {
	PS_RECORDS,      /* NOERROR with answers */
	PS_NODATA,       /* NOERROR, no answers */
	PS_NXDOMAIN,
	PS_RCODE,        /* SERVFAIL, REFUSED, ...: from every server */
	PS_TIMEOUT,      /* no answer in the timeout */
	PS_REFUSED,      /* ECONNREFUSED: an ICMP port unreachable */
	PS_UNREACHABLE,  /* ENETUNREACH, EHOSTUNREACH */
	PS_BLOCKED,      /* EPERM, EACCES: the netns's own OUTPUT path */
	PS_ERROR,        /* another errno */
	PS_COUNT
};

struct probe_result {
	char name[256];
	enum probe_status status;
	int rcode;                /* the last answer's rcode, -1 none */
	int err;                  /* the errno, 0 none */
	unsigned answers;         /* records got (A and AAAA) */
	struct nst_addr server;   /* the server that ended it */
	bool tcp;                 /* ended over TCP (TC, or use-vc) */
	unsigned ms;              /* the lookup's time */
	unsigned tries;           /* queries sent */
	/* the servers passed over before the one that ended it, and how */
	struct probe_pass {
		struct nst_addr server;
		enum probe_status status;
		int rcode;
	} passed[PROBE_SERVERS];
	unsigned npassed;
};

struct probe_opts {
	const char *netns_path;   /* NULL: nstrace's own netns */
	struct nst_addr servers[PROBE_SERVERS];
	unsigned nservers;
	unsigned timeout_ms;
	bool use_vc, no_aaaa;
	const char *names[PROBE_NAMES];
	unsigned nnames;
	int report_fd;
};

/* The child's argv (into argv, at most max entries with the NULL): what
 * probe_main takes.  bufs holds its strings (bufsize bytes).  false when
 * they do not fit. */
bool probe_argv(const struct probe_opts *o, char **argv, size_t max, char *bufs, size_t bufsize);

/* nstrace's own executable's path into buf (n bytes), which the probe is
 * started by: by its path, not /proc/self/exe, its comm stays "nstrace".
 * false when it cannot be read. */
bool probe_self_path(char *buf, size_t n);

/* `nstrace __probe ...`: argc/argv from the word after __probe.  Exit
 * status 0 (results written), 2 on bad arguments or a netns it cannot
 * enter. */
int probe_main(int argc, char **argv);

/* A DNS query for name and qtype with id (RD set) into buf: its length,
 * or -EINVAL when the name is not a name (an empty label, a label past 63
 * bytes, the whole past 253) or cap is too small.  "." is the root.  Pure. */
int dns_build_query(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t qtype);

/* One result as a line (tab-separated, ended by '\n'), and back.  The
 * parse is of bytes from a child: -EINVAL on anything else.  Pure. */
size_t probe_result_format(const struct probe_result *r, char *buf, size_t n);
int probe_result_parse(const char *line, size_t len, struct probe_result *r);

const char *probe_status_name(enum probe_status s);

#endif
