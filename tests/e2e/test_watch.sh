#!/bin/bash
# `tcpdoctor watch` in a namespace this test creates: while a loop opens and
# closes loopback connections there, the per-interval active-open rates times
# the intervals add up to the Tcp ActiveOpens change read from the namespace's
# /proc/net/snmp; ESTABLISHED matches ss; the header repeats; deadlines do not
# drift; Ctrl-C ends cleanly.
# jq programs sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_binary
need_tool jq awk

td watch --help
is "$TD_RC" 0 "watch --help exits 0"
like "$TD_OUT" "rsti/s +connections ended by a reset" "help defines resets received"
td watch -i 0.001
is "$TD_RC" 2 "-i below 0.01 s is a usage error"
td watch -c 0
is "$TD_RC" 2 "-c 0 is a usage error"
td watch -i abc
is "$TD_RC" 2 "-i abc is a usage error"

need_root
need_tool ip ss
need_python

ns_create NS watch
# A listener that closes each connection when its client does, and three
# connections held open: 6 ESTABLISHED sockets (both ends) all along.
spawn_py "$NS" "$TD_ACTOR" listen 127.0.0.1 5001 eofclose \
	est 127.0.0.1 41001 127.0.0.1 5001 est 127.0.0.1 41002 127.0.0.1 5001 \
	est 127.0.0.1 41003 127.0.0.1 5001 >/dev/null
wait_for 10 ss_has "$NS" established 6 || bail "listener and held connections in $NS"

# Connect and close to 127.0.0.1:5001 for SECONDS; print how many.
LOOP='
import socket, sys, time
end, n = time.monotonic() + float(sys.argv[1]), 0
while time.monotonic() < end:
    s = socket.create_connection(("127.0.0.1", 5001), timeout=2)
    s.close()
    n += 1
    time.sleep(0.005)
print(n)
'

active_opens() { # NS: Tcp ActiveOpens from the namespace's own /proc/net/snmp
	ip netns exec "$1" cat /proc/net/snmp |
		awk '$1 == "Tcp:" && !h { for (i = 2; i <= NF; i++) if ($i == "ActiveOpens") c = i; h = 1; next }
		     $1 == "Tcp:" && h { print $c }'
}

before=$(active_opens "$NS")
"$TCPDOCTOR" --netns "$NS" watch -i 0.5 -c 6 --json >"$TD_TMP/watch.json" 2>"$TD_TMP/watch.err" &
WATCH=$!
TD_PIDS+=("$WATCH")
# Start after watch took its first counter sample (its first line comes one
# interval after it), end well before its last: the whole 1 s loop then
# falls inside the 3 s watch covers, with 1.5 s to spare on a busy machine.
wait_for 10 test -s "$TD_TMP/watch.json" || diag "watch printed no line"
opened=$(ip netns exec "$NS" "$TD_PY" -c "$LOOP" 1.0)
wait "$WATCH"
is "$?" 0 "watch -i 0.5 -c 6 --json exits 0"
after=$(active_opens "$NS")
delta=$((after - before))
diag "loop made $opened connections; ActiveOpens $before -> $after"
check "the loop made connections (at least 20)" test "${opened:-0}" -ge 20

is "$(grep -c . "$TD_TMP/watch.json")" 6 "6 lines of NDJSON"
all_objects() { jq -e 'type == "object"' "$1" >/dev/null; }
check "every line is a JSON object" all_objects "$TD_TMP/watch.json"
got=$(jq -s -r '[.[] | .rates.active_opens * .interval_s] | add | round' "$TD_TMP/watch.json")
check "sum(rate x interval) = $got within 10% of the ActiveOpens delta $delta" \
	awk -v g="$got" -v d="$delta" 'BEGIN { e = g - d; if (e < 0) e = -e; exit !(d > 0 && e <= d * 0.1) }'
got=$(jq -s '[.[].deltas.active_opens] | add' "$TD_TMP/watch.json")
check "sum of deltas ($got) within 10% of $delta" \
	awk -v g="$got" -v d="$delta" 'BEGIN { e = g - d; if (e < 0) e = -e; exit !(d > 0 && e <= d * 0.1) }'
got=$(jq -s -r '[.[] | .rates.passive_opens * .interval_s] | add | round' "$TD_TMP/watch.json")
check "passive opens ($got) match active opens on loopback" \
	awk -v g="$got" -v d="$delta" 'BEGIN { e = g - d; if (e < 0) e = -e; exit !(e <= d * 0.1 + 1) }'
bad=$(jq -s '[.[] | select(.interval_s < 0.4 or .interval_s > 0.6)] | length' "$TD_TMP/watch.json")
is "$bad" 0 "every interval_s is 0.5 s (+- 0.1)"
got=$(jq -r '.netns' "$TD_TMP/watch.json" | sort -u)
is "$got" "$NS" "each line names the namespace"
got=$(jq -s '[.[].states | keys | length] | unique' -c "$TD_TMP/watch.json")
is "$got" "[11]" "each line has all eleven states"

want=$(ss_state_count "$NS" established)
got=$(tail -1 "$TD_TMP/watch.json" | jq .states.ESTABLISHED)
check "ESTABLISHED at the end ($got) matches ss ($want, +-2)" \
	awk -v g="$got" -v w="$want" 'BEGIN { e = g - w; if (e < 0) e = -e; exit !(e <= 2) }'
got=$(tail -1 "$TD_TMP/watch.json" | jq .states.LISTEN)
is "$got" 1 "one LISTEN socket"

# Absolute deadlines: 20 intervals of 0.1 s span 1.9 s from the first line to
# the last whatever each sample costs.
td --netns "$NS" watch -i 0.1 -c 20 --json
# ts is RFC 3339 with microseconds (docs/json.md): seconds since the epoch
span=$(printf '%s\n' "$TD_OUT" | jq -s 'def t: .ts | capture("^(?<s>[^.]*)[.](?<f>[0-9]+)Z$") |
	(.s + "Z" | fromdateiso8601) + ("0." + .f | tonumber); (.[-1] | t) - (.[0] | t)')
check "20 lines at -i 0.1 span 1.9 s (got $span)" \
	awk -v s="$span" 'BEGIN { exit !(s > 1.85 && s < 1.95) }'

# Text: the header every 20 lines.
td --netns "$NS" watch -i 0.01 -c 21
is "$TD_RC" 0 "watch -c 21 exits 0"
is "$(printf '%s\n' "$TD_OUT" | grep -c '^TIME ')" 2 "header printed twice in 21 lines"
is "$(printf '%s\n' "$TD_OUT" | grep -c '^[0-9][0-9]:')" 21 "21 data lines"
like "$(printf '%s\n' "$TD_OUT" | head -1)" \
	"^TIME +ESTAB +SYN-S +SYN-R +FW1 +FW2 +TW +CW +LA +LIST +CLSNG +actv/s +pasv/s +retr/s +rsto/s +rsti/s +ovfl/s +twsk +orphan$" \
	"header columns"
got=$(printf '%s\n' "$TD_OUT" | awk '/^[0-9]/ { print $2 }' | tail -1)
is "$got" "$(ss_state_count "$NS" established)" "text ESTAB column matches ss"

# Ctrl-C (SIGINT) ends it cleanly, exit 0, whole lines only.
"$TCPDOCTOR" --netns "$NS" watch -i 0.2 >"$TD_TMP/int.out" 2>"$TD_TMP/int.err" &
pid=$!
three_lines() { [ "$(grep -c '^[0-9]' "$TD_TMP/int.out")" -ge 3 ]; }
wait_for 10 three_lines || diag "watch -i 0.2 printed fewer than 3 lines"
kill -INT "$pid"
wait "$pid"
is "$?" 0 "SIGINT ends watch with exit 0"
check "... after at least 3 lines" test "$(grep -c '^[0-9]' "$TD_TMP/int.out")" -ge 3
is "$(tail -c 1 "$TD_TMP/int.out" | od -An -c | tr -d ' ')" '\n' "... output ends with a newline"
is "$(cat "$TD_TMP/int.err")" "" "... nothing on stderr"
td_done
