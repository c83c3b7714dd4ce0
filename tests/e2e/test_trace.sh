#!/bin/bash
# `tcpdoctor trace` in a namespace this test creates: python3 actors make a
# handshake, an active close (client) and a passive close (server), and a
# connect to a closed port; the exact transition sequence of each socket, the
# owner's pid, the cookie shared with `conns --json`, lifetimes with a port
# filter, the FSM check, 0 lost events, the reset; and without root, exit 3.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip jq setpriv
need_python
need_binary

"$TCPDOCTOR" trace --for 100ms >/dev/null 2>"$TD_TMP/probe.err"
if [ $? -ne 0 ]; then
	echo "ok 1 - $(basename "$0") # SKIP trace unavailable: $(head -1 "$TD_TMP/probe.err")"
	exit 0
fi

ns_create NS trace
sync_dir=$TD_TMP/sync
mkdir -p "$sync_dir"

# Server: listen, accept one, read to EOF, close (the passive close), close the
# listener. Client: connect, send, wait for the go, close first (active
# close), then connect to a closed port (a reset). Each writes its pid.
server='
import os, socket, sys, time
d = sys.argv[1]
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 7000)); s.listen(8)
open(d + "/server.pid", "w").write(str(os.getpid()))
a, _ = s.accept()
while a.recv(100): pass
time.sleep(0.2)
a.close(); s.close()
'
client='
import os, socket, sys, time
d = sys.argv[1]
c = socket.socket(); c.connect(("127.0.0.1", 7000)); c.send(b"hello")
open(d + "/client.pid", "w").write(str(os.getpid()))
while not os.path.exists(d + "/go"): time.sleep(0.02)
c.close()
time.sleep(0.5)
r = socket.socket()
try: r.connect(("127.0.0.1", 7001))
except ConnectionRefusedError: pass
time.sleep(0.3)
'

"$TCPDOCTOR" --netns "$NS" trace --json --transitions --resets --for 8s \
	>"$TD_TMP/all.json" 2>"$TD_TMP/all.err" &
tr_all=$!
TD_PIDS+=("$tr_all")
"$TCPDOCTOR" --netns "$NS" trace --json --lifetimes --port 7000 --for 8s \
	>"$TD_TMP/life.json" 2>"$TD_TMP/life.err" &
tr_life=$!
TD_PIDS+=("$tr_life")
sleep 1.5 # load and attach: tens of ms; generous on a busy machine

spawn_py "$NS" "$server" "$sync_dir"
wait_for 5 test -s "$sync_dir/server.pid" || bail "server did not start"
spawn_py "$NS" "$client" "$sync_dir"
client_py=$SPAWNED
wait_for 5 test -s "$sync_dir/client.pid" || bail "client did not connect"
server_pid=$(cat "$sync_dir/server.pid")
client_pid=$(cat "$sync_dir/client.pid")
conns_cookie=$("$TCPDOCTOR" --netns "$NS" conns --json |
	jq -r '.sockets[] | select(.state == "ESTABLISHED" and .rport == 7000) | .cookie')
touch "$sync_dir/go"
wait "$client_py" 2>/dev/null
wait "$tr_all"
is "$?" 0 "trace --for 8s ends by itself with exit 0"
wait "$tr_life"

ev=$TD_TMP/all.json
ndjson() { jq -e . "$1" >/dev/null; }
check "every line is one JSON object (NDJSON)" ndjson "$ev"
seq_of() { # cookie -> "OLD>NEW OLD>NEW ..."
	jq -r --argjson c "$1" 'select(.event == "state" and .cookie == $c) | "\(.old)>\(.new)"' \
		"$ev" | paste -sd' ' -
}
c_cookie=$(jq -r 'select(.event == "state" and .new == "SYN_SENT" and .rport == 7000) | .cookie' "$ev" | head -1)
s_cookie=$(jq -r 'select(.event == "state" and .old == "LISTEN" and .new == "SYN_RECV") | .cookie' "$ev" | head -1)
l_cookie=$(jq -r 'select(.event == "state" and .new == "LISTEN") | .cookie' "$ev" | head -1)
is "$(seq_of "${c_cookie:-0}")" \
	"CLOSE>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>FIN_WAIT1 FIN_WAIT1>FIN_WAIT2 FIN_WAIT2>CLOSE" \
	"client (active close): exact transition sequence" "$(cat "$ev")"
is "$(seq_of "${s_cookie:-0}")" \
	"LISTEN>SYN_RECV SYN_RECV>ESTABLISHED ESTABLISHED>CLOSE_WAIT CLOSE_WAIT>LAST_ACK LAST_ACK>CLOSE" \
	"server child (passive close): exact transition sequence"
is "$(seq_of "${l_cookie:-0}")" "CLOSE>LISTEN LISTEN>CLOSE" "listener: CLOSE>LISTEN>CLOSE"
is "$(jq -r --argjson c "${c_cookie:-0}" 'select(.cookie == $c) | .pid' "$ev" | sort -u)" \
	"$client_pid" "client: every event carries the client's pid"
is "$(jq -r --argjson c "${s_cookie:-0}" 'select(.cookie == $c and .new == "LAST_ACK") | .pid' "$ev")" \
	"$server_pid" "server child: its close carries the server's pid"
is "$(jq -r --argjson c "${s_cookie:-0}" 'select(.cookie == $c) | .pid' "$ev" |
	grep -v -x -e null -e "$server_pid" | wc -l)" 0 \
	"server child: never a wrong pid (the server's, or null when not known)"
is "$(jq -r --argjson c "${l_cookie:-0}" 'select(.cookie == $c) | .pid' "$ev" | sort -u)" \
	"$server_pid" "listener: the server's pid"
is "$c_cookie" "$conns_cookie" "the trace cookie is conns --json's cookie"
is "$(jq -r --argjson c "${c_cookie:-0}" 'select(.cookie == $c and .new == "CLOSE") | .lport' "$ev")" \
	"$(jq -r --argjson c "${c_cookie:-0}" 'select(.cookie == $c and .new == "ESTABLISHED") | .lport' "$ev")" \
	"X -> CLOSE still shows the local port the kernel already released"
is "$(jq -r 'select(.event == "state") | .fsm' "$ev" | grep -vc -x -e rfc -e detour)" 0 \
	"every transition is in the FSM table or a known detour"
is "$(jq -r 'select(.event == "reset_received") | "\(.rport) \(.state)"' "$ev")" "7001 SYN_SENT" \
	"--resets: the refused connect shows as a reset received in SYN_SENT"
like "$(cat "$TD_TMP/all.err")" "(^|[^0-9])0 events lost" "0 events lost"
is "$(jq -r 'select(.event == "reset_sent" and .socket == false) | "\(.lport) \(.rport) \(.reason) \(.cookie) \(.pid)"' "$ev")" \
	"7001 $(jq -r 'select(.event == "reset_received") | .lport' "$ev") NO_SOCKET null null" \
	"--resets: the RST the kernel sent for the closed port, no socket, reason NO_SOCKET" \
	"$(grep reset "$ev")"
like "$(cat "$ev")" '"reason":"NO_SOCKET"' 'JSON says "reason":"NO_SOCKET"'

# --lifetimes --port 7000: one line per closed socket on that port.
lf=$TD_TMP/life.json
is "$(jq -r '.event' "$lf" | sort -u)" "lifetime" "--lifetimes: only lifetime events"
is "$(jq -r 'select(.lport != 7000 and .rport != 7000)' "$lf" | wc -l)" 0 \
	"--port 7000: nothing else"
is "$(jq -r --argjson c "${c_cookie:-0}" 'select(.cookie == $c) | "\(.closer) \(.bytes_out > 0)"' "$lf")" \
	"local true" "client lifetime: closed first by this end, bytes out"
is "$(jq -r --argjson c "${s_cookie:-0}" 'select(.cookie == $c) | "\(.closer) \(.bytes_in > 0)"' "$lf")" \
	"remote true" "server lifetime: closed first by the peer, bytes in"
is "$(jq -r 'select(.duration_ms < 0)' "$lf" | wc -l)" 0 "durations are not negative"
is "$(wc -l <"$lf")" 3 "three sockets closed on port 7000 (client, server child, listener)"

# --summary: lost events and the transitions table.
td --netns "$NS" trace --for 300ms --summary
is "$TD_RC" 0 "--summary exits 0"
like "$TD_OUT" "0 events lost" "--summary reports lost events"
td --netns "$NS" trace --for 300ms --summary --json
is "$(jq -r 'select(.event == "summary") | .lost' <<<"$TD_OUT")" 0 "--summary --json: lost 0"

# ---- errors --------------------------------------------------------------------

td trace --for bogus
is "$TD_RC" 2 "--for bogus: usage error"
td trace --sport 80
is "$TD_RC" 2 "--sport is not a trace filter: usage error"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$TCPDOCTOR" trace --for 1s 2>&1)
rc=$?
is "$rc" 3 "as nobody: exit 3"
is "$(wc -l <<<"$out")" 1 "as nobody: one line"
like "$out" "root" "as nobody: says it needs root"

td_done
