#!/bin/bash
# `tcpdoctor probe` over the client - r1 - r2 - r3 - server chain (chain.sh):
# open port (times against ping), closed port, black hole, unreachable route
# (with the router's address), local ports exhausted, names from a hosts file
# vs a name that does not resolve, --send/--expect, --rst, exit codes.
# jq programs sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=chain.sh
. "$(dirname "$0")/chain.sh"
need_root
need_tool ip ss jq ping
need_python
need_binary

chain_create pr
chain_listen 80
HOSTS_DIR=
cleanup_hosts() { if [ -n "$HOSTS_DIR" ]; then rm -rf "$HOSTS_DIR"; fi; }
# td_cleanup exits with the status it finds in $?: keep the script's own.
trap 'rc=$?; cleanup_hosts; (exit $rc); td_cleanup' EXIT

jqo() { jq -r "$1" "$TD_TMP/out"; }
jqe() { jq -e "$1" "$TD_TMP/out" >/dev/null; } # true when the filter holds

# ---- open port, against ping ------------------------------------------------------

td --netns "$NS_C" probe "$SERVER4:80" -c 5 -i 0.1 --json
is "$TD_RC" 0 "open port: exit 0"
is "$(jqo '.summary | "\(.sent) \(.connected) \(.failed) \(.loss_pct)"')" "5 5 0 0" \
	"open port: 5 sent, 5 connected, 0% loss"
is "$(jqo '[.attempts[] | select(.connected and .kernel_rtt_ms > 0)] | length')" 5 \
	"open port: every attempt has the kernel's SYN RTT"
ping_avg=$(ip netns exec "$NS_C" ping -n -q -c 5 -i 0.1 "$SERVER4" |
	awk -F/ '/^rtt|^round-trip/ {print $5}')
probe_avg=$(jqo '.summary.connect_avg_ms')
diag "ping avg ${ping_avg} ms, probe connect avg ${probe_avg} ms"
check "open port: connect time plausible against ping (< 20 x ping + 2 ms, > 0)" \
	awk -v p="$ping_avg" -v t="$probe_avg" 'BEGIN { exit !(p > 0 && t > 0 && t < 20 * p + 2) }'

td --netns "$NS_C" probe "$SERVER4" 80 -c 2 -i 0.1
is "$TD_RC" 0 "text: exit 0"
like "$TD_OUT" 'seq=1 192\.0\.2\.130:80 connected time=[0-9.]+ ms \(kernel rtt [0-9.]+ ms\)' \
	"text: ping-like attempt line"
like "$TD_OUT" '2 sent, 2 connected, 0 failed, 0\.0% loss' "text: summary line"
like "$TD_OUT" 'connect min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms, jitter' \
	"text: min/avg/max/mdev and jitter"

td --netns "$NS_C" probe "[$SERVER6]:80" -c 2 -i 0.1 --json
is "$(jqo '.summary.connected')" 2 "IPv6 literal in brackets: connected"

# ---- closed port ------------------------------------------------------------------

td --netns "$NS_C" probe "$SERVER4:81" -c 3 -i 0.1 --json
is "$TD_RC" 2 "closed port: exit 2 (all failed)"
is "$(jqo '[.attempts[].error] | unique | join(",")')" ECONNREFUSED "closed port: ECONNREFUSED"
like "$(jqo '.failures[0] | "\(.count) \(.meaning)"')" '^3 RST: host up, nothing listens' \
	"closed port: grouped, explained"

# ---- black hole in r2: ETIMEDOUT within the timeout --------------------------------

ip -n "$NS_R2" route replace blackhole 192.0.2.128/25 || bail "blackhole route in r2"
start=$(date +%s%N)
td --netns "$NS_C" probe "$SERVER4:80" -c 2 -i 0 --timeout 0.5 --json
ms=$((($(date +%s%N) - start) / 1000000))
is "$TD_RC" 2 "black hole: exit 2"
is "$(jqo '[.attempts[].error] | unique | join(",")')" ETIMEDOUT "black hole: ETIMEDOUT"
check "black hole: each attempt gives up at the timeout (500-900 ms)" \
	jqe '[.attempts[].time_ms] | all(. >= 500 and . < 900)'
check "black hole: two attempts took about 2 x timeout ($ms ms)" test "$ms" -lt 2500
like "$(jqo '.failures[0].meaning')" 'filtered, host down, or a route black hole' \
	"black hole: explained"

# ---- unreachable route in r2: EHOSTUNREACH from 198.51.100.2 -----------------------

ip -n "$NS_R2" route replace unreachable 192.0.2.128/25 || bail "unreachable route in r2"
td --netns "$NS_C" probe "$SERVER4:80" -c 3 -i 0.1 --json
is "$TD_RC" 2 "unreachable: exit 2"
is "$(jqo '[.attempts[] | "\(.error)@\(.offender)"] | unique | join(",")')" \
	"EHOSTUNREACH@198.51.100.2" "unreachable: EHOSTUNREACH with r2's address (IP_RECVERR)"
is "$(jqo '.failures[0].offender')" 198.51.100.2 "unreachable: the summary names the router"
td --netns "$NS_C" probe "$SERVER4:80" -c 1
like "$TD_OUT" 'EHOSTUNREACH from 198\.51\.100\.2 \(ICMP type 3 code 1\)' "unreachable: text"
ip -n "$NS_R2" route replace 192.0.2.128/25 via 203.0.113.2 || bail "restore route in r2"

ip -n "$NS_R2" -6 route replace unreachable 2001:db8:4::/64 || bail "unreachable route6 in r2"
td --netns "$NS_C" probe "[$SERVER6]:80" -c 2 -i 0.1 --json
like "$(jqo '[.attempts[] | "\(.error)@\(.offender)"] | unique | join(",")')" \
	'^E(HOST|NET)UNREACH@2001:db8:2::2$' "IPv6 unreachable: the error with r2's address"
ip -n "$NS_R2" -6 route replace 2001:db8:4::/64 via 2001:db8:3::2 || bail "restore route6 in r2"

# ---- local ports exhausted: EADDRNOTAVAIL -------------------------------------------

ip netns exec "$NS_C" sysctl -qw net.ipv4.ip_local_port_range="40000 40001" ||
	bail "port range in client"
spawn_py "$NS_C" "$TD_ACTOR" est 192.0.2.2 40000 "$SERVER4" 80 est 192.0.2.2 40001 "$SERVER4" 80 \
	>/dev/null
wait_for 10 ss_has "$NS_C" established 2 || bail "port holders in client"
td --netns "$NS_C" probe "$SERVER4:80" -c 1 --json
is "$(jqo '.attempts[0].error')" EADDRNOTAVAIL "no local port left: EADDRNOTAVAIL"
like "$(jqo '.failures[0].meaning')" 'tcpdoctor check' "EADDRNOTAVAIL points to tcpdoctor check"
kill "$SPAWNED" 2>/dev/null
ip netns exec "$NS_C" sysctl -qw net.ipv4.ip_local_port_range="32768 60999"

# ---- some failed: exit 1 (--all over a name with a closed address) --------------------

HOSTS_DIR=/etc/netns/$NS_C
mkdir -p "$HOSTS_DIR" || bail "mkdir $HOSTS_DIR"
printf '%s\n' "127.0.0.1 localhost" "$SERVER4 web.lab" "$SERVER6 web.lab" \
	"$SERVER4 mixed.lab" "198.51.100.1 mixed.lab" >"$HOSTS_DIR/hosts"
# ip netns exec bind-mounts /etc/netns/NAME/hosts over /etc/hosts; --netns does not.
tdx() { # ARGS...: tcpdoctor inside NS_C through ip netns exec
	ip netns exec "$NS_C" "$TCPDOCTOR" "$@" >"$TD_TMP/out" 2>"$TD_TMP/err"
	TD_RC=$?
	TD_OUT=$(cat "$TD_TMP/out")
	TD_ERR=$(cat "$TD_TMP/err")
}
tdx probe web.lab:80 -c 1 --all --json
is "$TD_RC" 0 "hosts-file name: exit 0"
is "$(jqo '.dns.addresses | sort | join(" ")')" "$SERVER4 $SERVER6" \
	"hosts-file name: both addresses"
is "$(jqo '[.attempts[] | select(.connected)] | length')" 2 "--all: both addresses probed"
tdx -6 probe web.lab 80 -c 1 --json
is "$(jqo '.dns.addresses | join(" ")')" "$SERVER6" "-6: only the IPv6 address"
tdx probe web.lab:80 -c 1
like "$TD_OUT" "dns web.lab: $SERVER4, $SERVER6 \\(2 addresses in [0-9.]+ ms\\)|dns web.lab: $SERVER6, $SERVER4 " \
	"text: dns line with the time"
tdx probe mixed.lab:80 -c 2 -i 0.1 --all --json
is "$TD_RC" 1 "some failed: exit 1"
is "$(jqo '.summary | "\(.ok)/\(.sent)"')" 2/4 "some failed: 2 of 4 ok"

# ---- a name that does not resolve -------------------------------------------------------

gai=$(ip netns exec "$NS_C" "$TD_PY" -c '
import socket
names = {getattr(socket, n): n for n in dir(socket) if n.startswith("EAI_")}
try:
    socket.getaddrinfo("nosuchhost.invalid", 80, 0, socket.SOCK_STREAM)
    print("RESOLVED")
except socket.gaierror as e:
    print(names.get(e.errno, e.errno))
')
diag "getaddrinfo(nosuchhost.invalid) here: $gai"
start=$(date +%s)
tdx probe nosuchhost.invalid:80 -c 1 --json
is "$TD_RC" 2 "unresolvable name: exit 2"
is "$(jqo '.dns.error')" "$gai" "unresolvable name: the resolver's own code ($gai)"
like "$TD_ERR" "nosuchhost\\.invalid: cannot resolve: $gai: " "unresolvable name: explained on stderr"
check "unresolvable name: fails fast" test $(($(date +%s) - start)) -lt 10
cleanup_hosts
HOSTS_DIR=

# ---- --send / --expect --------------------------------------------------------------------

td --netns "$NS_C" probe "$SERVER4:80" -c 2 -i 0.1 --send 'hi\n' --expect 'hello 80' --json
is "$TD_RC" 0 "--expect met: exit 0"
check "--send: the service's answer, newline included" \
	jqe '[.attempts[] | .answer] | unique == ["hello 80\n"]'
check "--send: time to first byte measured" jqe '[.attempts[].ttfb_ms] | all(. > 0)'
td --netns "$NS_C" probe "$SERVER4:80" -c 1 --send 'hi\n' --expect 'SSH-2.0' --timeout 0.5 --json
is "$TD_RC" 2 "--expect not met: exit 2"
is "$(jqo '.failures[0].error')" no-match "--expect not met: no-match"

# ---- --rst: no TIME_WAIT on the prober ------------------------------------------------

tw() { ss -N "$NS_C" -Htan state time-wait "dst = $SERVER4" | wc -l; }
before=$(tw)
td --netns "$NS_C" probe "$SERVER4:80" -c 3 -i 0 --rst
is "$(tw)" "$before" "--rst: no new TIME_WAIT on the prober"
td --netns "$NS_C" probe "$SERVER4:80" -c 3 -i 0
is "$(($(tw) - before))" 3 "without --rst: one TIME_WAIT per attempt"

# ---- delay --------------------------------------------------------------------------------

if ip netns exec "$NS_R1" tc qdisc add dev to-c root netem delay 40ms 2>/dev/null; then
	td --netns "$NS_C" probe "$SERVER4:80" -c 3 -i 0.1 --json
	check "netem 40 ms at r1: connect avg >= 40 ms" jqe '.summary.connect_avg_ms >= 40'
	ip netns exec "$NS_R1" tc qdisc del dev to-c root
else
	# Checked: this kernel has neither sch_netem nor sch_fq (for a BPF EDT
	# delay); tbf only delays once its bucket is empty, so a lone SYN passes.
	skip_kernel "added delay shows in the connect time" "neither sch_netem nor sch_fq qdisc"
fi

# ---- usage ---------------------------------------------------------------------------------

td probe
is "$TD_RC" 2 "no target: exit 2"
td probe host:99999
is "$TD_RC" 2 "bad port: exit 2"
like "$TD_ERR" '1 to 65535' "bad port: says the range"
td probe "$SERVER4:80" --interval x
is "$TD_RC" 2 "bad interval: exit 2"
td probe --help
like "$TD_OUT" 'Exit status: 0 every attempt connected' "--help documents the exit codes"

td_done
