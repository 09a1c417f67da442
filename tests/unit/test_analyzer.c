/* test_analyzer.c - the analyzers on synthetic event sequences: every
 * finding, every result, TCP framing, strictness, relays and bounds. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "analyzers/analyzer.h"
#include "analyzers/slots.h"
#include "analyzers/dns.h"
#include "analyzers/dnsstream.h"
#include "model/parse.h"
#include "model/sysent.h"
#include "output/report.h"
#include "tests/unit/unit.h"

#define HOME 4026531833ull
#define CTR 4026532281ull
#define S(x) ((uint64_t)(x) * 1000000ull)

static uint8_t msgbuf[16][512];
static int msgi;

/* A DNS message: query (qr=0) or response (qr=1) with an rcode. */
static size_t mkdns(uint8_t *o, uint16_t id, const char *name, uint16_t qtype, int qr, int rcode)
{
	size_t n = 12;
	const char *p = name;

	memset(o, 0, 12);
	o[0] = (uint8_t)(id >> 8);
	o[1] = (uint8_t)id;
	o[2] = (uint8_t)(qr ? 0x81 : 0x01);
	o[3] = (uint8_t)(qr ? (0x80 | rcode) : 0);
	o[5] = 1;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		o[n++] = (uint8_t)l;
		memcpy(o + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
	}
	o[n++] = 0;
	o[n++] = 0;
	o[n++] = (uint8_t)qtype;
	o[n++] = 0;
	o[n++] = 1;
	return n;
}

struct ev_spec {
	const char *sc;
	int pid, tid, fd;
	int64_t ret;
	int err;
	uint64_t ts;
	int type;            /* SOCK_DGRAM / SOCK_STREAM */
	const char *local, *peer, *addr;
	uint64_t netns;
	const uint8_t *payload;
	size_t len;
};

static struct nst_event mk(const struct ev_spec *s)
{
	struct nst_event ev;

	memset(&ev, 0, sizeof(ev));
	nst_event_set_sen(&ev, sysent_find(s->sc, strlen(s->sc))); /* typed, as a source does */
	ev.pid = s->pid;
	ev.tid = s->tid ? s->tid : s->pid;
	snprintf(ev.comm, sizeof(ev.comm), "dockerd");
	ev.fd = s->fd;
	ev.fd2 = -1;
	ev.ret = s->ret;
	ev.err = s->err;
	ev.ts_us = s->ts;
	ev.home_netns.ino = HOME;
	ev.thread_netns.ino = HOME;
	ev.flags = NST_EV_SOCK;
	ev.sock.family = AF_INET;
	ev.sock.type = s->type ? s->type : SOCK_DGRAM;
	if (s->local)
		parse_addr(s->local, &ev.sock.local);
	if (s->peer)
		parse_addr(s->peer, &ev.sock.peer);
	if (s->addr) {
		parse_addr(s->addr, &ev.addr);
		ev.flags |= NST_EV_ADDR;
	}
	ev.sock.netns.ino = s->netns ? s->netns : HOME;
	ev.sock.netns.path = ev.sock.netns.ino == CTR ? "/run/docker/netns/8952a65ca06b" : NULL;
	ev.sock.foreign = ev.sock.netns.ino != HOME;
	ev.payload = s->payload;
	ev.payload_len = (uint32_t)s->len;
	ev.io_len = s->len;
	return ev;
}

/* What a source's model says of hand-made namespaces: by their inodes. */
static void feed_ev(struct analyzer *a, struct nst_event *ev)
{
	if (ev->thread_netns.ino && ev->home_netns.ino && ev->thread_netns.ino != ev->home_netns.ino)
		ev->flags |= NST_EV_AWAY;
	if ((ev->flags & NST_EV_NS_CHANGE) && ev->ns_new.ino && ev->ns_new.ino != ev->home_netns.ino)
		ev->flags |= NST_EV_NEW_AWAY;
	analyzer_feed(a, ev);
}

static void feed(struct analyzer *a, struct ev_spec s)
{
	struct nst_event ev = mk(&s);
	feed_ev(a, &ev);
}

/* The same, from a process named comm (NULL: dockerd). */
static void feed_as(struct analyzer *a, const char *comm, struct ev_spec s)
{
	struct nst_event ev = mk(&s);
	if (comm)
		snprintf(ev.comm, sizeof(ev.comm), "%s", comm);
	feed_ev(a, &ev);
}

static const uint8_t *q(uint16_t id, const char *name, uint16_t qt, int qr, int rc, size_t *len)
{
	uint8_t *b = msgbuf[msgi++ % 16];
	*len = mkdns(b, id, name, qt, qr, rc);
	return b;
}

static struct analyzer *new_an(void)
{
	struct analyzer_opts o = { .dns_timeout_us = S(5) };
	return analyzer_new(&o);
}

static const struct finding *find(struct analyzer *a, const char *id)
{
	const struct findings *fs = analyzer_findings(a);
	for (size_t i = 0; i < findings_count(fs); i++)
		if (!strcmp(finding_row(findings_get(fs, i))->name, id))
			return findings_get(fs, i);
	return NULL;
}

#define UP "192.168.29.2:53"
#define LOCAL "172.18.0.2:50886"

/* The article: a query on a foreign socket, answered. */
static void send_foreign_query(struct analyzer *a, int fd, uint16_t id, uint64_t ts)
{
	size_t n;
	const uint8_t *p = q(id, "78.143.241.199.in-addr.arpa", DNS_T_PTR, 0, 0, &n);
	feed(a, (struct ev_spec){ "write", 7041, 7055, fd, (int64_t)n, 0, ts, 0, LOCAL, UP, NULL, CTR, p, n });
}

static void foreign_answered_is_a_warning(void)
{
	struct analyzer *a = new_an();
	const struct finding *f;
	size_t n;
	const uint8_t *r = q(30708, "78.143.241.199.in-addr.arpa", DNS_T_PTR, 1, 0, &n);

	send_foreign_query(a, 39, 30708, S(1));
	feed(a, (struct ev_spec){ "read", 7041, 7056, 39, (int64_t)n, 0, S(1) + 1500, 0, LOCAL, UP, NULL, CTR, r, n });
	analyzer_finish(a, S(2));
	f = find(a, "dns-foreign-netns");
	CHECK(f && f->sev == SEV_WARNING && f->result == RES_OK && f->count == 1);
	CHECK(f && !strcmp(f->upstream, UP) && f->netns.ino == CTR && f->home.ino == HOME);
	CHECK(f && !strcmp(f->ex_qname, "78.143.241.199.in-addr.arpa") && f->ex_qtype == DNS_T_PTR && f->ex_id == 30708);
	CHECK(!find(a, "dns-upstream-refused") && !find(a, "dns-upstream-timeout"));
	json_t *s = report_summary_json(a, NULL, NULL);
	json_t *u = json_array_get(json_object_get(s, "upstreams"), 0);
	CHECK(json_integer_value(json_object_get(u, "answered")) == 1);
	CHECK(json_real_value(json_object_get(json_object_get(u, "latency_ms"), "p50")) == 1.5);
	json_decref(s);
	analyzer_free(a);
}

/* An answer whose header reads but whose body does not (here: an answer
 * RR cut inside its name after the question) still answers its query:
 * its result is not-understood, never a timeout, and the upstream counts
 * it as answered. */
static void unparsed_answer_is_not_a_timeout(void)
{
	struct analyzer *a = new_an();
	const struct finding *f;
	uint8_t r[600];
	size_t n = mkdns(r, 30708, "78.143.241.199.in-addr.arpa", DNS_T_PTR, 1, 0);
	json_t *s, *u;

	r[7] = 1;       /* one answer... */
	r[n++] = 0xc0;  /* ...whose name points forward: malformed */
	r[n++] = 0xff;
	send_foreign_query(a, 39, 30708, S(1));
	feed(a, (struct ev_spec){ "read", 7041, 7056, 39, (int64_t)n, 0, S(1) + 900, 0, LOCAL, UP, NULL, CTR, r, n });
	analyzer_finish(a, S(30));
	CHECK(!find(a, "dns-upstream-timeout"));
	f = find(a, "dns-foreign-netns");
	CHECK(f && f->result == RES_UNPARSED && f->sev == SEV_WARNING);
	s = report_summary_json(a, NULL, NULL);
	u = json_array_get(json_object_get(s, "upstreams"), 0);
	CHECK(json_integer_value(json_object_get(u, "answered")) == 1);
	CHECK(json_integer_value(json_object_get(u, "timeout")) == 0);
	json_decref(s);
	analyzer_free(a);
}

static void refused_on_read(void)
{
	struct analyzer *a = new_an();
	const struct finding *f;
	char msg[2048];

	send_foreign_query(a, 39, 1, S(1));
	feed(a, (struct ev_spec){ "read", 7041, 7056, 39, -1, EAGAIN, S(1) + 10, 0, LOCAL, UP, NULL, CTR, NULL, 0 });
	feed(a, (struct ev_spec){ "read", 7041, 7056, 39, -1, ECONNREFUSED, S(1) + 900, 0, LOCAL, UP, NULL, CTR, NULL, 0 });
	analyzer_finish(a, S(2));
	f = find(a, "dns-upstream-refused");
	CHECK(f && f->sev == SEV_ERROR && f->result == RES_REFUSED);
	finding_row(f)->message(f, NULL, msg, sizeof(msg));
	CHECK(strstr(msg, "host path is not the one") && strstr(msg, "container's namespace"));
	f = find(a, "dns-foreign-netns");
	CHECK(f && f->result == RES_REFUSED && f->sev == SEV_ERROR);
	analyzer_free(a);
}

static void unreachable_on_send(void)
{
	struct analyzer *a = new_an();
	const struct finding *f;
	size_t n;
	const uint8_t *p = q(2, "example.com", DNS_T_A, 0, 0, &n);

	/* the send itself fails; the payload still shows the query */
	feed(a, (struct ev_spec){ "sendto", 10, 10, 5, -1, EHOSTUNREACH, S(1), 0, "10.0.0.2:4000", NULL, "10.9.9.9:53", HOME, p, n });
	analyzer_finish(a, S(2));
	f = find(a, "dns-upstream-unreachable");
	CHECK(f && f->result == RES_UNREACHABLE && !strcmp(f->upstream, "10.9.9.9:53"));
	CHECK(!find(a, "dns-upstream-refused"));
	CHECK(!find(a, "dns-foreign-netns"));
	analyzer_free(a);
}

static void timeouts_pending_and_close(void)
{
	struct analyzer *a = new_an();
	const struct finding *f;
	json_t *s, *u;

	send_foreign_query(a, 39, 1, S(1));
	feed(a, (struct ev_spec){ "close", 7041, 7055, 39, 0, 0, S(3), 0, LOCAL, UP, NULL, CTR, NULL, 0 });
	send_foreign_query(a, 40, 2, S(10));      /* outlives --dns-timeout */
	send_foreign_query(a, 41, 3, S(16));      /* the next event is 6 s later */
	send_foreign_query(a, 42, 4, S(21) + 1);  /* still young when the trace ends */
	analyzer_finish(a, S(22));
	f = find(a, "dns-upstream-timeout");
	CHECK(f && f->count == 3 && f->sev == SEV_ERROR); /* closed, and two timed out */
	s = report_summary_json(a, NULL, NULL);
	u = json_array_get(json_object_get(s, "upstreams"), 0);
	CHECK(json_integer_value(json_object_get(u, "timeout")) == 3);
	CHECK(json_integer_value(json_object_get(u, "pending")) == 1);
	CHECK(json_integer_value(json_object_get(u, "queries")) == 4);
	json_decref(s);
	f = find(a, "dns-foreign-netns");
	CHECK(f != NULL);
	analyzer_free(a);
}

static void loopback_upstream_from_foreign_netns(void)
{
	struct analyzer *a = new_an();
	size_t n;
	const uint8_t *p = q(9, "example.com", DNS_T_A, 0, 0, &n);

	feed(a, (struct ev_spec){ "write", 1, 1, 3, (int64_t)n, 0, S(1), 0, "127.0.0.1:4000", "127.0.0.53:53", NULL, CTR, p, n });
	/* the same from the home netns is fine */
	feed(a, (struct ev_spec){ "write", 2, 2, 3, (int64_t)n, 0, S(1), 0, "127.0.0.1:4000", "127.0.0.53:53", NULL, HOME, p, n });
	analyzer_finish(a, S(2));
	const struct finding *f = find(a, "dns-loopback-upstream-foreign-netns");
	CHECK(f && f->pid == 1 && f->sev == SEV_ERROR && f->count == 1);
	analyzer_free(a);
}

static void error_rcodes(void)
{
	struct analyzer *a = new_an();
	const struct findings *fs;
	int servfail = 0, nx = 0, refused = 0;

	for (int rc = 2; rc <= 5; rc++) {
		size_t n, m;
		const uint8_t *p = q((uint16_t)rc, "x.example", DNS_T_A, 0, 0, &n);
		const uint8_t *r = q((uint16_t)rc, "x.example", DNS_T_A, 1, rc, &m);
		feed(a, (struct ev_spec){ "write", 5, 5, 3, (int64_t)n, 0, S(1), 0, NULL, "10.0.0.1:53", NULL, HOME, p, n });
		feed(a, (struct ev_spec){ "read", 5, 5, 3, (int64_t)m, 0, S(1) + 5, 0, NULL, "10.0.0.1:53", NULL, HOME, r, m });
	}
	analyzer_finish(a, S(2));
	fs = analyzer_findings(a);
	for (size_t i = 0; i < findings_count(fs); i++) {
		const struct finding *f = findings_get(fs, i);
		if (strcmp(finding_row(f)->name, "dns-error-rcode"))
			continue;
		if (f->rcode == DNS_SERVFAIL && f->sev == SEV_WARNING)
			servfail++;
		if (f->rcode == DNS_NXDOMAIN && f->sev == SEV_INFO)
			nx++;
		if (f->rcode == DNS_REFUSED && f->sev == SEV_WARNING)
			refused++;
		CHECK(f->rcode != DNS_NOTIMP);
	}
	CHECK(servfail == 1 && nx == 1 && refused == 1);
	analyzer_free(a);
}

/* dnsstream directly: count what comes out. */
static int seen, seen_tcp;
static uint16_t seen_ids[8];
static void count_cb(const struct dns_seen *d, void *ctx)
{
	(void)ctx;
	if (seen < 8)
		seen_ids[seen] = d->msg.id;
	seen++;
	seen_tcp += d->tcp;
}

static void tcp_framing(void)
{
	struct dnsstream *ds = dnsstream_new();
	uint8_t a[600], b[600];
	size_t n1 = mkdns(a + 2, 0x111, "one.example", DNS_T_A, 1, 0);
	size_t n2 = mkdns(b + 2, 0x222, "two.example", DNS_T_A, 1, 0);
	uint8_t both[1200];
	struct nst_event ev;

	a[0] = 0, a[1] = (uint8_t)n1;
	b[0] = 0, b[1] = (uint8_t)n2;
	seen = seen_tcp = 0;
	/* prefix and body in separate reads */
	ev = mk(&(struct ev_spec){ "read", 1, 1, 4, 2, 0, 1, SOCK_STREAM, NULL, UP, NULL, HOME, a, 2 });
	dnsstream_feed(ds, &ev, count_cb, NULL);
	CHECK(seen == 0);
	ev = mk(&(struct ev_spec){ "read", 1, 1, 4, (int64_t)n1, 0, 2, SOCK_STREAM, NULL, UP, NULL, HOME, a + 2, n1 });
	dnsstream_feed(ds, &ev, count_cb, NULL);
	CHECK(seen == 1 && seen_tcp == 1 && seen_ids[0] == 0x111);
	/* a writev of prefix + body arrives as one gathered payload */
	ev = mk(&(struct ev_spec){ "writev", 1, 1, 4, (int64_t)(n1 + 2), 0, 3, SOCK_STREAM, NULL, UP, NULL, HOME, a, n1 + 2 });
	dnsstream_feed(ds, &ev, count_cb, NULL);
	CHECK(seen == 2);
	/* two messages in one read, the second split across two reads */
	memcpy(both, a, n1 + 2);
	memcpy(both + n1 + 2, b, n2 + 2);
	ev = mk(&(struct ev_spec){ "read", 1, 1, 4, (int64_t)(n1 + 2 + 5), 0, 4, SOCK_STREAM, NULL, UP, NULL, HOME, both, n1 + 2 + 5 });
	dnsstream_feed(ds, &ev, count_cb, NULL);
	CHECK(seen == 3);
	ev = mk(&(struct ev_spec){ "read", 1, 1, 4, (int64_t)(n2 - 3), 0, 5, SOCK_STREAM, NULL, UP, NULL, HOME, both + n1 + 2 + 5, n2 - 3 });
	dnsstream_feed(ds, &ev, count_cb, NULL);
	CHECK(seen == 4 && seen_ids[3] == 0x222);
	/* close forgets a half message */
	ev = mk(&(struct ev_spec){ "read", 1, 1, 4, 3, 0, 6, SOCK_STREAM, NULL, UP, NULL, HOME, a, 3 });
	dnsstream_feed(ds, &ev, count_cb, NULL);
	ev = mk(&(struct ev_spec){ "close", 1, 1, 4, 0, 0, 7, SOCK_STREAM, NULL, UP, NULL, HOME, NULL, 0 });
	dnsstream_feed(ds, &ev, count_cb, NULL);
	ev = mk(&(struct ev_spec){ "read", 1, 1, 4, (int64_t)(n2 + 2), 0, 8, SOCK_STREAM, NULL, UP, NULL, HOME, b, n2 + 2 });
	dnsstream_feed(ds, &ev, count_cb, NULL);
	CHECK(seen == 5 && seen_ids[4] == 0x222);
	dnsstream_free(ds);
}

static void strict_about_what_is_dns(void)
{
	struct dnsstream *ds = dnsstream_new();
	uint8_t m[512], junk[64];
	size_t n = mkdns(m, 7, "a.example", DNS_T_A, 0, 0);
	struct nst_event ev;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	seen = 0;
	/* a DNS-shaped payload between two non-53 ports: not DNS */
	ev = mk(&(struct ev_spec){ "write", 1, 1, 4, (int64_t)n, 0, 1, 0, "10.0.0.1:4000", "10.0.0.2:8080", NULL, HOME, m, n });
	dnsstream_feed(ds, &ev, count_cb, NULL);
	/* random bytes to port 53: not a plausible message */
	ev = mk(&(struct ev_spec){ "write", 1, 1, 4, sizeof(junk), 0, 2, 0, "10.0.0.1:4000", UP, NULL, HOME, junk, sizeof(junk) });
	dnsstream_feed(ds, &ev, count_cb, NULL);
	/* AF_UNIX never */
	ev = mk(&(struct ev_spec){ "write", 1, 1, 4, (int64_t)n, 0, 3, 0, NULL, NULL, NULL, HOME, m, n });
	ev.sock.family = AF_UNIX;
	dnsstream_feed(ds, &ev, count_cb, NULL);
	CHECK(seen == 0);
	/* but the same message to port 53, from port 53, or into the embedded
	 * listener on 127.0.0.11 (any port, after Docker's DNAT) is DNS */
	ev = mk(&(struct ev_spec){ "write", 1, 1, 4, (int64_t)n, 0, 4, 0, "10.0.0.1:4000", UP, NULL, HOME, m, n });
	dnsstream_feed(ds, &ev, count_cb, NULL);
	ev = mk(&(struct ev_spec){ "recvfrom", 1, 1, 5, (int64_t)n, 0, 5, 0, "127.0.0.11:41287", NULL, "127.0.0.1:50000", HOME, m, n });
	dnsstream_feed(ds, &ev, count_cb, NULL);
	ev = mk(&(struct ev_spec){ "sendto", 1, 1, 6, (int64_t)n, 0, 6, 0, "0.0.0.0:5000", NULL, "10.1.1.1:53", HOME, m, n });
	dnsstream_feed(ds, &ev, count_cb, NULL);
	CHECK(seen == 3);
	dnsstream_free(ds);
}

/* dockerd's embedded resolver: client -> 127.0.0.11 -> upstream -> client. */
static void relay_hops(void)
{
	struct analyzer *a = new_an();
	size_t n, m;
	const uint8_t *qq = q(77, "ok.example", DNS_T_A, 0, 0, &n);
	const uint8_t *rr = q(77, "ok.example", DNS_T_A, 1, 0, &m);
	json_t *s, *r, *hops;

	/* the client (traced too) sends to 127.0.0.11:53 */
	feed(a, (struct ev_spec){ "sendto", 900, 900, 3, (int64_t)n, 0, S(1), 0, "127.0.0.1:50000", "127.0.0.11:53", NULL, CTR, qq, n });
	/* dockerd receives it on its listener (DNAT'ed port) */
	feed(a, (struct ev_spec){ "recvfrom", 7041, 7050, 29, (int64_t)n, 0, S(1) + 100, 0, "127.0.0.11:41287", NULL, "127.0.0.1:50000", CTR, qq, n });
	/* forwards upstream from the container's netns */
	send_foreign_query(a, 39, 1, 0); /* unrelated noise at t=0 */
	feed(a, (struct ev_spec){ "write", 7041, 7055, 40, (int64_t)n, 0, S(1) + 400, 0, LOCAL, UP, NULL, CTR, qq, n });
	feed(a, (struct ev_spec){ "read", 7041, 7056, 40, (int64_t)m, 0, S(1) + 2400, 0, LOCAL, UP, NULL, CTR, rr, m });
	feed(a, (struct ev_spec){ "sendto", 7041, 7050, 29, (int64_t)m, 0, S(1) + 2500, 0, "127.0.0.11:41287", NULL, "127.0.0.1:50000", CTR, rr, m });
	analyzer_finish(a, S(2));
	s = report_summary_json(a, NULL, NULL);
	r = json_array_get(json_object_get(s, "relays"), 0);
	CHECK(r && json_integer_value(json_object_get(r, "count")) == 1);
	CHECK(r && !strcmp(json_string_value(json_object_get(r, "upstream")), UP));
	CHECK(r && !strcmp(json_string_value(json_object_get(r, "listener")), "127.0.0.11:41287"));
	hops = json_object_get(r, "hops");
	double want[4] = { 0.1, 0.3, 2.0, 0.1 };
	for (int i = 0; i < 4; i++) {
		double got = json_real_value(json_object_get(json_object_get(json_array_get(hops, (size_t)i), "latency_ms"), "p50"));
		CHECK(got > want[i] - 0.0001 && got < want[i] + 0.0001);
	}
	CHECK(json_real_value(json_object_get(json_object_get(r, "total_ms"), "p50")) == 2.4);
	CHECK(json_integer_value(json_object_get(s, "dns_queries_received")) == 1);
	CHECK(json_integer_value(json_object_get(s, "dns_responses_sent")) == 1);
	json_decref(s);
	analyzer_free(a);
}

/* A program that asks its own listener (ns_pattern: a client thread and a
 * server thread, both in CTR): the server's read of the query ends before
 * the client's send returns (the two calls overlap: BPF's ring, strace's
 * log and ptrace's stops report them as they end), or after it.  Returns
 * the summary's upstream rows. */
static json_t *self_query(bool read_first)
{
	struct analyzer *a = new_an();
	size_t n, m;
	const uint8_t *qq = q(31, "self.example", DNS_T_A, 0, 0, &n);
	const uint8_t *rr = q(31, "self.example", DNS_T_A, 1, 0, &m);
	struct ev_spec send = { "sendto", 800, 802, 6, (int64_t)n, 0, S(1) + (read_first ? 20 : 10), 0,
				"127.0.0.1:40000", NULL, "127.0.0.1:53", CTR, qq, n };
	struct ev_spec read = { "recvfrom", 800, 801, 5, (int64_t)n, 0, S(1) + (read_first ? 10 : 20), 0,
				"127.0.0.1:53", NULL, "127.0.0.1:40000", CTR, qq, n };
	json_t *s, *ups;

	feed_as(a, "ns_pattern", read_first ? read : send);
	feed_as(a, "ns_pattern", read_first ? send : read);
	feed_as(a, "ns_pattern", (struct ev_spec){ "sendto", 800, 801, 5, (int64_t)m, 0, S(1) + 30, 0,
		"127.0.0.1:53", NULL, "127.0.0.1:40000", CTR, rr, m });
	feed_as(a, "ns_pattern", (struct ev_spec){ "recvfrom", 800, 802, 6, (int64_t)m, 0, S(1) + 40, 0,
		"127.0.0.1:40000", NULL, "127.0.0.1:53", CTR, rr, m });
	analyzer_finish(a, S(2));
	s = report_summary_json(a, NULL, NULL);
	ups = json_incref(json_object_get(s, "upstreams"));
	json_decref(s);
	analyzer_free(a);
	return ups;
}

static void own_query_read_first_is_not_forwarded(void)
{
	for (int read_first = 0; read_first < 2; read_first++) {
		json_t *ups = self_query(read_first), *r = json_array_get(ups, 0);
		CHECK(json_array_size(ups) == 1);
		CHECK(r && json_integer_value(json_object_get(r, "queries")) == 1);
		CHECK(r && json_integer_value(json_object_get(r, "answered")) == 1);
		CHECK(r && json_is_null(json_object_get(r, "asking"))); /* it asked for itself */
		json_decref(ups);
	}
}

/* One thread enters CTR and writes there; its process's home (the
 * home_netns the tracer gives) is HOME or, after an exec, CTR. */
static struct analyzer *enter_and_write(uint64_t home)
{
	struct analyzer *a = new_an();
	struct nst_event ev;

	ev = mk(&(struct ev_spec){ "setns", 3, 3, 5, 0, 0, S(1), 0, NULL, NULL, NULL, HOME, NULL, 0 });
	ev.flags = NST_EV_NS_CHANGE;
	ev.ns_new.ino = CTR;
	feed_ev(a, &ev);
	ev = mk(&(struct ev_spec){ "write", 3, 3, 7, 5, 0, S(2), 0, NULL, "10.0.0.5:80", NULL, home, (const uint8_t *)"hello", 5 });
	ev.thread_netns.ino = CTR;
	ev.home_netns.ino = home;
	feed_ev(a, &ev);
	analyzer_finish(a, S(3));
	return a;
}

/* ip netns exec / nsenter: the one thread enters the netns and execs; its
 * process's home is that netns from then on (home_netns says so). */
static void exec_into_netns_is_a_move(void)
{
	struct analyzer *a = enter_and_write(CTR);

	CHECK(!find(a, "netns-thread-stuck"));
	analyzer_free(a);
}

/* A single-threaded process that stays in the netns it entered, no sibling
 * ever at home: nothing says it forgot to come back. */
static void a_process_wholly_elsewhere_is_not_stuck(void)
{
	struct analyzer *a = enter_and_write(HOME);

	CHECK(!find(a, "netns-thread-stuck"));
	analyzer_free(a);
}

static void thread_stuck_in_foreign_netns(void)
{
	struct analyzer *a = new_an();
	struct nst_event ev;
	const struct finding *f;

	/* tid 11 goes away and never comes back; tid 12 comes back */
	for (int tid = 11; tid <= 12; tid++) {
		ev = mk(&(struct ev_spec){ "setns", 3, tid, 38, 0, 0, S(1), 0, NULL, NULL, NULL, HOME, NULL, 0 });
		ev.flags = NST_EV_NS_CHANGE;
		ev.ns_new.ino = CTR;
		feed_ev(a, &ev);
		ev = mk(&(struct ev_spec){ "socket", 3, tid, 39, 39, 0, S(1), 0, NULL, NULL, NULL, CTR, NULL, 0 });
		ev.thread_netns.ino = CTR;
		feed_ev(a, &ev);
		if (tid == 12) {
			ev = mk(&(struct ev_spec){ "setns", 3, tid, 10, 0, 0, S(1), 0, NULL, NULL, NULL, HOME, NULL, 0 });
			ev.flags = NST_EV_NS_CHANGE;
			ev.ns_new.ino = HOME;
			ev.thread_netns.ino = CTR;
			feed_ev(a, &ev);
		}
		/* an unrelated call on a home socket */
		ev = mk(&(struct ev_spec){ "write", 3, tid, 7, 5, 0, S(2), 0, NULL, "10.0.0.5:80", NULL, HOME, (const uint8_t *)"hello", 5 });
		ev.thread_netns.ino = tid == 11 ? CTR : HOME;
		feed_ev(a, &ev);
	}
	analyzer_finish(a, S(3));
	f = find(a, "netns-thread-stuck");
	CHECK(f && f->tid == 11 && f->netns.ino == CTR && f->extra == 1 && f->sev == SEV_WARNING);
	CHECK(findings_count(analyzer_findings(a)) == 1);
	analyzer_free(a);
}

static void memory_stays_bounded(void)
{
	struct analyzer *a = new_an();
	json_t *s;

	/* 20000 queries that never get an answer, all within the timeout */
	for (int i = 0; i < 20000; i++)
		send_foreign_query(a, 100 + i, (uint16_t)i, S(1) + (uint64_t)i);
	analyzer_finish(a, S(1) + 20000);
	s = report_summary_json(a, NULL, NULL);
	CHECK(json_integer_value(json_object_get(s, "dns_queries_sent")) == 20000);
	CHECK(json_integer_value(json_object_get(json_object_get(s, "overflow"), "queries")) > 0);
	CHECK(json_integer_value(json_object_get(json_array_get(json_object_get(s, "upstreams"), 0), "pending")) == 20000);
	json_decref(s);
	analyzer_free(a);
}

/* The table full: the query taken first gives way (its fate unknown), the
 * latest is still there to be answered, and a query answered meanwhile
 * frees its slot for the next one rather than be pushed out. */
static void full_table_evicts_the_oldest(void)
{
	struct analyzer *a = new_an();
	const uint8_t *r;
	size_t n;
	json_t *s, *u;

	send_foreign_query(a, 39, 7, S(1));
	r = q(7, "78.143.241.199.in-addr.arpa", DNS_T_PTR, 1, 0, &n);
	feed(a, (struct ev_spec){ "read", 7041, 7056, 39, (int64_t)n, 0, S(1) + 5, 0, LOCAL, UP, NULL, CTR, r, n });
	for (int i = 0; i < 5000; i++)
		send_foreign_query(a, 100 + i, (uint16_t)(1000 + i), S(1) + 10 + (uint64_t)i);
	r = q(1000 + 4999, "78.143.241.199.in-addr.arpa", DNS_T_PTR, 1, 0, &n); /* the latest */
	feed(a, (struct ev_spec){ "read", 7041, 7056, 100 + 4999, (int64_t)n, 0, S(1) + 6000, 0, LOCAL, UP, NULL, CTR, r, n });
	r = q(1000, "78.143.241.199.in-addr.arpa", DNS_T_PTR, 1, 0, &n); /* the first: gone */
	feed(a, (struct ev_spec){ "read", 7041, 7056, 100, (int64_t)n, 0, S(1) + 6001, 0, LOCAL, UP, NULL, CTR, r, n });
	analyzer_finish(a, S(1) + 7000);
	s = report_summary_json(a, NULL, NULL);
	u = json_array_get(json_object_get(s, "upstreams"), 0);
	CHECK(json_integer_value(json_object_get(u, "answered")) == 2);
	CHECK(json_integer_value(json_object_get(json_object_get(s, "overflow"), "queries")) == 5000 - 4096);
	CHECK(json_integer_value(json_object_get(u, "pending")) == 5000 - 1);
	json_decref(s);
	analyzer_free(a);
}

/* slots.h: whatever order slots are freed in, the lowest comes first. */
static void free_slots_lowest_first(void)
{
	uint16_t heap[64];
	struct slots h = { .free = heap };
	const uint16_t put[] = { 9, 3, 40, 7, 1, 63, 0, 22, 5 };
	int prev = -1, s;

	for (size_t i = 0; i < sizeof(put) / sizeof(put[0]); i++)
		slots_put(&h, put[i]);
	CHECK(slots_take(&h) == 0);
	slots_put(&h, 2);
	CHECK(slots_take(&h) == 1 && slots_take(&h) == 2);
	while ((s = slots_take(&h)) >= 0) {
		CHECK(s > prev);
		prev = s;
	}
	CHECK(prev == 63 && h.n == 0);
}

/* slots.h: chains find every slot of a bucket and lose one taken out,
 * even while walking. */
static void chains_file_and_unlink(void)
{
	uint16_t head[4] = { 0 }, next[16] = { 0 }, prev[16] = { 0 }, nx;
	struct chains c = { head, next, prev };
	unsigned seen = 0;

	for (uint16_t sl = 0; sl < 16; sl++)
		chains_add(&c, sl % 4, sl);
	chains_del(&c, 1, 5);
	chains_del(&c, 1, 5); /* twice: nothing */
	for (uint16_t s = head[1]; s; s = nx) {
		nx = next[s - 1];
		seen |= 1u << (s - 1);
		chains_del(&c, 1, (uint16_t)(s - 1)); /* while walking */
	}
	CHECK(seen == ((1u << 1) | (1u << 9) | (1u << 13)) && head[1] == 0);
	for (uint16_t s = head[0]; s; s = next[s - 1])
		seen |= 1u << (s - 1);
	CHECK(seen == ((1u << 0) | (1u << 1) | (1u << 4) | (1u << 8) | (1u << 9) | (1u << 12) | (1u << 13)));
}

static void unknown_netns_stays_null(void)
{
	struct analyzer *a = new_an();
	struct nst_event ev;
	size_t n;
	const uint8_t *p = q(5, "a.example", DNS_T_A, 0, 0, &n);
	json_t *o;

	ev = mk(&(struct ev_spec){ "write", 1, 1, 3, (int64_t)n, 0, S(1), 0, NULL, UP, NULL, HOME, p, n });
	ev.sock.netns.ino = 0; /* as in a strace log without -y */
	ev.sock.netns.path = "/run/docker/netns/abc";
	ev.sock.foreign = true;
	feed_ev(a, &ev);
	analyzer_finish(a, S(2));
	o = finding_to_json(find(a, "dns-foreign-netns"), NULL);
	CHECK(o && json_is_null(json_object_get(json_object_get(o, "netns"), "inode")));
	CHECK(o && !strcmp(json_string_value(json_object_get(json_object_get(o, "netns"), "path")), "/run/docker/netns/abc"));
	json_decref(o);
	analyzer_free(a);
}

/* An event on socket id (the model's identity), as a source makes it. */
static struct nst_event on_sock(struct ev_spec spec, uint64_t id)
{
	struct nst_event ev = mk(&spec);
	ev.sock.id = id;
	return ev;
}

static const struct finding *find_result(struct analyzer *a, const char *id, enum dns_result r)
{
	const struct findings *fs = analyzer_findings(a);
	for (size_t i = 0; i < findings_count(fs); i++)
		if (!strcmp(finding_row(findings_get(fs, i))->name, id) && findings_get(fs, i)->result == r)
			return findings_get(fs, i);
	return NULL;
}

static void answer_without_address_is_matched(void)
{
	struct analyzer *a = new_an();
	struct nst_event ev;
	size_t n;
	const uint8_t *p;

	/* sendto(fd 5, up) on an unconnected socket; another thread of another
	 * process sharing the socket reads the answer with recvfrom(NULL) */
	p = q(0x1234, "a.example", DNS_T_A, 0, 0, &n);
	ev = on_sock((struct ev_spec){ "sendto", 10, 10, 5, (int64_t)n, 0, S(1), 0, NULL, NULL, UP, CTR, p, n }, 77);
	feed_ev(a, &ev);
	p = q(0x1234, "a.example", DNS_T_A, 1, 0, &n);
	ev = on_sock((struct ev_spec){ "recvfrom", 11, 12, 9, (int64_t)n, 0, S(2), 0, NULL, NULL, NULL, CTR, p, n }, 77);
	feed_ev(a, &ev);
	analyzer_finish(a, S(30));
	CHECK(find_result(a, "dns-foreign-netns", RES_OK) != NULL);
	CHECK(!find(a, "dns-upstream-timeout"));
	CHECK(analyzer_counts(a)->r_recv == 1);
	analyzer_free(a);
}

/* The tracer handled the reader thread's read before the writer's write
 * (two threads' calls, seen in the order their stops or records came): the
 * answer is held briefly and claimed by its query, never a timeout; one
 * read well before the query stays unmatched. */
static unsigned long unmatched_total(const struct analyzer *a)
{
	size_t n;
	const struct upstream_row *r = analyzer_upstreams(a, &n);
	unsigned long u = 0;

	for (size_t i = 0; i < n; i++)
		u += r[i].unmatched;
	return u;
}

static void answer_seen_before_its_query(void)
{
	struct analyzer *a = new_an();
	struct nst_event ev;
	size_t n;
	const uint8_t *p = q(0x1001, "e.example", DNS_T_A, 1, 0, &n);

	ev = on_sock((struct ev_spec){ "read", 10, 12, 5, (int64_t)n, 0, S(1), 0, NULL, UP, NULL, CTR, p, n }, 42);
	feed_ev(a, &ev);
	p = q(0x1001, "e.example", DNS_T_A, 0, 0, &n);
	ev = on_sock((struct ev_spec){ "write", 10, 10, 5, (int64_t)n, 0, S(1) + 300, 0, NULL, UP, NULL, CTR, p, n }, 42);
	feed_ev(a, &ev);
	ev = on_sock((struct ev_spec){ "close", 10, 10, 5, 0, 0, S(1) + 400, 0, NULL, UP, NULL, CTR, NULL, 0 }, 42);
	ev.flags |= NST_EV_SOCK_GONE;
	feed_ev(a, &ev);
	/* another: its answer read a second before anything asked it */
	p = q(0x1002, "f.example", DNS_T_A, 1, 0, &n);
	ev = on_sock((struct ev_spec){ "read", 10, 12, 6, (int64_t)n, 0, S(3), 0, NULL, UP, NULL, CTR, p, n }, 43);
	feed_ev(a, &ev);
	p = q(0x1002, "f.example", DNS_T_A, 0, 0, &n);
	ev = on_sock((struct ev_spec){ "write", 10, 10, 6, (int64_t)n, 0, S(4), 0, NULL, UP, NULL, CTR, p, n }, 43);
	feed_ev(a, &ev);
	analyzer_finish(a, S(30));
	CHECK(find_result(a, "dns-foreign-netns", RES_OK) != NULL);
	CHECK(find_result(a, "dns-upstream-timeout", RES_TIMEOUT) != NULL); /* f.example's own */
	CHECK(find_result(a, "dns-upstream-timeout", RES_TIMEOUT)->count == 1);
	CHECK(unmatched_total(a) == 1);
	analyzer_free(a);
}

static void close_of_one_fd_is_not_the_end(void)
{
	struct analyzer *a = new_an();
	struct nst_event ev;
	size_t n;
	const uint8_t *p = q(7, "b.example", DNS_T_A, 0, 0, &n);

	/* socket 3 = dup'd 4: write on 3, close 3 (4 keeps it), read on 4 */
	ev = on_sock((struct ev_spec){ "write", 10, 10, 3, (int64_t)n, 0, S(1), 0, NULL, UP, NULL, CTR, p, n }, 5);
	feed_ev(a, &ev);
	ev = on_sock((struct ev_spec){ "close", 10, 10, 3, 0, 0, S(1), 0, NULL, UP, NULL, CTR, NULL, 0 }, 5);
	feed_ev(a, &ev); /* no NST_EV_SOCK_GONE: another fd holds it */
	p = q(7, "b.example", DNS_T_A, 1, 0, &n);
	ev = on_sock((struct ev_spec){ "read", 10, 10, 4, (int64_t)n, 0, S(2), 0, NULL, UP, NULL, CTR, p, n }, 5);
	feed_ev(a, &ev);
	ev = on_sock((struct ev_spec){ "close", 10, 10, 4, 0, 0, S(2), 0, NULL, UP, NULL, CTR, NULL, 0 }, 5);
	ev.flags |= NST_EV_SOCK_GONE;
	feed_ev(a, &ev);
	analyzer_finish(a, S(30));
	CHECK(find_result(a, "dns-foreign-netns", RES_OK) != NULL);
	CHECK(!find(a, "dns-upstream-timeout"));
	analyzer_free(a);
}

static void answer_needs_its_socket_id_question_and_server(void)
{
	struct analyzer *a = new_an();
	struct nst_event ev;
	size_t n;
	const uint8_t *p = q(9, "c.example", DNS_T_A, 0, 0, &n);

	ev = on_sock((struct ev_spec){ "sendto", 10, 10, 5, (int64_t)n, 0, S(1), 0, NULL, NULL, UP, CTR, p, n }, 3);
	feed_ev(a, &ev);
	/* the same id from another server, on the same socket: not the answer */
	p = q(9, "c.example", DNS_T_A, 1, 0, &n);
	ev = on_sock((struct ev_spec){ "recvfrom", 10, 10, 5, (int64_t)n, 0, S(2), 0, NULL, NULL, "192.0.2.9:53", CTR, p, n }, 3);
	feed_ev(a, &ev);
	/* the right server, another question: not the answer */
	p = q(9, "d.example", DNS_T_A, 1, 0, &n);
	ev = on_sock((struct ev_spec){ "recvfrom", 10, 10, 5, (int64_t)n, 0, S(2), 0, NULL, NULL, UP, CTR, p, n }, 3);
	feed_ev(a, &ev);
	/* the right answer, on another socket: not the answer */
	p = q(9, "c.example", DNS_T_A, 1, 0, &n);
	ev = on_sock((struct ev_spec){ "recvfrom", 10, 10, 6, (int64_t)n, 0, S(2), 0, NULL, UP, UP, CTR, p, n }, 4);
	feed_ev(a, &ev);
	analyzer_finish(a, S(30));
	CHECK(find_result(a, "dns-upstream-timeout", RES_TIMEOUT) != NULL);
	CHECK(!find_result(a, "dns-foreign-netns", RES_OK));
	analyzer_free(a);
}

static void finding_rows_are_complete(void)
{
	static const struct { enum dns_result res; int rcode; bool foreign, loopback; const char *ids; } cases[] = {
		{ RES_OK, 0, true, false, "dns-foreign-netns" },
		{ RES_OK, DNS_NXDOMAIN, false, false, "dns-error-rcode" },
		{ RES_REFUSED, -1, true, true, "dns-foreign-netns dns-loopback-upstream-foreign-netns dns-upstream-refused" },
		{ RES_TIMEOUT, -1, false, false, "dns-upstream-timeout" },
		{ RES_UNREACHABLE, -1, false, false, "dns-upstream-unreachable" },
		{ RES_BLOCKED, -1, true, false, "dns-foreign-netns dns-upstream-blocked" },
		{ RES_OK, 0, false, false, "" },
	};

	for (int i = 0; i < FIND_COUNT; i++) {
		const struct finding_row *r = &finding_rows[i];
		CHECK(r->name && r->when && r->severity && r->message && r->fix);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(r->name, finding_rows[j].name));
	}
	/* each outcome triggers exactly the rows that say so, in row order */
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct findings *fs = findings_new(NULL, NULL);
		struct finding base;
		char got[256] = "";
		memset(&base, 0, sizeof(base));
		base.result = cases[c].res;
		base.rcode = cases[c].rcode;
		base.foreign = cases[c].foreign;
		base.loopback = cases[c].loopback;
		snprintf(base.upstream, sizeof(base.upstream), "127.0.0.53:53");
		findings_offer(fs, SUBJECT_QUERY, &base);
		for (size_t i = 0; i < findings_count(fs); i++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "",
				 finding_row(findings_get(fs, i))->name);
		CHECK_STR(got, cases[c].ids);
		findings_free(fs);
	}
}

/* --- lookups served by a resolver (dockerd's 127.0.0.11) ------------------- */

#define LISTENER "127.0.0.11:41287"
#define CLIENT "127.0.0.1:50000"
#define HOSTSRC "10.0.0.5:40000"

/* A client in the CTR netns asks pid 7041's listener; comm NULL = dockerd. */
static void ask(struct analyzer *a, const char *comm, uint16_t id, uint64_t ts)
{
	size_t n;
	const uint8_t *p = q(id, "ok.example", DNS_T_A, 0, 0, &n);
	feed_as(a, comm, (struct ev_spec){ "recvfrom", 7041, 7050, 29, (int64_t)n, 0, ts, 0, LISTENER, NULL, CLIENT, CTR, p, n });
}

/* ... and gets rcode back (rc < 0: nothing). */
static void reply(struct analyzer *a, const char *comm, uint16_t id, int rc, uint64_t ts)
{
	size_t n;
	const uint8_t *p = q(id, "ok.example", DNS_T_A, 1, rc, &n);
	feed_as(a, comm, (struct ev_spec){ "sendto", 7041, 7050, 29, (int64_t)n, 0, ts, 0, LISTENER, NULL, CLIENT, CTR, p, n });
}

/* A forwarding attempt: a send of the same query on fd 40 in netns ns,
 * failing with err (0: sent). */
static void forward(struct analyzer *a, const char *comm, uint16_t id, uint64_t ns, int err, uint64_t ts)
{
	size_t n;
	const uint8_t *p = q(id, "ok.example", DNS_T_A, 0, 0, &n);
	feed_as(a, comm, (struct ev_spec){ "write", 7041, 7055, 40, err ? -1 : (int64_t)n, err, ts, 0,
					   ns == HOME ? HOSTSRC : LOCAL, UP, NULL, ns, p, n });
}

static json_t *lookup_row(struct analyzer *a, json_t **sum)
{
	*sum = report_summary_json(a, NULL, NULL);
	return json_array_get(json_object_get(*sum, "lookups"), 0);
}

static long jint(json_t *o, const char *k)
{
	return (long)json_integer_value(json_object_get(o, k));
}

static bool text_has(const struct finding *f, const char *what)
{
	char m[4096], x[2048];
	finding_row(f)->message(f, NULL, m, sizeof(m));
	finding_row(f)->fix(f, x, sizeof(x));
	return strstr(m, what) || strstr(x, what);
}

static void host_path_blocked_then_servfail(void)
{
	struct analyzer *a = new_an();
	const struct finding *f;
	json_t *s, *r;

	ask(a, NULL, 77, S(1));
	forward(a, NULL, 77, HOME, EPERM, S(1) + 300);
	reply(a, NULL, 77, DNS_SERVFAIL, S(1) + 500);
	analyzer_finish(a, S(3));
	f = find(a, "dns-upstream-blocked");
	CHECK(f && f->result == RES_BLOCKED && f->relayed && f->path == PATH_RESOLVER &&
	      f->asker.ino == CTR && !f->foreign && !strcmp(f->upstream, UP));
	CHECK(f && text_has(f, "OUTPUT") && text_has(f, "servers of the host's resolv.conf") && text_has(f, "--dns"));
	CHECK(f && !text_has(f, "DOCKER-USER") && !text_has(f, "Docker 28")); /* facts, not versions */
	f = find(a, "dns-lookup-failed");
	CHECK(f && f->client_rcode == DNS_SERVFAIL && f->asker.ino == CTR && f->attempts == 1);
	CHECK(f && text_has(f, "SERVFAIL") && text_has(f, "blocked"));
	CHECK(!find(a, "dns-foreign-netns") && !find(a, "dns-answered-by-resolver"));
	r = lookup_row(a, &s);
	CHECK(r && jint(r, "lookups") == 1 && jint(r, "servfail") == 1 && jint(r, "nothing") == 0);
	CHECK(r && json_object_get(r, "asking") &&
	      jint(json_object_get(r, "asking"), "inode") == (long)CTR);
	json_decref(s);
	analyzer_free(a);
}

static void container_path_refused_then_nothing(void)
{
	struct analyzer *a = new_an();
	const struct finding *f;
	size_t m;
	const uint8_t *none = q(1, "x", DNS_T_A, 0, 0, &m);
	json_t *s, *r;

	(void)none;
	ask(a, NULL, 78, S(1));
	forward(a, NULL, 78, CTR, 0, S(1) + 300);
	feed(a, (struct ev_spec){ "read", 7041, 7056, 40, -1, ECONNREFUSED, S(1) + 400, 0, LOCAL, UP, NULL, CTR, NULL, 0 });
	analyzer_finish(a, S(10));
	f = find(a, "dns-upstream-refused");
	CHECK(f && f->relayed && f->path == PATH_CONTAINER && f->foreign && f->asker.ino == CTR);
	CHECK(f && text_has(f, "host path is not the one") && text_has(f, "DOCKER-USER"));
	f = find(a, "dns-lookup-failed");
	CHECK(f && f->client_rcode == ASKED_NOTHING && text_has(f, "nothing"));
	r = lookup_row(a, &s);
	CHECK(r && jint(r, "nothing") == 1 && jint(json_object_get(r, "attempts_from"), "container") == 1);
	json_decref(s);
	analyzer_free(a);
}

/* An IPv6 server asked from dockerd's own netns for a container without
 * IPv6: that is the reason given, and the fix's commands are ip6tables'. */
static void host_path_ipv6_reason_and_commands(void)
{
	struct analyzer *a = new_an();
	struct containers names = { 0 };
	struct container c = { .netns_ino = CTR, .name = "web", .id = "abc", .kind = CT_DOCKER, .v6 = CT_V6_NO };
	const struct finding *f;
	char m[4096], x[2048];
	size_t n;
	const uint8_t *p = q(78, "ok.example", DNS_T_A, 0, 0, &n);

	containers_add(&names, &c);
	ask(a, NULL, 78, S(1));
	feed_as(a, NULL, (struct ev_spec){ "write", 7041, 7055, 40, -1, EPERM, S(1) + 300, 0,
					   "[2001:db8::2]:40000", "[2001:db8::53]:53", NULL, HOME, p, n });
	reply(a, NULL, 78, DNS_SERVFAIL, S(1) + 500);
	analyzer_finish(a, S(3));
	f = find(a, "dns-upstream-blocked");
	CHECK(f && f->path == PATH_RESOLVER && !strcmp(f->upstream, "[2001:db8::53]:53"));
	if (f) {
		finding_row(f)->message(f, &names, m, sizeof(m));
		finding_fix(f, x, sizeof(x));
		CHECK(strstr(m, "an IPv6 server, and the asking container has no IPv6 address"));
		CHECK(!strstr(m, "host's resolv.conf"));
		CHECK(strstr(x, "ip6tables") && !strstr(x, " iptables") && !strstr(x, "(iptables"));
	}
	containers_free(&names);
	analyzer_free(a);
}

static void reply_after_the_trace_is_unknown(void)
{
	struct analyzer *a = new_an();
	json_t *s, *r;

	/* the last attempt failed 0.5 s before the trace ended: dockerd may
	 * still have replied after it; the lookup is left out */
	ask(a, NULL, 79, S(1));
	forward(a, NULL, 79, HOME, EPERM, S(1) + 300);
	analyzer_finish(a, S(1) + 500000);
	CHECK(find(a, "dns-upstream-blocked"));
	CHECK(!find(a, "dns-lookup-failed"));
	r = lookup_row(a, &s);
	CHECK(!r || jint(r, "lookups") == 0);
	json_decref(s);
	analyzer_free(a);
}

static void answered_by_resolver_itself(void)
{
	struct analyzer *a = new_an();
	const struct finding *f;
	json_t *s, *r;

	ask(a, NULL, 80, S(1));
	reply(a, NULL, 80, DNS_SERVFAIL, S(1) + 100);
	ask(a, NULL, 81, S(2));
	reply(a, NULL, 81, DNS_REFUSED, S(2) + 100);
	ask(a, NULL, 82, S(3));
	reply(a, NULL, 82, DNS_NXDOMAIN, S(3) + 100); /* a name it knows is not there: no finding */
	analyzer_finish(a, S(5));
	f = find(a, "dns-answered-by-resolver");
	CHECK(f && f->attempts == 0 && f->asker.ino == CTR);
	CHECK(f && (text_has(f, "internal") || text_has(f, "concurrency")));
	CHECK(!find(a, "dns-lookup-failed"));
	r = lookup_row(a, &s);
	CHECK(r && jint(r, "lookups") == 3 && jint(r, "by_resolver") == 3 && jint(r, "servfail") == 1 &&
	      jint(r, "refused") == 1 && jint(r, "nxdomain") == 1);
	json_decref(s);
	analyzer_free(a);
}

static void dropped_without_forwarding(void)
{
	struct analyzer *a = new_an();
	const struct finding *f;
	json_t *s, *r;

	/* dockerd before 23.0 at its concurrency limit: no attempt, no reply */
	ask(a, NULL, 90, S(1));
	ask(a, NULL, 91, S(8));
	analyzer_finish(a, S(10)); /* 91 is 2 s old: not yet judged */
	f = find(a, "dns-answered-by-resolver");
	CHECK(f && f->client_rcode == ASKED_NOTHING && f->count == 1 && f->attempts == 0);
	CHECK(f && text_has(f, "concurrency limit") && text_has(f, "dropped"));
	CHECK(!find(a, "dns-lookup-failed"));
	r = lookup_row(a, &s);
	CHECK(r && jint(r, "lookups") == 1 && jint(r, "nothing") == 1 && jint(r, "by_resolver") == 1);
	json_decref(s);
	analyzer_free(a);
}

static void failed_connect_is_an_attempt(void)
{
	struct analyzer *a = new_an();
	const struct finding *f;

	/* 28.x dials the upstream (connect) before writing: a connect that
	 * fails sends nothing, yet is the lookup's attempt */
	ask(a, NULL, 83, S(1));
	feed(a, (struct ev_spec){ "connect", 7041, 7055, 40, -1, ENETUNREACH, S(1) + 200, 0, NULL, NULL, "[2001:db8::53]:53", HOME, NULL, 0 });
	reply(a, NULL, 83, DNS_SERVFAIL, S(1) + 300);
	analyzer_finish(a, S(5));
	f = find(a, "dns-upstream-unreachable");
	CHECK(f && f->result == RES_UNREACHABLE && f->path == PATH_RESOLVER && f->asker.ino == CTR &&
	      !strcmp(f->ex_qname, "ok.example"));
	CHECK(f && text_has(f, "ip route get 2001:db8::53"));
	f = find(a, "dns-lookup-failed");
	CHECK(f && f->attempts == 1 && f->client_rcode == DNS_SERVFAIL);
	analyzer_free(a);
}

static void tcp_retry_after_truncation(void)
{
	struct analyzer *a = new_an();
	uint8_t qb[300], rb[300];
	size_t n, m;
	json_t *s, *r;

	ask(a, NULL, 84, S(1));
	m = mkdns(rb, 84, "ok.example", DNS_T_A, 1, 0);
	rb[2] |= 0x02; /* TC */
	feed(a, (struct ev_spec){ "sendto", 7041, 7050, 29, (int64_t)m, 0, S(1) + 100, 0, LISTENER, NULL, CLIENT, CTR, rb, m });
	/* the client asks again over TCP (framed) on an accepted connection */
	n = mkdns(qb + 2, 85, "ok.example", DNS_T_A, 0, 0);
	qb[0] = 0, qb[1] = (uint8_t)n;
	feed(a, (struct ev_spec){ "read", 7041, 7050, 31, (int64_t)n + 2, 0, S(1) + 200, SOCK_STREAM, "127.0.0.11:37711", "127.0.0.1:50001", NULL, CTR, qb, n + 2 });
	m = mkdns(rb + 2, 85, "ok.example", DNS_T_A, 1, 0);
	rb[0] = 0, rb[1] = (uint8_t)m;
	feed(a, (struct ev_spec){ "write", 7041, 7050, 31, (int64_t)m + 2, 0, S(1) + 300, SOCK_STREAM, "127.0.0.11:37711", "127.0.0.1:50001", NULL, CTR, rb, m + 2 });
	analyzer_finish(a, S(5));
	r = lookup_row(a, &s);
	CHECK(r && jint(r, "lookups") == 2 && jint(r, "tcp_retries") == 1);
	json_decref(s);
	analyzer_free(a);
}

static void no_docker_advice_for_other_resolvers(void)
{
	struct analyzer *a = new_an();
	const struct findings *fs;
	int n = 0;

	ask(a, "unbound", 86, S(1));
	forward(a, "unbound", 86, HOME, EPERM, S(1) + 100);
	reply(a, "unbound", 86, DNS_SERVFAIL, S(1) + 200);
	ask(a, "unbound", 87, S(2));
	forward(a, "unbound", 87, CTR, ENETUNREACH, S(2) + 100);
	reply(a, "unbound", 87, DNS_SERVFAIL, S(2) + 200);
	ask(a, "unbound", 88, S(3));
	reply(a, "unbound", 88, DNS_REFUSED, S(3) + 100);
	analyzer_finish(a, S(10));
	fs = analyzer_findings(a);
	for (size_t i = 0; i < findings_count(fs); i++) {
		const struct finding *f = findings_get(fs, i);
		n++;
		CHECK(!f->dockerd);
		/* (the test's netns path is /run/docker/netns/..., a fact, not advice) */
		CHECK(!text_has(f, "Docker") && !text_has(f, "DOCKER") && !text_has(f, "docker run") &&
		      !text_has(f, "--dns") && !text_has(f, "container"));
	}
	CHECK(n >= 5); /* blocked, unreachable, foreign, lookup-failed, by-resolver */
	CHECK(find(a, "dns-answered-by-resolver") && find(a, "dns-upstream-blocked"));
	analyzer_free(a);
}

static void lookups_stay_bounded(void)
{
	struct analyzer *a = new_an();
	json_t *s;

	for (int i = 0; i < 20000; i++)
		ask(a, NULL, (uint16_t)i, S(1) + (uint64_t)i);
	analyzer_finish(a, S(2));
	s = report_summary_json(a, NULL, NULL);
	CHECK(json_integer_value(json_object_get(s, "dns_queries_received")) == 20000);
	CHECK(json_integer_value(json_object_get(json_object_get(s, "overflow"), "served")) > 0);
	json_decref(s);
	analyzer_free(a);
}

/* A readiness result on fd 5 (a connected socket to UP from the home netns). */
static void wait_on(struct analyzer *a, uint64_t ts, int64_t ret, unsigned revents, int64_t wait_us,
		    uint32_t nfds, bool socks_only, int sock_err)
{
	struct nst_event ev = mk(&(struct ev_spec){ "poll", 10, 10, 5, ret, 0, ts, 0, LOCAL, UP, NULL, HOME, NULL, 0 });

	ev.arg = revents;
	ev.wait_us = wait_us;
	ev.wait_nfds = nfds;
	if (socks_only)
		ev.flags |= NST_EV_WAIT_SOCKS;
	if (sock_err >= 0) {
		ev.flags |= NST_EV_SOCK_ERR;
		ev.sock_err = sock_err;
	}
	snprintf(ev.comm, sizeof(ev.comm), "getent");
	feed_ev(a, &ev);
}

static void ask_on_5(struct analyzer *a, uint16_t id, uint16_t qt, uint64_t ts)
{
	size_t n;
	const uint8_t *p = q(id, "ok.nstrace.test", qt, 0, 0, &n);
	feed_as(a, "getent", (struct ev_spec){ "sendto", 10, 10, 5, (int64_t)n, 0, ts, 0, LOCAL, UP, NULL, HOME, p, n });
}

static void close_5(struct analyzer *a, uint64_t ts)
{
	feed_as(a, "getent", (struct ev_spec){ "close", 10, 10, 5, 0, 0, ts, 0, LOCAL, UP, NULL, HOME, NULL, 0 });
}

static void pollerr_is_a_rejection(void)
{
	struct analyzer *a = new_an();
	const struct finding *f;
	json_t *s, *u;

	/* glibc: A and AAAA, POLLERR, the socket closed unread */
	ask_on_5(a, 1, DNS_T_A, S(1));
	ask_on_5(a, 2, DNS_T_AAAA, S(1) + 5);
	wait_on(a, S(1) + 300, 1, POLLERR, S(5), 1, true, -1);
	close_5(a, S(1) + 400);
	analyzer_finish(a, S(20));
	f = find(a, "dns-upstream-refused");
	CHECK(f && f->result == RES_REJECTED && f->count == 2 && f->sev == SEV_ERROR);
	CHECK(!find(a, "dns-upstream-timeout"));
	s = report_summary_json(a, NULL, NULL);
	u = json_array_get(json_object_get(s, "upstreams"), 0);
	CHECK(json_integer_value(json_object_get(u, "rejected")) == 2 &&
	      json_integer_value(json_object_get(u, "timeout")) == 0);
	json_decref(s);
	analyzer_free(a);

	/* never a timeout even when nothing closes it: the trace ended */
	a = new_an();
	ask_on_5(a, 3, DNS_T_A, S(1));
	wait_on(a, S(1) + 300, 1, POLLOUT | POLLERR, S(5), 1, true, -1);
	analyzer_finish(a, S(30));
	CHECK(find(a, "dns-upstream-refused") && !find(a, "dns-upstream-timeout"));
	analyzer_free(a);
}

static void the_next_call_says_which_error(void)
{
	struct analyzer *a = new_an();
	const struct finding *f;

	/* c-ares, musl: POLLERR, then the read tells ECONNREFUSED */
	ask_on_5(a, 1, DNS_T_A, S(1));
	wait_on(a, S(1) + 300, 1, POLLERR, S(5), 1, true, -1);
	feed_as(a, "getent", (struct ev_spec){ "recvfrom", 10, 10, 5, -1, ECONNREFUSED, S(1) + 301, 0, LOCAL, UP, NULL, HOME, NULL, 0 });
	analyzer_finish(a, S(20));
	f = find(a, "dns-upstream-refused");
	CHECK(f && f->result == RES_REFUSED);
	analyzer_free(a);

	/* BPF read the pending error without clearing it: host-unreachable */
	a = new_an();
	ask_on_5(a, 1, DNS_T_A, S(1));
	wait_on(a, S(1) + 300, 1, POLLERR, S(5), 1, true, EHOSTUNREACH);
	close_5(a, S(1) + 301);
	analyzer_finish(a, S(20));
	f = find(a, "dns-upstream-unreachable");
	CHECK(f && f->result == RES_UNREACHABLE && !find(a, "dns-upstream-refused"));
	analyzer_free(a);
}

static void the_clients_own_timeout(void)
{
	struct analyzer *a = new_an();
	const struct finding *f;
	char msg[2048];

	/* poll(fd, 1, 2000) = 0 on the socket alone: its own 2 s, before ours */
	ask_on_5(a, 1, DNS_T_PTR, S(1));
	wait_on(a, S(3) + 10, 0, 0, S(2), 1, true, -1);
	f = find(a, "dns-upstream-timeout");
	CHECK(f && f->client_timeout && f->timeout_us >= S(2) && f->timeout_us < S(2) + 100);
	finding_row(f)->message(f, NULL, msg, sizeof(msg));
	CHECK(strstr(msg, "program's own timeout of 2.0 s") != NULL);
	analyzer_free(a);

	/* an event loop's poll (a pipe beside it) that returned 0 says nothing:
	 * the answer that follows is an answer */
	a = new_an();
	ask_on_5(a, 2, DNS_T_A, S(1));
	wait_on(a, S(1) + 250000, 0, 0, 250000, 2, false, -1);
	size_t n;
	const uint8_t *p = q(2, "ok.nstrace.test", DNS_T_A, 1, 0, &n);
	feed_as(a, "getent", (struct ev_spec){ "recvfrom", 10, 10, 5, (int64_t)n, 0, S(1) + 300000, 0, LOCAL, UP, UP, HOME, p, n });
	analyzer_finish(a, S(20));
	CHECK(!find(a, "dns-upstream-timeout"));
	analyzer_free(a);

	/* no clock (strace -f): the argument's 5 s, not a latency */
	a = new_an();
	struct nst_event ev = mk(&(struct ev_spec){ "sendto", 10, 10, 5, 0, 0, 0, 0, LOCAL, UP, NULL, HOME, NULL, 0 });
	p = q(3, "ok.nstrace.test", DNS_T_A, 0, 0, &n);
	ev.payload = p;
	ev.payload_len = (uint32_t)n;
	ev.io_len = n;
	ev.ret = (int64_t)n;
	ev.flags |= NST_EV_NO_TIME;
	feed_ev(a, &ev);
	ev = mk(&(struct ev_spec){ "poll", 10, 10, 5, 0, 0, 0, 0, LOCAL, UP, NULL, HOME, NULL, 0 });
	ev.wait_us = S(5);
	ev.wait_nfds = 1;
	ev.flags |= NST_EV_WAIT_SOCKS | NST_EV_NO_TIME;
	feed_ev(a, &ev);
	f = find(a, "dns-upstream-timeout");
	CHECK(f && f->client_timeout && f->timeout_us == S(5));
	analyzer_free(a);
}

static void closed_for_the_tcp_retry_is_no_timeout(void)
{
	struct analyzer *a = new_an();
	size_t n;
	const uint8_t *p;

	ask_on_5(a, 1, DNS_T_A, S(1));
	ask_on_5(a, 2, DNS_T_AAAA, S(1) + 5);
	p = q(1, "ok.nstrace.test", DNS_T_A, 1, 0, &n);
	((uint8_t *)p)[2] |= 0x02; /* TC */
	feed_as(a, "getent", (struct ev_spec){ "recvfrom", 10, 10, 5, (int64_t)n, 0, S(1) + 100, 0, LOCAL, UP, UP, HOME, p, n });
	close_5(a, S(1) + 120); /* the AAAA's answer unread */
	analyzer_finish(a, S(20));
	CHECK(!find(a, "dns-upstream-timeout"));
	analyzer_free(a);
}

/* The program's lookup of ok.nstrace.test under ndots:5, then an
 * unrelated name: two lookups, the first amplified. */
static void a_programs_lookup_is_grouped(void)
{
	struct analyzer *a = new_an();
	const char *names[3] = { "ok.nstrace.test.s1.nstrace.test", "ok.nstrace.test.s2.nstrace.test",
				 "ok.nstrace.test" };
	const struct prog_lookup *l;
	const struct finding *f;
	unsigned long dropped;
	uint16_t id = 10;
	size_t n, k;

	for (int i = 0; i < 3; i++)
		for (int t = 0; t < 2; t++, id++) {
			uint16_t qt = t ? DNS_T_AAAA : DNS_T_A;
			const uint8_t *p = q(id, names[i], qt, 0, 0, &k);
			uint64_t ts = S(1) + (uint64_t)id * 1000;
			feed_as(a, "getent", (struct ev_spec){ "sendto", 10, 10, 5, (int64_t)k, 0, ts, 0, LOCAL, UP, NULL, HOME, p, k });
			p = q(id, names[i], qt, 1, i < 2 ? DNS_NXDOMAIN : 0, &k);
			/* the last name's A has a record (mkdns: ancount 0, so add one) */
			uint8_t rr[256];
			memcpy(rr, p, k);
			if (i == 2 && !t) {
				static const uint8_t an[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 51, 100, 10 };
				rr[7] = 1;
				memcpy(rr + k, an, sizeof(an));
				k += sizeof(an);
			}
			feed_as(a, "getent", (struct ev_spec){ "recvfrom", 10, 10, 5, (int64_t)k, 0, ts + 200, 0, LOCAL, UP, UP, HOME, rr, k });
		}
	/* another name, later: a lookup of its own */
	const uint8_t *o = q(99, "other.test", DNS_T_A, 0, 0, &k);
	feed_as(a, "getent", (struct ev_spec){ "sendto", 10, 10, 5, (int64_t)k, 0, S(3), 0, LOCAL, UP, NULL, HOME, o, k });
	analyzer_finish(a, S(30));
	l = analyzer_prog_lookups(a, &n, &dropped);
	CHECK(n == 2 && dropped == 0);
	CHECK(n >= 1 && !strcmp(l[0].name, "ok.nstrace.test") && l[0].nnames == 3 && l[0].queries == 6 &&
	      l[0].result == PL_RECORDS && !strcmp(l[0].answered_name, "ok.nstrace.test") &&
	      l[0].asked_a && l[0].asked_aaaa && l[0].nservers == 1 && l[0].servers[0].queries == 6);
	f = find(a, "dns-search-amplification");
	CHECK(f && f->sev == SEV_INFO && f->names_tried == 3 && f->attempts == 6 &&
	      !strcmp(f->ex_qname, "ok.nstrace.test") && strstr(f->tried, "s2.nstrace.test"));
	analyzer_free(a);
}

static void one_of_a_pair_lost(void)
{
	struct analyzer *a = new_an();
	const struct finding *f;
	size_t k;
	const uint8_t *p;

	/* A and AAAA 20 us apart on one socket; the A answered; the client's
	 * own 1 s ran out for the AAAA */
	ask_on_5(a, 1, DNS_T_A, S(1));
	ask_on_5(a, 2, DNS_T_AAAA, S(1) + 20);
	p = q(1, "ok.nstrace.test", DNS_T_A, 1, 0, &k);
	feed_as(a, "getent", (struct ev_spec){ "recvfrom", 10, 10, 5, (int64_t)k, 0, S(1) + 300, 0, LOCAL, UP, UP, HOME, p, k });
	wait_on(a, S(2) + 400, 0, 0, S(1), 1, true, -1);
	analyzer_finish(a, S(10));
	f = find(a, "dns-parallel-reply-lost");
	CHECK(f && f->sev == SEV_WARNING && f->ex_qtype == DNS_T_AAAA);
	CHECK(find(a, "dns-upstream-timeout") != NULL);
	analyzer_free(a);

	/* the same two a second apart are no pair */
	a = new_an();
	ask_on_5(a, 1, DNS_T_A, S(1));
	ask_on_5(a, 2, DNS_T_AAAA, S(2));
	p = q(1, "ok.nstrace.test", DNS_T_A, 1, 0, &k);
	feed_as(a, "getent", (struct ev_spec){ "recvfrom", 10, 10, 5, (int64_t)k, 0, S(2) + 300, 0, LOCAL, UP, UP, HOME, p, k });
	wait_on(a, S(3) + 400, 0, 0, S(1), 1, true, -1);
	analyzer_finish(a, S(10));
	CHECK(!find(a, "dns-parallel-reply-lost") && find(a, "dns-upstream-timeout"));
	analyzer_free(a);
}

/* A container's glibc walks its search list through dockerd's listener:
 * three lookups served, one client lookup (item 5: the same model). */
static void a_clients_lookup_through_a_resolver(void)
{
	struct analyzer *a = new_an();
	const char *names[3] = { "ok.example.svc.cluster.local", "ok.example.cluster.local", "ok.example" };
	const struct prog_lookup *l;
	const struct finding *f;
	unsigned long dropped;
	size_t n, k;

	for (uint16_t i = 0; i < 3; i++) {
		const uint8_t *p = q((uint16_t)(20 + i), names[i], DNS_T_A, 0, 0, &k);
		uint64_t ts = S(1) + i * 1000;
		feed(a, (struct ev_spec){ "recvfrom", 7041, 7050, 29, (int64_t)k, 0, ts, 0, LISTENER, NULL, CLIENT, CTR, p, k });
		p = q((uint16_t)(20 + i), names[i], DNS_T_A, 1, i < 2 ? DNS_NXDOMAIN : 0, &k);
		uint8_t rr[300];
		memcpy(rr, p, k);
		if (i == 2) {
			static const uint8_t an[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 51, 100, 10 };
			rr[7] = 1;
			memcpy(rr + k, an, sizeof(an));
			k += sizeof(an);
		}
		feed(a, (struct ev_spec){ "sendto", 7041, 7050, 29, (int64_t)k, 0, ts + 500, 0, LISTENER, NULL, CLIENT, CTR, rr, k });
	}
	analyzer_finish(a, S(30));
	l = analyzer_prog_lookups(a, &n, &dropped);
	CHECK(n == 1 && l[0].served && l[0].nnames == 3 && l[0].queries == 3 && l[0].result == PL_RECORDS &&
	      !strcmp(l[0].name, "ok.example") && l[0].asker.ino == CTR);
	f = find(a, "dns-search-amplification");
	CHECK(f && f->relayed && f->asker.ino == CTR && f->names_tried == 3);
	analyzer_free(a);
}

int main(void)
{
	RUN(foreign_answered_is_a_warning, "an answered query on a foreign socket: dns-foreign-netns, warning, result ok, latency");
	RUN(refused_on_read, "ECONNREFUSED on the read: dns-upstream-refused, error, with the container-path message");
	RUN(unreachable_on_send, "EHOSTUNREACH on the send: dns-upstream-unreachable, result unreachable, from the captured query");
	RUN(unparsed_answer_is_not_a_timeout, "an answer that does not parse answers its query: not-understood, counted answered, never a timeout");
	RUN(timeouts_pending_and_close, "closed without answer and past --dns-timeout are timeouts; young ones pending");
	RUN(loopback_upstream_from_foreign_netns, "a loopback upstream from a foreign netns is flagged, from home it is not");
	RUN(error_rcodes, "SERVFAIL and REFUSED warn, NXDOMAIN informs, other rcodes are quiet");
	RUN(tcp_framing, "TCP: split prefix/body, writev, several messages per read, reset on close");
	RUN(strict_about_what_is_dns, "only port 53 or the 127.0.0.11 listener, and only plausible messages, are DNS");
	RUN(relay_hops, "a 127.0.0.11 relay is correlated hop by hop with each hop's latency");
	RUN(own_query_read_first_is_not_forwarded,
	    "a program's query read by its own listener before its send is seen is its own, not one it forwards: one row, nobody asking, as in order");
	RUN(exec_into_netns_is_a_move,
	    "a thread that enters a netns and execs there (ip netns exec, nsenter) has moved: no stuck warning");
	RUN(a_process_wholly_elsewhere_is_not_stuck,
	    "a process whose only thread stays in the netns it entered is not flagged: no sibling stayed home");
	RUN(thread_stuck_in_foreign_netns, "a thread left in a foreign netns doing other work is flagged; one that returns is not");
	RUN(memory_stays_bounded, "20000 unanswered queries: bounded tables, counted overflow, nothing lost from counts");
	RUN(full_table_evicts_the_oldest, "4096 queries pending: the first taken gives way as pending, the latest is still answered, an answered one frees its slot");
	RUN(free_slots_lowest_first, "the free-slot heap gives the lowest free slot first, whatever the order they were freed in");
	RUN(chains_file_and_unlink, "chains find each slot of a bucket; one taken out, even during a walk, is gone, and taking one out twice does nothing");
	RUN(unknown_netns_stays_null, "an unknown netns inode is null in findings, never made up");
	RUN(answer_without_address_is_matched, "an answer read without an address, by another thread and process sharing the socket, is matched");
	RUN(close_of_one_fd_is_not_the_end, "closing one fd of a dup'd socket does not time its query out; the last close would");
	RUN(answer_seen_before_its_query, "an answer the tracer saw just before its query (another thread's read) is that query's, never a timeout; one seen a second earlier stays unmatched");
	RUN(answer_needs_its_socket_id_question_and_server, "an answer from another server, to another question, or on another socket is not the answer");
	RUN(finding_rows_are_complete, "every finding is one complete row; each outcome triggers exactly its rows");
	RUN(host_path_blocked_then_servfail, "28.x host path: EPERM on dockerd's own socket is dns-upstream-blocked (OUTPUT wording), the client's SERVFAIL is dns-lookup-failed, both name the asking netns");
	RUN(container_path_refused_then_nothing, "20.10 container path: refused with DOCKER-USER wording; no reply after every attempt failed is 'nothing'");
	RUN(host_path_ipv6_reason_and_commands, "an IPv6 server asked from dockerd's own netns for a container without IPv6: that reason, not a version, and ip6tables commands in the fix");
	RUN(reply_after_the_trace_is_unknown, "a lookup whose last attempt failed just before the trace ended has an unknown outcome, never 'nothing'");
	RUN(answered_by_resolver_itself, "SERVFAIL/REFUSED with no attempt is dns-answered-by-resolver; every rcode is counted per asker");
	RUN(dropped_without_forwarding, "a lookup neither forwarded nor answered for 5 s was dropped by the resolver (dockerd 20.10 at its limit); a younger one is left out");
	RUN(failed_connect_is_an_attempt, "a failed connect to port 53 is an attempt with the lookup's question (unreachable, IPv6 route advice)");
	RUN(tcp_retry_after_truncation, "a TCP lookup right after a truncated UDP reply counts as a TCP retry");
	RUN(no_docker_advice_for_other_resolvers, "a resolver that is not dockerd gets no Docker advice in any finding");
	RUN(lookups_stay_bounded, "20000 lookups without replies: bounded, overflow counted");
	RUN(pollerr_is_a_rejection, "POLLERR on a DNS socket closed unread is a rejection (refused row, 'rejected'), never a timeout, even when the trace ends first");
	RUN(the_next_call_says_which_error, "after POLLERR, the next receive's ECONNREFUSED, or the pending error BPF read, says refused or unreachable");
	RUN(the_clients_own_timeout, "a poll on the socket alone that returned 0 is the client's own timeout, with its T (from the argument without a clock); an event loop's is nothing");
	RUN(closed_for_the_tcp_retry_is_no_timeout, "a query left on a socket closed after a truncated answer (the TCP retry) is not a timeout");
	RUN(a_programs_lookup_is_grouped, "a program's attempts for one name are one lookup: the search-list names in order, A and AAAA, its server, records at last; dns-search-amplification names them; another name later is another lookup");
	RUN(one_of_a_pair_lost, "A and AAAA sent together on one socket, the A answered, the AAAA waited out: dns-parallel-reply-lost (a warning); a second apart they are no pair");
	RUN(a_clients_lookup_through_a_resolver, "the lookups a resolver serves are its client's attempts: a container's search-list walk through dockerd is one lookup of that container's, amplified");
	return UNIT_DONE();
}
