# Shared helpers for the end-to-end tests (sourced by tests/e2e/test_*.sh):
# TAP output with a running counter, root and tool checks, network namespace
# pairs joined by a veth, socket actors, and a cleanup that runs on every exit.
#
# Environment: TCPDOCTOR (absolute path of the binary), TD_SRCDIR (repo root).
# Needs: bash, iproute2 (ip, ss), jq, python3 (socket actors), util-linux.

# Variables set here are used by the scripts that source this file; jq programs
# sit in single quotes on purpose.
# shellcheck shell=bash disable=SC2034,SC2016,SC2015

set -u
export LC_ALL=C

: "${TD_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${TCPDOCTOR:=$TD_SRCDIR/build/tcpdoctor}"
TD_PY=${TD_PY:-$(command -v /usr/bin/python3 || command -v python3 || true)}

TAP_N=0
TAP_FAILED=0
TD_TMP=$(mktemp -d "${TMPDIR:-/tmp}/td-e2e.XXXXXX")
TD_PIDS=()
TD_NETNS=()

# ---- TAP --------------------------------------------------------------------

diag() { # text... : each argument, each of its lines, printed as a TAP comment
	local arg line
	for arg in "$@"; do
		printf '%s\n' "$arg" | while IFS= read -r line; do printf '# %s\n' "$line"; done
	done
}

ok() { # description
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1"
}

not_ok() { # description [diagnostics...]
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $1"
	shift
	[ $# -gt 0 ] && diag "$@"
	return 0
}

# Skips. tests/run allows a skip only when the kernel lacks a feature
# (skip_kernel: the reason starts "kernel:") or, when the run is not root,
# "needs root" (need_root). Every other skip -- a missing tool (need_tool),
# an unbuilt binary -- fails the run: scripts/deps installs every tool the
# suites call, so such a skip is a missing install line, not a pass.
skip() { # description reason
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

skip_kernel() { # description feature : skip because this kernel lacks FEATURE
	skip "$1" "kernel: $2"
}

check() { # description command... : ok when the command succeeds
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc" "command failed: $*"; fi
}

is() { # got expected description [context...]
	local got=$1 want=$2 desc=$3
	shift 3
	if [ "$got" == "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc" "got:      '$got'" "expected: '$want'" "$@"
	fi
}

isnt() { # got unexpected description
	if [ "$1" != "$2" ]; then ok "$3"; else not_ok "$3" "got '$1', which it should not be"; fi
}

like() { # got ERE description
	if [[ $1 =~ $2 ]]; then
		ok "$3"
	else
		not_ok "$3" "got:      '$1'" "expected to match /$2/"
	fi
}

unlike() { # got ERE description
	if [[ $1 =~ $2 ]]; then
		not_ok "$3" "got:      '$1'" "expected NOT to match /$2/"
	else
		ok "$3"
	fi
}

# Compare two multi-line texts (typically sorted records); show a diff on failure.
same_lines() { # got expected description
	if [ "$1" == "$2" ]; then
		ok "$3"
	else
		not_ok "$3" "diff (- expected, + got):" \
			"$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$1") | grep '^[<>]' |
				sed 's/^</-/; s/^>/+/' | head -40)"
	fi
}

# The failure shows what the scene held: the sockets of the two newest
# namespaces (a setup wait on a socket count is the usual bail) and which
# actors were still alive, so a rare flake can be explained from the log.
bail() { # reason : abort the script with a failure
	local ns pid alive=() from=$((${#TD_NETNS[@]} > 2 ? ${#TD_NETNS[@]} - 2 : 0))
	not_ok "setup: $1"
	for ns in "${TD_NETNS[@]:from}"; do
		diag "sockets in $ns:" "$(ss -N "$ns" -tanoi 2>&1 | head -30)"
	done
	for pid in "${TD_PIDS[@]}"; do
		kill -0 "$pid" 2>/dev/null && alive+=("$pid")
	done
	[ ${#TD_PIDS[@]} -gt 0 ] && diag "actors alive: ${alive[*]:-none} of ${TD_PIDS[*]}"
	exit 1
}

# Exit status: 1 when any test failed, so a crash is never mistaken for success.
td_done() {
	echo "# $TAP_N tests, $TAP_FAILED failed"
	[ "$TAP_FAILED" -eq 0 ]
}

# ---- requirements -----------------------------------------------------------

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "ok 1 - $(basename "$0") # SKIP needs root"
		exit 0
	fi
}

need_tool() { # name... : skip the whole script when a tool is missing
	local t
	for t in "$@"; do
		if ! command -v "$t" >/dev/null 2>&1; then
			echo "ok 1 - $(basename "$0") # SKIP needs $t (run scripts/deps)"
			exit 0
		fi
	done
}

need_binary() {
	if [ ! -x "$TCPDOCTOR" ]; then
		echo "ok 1 - $(basename "$0") # SKIP $TCPDOCTOR not built"
		exit 0
	fi
}

# need_trace [ARGS...]: `tcpdoctor trace ARGS --for 100ms` must work, or the
# suite ends here: skipped when the kernel has no BTF (tp_btf needs it),
# otherwise a skip that is not a kernel's, which fails the run.
need_trace() {
	"$TCPDOCTOR" trace "$@" --for 100ms >/dev/null 2>"$TD_TMP/probe.err" && return 0
	if [ ! -r /sys/kernel/btf/vmlinux ]; then
		skip_kernel "$(basename "$0")" "no BTF (/sys/kernel/btf/vmlinux): $(head -1 "$TD_TMP/probe.err")"
	else
		skip "$(basename "$0")" "trace unavailable: $(head -1 "$TD_TMP/probe.err")"
	fi
	exit 0
}

need_python() {
	[ -n "$TD_PY" ] && "$TD_PY" -c 'import socket, selectors, ctypes' 2>/dev/null && return 0
	echo "ok 1 - $(basename "$0") # SKIP needs python3 for the socket actors"
	exit 0
}

# ---- cleanup ----------------------------------------------------------------

td_cleanup() {
	local rc=$? p ns
	trap - EXIT INT TERM HUP PIPE
	for p in "${TD_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for ns in "${TD_NETNS[@]}"; do
		# Anything still running inside our own namespaces was started by us.
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	done
	for p in "${TD_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	for ns in "${TD_NETNS[@]}"; do
		ip netns delete "$ns" 2>/dev/null
	done
	rm -rf "$TD_TMP"
	exit "$rc"
}
trap td_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

# ---- namespaces -------------------------------------------------------------

# ns_create VAR NAME: create namespace td-e2e-NAME-$$ with lo up, store its name
# in VAR, and register it for deletion.
ns_create() {
	local var=$1 ns="td-e2e-$2-$$"
	ip netns add "$ns" || bail "ip netns add $ns"
	TD_NETNS+=("$ns")
	ip -n "$ns" link set lo up || bail "lo up in $ns"
	printf -v "$var" '%s' "$ns"
}

# ns_add NAME...: create namespaces named exactly NAME (a test's own prefix),
# lo up, registered for deletion.
ns_add() {
	local ns
	for ns in "$@"; do
		ip netns add "$ns" || bail "ip netns add $ns"
		TD_NETNS+=("$ns")
		ip -n "$ns" link set lo up || bail "lo up in $ns"
	done
}

# ns_link NS1 NS2: veth td0 (in NS1: 192.0.2.1/24, 2001:db8::1/64) <-> td1 (in
# NS2: 192.0.2.2/24, 2001:db8::2/64). No default route: only the link is reachable.
ns_link() {
	local a=$1 b=$2
	ip -n "$a" link add td0 type veth peer name td1 netns "$b" || bail "veth $a-$b"
	ip -n "$a" addr add 192.0.2.1/24 dev td0 &&
		ip -n "$a" addr add 2001:db8::1/64 dev td0 nodad &&
		ip -n "$a" link set td0 up &&
		ip -n "$b" addr add 192.0.2.2/24 dev td1 &&
		ip -n "$b" addr add 2001:db8::2/64 dev td1 nodad &&
		ip -n "$b" link set td1 up || bail "addresses on the veth $a-$b"
}

# ns_pair NAME: NS_A and NS_B, linked as above.
ns_pair() {
	ns_create NS_A "$1a"
	ns_create NS_B "$1b"
	ns_link "$NS_A" "$NS_B"
}

# ns_keep_timewait NS: TIME_WAITs in NS ignore RSTs (RFC 1337; NS only). Linux
# now and then ACKs the server's FIN twice (when the FIN is handled from the
# socket backlog); the closed server socket answers the second ACK with a RST
# that would otherwise end one TIME_WAIT early (1 close in ~4,500). Scenes that
# count their TIME_WAITs call it in the client's namespace.
ns_keep_timewait() {
	ip netns exec "$1" sysctl -qw net.ipv4.tcp_rfc1337=1 || bail "tcp_rfc1337 in $1"
}

# ns_blackhole NS DEV ADDR...: a permanent neighbour entry with a MAC nobody has,
# so a SYN to ADDR leaves but is never answered and the connect stays in
# SYN_SENT. (An unresolved neighbour would fail the connect with EHOSTUNREACH
# after ~3 s of ARP; a blackhole route would fail it at once.)
ns_blackhole() {
	local ns=$1 dev=$2 addr
	shift 2
	for addr in "$@"; do
		ip -n "$ns" neigh replace "$addr" lladdr 02:00:5e:00:53:99 dev "$dev" \
			nud permanent || bail "neighbour $addr in $ns"
	done
}

# ---- actors -----------------------------------------------------------------

# spawn NS CMD...: run a command inside a namespace in the background; its pid
# (ip netns exec execs, so it is the command's own pid) is in SPAWNED and
# registered for killing.
spawn() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@" &
	SPAWNED=$!
	TD_PIDS+=("$SPAWNED")
}

# spawn_py NS SCRIPT ARGS...: a python3 socket actor inside NS.
spawn_py() {
	local ns=$1 script=$2
	shift 2
	spawn "$ns" "$TD_PY" -c "$script" "$@"
}

# wait_for TIMEOUT_S CMD...: poll until CMD succeeds; 1 on timeout. Waits
# for the kernel are polls of the condition, never fixed sleeps; the timeout
# gets TD_WAIT_SLACK seconds more (default 20) for loaded machines: a pass
# returns at the first poll that holds and never spends it.
TD_WAIT_SLACK=${TD_WAIT_SLACK:-20}
wait_for() {
	local deadline=$((SECONDS + $1 + TD_WAIT_SLACK))
	shift
	while ! "$@" 2>/dev/null; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.05
	done
	return 0
}

# snmp_counter NS GROUP NAME: a counter of NS's /proc/net/snmp (Tcp OutRsts).
snmp_counter() {
	ip netns exec "$1" cat /proc/net/snmp |
		awk -v g="$2:" -v n="$3" '$1 == g && !h { for (i = 2; i <= NF; i++) if ($i == n) c = i; h = 1; next }
		     $1 == g && h { print $c; exit }'
}

# snmp_at_least NS GROUP NAME N: that counter is >= N.
snmp_at_least() {
	local v
	v=$(snmp_counter "$1" "$2" "$3")
	[ "${v:-0}" -ge "$4" ]
}

# ---- ss oracle --------------------------------------------------------------

# ss_count NS [ss args/filter...]: number of TCP sockets ss sees (-tan + args).
ss_count() {
	local ns=$1
	shift
	ss -N "$ns" -Htan "$@" | wc -l
}

# ss_state_count NS STATE: STATE as ss spells it in filters (established...).
ss_state_count() {
	ss_count "$1" state "$2"
}

# Map ss's short state names to the kernel's canonical ones.
ss_canon_state() {
	sed -e 's/^ESTAB\b/ESTABLISHED/; s/^SYN-SENT/SYN_SENT/; s/^SYN-RECV/SYN_RECV/' \
		-e 's/^FIN-WAIT-1/FIN_WAIT1/; s/^FIN-WAIT-2/FIN_WAIT2/; s/^TIME-WAIT/TIME_WAIT/' \
		-e 's/^UNCONN/CLOSE/; s/^CLOSE-WAIT/CLOSE_WAIT/; s/^LAST-ACK/LAST_ACK/'
}

# "addr:port" as ss prints it -> "addr port" (IPv6 brackets and scope removed).
ss_split_addr() {
	sed -E 's/^\[([^]]*)\]:(.*)$/\1 \2/; t x; s/^(.*):([^:]*)$/\1 \2/; :x; s/%[^ ]*//; s/ \*$/ 0/'
}

# ss_norm: ss -H lines (with their State column) on stdin ->
# "STATE laddr lport raddr rport recv_q send_q [rest...]", one awk for all lines.
ss_norm() {
	awk '
	function addr_port(a) {
		match(a, /:[^:]*$/)
		port = substr(a, RSTART + 1)
		a = substr(a, 1, RSTART - 1)
		gsub(/^\[|\]$/, "", a)
		sub(/%.*/, "", a)
		return a " " (port == "*" ? 0 : port)
	}
	BEGIN {
		split("ESTAB ESTABLISHED SYN-SENT SYN_SENT SYN-RECV SYN_RECV FIN-WAIT-1 FIN_WAIT1 " \
			"FIN-WAIT-2 FIN_WAIT2 TIME-WAIT TIME_WAIT UNCONN CLOSE CLOSE-WAIT CLOSE_WAIT " \
			"LAST-ACK LAST_ACK LISTEN LISTEN CLOSING CLOSING", w, " ")
		for (i = 1; i < 22; i += 2) canon[w[i]] = w[i + 1]
	}
	{
		line = (($1 in canon) ? canon[$1] : $1) " " addr_port($4) " " addr_port($5) " " $2 " " $3
		for (i = 6; i <= NF; i++) line = line " " $i
		print line
	}'
}

# ---- tcpdoctor --------------------------------------------------------------

# td ARGS...: run tcpdoctor; stdout in TD_OUT, stderr in TD_ERR, status in TD_RC.
td() {
	"$TCPDOCTOR" "$@" >"$TD_TMP/out" 2>"$TD_TMP/err"
	TD_RC=$?
	TD_OUT=$(cat "$TD_TMP/out")
	TD_ERR=$(cat "$TD_TMP/err")
	return 0
}

# td_env ENV... -- ARGS: td with a clean locale environment (LC_ALL, LANG,
# LANGUAGE and LC_MESSAGES unset) plus ENV, through env(1), so this shell
# never tries to load a locale the machine may not have.
td_env() {
	local vars=()
	while [ "$1" != -- ]; do
		vars+=("$1")
		shift
	done
	shift
	env -u LC_ALL -u LANG -u LANGUAGE -u LC_MESSAGES "${vars[@]}" "$TCPDOCTOR" "$@" \
		>"$TD_TMP/out" 2>"$TD_TMP/err"
	TD_RC=$?
	TD_OUT=$(cat "$TD_TMP/out")
	TD_ERR=$(cat "$TD_TMP/err")
	return 0
}

# td_json FILTER ARGS...: run tcpdoctor ARGS and apply jq FILTER to its output;
# prints "ERROR" (and diagnostics on stderr) when it fails or is not JSON.
td_json() {
	local filter=$1
	shift
	local res
	td "$@"
	if [ "$TD_RC" -ne 0 ] || [ -z "$TD_OUT" ] ||
		! res=$(jq -r "$filter" "$TD_TMP/out" 2>"$TD_TMP/jqerr"); then
		echo "ERROR"
		echo "# tcpdoctor $* -> exit $TD_RC: $(head -c 300 "$TD_TMP/err" | tr '\n' ' ')" \
			"$(head -c 200 "$TD_TMP/jqerr")" >&2
		return 1
	fi
	printf '%s\n' "$res"
}

# Canonical state names, in the order of the JSON "states" object.
TD_STATES=(ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSE CLOSE_WAIT
	LAST_ACK LISTEN CLOSING)
# The same as ss filters spell them.
declare -A SS_STATE=(
	[ESTABLISHED]=established [SYN_SENT]=syn-sent [SYN_RECV]=syn-recv
	[FIN_WAIT1]=fin-wait-1 [FIN_WAIT2]=fin-wait-2 [TIME_WAIT]=time-wait
	[CLOSE]=closed [CLOSE_WAIT]=close-wait [LAST_ACK]=last-ack [LISTEN]=listening
	[CLOSING]=closing)

# ---- the socket actor -------------------------------------------------------

# One python3 program, driven by its arguments, processed in order:
#   comm NAME                      set the process name (prctl PR_SET_NAME;
#                                  python escapes such as \n \" \x1b are decoded)
#   listen ADDR PORT keep|eofclose listen; accepted sockets are held open
#                                  (keep) or closed once the peer closed (eofclose)
#   est  LADDR LPORT RADDR RPORT   connect and hold (ESTABLISHED)
#   half LADDR LPORT RADDR RPORT   connect, shutdown(SHUT_WR), hold (FIN_WAIT2 here,
#                                  CLOSE_WAIT at a "keep" server)
#   close LADDR LPORT RADDR RPORT  connect, shut down, close once the FIN is ACKed
#                                  (TIME_WAIT here once an "eofclose" server
#                                  closed too)
#   syn  LADDR LPORT RADDR RPORT   non-blocking connect, hold (SYN_SENT when the
#                                  SYN is never answered)
#   fork                           fork: parent and child both hold the sockets
#                                  (put it last, after any listener)
# It then serves its listeners until killed; SIGALRM ends it after
# TD_ACTOR_TTL seconds in any case, so no actor outlives a killed test for long.
TD_ACTOR='
import ctypes, os, selectors, signal, socket, sys, time
signal.alarm(int(os.environ.get("TD_ACTOR_TTL", "120")))
args, held, sel = sys.argv[1:], [], selectors.DefaultSelector()
def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET
i = 0
while i < len(args):
    op = args[i]
    if op == "comm":
        name = args[i + 1].encode().decode("unicode_escape").encode("latin-1")
        ctypes.CDLL(None, use_errno=True).prctl(15, ctypes.c_char_p(name), 0, 0, 0)
        i += 2
    elif op == "fork":
        # Both processes go on holding every socket made so far.
        if os.fork() == 0:
            signal.alarm(int(os.environ.get("TD_ACTOR_TTL", "120")))
        i += 1
    elif op == "listen":
        addr, port, mode = args[i + 1], int(args[i + 2]), args[i + 3]
        s = socket.socket(family(addr), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family(addr) == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, port))
        s.listen(64)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, mode)
        held.append(s)
        i += 4
    else:
        laddr, lport, raddr, rport = args[i + 1], int(args[i + 2]), args[i + 3], int(args[i + 4])
        i += 5
        s = socket.socket(family(raddr), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((laddr, lport))
        if op == "syn":
            s.setblocking(False)
            try:
                s.connect((raddr, rport))
            except BlockingIOError:
                pass
        else:
            s.settimeout(5)
            s.connect((raddr, rport))
            if op == "half":
                s.shutdown(socket.SHUT_WR)
            elif op == "close":
                # Close only once our FIN is ACKed: an orphan whose FIN ACK
                # arrives while close() holds the socket lock gets a keepalive
                # timer that ends it with a RST instead of TIME_WAIT (tcp_input.c,
                # the FIN_WAIT1 "bad case"); 1 in ~3000 closes here.
                s.shutdown(socket.SHUT_WR)
                end = time.monotonic() + 5
                while s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0] == 4 and time.monotonic() < end:
                    time.sleep(0.002)
                s.close()
                continue
        held.append(s)
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        if key.data in ("keep", "eofclose"):
            c, _ = key.fileobj.accept()
            held.append(c)
            if key.data == "eofclose":
                c.setblocking(False)
                sel.register(c, selectors.EVENT_READ, "eof")
        elif not key.fileobj.recv(4096):
            sel.unregister(key.fileobj)
            held.remove(key.fileobj)
            key.fileobj.close()
'

# ss_has NS STATE N: ss sees exactly N sockets in STATE (ss filter spelling).
ss_has() {
	[ "$(ss_state_count "$1" "$2")" -eq "$3" ]
}

# The standard lab, used by states/conns/who: a server in NS_A (192.0.2.1,
# 2001:db8::1; comm "tdserver", pid SERVER_PID) and a client in NS_B (comm
# "tdclient", pid CLIENT_PID). When ready:
#   NS_A: LISTEN 8 (5001-5004, v4+v6), ESTABLISHED 5, CLOSE_WAIT 3, SYN_RECV 2
#   NS_B: ESTABLISHED 5, FIN_WAIT2 3, TIME_WAIT 3, SYN_SENT 5
# Client ports: 4100x established, 4200x half-closed, 4300x closed, 4400x SYN
# to 5009 (nobody answers), 4420x SYN to 5004 from 192.0.2.3 / 2001:db8::3:
# NS_A's SYN-ACKs to those go to a MAC nobody has, so NS_A holds request
# sockets (SYN_RECV) for a minute. v4 uses 4xx0x, v6 4xx1x (4430x for 5004).
lab_standard() {
	local a4=192.0.2.1 b4=192.0.2.2 a6=2001:db8::1 b6=2001:db8::2
	ns_pair "${1:-lab}"
	ns_keep_timewait "$NS_B"
	ns_blackhole "$NS_B" td1 192.0.2.99 2001:db8::99
	ip -n "$NS_B" addr add 192.0.2.3/24 dev td1 &&
		ip -n "$NS_B" addr add 2001:db8::3/64 dev td1 nodad || bail "second address in $NS_B"
	ns_blackhole "$NS_A" td0 192.0.2.3 2001:db8::3
	spawn_py "$NS_A" "$TD_ACTOR" comm tdserver \
		listen $a4 5001 keep listen $a4 5002 keep listen $a4 5003 eofclose \
		listen $a6 5001 keep listen $a6 5002 keep listen $a6 5003 eofclose \
		listen $a4 5004 keep listen $a6 5004 keep >/dev/null
	SERVER_PID=$SPAWNED
	wait_for 10 ss_has "$NS_A" listening 8 || bail "server listeners not up in $NS_A"
	spawn_py "$NS_B" "$TD_ACTOR" comm tdclient \
		est $b4 41001 $a4 5001 est $b4 41002 $a4 5001 est $b4 41003 $a4 5001 \
		half $b4 42001 $a4 5002 half $b4 42002 $a4 5002 \
		close $b4 43001 $a4 5003 close $b4 43002 $a4 5003 \
		syn $b4 44001 192.0.2.99 5009 \
		est $b6 41101 $a6 5001 est $b6 41102 $a6 5001 \
		half $b6 42101 $a6 5002 \
		close $b6 43101 $a6 5003 \
		syn $b6 44101 2001:db8::99 5009 syn $b6 44102 2001:db8::99 5009 \
		syn 192.0.2.3 44201 $a4 5004 syn 2001:db8::3 44301 $a6 5004 >/dev/null
	CLIENT_PID=$SPAWNED
	wait_for 10 lab_standard_ready || {
		diag "$(ss -N "$NS_A" -tan)" "$(ss -N "$NS_B" -tan)"
		bail "standard lab did not reach its states"
	}
}

lab_standard_ready() {
	ss_has "$NS_A" listening 8 && ss_has "$NS_A" established 5 &&
		ss_has "$NS_A" close-wait 3 && ss_has "$NS_A" last-ack 0 &&
		ss_has "$NS_A" syn-recv 2 &&
		ss_has "$NS_B" established 5 && ss_has "$NS_B" fin-wait-2 3 &&
		ss_has "$NS_B" time-wait 3 && ss_has "$NS_B" syn-sent 5
}

# ss_states NS [ss args...]: "ESTABLISHED=n SYN_SENT=n ... CLOSING=n total=n" as
# ss sees it (no state filter may be given: ss then drops its State column).
ss_states() {
	local ns=$1 s line=
	shift
	local counts
	counts=$(ss -N "$ns" -Htan "$@" 2>/dev/null | awk '{print $1}' | ss_canon_state | sort | uniq -c)
	local total=0 n
	for s in "${TD_STATES[@]}"; do
		n=$(awk -v s="$s" '$2 == s {print $1}' <<<"$counts")
		n=${n:-0}
		total=$((total + n))
		line+="$s=$n "
	done
	echo "${line}total=$total"
}

# td_states ARGS...: the same line from `tcpdoctor states ARGS --json`.
td_states() {
	td_json '. as $d | [(["ESTABLISHED","SYN_SENT","SYN_RECV","FIN_WAIT1","FIN_WAIT2",
		"TIME_WAIT","CLOSE","CLOSE_WAIT","LAST_ACK","LISTEN","CLOSING"][]
		| "\(.)=\($d.states[.])"), "total=\($d.total)"] | join(" ")' states "$@" --json
}

# A capture as tests/data/pcap/oracle.sh prints tshark's view of it: each
# stream's packets and bytes, then every analysis flag summed over streams,
# named as tshark names them. tcpdoctor's JSON keys (docs/json.md) on the left.
pcap_as_oracle() { # FILE
	"$TCPDOCTOR" pcap "$1" --json | jq -r '
	(.connections[] | "stream \(.id) packets \(.client.packets + .server.packets) bytes \(.client.frame_bytes + .server.frame_bytes)"),
	(["retransmission","fast_retransmission","spurious_retransmission","out_of_order",
	  "lost_segment","ack_unseen","dup_ack","zero_window","zero_window_probe",
	  "zero_window_probe_ack","window_full","window_update","keep_alive","keep_alive_ack",
	  "reused_ports"] as $k |
	 ["retransmission","fast_retransmission","spurious_retransmission","out_of_order",
	  "lost_segment","ack_lost_segment","duplicate_ack","zero_window","zero_window_probe",
	  "zero_window_probe_ack","window_full","window_update","keep_alive","keep_alive_ack",
	  "reused_ports"] as $t | [.connections[]] as $c | range(0; $k | length) as $i |
	 "flag \($t[$i]) \([$c[] | .client.analysis[$k[$i]] + .server.analysis[$k[$i]]] | add // 0)")' |
		sort -k1,1 -k2,2n
}
