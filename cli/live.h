/* live.h - what the live modes (tracing, diagnose) share: the stop
 * signals, the backend asked for by name, the tracer's counters. */
#ifndef NST_LIVE_H
#define NST_LIVE_H

#include <jansson.h>

#include "model/containers.h"
#include "tracer/backend.h"

/* SIGINT, SIGTERM, SIGHUP and SIGALRM ask the backend to stop (no
 * SA_RESTART: they interrupt its waits); SIGPIPE is ignored.  Install
 * before the backend loads: a signal meanwhile must not be lost. */
void live_install_signals(void);

/* The backend name asks for ("ptrace", "bpf", "auto"): bpf that cannot run
 * is exit 2 naming what is missing; auto says so in a line and uses
 * ptrace.  Exits 1 on ENOMEM. */
struct backend *live_open_backend(const char *name, const struct backend_opts *o);

/* Container names, asked only while nothing is attached (dockerd answers
 * its API from the threads a trace stops): Docker's API (the -H of a
 * traced dockerd among pids first), Podman's, and the netns directories.
 * no_docker: the directories only. */
void live_name_containers(struct containers *names, const pid_t *pids, int npids, bool no_docker);

/* Wall-clock µs: the end of a trace, for the analysis. */
uint64_t live_now_us(void);

/* {"tracer": {...}}: the backend's counters for the summary (caller owns). */
json_t *live_tracer_json(const struct backend_stats *s);

#endif
