#!/bin/bash
# `tcpdoctor trace --summary` counts in the kernel (per-CPU maps, nothing sent
# per event); `--with-summary` prints every event and counts in user space.
# On one scripted workload in a namespace of our own (N connections with a
# full FIN exchange, M closed with a RST, K refused), both run at once: their
# summaries must be equal, and equal to the numbers the script makes and to
# the namespace's own counters (/proc/net/snmp: ActiveOpens, PassiveOpens,
# AttemptFails, EstabResets, OutRsts). --lifetimes --summary likewise.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip jq ss
need_python
need_binary

need_trace --summary

NS=td-trsum-$$
ns_add "$NS"
N=40 M=12 K=5
d=$TD_TMP/w
mkdir -p "$d"

# Server: a listener on 7300; per connection, accept, read to EOF (or the
# RST), close. Both stay until the traces have ended, so that both paths
# find them in /proc when they name them. Client: N connections closed first by the client (FIN), M
# with SO_LINGER 0 (a RST), K connects to the closed port 7301. Two
# processes, so the by-process table has two rows.
server='
import os, socket, sys, time
d, n = sys.argv[1], int(sys.argv[2])
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 7300)); s.listen(64)
open(d + "/server.pid", "w").write(str(os.getpid()))
for i in range(n):
    a, _ = s.accept()
    try:
        while a.recv(100): pass
    except ConnectionResetError: pass
    a.close()
s.close()
open(d + "/server.done", "w").write("")
while not os.path.exists(d + "/exit"): time.sleep(0.05)
'
client='
import os, socket, struct, sys, time
d, n, m, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
open(d + "/client.pid", "w").write(str(os.getpid()))
for i in range(n):
    c = socket.create_connection(("127.0.0.1", 7300)); c.send(b"x"); c.close()
for i in range(m):
    c = socket.create_connection(("127.0.0.1", 7300)); c.send(b"x")
    time.sleep(0.01)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close()
for i in range(k):
    try: socket.create_connection(("127.0.0.1", 7301))
    except ConnectionRefusedError: pass
open(d + "/client.done", "w").write("")
while not os.path.exists(d + "/exit"): time.sleep(0.05)
'

snmp() { snmp_counter "$NS" Tcp "$1"; }
for c in ActiveOpens PassiveOpens AttemptFails EstabResets OutRsts; do
	declare "before_$c=$(snmp "$c")"
done

kinds=(--transitions --resets --retransmits)
"$TCPDOCTOR" --json --netns "$NS" trace "${kinds[@]}" --summary --for 120s \
	>"$d/k.json" 2>"$d/k.err" &
tk=$!
"$TCPDOCTOR" --json --netns "$NS" trace "${kinds[@]}" --with-summary --for 120s \
	>"$d/u.json" 2>"$d/u.err" &
tu=$!
"$TCPDOCTOR" --netns "$NS" --no-color trace "${kinds[@]}" --summary --for 120s \
	>"$d/k.txt" 2>"$d/kt.err" &
tt=$!
"$TCPDOCTOR" --json --netns "$NS" trace --lifetimes --summary --for 120s \
	>"$d/lk.json" 2>"$d/lk.err" &
tlk=$!
"$TCPDOCTOR" --json --netns "$NS" trace --lifetimes --with-summary --for 120s \
	>"$d/lu.json" 2>"$d/lu.err" &
tlu=$!
# Attached: the ring buffer's epoll is opened after the last link (the
# summary path opens its one-page ring too).
attached() { ls -l "/proc/$1/fd" 2>/dev/null | grep -q 'anon_inode:\[eventpoll\]'; }
# traces_attached PID...: kept for the cleanup, and each one attached.
traces_attached() {
	TD_PIDS+=("$@")
	for p; do
		wait_for 15 attached "$p" || bail "trace ($p) did not attach: $(cat "$d"/*.err)"
	done
}
traces_attached "$tk" "$tu" "$tt" "$tlk" "$tlu"

spawn_py "$NS" "$server" "$d" $((N + M))
wait_for 10 test -s "$d/server.pid" || bail "server did not start"
spawn_py "$NS" "$client" "$d" "$N" "$M" "$K"
wait_for 60 test -e "$d/client.done" || bail "client did not finish"
wait_for 30 test -e "$d/server.done" || bail "server did not finish"
# Every transition is reported before the socket leaves the tables: once
# ss shows none but TIME_WAIT, all of them have happened.
quiet() { [ "$(ss -N "$NS" -Htan | grep -vc TIME-WAIT)" -eq 0 ]; }
wait_for 30 quiet || diag "sockets still open: $(ss -N "$NS" -tan)"
# The per-event tracer has read the last one (the listener's close).
seen_close() { # jq -e would judge by the last line only
	jq -r 'select(.event == "state" and .old == "LISTEN" and .new == "CLOSE") | .cookie' \
		"$d/u.json" | grep -q .
}
wait_for 10 seen_close || diag "the per-event trace did not show the listener's close"
kill -INT "$tk" "$tu" "$tt" "$tlk" "$tlu"
for p in "$tk" "$tu" "$tt" "$tlk" "$tlu"; do
	wait "$p"
	is "$?" 0 "trace ($p) ends on SIGINT with exit 0"
done
touch "$d/exit"
for c in ActiveOpens PassiveOpens AttemptFails EstabResets OutRsts; do
	b=before_$c
	declare "d_$c=$(($(snmp "$c") - ${!b}))"
done
server_pid=$(cat "$d/server.pid")
client_pid=$(cat "$d/client.pid")

ks=$(jq -c 'select(.event == "summary") | del(.seconds, .skipped)' "$d/k.json")
us=$(jq -c 'select(.event == "summary") | del(.seconds, .skipped)' "$d/u.json")
is "$(jq -r '.event' "$d/k.json" | sort | uniq -c | awk '{ print $1, $2 }')" "1 summary" \
	"--summary --json: one line, the summary, nothing per event" "$(head -3 "$d/k.json")"
check "--with-summary: every event too" test "$(wc -l <"$d/u.json")" -gt $((N * 10))
is "$ks" "$us" "the kernel's summary equals the per-event one" "kernel:   $ks" "per-event: $us"

tot=$((N * 10 + M * 6 + K * 2 + 2))
pair() { jq -r --arg o "$1" --arg n "$2" \
	'[.by_transition[] | select(.old == $o and .new == $n) | .count] | add // 0' <<<"$ks"; }
field() { jq -r ".$1" <<<"$ks"; }
is "$(field transitions)" "$tot" "transitions: ${N}×10 + ${M}×6 + ${K}×2 + 2 (the listener)"
is "$(field events)" $((tot + 2 * M + 2 * K)) "events: transitions, resets received and sent"
is "$(field lost)" 0 "0 events lost"
is "$(field not_in_fsm)" 0 "every transition is in the RFC 9293 table or a known detour"
is "$(pair CLOSE SYN_SENT)" "$d_ActiveOpens" "CLOSE -> SYN_SENT = the namespace's ActiveOpens ($((N + M + K)))"
is "$(pair CLOSE SYN_SENT)" $((N + M + K)) "CLOSE -> SYN_SENT: N + M + K"
is "$(pair LISTEN SYN_RECV)" "$d_PassiveOpens" "LISTEN -> SYN_RECV = PassiveOpens"
is "$(pair LISTEN SYN_RECV)" $((N + M)) "LISTEN -> SYN_RECV: N + M"
is "$(pair SYN_SENT CLOSE)" "$d_AttemptFails" "SYN_SENT -> CLOSE = AttemptFails"
is "$(pair SYN_SENT CLOSE)" "$K" "SYN_SENT -> CLOSE: K refused"
is "$(($(pair ESTABLISHED CLOSE) + $(pair CLOSE_WAIT CLOSE)))" "$d_EstabResets" \
	"ESTABLISHED/CLOSE_WAIT -> CLOSE = EstabResets"
is "$(pair ESTABLISHED CLOSE)" $((2 * M)) "ESTABLISHED -> CLOSE: both ends of the M reset ones"
for p in "ESTABLISHED FIN_WAIT1" "FIN_WAIT1 FIN_WAIT2" "FIN_WAIT2 CLOSE" "ESTABLISHED CLOSE_WAIT" \
	"CLOSE_WAIT LAST_ACK" "LAST_ACK CLOSE"; do
	# shellcheck disable=SC2086
	is "$(pair $p)" "$N" "${p/ / -> }: N"
done
is "$(pair CLOSE LISTEN) $(pair LISTEN CLOSE)" "1 1" "the listener: CLOSE -> LISTEN -> CLOSE"
is "$(field resets_sent)" "$d_OutRsts" "resets sent = OutRsts ($((M + K)))"
is "$(field resets_received)" $((M + K)) "resets received: M (the server's children) + K (refused)"
proc() { jq -r --argjson p "$1" '[.by_process[] | select(.pid == $p) | .count] | add // 0' <<<"$ks"; }
is "$(proc "$client_pid") $(proc "$server_pid")" "$((N * 5 + M * 3 + K * 2)) $((N * 5 + M * 3 + 2))" \
	"by process: the client's and the server's transitions"
is "$(jq -r '.by_process | length' <<<"$ks")" 2 "by process: nobody else, nobody '?'"
port() { jq -r --argjson p "$1" '[.by_port[] | select(.port == $p) | .count] | add // 0' <<<"$ks"; }
# A client is grouped by the port it connects to from its first transition
# (connect() reports CLOSE -> SYN_SENT before it picks its local port: the
# old port-number guess put those under port 0), a server child by its own.
is "$(port 0) $(port 7300) $(port 7301)" "0 $((tot - 2 * K)) $((2 * K))" \
	"by port: 7300 (the server, its clients from connect() on), 7301 (the refused), no port 0"
is "$(jq -r '[.reset_talkers[] | "\(.pid // "none")=\(.count)"] | sort | join(" ")' <<<"$ks")" \
	"$(printf '%s\n' "$client_pid=$((M + K))" "$server_pid=$M" "none=$K" | sort | paste -sd' ')" \
	"reset talkers: the client (linger 0, refused), the server's children, no socket"
is "$(jq -c '.overflow' <<<"$ks")" \
	'{"by_transition":0,"by_process":0,"by_port":0,"reset_talkers":0,"retransmit_talkers":0}' \
	"no table overflowed"

# Text: the same counts, and no event line before the summary.
kt=$d/k.txt
is "$(grep -m1 . "$kt")" \
	"$(field events) events in $(sed -n 's/.* events in \([0-9.]*\) s:.*/\1/p' "$kt") s: $tot transitions (0 not in the RFC 9293 table), 0 retransmits, $((M + K)) resets received, $((M + K)) sent; 0 events lost" \
	"text --summary: the summary line first, nothing per event" "$(head -5 "$kt")"
like "$(sed -n '/^By process:/,/^[^ ]/p' "$kt")" "  python3\\[$client_pid\\] +$((N * 5 + M * 3 + K * 2))" \
	"text --summary: by process names the client"

# --lifetimes: only X -> CLOSE, counted in the kernel the same.
lks=$(jq -c 'select(.event == "summary") | del(.seconds, .skipped)' "$d/lk.json")
lus=$(jq -c 'select(.event == "summary") | del(.seconds, .skipped)' "$d/lu.json")
is "$lks" "$lus" "--lifetimes: the kernel's summary equals the per-event one" "kernel: $lks" "per-event: $lus"
is "$(jq -r '.transitions' <<<"$lks")" $((2 * N + 2 * M + K + 1)) \
	"--lifetimes --summary: one per closed socket (2N + 2M + K + the listener)"
is "$(jq -r 'select(.event == "lifetime")' "$d/lu.json" | jq -s length)" $((2 * N + 2 * M + K + 1)) \
	"--lifetimes --with-summary: as many lifetime lines"

# By port from the socket's side, not from its port number: a server on a
# high port whose clients bound low local ports (20000-20004), as with a
# wide ip_local_port_range. The old guess (a local port >= 32768 facing a
# lower one is a client's) counted both ends under 20000-20004. Port 61000
# is above the default ephemeral range the clients above drew from, so no
# TIME_WAIT of theirs holds it.
"$TCPDOCTOR" --json --netns "$NS" trace --summary --for 60s >"$d/hk.json" 2>"$d/hk.err" &
thk=$!
"$TCPDOCTOR" --json --netns "$NS" trace --with-summary --for 60s >"$d/hu.json" 2>"$d/hu.err" &
thu=$!
traces_attached "$thk" "$thu"
ip netns exec "$NS" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 61000)); s.listen(8)
for i in range(5):
    c = socket.socket(); c.bind(("127.0.0.1", 20000 + i)); c.connect(("127.0.0.1", 61000))
    a, _ = s.accept(); c.close(); a.recv(10); a.close()
s.close()
' || bail "the high-port workload failed"
wait_for 30 quiet || diag "sockets still open: $(ss -N "$NS" -tan)"
seen_close() {
	jq -r 'select(.event == "state" and .old == "LISTEN" and .new == "CLOSE") | .cookie' \
		"$d/hu.json" | grep -q .
}
wait_for 10 seen_close || diag "the per-event trace did not show the listener's close"
kill -INT "$thk" "$thu"
wait "$thk" "$thu"
hks=$(jq -c 'select(.event == "summary")' "$d/hk.json")
hus=$(jq -c 'select(.event == "summary")' "$d/hu.json")
for s in "$hks" "$hus"; do
	is "$(jq -r '[.by_port[] | "\(.port)=\(.count)"] | join(" ")' <<<"$s")" \
		"61000=$(jq -r .transitions <<<"$s")" \
		"by port: every transition under the server's port 61000, none under 20000-20004" "$s"
done
is "$(jq -r .transitions <<<"$hks")" 52 "the high-port workload: 5 x 10 transitions + the listener's 2"

# A full table: connects refused by 4,100 closed ports, each counted under
# its port (CLOSE -> SYN_SENT -> CLOSE). The kernel's by-port table has
# slots for 4,096 ports (TD_TR_SUM_PORTS, src/bpf/trace.h), handed out in
# the order the ports are first seen: the last 4 ports' 8 transitions are
# overflow, still in the totals, none lost.
"$TCPDOCTOR" --json --netns "$NS" trace --summary --for 60s >"$d/ok.json" 2>"$d/ok.err" &
tok=$!
"$TCPDOCTOR" --netns "$NS" --no-color trace --summary --for 60s >"$d/ok.txt" 2>"$d/okt.err" &
tto=$!
traces_attached "$tok" "$tto"
ip netns exec "$NS" python3 -c '
import socket
for p in range(10000, 14100):
    try: socket.create_connection(("127.0.0.1", p))
    except ConnectionRefusedError: pass
' || bail "the refused connects failed"
wait_for 30 quiet || diag "sockets still open: $(ss -N "$NS" -tan)"
kill -INT "$tok" "$tto"
wait "$tok" "$tto"
oks=$(jq -c 'select(.event == "summary")' "$d/ok.json")
is "$(jq -r '"\(.transitions) \(.lost) \(.overflow.by_port) \(.overflow.by_process)"' <<<"$oks")" \
	"8200 0 8 0" "4,100 ports: 8,200 transitions, the last 4 ports' 8 as by-port overflow" "$oks"
is "$(jq -r '[.by_port[].count] | unique | join(" ")' <<<"$oks")" 2 \
	"by port: each port shown has its 2 transitions" "$oks"
like "$(cat "$d/ok.txt")" "Not in the tables above \\(a table was full\\): 0 transitions, 0 by process, 8 by port" \
	"text: the overflow is said"

td trace --summary --with-summary --for 10ms
is "$TD_RC" 2 "--summary with --with-summary: usage error"

td_done
