/* stack.c - see stack.h. */
#include "stack.h"

#include <libunwind-ptrace.h>
#include <string.h>

static unw_addr_space_t as;

int stack_capture(pid_t tid, struct sym_proc **sp, struct nst_stack *st, int max_depth)
{
	unw_cursor_t cur;
	void *upt;
	int n = 0;

	st->nframes = 0;
	if (max_depth > NST_MAX_FRAMES)
		max_depth = NST_MAX_FRAMES;
	if (!as) {
		as = unw_create_addr_space(&_UPT_accessors, 0);
		if (!as)
			return 0;
		/* unwind tables are cached across captures, per address space */
		unw_set_caching_policy(as, UNW_CACHE_GLOBAL);
	}
	upt = _UPT_create(tid);
	if (!upt)
		return 0;
	if (unw_init_remote(&cur, as, upt) == 0) {
		do {
			unw_word_t ip;
			if (unw_get_reg(&cur, UNW_REG_IP, &ip) < 0 || !ip)
				break;
			symbolize(sp, tid, (uint64_t)ip, &st->frames[n]);
			n++;
		} while (n < max_depth && unw_step(&cur) > 0);
	}
	_UPT_destroy(upt);
	st->nframes = (uint32_t)n;
	return n;
}

void stack_cleanup(void)
{
	if (as)
		unw_destroy_addr_space(as);
	as = NULL;
}
