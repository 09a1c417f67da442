/* recreader.h - reading nstrace recordings (-o FILE) back into events.
 *
 * A recording is JSON Lines: a header {"type":"header","format":
 * "nstrace-recording","version":1,...}, then one {"type":"event"} per
 * line, and an optional {"type":"end","ts":...} trailer with the time the
 * trace stopped (and the names and firewall counters known then).  The reader turns each event line back into the very
 * struct nst_event the tracer produced, so the analyzers cannot tell a
 * replay from a live trace: its operation comes from the syscall name
 * (model/sysent.h), and what the tracer's model said (the thread away from
 * home) from the recorded inodes. */
#ifndef NST_RECREADER_H
#define NST_RECREADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/containers.h"
#include "model/event.h"
#include "model/fwfacts.h"

/* Storage behind the pointers of the last event returned.  names, when
 * set, receives the container names of the header and the trailer; fw,
 * when set, the trailer's firewall counters (fw_seen then true). */
struct rec_reader {
	struct containers *names;
	struct fw_facts *fw;
	bool fw_seen;
	bool saw_header;
	uint64_t end_ts; /* from the trailer, 0 if none */
	char syscall[32], paths[4][256], labels[4][64];
	uint8_t payload[NST_MAX_SNAPLEN];
	char err[256];   /* why the last line was rejected */
	struct nst_stack stack;
	char frame_strs[NST_MAX_FRAMES][2][128]; /* module, function */
};

enum rec_line { REC_EVENT, REC_SKIP, REC_ERROR };

/* Decode one line (without its newline).  REC_EVENT fills *ev (valid until
 * the next call); REC_SKIP for the header, the trailer, findings and
 * summaries; REC_ERROR with r->err set for anything malformed, including a
 * missing or unknown-version header. */
enum rec_line rec_read_line(struct rec_reader *r, const char *line, size_t len,
			    struct nst_event *ev);

/* Is this first line the header of a recording (as opposed to a strace
 * log)?  Cheap: looks for a JSON object naming the format. */
bool rec_looks_like_recording(const char *line, size_t len);

#endif
