/* dnspcap.c - see dnspcap.h. */
#define _GNU_SOURCE
#include "output/dnspcap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model/idmap.h"
#include "model/print.h"
#include "model/version.h"
#include "output/pcapng.h"

#define QMAX 65536
#define QBYTES (64u << 20)
#define MAX_IFACES 1024
#define TCP_FLOWS 256
#define COMMENT_MAX 1024
#define BLOCK_MAX (PKT_MAX_PAYLOAD + 128 + COMMENT_MAX + 64)

struct iface {
	struct ns_ref ns;
	bool written; /* its IDB is in the file */
};

/* A packet waiting for its exchange's outcome. */
struct qpkt {
	struct qpkt *next;                /* the queue, oldest first */
	struct qpkt *older, *newer;       /* queued packets of the same exchange */
	uint64_t ts, xid;
	uint32_t rows;
	bool decided, has_asker;
	uint32_t ifid;
	int pid, tid;
	char comm[NST_COMM_LEN];
	char what[192]; /* "query sent 10.0.0.2:41000 > 198.51.100.53:53 udp" */
	struct ns_ref asker;
	size_t len, wire; /* captured, and on the wire */
	uint8_t pkt[];
};

struct flow { /* TCP sequence numbers per socket, both ways */
	uint64_t sock;
	uint32_t out, in;
};

struct dns_pcap {
	FILE *f;
	int err;
	const struct containers *names;
	uint64_t hold_us, now;
	struct qpkt *head, *tail;
	size_t nq, bytes;
	struct idmap newest; /* xid -> its newest queued packet */
	uint64_t last_xid;   /* the latest outcome of an exchange with nothing queued */
	uint32_t last_rows;
	struct iface *ifs;
	size_t nifs;
	struct flow flows[TCP_FLOWS];
	struct dnspcap_stats st;
	uint8_t pkt[PKT_MAX_PAYLOAD + 128];
	uint8_t block[BLOCK_MAX];
};

static void put(struct dns_pcap *c, const void *p, size_t n)
{
	if (!c->err && n && fwrite(p, 1, n, c->f) != n)
		c->err = errno ? -errno : -EIO;
}

struct dns_pcap *dnspcap_open(const char *path, const struct containers *names, uint64_t hold_us)
{
	struct dns_pcap *c = calloc(1, sizeof(*c));
	char app[64];

	if (!c || !(c->ifs = calloc(MAX_IFACES, sizeof(*c->ifs))) || !(c->f = fopen(path, "wb"))) {
		int e = errno;
		if (c)
			free(c->ifs);
		free(c);
		errno = e;
		return NULL;
	}
	c->names = names;
	c->hold_us = hold_us;
	snprintf(app, sizeof(app), "nstrace %s", NST_VERSION);
	put(c, c->block, pcapng_shb(c->block, sizeof(c->block), app));
	return c;
}

/* --- interfaces: one per netns ------------------------------------------------ */

static uint32_t iface_for(struct dns_pcap *c, const struct nst_ns *ns)
{
	for (size_t i = 0; i < c->nifs; i++)
		if (ns_ref_is(&c->ifs[i].ns, ns))
			return (uint32_t)i;
	if (c->nifs == MAX_IFACES) /* the last one takes the rest */
		return MAX_IFACES - 1;
	ns_ref_from(&c->ifs[c->nifs].ns, ns);
	if (c->nifs == MAX_IFACES - 1)
		snprintf(c->ifs[c->nifs].ns.label, sizeof(c->ifs[c->nifs].ns.label),
			 "more than %d namespaces", MAX_IFACES - 1);
	return (uint32_t)c->nifs++;
}

/* Its name: the container, else the path, inode or label. */
static void iface_write(struct dns_pcap *c, struct iface *f)
{
	const struct ns_ref *ns = &f->ns;
	const struct container *ct = containers_find(c->names, ns->ino, ns->path[0] ? ns->path : NULL);
	char name[160], desc[512];

	if (ct && ct->name[0])
		snprintf(name, sizeof(name), "%s", ct->name);
	else if (ns->path[0])
		snprintf(name, sizeof(name), "%s", ns->path);
	else if (ns->ino)
		snprintf(name, sizeof(name), "net:[%llu]", (unsigned long long)ns->ino);
	else if (ns->label[0])
		snprintf(name, sizeof(name), "%s", ns->label);
	else
		snprintf(name, sizeof(name), "unknown netns");
	ns_ref_text(ns, c->names, desc, sizeof(desc));
	put(c, c->block, pcapng_idb(c->block, sizeof(c->block), PCAPNG_LINKTYPE_RAW, name, desc));
	f->written = true;
}

/* --- writing ---------------------------------------------------------------------- */

static void rows_text(char *buf, size_t n, uint32_t rows)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int id = 0; id < FIND_COUNT && len < n; id++)
		if (rows & (1u << id))
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "",
						finding_rows[id].name);
}

static void write_one(struct dns_pcap *c, struct qpkt *q, bool early)
{
	char comment[COMMENT_MAX], ns[384], asker[384] = "", fnd[256];
	struct iface *f = &c->ifs[q->ifid];
	bool comm = q->comm[0] && strcmp(q->comm, "?"); /* a strace log may not say */

	if (!f->written)
		iface_write(c, f);
	ns_ref_text(&f->ns, c->names, ns, sizeof(ns));
	if (q->has_asker)
		ns_ref_text(&q->asker, c->names, asker, sizeof(asker));
	if (!q->xid)
		fnd[0] = '\0';
	else if (!q->decided)
		snprintf(fnd, sizeof(fnd), "; findings: %s", early ? "not known yet when written" : "unknown");
	else if (!q->rows)
		snprintf(fnd, sizeof(fnd), "; findings: none");
	else {
		char r[200];
		rows_text(r, sizeof(r), q->rows);
		snprintf(fnd, sizeof(fnd), "; finding: %s", r);
	}
	snprintf(comment, sizeof(comment), "pid %d%s%s%s tid %d: %s; netns %s%s%s%s", q->pid,
		 comm ? " (" : "", comm ? q->comm : "", comm ? ")" : "", q->tid, q->what, ns,
		 asker[0] ? "; for a lookup from " : "", asker, fnd);
	put(c, c->block,
	    pcapng_epb(c->block, sizeof(c->block), q->ifid, q->ts, q->pkt, q->len, q->wire, comment));
	c->st.packets++;
}

/* More waiting than the queue may hold. */
static bool over_bounds(const struct dns_pcap *c)
{
	return c->nq > QMAX || c->bytes > QBYTES;
}

/* Write and free the oldest packet. */
static void pop(struct dns_pcap *c)
{
	struct qpkt *q = c->head;
	bool early = q->xid && !q->decided && over_bounds(c);

	c->st.early += early;
	write_one(c, q, early);
	if (q->newer)
		q->newer->older = NULL;
	else if (q->xid)
		idmap_del(&c->newest, q->xid);
	c->head = q->next;
	if (!c->head)
		c->tail = NULL;
	c->nq--;
	c->bytes -= sizeof(*q) + q->len;
	free(q);
}

/* Write what may go: decided, old enough, or over the bounds. */
static void drain(struct dns_pcap *c)
{
	while (c->head && (!c->head->xid || c->head->decided || c->head->ts + c->hold_us <= c->now ||
			   over_bounds(c)))
		pop(c);
}

void dnspcap_outcome(struct dns_pcap *c, uint64_t xid, uint32_t rows)
{
	struct qpkt *q = idmap_get(&c->newest, xid);

	if (!q) { /* its answer may be about to come */
		c->last_xid = xid;
		c->last_rows = rows;
		return;
	}
	for (; q; q = q->older) {
		q->decided = true;
		q->rows = rows;
	}
}

/* --- packets ---------------------------------------------------------------------- */

static bool is_inet(const struct nst_addr *a)
{
	return a->family == AF_INET || a->family == AF_INET6;
}

/* The two ends: the call's, else the socket's; a peer the call did not
 * show is the upstream its query went to.  An end still unknown is the
 * unspecified address, port 0.  Docker's listener is shown at the port the
 * client asked (53), so that Wireshark decodes its DNS. */
static void ends(const struct dns_seen *d, const struct dns_exchange *x, struct nst_addr *local,
		 struct nst_addr *remote)
{
	int fam;

	*remote = d->remote;
	if (!is_inet(remote) && x->up && is_inet(x->up))
		*remote = *x->up;
	*local = d->local;
	fam = is_inet(remote) ? remote->family : is_inet(local) ? local->family
		: d->ev->sock.family == AF_INET6 ? AF_INET6 : AF_INET;
	if (local->family != fam)
		*local = (struct nst_addr){ .family = (uint16_t)fam };
	if (remote->family != fam)
		*remote = (struct nst_addr){ .family = (uint16_t)fam };
	if (dns_embedded_listener(local))
		local->port = 53;
}

static struct flow *flow_for(struct dns_pcap *c, uint64_t sock)
{
	struct flow *f = &c->flows[(sock * 0x9e3779b97f4a7c15ull >> 32) % TCP_FLOWS];

	if (f->sock != sock)
		*f = (struct flow){ .sock = sock, .out = 1, .in = 1 };
	return f;
}

/* An end as the comment shows it: what is not known is "?", never 0. */
static void end_text(char *buf, size_t n, const struct nst_addr *a)
{
	static const uint8_t zero[16];
	bool any = !memcmp(a->family == AF_INET ? a->u.in4 : a->u.in6, zero,
			   a->family == AF_INET ? 4 : 16);
	size_t len;

	if (any && !a->port) {
		snprintf(buf, n, "?");
		return;
	}
	len = print_addr(buf, n, a);
	if (!a->port && len >= 2 && len + 1 < n)
		buf[len - 1] = '?'; /* ":0" */
}

static void what_text(char *buf, size_t n, const struct dns_seen *d, const struct nst_addr *src,
		      const struct nst_addr *dst)
{
	const char *role = d->outbound ? (d->msg.qr ? "reply sent" : "query sent")
				       : (d->msg.qr ? "answer received" : "query received");
	char s[64], t[64], cut[96] = "", err[64] = "", nat[64] = "";

	end_text(s, sizeof(s), src);
	end_text(t, sizeof(t), dst);
	if (d->wire_full > d->wire_len)
		snprintf(cut, sizeof(cut), " (-s kept %zu of its %zu bytes)", d->wire_len, d->wire_full);
	if (d->ev->err)
		snprintf(err, sizeof(err), " (the send failed: %s)", errno_name(d->ev->err));
	if (dns_embedded_listener(&d->local) && !d->local.port)
		snprintf(nat, sizeof(nat), " (the listener's own port is not known)");
	else if (dns_embedded_listener(&d->local) && d->local.port != 53)
		snprintf(nat, sizeof(nat), " (the listener's own port: %u, Docker's DNAT from 53)",
			 d->local.port);
	snprintf(buf, n, "%s %s > %s %s%s%s%s", role, s, t, d->tcp ? "tcp" : "udp", nat, cut, err);
}

void dnspcap_message(struct dns_pcap *c, const struct dns_seen *d, const struct dns_exchange *x)
{
	const struct nst_event *ev = d->ev;
	struct nst_addr local, remote;
	struct pkt_spec ps = { .tcp = d->tcp, .payload = d->wire, .len = d->wire_len,
			       .full = d->wire_full };
	struct qpkt *q;
	size_t len, wire;

	if (ev->ts_us > c->now && !(ev->flags & NST_EV_NO_TIME))
		c->now = ev->ts_us;
	ends(d, x, &local, &remote);
	ps.src = d->outbound ? &local : &remote;
	ps.dst = d->outbound ? &remote : &local;
	if (d->tcp) {
		struct flow *f = flow_for(c, d->sock);
		uint32_t *mine = d->outbound ? &f->out : &f->in;
		ps.seq = *mine;
		ps.ack = d->outbound ? f->in : f->out;
		*mine += (uint32_t)(2 + (d->wire_full > d->wire_len ? d->wire_full : d->wire_len));
	}
	if (!(len = pkt_build(c->pkt, sizeof(c->pkt), &ps, &wire)) || !(q = malloc(sizeof(*q) + len))) {
		c->st.unbuilt++;
		return;
	}
	memset(q, 0, sizeof(*q));
	memcpy(q->pkt, c->pkt, len);
	q->len = len;
	q->wire = wire;
	q->ts = ev->flags & NST_EV_NO_TIME ? 0 : ev->ts_us;
	q->xid = x->xid;
	q->pid = ev->pid;
	q->tid = ev->tid;
	memcpy(q->comm, ev->comm, sizeof(q->comm));
	what_text(q->what, sizeof(q->what), d, ps.src, ps.dst);
	if ((q->has_asker = x->asker != NULL))
		q->asker = *x->asker;
	q->ifid = iface_for(c, &ev->sock.netns);
	if (q->xid) {
		struct qpkt *prev = idmap_get(&c->newest, q->xid);
		if (idmap_put(&c->newest, q->xid, q) < 0) {
			q->xid = 0; /* no room to follow it: written as it is */
		} else if (prev) {
			prev->newer = q;
			q->older = prev;
			q->decided = prev->decided;
			q->rows = prev->rows;
		} else if (c->last_xid == q->xid) {
			q->decided = true;
			q->rows = c->last_rows;
		}
	}
	if (c->tail)
		c->tail->next = q;
	else
		c->head = q;
	c->tail = q;
	c->nq++;
	c->bytes += sizeof(*q) + len;
	drain(c);
}

int dnspcap_close(struct dns_pcap *c, struct dnspcap_stats *st)
{
	int err;

	while (c->head)
		pop(c);
	if (fclose(c->f) != 0 && !c->err)
		c->err = errno ? -errno : -EIO;
	err = c->err;
	if (st)
		*st = c->st;
	idmap_free(&c->newest);
	free(c->ifs);
	free(c);
	return err;
}
