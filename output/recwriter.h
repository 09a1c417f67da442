/* recwriter.h - writing a recording (-o FILE): a header naming the format,
 * version, tracer and containers, one JSON line per event (the caller's,
 * from print_event_json), and a trailer with the time the trace ended, the
 * container names known then and the firewall counters' growth.  import/recreader.c reads it back. */
#ifndef NST_RECWRITER_H
#define NST_RECWRITER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/containers.h"
#include "model/fwfacts.h"

struct rec_writer;

struct rec_info {
	const char *nstrace_version, *arch;
	uint32_t snaplen;
	const char *mode; /* "attach" or "launch" */
	const pid_t *pids;
	int npids;
};

/* Create path and write the header.  NULL with errno set on failure. */
struct rec_writer *rec_writer_open(const char *path, const struct rec_info *info,
			     const struct containers *names);
/* One event line (without its newline). */
void rec_writer_line(struct rec_writer *r, const char *line, size_t len);
/* Write the trailer (fw may be NULL), flush, close and free.  0, or -errno
 * when something could not be written (the file is closed all the same). */
int rec_writer_close(struct rec_writer *r, uint64_t end_ts, const struct containers *names,
		 const struct fw_facts *fw);

#endif
