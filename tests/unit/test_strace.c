/* test_strace.c - strace log syntax and the importer, on crafted lines. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>

#include "analyzers/analyzer.h"
#include "model/print.h"
#include "import/strace_import.h"
#include "import/strace_parse.h"
#include "import/strace_text.h"
#include "tests/unit/unit.h"

static struct span S(const char *s)
{
	return (struct span){ s, strlen(s) };
}

static void every_escape_strace_prints(void)
{
	uint8_t out[64];
	bool cut;
	long n = strace_unquote(S("\"a\\t\\n\\v\\f\\r\\\"\\\\\\0\\1\\12\\123\\x41\\xff\""), out, sizeof(out), &cut);

	CHECK(n == 14 && !cut);
	CHECK(!memcmp(out, "a\t\n\v\f\r\"\\\0\1\n\123A\xff", 14));
	n = strace_unquote(S("\"w\\364\\1\\0\\0\\1\"..."), out, sizeof(out), &cut);
	CHECK(n == 6 && cut && out[1] == 0xf4);
	/* -xx prints everything as \x */
	n = strace_unquote(S("\"\\x77\\xf4\""), out, sizeof(out), &cut);
	CHECK(n == 2 && out[0] == 'w' && out[1] == 0xf4);
	/* a line cut inside the string, and a cap smaller than the string */
	n = strace_unquote(S("\"abc"), out, sizeof(out), &cut);
	CHECK(n == 3 && cut);
	n = strace_unquote(S("\"abcdef\""), out, 2, &cut);
	CHECK(n == 2 && cut);
	CHECK(strace_unquote(S("NULL"), out, sizeof(out), &cut) == -1);
}

/* Byte by byte, as strace prints: the reference the bulk copy of plain
 * text in strace_unquote must agree with (octal, \x and one-letter
 * escapes are covered above; here what matters is where runs end). */
static long unquote_ref(const char *s, size_t n, uint8_t *out, size_t cap, bool *cut)
{
	size_t i = 1, o = 0;
	bool closed = false;

	*cut = false;
	if (n < 2)
		return -1;
	while (i < n) {
		char c = s[i++];
		if (c == '"') {
			closed = true;
			break;
		}
		if (c == '\\') {
			if (i >= n)
				break;
			c = s[i++]; /* the test's escapes are all literal: \" \\ \q */
		}
		if (o == cap)
			*cut = true;
		else
			out[o++] = (uint8_t)c;
	}
	if (!closed || (n - i >= 3 && !memcmp(s + i, "...", 3)))
		*cut = true;
	return (long)o;
}

static void plain_runs_copy_as_bytes_do(void)
{
	static const char lit[] = "\"\\q"; /* what a backslash is followed by here */
	char s[300];
	uint8_t a[300], b[300];
	unsigned seed = 1;

	for (int round = 0; round < 20000; round++) {
		size_t n = 1, len = (seed = seed * 1103515245u + 12345u) >> 16 & 127;
		s[0] = '"';
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			/* mostly plain, now and then an escape or a quote */
			if ((seed >> 16) % 9)
				s[n++] = (char)('a' + (seed >> 20) % 26);
			else if ((seed >> 24) % 4)
				s[n++] = '\\', s[n++] = lit[(seed >> 26) % 3];
			else
				s[n++] = '"';
		}
		if (round % 3)
			s[n++] = '"';
		if (round % 5 == 0)
			memcpy(s + n, "...", 3), n += 3;
		size_t cap = round % 4 ? sizeof(a) : (seed >> 8) % 40;
		bool c1, c2;
		long x = strace_unquote((struct span){ s, n }, a, cap, &c1);
		long y = unquote_ref(s, n, b, cap, &c2);
		bool same = x == y && (x < 0 || (c1 == c2 && !memcmp(a, b, (size_t)x)));
		CHECK(same);
		if (!same) {
			fprintf(stderr, "  input %.*s cap %zu\n", (int)n, s, cap);
			return;
		}
	}
}

static struct stok nodes[STRACE_MAX_TOKS];
static struct stoks tk = { .t = nodes, .cap = STRACE_MAX_TOKS };

/* The sockaddr in text s, through the tokenizer. */
static int sockaddr_of(const char *s, struct nst_addr *a)
{
	return strace_sockaddr(&tk, strace_tokenize(S(s), &tk), a);
}

static void args_tokenized_once(void)
{
	int a = strace_tokenize(S("39, {sa_family=AF_INET, sin_port=htons(53)}, \"a, b\\\"c\", [112->16]"), &tk);
	int f;

	CHECK(span_eq(stok_val(&tk, a), "39"));
	CHECK(span_eq(stok_val(&tk, stok_nth(&tk, a, 1)), "{sa_family=AF_INET, sin_port=htons(53)}"));
	CHECK(span_eq(stok_val(&tk, stok_nth(&tk, a, 2)), "\"a, b\\\"c\""));
	CHECK(span_eq(stok_val(&tk, stok_nth(&tk, a, 3)), "[112->16]"));
	CHECK(stok_nth(&tk, a, 4) == -1);
	f = stok_field(&tk, stok_nth(&tk, a, 1), "sin_port", -1);
	CHECK(span_eq(stok_val(&tk, f), "htons(53)") && span_eq(stok_val(&tk, tk.t[f].kid), "53"));
	/* 4.x: msg_name(16)= keys, positional {"..", 26} */
	a = strace_tokenize(S("3, {msg_name(0)=NULL, msg_iov(1)=[{\"\\10\\353\", 26}], msg_flags=0}, 0"), &tk);
	f = stok_field(&tk, stok_nth(&tk, a, 1), "msg_iov", -1);
	CHECK(span_eq(stok_val(&tk, f), "[{\"\\10\\353\", 26}]"));
	CHECK(span_eq(stok_val(&tk, stok_field(&tk, tk.t[f].kid, "iov_len", 1)), "26"));
	/* comments, empty lists, unbalanced ends */
	a = strace_tokenize(S("0x7ffd /* 41, vars */, [], {a=("), &tk);
	CHECK(span_eq(stok_val(&tk, stok_nth(&tk, a, 0)), "0x7ffd /* 41, vars */"));
	CHECK(tk.t[stok_nth(&tk, a, 1)].kid == -1 && stok_nth(&tk, a, 3) == -1);
	CHECK(strace_tokenize(S(""), &tk) == -1);
}

static void sockaddrs_all_families(void)
{
	struct nst_addr a;
	char s[80];

	CHECK(sockaddr_of("{sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"192.168.29.2\")}", &a) == 0);
	print_addr(s, sizeof(s), &a);
	CHECK_STR(s, "192.168.29.2:53");
	CHECK(sockaddr_of("{sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(0), "
			  "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}", &a) == 0);
	print_addr(s, sizeof(s), &a);
	CHECK_STR(s, "[::1]:53");
	/* strace 4.x: PF_ names, inet_pton before flowinfo */
	CHECK(sockaddr_of("{sa_family=PF_INET6, sin6_port=htons(53), inet_pton(AF_INET6, "
			  "\"2001:db8::1\", &sin6_addr), sin6_flowinfo=0, sin6_scope_id=0}", &a) == 0);
	print_addr(s, sizeof(s), &a);
	CHECK_STR(s, "[2001:db8::1]:53");
	CHECK(sockaddr_of("{sa_family=AF_UNIX, sun_path=\"/var/run/docker.sock\"}", &a) == 0);
	print_addr(s, sizeof(s), &a);
	CHECK_STR(s, "unix:/var/run/docker.sock");
	CHECK(sockaddr_of("{sa_family=AF_UNIX, sun_path=@\"xyz\"}", &a) == 0);
	print_addr(s, sizeof(s), &a);
	CHECK_STR(s, "unix:@xyz");
	CHECK(sockaddr_of("{sa_family=AF_INET, sin_port=htons(53)}", &a) == -1);
	CHECK(sockaddr_of("0x7ffd", &a) == -1);
	CHECK(strace_family(S("PF_LOCAL")) == AF_UNIX && strace_family(S("AF_NETLINK")) == AF_NETLINK &&
	      strace_family(S("PF_INET")) == AF_INET && strace_family(S("AF_BOGUS")) == AF_UNSPEC);
}

static void fd_annotations(void)
{
	struct fd_note n;
	char s[80];

	CHECK(strace_fd(S("39"), &n) == 39 && n.kind == NOTE_NONE);
	CHECK(strace_fd(S("39<UDP:[11053]>"), &n) == 39 && n.kind == NOTE_SOCKET && n.ino == 11053 &&
	      n.proto == SOCK_DGRAM);
	CHECK(strace_fd(S("39<socket:[11053]>"), &n) == 39 && n.kind == NOTE_SOCKET && n.ino == 11053);
	CHECK(strace_fd(S("38</run/docker/netns/8952a65ca06b>"), &n) == 38 && n.kind == NOTE_PATH);
	CHECK_STR(n.path, "/run/docker/netns/8952a65ca06b");
	CHECK(strace_fd(S("14<net:[4026531833]>"), &n) == 14 && n.kind == NOTE_NETNS && n.ino == 4026531833ull);
	CHECK(strace_fd(S("39<TCP:[1.2.3.4:5->6.7.8.9:53]>"), &n) == 39 && n.proto == SOCK_STREAM);
	print_addr(s, sizeof(s), &n.peer);
	CHECK_STR(s, "6.7.8.9:53");
	print_addr(s, sizeof(s), &n.local);
	CHECK_STR(s, "1.2.3.4:5");
	CHECK(strace_fd(S("7<TCPv6:[[::1]:5->[::1]:53]>"), &n) == 7 && n.family == AF_INET6);
	CHECK(strace_fd(S("3<pipe:[55]>"), &n) == 3 && n.kind == NOTE_OTHER);
	CHECK(strace_fd(S("AT_FDCWD"), &n) == -1);
}

/* The importer: collect what it emits. */
static struct nst_event got[32];
static uint8_t got_payload[32][64];
static char got_ns[32][64];
static int ngot;

static void collect(const struct nst_event *ev, void *ctx)
{
	(void)ctx;
	if (ngot >= 32)
		return;
	got[ngot] = *ev;
	memcpy(got_payload[ngot], ev->payload ? ev->payload : (const uint8_t *)"",
	       ev->payload_len < 64 ? ev->payload_len : 64);
	snprintf(got_ns[ngot], sizeof(got_ns[0]), "%s",
		 ev->sock.netns.path ? ev->sock.netns.path : ev->sock.netns.label ? ev->sock.netns.label : "");
	ngot++;
}

static struct strace_import *feed(const char *const *lines, int n)
{
	struct strace_import *s = strace_import_new(collect, NULL, "test.strace");
	ngot = 0;
	for (int i = 0; i < n; i++)
		strace_import_line(s, lines[i], strlen(lines[i]), (unsigned long)i + 1, 0);
	return s;
}

static void the_article_excerpt(void)
{
	static const char *const lines[] = {
		"(...unrelated content omitted)",
		"[pid  7055] setns(38, CLONE_NEWNET) = 0",
		"[pid  7055] socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 39",
		"[pid  7055] setsockopt(39, SOL_SOCKET, SO_BROADCAST, [1], 4) = 0",
		"[pid  7055] connect(39, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"192.168.29.2\")}, 16) = 0",
		"[pid  7055] getsockname(39, {sa_family=AF_INET, sin_port=htons(50886), sin_addr=inet_addr(\"172.18.0.2\")}, [112->16]) = 0",
		"[pid  7055] setns(10, CLONE_NEWNET)     = 0",
		"[pid  7055] write(39, \"w\\364\\1\\0\\0\\1\\0\\0\\0\\0\\0\\0\\00278\\003143\\003241\\003199\\7in-addr\\4arpa\\0\\0\\f\\0\\1\", 45) = 45",
	};
	struct strace_import *s = feed(lines, 8);
	const struct nst_event *w = &got[ngot - 1];
	char a[64];

	CHECK(ngot == 6);
	CHECK(!strcmp(w->syscall, "write") && w->tid == 7055 && w->fd == 39 && w->ret == 45);
	CHECK(w->payload_len == 45 && got_payload[ngot - 1][0] == 'w' && got_payload[ngot - 1][1] == 0xf4);
	CHECK(w->sock.foreign);
	CHECK_STR(got_ns[ngot - 1], "setns fd 38 of pid 7055");
	CHECK(w->home_netns.label && !strcmp(w->home_netns.label, "setns fd 10 of pid 7055"));
	print_addr(a, sizeof(a), &w->sock.peer);
	CHECK_STR(a, "192.168.29.2:53");
	print_addr(a, sizeof(a), &w->sock.local);
	CHECK_STR(a, "172.18.0.2:50886");
	CHECK(strace_import_stats(s)->skipped == 1 && strace_import_stats(s)->bad == 0);
	strace_import_free(s);
}

static void prefixes_timestamps_and_resumed(void)
{
	static const char *const lines[] = {
		"7055  20:25:50.192302 setns(39</run/docker/netns/abc>, CLONE_NEWNET) = 0",
		"7055  20:25:50.192531 socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP <unfinished ...>",
		"7056  20:25:50.192540 futex(0x1, FUTEX_WAKE_PRIVATE, 1 <unfinished ...>",
		"7055  20:25:50.192600 <... socket resumed>) = 40<UDP:[3692346]>",
		"7056  20:25:50.192601 <... futex resumed>) = 1",
		"7055  20:25:50.192725 connect(40<UDP:[3692346]>, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"198.51.100.53\")}, 16) = 0 <0.000012>",
		"7055  20:25:50.193003 setns(14<net:[4026531833]>, CLONE_NEWNET) = 0",
		"7055  20:25:50.193100 --- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=7041, si_uid=0} ---",
		"7055  20:25:50.193200 read(40<UDP:[3692346]>, 0xc000123000, 512) = -1 ECONNREFUSED (Connection refused)",
		"1795637926.919946 close(40) = 0",
		"7056  +++ exited with 0 +++",
	};
	struct strace_import *s = feed(lines, 11);

	/* setns, socket, connect, setns, read, and the unprefixed close: the
	 * first thread's line in a terminal log */
	CHECK(ngot == 6 && !strcmp(got[5].syscall, "close") && got[5].tid == 7055);
	CHECK(!strcmp(got[1].syscall, "socket") && got[1].fd == 40 && got[1].tid == 7055);
	CHECK_STR(got_ns[1], "/run/docker/netns/abc");
	CHECK(got[1].ts_us == (20ull * 3600 + 25 * 60 + 50) * 1000000 + 192600);
	CHECK(!strcmp(got[4].syscall, "read") && got[4].err == ECONNREFUSED && got[4].sock.foreign);
	CHECK(got[4].home_netns.ino == 4026531833ull);
	CHECK(strace_import_stats(s)->bad == 0);
	CHECK(strace_import_last_ts(s) == 1795637926919946ull);
	strace_import_free(s);
}

static void bad_lines_are_counted_not_fatal(void)
{
	static const char *const lines[] = {
		"[pid  7055] write(39, \"abc\", 3",             /* no return value */
		"[pid  7055] <... read resumed>\"x\", 1) = 1",  /* resumed without a start */
		"garbage ( = ",
		"strace: Process 7041 attached",
		"[pid  7055] socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 5",
	};
	struct strace_import *s = feed(lines, 5);

	/* the cut write never goes on (1), the resume has no start (2); the
	 * notice is strace's, the garbage is not */
	CHECK(strace_import_stats(s)->bad == 2);
	CHECK(strace_import_stats(s)->skipped == 1);
	CHECK(ngot == 1 && got[0].fd == 5 && got[0].sock.type == SOCK_STREAM);
	strace_import_free(s);
}

static void vectored_and_batched(void)
{
	static const char *const lines[] = {
		"10 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3",
		"10 connect(3, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"10.0.0.1\")}, 16) = 0",
		"10 writev(3, [{iov_base=\"\\0\\5\", iov_len=2}, {iov_base=\"hello\", iov_len=5}], 2) = 7",
		"10 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 4",
		"10 sendmmsg(4, [{msg_hdr={msg_name={sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"10.0.0.1\")}, "
		"msg_namelen=16, msg_iov=[{iov_base=\"one\", iov_len=3}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=3}, "
		"{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"two\", iov_len=3}], msg_iovlen=1, msg_controllen=0, "
		"msg_flags=0}, msg_len=3}], 2, MSG_NOSIGNAL) = 2",
		"10 recvmsg(4, {msg_name={sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"10.0.0.1\")}, msg_namelen=16, "
		"msg_iov=[{iov_base=\"abc\", iov_len=512}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 3",
	};
	struct strace_import *s = feed(lines, 6);

	CHECK(ngot == 7);
	CHECK(!strcmp(got[2].syscall, "writev") && got[2].payload_len == 7 && !memcmp(got_payload[2], "\0\5hello", 7));
	CHECK(!strcmp(got[4].syscall, "sendmmsg") && got[4].msg_index == 0 && !memcmp(got_payload[4], "one", 3));
	CHECK(got[4].flags & NST_EV_ADDR);
	CHECK(got[5].msg_index == 1 && !memcmp(got_payload[5], "two", 3));
	CHECK(!strcmp(got[6].syscall, "recvmsg") && got[6].payload_len == 3 && (got[6].flags & NST_EV_ADDR));
	strace_import_free(s);
}

/* strace abbreviates a long mmsg array ("..."): the messages it leaves
 * out are counted unseen, so that no query waiting on the socket can be
 * called a timeout on a guess. */
static void abbreviated_batches_count_what_they_hide(void)
{
	static const char *const lines[] = {
		"10 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 4",
		"10 connect(4, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"10.0.0.1\")}, 16) = 0",
		"10 recvmmsg(4, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"one\", iov_len=512}], "
		"msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=3}, ...], 64, MSG_DONTWAIT, NULL) = 40",
	};
	struct strace_import *s = feed(lines, 3);

	CHECK(ngot == 4);
	CHECK(!strcmp(got[2].syscall, "recvmmsg") && got[2].msg_index == 0 && !got[2].unseen);
	CHECK(got[3].msg_index == 1 && got[3].unseen == 39 && !got[3].payload_len);
	strace_import_free(s);
}

/* A close cut by another thread's socket() that got the same fd at once:
 * the close ends the socket its fd named when it began, and the new one
 * lives on. */
static void a_close_ends_the_socket_it_began_on(void)
{
	static const char *const lines[] = {
		"10 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 5",
		"10 close(5 <unfinished ...>",
		"11 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 5",
		"10 <... close resumed>) = 0",
		"11 connect(5, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"10.0.0.1\")}, 16) = 0",
	};
	struct strace_import *s = feed(lines, 5);

	CHECK(ngot == 4);
	CHECK(!strcmp(got[0].syscall, "socket") && !strcmp(got[1].syscall, "socket"));
	CHECK(got[0].sock.id != got[1].sock.id);
	CHECK(!strcmp(got[2].syscall, "close") && got[2].sock.id == got[0].sock.id &&
	      (got[2].flags & NST_EV_SOCK_GONE));
	CHECK(!strcmp(got[3].syscall, "connect") && got[3].sock.id == got[1].sock.id);
	strace_import_free(s);
}

static void to_analyzer(const struct nst_event *ev, void *ctx)
{
	analyzer_feed(ctx, ev);
}

static void a_log_from_mid_pattern_claims_no_stuck_thread(void)
{
	/* strace -p began while thread 10 was in a container's netns: its first
	 * line is the setns back home, known only by its fd.  Thread 11 then
	 * shows the whole pattern, whose setns-back says fd 14 is home. */
	static const char *const lines[] = {
		"10 setns(14, CLONE_NEWNET) = 0",
		"10 sendto(5, \"\\22\\64\\1\\0\\0\\1\\0\\0\\0\\0\\0\\0\\1a\\0\\0\\1\\0\\1\", 19, 0, "
		"{sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"198.51.100.53\")}, 16) = 19",
		"10 recvfrom(5, \"\\22\\64\\201\\200\\0\\1\\0\\0\\0\\0\\0\\0\\1a\\0\\0\\1\\0\\1\", 512, 0, NULL, NULL) = 19",
		"10 getpid() = 10",
		"11 setns(38, CLONE_NEWNET) = 0",
		"11 socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 39",
		"11 connect(39, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"198.51.100.53\")}, 16) = 0",
		"11 setns(14, CLONE_NEWNET) = 0",
		"11 write(39, \"\\22\\65\\1\\0\\0\\1\\0\\0\\0\\0\\0\\0\\1b\\0\\0\\1\\0\\1\", 19) = 19",
	};
	struct analyzer_opts o = { .dns_timeout_us = 5000000 };
	struct analyzer *a = analyzer_new(&o);
	struct strace_import *s = strace_import_new(to_analyzer, a, "mid.strace");
	const struct findings *fs;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		strace_import_line(s, lines[i], strlen(lines[i]), (unsigned long)i + 1, 0);
	analyzer_finish(a, 0);
	fs = analyzer_findings(a);
	for (size_t i = 0; i < findings_count(fs); i++)
		CHECK(findings_get(fs, i)->id != FIND_NETNS_THREAD_STUCK);
	CHECK(findings_count(fs) >= 1); /* thread 11's query, foreign by the vote */
	CHECK(findings_count(fs) && findings_get(fs, 0)->id == FIND_DNS_FOREIGN_NETNS &&
	      findings_get(fs, 0)->foreign);
	strace_import_free(s);
	analyzer_free(a);
}

/* A log's lines through the importer into an analyzer; its upstream rows. */
static struct analyzer *analyze(const char *const *lines, size_t n)
{
	struct analyzer_opts o = { .dns_timeout_us = 5000000 };
	struct analyzer *a = analyzer_new(&o);
	struct strace_import *s = strace_import_new(to_analyzer, a, "late.strace");

	for (size_t i = 0; i < n; i++)
		strace_import_line(s, lines[i], strlen(lines[i]), (unsigned long)i + 1, 0);
	analyzer_finish(a, 0);
	strace_import_free(s);
	return a;
}

#define Q_A "\"\\22\\64\\1\\0\\0\\1\\0\\0\\0\\0\\0\\0\\2ok\\7nstrace\\4test\\0\\0\\1\\0\\1\", 33"
#define R_A "\"\\22\\64\\201\\200\\0\\1\\0\\0\\0\\0\\0\\0\\2ok\\7nstrace\\4test\\0\\0\\1\\0\\1\", 2048"
#define FROM_53 "{sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"198.51.100.53\")}, [28 => 16]"

static void sockets_learned_late(void)
{
	/* a socket made before the log: its query shows no address, its
	 * answer's source says port 53 */
	static const char *const sent_then_answered[] = {
		"1 sendto(3, " Q_A ", MSG_NOSIGNAL, NULL, 0) = 33",
		"1 recvfrom(3, " R_A ", 0, " FROM_53 ") = 33",
	};
	/* a grep'd excerpt: the connect, then only the answers */
	static const char *const answers_only[] = {
		"1 connect(5, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"198.51.100.53\")}, 16) = 0",
		"1 recvfrom(5, " R_A ", 0, " FROM_53 ") = 33",
		"1 recvfrom(5, " R_A ", 0, " FROM_53 ") = 33",
	};
	/* DNS-shaped bytes on a socket never shown to be DNS prove nothing */
	static const char *const never_shown[] = {
		"1 sendto(7, " Q_A ", MSG_NOSIGNAL, NULL, 0) = 33",
		"1 close(7) = 0",
	};
	struct analyzer *a = analyze(sent_then_answered, 2);
	size_t n;
	const struct upstream_row *r = analyzer_upstreams(a, &n);

	CHECK(n == 1 && r[0].queries == 1 && r[0].answered == 1 && r[0].unmatched == 0);
	CHECK(analyzer_counts(a)->q_sent == 1 && analyzer_counts(a)->r_recv == 1);
	CHECK(findings_count(analyzer_findings(a)) == 0);
	analyzer_free(a);
	a = analyze(answers_only, 3);
	r = analyzer_upstreams(a, &n);
	CHECK(n == 1 && r[0].queries == 0 && r[0].unmatched == 2 && analyzer_counts(a)->r_recv == 2);
	analyzer_free(a);
	a = analyze(never_shown, 2);
	analyzer_upstreams(a, &n);
	CHECK(n == 0 && analyzer_counts(a)->q_sent == 0 && findings_count(analyzer_findings(a)) == 0);
	analyzer_free(a);
}

static struct strace_import *feed_tid(const char *const *lines, int n, int default_tid)
{
	struct strace_import *s = strace_import_new(collect, NULL, "test.strace");
	ngot = 0;
	for (int i = 0; i < n; i++)
		strace_import_line(s, lines[i], strlen(lines[i]), (unsigned long)i + 1, default_tid);
	strace_import_end(s);
	return s;
}

#define Q29 "\"\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x07example\\x03com\\x00\\x00\\x01\\x00\\x01\""
#define NS53 "{sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"198.51.100.53\")}"

static void decode_pids_prefixes(void)
{
	static const char *const lines[] = {
		"[pid 2995209<coredns>] 23:20:43.596070 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 12",
		"2995210<coredns> 23:20:43.596080 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 13",
		"[pid  7 /* 2995211 in strace's PID NS */] socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 14",
		"9999999999 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3",
		"[pid 99999999999] socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3",
	};
	struct strace_import *s = feed(lines, 5);

	CHECK(ngot == 3);
	CHECK(got[0].tid == 2995209 && !strcmp(got[0].comm, "coredns") && got[0].fd == 12);
	CHECK(got[1].tid == 2995210 && got[1].fd == 13);
	CHECK(got[2].tid == 7 && got[2].fd == 14);
	CHECK(strace_import_stats(s)->bad == 2); /* pids out of range, not wrapped */
	strace_import_free(s);
}

static void strace4_forms(void)
{
	static const char *const lines[] = {
		"socket(PF_INET, SOCK_DGRAM|SOCK_NONBLOCK, IPPROTO_IP) = 3",
		"connect(3, " NS53 ", 16) = 0",
		"sendmmsg(3, {{{msg_name(0)=NULL, msg_iov(1)=[{\"\\10\\353\\1\", 3}], msg_controllen=0, msg_flags=0}, 3}, "
		"{{msg_name(0)=NULL, msg_iov(1)=[{\"\\10\\354\\1\", 3}], msg_controllen=0, msg_flags=0}, 3}}, 2, MSG_NOSIGNAL) = 2",
		"socket(PF_LOCAL, SOCK_STREAM, 0) = 4",
		"socket(PF_NETLINK, SOCK_RAW, NETLINK_ROUTE) = 5",
		"fcntl64(5, F_DUPFD, 0) = 6",
	};
	struct strace_import *s = feed(lines, 6);

	CHECK(ngot == 7);
	CHECK(got[0].sock.family == AF_INET);
	CHECK(got[2].payload_len == 3 && got_payload[2][1] == 0xeb && got[2].msg_index == 0);
	CHECK(got[3].payload_len == 3 && got_payload[3][1] == 0xec && got[3].msg_index == 1);
	CHECK(got[4].sock.family == AF_UNIX && got[5].sock.family == AF_NETLINK);
	CHECK(got[6].fd2 == 6 && got[6].sock.family == AF_NETLINK); /* fcntl64 dups */
	strace_import_free(s);
}

static void unprefixed_first_process(void)
{
	static const char *const lines[] = {
		"socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3",
		"clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 5719",
		"[pid  5719] socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 4",
		"[pid  5718] wait4(-1,  <unfinished ...>",
		"[pid  5719] +++ exited with 0 +++",
		"[pid  5718] <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 5719",
		"[pid  5718] sendto(3, \"x\", 1, 0, " NS53 ", 16) = 1",
	};
	struct strace_import *s = feed(lines, 7);

	CHECK(strace_import_stats(s)->bad == 0); /* no resume without its start */
	CHECK(ngot == 3 && got[0].pid == 0 && got[2].pid == 5718 && got[2].fd == 3);
	CHECK(got[2].sock.id == got[0].sock.id); /* one process: its socket from before */
	strace_import_free(s);
}

static void addresses_make_inet_sockets(void)
{
	static const char *const lines[] = {
		"sendto(7, " Q29 ", 29, 0, " NS53 ", 16) = 29",
		"recvmsg(8, {msg_name={sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(0), "
		"inet_pton(AF_INET6, \"2001:db8::53\", &sin6_addr), sin6_scope_id=0}, msg_namelen=28, "
		"msg_iov=[{iov_base=\"ab\", iov_len=512}], msg_iovlen=1, msg_control=[{cmsg_len=28, cmsg_level=SOL_IP, "
		"cmsg_type=IP_PKTINFO, cmsg_data={ipi_ifindex=if_nametoindex(\"eth0\"), ipi_spec_dst=inet_addr(\"198.51.100.2\"), "
		"ipi_addr=inet_addr(\"198.51.100.2\")}}], msg_controllen=32, msg_flags=0}, 0) = 2",
		"connect(9, " NS53 ", 16) = -1 ECONNREFUSED (Connection refused)",
	};
	struct strace_import *s = feed_tid(lines, 3, 10);

	CHECK(ngot == 3);
	CHECK(got[0].sock.family == AF_INET && got[0].payload_len == 29);
	CHECK(got[1].sock.family == AF_INET6 && got[1].payload_len == 2 && (got[1].flags & NST_EV_ADDR));
	CHECK(got[2].sock.family == AF_INET && got[2].err == ECONNREFUSED);
	CHECK(got[0].flags & NST_EV_NO_TIME); /* no -t: no clock */
	strace_import_free(s);
}

static void lines_broken_by_other_output(void)
{
	static const char *const lines[] = {
		"write(1, \"hello\\n\", 6hello",
		")                  = 6",
		"clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLDstrace: Process 4685 attached",
		", child_tidptr=0x7fcf64f48a10) = 4685<sh>",
		"[pid  4685] socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3",
		"[pid  4684] wait4(-1, strace: Process 4686 attached",
		" <unfinished ...>",
		"[pid  4684] <... wait4 resumed>0x7ffe, 0, NULL) = 4685",
		"recvfrom(3, \"x\", 1, 0, NULL, NULL) = 1",
	};
	struct strace_import *s = feed(lines, 9);

	CHECK(strace_import_stats(s)->joined == 3 && strace_import_stats(s)->bad == 0);
	CHECK(ngot == 2 && got[0].pid == 4685); /* the child the joined clone made */
	CHECK(got[1].pid == 4684 && got[1].sock.id != got[0].sock.id); /* the first process: its own fd 3 */
	strace_import_free(s);
}

static void relative_times_and_midnight(void)
{
	static const char *const rel[] = {
		"     0.000000 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3",
		"     0.020000 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 4",
		"     0.010000 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 5",
	};
	static const char *const clock[] = {
		"23:59:59.900000 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3",
		"00:00:00.100000 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 4",
	};
	struct strace_import *s = feed_tid(rel, 3, 1);

	CHECK(ngot == 3 && got[1].ts_us == 20000 && got[2].ts_us == 30000);
	CHECK(!(got[0].flags & NST_EV_NO_TIME));
	strace_import_free(s);
	s = feed_tid(clock, 2, 1);
	CHECK(ngot == 2 && got[1].ts_us - got[0].ts_us == 200000); /* past midnight, forward */
	strace_import_free(s);
}

static void socketcall_subcalls(void)
{
	static const char *const lines[] = {
		"socketcall(SYS_SOCKET, [2, 2, 17]) = 3",
		"socketcall(SYS_CONNECT, [3, " NS53 ", 16]) = 0",
		"socketcall(0x3, 0xffd1a0) = 0",
	};
	struct strace_import *s = feed_tid(lines, 3, 1);

	CHECK(ngot == 2 && got[0].sock.family == AF_INET && got[0].fd == 3);
	CHECK(got[1].op == NST_OP_CONNECT && got[1].addr.port == 53);
	strace_import_free(s);
}

#define PKTINFO(spec, addr) \
	"msg_control=[{cmsg_len=28, cmsg_level=SOL_IP, cmsg_type=IP_PKTINFO, cmsg_data={ipi_ifindex=" \
	"if_nametoindex(\"lo\"), ipi_spec_dst=inet_addr(\"" spec "\"), ipi_addr=inet_addr(\"" addr "\")}}]"

static void pktinfo_names_the_local_address(void)
{
	static const char *const lines[] = {
		/* dockerd's listener, made before the log in the container's
		 * netns: -yy shows only its inode */
		"31 10:00:00.000001 recvmsg(31<UDP:[359370]>, {msg_name={sa_family=AF_INET, sin_port="
		"htons(54965), sin_addr=inet_addr(\"127.0.0.1\")}, msg_namelen=112 => 16, msg_iov=[{iov_base="
		Q29 ", iov_len=512}], msg_iovlen=1, " PKTINFO("127.0.0.11", "127.0.0.11")
		", msg_controllen=32, msg_flags=0}, 0) = 29",
		/* a reply whose pktinfo leaves the source to the kernel */
		"32 10:00:00.000002 sendmsg(40<UDP:[359371]>, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="
		Q29 ", iov_len=29}], msg_iovlen=1, " PKTINFO("0.0.0.0", "0.0.0.0") ", msg_controllen=32, "
		"msg_flags=0}, 0) = 29",
	};
	struct nst_addr a;
	int ctl;

	ctl = strace_tokenize(S("[{cmsg_len=28, cmsg_level=SOL_IP, cmsg_type=IP_PKTINFO, {ipi_ifindex=1, "
				"ipi_spec_dst=inet_addr(\"10.0.0.1\"), ipi_addr=inet_addr(\"10.0.0.2\")}}]"), &tk);
	CHECK(strace_pktinfo(&tk, ctl, true, &a) == 0 && a.family == AF_INET && a.u.in4[3] == 2);
	CHECK(strace_pktinfo(&tk, ctl, false, &a) == 0 && a.u.in4[3] == 1 && a.port == 0); /* 4.x: no cmsg_data= */
	ctl = strace_tokenize(S("[{cmsg_len=36, cmsg_level=SOL_IPV6, cmsg_type=0x32}]"), &tk);
	CHECK(strace_pktinfo(&tk, ctl, true, &a) == -1); /* strace 6.1 does not decode IPV6_PKTINFO */

	struct strace_import *s = feed(lines, 2);
	CHECK(ngot == 2 && got[0].sock.family == AF_INET && got[0].sock.local.u.in4[3] == 11);
	CHECK(got[0].sock.local.port == 0); /* the port is not in it: unknown */
	CHECK(got[1].sock.local.family == AF_UNSPEC); /* 0.0.0.0: no fact */
	strace_import_free(s);
}

/* Stage 1 on its own arena, a line at a time. */
static int parse1(struct strace_parser *p, struct sl_arena *a, const char *line, struct sline *sl)
{
	return strace_parse_line(p, a, line, strlen(line), 1, 0, sl);
}

static void stage1_joins_halves_by_pid(void)
{
	struct strace_parser *p = strace_parser_new();
	struct stok nodes[2 * STRACE_MAX_TOKS];
	char text[4096];
	struct sl_arena a = { .text = text, .text_cap = sizeof(text), .nodes = nodes,
			      .nodes_cap = 2 * STRACE_MAX_TOKS };
	struct sline u, o, r, x;
	struct nst_addr addr;

	CHECK(parse1(p, &a, "[pid 5] connect(3, " NS53 ", 16 <unfinished ...>", &u) == 0);
	CHECK(u.kind == SL_UNFINISHED && u.start_id && u.call.sen == SEN_connect && u.call.decoded);
	CHECK(parse1(p, &a, "[pid 6] <... connect resumed>) = 0", &o) == 0); /* another pid's */
	CHECK(o.kind == SL_RESUMED && o.join == JOIN_NONE && !o.start_id);
	CHECK(parse1(p, &a, "[pid 5] <... connect resumed>) = -1 ECONNREFUSED (Connection refused)", &r) == 0);
	CHECK(r.kind == SL_RESUMED && r.join == JOIN_OK && r.start_id == u.start_id);
	CHECK(r.call.sen == SEN_connect && r.call.nargs == 3 && r.call.ret_ok && r.call.err == ECONNREFUSED);
	CHECK(strace_sockaddr(&r.call.tk, r.call.args[1], &addr) == 0 && addr.port == 53);
	/* each start joins once; a start with no return joined is JOIN_CUT */
	CHECK(parse1(p, &a, "[pid 5] <... connect resumed>) = 0", &x) == 0 && x.join == JOIN_NONE);
	CHECK(parse1(p, &a, "[pid 5] sendto(3, \"x\", 1, 0, NULL, 0 <unfinished ...>", &u) == 0);
	CHECK(parse1(p, &a, "[pid 5] <... sendto resumed>", &x) == 0 && x.join == JOIN_CUT);
	/* a call nstrace does not decode is joined too, without arguments */
	CHECK(parse1(p, &a, "[pid 5] futex(0x1, FUTEX_WAIT, 0, NULL <unfinished ...>", &u) == 0);
	CHECK(parse1(p, &a, "[pid 5] <... futex resumed>) = 0", &x) == 0);
	CHECK(x.join == JOIN_OK && !x.call.decoded && x.call.tk.n == 0);
	CHECK(parse1(p, &a, "[pid 5] nanosleep({tv_sec=0, tv_nsec=20000},  <unfinished ...>", &u) == 0);
	CHECK(parse1(p, &a, "[pid 5] <... nanosleep resumed>NULL", &x) == 0 && x.join == JOIN_CUT);
	/* the start's name is the joined call's; socketcall's sub-call is
	 * still read from its arguments */
	CHECK(parse1(p, &a, "[pid 5] socketcall(SYS_CONNECT, [3, " NS53 ", 16] <unfinished ...>", &u) == 0);
	CHECK(parse1(p, &a, "[pid 5] <... socketcall resumed>) = 0", &x) == 0);
	CHECK(x.join == JOIN_OK && x.call.sen == SEN_connect && x.call.nargs == 3);
	/* an unprefixed half is the first process's: stage 2's to join */
	CHECK(parse1(p, &a, "[pid 5] wait4(-1,  <unfinished ...>", &u) == 0);
	CHECK(parse1(p, &a, "<... wait4 resumed>NULL, 0, NULL) = 6", &x) == 0 && x.join == JOIN_NONE);
	strace_parser_free(p);
}

/* The table behind strace_name_char is the predicate it stands for. */
static void name_chars_are_lowercase_digits_underscore(void)
{
	for (int c = 0; c < 256; c++)
		CHECK(strace_name_char((char)c) == (c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')));
}

static void stage2_parses_what_stage1_left(void)
{
	struct strace_parser *p = strace_parser_new();
	struct strace_import *s = strace_import_new(collect, NULL, "test.strace");
	struct stok nodes[2 * STRACE_MAX_TOKS];
	char text[4096];
	struct sl_arena a = { .text = text, .text_cap = sizeof(text), .nodes = nodes,
			      .nodes_cap = 2 * STRACE_MAX_TOKS };
	struct sline sl;

	ngot = 0;
	strace_parser_defer(p, DEFER_ALL);
	CHECK(parse1(p, &a, "5 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3", &sl) == 0);
	CHECK(sl.kind == SL_CALL && !sl.call.parsed && a.nodes_used == 0);
	strace_import_apply(s, &sl);
	CHECK(parse1(p, &a, "5 connect(3, " NS53 ", 16 <unfinished ...>", &sl) == 0);
	strace_import_apply(s, &sl);
	CHECK(parse1(p, &a, "5 <... connect resumed>) = 0", &sl) == 0);
	CHECK(sl.join == JOIN_OK && !sl.call.parsed);
	CHECK(sl.call.sen == SEN_connect); /* its start told it */
	strace_import_apply(s, &sl);
	CHECK(ngot == 2 && got[1].op == NST_OP_CONNECT && got[1].addr.port == 53 && got[1].fd == 3);
	CHECK(strace_import_stats(s)->bad == 0 && strace_import_stats(s)->syscalls == 2);
	strace_import_free(s);
	strace_parser_free(p);
}

static void stage1_defers_its_share_evenly(void)
{
	struct strace_parser *p = strace_parser_new();
	struct stok nodes[2 * STRACE_MAX_TOKS];
	char text[4096];
	struct sl_arena a = { .text = text, .text_cap = sizeof(text), .nodes = nodes,
			      .nodes_cap = 2 * STRACE_MAX_TOKS };
	struct sline sl;
	int left = 0, run = 0, longest = 0;

	strace_parser_defer(p, DEFER_ALL / 4);
	for (int i = 0; i < 4 * DEFER_ALL; i++) {
		a.text_used = a.nodes_used = 0;
		CHECK(parse1(p, &a, "5 close(3) = 0", &sl) == 0);
		left += !sl.call.parsed;
		run = sl.call.parsed ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	CHECK(left == DEFER_ALL && longest <= 4);
	strace_parser_defer(p, 0);
	CHECK(parse1(p, &a, "5 close(3) = 0", &sl) == 0 && sl.call.parsed);
	strace_parser_free(p);
}

static void stage1_full_arena_changes_nothing(void)
{
	struct strace_parser *p = strace_parser_new();
	struct stok nodes[STRACE_MAX_TOKS];
	char small[48], big[512];
	struct sl_arena a = { .text = small, .text_cap = sizeof(small), .nodes = nodes,
			      .nodes_cap = STRACE_MAX_TOKS };
	struct sline u, r;
	const char *res = "5      0.500000 <... connect resumed>) = 0";

	CHECK(parse1(p, &a, "5      0.250000 connect(3, " NS53 ", 16 <unfinished ...>", &u) == -ENOSPC);
	CHECK(a.want > sizeof(small) && a.text_used == 0);
	a = (struct sl_arena){ .text = big, .text_cap = sizeof(big), .nodes = nodes,
			       .nodes_cap = STRACE_MAX_TOKS };
	CHECK(parse1(p, &a, "5      0.250000 connect(3, " NS53 ", 16 <unfinished ...>", &u) == 0);
	CHECK(u.timed && u.ts == 250000); /* -r: the refused try added nothing */
	/* the line fits, the joined call does not: refused, the start kept */
	a = (struct sl_arena){ .text = small, .text_cap = strlen(res) + 1, .nodes = nodes,
			       .nodes_cap = STRACE_MAX_TOKS };
	CHECK(parse1(p, &a, res, &r) == -ENOSPC && a.text_used == 0);
	a = (struct sl_arena){ .text = big, .text_cap = sizeof(big), .nodes = nodes,
			       .nodes_cap = STRACE_MAX_TOKS };
	CHECK(parse1(p, &a, res, &r) == 0 && r.join == JOIN_OK && r.ts == 750000);
	strace_parser_free(p);
}

static void stage2_keeps_the_first_process_text(void)
{
	static const char *const lines[] = {
		"[pid 10] socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3",
		"[pid 10] clone(child_stack=NULL, flags=SIGCHLD) = 11",
		"[pid 11] connect(3, " NS53 ", 16 <unfinished ...>",
		"[pid 10] wait4(-1,  <unfinished ...>",
		"[pid 11] <... connect resumed>) = 0",
		"[pid 11] +++ exited with 0 +++",
		"<... wait4 resumed>NULL, 0, NULL) = 11", /* strace drops the prefix again */
	};
	struct strace_import *s = feed(lines, 7);

	CHECK(strace_import_stats(s)->bad == 0 && strace_import_stats(s)->syscalls == 4);
	CHECK(ngot == 2 && got[1].op == NST_OP_CONNECT && got[1].pid == 11);
	strace_import_free(s);
}


/* The WAIT events of a log, after a connected UDP socket 3 to port 53. */
static int waits(const char *const *lines, int n)
{
	static const char *head[2] = {
		"1 socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 3",
		"1 connect(3, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"198.51.100.53\")}, 16) = 0",
	};
	struct strace_import *s = strace_import_new(collect, NULL, "test.strace");
	int k = 0;

	ngot = 0;
	for (int i = 0; i < 2; i++)
		strace_import_line(s, head[i], strlen(head[i]), (unsigned long)i + 1, 0);
	for (int i = 0; i < n; i++)
		strace_import_line(s, lines[i], strlen(lines[i]), (unsigned long)i + 3, 0);
	strace_import_free(s);
	for (int i = 0; i < ngot; i++)
		if (got[i].op == NST_OP_WAIT)
			got[k++] = got[i];
	return k;
}

static void poll_forms(void)
{
	static const char *const err[] = {
		"1 poll([{fd=3, events=POLLIN}], 1, 5000) = 1 ([{fd=3, revents=POLLERR}])",
	};
	static const char *const yy[] = {
		"1 poll([{fd=3<UDP:[198.51.100.2:4000->198.51.100.53:53]>, events=POLLIN|POLLOUT}], 1, 999) = 1 ([{fd=3, revents=POLLOUT|POLLERR}])",
	};
	static const char *const timeout[] = {
		"1 poll([{fd=3, events=POLLIN}], 1, 5000) = 0 (Timeout) <5.005197>",
	};
	static const char *const ready[] = { /* data came: its read follows, nothing to say */
		"1 poll([{fd=3, events=POLLIN}], 1, 5000) = 1 ([{fd=3, revents=POLLIN}])",
		"1 poll([{fd=3, events=POLLOUT}], 1, 0) = 1 ([{fd=3, revents=POLLOUT}])",
	};
	static const char *const mixed[] = { /* a pipe beside it: an event loop */
		"1 poll([{fd=5, events=POLLIN}, {fd=3, events=POLLIN}], 2, 250) = 0 (Timeout)",
	};
	static const char *const ppoll[] = {
		"1 ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=2, tv_nsec=500000000}, NULL, 8) = 0 (Timeout)",
		"1 ppoll([{fd=3, events=POLLIN}], 1, {2, 0}, NULL, 8) = 1 ([{fd=3, revents=POLLERR}], left {tv_sec=1, tv_nsec=999})",
		"1 ppoll([{fd=3, events=POLLIN}], 1, NULL, NULL, 8) = 1 ([{fd=3, revents=POLLIN|POLLERR}])",
	};

	CHECK(waits(err, 1) == 1 && got[0].fd == 3 && got[0].arg == POLLERR && got[0].wait_us == 5000000 &&
	      got[0].wait_nfds == 1 && (got[0].flags & NST_EV_WAIT_SOCKS) && (got[0].flags & NST_EV_SOCK));
	CHECK(waits(yy, 1) == 1 && got[0].arg == (POLLOUT | POLLERR) && got[0].wait_us == 999000);
	CHECK(waits(timeout, 1) == 1 && got[0].ret == 0 && got[0].arg == 0 && got[0].wait_us == 5000000);
	CHECK(waits(ready, 2) == 0);
	CHECK(waits(mixed, 1) == 1 && got[0].fd == 3 && got[0].wait_nfds == 2 &&
	      !(got[0].flags & NST_EV_WAIT_SOCKS));
	CHECK(waits(ppoll, 3) == 3 && got[0].wait_us == 2500000 && got[0].ret == 0 &&
	      got[1].wait_us == 2000000 && got[1].arg == POLLERR &&
	      got[2].wait_us == NST_WAIT_FOREVER && got[2].arg == (POLLIN | POLLERR));
}

static void select_forms(void)
{
	static const char *const sel[] = {
		"1 select(4, [3], NULL, NULL, {tv_sec=5, tv_usec=0}) = 0 (Timeout)",
		"1 select(4, [3], [], NULL, {tv_sec=1, tv_usec=500}) = 1 (in [3], left {tv_sec=0, tv_usec=999})",
		"1 pselect6(6, [3 5], NULL, NULL, {tv_sec=2, tv_nsec=0}, NULL) = 0 (Timeout)",
		"1 select(4, [3<UDP:[198.51.100.2:4000->198.51.100.53:53]>], NULL, NULL, NULL) = 0 (Timeout)",
	};
	static const char *const abbreviated[] = { /* no argument: -T's duration */
		"1 select(4, [3], NULL, NULL, 0x7ffc0000) = 0 (Timeout) <3.000123>",
	};

	/* a readable fd says nothing (its read follows); timeouts say it all */
	CHECK(waits(sel, 4) == 3);
	CHECK(got[0].wait_us == 5000000 && got[0].wait_nfds == 1 && (got[0].flags & NST_EV_WAIT_SOCKS));
	CHECK(got[1].wait_us == 2000000 && got[1].wait_nfds == 2 && !(got[1].flags & NST_EV_WAIT_SOCKS));
	CHECK(got[2].wait_us == NST_WAIT_FOREVER);
	CHECK(waits(abbreviated, 1) == 1 && got[0].wait_us == 3000123);
}

static void epoll_forms(void)
{
	static const char *const ep[] = {
		"1 epoll_ctl(5, EPOLL_CTL_ADD, 3, {events=EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET, data={u32=3, u64=140000000000003}}) = 0",
		"1 epoll_wait(5, [{events=EPOLLIN, data={u32=3, u64=140000000000003}}], 128, 5000) = 1",
		"1 epoll_pwait(5, [{events=EPOLLERR, data={u32=3, u64=140000000000003}}], 128, 0, NULL, 8) = 1",
		"1 epoll_pwait2(5, [{events=EPOLLIN|EPOLLERR, data={u32=3, u64=140000000000003}}], 128, {tv_sec=1, tv_nsec=0}, NULL, 8) = 1",
		"1 epoll_wait(5, [{events=EPOLLERR, data={u32=9, u64=9}}], 128, -1) = 1", /* never registered */
		"1 epoll_wait(5, [], 128, 1000) = 0",
	};
	static const char *const old[] = { /* strace 4.x: by position */
		"1 epoll_ctl(5, EPOLL_CTL_ADD, 3, {EPOLLIN, {u32=3, u64=3}}) = 0",
		"1 epoll_wait(5, [{EPOLLERR|EPOLLHUP, {u32=3, u64=3}}], 128, 5000) = 1",
	};
	static const char *const closed[] = { /* a registration whose fd was closed names nothing */
		"1 epoll_ctl(5, EPOLL_CTL_ADD, 3, {events=EPOLLIN, data={u32=3, u64=3}}) = 0",
		"1 close(3) = 0",
		"1 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3",
		"1 epoll_wait(5, [{events=EPOLLERR, data={u32=3, u64=3}}], 128, 5000) = 1",
	};

	CHECK(waits(ep, 6) == 2);
	CHECK(got[0].fd == 3 && got[0].arg == POLLERR && got[0].wait_us == 0 && got[0].wait_nfds == 0);
	CHECK(got[1].arg == (POLLIN | POLLERR) && got[1].wait_us == 1000000);
	CHECK(waits(old, 2) == 1 && got[0].arg == (POLLERR | POLLHUP) && got[0].wait_us == 5000000);
	CHECK(waits(closed, 4) == 0);
}

int main(void)
{
	RUN(every_escape_strace_prints, "strings decode \\NNN, \\xNN, \\t\\n\\v\\f\\r\\\"\\\\ and mark \"...\" cuts");
	RUN(args_tokenized_once, "arguments tokenize once: nesting, quotes, keys (4.x msg_name(16)=), positional fields, comments");
	RUN(sockaddrs_all_families, "AF_INET, AF_INET6 and AF_UNIX (abstract names too), AF_* and 4.x PF_* names decode");
	RUN(fd_annotations, "-y/-yy notes: UDP/socket inodes, netns paths and inodes, TCP address pairs");
	RUN(the_article_excerpt, "the article's excerpt: a foreign socket by setns fd, home learned from the setns back");
	RUN(prefixes_timestamps_and_resumed, "pid prefixes, -tt/-ttt/-T, unfinished/resumed merge, signal and exit lines");
	RUN(bad_lines_are_counted_not_fatal, "bad lines are counted and skipped; banners are skipped, not bad");
	RUN(a_log_from_mid_pattern_claims_no_stuck_thread,
	    "a log that starts with a setns back home claims no stuck thread before the home vote");
	RUN(decode_pids_prefixes, "-Y [pid N<comm>] and N<comm>, pidns comments; 10-digit pids are bad, not wrapped");
	RUN(strace4_forms, "strace 4.x: PF_* families, {{{..}, len}} mmsg with msg_iov(1)= keys, fcntl64");
	RUN(unprefixed_first_process, "-f on a terminal: the unprefixed first process is the pid that shows after its fork");
	RUN(addresses_make_inet_sockets, "sockets made before the log: an inet address makes the fd an inet socket");
	RUN(lines_broken_by_other_output, "calls cut by the program's output or strace's notices are joined again");
	RUN(relative_times_and_midnight, "-r times add up; -tt times go forward past midnight; a clock clears NO_TIME");
	RUN(socketcall_subcalls, "i386 socketcall(SYS_X, [args]) decodes as its sub-call; a pointer is skipped");
	RUN(pktinfo_names_the_local_address,
	    "IP_PKTINFO: a received message's destination and a sent one's source name a listener made before the log");
	RUN(stage1_joins_halves_by_pid,
	    "stage 1 joins a cut call's halves by pid, parses it, and says what became of each start");
	RUN(plain_runs_copy_as_bytes_do,
	    "unquote's bulk copy of plain text agrees with a byte-by-byte decode, at every run end and cap");
	RUN(name_chars_are_lowercase_digits_underscore,
	    "a syscall name's characters, by table, are exactly [a-z0-9_]");
	RUN(stage2_parses_what_stage1_left,
	    "calls stage 1 leaves unparsed (stage 2 being idle) are parsed by stage 2, halves joined too");
	RUN(stage1_defers_its_share_evenly,
	    "stage 1 leaves exactly its share of calls to stage 2, spread out, and none at share 0");
	RUN(stage1_full_arena_changes_nothing,
	    "stage 1 refuses a line its arena has no room for and changes nothing (clock, kept starts)");
	RUN(stage2_keeps_the_first_process_text,
	    "stage 2 joins an unprefixed resumed call of the first process itself, without a bad line");
	RUN(abbreviated_batches_count_what_they_hide, "a recvmmsg array strace abbreviated with ... counts the messages it hides as unseen");
	RUN(a_close_ends_the_socket_it_began_on, "a close cut by another thread's socket() on the same fd ends the socket it began on; the new one lives on");
	RUN(sockets_learned_late, "a socket from before the log: its earlier query counts once its answer shows port 53; answers with no query seen are counted, unmatched; DNS-shaped bytes alone count nothing");
	RUN(poll_forms, "poll and ppoll: POLLERR, timeouts (argument, timespec, 4.x {s, ns}, NULL), -yy notes; a ready fd says nothing; a pipe beside the socket is no socket client's timeout");
	RUN(select_forms, "select and pselect6: the watched sets, timeval and timespec timeouts, -T's duration when the argument is a pointer; a readable fd says nothing");
	RUN(epoll_forms, "epoll_ctl then epoll_wait, epoll_pwait, epoll_pwait2 (6.x and 4.x forms): an event's data names the registered socket, an unknown or stale registration names none");
	RUN(vectored_and_batched, "writev, sendmmsg (one event per message) and recvmsg decode with payloads");
	return UNIT_DONE();
}
