/* target.h - what `nstrace diagnose TARGET` is about: a container (Docker,
 * Podman), a pid, an ip-netns name or a netns path, resolved to its
 * network namespace, a process in it when there is one, and the
 * resolv.conf its libc reads. */
#ifndef NST_TARGET_H
#define NST_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/containers.h"

enum target_kind {
	TGT_CONTAINER, /* a container the runtime's API named */
	TGT_PID,       /* a process */
	TGT_NETNS,     /* an ip netns name (/run/netns/NAME) */
	TGT_PATH,      /* a netns file (a sandbox, a pod's, /proc/PID/ns/net) */
};

struct target {
	enum target_kind kind;
	char arg[128];          /* what the user gave */
	char name[96];          /* what to call it in a sentence: "web", "pid 42 (nginx)" */
	char netns_path[256];   /* a path that opens its netns */
	uint64_t netns_ino;
	pid_t pid;              /* a process in it, 0 when none is known */
	struct container ct;    /* TGT_CONTAINER, or a name the table has for its netns */
	bool named;             /* ct holds a name */
	char resolv_path[300];  /* where its resolv.conf is read from */
	bool resolv_guess;      /* no process in it: the file `ip netns exec` would give */
};

/* Resolve arg against the names known (names: the Docker API's, the ip
 * netns list): a pid when all digits, a path when it has a '/', else a
 * container's name or id prefix, else an ip netns name.  0, or -ENOENT
 * with why set (and the names that exist, for a person to pick from). */
int target_resolve(const char *arg, const struct containers *names, struct target *t, char *why,
		   size_t n);

/* Read the target's resolv.conf (at most 64 KiB) into a malloc'd,
 * NUL-terminated buffer; *len its length.  NULL with errno set when it
 * cannot be read. */
char *target_read_resolv(const struct target *t, size_t *len);

/* /proc/PID/comm into buf ("" when it cannot be read). */
void proc_comm(pid_t pid, char *buf, size_t n);

#endif
