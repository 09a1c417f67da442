/* expect.h - expectation files for `nstrace check` (fixtures/README.md).
 *
 * {"findings":[{"id":..,"severity":..,"result":..,"upstream":..,"proto":..,
 *   "netns_path":..,"qname":..,"qtype":..,"asking":..,"client":..,
 *   "count":N or {"min":A,"max":B}}, ...],
 *  "allow_extra":false}
 * Fields an expected finding leaves out are not compared.  "asking" is the
 * asking container's name when names knows it, else its netns path. */
#ifndef NST_EXPECT_H
#define NST_EXPECT_H

#include <jansson.h>
#include <stdio.h>

#include "analyzers/findings.h"

/* Compare; writes a readable diff to out.  Returns 0 when everything
 * matches, 1 on a difference, -1 when the expectation itself is malformed
 * (why in err). */
int expect_compare(const json_t *expect, const struct findings *fs,
		   const struct containers *names, FILE *out, char *err, size_t errlen);

/* An expectation that the given findings satisfy exactly.  Caller owns. */
json_t *expect_from_findings(const struct findings *fs, const struct containers *names);

#endif
