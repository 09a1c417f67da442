/* live.c - what every live mode shares (live.h). */
#include "cli/live.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "names/docker.h"

static void on_stop_signal(int sig)
{
	(void)sig;
	backend_request_stop();
	/* waitpid may have been entered just before the flag was set: the
	 * alarm interrupts it again within a second. */
	alarm(1);
}

void live_install_signals(void)
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

/* The backend: bpf when asked for (or with auto, when this kernel can),
 * else ptrace.  --backend bpf on a kernel that cannot is an error naming
 * what is missing; auto says it in one line and uses ptrace. */
struct backend *live_open_backend(const char *name, const struct backend_opts *o)
{
	enum backend_want want = BACKEND_AUTO; /* the callers checked the name */
	char note[256];

	backend_want_parse(name, &want);
	struct backend *be = backend_open(want, o, note, sizeof(note));

	if (!be && want == BACKEND_BPF && note[0]) {
		fprintf(stderr, "nstrace: --backend bpf: %s\n", note);
		exit(2);
	}
	if (!be) {
		fprintf(stderr, "nstrace: out of memory\n");
		exit(1);
	}
	if (want == BACKEND_AUTO && note[0])
		fprintf(stderr, "nstrace: --backend auto: %s; tracing with ptrace\n", note);
	return be;
}

/* The tracer's counters for the summary. */
json_t *live_tracer_json(const struct backend_stats *s)
{
	if (s->bpf) {
		json_t *without = json_array();
		for (int k = 0; k < BPF_FEAT_N; k++)
			if (!s->bpf_feat.has[k])
				json_array_append_new(without, json_string(bpf_feature_name(k)));
		return json_pack("{s:{s:s, s:I, s:I, s:I, s:I, s:o}}", "tracer", "backend", "bpf",
				 "threads", (json_int_t)s->threads_seen, "records", (json_int_t)s->records,
				 "decoded", (json_int_t)s->decoded, "lost", (json_int_t)s->lost,
				 "bpf_without", without);
	}
	return json_pack("{s:{s:s, s:I, s:I, s:I, s:I}}", "tracer", "backend", "ptrace",
		"threads", (json_int_t)s->threads_seen, "stops", (json_int_t)s->stops,
		"decoded", (json_int_t)s->decoded, "undetached", (json_int_t)s->undetached);
}

void live_name_containers(struct containers *names, const pid_t *pids, int npids, bool no_docker)
{
	struct docker_api api;

	if (!no_docker && docker_find_api(pids, npids, &api) == 0)
		docker_load(names, &api);
	if (!no_docker && podman_find_api(&api) == 0) /* both may run */
		docker_load(names, &api);
	netns_names_load(names);
}

uint64_t live_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
