#!/bin/bash
# `tcpdoctor conns` against ss -tanpeo and ss -ti in the same namespace: every
# socket with its state, addresses, queues, owners (pid, comm, fd), uid, inode,
# cookie and timer; tcp_info with -i; --pid; /proc agreeing with netlink; and
# the "owners hidden" note when run without privileges.
# jq programs and awk field names sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip ss jq
need_python
need_binary

lab_standard conns
# A second owner in NS_A, and sockets shared by two processes (fork): its own
# connections to the server, held by a parent and a child.
spawn_py "$NS_A" "$TD_ACTOR" comm tdlocal \
	est 192.0.2.1 45001 192.0.2.1 5001 est 2001:db8::1 45101 2001:db8::1 5001 fork >/dev/null
LOCAL_PID=$SPAWNED
wait_for 10 ss_has "$NS_A" established 9 || bail "local client in $NS_A not connected"
wait_for 10 eval '[ "$(ss -N "$NS_A" -Htanp sport = :45001 | grep -o "pid=" | wc -l)" -eq 2 ]' ||
	bail "forked local client not holding its sockets"
LOCAL_CHILD=$(ss -N "$NS_A" -Htanp sport = :45001 | grep -oE 'pid=[0-9]+' | cut -d= -f2 |
	grep -vx "$LOCAL_PID" | head -1)

# One record per socket: state laddr lport raddr rport q=R/S owners=comm/pid/fd,...
# uid=U ino=I cookie=C timer=T (fields 1-11).
ss_records() { # NS [ss filter]
	local ns=$1 st la lp ra rp rq sq rest owners uid ino ck timer
	shift
	ss -N "$ns" -Htanpeo "$@" 2>/dev/null | ss_norm | while read -r st la lp ra rp rq sq rest; do
		owners=$(grep -oE '\("[^"]*",pid=[0-9]+,fd=[0-9]+\)' <<<"$rest" |
			sed -E 's/^\("(.*)",pid=([0-9]+),fd=([0-9]+)\)$/\1\/\2\/\3/' | sort | paste -sd, -)
		uid=0 ino=0 ck=0 timer=off
		[[ $rest =~ (^| )uid:([0-9]+) ]] && uid=${BASH_REMATCH[2]}
		[[ $rest =~ (^| )ino:([0-9]+) ]] && ino=${BASH_REMATCH[2]}
		[[ $rest =~ (^| )sk:([0-9a-f]+) ]] && ck=$((16#${BASH_REMATCH[2]}))
		[[ $rest =~ timer:\(([a-z]+), ]] && timer=${BASH_REMATCH[1]}
		echo "$st $la $lp $ra $rp q=$rq/$sq owners=${owners:--} uid=$uid ino=$ino cookie=$ck timer=$timer"
	done | sort
}
TD_RECORD='.sockets[] | "\(.state) \(.laddr) \(.lport) \(.raddr) \(.rport) q=\(.recv_q)/\(.send_q) owners=\(
	if ((.owners // []) | length) == 0 then "-"
	else ([.owners[] | "\(.comm)/\(.pid)/\(.fd)"] | sort | join(",")) end
	) uid=\(.uid) ino=\(.inode) cookie=\(.cookie // 0) timer=\(.timer)"'
td_records() { # args...
	td_json "$TD_RECORD" conns "$@" --json | sort
}
fields() { # comma-separated field numbers
	awk -v f="$1" 'BEGIN { n = split(f, a, ",") }
		{ s = $a[1]; for (i = 2; i <= n; i++) s = s " " $a[i]; print s }' | sort
}

for ns in "$NS_A" "$NS_B"; do
	want=$(ss_records "$ns")
	got=$(td_records --netns "$ns")
	same_lines "$(fields 1,2,3,4,5 <<<"$got")" "$(fields 1,2,3,4,5 <<<"$want")" \
		"$ns: conns lists the sockets of ss (state, addresses, ports)"
	same_lines "$(fields 1,2,3,4,5,7 <<<"$got")" "$(fields 1,2,3,4,5,7 <<<"$want")" \
		"$ns: owners (comm/pid/fd) equal ss -p"
	same_lines "$(fields 1,2,3,4,5,6 <<<"$got")" "$(fields 1,2,3,4,5,6 <<<"$want")" \
		"$ns: recv_q/send_q equal ss"
	same_lines "$(fields 1,2,3,4,5,8,9,10 <<<"$got")" "$(fields 1,2,3,4,5,8,9,10 <<<"$want")" \
		"$ns: uid, inode and cookie equal ss -e"
	same_lines "$(fields 1,2,3,4,5,11 <<<"$got")" "$(fields 1,2,3,4,5,11 <<<"$want")" \
		"$ns: timer kind equals ss -o"
	is "$(td_json .count conns --netns "$ns" --json)" "$(ss_count "$ns")" "$ns: count = ss"
	is "$(td_json '[.sockets[] | select(.family != (if (.laddr | test(":")) then "ipv6" else "ipv4" end))] | length' \
		conns --netns "$ns" --json)" 0 "$ns: family matches the address"
	is "$(td_json '"\(.command) \(.source) \(.netns) \(.owners_hidden)"' conns --netns "$ns" --json)" \
		"conns netlink $ns 0" "$ns: JSON command, source, netns, owners_hidden"
	is "$(td_json '[.sockets[] | select(has("info"))] | length' conns --netns "$ns" --json)" 0 \
		"$ns: no info without -i"
	is "$(td_json '[.sockets[] | select(has("owners"))] | length' conns --netns "$ns" --no-owners --json)" 0 \
		"$ns: -n drops owners"
	is "$(td_json '.count' conns --netns "$ns" --no-owners --json)" "$(ss_count "$ns")" \
		"$ns: --no-owners keeps every socket"
	td --netns "$ns" conns
	is "$(grep -cE '(ESTAB|SYN|FIN|TIME|CLOSE|LAST|LISTEN|UNCONN)' <<<"$TD_OUT")" "$(ss_count "$ns")" \
		"$ns: text: one line per socket"
done

# Two processes holding one socket are both named, in JSON and in text.
is "$(td_json '[.sockets[] | select(.lport == 45001) | .owners[].pid] | sort | map(tostring) | join(" ")' \
	conns --netns "$NS_A" --json)" "$(printf '%s\n' "$LOCAL_PID" "$LOCAL_CHILD" | sort -n | paste -sd' ')" \
	"a forked socket lists both owners"
td --netns "$NS_A" conns --sport 45001 -4
like "$TD_OUT" "(tdlocal\\($LOCAL_PID,fd=[0-9]+\\),tdlocal\\($LOCAL_CHILD,fd=[0-9]+\\)|tdlocal\\($LOCAL_CHILD,fd=[0-9]+\\),tdlocal\\($LOCAL_PID,fd=[0-9]+\\))" \
	"text shows comm(pid,fd=N),comm(pid,fd=N) for a shared socket"

# ---- ss's letters, typed by habit -------------------------------------------
# `conns -tanpo` is `conns` (every state, timers, owners: what it shows
# anyway); -H drops the header line only; -u/-x are refused by name. The
# timers' remaining times and a SYN_RECV's retransmits move between two
# runs: compared without the Timer and Retr columns (blanks squeezed).
untimed() { awk '{ $6 = ""; $7 = ""; print }' | sort; }
td --netns "$NS_A" conns --no-color
plain=$(untimed <<<"$TD_OUT")
td --netns "$NS_A" conns -tanpo --no-color
is "$TD_RC" 0 "conns -tanpo exits 0"
is "$(untimed <<<"$TD_OUT")" "$plain" "conns -tanpo lists what conns lists"
td --netns "$NS_A" conns -H --no-color
is "$(untimed <<<"$TD_OUT")" "$(grep -v '^State ' <<<"$plain")" "conns -H: the same rows without the header"
is "$(head -1 <<<"$TD_OUT" | grep -c '^State ')" 0 "conns -H prints no header line"
is "$(wc -l <<<"$TD_OUT")" "$(ss -N "$NS_A" -Htan | wc -l)" "conns -H: a line per socket, as ss -Htan"
td --netns "$NS_A" conns -tunap
is "$TD_RC" 2 "conns -tunap (UDP asked for) exits 2"
like "$TD_ERR" "^tcpdoctor: conns: -u: tcpdoctor lists TCP sockets only" "conns -u names what it cannot list"

# ---- tcp_info ---------------------------------------------------------------

# ss -i: "laddr lport raddr rport rtt_us rttvar_us cwnd mss rto_us" per ESTABLISHED socket.
ss_info() { # NS
	ss -N "$1" -HtinO state established 2>/dev/null | while read -r _ _ l p rest; do
		local rtt=x rttvar=x cwnd=x mss=x rto=x
		[[ $rest =~ (^| )rtt:([0-9.]+)/([0-9.]+) ]] &&
			rtt=$(awk -v v="${BASH_REMATCH[2]}" 'BEGIN { printf "%d", v * 1000 + 0.5 }') &&
			rttvar=$(awk -v v="${BASH_REMATCH[3]}" 'BEGIN { printf "%d", v * 1000 + 0.5 }')
		[[ $rest =~ (^| )cwnd:([0-9]+) ]] && cwnd=${BASH_REMATCH[2]}
		[[ $rest =~ (^| )mss:([0-9]+) ]] && mss=${BASH_REMATCH[2]}
		[[ $rest =~ (^| )rto:([0-9.]+) ]] &&
			rto=$(awk -v v="${BASH_REMATCH[2]}" 'BEGIN { printf "%d", v * 1000 + 0.5 }')
		echo "$(ss_split_addr <<<"$l") $(ss_split_addr <<<"$p") $rtt $rttvar $cwnd $mss $rto"
	done | sort
}
for ns in "$NS_A" "$NS_B"; do
	is "$(td_json '[.sockets[] | select(.state == "ESTABLISHED") | select((.info.rtt_us | type) != "number" or .info.rtt_us <= 0)] | length' \
		conns --netns "$ns" -i --json)" 0 "$ns: -i gives info.rtt_us > 0 for every ESTABLISHED socket"
	is "$(td_json '[.sockets[] | select(.state == "ESTABLISHED") | .info | select(has("cwnd") and has("mss") and has("rttvar_us") and has("retrans_total") and has("last_data_recv_ms"))] | length' \
		conns --netns "$ns" -i --json)" "$(ss_state_count "$ns" established)" "$ns: -i info has the documented keys"
	# Idle connections: srtt, cwnd, mss and rto do not move between the two reads.
	same_lines "$(td_json '.sockets[] | select(.state == "ESTABLISHED") | "\(.laddr) \(.lport) \(.raddr) \(.rport) \(.info.rtt_us) \(.info.rttvar_us) \(.info.cwnd) \(.info.mss) \(.info.rto_us)"' \
		conns --netns "$ns" --info --json | sort)" "$(ss_info "$ns")" \
		"$ns: info rtt/rttvar/cwnd/mss/rto equal ss -i"
	td --netns "$ns" conns -i --state established
	like "$TD_OUT" "rtt" "$ns: text -i mentions rtt"
done

# ---- --pid ------------------------------------------------------------------

pid_records() { # NS PID: state+tuple of the sockets ss -p shows for PID
	ss -N "$1" -Htanp 2>/dev/null | grep -E "pid=$2," | ss_norm | awk '{print $1, $2, $3, $4, $5}' | sort
}
for pid in "$SERVER_PID" "$LOCAL_PID" "$LOCAL_CHILD"; do
	want=$(pid_records "$NS_A" "$pid")
	got=$(td_json '.sockets[] | "\(.state) \(.laddr) \(.lport) \(.raddr) \(.rport)"' \
		conns --netns "$NS_A" --pid "$pid" --json | sort)
	same_lines "$got" "$want" "--pid $pid: exactly the sockets ss -p shows for it"
	is "$(td_json "[.sockets[] | select([.owners[].pid] | index($pid) | not)] | length" \
		conns --netns "$NS_A" --pid "$pid" --json)" 0 "--pid $pid: each socket is owned by $pid"
done
is "$(td_json .count conns --netns "$NS_A" --pid "$SERVER_PID" --pid "$LOCAL_PID" --json)" \
	"$(ss -N "$NS_A" -Htanp | grep -cE "pid=($SERVER_PID|$LOCAL_PID),")" "--pid repeated is OR"
is "$(td_json .count conns --netns "$NS_A" --pid "$CLIENT_PID" --json)" 0 \
	"--pid of a process in another namespace: no socket"
is "$(td_json .total states --netns "$NS_B" --pid "$CLIENT_PID" --json)" \
	"$(ss -N "$NS_B" -Htanp | grep -c "pid=$CLIENT_PID,")" "states --pid counts that pid's sockets"

# ---- /proc agrees with netlink ----------------------------------------------

# Fields both sources carry; a LISTEN socket's send_q is the backlog limit in
# sock_diag but write_seq - snd_una (0) in /proc/net/tcp, so only its recv_q.
proc_fields() {
	awk '$1 == "LISTEN" { sub(/\/.*/, "", $6) } { print $1, $2, $3, $4, $5, $6, $8, $9 }' | sort
}
for ns in "$NS_A" "$NS_B"; do
	nl=$(td_records --netns "$ns")
	pr=$(td_records --netns "$ns" --source proc)
	same_lines "$(proc_fields <<<"$pr")" "$(proc_fields <<<"$nl")" \
		"$ns: --source proc = netlink on state, addresses, ports, queues, uid, inode"
	same_lines "$(fields 1,2,3,4,5,7 <<<"$pr")" "$(fields 1,2,3,4,5,7 <<<"$nl")" \
		"$ns: --source proc finds the same owners"
	is "$(td_json '[.sockets[] | select(has("cookie"))] | length' conns --netns "$ns" --source proc --json)" 0 \
		"$ns: no cookie from /proc"
done

# ---- without privileges -------------------------------------------------------

if command -v setpriv >/dev/null && setpriv --reuid 65534 --regid 65534 --clear-groups test -x "$TCPDOCTOR"; then
	hidden=$(ss -N "$NS_A" -Htanp | grep -c 'pid=')
	ip netns exec "$NS_A" setpriv --reuid 65534 --regid 65534 --clear-groups \
		"$TCPDOCTOR" conns --json >"$TD_TMP/np.out" 2>"$TD_TMP/np.err"
	rc=$?
	is "$rc" 0 "unprivileged conns exits 0"
	is "$(jq -r .count "$TD_TMP/np.out" 2>&1)" "$(ss_count "$NS_A")" "unprivileged conns still lists every socket"
	is "$(jq -r .owners_hidden "$TD_TMP/np.out" 2>&1)" "$hidden" "owners_hidden counts the sockets of root's processes"
	like "$(cat "$TD_TMP/np.err")" "^tcpdoctor: owners of $hidden sockets hidden: run as root$" \
		"one stderr line says owners are hidden"
else
	skip "unprivileged run" "setpriv missing or $TCPDOCTOR not executable by nobody"
fi

td_done
