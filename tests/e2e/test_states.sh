#!/bin/bash
# `tcpdoctor states` against ss in the same namespace: per-state counts for a
# lab holding LISTEN, ESTABLISHED, CLOSE_WAIT, FIN_WAIT2, TIME_WAIT, SYN_SENT and
# SYN_RECV (request) sockets, IPv4 and IPv6, every way of naming the namespace, family, state,
# port and address filters, --by grouping, and the proc and replay sources.
# jq programs and awk field names sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip ss jq
need_python
need_binary

lab_standard states
declare -A NS_PID=([$NS_A]=$SERVER_PID [$NS_B]=$CLIENT_PID)

# ---- counts per state, however the namespace is named -----------------------

for ns in "$NS_A" "$NS_B"; do
	want=$(ss_states "$ns")
	is "$(td_states --netns "$ns")" "$want" "$ns: states --json counts equal ss -tan"
	is "$(td_json '"\(.command) \(.source) \(.netns)"' --netns "$ns" states --json)" \
		"states netlink $ns" \
		"$ns: JSON command, source (netlink: a small namespace) and netns"
	is "$(td_states --netns "${NS_PID[$ns]}")" "$want" "$ns: --netns PID gives the same"
	is "$(td_states --netns "/run/netns/$ns")" "$want" "$ns: --netns PATH gives the same"
	is "$(td_json '.states.ESTABLISHED' --netns "$ns" states --json)" \
		"$(ss_state_count "$ns" established)" "$ns: global options before the command"
	is "$(td_json '.command' --netns "$ns" --json --sample 0)" check \
		"$ns: no command means check"
	is "$(td_states --netns "$ns" -4)" "$(ss_states "$ns" -4)" "$ns: -4 equals ss -4"
	is "$(td_states --netns "$ns" -6)" "$(ss_states "$ns" -6)" "$ns: -6 equals ss -6"
	is "$(td_json '"\(.families.ipv4) \(.families.ipv6)"' states --netns "$ns" --json)" \
		"$(ss_count "$ns" -4) $(ss_count "$ns" -6)" "$ns: families equal ss -4 / ss -6"
	is "$(td_json '.states | keys | length' states --netns "$ns" --json)" 11 \
		"$ns: all 11 state keys present"
done

# The union of both namespaces holds every state the lab was built for.
for s in LISTEN ESTABLISHED CLOSE_WAIT FIN_WAIT2 TIME_WAIT SYN_SENT SYN_RECV; do
	a=$(td_json ".states.$s" states --netns "$NS_A" --json)
	b=$(td_json ".states.$s" states --netns "$NS_B" --json)
	want=$(($(ss_state_count "$NS_A" "${SS_STATE[$s]}") + $(ss_state_count "$NS_B" "${SS_STATE[$s]}")))
	if [ "$want" -gt 0 ] && [ "$a" != ERROR ] && [ "$b" != ERROR ] && [ $((a + b)) -eq "$want" ]; then
		ok "$s: present in the lab and counted ($want)"
	else
		not_ok "$s: present in the lab and counted" "tcpdoctor $a + $b, ss $want"
	fi
done

# ---- text output --------------------------------------------------------------

for ns in "$NS_A" "$NS_B"; do
	td --netns "$ns" states
	text=$TD_OUT
	is "$TD_RC" 0 "$ns: text states exits 0"
	for s in "${TD_STATES[@]}"; do
		n=$(ss_state_count "$ns" "${SS_STATE[$s]}")
		[ "$n" -eq 0 ] && continue
		# Any spelling of the name (ESTABLISHED, ESTAB, FIN-WAIT-2, FIN_WAIT2...),
		# with its count on the same line.
		re=$(sed -E 's/_/[-_ ]?/g; s/([A-Z])([0-9])$/\1[-_ ]?\2/' <<<"$s")
		[ "$s" = ESTABLISHED ] && re='ESTAB(LISHED)?'
		if grep -iE "(^|[^A-Z_-])$re([^A-Z_-]|$)" <<<"$text" | grep -qE "(^|[^0-9])$n([^0-9]|$)"; then
			ok "$ns: text output shows $s with count $n"
		else
			not_ok "$ns: text output shows $s with count $n" "$text"
		fi
	done
done

# ---- --state, in every spelling, against ss's state filter ------------------

state_cases=(
	"ESTAB|established"
	"established|established"
	"CLOSE-WAIT|close-wait"
	"close_wait|close-wait"
	"SYN-SENT|syn-sent"
	"syn_sent|syn-sent"
	"time-wait|time-wait"
	"TIME_WAIT|time-wait"
	"FIN_WAIT2|fin-wait-2"
	"fin-wait-2|fin-wait-2"
	"listen|listening"
	"SYN_RCVD|syn-recv"
	"SYN-RECV|syn-recv"
	"syn_recv|syn-recv"
	"connected|connected"
	"synchronized|synchronized"
	"bucket|bucket"
	"big|big"
	"all|all"
	"closing-states|fin-wait-1 state fin-wait-2 state closing state time-wait state close-wait state last-ack"
)
for ns in "$NS_A" "$NS_B"; do
	for c in "${state_cases[@]}"; do
		tds=${c%%|*} sss=${c#*|}
		# shellcheck disable=SC2086
		is "$(td_json .total states --netns "$ns" --state "$tds" --json)" \
			"$(ss_count "$ns" state $sss)" "$ns: --state $tds = ss state $sss"
	done
	is "$(td_json .total states --netns "$ns" --state established --state TIME-WAIT --json)" \
		"$(ss_count "$ns" state established state time-wait)" \
		"$ns: --state repeated is OR"
	is "$(td_json .total states --netns "$ns" -l --json)" \
		"$(ss_count "$ns" state listening)" "$ns: -l = ss state listening"
	is "$(td_json .states.ESTABLISHED states --netns "$ns" --state listen --json)" 0 \
		"$ns: --state listen leaves no ESTABLISHED"
done

# ---- ports and addresses ------------------------------------------------------

filter_cases=(
	"--sport 5001|sport = :5001"
	"--sport :5002|sport = :5002"
	"--dport 5001|dport = :5001"
	"--port 5001|( sport = :5001 or dport = :5001 )"
	"--port :5009|( sport = :5009 or dport = :5009 )"
	"--sport 41000-42999|( sport >= :41000 and sport <= :42999 )"
	"--dport 5001-5002|( dport >= :5001 and dport <= :5002 )"
	"--port 5002-5003|( ( sport >= :5002 and sport <= :5003 ) or ( dport >= :5002 and dport <= :5003 ) )"
	"--sport 41001 --sport 43001|( sport = :41001 or sport = :43001 )"
	"--sport 41000-44999 --dport 5001|( sport >= :41000 and sport <= :44999 ) and dport = :5001"
	"--sport 5001 --state established|state established sport = :5001"
	"--src 192.0.2.0/24|src 192.0.2.0/24"
	"--src 192.0.2.1|src 192.0.2.1"
	"--dst 192.0.2.99|dst 192.0.2.99"
	"--dst 192.0.2.0/30|dst 192.0.2.0/30"
	"--dst 198.51.100.0/24|dst 198.51.100.0/24"
	"--src 2001:db8::/64|src [2001:db8::/64]"
	"--src 2001:db8::2|src [2001:db8::2]"
	"--dst 2001:db8::99|dst [2001:db8::99]"
	"--dst 2001:db8::/120|dst [2001:db8::/120]"
	"--src 192.0.2.0/24 --src 2001:db8::1|( src 192.0.2.0/24 or src [2001:db8::1] )"
	"--dst 192.0.2.1 --dport 5003|dst 192.0.2.1 and dport = :5003"
	"-6 --dport 5009|dport = :5009 -6"
)
for ns in "$NS_A" "$NS_B"; do
	for c in "${filter_cases[@]}"; do
		tda=${c%%|*} ssf=${c#*|}
		set -f
		# shellcheck disable=SC2086
		got=$(td_json .total states --netns "$ns" $tda --json)
		# shellcheck disable=SC2086
		want=$(ss_count "$ns" $ssf)
		set +f
		is "$got" "$want" "$ns: $tda = ss $ssf"
	done
done

# ---- --by: groups as ss would form them --------------------------------------

# ss_groups NS COLUMN-EXPR [ss args]: "KEY STATE COUNT" lines, COLUMN-EXPR an awk
# expression over the "addr port" split of Local ($4) and Peer ($5).
ss_groups() {
	local ns=$1 expr=$2
	shift 2
	ss -N "$ns" -Htan "$@" 2>/dev/null | ss_norm |
		awk "{print $expr, \$1}" | sort | uniq -c | awk '{print $2, $3, $1}' | sort
}
td_groups() { # NS KEY [args]
	local ns=$1 key=$2
	shift 2
	td_json '.groups[] | .key as $k | .states | to_entries[] | "\($k) \(.key) \(.value)"' \
		states --netns "$ns" --by "$key" --top 1000 "$@" --json | sort
}
for ns in "$NS_A" "$NS_B"; do
	same_lines "$(td_groups "$ns" lport)" "$(ss_groups "$ns" '$3')" "$ns: --by lport groups = ss"
	same_lines "$(td_groups "$ns" laddr)" "$(ss_groups "$ns" '$2')" "$ns: --by laddr groups = ss"
	same_lines "$(td_groups "$ns" rport --state connected)" \
		"$(ss_groups "$ns" '$5' state connected)" "$ns: --by rport groups = ss (connected)"
	same_lines "$(td_groups "$ns" peer --state connected)" \
		"$(ss_groups "$ns" '$4' state connected)" "$ns: --by peer groups = ss (connected)"
	same_lines "$(td_groups "$ns" raddr --state connected)" \
		"$(ss_groups "$ns" '$4' state connected)" "$ns: --by raddr is an alias of peer"
	is "$(td_json '[.groups[] | select(.port != (.key | tonumber))] | length' \
		states --netns "$ns" --by lport --json)" 0 "$ns: --by lport groups carry \"port\""
	is "$(td_json '[.groups[] | select(.addr != .key)] | length' \
		states --netns "$ns" --by laddr --json)" 0 "$ns: --by laddr groups carry \"addr\""
	is "$(td_json '[.groups[] | select(.total != ([.states[]] | add))] | length' \
		states --netns "$ns" --by lport --json)" 0 "$ns: each group's total is the sum of its states"
	# Per owner: the pid in ss -p, "-" for sockets nobody holds (TIME_WAIT).
	want=$(ss -N "$ns" -Htanp 2>/dev/null | awk '{pid="-"; if (match($0, /pid=[0-9]+/)) pid=substr($0, RSTART+4, RLENGTH-4); print $1, pid}' |
		ss_canon_state | awk '{print $2, $1}' | sort | uniq -c | awk '{print $2, $3, $1}' | sort)
	got=$(td_json '.groups[] | (.pid // "-") as $k | .states | to_entries[] | "\($k) \(.key) \(.value)"' \
		states --netns "$ns" --by process --json | sort)
	same_lines "$got" "$want" "$ns: --by process groups = ss -p pids (\"-\" = no owner)"
	is "$(td_json '[.groups[] | select(.key == "-" and .pid != null)] | length' \
		states --netns "$ns" --by process --json)" 0 "$ns: the no-owner group has pid null"
	for key in user process peer; do
		is "$(td_json '([.groups[].total] | add) + (.other.total // 0) == .total' \
			states --netns "$ns" --by "$key" --json)" true "$ns: --by $key groups add up to total"
	done
done

# --top N keeps the N biggest groups and folds the rest into "other".
for ns in "$NS_A" "$NS_B"; do
	counts=$(ss -N "$ns" -Htan 2>/dev/null | ss_norm | awk '{print $3}' |
		sort | uniq -c | awk '{print $1}' | sort -rn)
	ngroups=$(wc -l <<<"$counts")
	top2=$(head -2 <<<"$counts" | paste -sd' ')
	rest=$(tail -n +3 <<<"$counts" | awk '{s += $1} END {print s + 0}')
	got=$(td_json '"\([.groups[].total] | map(tostring) | join(" ")) other=\(.other.groups // 0)/\(.other.total // 0) by=\(.by)"' \
		states --netns "$ns" --by lport --top 2 --json)
	is "$got" "$top2 other=$((ngroups - 2))/${rest:-0} by=lport" \
		"$ns: --by lport --top 2: two biggest groups, the rest in other"
	is "$(td_json '([.other.states[]] | add) == .other.total' \
		states --netns "$ns" --by lport --top 2 --json)" true "$ns: other.states adds up to other.total"
	td --netns "$ns" states --by lport --top 2
	like "$TD_OUT" "\(([0-9]+ )?others?\)" "$ns: text --top 2 prints an (other) row"
done

# ---- other sources --------------------------------------------------------------

for ns in "$NS_A" "$NS_B"; do
	want=$(td_states --netns "$ns")
	is "$(td_states --netns "$ns" --source proc)" "$want" "$ns: --source proc = netlink"
	is "$(td_json .source states --netns "$ns" --source proc --json)" proc "$ns: source says proc"
	is "$(td_states --netns "$ns" --source netlink)" "$want" "$ns: --source netlink = auto"
	is "$(td_states --netns "$ns" --source proc -6 --state connected)" \
		"$(td_states --netns "$ns" -6 --state connected)" "$ns: proc = netlink with filters"

	dump=$TD_TMP/$ns.td.dump
	is "$(td_states --netns "$ns" --save-dump "$dump")" "$want" "$ns: --save-dump leaves output alone"
	if [ -s "$dump" ]; then ok "$ns: --save-dump wrote $dump"; else not_ok "$ns: --save-dump wrote a file"; fi
	is "$(td_states --source "replay:$dump")" "$want" "$ns: replay of --save-dump = live"
	is "$(td_json .source states --source "replay:$dump" --json)" replay "$ns: source says replay"
	is "$(td_states --source "replay:$dump" --sport 5001 -4)" \
		"$(td_states --netns "$ns" --sport 5001 -4)" "$ns: filters apply to a replay"
	# ss reads back only the first family of its own dump (it stops at the first
	# NLMSG_DONE), but the file holds both: IPv4, DONE, IPv6, DONE.
	ss -N "$ns" -tan -D "$TD_TMP/$ns.ss.dump" 2>/dev/null
	is "$(td_states --source "replay:$TD_TMP/$ns.ss.dump")" "$want" "$ns: replay of ss -D = live"
	n=$(TCPDIAG_FILE=$dump ss -Htan 2>/dev/null | wc -l)
	like " $(ss_count "$ns" -4) $(ss_count "$ns" -6) $(ss_count "$ns") " " $n " \
		"$ns: ss reads the --save-dump file as its own (one family or all: $n)"
done

td_done
