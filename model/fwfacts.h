/* fwfacts.h - what the firewall of the traced processes' netns did while
 * they were traced: the blocking rules (DROP, REJECT) whose packet counters
 * grew between attach and detach.  Taken live by firewall/, kept in a
 * recording's trailer, matched to the findings by analyzers/fwexplain.c.
 * Pure: no I/O. */
#ifndef NST_FWFACTS_H
#define NST_FWFACTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FW_MAX_GROWN 64
#define FW_RULE_LEN 320

enum fw_verdict { FW_OTHER, FW_ACCEPT, FW_DROP, FW_REJECT };

/* The tool a reading came from, and so how its rules are written. */
enum fw_tool { FW_TOOL_UNKNOWN, FW_IPTABLES, FW_IP6TABLES, FW_NFT };

/* The netfilter hooks a chain is reached from (base chains and the chains
 * they jump or go to). */
enum {
	FW_HOOK_PREROUTING = 1,
	FW_HOOK_INPUT = 2,
	FW_HOOK_FORWARD = 4,
	FW_HOOK_OUTPUT = 8,
	FW_HOOK_POSTROUTING = 16,
};

struct fw_grown {
	uint64_t netns;           /* inode of the netns read, 0 unknown */
	enum fw_tool tool;
	char table[32], chain[64];
	char rule[FW_RULE_LEN];   /* as iptables-save / nft print it */
	enum fw_verdict verdict;
	bool policy;              /* the chain's policy, not one of its rules */
	bool added;               /* not there at attach: counted from 0 */
	unsigned hooks;           /* FW_HOOK_* */
	uint64_t packets;         /* growth while traced */
};

struct fw_facts {
	bool checked;             /* counters were read before and after */
	char why[160];            /* when not: why ("--no-firewall", ...) */
	size_t n;
	struct fw_grown g[FW_MAX_GROWN];
	unsigned long dropped;    /* grown blocking rules past FW_MAX_GROWN */
};

const char *fw_verdict_name(enum fw_verdict v);
/* "iptables", "ip6tables", "nft"; "?" for FW_TOOL_UNKNOWN. */
const char *fw_tool_name(enum fw_tool t);
/* The tool of that name (a recording's trailer); FW_TOOL_UNKNOWN else. */
enum fw_tool fw_tool_from_name(const char *name);
/* "output", "forward", ... for the lowest hook in mask; "" for none. */
const char *fw_hook_name(unsigned mask);

/* The rule as a person finds it again: "iptables -t filter -A OUTPUT -d
 * 198.51.100.53/32 ... -j REJECT", "iptables -t filter -P FORWARD DROP",
 * "nft: inet mine chain out: udp dport 53 counter reject". */
void fw_rule_text(const struct fw_grown *g, char *buf, size_t n);

/* {"checked":true,"grown":[...]} or {"checked":false,"why":"..."}.
 * NULL on ENOMEM. */
json_t *fw_facts_to_json(const struct fw_facts *f);
/* Back from that JSON (a recording's trailer); fields it lacks stay empty.
 * -EINVAL when o is not such an object. */
int fw_facts_from_json(struct fw_facts *f, const json_t *o);

#endif
