/* record.h - writing a recording (-o FILE): a header naming the format,
 * version, tracer and containers, one JSON line per event (the caller's,
 * from print_event_json), and a trailer with the time the trace ended, the
 * container names known then and the firewall counters' growth.  import/recording.c reads it back. */
#ifndef NST_RECORD_H
#define NST_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/containers.h"
#include "model/fwfacts.h"

struct recorder;

struct record_info {
	const char *nstrace_version, *arch;
	uint32_t snaplen;
	const char *mode; /* "attach" or "launch" */
	const pid_t *pids;
	int npids;
};

/* Create path and write the header.  NULL with errno set on failure. */
struct recorder *record_open(const char *path, const struct record_info *info,
			     const struct containers *names);
/* One event line (without its newline). */
void record_line(struct recorder *r, const char *line, size_t len);
/* Write the trailer (fw may be NULL), flush, close and free.  0, or -errno
 * when something could not be written (the file is closed all the same). */
int record_close(struct recorder *r, uint64_t end_ts, const struct containers *names,
		 const struct fw_facts *fw);

#endif
