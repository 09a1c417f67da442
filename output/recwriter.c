/* recwriter.c - see recwriter.h. */
#define _GNU_SOURCE
#include "output/recwriter.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "model/event.h"
#include "output/lineout.h"

struct rec_writer {
	int fd;
	struct lineout *lo;
	int err; /* the first write error */
};

struct rec_writer *rec_writer_open(const char *path, const struct rec_info *info,
			     const struct containers *names)
{
	struct rec_writer *r = calloc(1, sizeof(*r));
	json_t *pids = json_array(), *h;

	if (!r || !pids) {
		free(r);
		json_decref(pids);
		errno = ENOMEM;
		return NULL;
	}
	r->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (r->fd < 0) {
		int e = errno;
		free(r);
		json_decref(pids);
		errno = e;
		return NULL;
	}
	r->lo = lineout_new(r->fd);
	for (int i = 0; i < info->npids; i++)
		json_array_append_new(pids, json_integer(info->pids[i]));
	h = json_pack("{s:s, s:s, s:i, s:s, s:s, s:I, s:I, s:s, s:o, s:o}", "type", "header", "format",
		      NST_RECORDING_FORMAT, "version", NST_RECORDING_VERSION, "nstrace",
		      info->nstrace_version, "arch", info->arch, "snaplen", (json_int_t)info->snaplen,
		      "started", (json_int_t)time(NULL), "mode", info->mode, "pids", pids,
		      "containers", containers_to_json(names));
	if (!h || !r->lo) {
		json_decref(h);
		lineout_free(r->lo);
		close(r->fd);
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	r->err = lineout_json(r->lo, h);
	json_decref(h);
	return r;
}

void rec_writer_line(struct rec_writer *r, const char *line, size_t len)
{
	int e = lineout_line(r->lo, line, len);

	if (e && !r->err)
		r->err = e;
}

int rec_writer_close(struct rec_writer *r, uint64_t end_ts, const struct containers *names,
		 const struct fw_facts *fw)
{
	json_t *t = json_pack("{s:s, s:I, s:o}", "type", "end", "ts", (json_int_t)end_ts,
			      "containers", containers_to_json(names));
	int e;

	if (t && fw)
		json_object_set_new(t, "firewall", fw_facts_to_json(fw));
	e = lineout_json(r->lo, t);

	json_decref(t);
	if (e && !r->err)
		r->err = e;
	if ((e = lineout_flush(r->lo)) && !r->err)
		r->err = e;
	lineout_free(r->lo);
	if (close(r->fd) < 0 && !r->err)
		r->err = -errno;
	e = r->err;
	free(r);
	return e;
}
