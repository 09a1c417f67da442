/* dnsstream.c - DNS framing over socket events, see dnsstream.h. */
#include "analyzers/dnsstream.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_STREAMS 256
#define STREAM_CAP (65535 + 2)

struct stream {
	int pid, fd, dir;
	uint64_t last_use;
	size_t len;
	bool desync; /* a capture gap: drop bytes until the next call starts */
	uint8_t *buf;
};

struct dnsstream {
	struct stream st[MAX_STREAMS];
	uint64_t tick;
};

struct dnsstream *dnsstream_new(void)
{
	return calloc(1, sizeof(struct dnsstream));
}

void dnsstream_free(struct dnsstream *s)
{
	if (!s)
		return;
	for (int i = 0; i < MAX_STREAMS; i++)
		free(s->st[i].buf);
	free(s);
}

int syscall_direction(const char *n)
{
	static const char *const sends[] = { "write", "writev", "sendto", "sendmsg", "sendmmsg" };
	static const char *const recvs[] = { "read", "readv", "recvfrom", "recvmsg", "recvmmsg" };
	size_t i;

	for (i = 0; i < sizeof(sends) / sizeof(sends[0]); i++)
		if (!strcmp(n, sends[i]))
			return 1;
	for (i = 0; i < sizeof(recvs) / sizeof(recvs[0]); i++)
		if (!strcmp(n, recvs[i]))
			return -1;
	return 0;
}

static bool is_embedded_listener(const struct nst_addr *a)
{
	return a->family == AF_INET && a->u.in4[0] == 127 && a->u.in4[1] == 0 &&
	       a->u.in4[2] == 0 && a->u.in4[3] == 11;
}

static bool is_inet(int f)
{
	return f == AF_INET || f == AF_INET6;
}

bool dns_candidate(const struct nst_event *ev, struct nst_addr *remote)
{
	const struct nst_sock *s = &ev->sock;

	if (!(ev->flags & NST_EV_SOCK) || !is_inet(s->family))
		return false;
	*remote = (ev->flags & NST_EV_ADDR) && is_inet(ev->addr.family) ? ev->addr : s->peer;
	if (remote->port == 53 && is_inet(remote->family))
		return true;
	if (s->local.port == 53 && is_inet(s->local.family))
		return true;
	return is_embedded_listener(&s->local);
}

static struct stream *find_stream(struct dnsstream *s, int pid, int fd, int dir, bool create)
{
	struct stream *lru = &s->st[0];

	for (int i = 0; i < MAX_STREAMS; i++) {
		struct stream *t = &s->st[i];
		if (t->buf && t->pid == pid && t->fd == fd && t->dir == dir) {
			t->last_use = ++s->tick;
			return t;
		}
		if (t->last_use < lru->last_use)
			lru = t;
	}
	if (!create)
		return NULL;
	if (!lru->buf && !(lru->buf = malloc(STREAM_CAP)))
		return NULL;
	lru->pid = pid;
	lru->fd = fd;
	lru->dir = dir;
	lru->len = 0;
	lru->desync = false;
	lru->last_use = ++s->tick;
	return lru;
}

static void forget(struct dnsstream *s, int pid, int fd)
{
	for (int i = 0; i < MAX_STREAMS; i++)
		if (s->st[i].buf && s->st[i].pid == pid && s->st[i].fd == fd)
			s->st[i].len = 0, s->st[i].last_use = 0, s->st[i].pid = 0;
}

static void deliver(struct dns_seen *d, const uint8_t *p, size_t n, bool cut, dns_seen_cb cb,
		    void *ctx)
{
	if (dns_parse(p, n, &d->msg) < 0 || !dns_plausible(&d->msg))
		return;
	if (cut)
		d->msg.truncated = true;
	cb(d, ctx);
}

/* Split a TCP byte stream on 2-byte length prefixes. */
static void feed_tcp(struct dnsstream *s, struct dns_seen *d, int dir, dns_seen_cb cb, void *ctx)
{
	const struct nst_event *ev = d->ev;
	bool gap = ev->payload_len < ev->io_len; /* -s cut this call short */
	struct stream *t = find_stream(s, ev->pid, ev->fd, dir, true);
	size_t n = ev->payload_len, room;

	if (!t)
		return;
	if (t->desync) { /* resynchronize: assume this call starts a message */
		t->len = 0;
		t->desync = false;
	}
	room = STREAM_CAP - t->len;
	if (n > room) {
		n = room;
		gap = true;
	}
	memcpy(t->buf + t->len, ev->payload, n);
	t->len += n;
	while (t->len >= 2) {
		size_t mlen = (size_t)t->buf[0] << 8 | t->buf[1];
		if (t->len < mlen + 2)
			break;
		deliver(d, t->buf + 2, mlen, false, cb, ctx);
		memmove(t->buf, t->buf + 2 + mlen, t->len - 2 - mlen);
		t->len -= 2 + mlen;
	}
	if (gap && t->len >= 2 + 12) {
		/* Decode what the capture kept of the message, then resync. */
		deliver(d, t->buf + 2, t->len - 2, true, cb, ctx);
		t->desync = true;
	} else if (gap) {
		t->desync = true;
	}
}

void dnsstream_feed(struct dnsstream *s, const struct nst_event *ev, dns_seen_cb cb, void *ctx)
{
	struct dns_seen d;
	int dir;

	if (!strcmp(ev->syscall, "close") || !strcmp(ev->syscall, "socket") ||
	    !strncmp(ev->syscall, "accept", 6)) {
		forget(s, ev->pid, !strcmp(ev->syscall, "close") ? ev->fd
				 : ev->fd2 >= 0 ? ev->fd2 : ev->fd);
		return;
	}
	dir = syscall_direction(ev->syscall);
	if (!dir || !ev->payload_len || !ev->payload)
		return;
	/* A failed UDP send still shows the query that could not leave. */
	if (ev->ret <= 0 && !(dir > 0 && ev->err && ev->sock.type != SOCK_STREAM))
		return;
	memset(&d, 0, sizeof(d));
	if (!dns_candidate(ev, &d.remote))
		return;
	d.ev = ev;
	d.outbound = dir > 0;
	d.local = ev->sock.local;
	d.tcp = ev->sock.type == SOCK_STREAM;
	if (d.tcp)
		feed_tcp(s, &d, dir, cb, ctx);
	else
		deliver(&d, ev->payload, ev->payload_len, ev->payload_len < ev->io_len, cb, ctx);
}
