/* fwmatch.h - what a firewall rule's text matches, as iptables-save and
 * nft print it: pure matchers over the text, no I/O.  The firewall reader
 * keeps the rules that name port 53 first (firewall/fwrules.c), the
 * explanation prefers them (analyzers/fwexplain.c).  A match the text does
 * not show plainly (a set by name, an ipset) is no match: a rule is then
 * only "likely". */
#ifndef NST_FWMATCH_H
#define NST_FWMATCH_H

#include <stdbool.h>

/* Does the rule's text match destination port 53 ("--dport 53", "dport
 * domain", "--dports 80,53", "dport { 53, 853 }", a range over 53)? */
bool fw_rule_port53(const char *rule);
/* Does it match destination ip (text, v4 or v6): "-d 198.51.100.53/32",
 * "ip daddr 198.51.100.0/24"?  A negated match ("! -d", "daddr !=") is
 * not one. */
bool fw_rule_daddr(const char *rule, const char *ip);

#endif
