/* main.c - command line, live tracing, and dispatch to replay/check. */
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

#include "tracer/arch.h"
#include "cli/diagnose.h"
#include "diagnose/probe.h"
#include "cli/live.h"
#include "cli/session.h"
#include "model/containers.h"
#include "output/recwriter.h"
#include "names/docker.h"
#include "tracer/backend.h"
#include "cli/replay.h"
#include "firewall/fwsnap.h"
#include "model/version.h"

#define MAX_PIDS 64

enum mode { M_LIVE = 1, M_REPLAY = 2, M_CHECK = 4 };

static struct env {
	enum mode mode;
	pid_t pids[MAX_PIDS];
	int npids;
	bool events, json, no_docker, stacks, no_seccomp, no_firewall;
	unsigned long stack_depth;
	const char *record_path, *expect, *write_expect, *pcap_path, *report_path;
	const char *containers[SELECT_MAX];
	int ncontainers;
	const char *backend; /* "auto" (default: NSTRACE_BACKEND), "bpf", "ptrace" */
	unsigned long snaplen;
	uint64_t duration_us;
	uint64_t dns_timeout_us;
	int fail_on; /* -1 none, else the enum severity that fails */
	char **rest; /* the command, or the input files */
	int nrest;
} env = { .snaplen = 512, .dns_timeout_us = 5000000, .fail_on = -1, .stack_depth = 24,
	  .backend = "auto" };

enum { OPT_EVENTS = 1000, OPT_JSON, OPT_DURATION, OPT_VERSION, OPT_DNS_TIMEOUT, OPT_FAIL_ON,
       OPT_EXPECT, OPT_WRITE_EXPECT, OPT_NO_DOCKER, OPT_STACK_DEPTH, OPT_NO_SECCOMP,
       OPT_NO_FIREWALL, OPT_CONTAINER, OPT_BACKEND, OPT_REPORT };

/* The option table: getopt_long and --help are both generated from it. */
static const struct opt_desc {
	const char *name;
	int key, has_arg, modes;
	const char *arg, *help;
} opts[] = {
	{ NULL, 'p', 1, M_LIVE, "PID", "attach to every thread of PID (repeatable)" },
	{ "events", OPT_EVENTS, 0, M_LIVE | M_REPLAY, NULL, "print every network event, one line each" },
	{ "json", OPT_JSON, 0, M_LIVE | M_REPLAY, NULL,
	  "print findings and a summary (and events with --events) as JSON Lines" },
	{ NULL, 'o', 1, M_LIVE, "FILE", "also record every event as JSON Lines to FILE" },
	{ "report", OPT_REPORT, 1, M_LIVE | M_REPLAY, "FILE",
	  "write the report (text or JSON) to FILE: a launched program's stdout stays its own" },
	{ NULL, 'w', 1, M_LIVE | M_REPLAY, "FILE",
	  "write the DNS messages seen to FILE as pcapng (Wireshark, tshark -r)" },
	{ "container", OPT_CONTAINER, 1, M_LIVE | M_REPLAY, "NAME",
	  "only what involves this container (name or id) or ip netns (repeatable)" },
	{ NULL, 's', 1, M_LIVE, "N", "bytes of payload captured per event (default 512)" },
	{ "backend", OPT_BACKEND, 1, M_LIVE, "NAME",
	  "auto (default: bpf where the kernel can, else ptrace), bpf (no thread ever stopped), "
	  "or ptrace; NSTRACE_BACKEND sets the default" },
	{ "duration", OPT_DURATION, 1, M_LIVE, "SEC",
	  "stop, detach and report after SEC seconds (0.5 is half a second)" },
	{ "dns-timeout", OPT_DNS_TIMEOUT, 1, M_LIVE | M_REPLAY | M_CHECK, "SEC",
	  "a DNS query unanswered this long is a timeout (default 5)" },
	{ "fail-on", OPT_FAIL_ON, 1, M_LIVE | M_REPLAY, "LEVEL",
	  "exit 1 if a finding at or above LEVEL (info|warning|error) exists" },
	{ "expect", OPT_EXPECT, 1, M_CHECK, "FILE", "check: the expected findings" },
	{ "write-expect", OPT_WRITE_EXPECT, 1, M_CHECK, "FILE", "check: write the findings as FILE" },
	{ "stack", 'k', 0, M_LIVE, NULL,
	  "user stacks at setns and foreign-netns sockets, shown with the findings" },
	{ "stack-depth", OPT_STACK_DEPTH, 1, M_LIVE, "N", "at most N frames per stack (default 24)" },
	{ "no-seccomp-bpf", OPT_NO_SECCOMP, 0, M_LIVE, NULL,
	  "launch mode: stop at every syscall (for setuid programs)" },
	{ "no-docker", OPT_NO_DOCKER, 0, M_LIVE, NULL,
	  "do not ask the Docker Engine API for container names" },
	{ "no-firewall", OPT_NO_FIREWALL, 0, M_LIVE, NULL,
	  "do not compare firewall counters (iptables-save -c, nft) from before and after" },
	{ NULL, 'f', 0, M_LIVE, NULL, "accepted for strace users; threads are always followed" },
	{ "help", 'h', 0, M_LIVE | M_REPLAY | M_CHECK, NULL, "this help" },
	{ "version", OPT_VERSION, 0, M_LIVE, NULL, "print the version" },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: nstrace [OPTIONS] -p PID [-p PID ...]\n"
		   "       nstrace [OPTIONS] -- COMMAND [ARG ...]\n"
		   "       nstrace diagnose [--json] [--backend NAME] [--timeout SEC] TARGET [NAME...]\n"
		   "       nstrace replay [--json] [--events] [-w FILE] [--container NAME] FILE...\n"
		   "       nstrace check --expect EXPECT.json FILE...\n"
		   "       nstrace check --write-expect EXPECT.json FILE...\n\n"
		   "Trace network syscalls, tag every socket with its network namespace, and\n"
		   "diagnose DNS sent from the wrong namespace.  replay and check read an nstrace\n"
		   "recording (-o) or strace logs (-f, -ff files, -t/-tt/-ttt, -y/-yy); '-' is stdin.\n\n");
	for (size_t i = 0; i < NOPTS; i++) {
		char lhs[64];
		const char *a = opts[i].arg ? opts[i].arg : "";
		/* nstrace --help: every option; replay --help: replay's */
		if (env.mode != M_LIVE && !(opts[i].modes & env.mode))
			continue;
		if (opts[i].name && opts[i].key < 256)
			snprintf(lhs, sizeof(lhs), "-%c, --%s", opts[i].key, opts[i].name);
		else if (opts[i].name)
			snprintf(lhs, sizeof(lhs), "--%s%s%s", opts[i].name, *a ? " " : "", a);
		else
			snprintf(lhs, sizeof(lhs), "-%c%s%s", opts[i].key, *a ? " " : "", a);
		fprintf(f, "  %-20s %s\n", lhs, opts[i].help);
	}
	fprintf(f, "\nexit status: 0; 1 with --fail-on when such a finding exists, or when check\n"
		   "finds a difference; 2 on bad usage or bad input.\n"
		   "\nexamples:\n"
		   "  nstrace diagnose web example.com               why container web cannot resolve\n"
		   "  nstrace -p $(pidof dockerd)                    diagnose container DNS live\n"
		   "  nstrace --json --duration 30 -p 1234 > out.jsonl\n"
		   "  nstrace --events -o trace.jsonl -- ./client    run a command under trace\n"
		   "  nstrace replay strace.log                      someone else's strace -f log\n"
		   "  nstrace check --expect case.expect.json case.strace\n");
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

/* Seconds with an optional fraction ("0.5"), into microseconds: more
 * than 0, at most max seconds, and at least a microsecond. */
static uint64_t parse_seconds(const char *s, const char *what, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > max || v * 1e6 < 1)
		die_usage("invalid %s '%s' (expected seconds, 0 < SEC <= %.0f)", what, s, max);
	return (uint64_t)(v * 1e6 + 0.5);
}

static int parse_level(const char *s)
{
	if (!strcmp(s, "warning"))
		return SEV_WARNING;
	if (!strcmp(s, "error"))
		return SEV_ERROR;
	if (!strcmp(s, "info"))
		return SEV_INFO;
	die_usage("invalid --fail-on level '%s' (expected info, warning or error)", s);
}

static void parse_args(int argc, char **argv)
{
	struct option lopts[NOPTS + 1];
	char shorts[64];
	size_t nl = 0, ns = 0;
	int c;

	const char *eb = getenv("NSTRACE_BACKEND"); /* a script's or CI job's pinned default */
	enum backend_want w;
	if (eb && *eb && (env.mode & M_LIVE)) {
		if (backend_want_parse(eb, &w) < 0)
			die_usage("invalid NSTRACE_BACKEND '%s' (expected auto, bpf or ptrace)", eb);
		env.backend = eb;
	}
	shorts[ns++] = '+'; /* stop at the command */
	shorts[ns++] = ':'; /* report a missing argument as ':' */
	for (size_t i = 0; i < NOPTS; i++) {
		if (!(opts[i].modes & env.mode))
			continue;
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
			env.pids[env.npids] = (pid_t)parse_num(optarg, "pid", INT_MAX);
			if (env.pids[env.npids++] <= 0)
				die_usage("invalid pid '%s'", optarg);
			break;
		case OPT_EVENTS: env.events = true; break;
		case OPT_JSON: env.json = true; break;
		case 'o': env.record_path = optarg; break;
		case OPT_REPORT: env.report_path = optarg; break;
		case 's': env.snaplen = parse_num(optarg, "-s size", NST_MAX_SNAPLEN); break;
		case OPT_DURATION: env.duration_us = parse_seconds(optarg, "--duration", 86400.0 * 365); break;
		case OPT_DNS_TIMEOUT: env.dns_timeout_us = parse_seconds(optarg, "--dns-timeout", 3600); break;
		case 'w':
			if (!strcmp(optarg, "-"))
				die_usage("-w -: pcapng on stdout is not supported (the report goes there); "
					  "give a file");
			env.pcap_path = optarg;
			break;
		case OPT_BACKEND:
			if (backend_want_parse(optarg, &w) < 0)
				die_usage("invalid --backend '%s' (expected ptrace, bpf or auto)", optarg);
			env.backend = optarg;
			break;
		case OPT_CONTAINER:
			if (env.ncontainers == SELECT_MAX)
				die_usage("too many --container (max %d)", SELECT_MAX);
			env.containers[env.ncontainers++] = optarg;
			break;
		case OPT_FAIL_ON: env.fail_on = parse_level(optarg); break;
		case OPT_EXPECT: env.expect = optarg; break;
		case OPT_WRITE_EXPECT: env.write_expect = optarg; break;
		case OPT_NO_DOCKER: env.no_docker = true; break;
		case OPT_NO_SECCOMP: env.no_seccomp = true; break;
		case OPT_NO_FIREWALL: env.no_firewall = true; break;
		case 'k': env.stacks = true; break;
		case OPT_STACK_DEPTH: env.stack_depth = parse_num(optarg, "--stack-depth", NST_MAX_FRAMES); break;
		case 'f': break;
		case 'h': usage(stdout); exit(0);
		case OPT_VERSION: printf("nstrace %s (%s)\n", NST_VERSION, NST_ARCH_NAME); exit(0);
		case ':': die_usage("option '%s' needs an argument", argv[optind - 1]);
		default: die_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	env.rest = &argv[optind];
	env.nrest = argc - optind;
	if (env.mode == M_LIVE) {
		if (!env.npids && !env.nrest)
			die_usage("nothing to trace: give -p PID or -- COMMAND");
		if (env.npids && env.nrest)
			die_usage("give either -p PID or a COMMAND, not both");
	} else if (!env.nrest) {
		die_usage("give a recording or strace log to read ('-' for stdin)");
	}
	if (env.mode == M_CHECK && !env.expect == !env.write_expect)
		die_usage("check needs exactly one of --expect FILE or --write-expect FILE");
}

/* --- live tracing --------------------------------------------------------- */

static void attach_or_die(struct backend *be, pid_t pid)
{
	int r = backend_attach(be, pid);

	if (r == -ESRCH)
		die("attach to pid %d: no such process", pid);
	if (r == -EPERM)
		die("attach to pid %d: operation not permitted: tracing needs CAP_SYS_PTRACE "
		    "(run as root) and kernel.yama.ptrace_scope <= 1 (or 0 for a non-child), and "
		    "the process must not already be traced (strace, gdb)", pid);
	if (r < 0)
		die("attach to pid %d: %s", pid, strerror(-r));
}

/* --container names what exists now: a container, an ip netns, a sandbox.
 * false (said on stderr) when one does not. */
static bool check_containers(struct session *c)
{
	char known[4096];
	int i = select_unknown(&c->sel);

	if (i < 0)
		return true;
	select_known(&c->sel, known, sizeof(known));
	fprintf(stderr, "nstrace: --container %s: no such container or network namespace; the names "
		"there are: %s\n", c->sel.want[i], known);
	return false;
}

static struct rec_writer *open_rec_writer(const struct containers *names)
{
	struct rec_info info = { .nstrace_version = NST_VERSION, .arch = NST_ARCH_NAME,
				    .snaplen = (uint32_t)env.snaplen,
				    .mode = env.nrest ? "launch" : "attach",
				    .pids = env.pids, .npids = env.npids };
	struct rec_writer *r = rec_writer_open(env.record_path, &info, names);

	if (!r)
		die("cannot open %s: %s", env.record_path, strerror(errno));
	return r;
}

/* The closing lines: what the tracer saw, and what it may have missed. */
static void print_tracer_end(FILE *out, const struct backend_stats *s, unsigned long nevents)
{
	char without[96];

	bpf_features_missing(&s->bpf_feat, without, sizeof(without));
	if (!env.json && s->bpf)
		fprintf(out, "\nnstrace: traced %lu threads with BPF%s%s%s, %lu records, %lu lost, %lu network events\n",
		       s->threads_seen, without[0] ? " (this kernel has no " : "", without,
		       without[0] ? ")" : "", s->records, s->lost, nevents);
	else if (!env.json)
		fprintf(out, "\nnstrace: traced %lu threads, %lu stops, %lu network events\n", s->threads_seen,
		       s->stops, nevents);
	if (s->lost)
		fprintf(stderr, "nstrace: %lu BPF records were lost (the ring buffer was full): the "
			"report may miss calls\n", s->lost);
	if (s->undetached)
		fprintf(stderr, "nstrace: %lu threads did not stop for detach; the kernel "
				"detaches them as nstrace exits\n", s->undetached);
}

static int live_main(void)
{
	struct session c = { .events = env.events, .json = env.json };
	struct fw_watch fw = { .n = 0 };
	struct backend_opts bo = { .sink = session_event, .ctx = &c, .snaplen = (uint32_t)env.snaplen,
				   .stack_depth = env.stacks ? (env.stack_depth ? (int)env.stack_depth : 1) : 0,
				   .seccomp = !env.no_seccomp };
	struct backend_stats st;
	struct backend *be;
	uint64_t end;
	int status, r, cap_rc;

	for (int i = 0; i < env.ncontainers; i++)
		select_add(&c.sel, env.containers[i]);
	if (env.report_path && !(c.rep = fopen(env.report_path, "we"))) {
		fprintf(stderr, "nstrace: --report %s: %s\n", env.report_path, strerror(errno));
		return 2;
	}
	if (session_init(&c, env.dns_timeout_us) < 0 || !(c.fw = calloc(1, sizeof(*c.fw))))
		die("out of memory");
	live_name_containers(&c.names, env.pids, env.npids, env.no_docker); /* nothing attached yet */
	if (!check_containers(&c)) {
		session_free(&c);
		return 2;
	}
	/* before the backend: loading BPF takes seconds, and a Ctrl-C (or a
	 * script's kill -INT) meanwhile must end the trace, not vanish (a
	 * background job starts with SIGINT ignored) */
	live_install_signals();
	be = live_open_backend(env.backend, &bo);
	if (env.pcap_path && (r = session_pcap(&c, env.pcap_path, env.dns_timeout_us)) < 0) {
		fprintf(stderr, "nstrace: -w %s: %s\n", env.pcap_path, strerror(-r));
		backend_free(be);
		session_free(&c);
		return 2;
	}
	/* the counters before: nothing is stopped yet */
	if (env.no_firewall)
		snprintf(fw.why, sizeof(fw.why), "--no-firewall");
	else
		fw_watch_start(&fw, env.pids, env.npids);
	if (env.record_path)
		c.rec = open_rec_writer(&c.names);
	if (env.nrest) {
		pid_t pid = backend_launch(be, env.rest);
		if (pid < 0)
			die("cannot start %s: %s", env.rest[0], strerror(-pid));
	} else {
		for (int i = 0; i < env.npids; i++)
			attach_or_die(be, env.pids[i]);
	}
	if (env.duration_us) {
		struct itimerval it = { .it_value = { .tv_sec = (time_t)(env.duration_us / 1000000),
						      .tv_usec = (suseconds_t)(env.duration_us % 1000000) } };
		setitimer(ITIMER_REAL, &it, NULL);
	}
	status = backend_run(be);
	end = live_now_us();
	live_name_containers(&c.names, env.pids, env.npids, env.no_docker); /* detached: new ones too */
	fw_watch_finish(&fw, c.fw); /* and the counters after */
	if (c.rec && (r = rec_writer_close(c.rec, end, &c.names, c.fw)) < 0)
		fprintf(stderr, "nstrace: writing %s: %s\n", env.record_path, strerror(-r));
	c.rec = NULL;
	backend_stats(be, &st);
	cap_rc = session_report(&c, end, live_tracer_json(&st));
	print_tracer_end(c.rep, &st, c.nevents);
	if (session_fail_status(&c, env.fail_on))
		status = 1;
	if (cap_rc)
		status = cap_rc;
	fflush(stdout);
	backend_free(be);
	session_free(&c);
	return status;
}

int main(int argc, char **argv)
{
	env.mode = M_LIVE;
	if (argc > 1 && !strcmp(argv[1], "diagnose"))
		return diagnose_main(argc - 1, argv + 1);
	/* diagnose's child (diagnose/probe.h); _exit: it runs under nstrace's
	 * trace, where a sanitizer's exit-time leak check cannot run */
	if (argc > 1 && !strcmp(argv[1], "__probe"))
		_exit(probe_main(argc - 2, argv + 2));
	if (argc > 1 && !strcmp(argv[1], "replay"))
		env.mode = M_REPLAY;
	else if (argc > 1 && !strcmp(argv[1], "check"))
		env.mode = M_CHECK;
	if (env.mode != M_LIVE) {
		argv[1] = argv[0];
		argc--, argv++;
	}
	parse_args(argc, argv);
	if (env.mode == M_LIVE)
		return live_main();
	struct replay_opts ro = {
		.files = (const char *const *)env.rest, .nfiles = env.nrest,
		.events = env.events, .json = env.json, .fail_on = env.fail_on,
		.dns_timeout_us = env.dns_timeout_us,
		.expect = env.expect, .write_expect = env.write_expect,
		.pcap = env.pcap_path, .report = env.report_path, .containers = env.containers,
		.ncontainers = env.ncontainers,
	};
	return env.mode == M_REPLAY ? replay_main(&ro) : check_main(&ro);
}
