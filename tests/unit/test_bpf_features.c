/* test_bpf_features.c - the BPF variants' pure parts: NSTRACE_BPF_WITHOUT's
 * list, the dependency of the task's registers on the BTF task, and the
 * missing ones as the summary names them. */
#include <errno.h>
#include <string.h>

#include "tracer/bpf_features.h"
#include "tests/unit/unit.h"

static struct bpf_features all(void)
{
	struct bpf_features f;

	for (int k = 0; k < BPF_FEAT_N; k++)
		f.has[k] = true;
	return f;
}

static void without_list(void)
{
	struct bpf_features f = all();
	char why[160] = "", buf[96];

	CHECK(bpf_features_without(&f, "", why, sizeof(why)) == 0);
	bpf_features_missing(&f, buf, sizeof(buf));
	CHECK_STR(buf, "");
	CHECK(bpf_features_without(&f, " bpf_rdonly_cast,, ", why, sizeof(why)) == 0);
	bpf_features_missing(&f, buf, sizeof(buf));
	CHECK_STR(buf, "bpf_rdonly_cast");
	f = all();
	CHECK(bpf_features_without(&f, "bpf_task_pt_regs,bpf_rdonly_cast", why, sizeof(why)) == 0);
	bpf_features_missing(&f, buf, sizeof(buf));
	CHECK_STR(buf, "bpf_rdonly_cast, bpf_task_pt_regs"); /* in the table's order */
	CHECK(f.has[BPF_FEAT_TASK_BTF]);
}

static void regs_need_btf_task(void)
{
	struct bpf_features f = all();
	char why[160], buf[96];

	CHECK(bpf_features_without(&f, "bpf_get_current_task_btf", why, sizeof(why)) == 0);
	CHECK(!f.has[BPF_FEAT_TASK_BTF] && !f.has[BPF_FEAT_TASK_REGS] && f.has[BPF_FEAT_RDONLY_CAST]);
	bpf_features_missing(&f, buf, sizeof(buf));
	CHECK_STR(buf, "bpf_get_current_task_btf, bpf_task_pt_regs");
}

static void unknown_refused(void)
{
	struct bpf_features f = all();
	char why[160] = "";

	CHECK(bpf_features_without(&f, "bpf_rdonly_cast,bpf_rdonly_casts", why, sizeof(why)) == -EINVAL);
	CHECK(strstr(why, "'bpf_rdonly_casts'") && strstr(why, "bpf_task_pt_regs"));
	CHECK(bpf_feature_name(BPF_FEAT_N) == NULL && !strcmp(bpf_feature_name(BPF_FEAT_TASK_BTF),
							       "bpf_get_current_task_btf"));
}

static void missing_truncates(void)
{
	struct bpf_features f = { { false, false, false } };
	char buf[8];

	bpf_features_missing(&f, buf, sizeof(buf)); /* never past buf */
	CHECK(strlen(buf) == sizeof(buf) - 1);
}

int main(void)
{
	RUN(without_list, "NSTRACE_BPF_WITHOUT's comma list clears those features (spaces and empty items ignored); the missing ones listed in the table's order");
	RUN(regs_need_btf_task, "without bpf_get_current_task_btf, bpf_task_pt_regs goes too (it takes that task)");
	RUN(unknown_refused, "an unknown name is refused, named, with the known ones listed");
	RUN(missing_truncates, "the missing list is cut at the buffer's end");
	return UNIT_DONE();
}
