/* live.h - what the live modes (tracing, diagnose) share: the stop
 * signals, the backend asked for by name, the tracer's counters. */
#ifndef NST_LIVE_H
#define NST_LIVE_H

#include <jansson.h>

#include "tracer/backend.h"

/* SIGINT, SIGTERM, SIGHUP and SIGALRM ask the backend to stop (no
 * SA_RESTART: they interrupt its waits); SIGPIPE is ignored.  Install
 * before the backend loads: a signal meanwhile must not be lost. */
void live_install_signals(void);

/* The backend name asks for ("ptrace", "bpf", "auto"): bpf that cannot run
 * is exit 2 naming what is missing; auto says so in a line and uses
 * ptrace.  Exits 1 on ENOMEM. */
struct backend *live_open_backend(const char *name, const struct backend_opts *o);

/* {"tracer": {...}}: the backend's counters for the summary (caller owns). */
json_t *live_tracer_json(const struct backend_stats *s);

#endif
