/* dnsstream.c - DNS framing over socket events, see dnsstream.h. */
#include "analyzers/dnsstream.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model/sysent.h"

#define MAX_STREAMS 256
#define STREAM_CAP (65535 + 2)
#define DNS_SOCKS 4096 /* sockets that carried DNS, direct-mapped */
#define HELD 16        /* DNS-shaped messages of sockets not (yet) known as DNS */
#define HELD_BYTES 512

/* A message on a socket from before the trace that nothing showed to be
 * DNS yet (its peer not known): kept until a later call on it shows port
 * 53 (an answer from it, a connect to it), when it is counted in its
 * place; forgotten with its socket, or when newer ones need the room.  A
 * DNS-shaped payload alone proves nothing: on a socket never shown to be
 * DNS it is never counted. */
struct held {
	uint64_t sock; /* 0: free */
	uint64_t seq;
	struct nst_event ev; /* its pointers cleared, payload in buf */
	size_t full;
	uint8_t buf[HELD_BYTES];
};

struct stream {
	uint64_t sock;
	int dir;
	uint64_t last_use;
	size_t len;
	bool desync; /* a capture gap: drop bytes until the next call starts */
	uint8_t *buf;
};

struct dnsstream {
	struct stream st[MAX_STREAMS];
	unsigned live; /* streams with a socket: none, and an end needs no scan */
	uint64_t tick;
	uint64_t dns_socks[DNS_SOCKS]; /* 0: empty */
	unsigned long not_dns;
	struct held held[HELD];
	unsigned nheld;
	uint64_t held_seq;
};

unsigned long dnsstream_not_dns(const struct dnsstream *s)
{
	return s->not_dns;
}

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

uint64_t sock_key(const struct nst_event *ev)
{
	int fd = ev->fd;

	if (ev->sock.id)
		return ev->sock.id; /* model ids are small counters: bit 63 is free */
	if ((ev->op == NST_OP_ACCEPT || ev->op == NST_OP_DUP || ev->op == NST_OP_FCNTL) &&
	    ev->fd2 >= 0)
		fd = ev->fd2;
	return 1ull << 63 | (uint64_t)(uint32_t)ev->pid << 32 | (uint32_t)fd;
}

bool sock_gone(const struct nst_event *ev)
{
	return ev->op == NST_OP_CLOSE && ((ev->flags & NST_EV_SOCK_GONE) || !ev->sock.id);
}

bool dns_embedded_listener(const struct nst_addr *a)
{
	return a->family == AF_INET && a->u.in4[0] == 127 && a->u.in4[1] == 0 &&
	       a->u.in4[2] == 0 && a->u.in4[3] == 11;
}

static bool is_inet(int f)
{
	return f == AF_INET || f == AF_INET6;
}

static uint64_t *dns_sock_slot(struct dnsstream *s, uint64_t key)
{
	return &s->dns_socks[(key * 0x9e3779b97f4a7c15ull >> 40) % DNS_SOCKS];
}

/* Could this socket event be DNS: by its addresses, or because its socket
 * carried DNS before?  Sets *remote (AF_UNSPEC when the call shows none). */
static bool candidate(struct dnsstream *s, const struct nst_event *ev, uint64_t key,
		      struct nst_addr *remote)
{
	const struct nst_sock *k = &ev->sock;

	if (!(ev->flags & NST_EV_SOCK) || !is_inet(k->family))
		return false;
	*remote = (ev->flags & NST_EV_ADDR) && is_inet(ev->addr.family) ? ev->addr : k->peer;
	if (remote->port == 53 && is_inet(remote->family))
		return true;
	if ((k->local.port == 53 && is_inet(k->local.family)) || dns_embedded_listener(&k->local))
		return true;
	return *dns_sock_slot(s, key) == key;
}

static struct stream *find_stream(struct dnsstream *s, uint64_t sock, int dir)
{
	struct stream *lru = &s->st[0];

	for (int i = 0; i < MAX_STREAMS; i++) {
		struct stream *t = &s->st[i];
		if (t->buf && t->sock == sock && t->dir == dir) {
			t->last_use = ++s->tick;
			return t;
		}
		if (t->last_use < lru->last_use)
			lru = t;
	}
	if (!lru->buf && !(lru->buf = malloc(STREAM_CAP)))
		return NULL;
	if (!lru->sock)
		s->live++;
	lru->sock = sock;
	lru->dir = dir;
	lru->len = 0;
	lru->desync = false;
	lru->last_use = ++s->tick;
	return lru;
}

static void forget(struct dnsstream *s, uint64_t sock)
{
	uint64_t *slot = dns_sock_slot(s, sock);

	if (*slot == sock)
		*slot = 0;
	for (int i = 0; s->nheld && i < HELD; i++)
		if (s->held[i].sock == sock) {
			s->held[i].sock = 0;
			s->nheld--;
		}
	for (int i = 0; s->live && i < MAX_STREAMS; i++)
		if (s->st[i].buf && s->st[i].sock == sock) {
			s->st[i].len = 0, s->st[i].last_use = 0, s->st[i].sock = 0;
			s->live--;
		}
}

static void deliver(struct dnsstream *s, struct dns_seen *d, const uint8_t *p, size_t n,
		    size_t full, dns_seen_cb cb, void *ctx)
{
	bool cut = full > n;

	d->unparsed = false;
	if (dns_parse(p, n, &d->msg) < 0 || !dns_plausible(&d->msg)) {
		s->not_dns += !cut; /* what -s cut short is not counted against it */
		/* a whole reply by its header: its query was answered */
		if (!cut && n >= 12 && !d->outbound && d->msg.qr && d->msg.opcode == 0) {
			d->unparsed = true;
			d->wire = p;
			d->wire_len = d->wire_full = n;
			cb(d, ctx);
		}
		return;
	}
	if (cut)
		d->msg.truncated = true;
	d->wire = p;
	d->wire_len = n;
	d->wire_full = full;
	*dns_sock_slot(s, d->sock) = d->sock; /* its answers are DNS, however read */
	cb(d, ctx);
}

/* Split a TCP byte stream on 2-byte length prefixes. */
static void feed_tcp(struct dnsstream *s, struct dns_seen *d, int dir, dns_seen_cb cb, void *ctx)
{
	const struct nst_event *ev = d->ev;
	bool gap = ev->payload_len < ev->io_len; /* -s cut this call short */
	struct stream *t = find_stream(s, d->sock, dir);
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
		deliver(s, d, t->buf + 2, mlen, mlen, cb, ctx);
		memmove(t->buf, t->buf + 2 + mlen, t->len - 2 - mlen);
		t->len -= 2 + mlen;
	}
	if (gap && t->len >= 2 + 12) {
		/* Decode what the capture kept of the message (its prefix says
		 * more than that: else the loop took it), then resync. */
		deliver(s, d, t->buf + 2, t->len - 2, (size_t)t->buf[0] << 8 | t->buf[1], cb, ctx);
		t->desync = true;
	} else if (gap) {
		t->desync = true;
	}
}

/* Could ev's socket be one from before the trace whose DNS is yet to
 * show: an inet or unknown family, not TCP (a stream's framing needs its
 * start), a payload that parses as a plausible DNS message? */
static bool maybe_dns(const struct nst_event *ev)
{
	const struct nst_sock *k = &ev->sock;
	struct dns_msg m;

	if (!(ev->flags & NST_EV_SOCK) || k->type == SOCK_STREAM || ev->ret <= 0 ||
	    (k->family != AF_UNSPEC && !is_inet(k->family)) || ev->payload_len > HELD_BYTES ||
	    k->peer.family != AF_UNSPEC)
		return false;
	return dns_parse(ev->payload, ev->payload_len, &m) == 0 && dns_plausible(&m);
}

static void hold(struct dnsstream *s, const struct nst_event *ev, uint64_t key)
{
	struct held *h = &s->held[0];

	for (int i = 0; i < HELD; i++) {
		if (!s->held[i].sock) {
			h = &s->held[i];
			break;
		}
		if (s->held[i].seq < h->seq)
			h = &s->held[i]; /* the oldest gives way */
	}
	if (!h->sock)
		s->nheld++;
	h->sock = key;
	h->seq = ++s->held_seq;
	h->ev = *ev;
	memcpy(h->buf, ev->payload, ev->payload_len);
	h->full = ev->payload_len < ev->io_len ? ev->io_len : ev->payload_len;
	h->ev.payload = h->buf;
	h->ev.stack = NULL;
	h->ev.syscall = sysent[h->ev.sen < SEN_COUNT ? h->ev.sen : SEN_UNKNOWN].name; /* static */
	h->ev.thread_netns.path = h->ev.home_netns.path = h->ev.sock.netns.path = h->ev.ns_new.path = NULL;
	h->ev.thread_netns.label = h->ev.home_netns.label = h->ev.sock.netns.label = h->ev.ns_new.label = NULL;
}

/* The socket key has just shown it carries DNS (remote): its held
 * messages first, oldest first, as if the proof had come with them. */
static void release(struct dnsstream *s, uint64_t key, const struct nst_addr *remote,
		    const struct nst_event *proof, dns_seen_cb cb, void *ctx)
{
	for (;;) {
		struct held *h = NULL;
		for (int i = 0; i < HELD; i++)
			if (s->held[i].sock == key && (!h || s->held[i].seq < h->seq))
				h = &s->held[i];
		if (!h)
			return;
		struct dns_seen d;
		struct nst_event ev = h->ev;
		ev.sock.family = proof->sock.family;
		ev.sock.peer = proof->sock.peer;
		ev.sock.netns = proof->sock.netns; /* pointers valid during this call */
		h->sock = 0;
		s->nheld--;
		d.ev = &ev;
		d.sock = key;
		d.outbound = ev.dir == NST_DIR_OUT;
		d.local = ev.sock.local;
		d.tcp = false;
		d.remote = (ev.flags & NST_EV_ADDR) && is_inet(ev.addr.family) ? ev.addr : *remote;
		deliver(s, &d, h->buf, ev.payload_len, h->full, cb, ctx);
	}
}

void dnsstream_feed(struct dnsstream *s, const struct nst_event *ev, dns_seen_cb cb, void *ctx)
{
	struct dns_seen d;
	uint64_t key;

	if (ev->op == NST_OP_CLOSE || ev->op == NST_OP_SOCKET || ev->op == NST_OP_ACCEPT) {
		/* a socket ends, or one known by (pid, fd) starts over */
		if (ev->op != NST_OP_CLOSE || sock_gone(ev))
			forget(s, sock_key(ev));
		return;
	}
	if (ev->dir == NST_DIR_NONE || !ev->payload_len || !ev->payload)
		return;
	/* A failed UDP send still shows the query that could not leave. */
	if (ev->ret <= 0 && !(ev->dir == NST_DIR_OUT && ev->err && ev->sock.type != SOCK_STREAM))
		return;
	key = sock_key(ev);
	if (!candidate(s, ev, key, &d.remote)) {
		if (maybe_dns(ev))
			hold(s, ev, key);
		return;
	}
	if (s->nheld)
		release(s, key, &d.remote, ev, cb, ctx);
	/* d.msg is dns_parse's to fill: the rest is set here, not zeroed */
	d.ev = ev;
	d.sock = key;
	d.outbound = ev->dir == NST_DIR_OUT;
	d.local = ev->sock.local;
	d.tcp = ev->sock.type == SOCK_STREAM;
	if (d.tcp)
		feed_tcp(s, &d, ev->dir, cb, ctx);
	else
		deliver(s, &d, ev->payload, ev->payload_len,
			ev->payload_len < ev->io_len ? ev->io_len : ev->payload_len, cb, ctx);
}
