#!/bin/bash
# `tcpdoctor capture`: live captures in a namespace pair this test creates
# (192.0.2.0/24; python3 actors from tests/data/pcap/actor.py): one line per
# connection as it ends, the -w file readable by tcpdump and telling the same
# story to `tcpdoctor pcap`, root dropped to nobody while it runs, SIGINT/-c/--for
# stops with a summary, in-progress records for a long connection, NDJSON, and
# the one-line error without CAP_NET_RAW.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_binary
DATA=$TD_SRCDIR/tests/data/pcap

# ---- usage errors: no root needed ---------------------------------------------------
td capture --for soon
is "$TD_RC" 2 "--for with a bad duration: usage error"
like "$TD_ERR" "--for 'soon': expected a duration" "--for says what it wants"
td capture -c 0
is "$TD_RC" 2 "-c 0: usage error"
td capture --progress-every -1s
is "$TD_RC" 2 "--progress-every with a negative duration: usage error"

need_root
need_tool tcpdump setpriv
need_python
ns_pair cap
spawn "$NS_A" "$TD_PY" "$DATA/actor.py" server 192.0.2.1 >/dev/null
wait_for 10 ss_has "$NS_A" listening 5 || bail "actors not listening"

client() { ip netns exec "$NS_B" "$TD_PY" "$DATA/actor.py" client "$@" >/dev/null; }
# A connection to the echo port held open SECS seconds before the client closes.
held() {
	ip netns exec "$NS_B" "$TD_PY" -c '
import socket, sys, time
s = socket.create_connection(("192.0.2.1", 5001))
s.sendall(b"hello")
s.recv(100)
time.sleep(float(sys.argv[1]))
s.close()
time.sleep(0.2)' "$1"
}
# Start `tcpdoctor --netns NS_B capture ARGS` in the background; its pid in CAP_PID,
# stdout in $TD_TMP/NAME.out, stderr in NAME.err. Waits until it is capturing.
start_capture() { # name args...
	local name=$1
	shift
	"$TCPDOCTOR" --netns "$NS_B" capture "$@" >"$TD_TMP/$name.out" 2>"$TD_TMP/$name.err" &
	CAP_PID=$!
	TD_PIDS+=("$CAP_PID")
	wait_for 30 grep -q capturing "$TD_TMP/$name.err" ||
		bail "capture $name did not start: $(cat "$TD_TMP/$name.err")"
}
# est_to NS PORT: a connection to PORT is ESTABLISHED in NS (ss).
est_to() { [ -n "$(ss -N "$1" -Htn state established "( dport = :$2 )")" ]; }
finish() { # pid: wait for it, exit status in CAP_RC
	wait "$1"
	CAP_RC=$?
}
# "client-port server conn_state history" of each final text line, sorted.
stories() { grep '^#' | grep -v 'in progress' | awk '{ sub(/.*:/, "", $2); print $2, $4, $9, $10 }' | sort; }

# ---- -w, --for, live lines, uid while running, in-progress records ------------------
start_capture main -i td1 -w "$TD_TMP/main.pcap" --for 5s --progress-every 1 tcp port 5001
is "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$CAP_PID/status")" "65534 65534 65534 65534" \
	"runs as nobody (real, effective, saved, fs uid) once capturing"
is "$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "/proc/$CAP_PID/status")" "65534 65534 65534 65534" \
	"... and group nogroup"
is "$(awk '/^Groups:/ { print NF - 1 }' "/proc/$CAP_PID/status")" 0 "... with no supplementary groups"
is "$(awk '/^CapEff:/ { print $2 }' "/proc/$CAP_PID/status")" 0000000000000000 \
	"... and no capabilities"
held 3 &
hp=$!
wait_for 30 est_to "$NS_B" 5001 || diag "the held connection is not up"
for _ in 1 2 3; do client normal 192.0.2.1; done
client refused 192.0.2.1 # port 5009: not in the filter
wait "$hp"
# The first clients ended more than the 2 s linger ago: their lines are out
# while the capture still runs.
like "$(grep '^#' "$TD_TMP/main.out" | grep -vc 'in progress')" '^[1-9]' \
	"lines appear while capturing, as connections end"
check "... and it was still running then" test -d "/proc/$CAP_PID"
finish "$CAP_PID"
out=$(cat "$TD_TMP/main.out")
is "$CAP_RC" 0 "--for 5s: exits 0"
like "$(grep -m1 '^#' <<<"$out")" ' start=[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{6} ' \
	"a live line's start is the time of day, not seconds since the first packet"
is "$(grep '^#' <<<"$out" | grep -vc 'in progress')" 4 "one line per connection (4, port 5001 only)"
is "$(grep '^#' <<<"$out" | grep -v 'in progress' | awk '{ print $1 }' | sort -u | wc -l)" 4 \
	"... each connection once"
like "$(grep -c 'in progress' <<<"$out")" '^[1-9]' \
	"--progress-every 1: in-progress record(s) for the connection held 3 s"
prog_id=$(grep -m1 'in progress' <<<"$out" | awk '{ print $1 }')
is "$(grep -v 'in progress' <<<"$out" | grep -c "^$prog_id ")" 1 \
	"the held connection has one final line (the idle gap did not split it)"
like "$(grep -m1 'in progress' <<<"$out")" ' S1 .*closed-by=none' "in-progress record: open, not closed"
like "$out" '4 connections in [0-9]+ packets' "summary at the end"
like "$out" 'kernel: [0-9]+ packets received by the filter, 0 dropped by the kernel' \
	"summary has the kernel's counters"
ip netns exec "$NS_B" true # (namespace still there)
tcpdump -nr "$TD_TMP/main.pcap" >"$TD_TMP/tcpdump.txt" 2>/dev/null
is "$?" 0 "tcpdump -r reads the -w file"
is "$(grep -vc 'port 5001\|\.5001[ :]' "$TD_TMP/tcpdump.txt")" 0 "the file holds only what the filter let through"
like "$(wc -l <"$TD_TMP/tcpdump.txt")" '^[1-9][0-9]+$' "... and all of it"
same_lines "$("$TCPDOCTOR" pcap "$TD_TMP/main.pcap" | stories)" "$(stories <<<"$out")" \
	"tcpdoctor pcap on the file tells the same story as the live lines"

# ---- SIGINT: clean stop, summary, exit 0; JSON ------------------------------------------
start_capture int -i td1 tcp port 5001
client normal 192.0.2.1
kill -INT "$CAP_PID"
finish "$CAP_PID"
is "$CAP_RC" 0 "SIGINT: exits 0"
like "$(cat "$TD_TMP/int.out")" '1 connections in [0-9]+ packets' "SIGINT: the summary is printed"

"$TCPDOCTOR" --netns "$NS_B" --json capture -i td1 --for 2s tcp port 5001 \
	>"$TD_TMP/json.out" 2>"$TD_TMP/json.err" &
jp=$!
# --json prints no "capturing" line: it is capturing once it runs as nobody.
as_nobody() { [ "$(awk '/^Uid:/ { print $2 }' "/proc/$1/status" 2>/dev/null)" = 65534 ]; }
wait_for 10 as_nobody "$jp" || diag "--json capture did not start"
client normal 192.0.2.1
wait "$jp"
is "$?" 0 "--json: exits 0"
is "$(jq -s 'all(type == "object")' "$TD_TMP/json.out")" true "--json: every line is one JSON object (NDJSON)"
is "$(jq -r 'select(.summary) | "\(.command) \(.summary.connections) \(.summary.kernel.dropped)"' \
	"$TD_TMP/json.out")" "capture 1 0" "--json: the last line holds the summary, with kernel counters"
is "$(jq -r 'select(.summary) | .stopped_by' "$TD_TMP/json.out")" duration "--json: stopped_by duration"
is "$(jq -r 'select(.id != null) | "\(.conn_state) \(.server.port) \(.closed_by)"' "$TD_TMP/json.out")" \
	"SF 5001 client" "--json: the connection object as pcap --json has it"
is "$(jq -r 'select(.id != null) | keys | join(",")' "$TD_TMP/json.out")" \
	"$("$TCPDOCTOR" pcap "$DATA/normal.pcap" --json | jq -r '.connections[0] | keys | join(",")')" \
	"--json: the same keys as a pcap --json connection"

# ---- -c N ------------------------------------------------------------------------------
start_capture count -i td1 -c 7 -w "$TD_TMP/count.pcap" tcp port 5001
client normal 192.0.2.1
client normal 192.0.2.1
wait_for 30 test ! -d "/proc/$CAP_PID" || kill -INT "$CAP_PID"
finish "$CAP_PID"
is "$CAP_RC" 0 "-c 7: exits 0 by itself"
like "$(cat "$TD_TMP/count.out")" 'connections in 7 packets' "-c 7: stops after 7 packets"
is "$(tcpdump -nr "$TD_TMP/count.pcap" 2>/dev/null | wc -l)" 7 "-c 7: the file has 7 packets"

# ---- errors --------------------------------------------------------------------------------
ip netns exec "$NS_B" setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$TCPDOCTOR" capture -i td1 --for 1s >"$TD_TMP/np.out" 2>"$TD_TMP/np.err"
is "$?" 3 "without CAP_NET_RAW: exit 3"
is "$(wc -l <"$TD_TMP/np.err")" 1 "... with one line"
like "$(cat "$TD_TMP/np.err")" 'permission denied.*CAP_NET_RAW' "... that names CAP_NET_RAW"
td --netns "$NS_B" capture -i nosuch0 --for 1s
is "$TD_RC" 2 "no such interface: exit 2"
like "$TD_ERR" 'nosuch0: no such interface' "... says so"
td --netns "$NS_B" capture -i td1 --for 1s 'port ('
is "$TD_RC" 2 "bad filter: exit 2"
td --netns "$NS_B" capture -i td1 --for 1s --user no-such-user-td
is "$TD_RC" 2 "--user with an unknown user: exit 2"

td_done
