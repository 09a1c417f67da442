/* main.c - command line, the single event handler, and the closing report. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "analyzer.h"
#include "arch.h"
#include "decode.h"
#include "engine.h"
#include "event.h"
#include "lineout.h"
#include "netns.h"
#include "output.h"
#include "parse.h"

#define NST_VERSION "0.1.0"
#define RECORDING_VERSION 1
#define MAX_PIDS 64

static struct env {
	pid_t pids[MAX_PIDS];
	int npids;
	bool events, json;
	const char *record_path;
	FILE *record;
	unsigned long snaplen;
	unsigned long duration;
	uint64_t dns_timeout_us;
	int fail_on; /* -1 none, else the enum severity that fails */
	char **command;
	struct analyzer *an;
	struct lineout *out, *rec; /* stdout and -o FILE, whole lines only */
} env = { .snaplen = 512, .dns_timeout_us = 5000000, .fail_on = -1 };

enum { OPT_EVENTS = 1000, OPT_JSON, OPT_DURATION, OPT_VERSION, OPT_DNS_TIMEOUT, OPT_FAIL_ON };

/* The option table: getopt_long and --help are both generated from it. */
static const struct opt_desc {
	const char *name;
	int key, has_arg;
	const char *arg, *help;
} opts[] = {
	{ NULL, 'p', 1, "PID", "attach to every thread of PID (repeatable)" },
	{ "events", OPT_EVENTS, 0, NULL, "print every network event, one line each" },
	{ "json", OPT_JSON, 0, NULL, "print findings and a summary (and events with --events) as JSON Lines" },
	{ NULL, 'o', 1, "FILE", "also record every event as JSON Lines to FILE" },
	{ NULL, 's', 1, "N", "bytes of payload captured per event (default 512)" },
	{ "duration", OPT_DURATION, 1, "SEC", "stop, detach and report after SEC seconds" },
	{ "dns-timeout", OPT_DNS_TIMEOUT, 1, "SEC", "a DNS query unanswered this long is a timeout (default 5)" },
	{ "fail-on", OPT_FAIL_ON, 1, "LEVEL", "exit 1 if a finding at or above LEVEL (warning|error) exists" },
	{ NULL, 'f', 0, NULL, "accepted for strace users; threads are always followed" },
	{ "help", 'h', 0, NULL, "this help" },
	{ "version", OPT_VERSION, 0, NULL, "print the version" },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: nstrace [OPTIONS] -p PID [-p PID ...]\n"
		   "       nstrace [OPTIONS] -- COMMAND [ARG ...]\n\n"
		   "Trace network syscalls and tag every socket with its network namespace.\n\n");
	for (i = 0; i < NOPTS; i++) {
		char lhs[64];
		if (opts[i].name && opts[i].key < 256)
			snprintf(lhs, sizeof(lhs), "-%c, --%s", opts[i].key, opts[i].name);
		else if (opts[i].name)
			snprintf(lhs, sizeof(lhs), "--%s%s%s", opts[i].name,
				 opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
		else
			snprintf(lhs, sizeof(lhs), "-%c%s%s", opts[i].key,
				 opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
		fprintf(f, "  %-18s %s\n", lhs, opts[i].help);
	}
	fprintf(f, "\nexamples:\n"
		   "  nstrace --events -p $(pidof dockerd)         watch dockerd's DNS forwarding live\n"
		   "  nstrace --json --duration 30 -p 1234 > ev.jsonl\n"
		   "  nstrace --events -o trace.jsonl -- ./client  run a command under trace\n");
}

__attribute__((noreturn, format(printf, 1, 2)))
static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nstrace: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'nstrace --help'.\n");
	exit(2);
}

__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nstrace: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static unsigned long parse_num(const char *s, const char *what, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		die_usage("invalid %s '%s' (expected 0..%lu)", what, s, max);
	return v;
}

/* Seconds with an optional fraction ("0.5"), into microseconds. */
static uint64_t parse_seconds(const char *s, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 3600)
		die_usage("invalid %s '%s' (expected seconds, 0 < SEC <= 3600)", what, s);
	return (uint64_t)(v * 1e6);
}

static void parse_args(int argc, char **argv)
{
	struct option lopts[NOPTS + 1];
	char shorts[64];
	size_t i, nl = 0, ns = 0;
	int c;

	shorts[ns++] = '+'; /* stop at the command */
	shorts[ns++] = ':'; /* report a missing argument as ':' */
	for (i = 0; i < NOPTS; i++) {
		if (opts[i].name)
			lopts[nl++] = (struct option){ opts[i].name, opts[i].has_arg ? required_argument
										: no_argument, NULL, opts[i].key };
		if (opts[i].key < 256) {
			shorts[ns++] = (char)opts[i].key;
			if (opts[i].has_arg)
				shorts[ns++] = ':';
		}
	}
	shorts[ns] = '\0';
	memset(&lopts[nl], 0, sizeof(lopts[nl]));
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (env.npids == MAX_PIDS)
				die_usage("too many -p (max %d)", MAX_PIDS);
			env.pids[env.npids++] = (pid_t)parse_num(optarg, "pid", INT_MAX);
			if (env.pids[env.npids - 1] <= 0)
				die_usage("invalid pid '%s'", optarg);
			break;
		case OPT_EVENTS: env.events = true; break;
		case OPT_JSON: env.json = true; break;
		case 'o': env.record_path = optarg; break;
		case 's': env.snaplen = parse_num(optarg, "-s size", NST_MAX_SNAPLEN); break;
		case OPT_DURATION: env.duration = parse_num(optarg, "duration", 86400 * 365); break;
		case OPT_DNS_TIMEOUT: env.dns_timeout_us = parse_seconds(optarg, "--dns-timeout"); break;
		case OPT_FAIL_ON:
			if (!strcmp(optarg, "warning"))
				env.fail_on = SEV_WARNING;
			else if (!strcmp(optarg, "error"))
				env.fail_on = SEV_ERROR;
			else if (!strcmp(optarg, "info"))
				env.fail_on = SEV_INFO;
			else
				die_usage("invalid --fail-on level '%s' (expected warning or error)", optarg);
			break;
		case 'f': break;
		case 'h': usage(stdout); exit(0);
		case OPT_VERSION: printf("nstrace %s (%s)\n", NST_VERSION, NST_ARCH_NAME); exit(0);
		case ':': die_usage("option '%s' needs an argument", argv[optind - 1]);
		default: die_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		env.command = &argv[optind];
	if (!env.npids && !env.command)
		die_usage("nothing to trace: give -p PID or -- COMMAND");
	if (env.npids && env.command)
		die_usage("give either -p PID or a COMMAND, not both");
}

/* --- the event handler ---------------------------------------------------- */

#define MAX_FOREIGN 256
static struct foreign_row {
	int pid;
	char comm[NST_COMM_LEN];
	uint64_t netns;
	char path[128];
	char proto[8];
	char peer[64];
	unsigned long count;
} foreign[MAX_FOREIGN];
static size_t nforeign;
static unsigned long nevents;

static void note_foreign(const struct nst_event *ev)
{
	char peer[64];
	size_t i;

	if (ev->sock.peer.family)
		print_addr(peer, sizeof(peer), &ev->sock.peer);
	else
		snprintf(peer, sizeof(peer), "(unconnected)");
	for (i = 0; i < nforeign; i++) {
		struct foreign_row *r = &foreign[i];
		if (r->pid == ev->pid && r->netns == ev->sock.netns.ino &&
		    !strcmp(r->proto, proto_short(&ev->sock)) && !strcmp(r->peer, peer)) {
			r->count++;
			return;
		}
	}
	if (nforeign == MAX_FOREIGN)
		return;
	struct foreign_row *r = &foreign[nforeign++];
	r->pid = ev->pid;
	memcpy(r->comm, ev->comm, sizeof(r->comm));
	r->netns = ev->sock.netns.ino;
	snprintf(r->path, sizeof(r->path), "%s", ev->sock.netns.path ? ev->sock.netns.path : "");
	snprintf(r->proto, sizeof(r->proto), "%s", proto_short(&ev->sock));
	snprintf(r->peer, sizeof(r->peer), "%s", peer);
	r->count = 1;
}

/* One JSON object as one line.  json_dumpb needs no allocation; the buffer
 * fits the largest event (a 64 KiB payload is 128 KiB of hex). */
static void write_json(struct lineout *lo, json_t *o)
{
	static char buf[3 * NST_MAX_SNAPLEN];
	size_t n;

	if (!o || !lo)
		return;
	n = json_dumpb(o, buf, sizeof(buf), JSON_COMPACT);
	if (n > 0 && n <= sizeof(buf))
		lineout_line(lo, buf, n);
}

/* Every event, live or not, goes through here: output, recording, analysis. */
static void handle_event(const struct nst_event *ev, void *ctx)
{
	char line[4096];
	json_t *o = NULL;

	(void)ctx;
	nevents++;
	if ((ev->flags & NST_EV_SOCK) && ev->sock.foreign)
		note_foreign(ev);
	if (env.events && !env.json)
		lineout_line(env.out, line, print_event_text(line, sizeof(line), ev));
	if ((env.json && env.events) || env.record)
		o = event_to_json(ev);
	if (o && env.json && env.events)
		write_json(env.out, o);
	if (o && env.record)
		write_json(env.rec, o);
	json_decref(o);
	analyzer_feed(env.an, ev);
}

/* Text mode prints a finding the moment its kind first shows up. */
static void on_new_finding(const struct finding *f, void *ctx)
{
	(void)ctx;
	if (env.json)
		return;
	lineout_flush(env.out); /* keep order with the event lines */
	printf("nstrace: ");
	finding_print_text(stdout, f, false);
	fflush(stdout);
}

static void print_foreign_sockets(FILE *f)
{
	size_t i;

	if (!nforeign)
		return;
	fprintf(f, "\nSockets used outside their process's home netns (their packets leave from "
		   "that netns, with its addresses and firewall rules):\n");
	for (i = 0; i < nforeign; i++)
		fprintf(f, "  %s[%d] %s socket in net:[%llu]%s%s, peer %s: %lu events\n",
			foreign[i].comm, foreign[i].pid, foreign[i].proto,
			(unsigned long long)foreign[i].netns, foreign[i].path[0] ? " " : "",
			foreign[i].path, foreign[i].peer, foreign[i].count);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void print_report(void)
{
	const struct engine_stats *st = engine_stats();
	const struct findings *fs = analyzer_findings(env.an);
	size_t i;

	analyzer_finish(env.an, now_us());
	if (env.json) {
		json_t *sum;
		for (i = 0; i < findings_count(fs); i++) {
			json_t *o = finding_to_json(findings_get(fs, i));
			write_json(env.out, o);
			json_decref(o);
		}
		sum = analyzer_summary_json(env.an);
		if (sum) {
			json_object_set_new(sum, "tracer", json_pack("{s:I, s:I, s:I, s:I}",
				"threads", (json_int_t)st->threads_seen, "stops", (json_int_t)st->stops,
				"decoded", (json_int_t)st->decoded, "undetached", (json_int_t)st->undetached));
			write_json(env.out, sum);
			json_decref(sum);
		}
		lineout_flush(env.out);
	} else {
		lineout_flush(env.out);
		analyzer_print_report(env.an, stdout);
		print_foreign_sockets(stdout);
		printf("\nnstrace: traced %lu threads, %lu stops, %lu network events\n",
		       st->threads_seen, st->stops, nevents);
	}
	if (st->undetached)
		fprintf(stderr, "nstrace: %lu threads did not stop for detach; the kernel "
				"detaches them as nstrace exits\n", st->undetached);
}

static int fail_status(void)
{
	bool any;
	enum severity max = findings_max_severity(analyzer_findings(env.an), &any);

	return env.fail_on >= 0 && any && (int)max >= env.fail_on;
}

/* --- signals -------------------------------------------------------------- */

static void on_stop_signal(int sig)
{
	(void)sig;
	engine_request_stop();
	/* waitpid may have been entered just before the flag was set: the
	 * alarm interrupts it again within a second. */
	alarm(1);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal; /* no SA_RESTART: interrupt waitpid */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void open_record(void)
{
	json_t *h;
	json_t *pids = json_array();
	int i;

	env.record = fopen(env.record_path, "we");
	if (!env.record)
		die("cannot open %s: %s", env.record_path, strerror(errno));
	for (i = 0; i < env.npids; i++)
		json_array_append_new(pids, json_integer(env.pids[i]));
	h = json_pack("{s:s, s:s, s:i, s:s, s:s, s:I, s:I, s:s, s:o}", "type", "header", "format",
		      "nstrace-recording", "version", RECORDING_VERSION, "nstrace", NST_VERSION,
		      "arch", NST_ARCH_NAME, "snaplen", (json_int_t)env.snaplen, "started",
		      (json_int_t)time(NULL), "mode", env.command ? "launch" : "attach", "pids", pids);
	if (!h)
		die("out of memory");
	env.rec = lineout_new(fileno(env.record));
	if (!env.rec)
		die("out of memory");
	write_json(env.rec, h);
	json_decref(h);
}

static void attach_or_die(pid_t pid)
{
	int r = engine_attach(pid);

	if (r == -ESRCH)
		die("attach to pid %d: no such process", pid);
	if (r == -EPERM)
		die("attach to pid %d: operation not permitted: tracing needs CAP_SYS_PTRACE "
		    "(run as root) and kernel.yama.ptrace_scope <= 1 (or 0 for a non-child), and "
		    "the process must not already be traced (strace, gdb)", pid);
	if (r < 0)
		die("attach to pid %d: %s", pid, strerror(-r));
}

int main(int argc, char **argv)
{
	int status, i;

	parse_args(argc, argv);
	env.out = lineout_new(STDOUT_FILENO);
	if (!env.out)
		die("out of memory");
	if (env.record_path)
		open_record();
	install_signals();
	env.an = analyzer_new(&(struct analyzer_opts){ .dns_timeout_us = env.dns_timeout_us,
						       .on_new = on_new_finding });
	if (!env.an)
		die("out of memory");
	decode_init(handle_event, NULL, (uint32_t)env.snaplen);
	if (env.command) {
		pid_t pid = engine_launch(env.command);
		if (pid < 0)
			die("cannot start %s: %s", env.command[0], strerror(-pid));
	} else {
		for (i = 0; i < env.npids; i++)
			attach_or_die(env.pids[i]);
	}
	if (env.duration)
		alarm((unsigned)env.duration);
	status = engine_run();
	print_report();
	if (fail_status())
		status = 1;
	fflush(stdout);
	lineout_free(env.out);
	if (env.rec && lineout_flush(env.rec) < 0)
		fprintf(stderr, "nstrace: writing %s: %s\n", env.record_path, strerror(errno));
	lineout_free(env.rec);
	if (env.record && fclose(env.record) != 0)
		fprintf(stderr, "nstrace: writing %s: %s\n", env.record_path, strerror(errno));
	engine_cleanup();
	decode_cleanup();
	netns_cleanup();
	sock_pool_cleanup();
	analyzer_free(env.an);
	return status;
}
