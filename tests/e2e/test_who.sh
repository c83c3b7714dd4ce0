#!/bin/bash
# `tcpdoctor who :PORT` against ss -tanp and lsof -i:PORT: the listening process
# first, every process with a connection on the port, its fds, and exit 1 when
# nothing uses the port.
# jq programs and awk field names sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip ss jq
need_python
need_binary

lab_standard who
# Another process in NS_A connected to the server's port 5001, its sockets
# shared with a forked child (lsof lists both).
spawn_py "$NS_A" "$TD_ACTOR" comm tdlocal \
	est 192.0.2.1 45001 192.0.2.1 5001 est 2001:db8::1 45101 2001:db8::1 5001 fork >/dev/null
LOCAL_PID=$SPAWNED
wait_for 10 ss_has "$NS_A" established 9 || bail "local client in $NS_A not connected"

port_filter() { # LO [HI]: ss filter for a local or remote port in LO..HI
	local lo=$1 hi=${2:-$1}
	echo "( ( sport >= :$lo and sport <= :$hi ) or ( dport >= :$lo and dport <= :$hi ) )"
}
for ns in "$NS_A" "$NS_B"; do
	for ports in 5001 5002 5003 5009 5001-5003 41000-41999; do
		set -f
		# shellcheck disable=SC2046
		want=$(ss_count "$ns" $(port_filter "${ports%-*}" "${ports#*-}"))
		set +f
		td who --netns "$ns" ":$ports" --json
		got=$(jq -r .count "$TD_TMP/out" 2>/dev/null)
		# Exit 1 and count 0 (or no output) when nothing uses the ports.
		[ "$want" -eq 0 ] && [ "$TD_RC" -eq 1 ] && got=${got:-0}
		is "$got" "$want" "$ns: who :$ports counts what ss sees (exit $TD_RC)"
	done
done

# ---- port 5001 on the server side --------------------------------------------

set -f
# shellcheck disable=SC2046
SS5001=$(ss -N "$NS_A" -Htanp $(port_filter 5001) 2>/dev/null)
set +f
# "pid comm state" per socket owner, as ss -p shows them.
want=$(while read -r st _ _ _ _ rest; do
	grep -oE '\("[^"]*",pid=[0-9]+' <<<"$rest" | sed -E 's/^\("(.*)",pid=([0-9]+)$/\2 \1/' |
		sed "s/\$/ $(ss_canon_state <<<"$st")/"
done <<<"$SS5001" | sort | uniq -c | awk '{print $2, $3, $4, $1}' | sort)
td who --netns "$NS_A" :5001 --json
is "$TD_RC" 0 "who :5001 exits 0"
J=$TD_OUT
got=$(jq -r '.processes[] | .pid as $p | .comm as $c | .states | to_entries[] | "\($p) \($c) \(.key) \(.value)"' <<<"$J" | sort)
same_lines "$got" "$want" "who :5001: processes and their states per socket = ss -p"
is "$(jq -r '.processes[0] | "\(.pid) \(.comm) \(.states.LISTEN > 0)"' <<<"$J")" "$SERVER_PID tdserver true" \
	"who :5001: the listening process comes first"
is "$(jq -r '[.processes[] | select(.pid == '"$LOCAL_PID"')] | .[0].comm' <<<"$J")" tdlocal \
	"who :5001: the local client is named"
is "$(jq -r '[.processes[] | select(.sockets != ([.states[]] | add))] | length' <<<"$J")" 0 \
	"who :5001: each process's sockets is the sum of its states"
is "$(jq -r '[.processes[] | select(.uid != 0 or .user != "root")] | length' <<<"$J")" 0 \
	"who :5001: uid 0 is user root"
is "$(jq -r '"\(.command) \(.ports) \(.netns) \(.count == (.sockets | length))"' <<<"$J")" \
	"who 5001 $NS_A true" "who --json: command, ports, netns, count"
is "$(jq -r '[.sockets[] | select(.lport != 5001 and .rport != 5001)] | length' <<<"$J")" 0 \
	"who :5001: every socket is on port 5001"

# lsof -i:PORT in the namespace: the same pid/fd pairs.
if command -v lsof >/dev/null; then
	want=$(ip netns exec "$NS_A" lsof -nP -iTCP:5001 -F pf 2>/dev/null |
		awk '/^p/ { p = substr($0, 2) } /^f/ { print p, substr($0, 2) }' | sort -u)
	got=$(jq -r '.sockets[].owners[] | "\(.pid) \(.fd)"' <<<"$J" | sort -u)
	same_lines "$got" "$want" "who :5001: pid/fd pairs = lsof -i:5001"
else
	skip "who :5001 against lsof" "lsof not installed"
fi

td who --netns "$NS_A" :5001
is "$TD_RC" 0 "text who :5001 exits 0"
first=$(grep -E "(^|[^0-9])$SERVER_PID([^0-9]|$)" <<<"$TD_OUT" | head -1)
like "$first" "tdserver" "text who: the server's line names it"
like "$(grep -E "(^|[^0-9])($SERVER_PID|$LOCAL_PID)([^0-9]|$)" <<<"$TD_OUT" | head -1)" "LISTEN" \
	"text who: the listener comes before the connections"
like "$TD_OUT" "tdlocal" "text who: names the local client"
like "$TD_OUT" "(^|[^0-9])$LOCAL_PID([^0-9]|$)" "text who: shows the local client's pid"

is "$(td_json .count who --netns "$NS_A" 5001 --json)" "$(jq -r .count <<<"$J")" "who 5001 = who :5001"
is "$(td_json .count who --netns "$NS_A" :5001 -l --json)" 2 "who :5001 -l: the two listeners"
# lsof's own spellings of the same question, and the same answer as lsof.
for spec in "-i:5001" "-iTCP:5001" "-i tcp:5001"; do
	# shellcheck disable=SC2086 # "-i tcp:5001" is two words on purpose
	got=$(td_json '.sockets[].owners[] | "\(.pid) \(.fd)"' who --netns "$NS_A" $spec --json | sort -u)
	same_lines "$got" "$want" "who $spec: pid/fd pairs = lsof -iTCP:5001"
done
is "$(td_json '[.sockets[] | select(.family != "ipv4")] | length' who --netns "$NS_A" -i4TCP:5001 --json)" 0 \
	"who -i4TCP:5001: IPv4 sockets only"
is "$(td_json .count who --netns "$NS_A" -i4TCP:5001 --json)" \
	"$(ip netns exec "$NS_A" ss -H4tan '( sport = :5001 or dport = :5001 )' | wc -l)" \
	"who -i4TCP:5001 counts what ss -4 counts on :5001"
td who --netns "$NS_A" -iUDP:5001
is "$TD_RC" 2 "who -iUDP: refused (TCP only), exit 2"
is "$(td_json .count who --netns "$NS_A" :5001 --pid "$LOCAL_PID" --json)" 2 \
	"who :5001 --pid: that process's sockets"

# ---- the BPF owner walk against the /proc walk -------------------------------

# "inode pid fd comm uid" per owner of every socket: both walks must agree.
owner_lines='.sockets[] | .inode as $i | .owners[]? | "\($i) \(.pid) \(.fd) \(.comm) \(.uid)"'
TD_OWNERS=bpf td conns --netns "$NS_A" --json
if [ "$TD_RC" -ne 0 ] && [ ! -r /sys/kernel/btf/vmlinux ]; then
	skip_kernel "owners: TD_OWNERS=bpf against proc" "no BTF: $(head -1 <<<"$TD_ERR")"
else
	is "$TD_RC" 0 "conns --json with TD_OWNERS=bpf exits 0"
	bpf_owners=$(jq -r "$owner_lines" <<<"$TD_OUT" | sort)
	TD_OWNERS=proc td conns --netns "$NS_A" --json
	proc_owners=$(jq -r "$owner_lines" <<<"$TD_OUT" | sort)
	like "$(grep -c . <<<"$proc_owners")" '^[1-9][0-9]+$' "conns: the /proc walk finds owners"
	same_lines "$bpf_owners" "$proc_owners" "conns: owners (pid, fd, comm, uid) by BPF = by /proc"
	for m in bpf proc; do
		TD_OWNERS=$m td who --netns "$NS_A" :5001 --json
		jq -r "$owner_lines" <<<"$TD_OUT" | sort >"$TD_TMP/who-$m"
	done
	same_lines "$(cat "$TD_TMP/who-bpf")" "$(cat "$TD_TMP/who-proc")" \
		"who :5001: owners by BPF = by /proc"
	like "$(grep -c " $LOCAL_PID " "$TD_TMP/who-bpf")" '^[1-9]' "who :5001 by BPF: the local client"
fi

# ---- other ports --------------------------------------------------------------

# Only unowned TIME_WAIT sockets on 5003 in NS_B: they are sockets on the port.
td who --netns "$NS_B" :5003 --json
is "$TD_RC $(jq -r '"\(.count) \(.processes | length)"' <<<"$TD_OUT" 2>&1)" \
	"0 $(ss_count "$NS_B" state time-wait) 0" "who :5003 (only TIME_WAIT): sockets, no process"
td who --netns "$NS_B" :5009 --json
is "$(jq -r '[.sockets[].state] | unique | join(",")' <<<"$TD_OUT" 2>&1)" SYN_SENT \
	"who :5009 (remote port): the SYN_SENT sockets"

for p in 6000 :6000 6000-6010; do
	td who --netns "$NS_A" "$p"
	is "$TD_RC" 1 "who $p (unused) exits 1"
done
td who --netns "$NS_A" :6000 --json
is "$TD_RC" 1 "who :6000 --json (unused) exits 1"
if [ -n "$TD_OUT" ]; then
	is "$(jq -r .count <<<"$TD_OUT" 2>&1)" 0 "who :6000 --json: count 0"
else
	ok "who :6000 --json: no output"
fi

td_done
