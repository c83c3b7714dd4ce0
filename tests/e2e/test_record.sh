#!/bin/bash
# `tcpdoctor record` and `history`: record a close-wait-leak lab while more
# CLOSE_WAIT sockets appear; `history --at` shows the earlier and the later
# counts, --rule the finding, --plot the growth (--png: through gnuplot);
# SIGKILL at random moments while recording never corrupts the database.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip ss jq sqlite3
need_python
need_binary

ID="rc$$"
SRV="td-lab-$ID-server"
CLI="td-lab-$ID-client"
DB="$TD_TMP/rec.db"
lab_clean() { "$TCPDOCTOR" lab clean --id "$ID" >/dev/null 2>&1; }
# td_cleanup exits with the status it finds in $?: keep the script's.
trap 'r=$?; lab_clean; (exit $r); td_cleanup' EXIT

td lab run close-wait-leak --keep --id "$ID"
[ "$TD_RC" -eq 0 ] || bail "lab close-wait-leak did not run: $TD_ERR"
TD_NETNS+=("$SRV" "$CLI")

# sqlite3 waits out record's write lock (.timeout) rather than fail on it.
samples() { sqlite3 -cmd '.timeout 5000' "$DB" 'SELECT count(*) FROM samples' 2>/dev/null || echo 0; }
at_least() { [ "$(samples)" -ge "$1" ]; }
# The second of the newest committed sample: its ts_ms rounded down (+0) or
# up (+999).
last_ts() { sqlite3 -cmd '.timeout 5000' "$DB" "SELECT (max(ts_ms) + $1) / 1000 FROM samples" 2>/dev/null; }

"$TCPDOCTOR" --netns "$SRV" record --every 1s --db "$DB" 2>"$TD_TMP/rec.err" &
REC_PID=$!
TD_PIDS+=("$REC_PID")
wait_for 15 at_least 3 || bail "record wrote no sample: $(cat "$TD_TMP/rec.err")"
# T1 from the database, not the clock: a sample still being taken (slow on a
# loaded machine) has a later ts_ms than every committed one, so "--at T1"
# is a sample that was complete before anything below changed.
T1=$(last_ts 0)
[[ $T1 =~ ^[0-9]+$ ]] || bail "no sample time in $DB"
sleep 1.1

# Six more CLOSE_WAIT on the server: a listener that keeps what it accepts,
# clients that half-close.
spawn_py "$SRV" "$TD_ACTOR" listen 192.0.2.2 6000 keep >/dev/null
wait_for 10 ss_has "$SRV" listening 3 || bail "listener on 6000 not up"
spawn_py "$CLI" "$TD_ACTOR" half 192.0.2.1 46001 192.0.2.2 6000 half 192.0.2.1 46002 192.0.2.2 6000 \
	half 192.0.2.1 46003 192.0.2.2 6000 half 192.0.2.1 46004 192.0.2.2 6000 \
	half 192.0.2.1 46005 192.0.2.2 6000 half 192.0.2.1 46006 192.0.2.2 6000 >/dev/null
wait_for 10 ss_has "$SRV" close-wait 10 || bail "no 10 CLOSE_WAIT: $(ss -N "$SRV" -tan)"
# Sample n+1 may have been under way before the 10 CLOSE_WAIT (a sample
# gathers for a while): n+2 started after them. T2 is the newest sample's
# second, rounded up: "--at T2" is a sample that saw them all.
n=$(samples)
wait_for 15 at_least $((n + 2)) || bail "record stopped"
T2=$(last_ts 999)
[[ $T2 =~ ^[0-9]+$ ]] || bail "no sample time in $DB"

is "$(td_json '.states.CLOSE_WAIT' history --db "$DB" --at "@$T1" --json)" 4 \
	"history --at (before): 4 CLOSE_WAIT, as the lab made them"
is "$(td_json '.states.CLOSE_WAIT' history --db "$DB" --at "@$T2" --json)" 10 \
	"history --at (after): 10 CLOSE_WAIT"
is "$(td_json '.states.LISTEN' history --db "$DB" --at "@$T2" --json)" 3 "history --at: LISTEN 3"
is "$(td_json '[.groups[] | select(.by == "port" and .state == "CLOSE_WAIT")] | map("\(.key)=\(.count)") | sort | join(" ")' \
	history --db "$DB" --at "@$T2" --json)" "5000=4 6000=6" "history --at: CLOSE_WAIT by port"
is "$(td_json '.sample_netns' history --db "$DB" --at "@$T2" --json)" "$SRV" "the sample says which namespace"
td history --db "$DB" --at "@$T2"
like "$TD_OUT" 'CLOSE_WAIT +10 ' "text: the states table"
like "$TD_OUT" 'WARNING +close-wait-leak' "text: the finding, as check names it"
like "$(td_json '[.findings[].rule] | unique | join(",")' history --db "$DB" --from "@$((T1 - 60))" \
	--rule close-wait-leak --json)" '^close-wait-leak$' "history --rule lists the rule's findings"
like "$(td_json '[.samples[].states.CLOSE_WAIT] | unique | join(",")' history --db "$DB" \
	--from "@$((T1 - 60))" --json)" '^4,10$' "history --from: a line per sample, 4 then 10"
td history --db "$DB" --from "@$((T1 - 60))" --plot CLOSE_WAIT
like "$TD_OUT" 'min 4  max 10  last 10' "history --plot: the sparkline's range"
td history --db "$DB" --from "@$((T1 - 60))" --plot TcpExt.NoSuchCounter
is "$TD_RC" 2 "history --plot of an unknown counter: exit 2"
like "$TD_ERR" 'no such counter in the database' "... says so"
like "$TD_ERR" 'TcpExt\.ListenOverflows' "... and lists the counters there are"
td history --db "$DB" --from "@$((T1 - 60))" --plot SOMESTATE
like "$TD_ERR" 'a state \(ESTABLISHED .*CLOSE_WAIT' "an unknown state lists the states too"

# --png: the same series drawn by gnuplot. A space and a quote in the name: it
# reaches gnuplot as a quoted string, never through a shell.
PNG="$TD_TMP/close wait's.png"
if command -v gnuplot >/dev/null 2>&1; then
	td history --db "$DB" --from "@$((T1 - 60))" --plot CLOSE_WAIT --png "$PNG"
	is "$TD_RC" 0 "history --png exits 0" "$TD_ERR"
	like "$TD_OUT" "close wait's.png: CLOSE_WAIT, [0-9]+ samples" "history --png says what it wrote"
	is "$(head -c 8 "$PNG" 2>/dev/null | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a \
		"history --png writes a PNG (8-byte signature)"
	if command -v file >/dev/null 2>&1; then
		like "$(file -b "$PNG")" '^PNG image data, 900 x 300' "file(1): a 900 x 300 PNG"
	else
		skip "file(1): a 900 x 300 PNG" "no file(1)"
	fi
else
	skip "history --png writes a PNG" "needs gnuplot (run scripts/deps)"
fi
td history --db "$DB" --from "@$((T1 - 60))" --plot CLOSE_WAIT --png "$TD_TMP/no/such/dir/x.png"
is "$TD_RC" 2 "history --png into a missing directory: a usage error"
is "$TD_ERR" "tcpdoctor: --png $TD_TMP/no/such/dir/x.png: No such file or directory" \
	"history --png, bad path: one clean line"
td history --db "$DB" --from "@$((T1 - 7200))" --to "@$((T1 - 3600))" --plot CLOSE_WAIT \
	--png "$TD_TMP/empty.png"
is "$TD_RC" 2 "history --png over a range without samples: exit 2"
check "history --png without samples writes no file" test ! -e "$TD_TMP/empty.png"
# gnuplot not on PATH (td itself needs cat: run the binary directly).
mkdir -p "$TD_TMP/nobin"
rc=0
err=$(PATH="$TD_TMP/nobin" "$TCPDOCTOR" history --db "$DB" --from "@$((T1 - 60))" \
	--plot CLOSE_WAIT --png "$TD_TMP/nognuplot.png" 2>&1 >/dev/null) || rc=$?
is "$rc" 3 "history --png without gnuplot: exit 3"
is "$err" "tcpdoctor: --png needs gnuplot (apt-get install gnuplot-nox)" \
	"history --png without gnuplot: one line saying what to install"
td history --db "$DB" --at "yesterday-ish"
is "$TD_RC" 2 "a bad --at is a usage error"
td history --db "$TD_TMP/none.db"
is "$TD_RC" 2 "a missing database is a usage error"
is "$(sqlite3 "$DB" 'PRAGMA journal_mode')" wal "the database is in WAL mode"
is "$(sqlite3 "$DB" 'PRAGMA user_version')" 1 "the schema version is recorded"
kill "$REC_PID"
wait "$REC_PID"
is "$?" 0 "record exits 0 on SIGTERM"

# ---- SIGKILL at any moment -----------------------------------------------------------
KDB="$TD_TMP/kill.db"
kdb_has() { [ "$(sqlite3 -cmd '.timeout 5000' "$KDB" 'SELECT count(*) FROM samples' 2>/dev/null)" -ge 1 ] 2>/dev/null; }
for i in $(seq 1 15); do
	"$TCPDOCTOR" --netns "$SRV" record --every 100ms --db "$KDB" 2>/dev/null &
	p=$!
	# The first one lives until it has committed a sample (its start-up may
	# take longer than these delays on a loaded machine); then any moment.
	[ "$i" -eq 1 ] && { wait_for 10 kdb_has || diag "no sample in $KDB yet"; }
	sleep "0.$((RANDOM % 6 + 2))"
	kill -9 "$p"
	wait "$p" 2>/dev/null
done
is "$(sqlite3 "$KDB" 'PRAGMA integrity_check')" ok "after 15 SIGKILLs mid-write: integrity_check ok"
last=$(sqlite3 "$KDB" 'SELECT max(id) FROM samples')
like "$last" '^[0-9]+$' "samples survived the kills"
is "$(sqlite3 "$KDB" "SELECT sum(ipv4 + ipv6) FROM states WHERE sample = $last AND state = 8")" 10 \
	"the last complete sample is whole (CLOSE_WAIT 10)"
is "$(td_json '.states.CLOSE_WAIT' history --db "$KDB" --json)" 10 "history reads the last sample"
lab_clean
td_done
