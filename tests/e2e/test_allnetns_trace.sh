#!/bin/bash
# trace --all-netns: every event carries the namespace its socket lives in,
# named as states --all-netns names it (a NETNS column, a netns object in
# JSON), and --netns-filter keeps the matching ones; trace --netns NAME
# filters in the kernel by that namespace's inode. Two namespaces made
# here, a listener in each on a port of its own; the oracle is where each
# connection was made (and the nsfs inode of /run/netns/NAME).
# jq programs sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip jq
need_python
need_binary
export TD_NSALL_SOCKETS=0 # no socket-held namespace here

NA=tdn-tra-$$ NB=tdn-trb-$$
ns_add "$NA" "$NB"
INO_A=$(stat -L -c %i "/run/netns/$NA") INO_B=$(stat -L -c %i "/run/netns/$NB")
LSN='
import os, signal, socket, sys
signal.alarm(600)
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1]))); l.listen(64)
while True:
    a, _ = l.accept(); a.close()
'
spawn_py "$NA" "$LSN" 7101
spawn_py "$NB" "$LSN" 7102
up() { ip netns exec "$1" bash -c "exec 3<>/dev/tcp/127.0.0.1/$2" 2>/dev/null; }
wait_for 10 up "$NA" 7101 && wait_for 10 up "$NB" 7102 || bail "listeners not up"

# trace_until FILE PORT NS...: connect to PORT in NS until FILE shows it.
seen() { grep -q "$2" "$1"; }
poke_until() {
	# (the first event waits for discovery: a /proc walk, ~50 s at 1M fds under load)
	local file=$1 pat=$2 ns=$3 port=$4 deadline=$((SECONDS + 180 + TD_WAIT_SLACK))
	while ! seen "$file" "$pat"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		up "$ns" "$port"
		sleep 0.2
	done
}

# ---- --all-netns --json ------------------------------------------------------------
"$TCPDOCTOR" --json trace --all-netns --netns-filter "tdn-tr?-$$" --port 7101 --port 7102 \
	--for 120s >"$TD_TMP/all.json" 2>"$TD_TMP/all.err" &
TPID=$!
TD_PIDS+=("$TPID")
poke_until "$TD_TMP/all.json" '"rport":7101' "$NA" 7101 || bail "no event from $NA: $(cat "$TD_TMP/all.err")"
poke_until "$TD_TMP/all.json" '"rport":7102' "$NB" 7102 || bail "no event from $NB"
kill -INT "$TPID"
wait "$TPID"
is "$?" 0 "trace --all-netns: exit 0 on SIGINT"
J=$TD_TMP/all.json
n_bad=$(jq -s '[.[] | select(.event == "state") | select((.lport == 7101 or .rport == 7101) and
	.netns.inode != '"$INO_A"')] | length' "$J")
is "$n_bad" 0 "every event on :7101 carries $NA's inode"
n_bad=$(jq -s '[.[] | select(.event == "state") | select((.lport == 7102 or .rport == 7102) and
	.netns.inode != '"$INO_B"')] | length' "$J")
is "$n_bad" 0 "every event on :7102 carries $NB's inode"
is "$(jq -rs '[.[] | select(.event == "state") | .netns.name] | unique | join(" ")' "$J")" \
	"$NA $NB" "the namespaces are named as states --all-netns names them"
is "$(jq -rs '[.[] | select(.netns.name == "'"$NA"'") | .netns.kind] | unique | join(" ")' "$J")" \
	netns "netns kind of an ip netns namespace"
n=$(jq -s '[.[] | select(.event == "state" and .rport == 7101 and .new == "SYN_SENT")] | length' "$J")
[ "$n" -ge 1 ] && ok "a SYN_SENT to :7101 seen ($n)" || not_ok "no SYN_SENT to :7101"
names=$("$TCPDOCTOR" --json states --all-netns --netns-filter "tdn-tr?-$$" |
	jq -r '[.namespaces[].netns | "\(.inode)=\(.name)"] | sort | join(" ")')
is "$(jq -rs '[.[] | select(.event == "state") | "\(.netns.inode)=\(.netns.name)"] | unique |
	sort | join(" ")' "$J")" "$names" "the same inode=name pairs as states --all-netns"

# ---- text: the NETNS column, and the filter ---------------------------------------------
"$TCPDOCTOR" --no-color trace --all-netns --netns-filter "$NB" --port 7101 --port 7102 \
	--for 120s >"$TD_TMP/b.txt" 2>"$TD_TMP/b.err" &
TPID=$!
TD_PIDS+=("$TPID")
poke_until "$TD_TMP/b.txt" ':7102 ' "$NB" 7102 || bail "no text event from $NB: $(cat "$TD_TMP/b.err")"
for _ in 1 2 3; do up "$NA" 7101; done
up "$NB" 7102 # after NA's: once seen, NA's events would have come first
wait_for 20 sh -c "[ \$(grep -c ':7102 ' '$TD_TMP/b.txt') -ge 2 ]"
kill -INT "$TPID"
wait "$TPID"
lines=$(grep -E '^[0-9:.]+ ' "$TD_TMP/b.txt")
n=$(grep -c ":7102 " <<<"$lines")
m=$(grep -cE "^[0-9:.]+ $NB +([^ ]+\[[0-9]+\]|\?) " <<<"$lines")
[ "$n" -ge 2 ] && ok "text: $n events from $NB" || not_ok "text: $n events from $NB (want 2+)" "$lines"
is "$m" "$n" "text: every line has NETNS = $NB after the time"
is "$(grep -c ':7101 ' <<<"$lines")" 0 "text: --netns-filter $NB keeps $NA's events out"

# ---- --netns NAME: the kernel keeps one namespace ----------------------------------------
"$TCPDOCTOR" --json --netns "$NA" trace --port 7101 --port 7102 --for 120s \
	>"$TD_TMP/a.json" 2>"$TD_TMP/a.err" &
TPID=$!
TD_PIDS+=("$TPID")
poke_until "$TD_TMP/a.json" '"rport":7101' "$NA" 7101 || bail "no event with --netns $NA"
for _ in 1 2 3; do up "$NB" 7102; done
up "$NA" 7101
wait_for 20 sh -c "[ \$(grep -c '\"rport\":7101' '$TD_TMP/a.json') -ge 4 ]"
kill -INT "$TPID"
wait "$TPID"
n=$(grep -c '"rport":7101' "$TD_TMP/a.json")
[ "$n" -ge 4 ] && ok "--netns $NA: its $n events seen" || not_ok "--netns $NA: $n events (want 4+)"
is "$(grep -c '7102' "$TD_TMP/a.json")" 0 "--netns $NA: no event from $NB reaches user space"
is "$(jq -s '[.[] | select(has("netns"))] | length' "$TD_TMP/a.json")" 0 \
	"--netns: events carry no netns object (one namespace)"
td_done
