/* recreader.c - recordings back into events, see recreader.h. */
#define _GNU_SOURCE
#include "import/recreader.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "model/parse.h"
#include "model/print.h"
#include "model/sysent.h"

bool rec_looks_like_recording(const char *line, size_t len)
{
	return len > 0 && line[0] == '{' && memmem(line, len, "\"" NST_RECORDING_FORMAT "\"",
						   sizeof(NST_RECORDING_FORMAT) + 1);
}

static int name_to_num(const json_t *v, const char *(*namer)(int), int lo, int hi)
{
	if (json_is_integer(v))
		return (int)json_integer_value(v);
	if (json_is_string(v))
		for (int i = lo; i <= hi; i++) {
			const char *n = namer(i);
			if (n && !strcmp(n, json_string_value(v)))
				return i;
		}
	return 0;
}

static void get_ns(struct rec_reader *r, const json_t *o, struct nst_ns *ns, int slot)
{
	const json_t *ino = json_object_get(o, "ino"), *path = json_object_get(o, "path");
	const json_t *label = json_object_get(o, "label");

	ns->ino = json_is_integer(ino) ? (uint64_t)json_integer_value(ino) : 0;
	ns->path = NULL;
	ns->label = NULL;
	if (json_is_string(path)) {
		snprintf(r->paths[slot], sizeof(r->paths[slot]), "%s", json_string_value(path));
		ns->path = r->paths[slot];
	}
	if (json_is_string(label)) {
		snprintf(r->labels[slot], sizeof(r->labels[slot]), "%s", json_string_value(label));
		ns->label = r->labels[slot];
	}
}

static int get_addr(const json_t *v, struct nst_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	/* Addresses print_addr cannot round-trip (netlink, unknown
	 * families) stay AF_UNSPEC rather than being guessed. */
	if (parse_addr(json_string_value(v), a) < 0)
		memset(a, 0, sizeof(*a));
	return 0;
}

static enum rec_line fail(struct rec_reader *r, const char *why)
{
	snprintf(r->err, sizeof(r->err), "%s", why);
	return REC_ERROR;
}

static enum rec_line read_header(struct rec_reader *r, json_t *o)
{
	const char *fmt = json_string_value(json_object_get(o, "format"));
	json_t *ver = json_object_get(o, "version");

	if (!fmt || strcmp(fmt, NST_RECORDING_FORMAT))
		return fail(r, "header: not an nstrace recording (format)");
	if (!json_is_integer(ver))
		return fail(r, "header: no version");
	if (json_integer_value(ver) != NST_RECORDING_VERSION) {
		snprintf(r->err, sizeof(r->err),
			 "header: recording format version %lld is not supported (this nstrace reads "
			 "version %d)", (long long)json_integer_value(ver), NST_RECORDING_VERSION);
		return REC_ERROR;
	}
	r->saw_header = true;
	if (r->names)
		containers_from_json(r->names, json_object_get(o, "containers"));
	return REC_SKIP;
}

static enum rec_line read_sock(struct rec_reader *r, json_t *s, struct nst_event *ev)
{
	const char *origin = json_string_value(json_object_get(s, "netns_origin"));

	const json_t *id = json_object_get(s, "id");

	if (!json_is_object(s))
		return fail(r, "event: sock is not an object");
	ev->flags |= NST_EV_SOCK;
	ev->sock.id = json_is_integer(id) && json_integer_value(id) > 0 ? (uint64_t)json_integer_value(id) : 0;
	ev->sock.family = name_to_num(json_object_get(s, "family"), family_name, 0, 64);
	ev->sock.type = name_to_num(json_object_get(s, "type"), socktype_name, 0, 16);
	ev->sock.protocol = (int)json_integer_value(json_object_get(s, "protocol"));
	if (get_addr(json_object_get(s, "local"), &ev->sock.local) < 0 ||
	    get_addr(json_object_get(s, "peer"), &ev->sock.peer) < 0)
		return fail(r, "event: bad socket address");
	get_ns(r, json_object_get(s, "netns"), &ev->sock.netns, 3);
	ev->sock.origin = origin && !strcmp(origin, "created") ? NST_NS_CREATED
			: origin && !strcmp(origin, "queried") ? NST_NS_QUERIED : NST_NS_UNKNOWN;
	ev->sock.foreign = json_is_true(json_object_get(s, "foreign"));
	return REC_EVENT;
}

static void read_stack(struct rec_reader *r, const json_t *a, struct nst_event *ev)
{
	size_t i;
	const json_t *f;

	r->stack.nframes = 0;
	json_array_foreach(a, i, f) {
		struct nst_frame *fr;
		const char *mod = json_string_value(json_object_get(f, "module"));
		const char *fn = json_string_value(json_object_get(f, "function"));
		if (i >= NST_MAX_FRAMES)
			break;
		fr = &r->stack.frames[i];
		snprintf(r->frame_strs[i][0], sizeof(r->frame_strs[i][0]), "%s", mod ? mod : "?");
		fr->module = r->frame_strs[i][0];
		fr->function = NULL;
		if (fn) {
			snprintf(r->frame_strs[i][1], sizeof(r->frame_strs[i][1]), "%s", fn);
			fr->function = r->frame_strs[i][1];
		}
		fr->offset = (uint64_t)json_integer_value(json_object_get(f, "offset"));
		fr->addr = (uint64_t)json_integer_value(json_object_get(f, "addr"));
		r->stack.nframes = (uint32_t)i + 1;
	}
	if (r->stack.nframes)
		ev->stack = &r->stack;
}

/* A readiness call's keys (output/events.c): timeout_us (-1 none, null
 * not known), watched, sockets_only, sock_err. */
static int read_wait(json_t *o, struct nst_event *ev)
{
	json_t *t = json_object_get(o, "timeout_us"), *w = json_object_get(o, "watched");
	json_t *e = json_object_get(o, "sock_err");

	ev->wait_us = NST_WAIT_UNKNOWN;
	if (json_is_integer(t))
		ev->wait_us = json_integer_value(t) < 0 ? NST_WAIT_FOREVER : json_integer_value(t);
	else if (t && !json_is_null(t))
		return -1;
	if (json_is_integer(w) && json_integer_value(w) > 0 && json_integer_value(w) <= UINT32_MAX)
		ev->wait_nfds = (uint32_t)json_integer_value(w);
	else if (w && !json_is_null(w))
		return -1;
	if (json_is_true(json_object_get(o, "sockets_only")))
		ev->flags |= NST_EV_WAIT_SOCKS;
	if (json_is_string(e)) {
		ev->sock_err = errno_from_name(json_string_value(e), strlen(json_string_value(e)));
		if (!ev->sock_err)
			return -1;
		ev->flags |= NST_EV_SOCK_ERR;
	} else if (json_is_integer(e) && json_integer_value(e) >= 0 && json_integer_value(e) < 4096) {
		ev->sock_err = (int32_t)json_integer_value(e);
		ev->flags |= NST_EV_SOCK_ERR;
	} else if (e) {
		return -1;
	}
	return 0;
}

/* The tracer's verdict on two namespaces, from their inodes. */
static bool differ(const struct nst_ns *a, const struct nst_ns *b)
{
	return a->ino && b->ino && a->ino != b->ino;
}

static enum rec_line read_event(struct rec_reader *r, json_t *o, struct nst_event *ev)
{
	const char *sc = json_string_value(json_object_get(o, "syscall"));
	const char *comm = json_string_value(json_object_get(o, "comm"));
	const char *payload = json_string_value(json_object_get(o, "payload"));
	json_t *v, *err = json_object_get(o, "errno");

	memset(ev, 0, sizeof(*ev));
	if (!sc || !json_is_integer(json_object_get(o, "ts")) || !json_is_integer(json_object_get(o, "pid")))
		return fail(r, "event: missing syscall, ts or pid");
	snprintf(r->syscall, sizeof(r->syscall), "%s", sc);
	ev->syscall = r->syscall;
	nst_event_set_sen(ev, sysent_find(sc, strlen(sc)));
	ev->ts_us = (uint64_t)json_integer_value(json_object_get(o, "ts"));
	ev->pid = (int32_t)json_integer_value(json_object_get(o, "pid"));
	ev->tid = (int32_t)json_integer_value(json_object_get(o, "tid"));
	snprintf(ev->comm, sizeof(ev->comm), "%s", comm ? comm : "?");
	v = json_object_get(o, "fd");
	ev->fd = json_is_integer(v) ? (int32_t)json_integer_value(v) : -1;
	v = json_object_get(o, "fd2");
	ev->fd2 = json_is_integer(v) ? (int32_t)json_integer_value(v) : -1;
	ev->ret = json_integer_value(json_object_get(o, "ret"));
	if (json_is_string(err)) {
		ev->err = errno_from_name(json_string_value(err), strlen(json_string_value(err)));
		if (!ev->err)
			return fail(r, "event: unknown errno name");
	} else if (json_is_integer(err)) {
		ev->err = (int)json_integer_value(err);
	}
	ev->arg = (uint64_t)json_integer_value(json_object_get(o, "arg"));
	ev->msg_index = (uint32_t)json_integer_value(json_object_get(o, "msg_index"));
	ev->unseen = (uint32_t)json_integer_value(json_object_get(o, "unseen"));
	if (ev->op == NST_OP_WAIT && read_wait(o, ev) < 0)
		return fail(r, "event: bad timeout_us, watched or sock_err");
	get_ns(r, json_object_get(o, "thread_netns"), &ev->thread_netns, 0);
	get_ns(r, json_object_get(o, "home_netns"), &ev->home_netns, 1);
	if ((v = json_object_get(o, "ns_new"))) {
		get_ns(r, v, &ev->ns_new, 2);
		ev->flags |= NST_EV_NS_CHANGE;
	}
	if ((v = json_object_get(o, "sock")) && read_sock(r, v, ev) == REC_ERROR)
		return REC_ERROR;
	if ((v = json_object_get(o, "addr"))) {
		if (get_addr(v, &ev->addr) < 0)
			return fail(r, "event: bad addr");
		ev->flags |= NST_EV_ADDR;
	}
	if (json_is_array(json_object_get(o, "stack")))
		read_stack(r, json_object_get(o, "stack"), ev);
	if (json_is_true(json_object_get(o, "sock_gone")))
		ev->flags |= NST_EV_SOCK_GONE;
	if (differ(&ev->thread_netns, &ev->home_netns))
		ev->flags |= NST_EV_AWAY;
	if ((ev->flags & NST_EV_NS_CHANGE) && differ(&ev->ns_new, &ev->home_netns))
		ev->flags |= NST_EV_NEW_AWAY;
	if (json_is_true(json_object_get(o, "addr_unreadable")))
		ev->flags |= NST_EV_ADDR_UNREADABLE;
	if (json_is_true(json_object_get(o, "truncated")))
		ev->flags |= NST_EV_TRUNCATED;
	if (json_is_true(json_object_get(o, "unreadable")))
		ev->flags |= NST_EV_UNREADABLE;
	ev->io_len = (uint64_t)json_integer_value(json_object_get(o, "len"));
	if (payload) {
		long n = parse_hex(payload, r->payload, sizeof(r->payload));
		if (n < 0)
			return fail(r, "event: payload is not hex (or longer than 64 KiB)");
		ev->payload = r->payload;
		ev->payload_len = (uint32_t)n;
	}
	return REC_EVENT;
}

enum rec_line rec_read_line(struct rec_reader *r, const char *line, size_t len,
			    struct nst_event *ev)
{
	json_error_t jerr;
	json_t *o;
	const char *type;
	enum rec_line res;

	while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	if (!len)
		return REC_SKIP;
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o) {
		snprintf(r->err, sizeof(r->err), "not JSON: %s (column %d)", jerr.text, jerr.column);
		return REC_ERROR;
	}
	type = json_string_value(json_object_get(o, "type"));
	if (!type)
		res = fail(r, "no \"type\" field");
	else if (!strcmp(type, "header"))
		res = read_header(r, o);
	else if (!r->saw_header)
		res = fail(r, "no recording header before the first event");
	else if (!strcmp(type, "event"))
		res = read_event(r, o, ev);
	else if (!strcmp(type, "end")) {
		r->end_ts = (uint64_t)json_integer_value(json_object_get(o, "ts"));
		if (r->names)
			containers_from_json(r->names, json_object_get(o, "containers"));
		if (r->fw && json_object_get(o, "firewall") &&
		    fw_facts_from_json(r->fw, json_object_get(o, "firewall")) == 0)
			r->fw_seen = true;
		res = REC_SKIP;
	} else
		res = REC_SKIP; /* findings, summaries: derived data, recomputed */
	json_decref(o);
	return res;
}
