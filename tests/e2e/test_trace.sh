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

need_trace

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
# Attached: trace opens its ring buffer's epoll after the last link and the
# owner walk of the sockets already there,
# and events from then on wait in the ring.
attached() { ls -l "/proc/$1/fd" 2>/dev/null | grep -q 'anon_inode:\[eventpoll\]'; }
wait_for 10 attached "$tr_all" || bail "trace --transitions did not attach: $(cat "$TD_TMP/all.err")"
wait_for 10 attached "$tr_life" || bail "trace --lifetimes did not attach: $(cat "$TD_TMP/life.err")"

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
is "$(jq -r 'select(.event == "reset_received") | .pid' "$ev")" "$client_pid" \
	"the refused socket's reset received carries the client's pid (from connect())"
is "$(jq -r --argjson c "${s_cookie:-0}" \
	'select(.cookie == $c and (.new == "SYN_RECV" or .new == "ESTABLISHED")) | .pid' "$ev" | sort -u)" \
	"$server_pid" "server child: the handshake carries the server's pid (the listener's owner)"

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
# The byte counts are read at the close only: the per-event close says what
# the lifetime line says.
bytes_at_close() { # file cookie
	jq -r --argjson c "$2" 'select(.cookie == $c and .new == "CLOSE") | "\(.bytes_out) \(.bytes_in)"' "$1"
}
for c in "${c_cookie:-0}" "${s_cookie:-0}"; do
	b=$(bytes_at_close "$ev" "$c")
	is "$b" "$(bytes_at_close "$lf" "$c")" "per-event X -> CLOSE: the same bytes as the lifetime ($b)"
	check "per-event X -> CLOSE: bytes counted ($b)" test "${b% *}${b#* }" != 00
done
is "$(wc -l <"$lf")" 3 "three sockets closed on port 7000 (client, server child, listener)"

# --summary: lost events and the transitions table.
td --netns "$NS" trace --for 300ms --summary
is "$TD_RC" 0 "--summary exits 0"
like "$TD_OUT" "0 events lost" "--summary reports lost events"
td --netns "$NS" trace --for 300ms --summary --json
is "$(jq -r 'select(.event == "summary") | .lost' <<<"$TD_OUT")" 0 "--summary --json: lost 0"

# ---- resets, retransmits and owners across a veth ----------------------------
# The server (in NS_A, named with control bytes) has a connection before the
# trace starts (its owner comes from the walk at start), then a handshake
# (children take the listener's owner), a close with unread data (a RST,
# TCP_ABORT_ON_CLOSE) and data into a blackhole (retransmits, in softirq).
# The client is in NS_B. The server's probes to a closed port show when the
# traces are attached; one of them keeps only the server's events (--pid, in
# the kernel).
ns_pair rst
rd=$TD_TMP/rst
mkdir -p "$rd"
server='
import ctypes, os, select, socket, sys, time
d = sys.argv[1]
def wait(n):
    while not os.path.exists(d + "/" + n): time.sleep(0.02)
ctypes.CDLL(None).prctl(15, b"ev\x1b]0;pwned\x07x", 0, 0, 0)
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.1", 7100)); s.listen(8)
open(d + "/server.pid", "w").write(str(os.getpid()))
a1, _ = s.accept()
open(d + "/accepted1", "w").write("")
while not os.path.exists(d + "/attached"):
    p = socket.socket()
    try: p.connect(("127.0.0.1", 7999))
    except OSError: pass
    p.close(); time.sleep(0.05)
a2, _ = s.accept()
a3, _ = s.accept()
while not select.select([a3], [], [], 5)[0]: pass
wait("abort")
a3.close()
wait("send")
a2.send(b"x" * 1000)
wait("end")
'
client='
import os, socket, sys, time
d = sys.argv[1]
def wait(n):
    while not os.path.exists(d + "/" + n): time.sleep(0.02)
c1 = socket.create_connection(("192.0.2.1", 7100))
open(d + "/client.pid", "w").write(str(os.getpid()))
wait("close1")
c1.close()
c2 = socket.create_connection(("192.0.2.1", 7100))
c3 = socket.create_connection(("192.0.2.1", 7100))
c3.send(b"unread")
open(d + "/connected23", "w").write("")
wait("syn")
c4 = socket.socket(); c4.setblocking(False); c4.connect_ex(("192.0.2.1", 7100))
wait("end")
'
spawn_py "$NS_A" "$server" "$rd"
wait_for 5 test -s "$rd/server.pid" || bail "veth server did not start"
spawn_py "$NS_B" "$client" "$rd"
wait_for 5 test -e "$rd/accepted1" || bail "veth client did not connect"
srv_pid=$(cat "$rd/server.pid")
"$TCPDOCTOR" --netns "$NS_A" trace --json --transitions --resets --retransmits --for 30s \
	>"$rd/ev.json" 2>"$rd/ev.err" &
tr_json=$!
TD_PIDS+=("$tr_json")
"$TCPDOCTOR" --netns "$NS_A" --no-color trace --transitions --resets --retransmits --with-summary \
	--for 30s >"$rd/text.out" 2>"$rd/text.err" &
tr_text=$!
TD_PIDS+=("$tr_text")
"$TCPDOCTOR" --netns "$NS_A" trace --pid "$srv_pid" --json --transitions --resets --retransmits \
	--for 30s >"$rd/pid.json" 2>"$rd/pid.err" &
tr_pid=$!
TD_PIDS+=("$tr_pid")
probed() { # every trace saw a reset for the closed port 7999
	grep -q '"lport":7999' "$rd/ev.json" && grep -q ':7999 ' "$rd/text.out" &&
		grep -q '"rport":7999' "$rd/pid.json"
}
wait_for 20 probed || bail "the traces did not attach"
touch "$rd/attached"
refused_from_b() { # the client's namespace to a closed port here, IPv4 and IPv6
	ip netns exec "$NS_B" bash -c 'exec 3<>/dev/tcp/192.0.2.1/7997' 2>/dev/null
	ip netns exec "$NS_B" bash -c 'exec 3<>/dev/tcp/2001:db8::1/7997' 2>/dev/null
	[ "$(grep -c '"lport":7997' "$rd/ev.json")" -ge 2 ]
}
wait_for 5 refused_from_b || diag "no resets for port 7997"
touch "$rd/close1"
wait_for 5 test -e "$rd/connected23" || bail "veth client: no second connections"
touch "$rd/abort"
aborted() { jq -e 'select(.event == "reset_sent" and .lport == 7100)' "$rd/ev.json" >/dev/null; }
wait_for 5 aborted || diag "no reset sent for the close with unread data"
ns_blackhole "$NS_A" td0 192.0.2.2
touch "$rd/send"
retransmitted() { grep -q "RETRANSMIT" "$rd/text.out" && grep -q '"retransmit"' "$rd/ev.json"; }
wait_for 10 retransmitted || diag "no retransmit seen"
touch "$rd/syn" # its SYN-ACK goes into the blackhole: retransmitted after ~1 s
synack() { jq -e 'select(.event == "retransmit" and .state == "SYN_RECV")' "$rd/ev.json" >/dev/null; }
wait_for 10 synack || diag "no SYN-ACK retransmit seen"
kill -INT "$tr_json" "$tr_text" "$tr_pid"
wait "$tr_pid"
wait "$tr_json"
is "$?" 0 "veth: the JSON trace ends on SIGINT with exit 0"
wait "$tr_text"
is "$?" 0 "veth: the text trace ends on SIGINT with exit 0"
touch "$rd/end"

rj=$rd/ev.json
is "$(jq -r 'select(.event == "state" and .lport == 7100 and .new == "CLOSE_WAIT") | .pid' "$rj")" \
	"$srv_pid" "a connection from before the trace: its CLOSE_WAIT (softirq) has the server's pid" \
	"$(cat "$rj")"
is "$(jq -r 'select(.event == "state" and .lport == 7100 and .old == "LISTEN" and .new == "SYN_RECV") | .pid' "$rj" |
	paste -sd' ' -)" "$srv_pid $srv_pid" \
	"the two handshakes (LISTEN -> SYN_RECV, run in the client's context) have the server's pid"
is "$(jq -r 'select(.event == "state" and .lport == 7100 and .old == "SYN_RECV") | .pid' "$rj" | sort -u)" \
	"$srv_pid" "SYN_RECV -> ESTABLISHED: the server's pid"
is "$(jq -r 'select(.event == "reset_sent" and .lport == 7100) | "\(.reason) \(.socket) \(.pid)"' "$rj")" \
	"TCP_ABORT_ON_CLOSE true $srv_pid" \
	"close() with unread data: a RST sent, TCP_ABORT_ON_CLOSE, by the server"
is "$(jq -r 'select(.event == "retransmit") | .pid' "$rj" | sort -u)" "$srv_pid" \
	"every retransmit (softirq timer) has the server's pid"
is "$(jq -r 'select(.event == "retransmit" and .state == "SYN_RECV") | "\(.lport) \(.raddr) \(.pid)"' "$rj" |
	sort -u)" "7100 192.0.2.2 $srv_pid" \
	"a SYN-ACK retransmitted for a request socket: the listener's owner, the request's tuple"
is "$(jq -r 'select(.event == "reset_sent" and .socket == false) | "\(.lport) \(.reason)"' "$rj" | sort -u)" \
	"7997 NO_SOCKET
7999 NO_SOCKET" "the probes to closed ports: RSTs sent without a socket, NO_SOCKET"
is "$(jq -r 'select(.reason != null) | .reason | type' "$rj" | sort -u)" "string" \
	"every reason is a name, never a bare number"

is "$(jq -r 'select(.event == "reset_sent" and .lport == 7997) | "\(.family) \(.laddr) \(.raddr) \(.socket) \(.reason)"' "$rj" |
	sort -u)" "ipv4 192.0.2.1 192.0.2.2 false NO_SOCKET
ipv6 2001:db8::1 2001:db8::2 false NO_SOCKET" \
	"a RST for a closed port from a peer: the segment's tuple reversed, IPv4 and IPv6"
rp=$rd/pid.json
is "$(jq -r '.pid' "$rp" | sort -u)" "$srv_pid" "--pid: only the server's events"
is "$(jq -r 'select(.event == "state" and .lport == 7100 and .new == "CLOSE_WAIT") | .pid' "$rp")" \
	"$srv_pid" "--pid: the kernel's filter knows the owner of a connection from before the trace"
is "$(jq -r 'select(.event == "reset_sent") | .reason' "$rp")" "TCP_ABORT_ON_CLOSE" \
	"--pid: the server's abort, and no socketless reset (it has no owner)"
has_retransmit() { jq -e 'select(.event == "retransmit")' "$1" >/dev/null; }
check "--pid: the server's retransmits" has_retransmit "$rp"

rt=$rd/text.out
is "$(tr -d '\t\n' <"$rt" | LC_ALL=C grep -c '[[:cntrl:]]')" 0 \
	"text: no control byte from the hostile process name reaches stdout"
like "$(cat "$rt")" "ev\\^\\[\\]0;pwned\\^Gx\\[$srv_pid\\]" "text: the name is shown escaped, lsof style"
like "$(grep 'RESET sent' "$rt" | grep -m1 ':7999 ')" "no socket .*RESET sent \(NO_SOCKET\)" \
	"text: a RST for a closed port, owner 'no socket', reason NO_SOCKET"
like "$(grep ':7100 ' "$rt" | grep 'RESET sent')" "\\[$srv_pid\\] .*RESET sent in CLOSE \(TCP_ABORT_ON_CLOSE\)" \
	"text: the abort names its reason"
like "$(sed -n '/^Retransmits by process:/,/^[^ ]/p' "$rt" | sed -n 2p)" "^  [^ ]+\\[$srv_pid\\] " \
	"--summary: retransmits by process names the server"
is "$(sed -n '/^Retransmits by process:/,/^[^ ]/p' "$rt" | grep -c '^  ?')" 0 \
	"--summary: no retransmit counted for '?'"
sent=$(sed -n 's/.* resets received, \([0-9]*\) sent;.*/\1/p' "$rt")
check "--summary: resets sent counts the socketless ones too (got ${sent:-none})" \
	test "${sent:-0}" -ge 2
like "$(sed -n '/^Resets by process:/,/^[^ ]/p' "$rt")" "no socket" \
	"--summary: resets by process has a 'no socket' row"

# ---- shared listeners: the listener's owner, or no guess ---------------------
# Pre-fork: the parent listens on 7201 and keeps the listener (as nginx's
# master does), a forked worker accepts and reads; the handshake is the
# parent's (listen()), the close the worker's (recv()).
# SO_REUSEPORT: two processes with a listener each on 7200; whichever gets
# the connection, the handshake has no owner (no guess), then the one that
# reads it.
sd=$TD_TMP/shared
mkdir -p "$sd"
shared='
import os, select, socket, sys, time
d = sys.argv[1]
def wait(n):
    while not os.path.exists(d + "/" + n): time.sleep(0.02)
def listener(port, reuse):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("127.0.0.1", port)); s.listen(8); return s
def serve(s, tag):
    while not select.select([s], [], [], 0.05)[0]:
        if os.path.exists(d + "/end"): return
    a, _ = s.accept(); a.recv(100)
    open(d + "/" + tag, "w").write(str(os.getpid()))
    wait("end")
wait("go")
pre = listener(7201, False)
open(d + "/parent.pid", "w").write(str(os.getpid()))
if os.fork() == 0:
    serve(pre, "prefork"); os._exit(0)
r1 = listener(7200, True)
if os.fork() == 0:
    r1.close(); r2 = listener(7200, True)
    open(d + "/r2", "w").write("")
    serve(r2, "reuse"); os._exit(0)
wait("r2")
open(d + "/listening", "w").write("")
serve(r1, "reuse")
'
client='
import os, socket, sys, time
d = sys.argv[1]
def wait(n):
    while not os.path.exists(d + "/" + n): time.sleep(0.02)
wait("listening")
for port, tag in ((7201, "prefork"), (7200, "reuse")):
    c = socket.create_connection(("127.0.0.1", port)); c.send(b"hi")
    wait(tag); c.close()
open(d + "/closed", "w").write("")
wait("end")
'
"$TCPDOCTOR" --netns "$NS" trace --json --transitions --resets --for 30s >"$sd/ev.json" 2>"$sd/ev.err" &
tr_sh=$!
TD_PIDS+=("$tr_sh")
probed_ns() {
	ip netns exec "$NS" bash -c 'exec 3<>/dev/tcp/127.0.0.1/7999' 2>/dev/null
	grep -q '"lport":7999' "$sd/ev.json"
}
wait_for 20 probed_ns || bail "the trace did not attach"
spawn_py "$NS" "$shared" "$sd"
spawn_py "$NS" "$client" "$sd"
touch "$sd/go"
wait_for 10 test -e "$sd/closed" || diag "shared listeners: the client did not finish"
closewaits() { [ "$(jq -r 'select(.new == "CLOSE_WAIT") | .lport' "$sd/ev.json" | wc -l)" -ge 2 ]; }
wait_for 5 closewaits || diag "shared listeners: no CLOSE_WAIT seen"
kill -INT "$tr_sh"
wait "$tr_sh"
touch "$sd/end"
sj=$sd/ev.json
parent=$(cat "$sd/parent.pid")
is "$(jq -r 'select(.lport == 7201 and .old == "LISTEN" and .new == "SYN_RECV") | .pid' "$sj")" \
	"$parent" "pre-fork: the handshake has the listener's owner (the parent)" "$(cat "$sj")"
is "$(jq -r 'select(.lport == 7201 and .new == "CLOSE_WAIT") | .pid' "$sj")" \
	"$(cat "$sd/prefork" 2>/dev/null)" "pre-fork: the close has the worker that read it"
isnt "$(cat "$sd/prefork" 2>/dev/null)" "$parent" "pre-fork: the worker is not the parent"
is "$(jq -r 'select(.lport == 7200 and .old == "LISTEN" and .new == "SYN_RECV") | .pid' "$sj")" \
	"null" "SO_REUSEPORT, two processes: the handshake has no owner, not a guess"
is "$(jq -r 'select(.lport == 7200 and .new == "CLOSE_WAIT") | .pid' "$sj")" \
	"$(cat "$sd/reuse" 2>/dev/null)" "SO_REUSEPORT: the close has the process that read it"

# ---- a real server under load: nobody is '?' ---------------------------------
# nginx (a master and two workers sharing the listener) under ab and wrk on
# loopback: handshakes, passive closes and retransmits all run in softirq or
# in the client's process, and every one of them must name a process.
if command -v nginx >/dev/null && command -v ab >/dev/null; then
	ns_create NGX trace-ngx
	nd=$TD_TMP/nginx
	mkdir -p "$nd/www"
	head -c 512 /dev/zero >"$nd/www/small"
	head -c 5000000 /dev/zero >"$nd/www/big"
	cat >"$nd/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $nd/nginx.pid;
error_log $nd/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $nd/body;
	proxy_temp_path $nd/proxy;
	fastcgi_temp_path $nd/fcgi;
	uwsgi_temp_path $nd/uwsgi;
	scgi_temp_path $nd/scgi;
	server { listen 127.0.0.1:8080; root $nd/www; }
}
EOF
	spawn "$NGX" nginx -c "$nd/nginx.conf" -p "$nd"
	nginx_up() { ip netns exec "$NGX" bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080' 2>/dev/null; }
	wait_for 10 nginx_up || bail "nginx did not start: $(tail -1 "$nd/error.log")"
	"$TCPDOCTOR" --netns "$NGX" trace --transitions --resets --retransmits --with-summary \
		--for 60s >"$nd/sum.txt" 2>"$nd/sum.err" &
	tr_ngx=$!
	TD_PIDS+=("$tr_ngx")
	probed_ngx() {
		ip netns exec "$NGX" bash -c 'exec 3<>/dev/tcp/127.0.0.1/7999' 2>/dev/null
		grep -q ':7999 ' "$nd/sum.txt"
	}
	wait_for 20 probed_ngx || bail "the nginx trace did not attach"
	ip netns exec "$NGX" ab -q -n 2000 -c 20 http://127.0.0.1:8080/small >"$nd/ab.out" 2>&1
	is "$?" 0 "nginx: ab ran" "$(tail -3 "$nd/ab.out")"
	if command -v wrk >/dev/null; then
		ip netns exec "$NGX" timeout 10 wrk -t1 -c10 -d2s http://127.0.0.1:8080/big \
			>"$nd/wrk.out" 2>&1
	fi
	kill -INT "$tr_ngx"
	wait "$tr_ngx"
	is "$?" 0 "nginx: the trace ends on SIGINT with exit 0"
	section() { sed -n "/^$1:/,/^[^ ]/p" "$nd/sum.txt" | sed 1d; }
	like "$(section "By process")" "/nginx" "nginx: 'By process' names nginx" \
		"$(sed -n '/events in/,$p' "$nd/sum.txt")"
	is "$(section "By process" | grep -c '^  ?')" 0 "nginx: no transition is '?'"
	is "$(section "Retransmits by process" | grep -c '^  ?')" 0 "nginx: no retransmit is '?'"
	is "$(section "Resets by process" | grep -c '^  ?')" 0 "nginx: no reset is '?'"
	like "$(cat "$nd/sum.txt")" " 0 events lost" "nginx: 0 events lost"
else
	skip "nginx under ab: nobody is '?'" "nginx or ab not installed"
fi

# ---- the end of a trace: what waits in the ring is shown ----------------------
# 20 connections, both ends closed, are 202 transitions (~30 KiB): under the
# wake-up threshold, so nothing wakes the reader and they wait in the ring
# until its 200 ms poll timeout. SIGINT right after the workload ends the
# trace before that: the drain must show every one of them.
"$TCPDOCTOR" --json --netns "$NS" trace >"$TD_TMP/drain.json" 2>"$TD_TMP/drain.err" &
tr_drain=$!
TD_PIDS+=("$tr_drain")
wait_for 10 attached "$tr_drain" || bail "trace (drain) did not attach: $(cat "$TD_TMP/drain.err")"
ip netns exec "$NS" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 7400)); s.listen(32)
for i in range(20):
    c = socket.create_connection(("127.0.0.1", 7400)); a, _ = s.accept()
    c.close(); a.recv(10); a.close()
s.close()
' || bail "the drain workload failed"
kill -INT "$tr_drain"
wait "$tr_drain"
is "$?" 0 "drain: trace ends on SIGINT with exit 0"
is "$(jq -r 'select(.event == "state" and (.lport == 7400 or .rport == 7400)) | .new' \
	"$TD_TMP/drain.json" | wc -l)" 202 \
	"drain: all 202 transitions of the 20 connections, none left in the ring at SIGINT" \
	"$(tail -2 "$TD_TMP/drain.err")"

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
