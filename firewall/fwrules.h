/* fwrules.h - a netns's firewall rules with their packet counters, from
 * `iptables-save -c` / `ip6tables-save -c` text and `nft -j list ruleset`
 * JSON, and the difference between two readings.
 *
 * Pure: parses the bytes it is given and nothing else.  Linear: a rule
 * costs O(1) to read, number and compare (hashes, not scans), so a node
 * with tens of thousands of rules is read in well under a second.
 * Bounded: at most FW_MAX_RULES rules, FW_MAX_CHAINS chains and
 * FW_MAX_TEXT bytes of rule text per ruleset (the rest, and what memory
 * could not hold, is counted in dropped); a rule's text is cut to FW_RULE_LEN - 1 bytes, an nft element
 * to FW_MAX_ELEM bytes.  Output can be fed in pieces as the tool prints
 * it (struct fw_reader): memory follows the rules, not the tool's output. */
#ifndef NST_FWRULES_H
#define NST_FWRULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/fwfacts.h"

#define FW_MAX_RULES 262144
#define FW_MAX_CHAINS 65536
#define FW_MAX_TEXT (48u << 20)
#define FW_MAX_ELEM (1u << 20)

struct fw_rule {
	uint32_t chain;           /* index in the ruleset's chains */
	uint32_t text;            /* offset of the text a person reads, in text */
	uint32_t target;          /* chain index + 1 it jumps or goes to, else 0 */
	uint32_t nth;             /* earlier rules with the same text in the chain */
	uint32_t key;             /* hash of the chain's names and the text */
	uint8_t verdict;          /* enum fw_verdict */
	bool policy;
	bool counted;             /* has a counter (nft rules may not) */
	uint64_t packets;
};

struct fw_chain {
	enum fw_tool tool;
	char table[32], chain[64];
	uint32_t hash;            /* of tool, table and chain */
	unsigned hook;            /* FW_HOOK_* of a base chain, else 0 */
	unsigned reach;           /* hooks it is reached from */
};

/* An open-addressing index of uint32 values (an index + 1; 0 is free). */
struct fw_index {
	uint32_t *slot;
	size_t cap;               /* a power of two, or 0 */
};

struct fw_ruleset {
	struct fw_rule *r;
	size_t n, cap;
	struct fw_chain *c;
	size_t nc, ccap;
	char *text;               /* the rules' texts, NUL-terminated, back to back */
	size_t tlen, tcap;
	struct fw_index chains;   /* chain index + 1 by chain hash */
	struct fw_index last;     /* rule index + 1 of the last rule of each (chain, text) */
	unsigned long dropped;
};

void fw_ruleset_free(struct fw_ruleset *s);

static inline const char *fw_text(const struct fw_ruleset *s, const struct fw_rule *r)
{
	return s->text + r->text;
}

static inline const struct fw_chain *fw_chain_of(const struct fw_ruleset *s, const struct fw_rule *r)
{
	return &s->c[r->chain];
}

/* Append what one `iptables-save -c` (tool FW_IPTABLES or FW_IP6TABLES)
 * printed.  0, -ENOMEM, or -EINVAL with err naming the line and cause. */
int fw_parse_iptables_save(struct fw_ruleset *s, enum fw_tool tool, const char *text, size_t len,
			   char *err, size_t errlen);

/* Append the rules of `nft -j list ruleset` that have a counter, leaving
 * out the tables iptables-nft manages (filter, nat, mangle, raw, security
 * of families ip and ip6: iptables-save reads those).  0, -ENOMEM, or
 * -EINVAL with err set. */
int fw_parse_nft_json(struct fw_ruleset *s, const char *text, size_t len, char *err,
		      size_t errlen);

/* Is it a table iptables-nft manages (filter, nat, mangle, raw, security
 * of families ip and ip6)?  iptables-save reads those. */
bool fw_iptables_nft_table(const char *family, const char *name);

/* The same, fed in pieces: init, feed each piece as it comes (any split),
 * end.  feed and end return 0, -ENOMEM, or -EINVAL with err set; after an
 * error the rest is ignored.  free releases what the reader holds (not the
 * ruleset). */
enum fw_format { FW_IPTABLES_SAVE, FW_NFT_JSON };
struct fw_reader {
	struct fw_ruleset *s;
	enum fw_format format;
	enum fw_tool tool;
	char table[32];           /* iptables-save: the current *table */
	unsigned line;            /* lines seen so far */
	int rc;                   /* the first error, else 0 */
	char *err;
	size_t errlen;
	char *part;               /* a line or element not yet whole */
	size_t plen, pcap;
	/* nft: where the scanner is in the JSON text */
	int depth;
	bool in_str, esc, in_list, seen_list, elem_cut;
	char key[16];             /* the last string at depth 1 (the list's key) */
	size_t klen;
};
void fw_reader_init(struct fw_reader *rd, struct fw_ruleset *s, enum fw_format format,
		    enum fw_tool tool, char *err, size_t errlen);
int fw_reader_feed(struct fw_reader *rd, const char *buf, size_t len);
int fw_reader_end(struct fw_reader *rd);
void fw_reader_free(struct fw_reader *rd);

/* Where a ruleset stood, to go back there when a tool fails part way
 * through its output (a half reading would make rules look new). */
struct fw_mark {
	size_t n, nc, tlen;
};
struct fw_mark fw_ruleset_mark(const struct fw_ruleset *s);
void fw_ruleset_rollback(struct fw_ruleset *s, struct fw_mark m);

/* Compute every chain's reach (the hooks whose traffic can get there). */
void fw_reach(struct fw_ruleset *s);

/* The blocking rules and policies of after (reach computed) whose counters
 * grew since before, appended to out for netns ino; those with port 53 in
 * them first.  -ENOMEM when the index of before cannot be made (out then
 * has what could be compared without it), else 0. */
int fw_diff(const struct fw_ruleset *before, const struct fw_ruleset *after, uint64_t ino,
	    struct fw_facts *out);

#endif
