/* events.c - event formatting, see events.h. */
#define _GNU_SOURCE
#include "output/events.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "model/print.h"
#include "output/textesc.h"

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

static void sb_ns(struct sbuf *b, const struct nst_ns *ns, const struct containers *names)
{
	const struct container *c = containers_find(names, ns->ino, ns->path);
	char e[1024]; /* paths and names are the tracee's: escaped (textesc.h) */

	if (!ns->ino && ns->path)
		sb_printf(b, "%s", text_esc(e, sizeof(e), ns->path));
	else if (!ns->ino && ns->label)
		sb_printf(b, "{%s}", ns->label);
	else if (!ns->ino)
		sb_printf(b, "net:[?]");
	else if (ns->path)
		sb_printf(b, "net:[%llu] %s", (unsigned long long)ns->ino, text_esc(e, sizeof(e), ns->path));
	else
		sb_printf(b, "net:[%llu]", (unsigned long long)ns->ino);
	/* A Docker container's name; an ip-netns name is in the path already. */
	if (c && ct_is_container(c->kind))
		sb_printf(b, " ctr:%s", text_esc(e, sizeof(e), c->name));
}

size_t print_sock_tag(char *buf, size_t n, const struct nst_sock *s,
		      const struct containers *names)
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
	sb_ns(&b, &s->netns, names);
	if (s->foreign)
		sb_printf(&b, " FOREIGN");
	return b.len;
}

static void sb_fd(struct sbuf *b, int fd, const struct nst_event *ev,
		  const struct containers *names)
{
	char tag[512];

	if (ev->flags & NST_EV_SOCK) {
		print_sock_tag(tag, sizeof(tag), &ev->sock, names);
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

size_t print_event_text(char *buf, size_t n, const struct nst_event *ev,
			const struct containers *names)
{
	struct sbuf b = { buf, n, 0 };
	char tmp[1024];

	if (!n)
		return 0;
	buf[0] = '\0';
	sb_printf(&b, "[pid %5d] %s(", ev->tid, ev->syscall);
	if (ev->op == NST_OP_SOCKET) {
		sb_sockargs(&b, ev);
	} else if (ev->flags & NST_EV_NS_CHANGE || ev->op == NST_OP_UNSHARE ||
		   ev->op == NST_OP_CLONE) {
		print_clone_flags(tmp, sizeof(tmp), ev->arg);
		if (ev->fd >= 0)
			sb_printf(&b, "%d, ", ev->fd);
		sb_printf(&b, "%s", tmp);
	} else {
		sb_fd(&b, ev->fd, ev, names);
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
		if (ev->unseen)
			sb_printf(&b, ", [%u more msgs not seen]", ev->unseen);
		if (ev->op == NST_OP_WAIT) {
			print_poll_bits(tmp, sizeof(tmp), (unsigned)ev->arg);
			sb_printf(&b, ", revents=%s, ", tmp);
			if (ev->wait_us >= 0)
				sb_printf(&b, "timeout=%lldms", (long long)(ev->wait_us / 1000));
			else
				sb_printf(&b, "timeout=%s", ev->wait_us == NST_WAIT_FOREVER ? "never" : "?");
			if (ev->wait_nfds)
				sb_printf(&b, ", watched %u fds%s", ev->wait_nfds,
					  ev->flags & NST_EV_WAIT_SOCKS ? " (sockets only)" : "");
			if (ev->flags & NST_EV_SOCK_ERR)
				sb_printf(&b, ", pending error %s",
					  ev->sock_err ? (errno_name(ev->sock_err) ?: "?") : "none");
		}
		if (ev->op == NST_OP_SOCKERR && !ev->err) /* as strace prints it */
			sb_printf(&b, ", SOL_SOCKET, SO_ERROR, [%s]",
				  ev->arg ? (errno_name((int)ev->arg) ?: "?") : "0");
	}
	sb_printf(&b, ") = ");
	if (ev->err) {
		const char *en = errno_name(ev->err);
		if (en)
			sb_printf(&b, "-1 %s (%s)", en, strerror(ev->err));
		else
			sb_printf(&b, "-1 errno %d", ev->err);
	} else if (ev->op == NST_OP_SOCKET && (ev->flags & NST_EV_SOCK)) {
		sb_fd(&b, ev->fd, ev, names);
		if (ev->fd2 >= 0)
			sb_printf(&b, " %d", ev->fd2);
	} else {
		sb_printf(&b, "%lld", (long long)ev->ret);
		if (ev->fd2 >= 0 && ev->op != NST_OP_SOCKET)
			sb_printf(&b, "<%s>", proto_short(&ev->sock));
	}
	if (ev->flags & NST_EV_NS_CHANGE) {
		sb_printf(&b, " -> ");
		sb_ns(&b, &ev->ns_new, names);
	}
	if (ev->flags & NST_EV_AWAY) {
		sb_printf(&b, " [thread in ");
		sb_ns(&b, &ev->thread_netns, names);
		sb_printf(&b, "]");
	}
	return b.len;
}

static void jw_ns(struct jw *w, const struct nst_ns *ns, const struct containers *names)
{
	const struct container *c = containers_find(names, ns->ino, ns->path);

	jw_obj_begin(w);
	jw_key(w, "ino");
	if (ns->ino)
		jw_int(w, (long long)ns->ino);
	else
		jw_null(w);
	jw_key(w, "path");
	jw_str_or_null(w, ns->path);
	if (ns->label) {
		jw_key(w, "label");
		jw_str(w, ns->label);
	}
	if (c) {
		jw_key(w, "container");
		jw_obj_begin(w);
		jw_key(w, "name");
		jw_str(w, c->name);
		jw_key(w, "id");
		jw_str(w, c->id);
		jw_key(w, "ip");
		jw_str(w, c->ip);
		jw_key(w, "kind");
		jw_str(w, ct_kind_name(c->kind));
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

static void jw_addr(struct jw *w, const struct nst_addr *a)
{
	char s[160];

	if (a->family == AF_UNSPEC) {
		jw_null(w);
		return;
	}
	print_addr(s, sizeof(s), a);
	jw_str(w, s);
}

static const char *origin_name(enum nst_ns_origin o)
{
	return o == NST_NS_CREATED ? "created" : o == NST_NS_QUERIED ? "queried" : "unknown";
}

static void jw_name_or_num(struct jw *w, const char *name, int num)
{
	if (name)
		jw_str(w, name);
	else
		jw_int(w, num);
}

static void jw_sock(struct jw *w, const struct nst_sock *s, const struct containers *names)
{
	jw_obj_begin(w);
	if (s->id) {
		jw_key(w, "id");
		jw_int(w, (long long)s->id);
	}
	jw_key(w, "family");
	jw_name_or_num(w, family_name(s->family), s->family);
	jw_key(w, "type");
	jw_name_or_num(w, socktype_name(s->type), s->type);
	jw_key(w, "protocol");
	jw_int(w, s->protocol);
	jw_key(w, "proto");
	jw_str(w, proto_short(s));
	jw_key(w, "local");
	jw_addr(w, &s->local);
	jw_key(w, "peer");
	jw_addr(w, &s->peer);
	jw_key(w, "netns");
	jw_ns(w, &s->netns, names);
	jw_key(w, "netns_origin");
	jw_str(w, origin_name(s->origin));
	jw_key(w, "foreign");
	jw_bool(w, s->foreign);
	jw_obj_end(w);
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

static void jw_stack(struct jw *w, const struct nst_stack *st)
{
	jw_arr_begin(w);
	for (uint32_t i = 0; i < st->nframes; i++) {
		const struct nst_frame *f = &st->frames[i];
		jw_obj_begin(w);
		jw_key(w, "module");
		jw_str(w, f->module ? f->module : "?");
		jw_key(w, "function");
		jw_str_or_null(w, f->function);
		jw_key(w, "offset");
		jw_int(w, (long long)f->offset);
		jw_key(w, "addr");
		jw_int(w, (long long)f->addr);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

int print_event_json(struct jw *w, const struct nst_event *ev, const struct containers *names)
{
	const char *en = errno_name(ev->err);

	jw_reset(w);
	jw_obj_begin(w);
	jw_key(w, "type");
	jw_str(w, "event");
	jw_key(w, "ts");
	jw_int(w, (long long)ev->ts_us);
	jw_key(w, "pid");
	jw_int(w, ev->pid);
	jw_key(w, "tid");
	jw_int(w, ev->tid);
	jw_key(w, "comm");
	jw_str(w, ev->comm);
	jw_key(w, "syscall");
	jw_str(w, ev->syscall);
	jw_key(w, "fd");
	jw_int(w, ev->fd);
	if (ev->fd2 >= 0) {
		jw_key(w, "fd2");
		jw_int(w, ev->fd2);
	}
	jw_key(w, "ret");
	jw_int(w, (long long)ev->ret);
	jw_key(w, "errno");
	if (!ev->err)
		jw_null(w);
	else
		jw_name_or_num(w, en, ev->err);
	jw_key(w, "arg");
	jw_int(w, (long long)ev->arg);
	if (ev->unseen) {
		jw_key(w, "unseen");
		jw_int(w, ev->unseen);
	}
	if (ev->msg_index) {
		jw_key(w, "msg_index");
		jw_int(w, ev->msg_index);
	}
	if (ev->op == NST_OP_WAIT) {
		char bits[128];
		print_poll_bits(bits, sizeof(bits), (unsigned)ev->arg);
		jw_key(w, "revents");
		jw_str(w, bits);
		jw_key(w, "timeout_us"); /* -1: none; null: not known */
		if (ev->wait_us == NST_WAIT_UNKNOWN)
			jw_null(w);
		else
			jw_int(w, ev->wait_us < 0 ? -1 : (long long)ev->wait_us);
		jw_key(w, "watched");
		if (ev->wait_nfds)
			jw_int(w, ev->wait_nfds);
		else
			jw_null(w);
		jw_key(w, "sockets_only");
		jw_bool(w, (ev->flags & NST_EV_WAIT_SOCKS) != 0);
		if (ev->flags & NST_EV_SOCK_ERR) {
			jw_key(w, "sock_err");
			if (ev->sock_err)
				jw_name_or_num(w, errno_name(ev->sock_err), ev->sock_err);
			else
				jw_int(w, 0);
		}
	}
	jw_key(w, "thread_netns");
	jw_ns(w, &ev->thread_netns, names);
	jw_key(w, "home_netns");
	jw_ns(w, &ev->home_netns, names);
	if (ev->flags & NST_EV_NS_CHANGE) {
		jw_key(w, "ns_new");
		jw_ns(w, &ev->ns_new, names);
	}
	if (ev->flags & NST_EV_SOCK) {
		jw_key(w, "sock");
		jw_sock(w, &ev->sock, names);
	}
	if (ev->flags & NST_EV_SOCK_GONE) {
		jw_key(w, "sock_gone");
		jw_bool(w, true);
	}
	if (ev->flags & NST_EV_ADDR) {
		jw_key(w, "addr");
		jw_addr(w, &ev->addr);
	}
	if (ev->flags & NST_EV_ADDR_UNREADABLE) {
		jw_key(w, "addr_unreadable");
		jw_bool(w, true);
	}
	if (ev->io_len || ev->payload_len) {
		size_t len = ev->payload_len < NST_MAX_SNAPLEN ? ev->payload_len : NST_MAX_SNAPLEN;
		jw_key(w, "len");
		jw_int(w, (long long)ev->io_len);
		jw_key(w, "payload");
		jw_hex(w, ev->payload, ev->payload ? len : 0);
	}
	if (ev->stack) {
		jw_key(w, "stack");
		jw_stack(w, ev->stack);
	}
	if (ev->flags & NST_EV_TRUNCATED) {
		jw_key(w, "truncated");
		jw_bool(w, true);
	}
	if (ev->flags & NST_EV_UNREADABLE) {
		jw_key(w, "unreadable");
		jw_bool(w, true);
	}
	jw_obj_end(w);
	return w->err ? -ENOMEM : 0;
}
