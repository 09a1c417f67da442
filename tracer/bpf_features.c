/* bpf_features.c - see bpf_features.h. */
#include "tracer/bpf_features.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef NST_BPF
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#endif

static const char *const names[BPF_FEAT_N] = {
	[BPF_FEAT_RDONLY_CAST] = "bpf_rdonly_cast",
	[BPF_FEAT_TASK_BTF] = "bpf_get_current_task_btf",
	[BPF_FEAT_TASK_REGS] = "bpf_task_pt_regs",
};

const char *bpf_feature_name(enum bpf_feature f)
{
	return (unsigned)f < BPF_FEAT_N ? names[f] : NULL;
}

/* bpf_task_pt_regs takes the BTF task bpf_get_current_task_btf gives. */
static void consistent(struct bpf_features *f)
{
	if (!f->has[BPF_FEAT_TASK_BTF])
		f->has[BPF_FEAT_TASK_REGS] = false;
}

#ifdef NST_BPF
/* A helper is there when the kernel's enum bpf_func_id names it. */
static bool has_helper(const struct btf *btf, const char *enumerator)
{
	int id = btf__find_by_name_kind(btf, "bpf_func_id", BTF_KIND_ENUM);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, (__u32)id) : NULL;

	for (int i = 0; t && i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, btf_enum(t)[i].name_off), enumerator))
			return true;
	return false;
}

int bpf_features_probe(struct bpf_features *f)
{
	struct btf *btf;

	memset(f, 0, sizeof(*f));
	if (!(btf = btf__load_vmlinux_btf()))
		return -(errno ? errno : ENOENT);
	f->has[BPF_FEAT_RDONLY_CAST] = btf__find_by_name_kind(btf, "bpf_rdonly_cast", BTF_KIND_FUNC) > 0;
	f->has[BPF_FEAT_TASK_BTF] = has_helper(btf, "BPF_FUNC_get_current_task_btf");
	f->has[BPF_FEAT_TASK_REGS] = has_helper(btf, "BPF_FUNC_task_pt_regs");
	btf__free(btf);
	consistent(f);
	return 0;
}
#else
int bpf_features_probe(struct bpf_features *f)
{
	memset(f, 0, sizeof(*f));
	return -ENOSYS;
}
#endif

int bpf_features_without(struct bpf_features *f, const char *list, char *why, size_t n)
{
	const char *p = list;

	while (p && *p) {
		size_t len = strcspn(p, ", ");
		int k;

		for (k = 0; k < BPF_FEAT_N; k++)
			if (len == strlen(names[k]) && !strncmp(p, names[k], len))
				break;
		if (len && k == BPF_FEAT_N) {
			snprintf(why, n, "unknown BPF feature '%.*s' (known: %s, %s, %s)", (int)(len > 64 ? 64 : len),
				 p, names[0], names[1], names[2]);
			return -EINVAL;
		}
		if (len)
			f->has[k] = false;
		p += len;
		p += strspn(p, ", ");
	}
	consistent(f);
	return 0;
}

void bpf_features_missing(const struct bpf_features *f, char *buf, size_t n)
{
	size_t at = 0;

	if (n)
		buf[0] = '\0';
	for (int k = 0; k < BPF_FEAT_N && at < n; k++) {
		if (f->has[k])
			continue;
		int w = snprintf(buf + at, n - at, "%s%s", at ? ", " : "", names[k]);
		if (w > 0)
			at += (size_t)w;
	}
}
