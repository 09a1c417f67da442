/* bpf_features.h - what the running kernel's BPF offers the programs of
 * tracer/nstrace.bpf.c (their has_* constants), read from its BTF before
 * the load: one object loads from Linux 5.8 (the ring buffer) on, taking
 * plain loads where the kernel allows them and helper reads elsewhere. */
#ifndef NST_BPF_FEATURES_H
#define NST_BPF_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

enum bpf_feature {
	BPF_FEAT_RDONLY_CAST, /* kfunc bpf_rdonly_cast (6.2): fd reads by loads */
	BPF_FEAT_TASK_BTF,    /* bpf_get_current_task_btf (5.11) */
	BPF_FEAT_TASK_REGS,   /* bpf_task_pt_regs (5.15): clone's flags at fork */
	BPF_FEAT_N
};

struct bpf_features {
	bool has[BPF_FEAT_N];
};

/* The name users know it by (the kfunc's or helper's), or NULL. */
const char *bpf_feature_name(enum bpf_feature f);

/* Read them off the kernel's BTF (/sys/kernel/btf/vmlinux).  0, or
 * -errno (no BTF): then f has none. */
int bpf_features_probe(struct bpf_features *f);

/* Clear the features of a comma-separated list of names (the environment's
 * NSTRACE_BPF_WITHOUT: the bench and tests run the older variants on a new
 * kernel).  0, or -EINVAL with the unknown name in why.  Pure. */
int bpf_features_without(struct bpf_features *f, const char *list, char *why, size_t n);

/* The missing ones, comma-separated ("" when none) into buf.  Pure. */
void bpf_features_missing(const struct bpf_features *f, char *buf, size_t n);

#endif
