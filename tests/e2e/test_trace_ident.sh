#!/bin/bash
# trace names each owner as check, conns, who and states --by process do:
# comm[pid], user, unit, container, command line in text, the `process`
# object in JSON. Two python3 servers (one comm) with different command
# lines, one with hostile bytes in it, must be told apart on every event of
# their sockets. The unit and container come from a fake proc tree
# (TD_PROCDIR, the cgroup file only: PID 1 here is not systemd, so there is
# no systemd-run, and no container runtime runs); the command line and user
# from the real /proc. Oracles: each server's own /proc/PID/cmdline and
# /proc/PID's owner, and the cgroup lines written for them. Last, a client
# gone before trace reads its /proc entry (trace stopped meanwhile) keeps
# the comm the kernel recorded, and nothing is guessed for the rest.
# jq programs sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip jq
need_python
need_binary

need_trace

NS=td-trident-$$
ns_add "$NS"

# A server: accept, read to EOF, close (so its sockets pass through
# SYN_RECV, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE as its own).
cat >"$TD_TMP/s.py" <<'EOF'
import signal, socket, sys
signal.alarm(600)
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1]))); l.listen(64)
while True:
    a, _ = l.accept()
    while a.recv(100): pass
    a.close()
EOF
HOSTILE=$'\e]0;x\a\n' # a title sequence, a bell, a newline
spawn "$NS" "$TD_PY" "$TD_TMP/s.py" 7301 alpha
PA=$SPAWNED
spawn "$NS" "$TD_PY" "$TD_TMP/s.py" 7302 "$HOSTILE"
PB=$SPAWNED
listening() { [ "$(ip netns exec "$NS" ss -Htln 'sport >= :7301 and sport <= :7302' | wc -l)" = 2 ]; }
wait_for 10 listening || bail "the two servers are not listening"

# Their identities beyond the real /proc: a systemd service for A, a Docker
# container (systemd driver, cgroup v2; its config.v2.json under TD_ROOTDIR)
# for B.
FAKE=$TD_TMP/proc
mkdir -p "$FAKE/$PA" "$FAKE/$PB"
UNIT_A=td-alpha-$$.service
printf '0::/system.slice/%s\n' "$UNIT_A" >"$FAKE/$PA/cgroup"
cp "$TD_SRCDIR/tests/data/cgroup/docker-systemd-v2" "$FAKE/$PB/cgroup"
CID=4f1b8e2c9a7d6b3e5f0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f
export TD_PROCDIR=$FAKE TD_ROOTDIR=$TD_SRCDIR/tests/data/cgroup/root

cmdline_of() { "$TD_PY" -c 'import sys
b = open("/proc/%s/cmdline" % sys.argv[1], "rb").read().rstrip(b"\0").replace(b"\0", b" ")
sys.stdout.write(b.decode())' "$1"; }
CMD_A=$(cmdline_of "$PA")
CMD_B=$(cmdline_of "$PB")$'\n' # $( ) drops the trailing newline of the argument
USER_A=$(stat -c %U "/proc/$PA")
USER_B=$(stat -c %U "/proc/$PB")
is "$CMD_A" "$TD_PY $TD_TMP/s.py 7301 alpha" "oracle: A's command line"

attached() { ls -l "/proc/$1/fd" 2>/dev/null | grep -q 'anon_inode:\[eventpoll\]'; }
"$TCPDOCTOR" --netns "$NS" trace --json --port 7301 --port 7302 --for 120s \
	>"$TD_TMP/ev.json" 2>"$TD_TMP/ev.err" &
TJ=$!
TD_PIDS+=("$TJ")
"$TCPDOCTOR" --netns "$NS" --no-color trace --port 7301 --port 7302 --with-summary --for 120s \
	>"$TD_TMP/ev.txt" 2>"$TD_TMP/txt.err" &
TT=$!
TD_PIDS+=("$TT")
"$TCPDOCTOR" --netns "$NS" trace --json --lifetimes --port 7301 --port 7302 --with-summary --for 120s \
	>"$TD_TMP/life.json" 2>"$TD_TMP/life.err" &
TL=$!
TD_PIDS+=("$TL")
for p in "$TJ" "$TT" "$TL"; do
	wait_for 20 attached "$p" || bail "trace $p did not attach: $(cat "$TD_TMP"/*.err)"
done

# A client (bash, its own comm) to each server: send, close; the server
# reads EOF and closes: its LAST_ACK -> CLOSE ends each connection.
poke() { ip netns exec "$NS" bash -c "exec 3<>/dev/tcp/127.0.0.1/$1; echo hi >&3; exec 3>&-"; }
closed() { # FILE PORT: the server's side of a connection to PORT reached CLOSE
	# (-s: jq 1.6's -e answers for the last line only)
	jq -se --argjson p "$2" 'any(.[]; .lport == $p and .old == "LAST_ACK")' "$1" >/dev/null 2>&1
}
for port in 7301 7302; do
	poke $port || bail "connect to :$port"
	wait_for 20 closed "$TD_TMP/ev.json" $port || bail "no LAST_ACK -> CLOSE on :$port in trace --json"
	wait_for 20 closed "$TD_TMP/life.json" $port || bail "no lifetime of :$port"
	wait_for 20 grep -q "127.0.0.1:$port -> .* LAST_ACK -> CLOSE" "$TD_TMP/ev.txt" ||
		bail "no LAST_ACK -> CLOSE on :$port in the text trace"
done

# ---- the gone client: trace stopped while it connects and exits ----------------
kill -STOP "$TJ"
ip netns exec "$NS" "$TD_PY" -c '
import ctypes, socket
ctypes.CDLL(None).prctl(15, b"td-gone", 0, 0, 0)
c = socket.create_connection(("127.0.0.1", 7301)); c.send(b"x"); c.close()
import time; time.sleep(0.3)' &
GONE=$!
wait "$GONE"
check "the client is gone before trace reads its events" test ! -e "/proc/$GONE"
kill -CONT "$TJ"
gone_seen() { jq -se --argjson p "$GONE" 'any(.[]; .pid == $p)' "$TD_TMP/ev.json" >/dev/null 2>&1; }
wait_for 20 gone_seen || diag "no event of the gone client $GONE"

kill -INT "$TJ" "$TT" "$TL"
for p in "$TJ" "$TT" "$TL"; do
	wait "$p"
	is "$?" 0 "trace $p: exit 0 on SIGINT"
done

# ---- JSON ---------------------------------------------------------------------------
J=$TD_TMP/ev.json
ident() { # FILE PORT: the distinct "pid comm user unit container" of the server side's events
	jq -r --argjson p "$2" 'select(.lport == $p and .event == "state") | .process |
		"\(.pid) \(.comm) \(.user) \(.unit) \(.container)"' "$1" | sort -u
}
n=$(jq -s '[.[] | select(.lport == 7301 and .event == "state")] | length' "$J")
[ "$n" -ge 4 ] && ok "JSON: $n events of A's sockets" || not_ok "JSON: $n events of A's sockets (want 4+)"
is "$(ident "$J" 7301)" "$PA python3 $USER_A $UNIT_A null" \
	"JSON: every event of :7301 names A: pid, comm, user, its unit, no container"
is "$(ident "$J" 7302)" "$PB python3 $USER_B docker-$CID.scope docker:web1" \
	"JSON: every event of :7302 names B: its container and scope"
is "$(jq -r --arg w "$CMD_A" 'select(.lport == 7301 and .event == "state") | .process.cmdline == $w' "$J" |
	sort -u)" true "JSON: A's command line on each of its events, as /proc has it"
is "$(jq -r --arg w "$CMD_B" 'select(.lport == 7302 and .event == "state") | .process.cmdline == $w' "$J" |
	sort -u)" true "JSON: B's command line, control bytes and all, as /proc has it"
like "$(grep -m1 '"lport":7302' "$J")" '"cmdline":"[^"]*7302 \\u001b\]0;x\\u0007\\n"' \
	"JSON: the control bytes written as \\u escapes"
is "$(jq -r 'select(.process != null) | [.pid == .process.pid, .comm == .process.comm] | all' "$J" |
	sort -u)" true "JSON: pid and comm are the process object's"
is "$(jq -r 'select(.rport == 7301 and .event == "state" and .process != null) | .process.comm' "$J" |
	grep -v td-gone | sort -u)" bash "JSON: the client side of the connections is bash's"
is "$(jq -r --argjson p "$GONE" 'select(.pid == $p) |
	"\(.comm) \(.process.comm) \(.process.cmdline) \(.process.user) \(.process.unit)"' "$J" | sort -u)" \
	"td-gone td-gone null null null" \
	"JSON: a client gone before trace looked keeps its recorded comm, nothing guessed"

L=$TD_TMP/life.json
is "$(jq -r 'select(.event == "lifetime" and .lport == 7302) | "\(.process.pid) \(.process.container)"' "$L" |
	sort -u)" "$PB docker:web1" "--lifetimes: B's lifetime names B"
is "$(jq -r '.by_process[]? | select(.pid == '"$PA"') | "\(.process.cmdline == "'"$CMD_A"'") \(.process.unit)"' "$L")" \
	"true $UNIT_A" "--summary by_process: A's row has its process object"

# ---- text ---------------------------------------------------------------------------
T=$TD_TMP/ev.txt
is "$(tr -d '\n' <"$T" | LC_ALL=C grep -c '[[:cntrl:]]')" 0 \
	"text: no control byte from B's command line reaches stdout"
rest_a="user=$USER_A unit=$UNIT_A cmd=\"$CMD_A\""
rest_b="user=$USER_B container=docker:web1 unit=docker-$CID.scope cmd=\"$TD_PY $TD_TMP/s.py 7302 ^[]0;x^G^J\""
lines_a=$(grep -E "^[0-9:.]+ .*127\.0\.0\.1:7301 -> 127\.0\.0\.1:[0-9]+ " "$T")
lines_b=$(grep -E "^[0-9:.]+ .*127\.0\.0\.1:7302 -> 127\.0\.0\.1:[0-9]+ " "$T")
names() { # LINES PID REST: how many lines do not have comm[PID] first and REST last
	local l bad=0
	while IFS= read -r l; do
		[[ $l =~ ^[0-9:.]+\ python3\[$2\]\  && $l == *" $3" ]] || bad=$((bad + 1))
	done <<<"$1"
	echo $bad
}
n=$(grep -c . <<<"$lines_a")
[ "$n" -ge 4 ] && ok "text: $n lines of A's sockets" || not_ok "text: $n lines of A's sockets (want 4+)" "$(cat "$T")"
is "$(names "$lines_a" "$PA" "$rest_a")" 0 "text: each of A's lines: python3[$PA] in the owner column, then at the end $rest_a" "$lines_a"
is "$(names "$lines_b" "$PB" "$rest_b")" 0 "text: each of B's lines names it, its command line escaped" "$lines_b"
like "$(head -1 <<<"$lines_a")" "^[0-9:.]+ python3\[$PA\] +127\.0\.0\.1:7301 " \
	"text: comm[pid] in the owner column, as the other commands write it"
by_proc=$(sed -n '/^By process:/,/^[^ ]/p' "$T")
like "$by_proc" "  python3\[$PA\] +[0-9]+ user=$USER_A unit=$UNIT_A cmd=" \
	"--summary: A's by-process row, who it is after the count"
like "$by_proc" "  python3\[$PB\] +[0-9]+ user=$USER_B container=docker:web1 " \
	"--summary: B's row"
[ -n "${TDC_KEEP:-}" ] && cp "$TD_TMP"/ev.* "$TD_TMP"/life.json "$TDC_KEEP"/
td_done
