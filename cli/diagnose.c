/* diagnose.c - nstrace diagnose: name the target, read its resolv.conf,
 * find who serves each nameserver, trace those while a probe asks from the
 * target's netns, and say what happened, verdict first (diagnose/). */
#define _GNU_SOURCE
#include "cli/diagnose.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cli/live.h"
#include "cli/session.h"
#include "diagnose/listeners.h"
#include "diagnose/probe.h"
#include "diagnose/resolvconf.h"
#include "diagnose/target.h"
#include "diagnose/verdict.h"
#include "firewall/fwsnap.h"
#include "model/parse.h"
#include "output/report.h"

struct denv {
	bool json, stacks, no_docker, no_firewall;
	const char *backend;
	unsigned timeout_ms; /* 0: the target's own */
	const char *target;
	const char *names[PROBE_NAMES];
	unsigned nnames;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: nstrace diagnose [--json] [--backend NAME] [--timeout SEC] [-k] TARGET [NAME...]\n\n"
		   "Why TARGET cannot resolve: TARGET is a container (name, id or id prefix), a pid, an\n"
		   "ip netns name or a netns path.  Reads its resolv.conf, finds who serves each\n"
		   "nameserver, traces that process while a lookup of each NAME (default: . NS) is made\n"
		   "from a socket in TARGET's netns, and prints the verdict, the cause, the rule and the fix.\n\n"
		   "  --json           the diagnosis as one JSON object\n"
		   "  --backend NAME   auto (default: BPF where the kernel can), bpf or ptrace\n"
		   "  --timeout SEC    each query's timeout (default: TARGET's resolv.conf, else 5)\n"
		   "  -k, --stack      user stacks with the evidence\n"
		   "  --no-docker      do not ask the Docker Engine API for container names\n"
		   "  --no-firewall    do not compare firewall counters\n\n"
		   "exit status: 0 every NAME resolved, 1 one did not, 2 bad input.\n");
}

static int parse(int argc, char **argv, struct denv *e)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' }, { "backend", required_argument, NULL, 'b' },
		{ "timeout", required_argument, NULL, 't' }, { "stack", no_argument, NULL, 'k' },
		{ "no-docker", no_argument, NULL, 'D' }, { "no-firewall", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:kh", lo, NULL)) != -1) {
		char *end;
		double v;
		switch (c) {
		case 'j': e->json = true; break;
		case 'k': e->stacks = true; break;
		case 'D': e->no_docker = true; break;
		case 'F': e->no_firewall = true; break;
		case 'b':
			if (backend_want_parse(optarg, &(enum backend_want){ BACKEND_AUTO }) < 0) {
				fprintf(stderr, "nstrace diagnose: invalid --backend '%s' (expected auto, bpf or ptrace)\n", optarg);
				return -1;
			}
			e->backend = optarg;
			break;
		case 't':
			v = strtod(optarg, &end);
			if (*end || end == optarg || !(v >= 0.001) || v > 60) {
				fprintf(stderr, "nstrace diagnose: invalid --timeout '%s' (expected seconds, 0 < SEC <= 60)\n", optarg);
				return -1;
			}
			e->timeout_ms = (unsigned)(v * 1000 + 0.5);
			break;
		case 'h': usage(stdout); exit(0);
		case ':': fprintf(stderr, "nstrace diagnose: option '%s' needs an argument\n", argv[optind - 1]); return -1;
		default: fprintf(stderr, "nstrace diagnose: unknown option '%s'\n", argv[optind - 1]); return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "nstrace diagnose: give a TARGET: a container, a pid, an ip netns name or a netns path\n");
		return -1;
	}
	e->target = argv[optind++];
	for (; optind < argc; optind++) {
		if (e->nnames == PROBE_NAMES) {
			fprintf(stderr, "nstrace diagnose: too many names (max %d)\n", PROBE_NAMES);
			return -1;
		}
		e->names[e->nnames++] = argv[optind];
	}
	if (!e->nnames)
		e->names[e->nnames++] = ".";
	return 0;
}

/* The target's resolv.conf and the nameservers its libc asks. */
static void read_servers(struct diag *d, struct resolv_conf *rc)
{
	size_t len = 0;
	char *text = target_read_resolv(d->t, &len);

	if (!text) {
		fprintf(stderr, "nstrace diagnose: %s: cannot read %s: %s; its libc asks 127.0.0.1\n", d->t->name,
			d->t->resolv_path, strerror(errno));
		resolv_conf_defaults(rc);
	} else {
		resolv_conf_parse(text, len, rc);
		free(text);
	}
	for (unsigned i = 0; i < rc->nns && d->nservers < PROBE_SERVERS; i++)
		d->servers[d->nservers++] = rc->ns[i].addr;
	if (!d->nservers) { /* glibc and musl: the local server */
		d->default_server = true;
		parse_addr("127.0.0.1:53", &d->servers[d->nservers++]);
	}
}

static void find_servers(struct diag *d)
{
	int fd = open(d->t->netns_path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && (d->naddrs = netns_addrs(fd, d->addrs, 16)) < 0)
		d->naddrs = 0;
	for (unsigned i = 0; i < d->nservers; i++)
		if (fd < 0 || ns_server_find(fd, &d->servers[i], &d->served[i]) < 0)
			d->served[i].kind = NSS_UNKNOWN;
	if (fd >= 0)
		close(fd);
}

static void read_results(int fd, struct diag *d)
{
	char buf[PROBE_NAMES * 1024 + 1];
	size_t got = 0;
	ssize_t r;

	while (got < sizeof(buf) - 1 && (r = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = '\0';
	for (char *p = buf, *nl; d->nres < PROBE_NAMES && (nl = strchr(p, '\n')); p = nl + 1)
		if (probe_result_parse(p, (size_t)(nl - p + 1), &d->res[d->nres]) == 0)
			d->nres++;
}

/* The counters before: the target's netns, the host's, the servers'. */
static void watch_firewall(const struct denv *e, const struct diag *d, struct fw_watch *fw)
{
	const char *paths[FW_WATCH_NS];
	char pbuf[FW_WATCH_NS][32];
	int np = 0;

	if (e->no_firewall) {
		snprintf(fw->why, sizeof(fw->why), "--no-firewall");
		return;
	}
	paths[np++] = d->t->netns_path;
	paths[np++] = "/proc/self/ns/net";
	for (unsigned i = 0; i < d->nservers && np < FW_WATCH_NS; i++)
		if (d->served[i].pid) {
			snprintf(pbuf[np], sizeof(pbuf[np]), "/proc/%d/ns/net", d->served[i].pid);
			paths[np] = pbuf[np];
			np++;
		}
	fw_watch_start_paths(fw, paths, np);
}

/* Each process serving a nameserver, once (never nstrace itself). */
static void attach_servers(struct backend *be, const struct diag *d)
{
	for (unsigned i = 0; i < d->nservers; i++) {
		pid_t pid = d->served[i].pid;
		bool seen = !pid || pid == getpid();
		for (unsigned k = 0; k < i && !seen; k++)
			seen = d->served[k].pid == pid;
		int r = seen ? 0 : backend_attach(be, pid);
		if (r < 0)
			fprintf(stderr, "nstrace diagnose: cannot trace %s[%d], which serves the nameserver: %s\n",
				d->served[i].comm, pid, strerror(-r));
	}
}

/* Trace the servers while the probe asks; the analysis in s. */
static int trace_probe(struct denv *e, struct diag *d, struct session *s, struct fw_watch *fw)
{
	struct backend_opts bo = { .sink = session_event, .ctx = s, .snaplen = 512,
				   .stack_depth = e->stacks ? 24 : 0, .seccomp = false };
	struct probe_opts po = { .netns_path = d->t->netns_path, .nservers = d->nservers,
				 .timeout_ms = e->timeout_ms ? e->timeout_ms : d->rc->timeout_s * 1000,
				 .use_vc = d->rc->use_vc, .no_aaaa = d->rc->no_aaaa };
	char *argv[PROBE_SERVERS + PROBE_NAMES + 12], bufs[8192], self[4096];
	int pfd[2], st;
	struct backend *be;

	memcpy(po.servers, d->servers, sizeof(po.servers));
	memcpy(po.names, e->names, sizeof(po.names));
	po.nnames = e->nnames;
	if (!probe_self_path(self, sizeof(self)))
		return -errno;
	if (pipe(pfd) < 0)
		return -errno;
	fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	po.report_fd = pfd[1];
	if (!probe_argv(&po, argv, sizeof(argv) / sizeof(argv[0]), bufs, sizeof(bufs))) {
		close(pfd[0]);
		close(pfd[1]);
		return -E2BIG;
	}
	argv[0] = self;
	live_install_signals();
	be = live_open_backend(e->backend, &bo);
	watch_firewall(e, d, fw);
	attach_servers(be, d);
	d->probe_pid = backend_launch(be, argv);
	close(pfd[1]);
	if (d->probe_pid < 0) {
		backend_free(be);
		close(pfd[0]);
		return d->probe_pid;
	}
	/* a bound in any case: every server's A and AAAA timing out, and more */
	unsigned cap_ms = d->nservers * e->nnames * 2 * (po.timeout_ms + 200) + 5000;
	struct itimerval it = { .it_value = { .tv_sec = cap_ms / 1000, .tv_usec = (cap_ms % 1000) * 1000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	st = backend_run(be);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	backend_free(be); /* pending events reach the session */
	/* what the probe wrote, without waiting: a probe still running after
	 * the bound (or a stop) has no result, and says so in the report */
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	read_results(pfd[0], d);
	close(pfd[0]);
	fw_watch_finish(fw, s->fw);
	analyzer_finish(s->an, live_now_us());
	analyzer_firewall(s->an, s->fw);
	return st == 2 ? -EINVAL : 0;
}

int diagnose_main(int argc, char **argv)
{
	struct denv e = { .backend = "auto" };
	struct session s = { .quiet = true };
	struct target t;
	struct resolv_conf rc;
	struct diag d;
	struct fw_watch fw = { .n = 0 };
	char why[4096];
	int r, status;

	if (parse(argc, argv, &e) < 0) {
		fprintf(stderr, "Try 'nstrace diagnose --help'.\n");
		return 2;
	}
	if (session_init(&s, 5000000) < 0 || !(s.fw = calloc(1, sizeof(*s.fw)))) {
		fprintf(stderr, "nstrace: out of memory\n");
		return 2;
	}
	live_name_containers(&s.names, NULL, 0, e.no_docker);
	if (target_resolve(e.target, &s.names, &t, why, sizeof(why)) < 0) {
		fprintf(stderr, "nstrace diagnose: %s\n", why);
		session_free(&s);
		return 2;
	}
	memset(&d, 0, sizeof(d));
	d.t = &t;
	d.rc = &rc;
	d.an = s.an;
	d.names_tab = &s.names;
	d.stacks = e.stacks;
	struct stat hst;
	if (stat("/proc/self/ns/net", &hst) == 0)
		d.host_ino = hst.st_ino;
	memcpy(d.names, e.names, sizeof(d.names));
	d.nnames = e.nnames;
	read_servers(&d, &rc);
	find_servers(&d);
	if ((r = trace_probe(&e, &d, &s, &fw)) < 0) {
		fprintf(stderr, "nstrace diagnose: %s: the probe could not run: %s\n", t.name, strerror(-r));
		session_free(&s);
		return 2;
	}
	if (e.json) {
		json_t *o = verdict_json(&d);
		char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;
		if (txt)
			printf("%s\n", txt);
		free(txt);
		json_decref(o);
	} else {
		verdict_print_text(stdout, &d);
	}
	status = verdict_ok(&d) ? 0 : 1;
	fflush(stdout);
	session_free(&s);
	return status;
}
