/* fwrules.h - a netns's firewall rules with their packet counters, from
 * `iptables-save -c` / `ip6tables-save -c` text and `nft -j list ruleset`
 * JSON, and the difference between two readings.
 *
 * Pure: parses the bytes it is given and nothing else.  Bounded: at most
 * FW_MAX_RULES rules and FW_MAX_CHAINS chains per ruleset (the rest is
 * counted in dropped); lines and names are cut to their fields' sizes. */
#ifndef NST_FWRULES_H
#define NST_FWRULES_H

#include <stddef.h>
#include <stdint.h>

#include "model/fwfacts.h"

#define FW_MAX_RULES 50000
#define FW_MAX_CHAINS 8192

struct fw_rule {
	char tool[12], table[32], chain[64];
	char rule[FW_RULE_LEN];   /* the text a person reads */
	char target[64];          /* the chain it jumps or goes to, else "" */
	enum fw_verdict verdict;
	bool policy;
	bool counted;             /* has a counter (nft rules may not) */
	unsigned nth;             /* earlier rules with the same text in the chain */
	uint64_t packets;
};

struct fw_chain {
	char tool[12], table[32], chain[64];
	unsigned hook;            /* FW_HOOK_* of a base chain, else 0 */
	unsigned reach;           /* hooks it is reached from */
};

struct fw_ruleset {
	struct fw_rule *r;
	size_t n, cap;
	struct fw_chain *c;
	size_t nc, ccap;
	uint32_t *hidx;           /* chain index + 1 by hash of its name, 0 free */
	size_t hcap;
	unsigned long dropped;
};

void fw_ruleset_free(struct fw_ruleset *s);

/* Append what one `iptables-save -c` (tool "iptables" or "ip6tables")
 * printed.  0, -ENOMEM, or -EINVAL with err naming the line and cause. */
int fw_parse_iptables_save(struct fw_ruleset *s, const char *tool, const char *text, size_t len,
			   char *err, size_t errlen);

/* Append the rules of `nft -j list ruleset` that have a counter, leaving
 * out the tables iptables-nft manages (filter, nat, mangle, raw, security
 * of families ip and ip6: iptables-save reads those).  0, -ENOMEM, or
 * -EINVAL with err set. */
int fw_parse_nft_json(struct fw_ruleset *s, const char *text, size_t len, char *err,
		      size_t errlen);

/* Compute every chain's reach (the hooks whose traffic can get there). */
void fw_reach(struct fw_ruleset *s);

/* The blocking rules and policies of after (reach computed) whose counters
 * grew since before, appended to out for netns ino; those with port 53 in
 * them first. */
void fw_diff(const struct fw_ruleset *before, const struct fw_ruleset *after, uint64_t ino,
	     struct fw_facts *out);

#endif
