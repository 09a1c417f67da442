# diagnose.sh - nstrace diagnose against the lab's dockerd (sourced by
# run.sh after the version's scenarios): one command per container, each
# asserting the verdict, the cause, the container named, the rule and the
# fix.  Two containers of its own on Docker's default bridge (no embedded
# resolver: the container's libc asks the upstream itself).  dg and dgok
# are tests/e2e/diagnose_lib.sh's.
BR=nstrace-e2e-bridge
BRLO=nstrace-e2e-bridge-lo
. tests/e2e/diagnose_lib.sh
V="e2e $DV diagnose"
docker run -d --name $BR --dns 198.51.100.53 $LAB_IMAGE sleep 3600 >/dev/null &&
	docker run -d --name $BRLO --dns 127.0.0.53 $LAB_IMAGE sleep 3600 >/dev/null ||
	fail "$V: the bridge containers did not start"
N='.names[0]'
# the verdict's first rule, of the chain given
RULE() { echo ".cause.firewall // [] | any(.chain == \"$1\" and (.rule | test(\"REJECT\")))"; }

dg ok $LAB_CTR ok.nstrace.test
check "$V user network healthy: resolved, exit 0" rc_is ok 0
check "$V user network healthy: the nameserver's listener is dockerd's (behind the DNAT)" \
	dgok ok ".resolved and .container.name == \"$LAB_CTR\" and .nameservers[0].server == \"127.0.0.11:53\" and .nameservers[0].kind == \"local\" and .nameservers[0].comm == \"dockerd\""

dg brok $BR ok.nstrace.test
check "$V default bridge healthy: resolved from the container's own netns, the server remote" \
	dgok brok ".resolved and .container.name == \"$BR\" and .nameservers[0].kind == \"remote\" and $N.server == \"198.51.100.53:53\""

lab_rule -p udp --dport 53 -j REJECT
dg brrej $BR ok.nstrace.test
dg ctrrej $LAB_CTR ok.nstrace.test
dg ctrrejp --backend ptrace $LAB_CTR ok.nstrace.test
# a live trace of the container's own lookup (nsenter into its netns): the
# same host rule, on the forwarding path, and no stuck-thread warning
BR_PID=$(docker inspect -f '{{.State.Pid}}' $BR)
timeout 60 "$NST" --json -- nsenter -t "$BR_PID" -n busybox nslookup ok.nstrace.test 198.51.100.53 \
	>"$T/brlive.jsonl" 2>"$T/brlive.err"
lab_unrule -p udp --dport 53 -j REJECT
check "$V live nsenter into the bridge container: refused, the DOCKER-USER rule named, no netns-thread-stuck" \
	jq_true "$T/brlive.jsonl" '[.[] | select(.type == "finding")] | (map(select(.id == "dns-upstream-refused")) | length >= 1 and all(.firewall // [] | any(.chain == "DOCKER-USER"))) and (map(select(.id == "netns-thread-stuck")) | length == 0)'
check "$V ptrace backend: the same verdict as the default's (dockerd's attempt refused, the rule)" \
	sh -c "[ \"\$(cat '$T/dg-ctrrejp.rc')\" = 1 ] && [ \"\$(jq -c '.names[0] | [.status, .cause.id, .cause.comm, (.cause.firewall // [] | map(.chain))]' '$T/dg-ctrrej.json')\" = \"\$(jq -c '.names[0] | [.status, .cause.id, .cause.comm, (.cause.firewall // [] | map(.chain))]' '$T/dg-ctrrejp.json')\" ]"
check "$V: after diagnose dockerd is traced by nothing and stopped nowhere" alive_and_free "$LAB_PID"
check "$V default bridge DOCKER-USER REJECT: exit 1, never a clean bill" rc_is brrej 1
check "$V default bridge DOCKER-USER REJECT: refused, the container's own query, the DOCKER-USER rule named" \
	dgok brrej "$N | (.resolved | not) and .status == \"refused\" and .cause.id == \"dns-upstream-refused\" and ($(RULE DOCKER-USER))"
check "$V default bridge DOCKER-USER REJECT: the verdict names the container and the rule" \
	dgok brrej "$N.verdict | test(\"^$BR cannot resolve ok.nstrace.test: \") and test(\"DOCKER-USER\")"
check "$V user network DOCKER-USER REJECT: exit 1; the cause is dockerd's forwarded attempt, refused" \
	sh -c "[ \"\$(cat '$T/dg-ctrrej.rc')\" = 1 ] && jq -e '$N | .cause.comm == \"dockerd\" and (.cause.result == \"refused\" or .cause.result == \"rejected\") and (.verdict | test(\"dockerd forwarded the lookup from $LAB_CTR.s netns\")) and (.verdict | test(\"the host rule .*DOCKER-USER.*REJECT\")) and (.fix | test(\"-D DOCKER-USER\"))' '$T/dg-ctrrej.json' >/dev/null"

dg brlo $BRLO ok.nstrace.test
check "$V loopback nameserver: nothing listens on 127.0.0.53 in the container: said, with the fix, exit 1" \
	sh -c "[ \"\$(cat '$T/dg-brlo.rc')\" = 1 ] && jq -e '.nameservers[0].kind == \"loopback-none\" and ($N.fix | test(\"--dns\"))' '$T/dg-brlo.json' >/dev/null"

dg int $LAB_INTCTR ok.nstrace.test
check "$V --internal network: not resolved, exit 1, said to be --internal, the fix not a firewall one" \
	sh -c "[ \"\$(cat '$T/dg-int.rc')\" = 1 ] && jq -e '$N | (.verdict | test(\"--internal network\")) and (.fix | test(\"docker network connect\")) and (.fix | test(\"-D DOCKER\") | not)' '$T/dg-int.json' >/dev/null"

# A plain ip netns routed through the host (198.18.9.0/24, the lab's own
# range) to the upstream: its remote server DROPped on the host's FORWARD
# path, where nstrace reads the counters.  Docker's FORWARD policy is DROP:
# the netns's traffic gets ACCEPT rules of its own first.
PLAIN=nstrace-e2e-plain
if ip netns add $PLAIN 2>/dev/null; then
	echo $PLAIN >>"$T/netns.made"
	ip link add nstpl0 type veth peer name nstpl0c netns $PLAIN
	ip addr add 198.18.9.1/24 dev nstpl0 && ip link set nstpl0 up
	ip -n $PLAIN addr add 198.18.9.2/24 dev nstpl0c && ip -n $PLAIN link set nstpl0c up
	ip -n $PLAIN link set lo up && ip -n $PLAIN route add default via 198.18.9.1
	mkdir -p /etc/netns/$PLAIN && printf 'nameserver 198.51.100.53\noptions timeout:1\n' >/etc/netns/$PLAIN/resolv.conf
	lab_rule_in FORWARD -d 198.18.9.0/24 -j ACCEPT
	lab_rule_in FORWARD -s 198.18.9.0/24 -j ACCEPT
	dg plok $PLAIN ok.nstrace.test
	lab_rule_in FORWARD -s 198.18.9.0/24 -p udp -m udp --dport 53 -j DROP
	dg pldrop $PLAIN ok.nstrace.test
	lab_unrule_in FORWARD -s 198.18.9.0/24 -p udp -m udp --dport 53 -j DROP
	lab_unrule_in FORWARD -s 198.18.9.0/24 -j ACCEPT
	lab_unrule_in FORWARD -d 198.18.9.0/24 -j ACCEPT
	rm -rf /etc/netns/$PLAIN
	ip link del nstpl0 2>/dev/null
	ip netns del $PLAIN
	check "$V plain ip netns healthy: resolved through the host, the netns named" \
		sh -c "[ \"\$(cat '$T/dg-plok.rc')\" = 0 ] && jq -e '.resolved and .target == \"$PLAIN\" and (.resolv_conf | test(\"/etc/netns/$PLAIN/resolv.conf\"))' '$T/dg-plok.json' >/dev/null"
	check "$V plain ip netns DROP: a timeout, exit 1; the host's FORWARD DROP named; a DROP fix" \
		sh -c "[ \"\$(cat '$T/dg-pldrop.rc')\" = 1 ] && jq -e '.names[0] | .status == \"timeout\" and .cause.id == \"dns-upstream-timeout\" and (.cause.firewall // [] | any(.chain == \"FORWARD\" and (.rule | test(\"DROP\")))) and (.verdict | test(\"the host rule\")) and (.fix | length > 0)' '$T/dg-pldrop.json' >/dev/null"
else
	fail "$V plain ip netns: could not create $PLAIN"
fi

if [ "$LAB_DOCKER" = 28 ]; then
	lab_rule_in OUTPUT -d 198.51.100.53/32 -p udp -m udp --dport 53 -j REJECT
	dg orej $LAB_HOSTCTR ok.nstrace.test
	lab_unrule_in OUTPUT -d 198.51.100.53/32 -p udp -m udp --dport 53 -j REJECT
	check "$V output reject: the host-path container fails, exit 1; the cause is dockerd's own-netns attempt" \
		sh -c "[ \"\$(cat '$T/dg-orej.rc')\" = 1 ] && jq -e '$N.cause | .comm == \"dockerd\" and .path == \"resolver\"' '$T/dg-orej.json' >/dev/null"
	check "$V output reject: the reason for the host path is the container's own # ExtServers host() mark; the OUTPUT rule named" \
		dgok orej "$N | (.verdict | test(\"ExtServers\")) and (.cause.firewall | any(.chain == \"OUTPUT\"))"
fi
docker rm -f $BR $BRLO >/dev/null 2>&1
