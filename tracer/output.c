/* output.c - event formatting, see output.h. */
#define _GNU_SOURCE
#include "output.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "containers.h"
#include "parse.h"

struct sbuf {
	char *p;
	size_t n, len;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (b->len + 1 >= b->n)
		return;
	va_start(ap, fmt);
	r = vsnprintf(b->p + b->len, b->n - b->len, fmt, ap);
	va_end(ap);
	if (r > 0)
		b->len = b->len + (size_t)r < b->n ? b->len + (size_t)r : b->n - 1;
}

static void sb_ns(struct sbuf *b, const struct nst_ns *ns)
{
	const struct container *c = containers_find(ns->ino, ns->path);

	if (!ns->ino && ns->path)
		sb_printf(b, "%s", ns->path);
	else if (!ns->ino && ns->label)
		sb_printf(b, "{%s}", ns->label);
	else if (!ns->ino)
		sb_printf(b, "net:[?]");
	else if (ns->path)
		sb_printf(b, "net:[%llu] %s", (unsigned long long)ns->ino, ns->path);
	else
		sb_printf(b, "net:[%llu]", (unsigned long long)ns->ino);
	/* A Docker container's name; an ip-netns name is in the path already. */
	if (c && !strcmp(c->kind, "docker"))
		sb_printf(b, " ctr:%s", c->name);
}

size_t print_sock_tag(char *buf, size_t n, const struct nst_sock *s)
{
	struct sbuf b = { buf, n, 0 };
	char a[160];

	if (!n)
		return 0;
	buf[0] = '\0';
	sb_printf(&b, "%s", proto_short(s));
	if (s->local.family != AF_UNSPEC || s->peer.family != AF_UNSPEC) {
		print_addr(a, sizeof(a), &s->local);
		sb_printf(&b, " %s", a);
		if (s->peer.family != AF_UNSPEC) {
			print_addr(a, sizeof(a), &s->peer);
			sb_printf(&b, "->%s", a);
		}
	}
	sb_printf(&b, " ");
	sb_ns(&b, &s->netns);
	if (s->foreign)
		sb_printf(&b, " FOREIGN");
	return b.len;
}

static void sb_fd(struct sbuf *b, int fd, const struct nst_event *ev)
{
	char tag[512];

	if (ev->flags & NST_EV_SOCK) {
		print_sock_tag(tag, sizeof(tag), &ev->sock);
		sb_printf(b, "%d<%s>", fd, tag);
	} else {
		sb_printf(b, "%d", fd);
	}
}

static void sb_sockargs(struct sbuf *b, const struct nst_event *ev)
{
	const char *f = family_name(ev->sock.family);
	const char *t = socktype_name((int)(ev->arg & 0xf));

	if (f)
		sb_printf(b, "%s, ", f);
	else
		sb_printf(b, "%d, ", ev->sock.family);
	if (t)
		sb_printf(b, "%s", t);
	else
		sb_printf(b, "%llu", (unsigned long long)(ev->arg & 0xf));
	if (ev->arg & SOCK_NONBLOCK)
		sb_printf(b, "|SOCK_NONBLOCK");
	if (ev->arg & SOCK_CLOEXEC)
		sb_printf(b, "|SOCK_CLOEXEC");
	sb_printf(b, ", %d", ev->sock.protocol);
}

static bool creates_socket(const char *name)
{
	return !strcmp(name, "socket") || !strcmp(name, "socketpair");
}

size_t print_event_text(char *buf, size_t n, const struct nst_event *ev)
{
	struct sbuf b = { buf, n, 0 };
	char tmp[1024];

	if (!n)
		return 0;
	buf[0] = '\0';
	sb_printf(&b, "[pid %5d] %s(", ev->tid, ev->syscall);
	if (creates_socket(ev->syscall)) {
		sb_sockargs(&b, ev);
	} else if (ev->flags & NST_EV_NS_CHANGE || !strcmp(ev->syscall, "unshare") ||
		   !strncmp(ev->syscall, "clone", 5)) {
		print_clone_flags(tmp, sizeof(tmp), ev->arg);
		if (ev->fd >= 0)
			sb_printf(&b, "%d, ", ev->fd);
		sb_printf(&b, "%s", tmp);
	} else {
		sb_fd(&b, ev->fd, ev);
		if (ev->payload_len) {
			print_quoted(tmp, sizeof(tmp), ev->payload, ev->payload_len,
				     ev->io_len > ev->payload_len);
			sb_printf(&b, ", %s", tmp);
		}
		if (ev->flags & NST_EV_UNREADABLE)
			sb_printf(&b, ", <unreadable>");
		if (ev->io_len || ev->payload_len)
			sb_printf(&b, ", %llu", (unsigned long long)ev->io_len);
		if (ev->flags & NST_EV_ADDR) {
			print_addr(tmp, sizeof(tmp), &ev->addr);
			sb_printf(&b, ", {%s}", tmp);
		} else if (ev->flags & NST_EV_ADDR_UNREADABLE) {
			sb_printf(&b, ", {<unreadable>}");
		}
		if (ev->msg_index)
			sb_printf(&b, ", [msg %u]", ev->msg_index);
	}
	sb_printf(&b, ") = ");
	if (ev->err) {
		const char *en = errno_name(ev->err);
		if (en)
			sb_printf(&b, "-1 %s (%s)", en, strerror(ev->err));
		else
			sb_printf(&b, "-1 errno %d", ev->err);
	} else if (creates_socket(ev->syscall) && (ev->flags & NST_EV_SOCK)) {
		sb_fd(&b, ev->fd, ev);
		if (ev->fd2 >= 0)
			sb_printf(&b, " %d", ev->fd2);
	} else {
		sb_printf(&b, "%lld", (long long)ev->ret);
		if (ev->fd2 >= 0 && strcmp(ev->syscall, "socketpair"))
			sb_printf(&b, "<%s>", proto_short(&ev->sock));
	}
	if (ev->flags & NST_EV_NS_CHANGE) {
		sb_printf(&b, " -> ");
		sb_ns(&b, &ev->ns_new);
	}
	if (ev->thread_netns.ino && ev->home_netns.ino && ev->thread_netns.ino != ev->home_netns.ino) {
		sb_printf(&b, " [thread in ");
		sb_ns(&b, &ev->thread_netns);
		sb_printf(&b, "]");
	}
	return b.len;
}

static json_t *ns_json(const struct nst_ns *ns)
{
	json_t *o = json_object();

	json_object_set_new(o, "ino", ns->ino ? json_integer((json_int_t)ns->ino) : json_null());
	json_object_set_new(o, "path", ns->path ? json_string(ns->path) : json_null());
	if (ns->label)
		json_object_set_new(o, "label", json_string(ns->label));
	const struct container *c = containers_find(ns->ino, ns->path);
	if (c)
		json_object_set_new(o, "container", container_json(c));
	return o;
}

static json_t *addr_json(const struct nst_addr *a)
{
	char s[160];

	if (a->family == AF_UNSPEC)
		return json_null();
	print_addr(s, sizeof(s), a);
	return json_string(s);
}

static const char *origin_name(enum nst_ns_origin o)
{
	return o == NST_NS_CREATED ? "created" : o == NST_NS_QUERIED ? "queried" : "unknown";
}

static json_t *sock_json(const struct nst_sock *s)
{
	json_t *o = json_object();
	const char *f = family_name(s->family), *t = socktype_name(s->type);

	json_object_set_new(o, "family", f ? json_string(f) : json_integer(s->family));
	json_object_set_new(o, "type", t ? json_string(t) : json_integer(s->type));
	json_object_set_new(o, "protocol", json_integer(s->protocol));
	json_object_set_new(o, "proto", json_string(proto_short(s)));
	json_object_set_new(o, "local", addr_json(&s->local));
	json_object_set_new(o, "peer", addr_json(&s->peer));
	json_object_set_new(o, "netns", ns_json(&s->netns));
	json_object_set_new(o, "netns_origin", json_string(origin_name(s->origin)));
	json_object_set_new(o, "foreign", json_boolean(s->foreign));
	return o;
}

size_t print_frame(char *buf, size_t n, const struct nst_frame *f)
{
	int r;

	if (f->function)
		r = snprintf(buf, n, "%s(%s+0x%llx) [0x%llx]", f->module ? f->module : "?", f->function,
			     (unsigned long long)f->offset, (unsigned long long)f->addr);
	else
		r = snprintf(buf, n, "%s+0x%llx [0x%llx]", f->module ? f->module : "?",
			     (unsigned long long)f->offset, (unsigned long long)f->addr);
	return r < 0 ? 0 : (size_t)r < n ? (size_t)r : n - 1;
}

json_t *stack_to_json(const struct nst_stack *st)
{
	json_t *a = json_array();

	for (uint32_t i = 0; st && i < st->nframes; i++) {
		const struct nst_frame *f = &st->frames[i];
		json_array_append_new(a, json_pack("{s:s, s:o, s:I, s:I}", "module", f->module ? f->module : "?",
			"function", f->function ? json_string(f->function) : json_null(),
			"offset", (json_int_t)f->offset, "addr", (json_int_t)f->addr));
	}
	return a;
}

json_t *event_to_json(const struct nst_event *ev)
{
	json_t *o = json_object();
	const char *en = errno_name(ev->err);

	if (!o)
		return NULL;
	json_object_set_new(o, "type", json_string("event"));
	json_object_set_new(o, "ts", json_integer((json_int_t)ev->ts_us));
	json_object_set_new(o, "pid", json_integer(ev->pid));
	json_object_set_new(o, "tid", json_integer(ev->tid));
	json_object_set_new(o, "comm", json_string(ev->comm));
	json_object_set_new(o, "syscall", json_string(ev->syscall));
	json_object_set_new(o, "fd", json_integer(ev->fd));
	if (ev->fd2 >= 0)
		json_object_set_new(o, "fd2", json_integer(ev->fd2));
	json_object_set_new(o, "ret", json_integer(ev->ret));
	json_object_set_new(o, "errno", ev->err ? (en ? json_string(en) : json_integer(ev->err))
						: json_null());
	json_object_set_new(o, "arg", json_integer((json_int_t)ev->arg));
	if (ev->msg_index)
		json_object_set_new(o, "msg_index", json_integer(ev->msg_index));
	json_object_set_new(o, "thread_netns", ns_json(&ev->thread_netns));
	json_object_set_new(o, "home_netns", ns_json(&ev->home_netns));
	if (ev->flags & NST_EV_NS_CHANGE)
		json_object_set_new(o, "ns_new", ns_json(&ev->ns_new));
	if (ev->flags & NST_EV_SOCK)
		json_object_set_new(o, "sock", sock_json(&ev->sock));
	if (ev->flags & NST_EV_ADDR)
		json_object_set_new(o, "addr", addr_json(&ev->addr));
	if (ev->flags & NST_EV_ADDR_UNREADABLE)
		json_object_set_new(o, "addr_unreadable", json_true());
	if (ev->io_len || ev->payload_len) {
		static char hex[2 * NST_MAX_SNAPLEN + 1];
		size_t len = ev->payload_len < NST_MAX_SNAPLEN ? ev->payload_len : NST_MAX_SNAPLEN;
		json_object_set_new(o, "len", json_integer((json_int_t)ev->io_len));
		print_hex(hex, ev->payload ? ev->payload : (const uint8_t *)"", ev->payload ? len : 0);
		json_object_set_new(o, "payload", json_string(hex));
	}
	if (ev->stack)
		json_object_set_new(o, "stack", stack_to_json(ev->stack));
	if (ev->flags & NST_EV_TRUNCATED)
		json_object_set_new(o, "truncated", json_true());
	if (ev->flags & NST_EV_UNREADABLE)
		json_object_set_new(o, "unreadable", json_true());
	return o;
}
