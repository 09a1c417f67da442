/* backend.c - see backend.h: one interface, an ops table per backend. */
#include "tracer/backend.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracer/bpf.h"
#include "tracer/engine.h"

/* One per process: a signal handler sets it, the running backend reads it. */
static volatile sig_atomic_t stop_requested;

void backend_request_stop(void)
{
	stop_requested = 1;
}

struct backend_ops {
	int (*attach)(void *impl, pid_t pid);
	pid_t (*launch)(struct backend *b, char *const argv[]);
	int (*run)(void *impl);
	void (*stats)(const void *impl, struct backend_stats *st);
	void (*free)(void *impl);
};

struct backend {
	const struct backend_ops *ops;
	void *impl;
	bool seccomp;
};

/* --- ptrace ---------------------------------------------------------------- */

static int pt_attach(void *impl, pid_t pid) { return engine_attach(impl, pid); }
static pid_t pt_launch(struct backend *b, char *const argv[]) { return engine_launch(b->impl, argv, b->seccomp); }
static int pt_run(void *impl) { return engine_run(impl); }
static void pt_free(void *impl) { engine_free(impl); }

static void pt_stats(const void *impl, struct backend_stats *st)
{
	const struct engine_stats *e = engine_stats(impl);

	*st = (struct backend_stats){ .threads_seen = e->threads_seen, .decoded = e->decoded,
				      .stops = e->stops, .undetached = e->undetached };
}

static const struct backend_ops ptrace_ops = { pt_attach, pt_launch, pt_run, pt_stats, pt_free };

/* --- bpf -------------------------------------------------------------------- */

static int bp_attach(void *impl, pid_t pid) { return bpf_backend_attach(impl, pid); }
static pid_t bp_launch(struct backend *b, char *const argv[]) { return bpf_backend_launch(b->impl, argv); }
static int bp_run(void *impl) { return bpf_backend_run(impl); }
static void bp_free(void *impl) { bpf_backend_free(impl); }

static void bp_stats(const void *impl, struct backend_stats *st)
{
	const struct bpf_stats *s = bpf_backend_stats((struct bpf_backend *)impl);

	*st = (struct backend_stats){ .bpf = true, .threads_seen = s->threads_seen,
				      .decoded = s->decoded, .records = s->records, .lost = s->lost,
				      .bpf_feat = s->feat };
}

static const struct backend_ops bpf_ops = { bp_attach, bp_launch, bp_run, bp_stats, bp_free };

/* --- the interface -------------------------------------------------------------- */

int backend_want_parse(const char *name, enum backend_want *w)
{
	static const char *const names[] = { [BACKEND_PTRACE] = "ptrace", [BACKEND_BPF] = "bpf",
					     [BACKEND_AUTO] = "auto" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i])) {
			*w = (enum backend_want)i;
			return 0;
		}
	return -1;
}

struct backend *backend_open(enum backend_want want, const struct backend_opts *o, char *note,
			     size_t n)
{
	struct backend *b = calloc(1, sizeof(*b));

	note[0] = '\0';
	if (!b)
		return NULL;
	b->seccomp = o->seccomp;
	if (want != BACKEND_PTRACE) {
		struct bpf_opts bo = { .sink = o->sink, .ctx = o->ctx, .snaplen = o->snaplen,
				       .stack_depth = o->stack_depth, .stop = &stop_requested };
		if (bpf_probe(note, n) == 0 && (b->impl = bpf_backend_new(&bo, note, n))) {
			b->ops = &bpf_ops;
			return b;
		}
		if (want == BACKEND_BPF) {
			free(b);
			return NULL;
		}
	}
	struct engine_opts eo = { .sink = o->sink, .ctx = o->ctx, .snaplen = o->snaplen,
				  .stack_depth = o->stack_depth, .stop = &stop_requested };
	if (!(b->impl = engine_new(&eo))) {
		note[0] = '\0';
		free(b);
		return NULL;
	}
	b->ops = &ptrace_ops;
	return b;
}

int backend_attach(struct backend *b, pid_t pid)
{
	return b->ops->attach(b->impl, pid);
}

pid_t backend_launch(struct backend *b, char *const argv[])
{
	return b->ops->launch(b, argv);
}

int backend_run(struct backend *b)
{
	return b->ops->run(b->impl);
}

void backend_stats(const struct backend *b, struct backend_stats *st)
{
	b->ops->stats(b->impl, st);
}

void backend_free(struct backend *b)
{
	if (!b)
		return;
	b->ops->free(b->impl);
	free(b);
}
