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
/* Does a REJECT rule answer with an ICMP error that a UDP socket ignores
 * unless it asked for errors (IP_RECVERR): host-, net- or admin-
 * unreachable/prohibited ("--reject-with icmp-host-unreachable", nft's
 * "reject with icmp type host-unreachable")?  Port-unreachable (the
 * default) and tcp-reset are heard by every connected socket. */
bool fw_rule_soft_reject(const char *rule);

#endif
