#!/bin/sh
# Naming the firewall rule: nstrace runs inside the lab's "container"
# namespace (its own netns there), whose OUTPUT chain gets a REJECT or DROP
# for port 53; a lookup with dig against the real dnsmasq next door then
# fails, and the finding must name the rule whose counter grew, from
# iptables-save -c or nft -j, live and on replay.
. tests/lib.sh

dns_lab_up || { fail "firewall: could not set up namespaces and dnsmasq"; exit 0; }
IN="ip netns exec $CTR"
DIG="dig +tries=1 +time=1 @198.51.100.53 ok.nstrace.test"
F() { echo "[.[] | select(.type==\"finding\" and .id==\"$1\")]"; }
SUM='[.[] | select(.type=="summary")][0]'

# 1. an iptables REJECT in OUTPUT: the send fails with EPERM
$IN iptables -A OUTPUT -d 198.51.100.53/32 -p udp -m udp --dport 53 -j REJECT
timeout 30 $IN "$NST" --json -o "$T/rej.rec" -- $DIG >"$T/rej.jsonl" 2>"$T/rej.err"
check "firewall reject: dns-upstream-blocked names the REJECT rule, matched" \
	jq_true "$T/rej.jsonl" "$(F dns-upstream-blocked) | length == 1 and (.[0].firewall | length == 1) and .[0].firewall[0].certainty == \"matched\" and .[0].firewall[0].tool == \"iptables\" and .[0].firewall[0].chain == \"OUTPUT\" and (.[0].firewall[0].rule | test(\"-A OUTPUT -d 198.51.100.53/32 .*--dport 53 -j REJECT\")) and .[0].firewall[0].packets >= 1"
check "firewall reject: the summary lists the rule among those that counted" \
	jq_true "$T/rej.jsonl" "$SUM.firewall | .checked and (.grown | any(.verdict == \"reject\" and (.hooks | index(\"output\"))))"
"$NST" replay --json "$T/rej.rec" >"$T/rej.replay" 2>&1
check "firewall reject: a replay of the recording names the same rule" \
	jq_true "$T/rej.replay" "$(F dns-upstream-blocked)[0].firewall[0] | .certainty == \"matched\" and (.rule | test(\"-j REJECT\"))"
timeout 30 $IN "$NST" -- $DIG >"$T/rej.txt" 2>&1
check "firewall reject: the text report shows the rule under the finding" \
	grep -q "rule: matched: iptables -t filter -A OUTPUT -d 198.51.100.53/32" "$T/rej.txt"
timeout 30 $IN "$NST" --json --no-firewall -- $DIG >"$T/nofw.jsonl" 2>&1
check "firewall: --no-firewall reads no counters and says so" \
	jq_true "$T/nofw.jsonl" "($SUM.firewall | .checked == false and .why == \"--no-firewall\") and ($(F dns-upstream-blocked) | length == 1 and (.[0] | has(\"firewall\") | not))"
$IN iptables -D OUTPUT -d 198.51.100.53/32 -p udp -m udp --dport 53 -j REJECT

# 2. a DROP for TCP: the connect never completes, dig gives up
$IN iptables -A OUTPUT -p tcp -m tcp --dport 53 -j DROP
timeout 30 $IN "$NST" --json -- dig +tcp +tries=1 +time=2 @198.51.100.53 ok.nstrace.test >"$T/drop.jsonl" 2>&1
check "firewall drop: a TCP dial that never connected is dns-upstream-timeout over tcp" \
	jq_true "$T/drop.jsonl" "$(F dns-upstream-timeout) | length == 1 and .[0].proto == \"tcp\""
check "firewall drop: ... naming the DROP rule (likely: SYN retransmits count too)" \
	jq_true "$T/drop.jsonl" "$(F dns-upstream-timeout)[0].firewall[0] | (.rule | test(\"--dport 53 -j DROP\")) and .packets >= 1 and (.certainty == \"likely\" or .certainty == \"matched\")"
$IN iptables -D OUTPUT -p tcp -m tcp --dport 53 -j DROP

# 3. an nftables rule with a counter
$IN nft add table inet nstest
$IN nft add chain inet nstest out '{ type filter hook output priority 0; policy accept; }'
$IN nft add rule inet nstest out udp dport 53 ip daddr 198.51.100.53 counter drop
timeout 30 $IN "$NST" --json -- $DIG >"$T/nft.jsonl" 2>&1
check "firewall nft: the nft rule is named, with its table and chain" \
	jq_true "$T/nft.jsonl" "$(F dns-upstream-blocked)[0].firewall[0] | .tool == \"nft\" and .table == \"inet nstest\" and .chain == \"out\" and (.rule | test(\"udp dport 53 ip daddr 198.51.100.53 counter drop\")) and .certainty == \"matched\""
$IN nft delete table inet nstest

# 4. a rule in another namespace (the server's INPUT) is not one nstrace read
ip netns exec "$UP" iptables -A INPUT -p udp --dport 53 -j REJECT
timeout 30 $IN "$NST" --json -- $DIG >"$T/far.jsonl" 2>&1
check "firewall elsewhere: refused, and no rule of another netns is claimed" \
	jq_true "$T/far.jsonl" "$(F dns-upstream-refused) | length == 1 and (.[0] | has(\"firewall\") | not)"
ip netns exec "$UP" iptables -D INPUT -p udp --dport 53 -j REJECT

# 5. a healthy lookup: no finding, and no rule blamed
timeout 30 $IN "$NST" --json -- $DIG >"$T/ok.jsonl" 2>&1
check "firewall healthy: answered, no finding, nothing grew" \
	jq_true "$T/ok.jsonl" "([.[] | select(.type==\"finding\")] | length == 0) and ($SUM.firewall | .checked and (.grown | length == 0))"
