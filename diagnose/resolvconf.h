/* resolvconf.h - a resolv.conf as the target's libc reads it: nameservers,
 * search list, ndots, timeout, attempts, and the comments Docker writes
 * under its embedded resolver's (# ExtServers: / # Overrides:).
 *
 * Pure: bytes in, struct out; no I/O.  Unit-tested and fuzzed. */
#ifndef NST_RESOLVCONF_H
#define NST_RESOLVCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "model/event.h"

#define RC_SERVERS 8  /* nameservers kept (glibc uses the first 3, RC_LIBC) */
#define RC_LIBC 3     /* MAXNS: glibc and musl ask at most these */
#define RC_SEARCH 6   /* search domains kept */
#define RC_NAME 254

/* One nameserver line: its address (port 53). */
struct rc_server {
	struct nst_addr addr;
	unsigned line;        /* where it was said */
};

/* One server of Docker's "# ExtServers: [...]": those dockerd forwards
 * to.  host: written host(ADDR), a server of the host's resolv.conf
 * (Docker 25+: it goes from dockerd's own netns). */
struct rc_ext {
	struct nst_addr addr;
	bool host;
};

struct resolv_conf {
	struct rc_server ns[RC_SERVERS];
	unsigned nns;
	unsigned ns_dropped;      /* nameserver lines past RC_SERVERS */
	unsigned ns_bad;          /* nameserver lines nstrace could not read */
	unsigned first_bad_line;  /* the first of those (0: none) */
	char search[RC_SEARCH][RC_NAME];
	unsigned nsearch;
	unsigned ndots;           /* default 1, at most 15 (glibc's cap) */
	unsigned timeout_s;       /* default 5, at most 30 */
	unsigned attempts;        /* default 2, at most 5 */
	bool rotate, use_vc, single_request, single_request_reopen, edns0, no_aaaa;
	/* Docker's comments, when its embedded resolver wrote the file */
	bool docker;              /* any of them was there */
	struct rc_ext ext[RC_SERVERS];
	unsigned next;
	bool ext_said;            /* "# ExtServers:" was there (maybe empty) */
	bool override_ns;         /* "# Overrides: [... nameservers ...]": --dns */
};

/* Parse len bytes of resolv.conf text into *rc (zeroed first, the libc
 * defaults set).  Never fails: what it cannot read is counted (ns_bad)
 * and skipped, as libc skips it.  Lines are cut at 1024 bytes. */
void resolv_conf_parse(const char *text, size_t len, struct resolv_conf *rc);

/* The defaults a missing file gives (glibc: the local server 127.0.0.1). */
void resolv_conf_defaults(struct resolv_conf *rc);

#endif
