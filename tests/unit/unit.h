/* unit.h - a minimal test harness: each TEST prints PASS/FAIL with its name,
 * and main's UNIT_DONE() returns nonzero when anything failed. */
#ifndef NST_UNIT_H
#define NST_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed_checks, unit_passed, unit_failed;

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                                \
			unit_failed_checks++;                                    \
		}                                                                \
	} while (0)

#define CHECK_STR(a, b)                                                                 \
	do {                                                                            \
		const char *a_ = (a), *b_ = (b);                                        \
		if (strcmp(a_, b_)) {                                                   \
			fprintf(stderr, "  %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__, \
				a_, b_);                                                \
			unit_failed_checks++;                                           \
		}                                                                       \
	} while (0)

/* RUN(fn, "what it proves") */
#define RUN(fn, what)                                              \
	do {                                                       \
		int before_ = unit_failed_checks;                  \
		fn();                                              \
		if (unit_failed_checks == before_) {               \
			unit_passed++;                             \
			printf("PASS: %s: %s\n", #fn, what);       \
		} else {                                           \
			unit_failed++;                             \
			printf("FAIL: %s: %s\n", #fn, what);       \
		}                                                  \
	} while (0)

#define UNIT_DONE() (unit_failed ? 1 : 0)

#endif
