#!/bin/bash
# Outside strings never reach a terminal raw: a process that names itself
# "ev\x1b]0;pwned\x07x" (an xterm title change) holds sockets that check,
# states --by process, conns, who and history name; host and file names go
# through probe, route, pcap and capture. Each text view (with --no-color) must
# write no byte below 0x20 but \n, and no 0x7f; each JSON view must stay valid
# JSON and carry the name itself (JSON escapes it).
# jq programs sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip ss jq
need_python
need_binary

EVIL='ev\x1b]0;pwned\x07x' # as the actor's comm argument (python escapes)
EVIL_RAW=$(printf 'ev\033]0;pwned\007x')
EVIL_SHOWN='ev^[]0;pwned^Gx' # lsof's notation, what the text views print

# clean FILE: no control byte but \n, no DEL.
clean() {
	"$TD_PY" -c '
import sys
data = open(sys.argv[1], "rb").read()
bad = [i for i, b in enumerate(data) if (b < 0x20 and b != 0x0a) or b == 0x7f]
if bad:
    print("control byte 0x%02x at offset %d: %r" % (data[bad[0]], bad[0],
          data[max(0, bad[0] - 20):bad[0] + 20]), file=sys.stderr)
    sys.exit(1)' "$1"
}

# view DESC ARGS...: run tcpdoctor --no-color ARGS; stdout and stderr clean.
view() {
	local desc=$1
	shift
	td --no-color "$@"
	if clean "$TD_TMP/out" 2>"$TD_TMP/why" && clean "$TD_TMP/err" 2>>"$TD_TMP/why"; then
		ok "$desc: no control byte on stdout or stderr"
	else
		not_ok "$desc: no control byte on stdout or stderr" "$(cat "$TD_TMP/why")"
	fi
}

# json_view DESC ARGS...: run tcpdoctor --json ARGS; valid JSON.
json_view() {
	local desc=$1
	shift
	td --json "$@"
	if "$TD_PY" -m json.tool "$TD_TMP/out" >/dev/null 2>"$TD_TMP/why"; then
		ok "$desc: valid JSON"
	else
		not_ok "$desc: valid JSON" "$(cat "$TD_TMP/why")" "$(head -c 300 "$TD_TMP/out")"
	fi
}

# A server with the hostile name holding 6 CLOSE_WAIT (clients half-close),
# so close-wait-leak names it.
ns_create NS safe
spawn_py "$NS" "$TD_ACTOR" comm "$EVIL" listen 127.0.0.1 7000 keep >/dev/null
wait_for 10 ss_has "$NS" listening 1 || bail "listener not up"
spawn_py "$NS" "$TD_ACTOR" half 127.0.0.1 47001 127.0.0.1 7000 half 127.0.0.1 47002 127.0.0.1 7000 \
	half 127.0.0.1 47003 127.0.0.1 7000 half 127.0.0.1 47004 127.0.0.1 7000 \
	half 127.0.0.1 47005 127.0.0.1 7000 half 127.0.0.1 47006 127.0.0.1 7000 >/dev/null
wait_for 10 ss_has "$NS" close-wait 6 || bail "no 6 CLOSE_WAIT: $(ss -N "$NS" -tan)"

view "check" --netns "$NS" check
is "$TD_RC" 1 "check: close-wait-leak fires (exit 1)" "$TD_OUT"
like "$TD_OUT" "close-wait-leak" "check names the rule"
like "$TD_OUT" "$(printf '%s' "$EVIL_SHOWN" | sed 's/[][^.$]/\\&/g')\\[[0-9]+\\]" \
	"check shows the name escaped (^[ and ^G)"
json_view "check --json" --netns "$NS" check
is "$(jq -r '[.findings[] | select(.rule == "close-wait-leak") | .comm][0]' "$TD_TMP/out")" \
	"$EVIL_RAW" "check --json carries the name itself"

view "states --by process" --netns "$NS" states --by process
like "$TD_OUT" "ev\\^\\[\\]0;pwned\\^Gx" "states --by process shows the name escaped"
json_view "states --by process --json" --netns "$NS" states --by process
view "conns -p" --netns "$NS" conns -p
view "who :7000" --netns "$NS" who :7000

# history: record two samples, then read them back as text.
DB=$TD_TMP/safe.db
"$TCPDOCTOR" --netns "$NS" record --every 1s --db "$DB" 2>"$TD_TMP/rec.err" &
REC_PID=$!
TD_PIDS+=("$REC_PID")
samples() { sqlite3 "$DB" 'SELECT count(*) FROM samples' 2>/dev/null || echo 0; }
at_least() { [ "$(samples)" -ge "$1" ]; }
if command -v sqlite3 >/dev/null && wait_for 30 at_least 2; then
	kill "$REC_PID" 2>/dev/null
	wait "$REC_PID" 2>/dev/null
	view "history --at" history --db "$DB" --at now
	like "$TD_OUT" "close-wait-leak" "history --at shows the finding"
	view "history --from (findings)" history --db "$DB" --from -1h --rule close-wait-leak
	like "$TD_OUT" "ev\\^\\[\\]0;pwned\\^Gx" "history shows the name escaped"
	json_view "history --at --json" history --db "$DB" --at now
	if command -v gnuplot >/dev/null; then
		view "history --png, hostile file name" history --db "$DB" --from -1h \
			--plot CLOSE_WAIT --png "$TD_TMP/$EVIL_RAW.png"
	else
		not_ok "history --png" "needs gnuplot (run scripts/deps)"
	fi
else
	not_ok "record wrote two samples" "$(cat "$TD_TMP/rec.err")"
fi

# Host names and file names given on the command line, and the errors that
# quote them.
view "probe, hostile host name" --netns "$NS" probe "$EVIL_RAW" 7000 -c 1
view "route, hostile host name" --netns "$NS" route "$EVIL_RAW" 7000
view "pcap, hostile file name" pcap "$TD_TMP/$EVIL_RAW.pcap"
like "$TD_ERR" "ev\\^\\[\\]0;pwned\\^Gx" "pcap's error shows the file name escaped"
view "capture, hostile -w file name" --netns "$NS" capture -i lo -c 1 --for 1s \
	-w "$TD_TMP/no/dir/$EVIL_RAW.pcap"

# A reverse-DNS answer is the zone owner's text: route prints hop names.
# ip netns exec gives the namespace its own /etc/hosts (/etc/netns/NAME/).
ns_pair safer
spawn_py "$NS_B" "$TD_ACTOR" listen 192.0.2.2 7000 keep >/dev/null
wait_for 10 ss_has "$NS_B" listening 1 || bail "route target not up"
mkdir -p "/etc/netns/$NS_A"
printf '127.0.0.1 localhost\n192.0.2.2 %s\n' "$EVIL_RAW" >"/etc/netns/$NS_A/hosts"
ip netns exec "$NS_A" "$TCPDOCTOR" --no-color route 192.0.2.2 7000 -c 1 \
	>"$TD_TMP/out" 2>"$TD_TMP/err"
rm -rf "/etc/netns/$NS_A"
if clean "$TD_TMP/out" 2>"$TD_TMP/why" && clean "$TD_TMP/err" 2>>"$TD_TMP/why"; then
	ok "route, hostile PTR name: no control byte on stdout or stderr"
else
	not_ok "route, hostile PTR name: no control byte on stdout or stderr" "$(cat "$TD_TMP/why")"
fi
like "$(cat "$TD_TMP/out")" "ev\\^\\[\\]0;pwned\\^Gx \\(192\\.0\\.2\\.2\\)" \
	"route shows the hop name escaped"

td_done
