#!/bin/bash
# Faults survived, nothing lost: every command whose reader goes away (piped
# into `head -1`, or into a pipe already closed) exits quietly -- its usual
# status or SIGPIPE, nothing on stderr; `record` on a full filesystem says
# which file could not be written, goes on trying as documented (a full disk
# may pass), and leaves a database that passes PRAGMA integrity_check with
# every sample taken before the fault.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

need_root
need_tool ip ss jq sqlite3 mount umount
need_python
need_binary

lab_standard faults
DATA=$TD_SRCDIR/tests/data

# ---- a reader that goes away ---------------------------------------------------------

# The commands, as "args" strings; socket commands look into the standard lab.
N="--netns $NS_A"
CMDS=(
	"$N states" "$N states --by process" "$N states --json" "$N conns" "$N conns -i"
	"$N conns --json" "$N who :5001" "$N check" "$N check --json --sample 0"
	"$N watch -i 0.1 -c 3" "$N sysctl" "explain CLOSE_WAIT" "explain ECONNREFUSED"
	"explain net.ipv4.tcp_tw_reuse" "fsm" "fsm --paths" "fsm --dot" "lab list"
	"pcap $DATA/pcap/normal.pcap" "pcap $DATA/pcap/normal.pcap --ladder --conn 0"
	"pcap $DATA/pcap/normal.pcap --json" "--help" "conns --help" "pcap --help"
	"$N probe 192.0.2.1:5001 -c 3 -i 0" "$N probe 192.0.2.1:5001 -c 3 -i 0 --json"
	"history --db $TD_TMP/h.db" "history --db $TD_TMP/h.db --json"
	"history --db $TD_TMP/h.db --plot CLOSE_WAIT" "completion bash" "completion zsh"
	"completion fish" "explain --lang zh CLOSE_WAIT"
)
"$TCPDOCTOR" --netns "$NS_A" record --every 100ms --count 3 --db "$TD_TMP/h.db" 2>/dev/null ||
	bail "record --count 3 for history"

# closed_pipe ARGS...: run tcpdoctor with stdout a pipe whose read end is
# already closed (every write fails with EPIPE, or raises SIGPIPE); prints
# the exit status as the shell would ($? = 128 + signal).
closed_pipe() {
	"$TD_PY" -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=open(os.environ["ERRFILE"], "wb"))
print(p.returncode if p.returncode >= 0 else 128 - p.returncode)
' "$TCPDOCTOR" "$@"
}

for c in "${CMDS[@]}"; do
	# shellcheck disable=SC2086
	"$TCPDOCTOR" $c >/dev/null 2>&1
	want=$?
	# shellcheck disable=SC2086
	"$TCPDOCTOR" $c 2>"$TD_TMP/head.err" | head -1 >/dev/null
	got=${PIPESTATUS[0]}
	if { [ "$got" -eq "$want" ] || [ "$got" -eq 141 ]; } && [ ! -s "$TD_TMP/head.err" ]; then
		ok "$c | head -1: exits quietly ($got)"
	else
		not_ok "$c | head -1: exits quietly" "exit $got (alone: $want)" \
			"stderr: $(head -c 300 "$TD_TMP/head.err")"
	fi
	# shellcheck disable=SC2086
	got=$(ERRFILE=$TD_TMP/closed.err closed_pipe $c)
	if { [ "$got" = "$want" ] || [ "$got" = 141 ]; } && [ ! -s "$TD_TMP/closed.err" ]; then
		ok "$c > closed pipe: exits quietly ($got)"
	else
		not_ok "$c > closed pipe: exits quietly" "exit $got (alone: $want)" \
			"stderr: $(head -c 300 "$TD_TMP/closed.err")"
	fi
done

# ---- record on a full filesystem -------------------------------------------------------

MNT=$TD_TMP/full
mkdir -p "$MNT"
mount -t tmpfs -o size=2m,mode=0755 tdfaults "$MNT" || bail "mount a 2 MiB tmpfs"
# The tmpfs goes with the test, whatever happens.
trap 'rc=$?; umount -l "$MNT" 2>/dev/null; (exit $rc); td_cleanup' EXIT
DB=$MNT/rec.db

samples() { sqlite3 "$DB" 'SELECT count(*) FROM samples' 2>/dev/null || echo 0; }
at_least() { [ "$(samples)" -ge "$1" ]; }
said_full() { grep -q "$DB" "$TD_TMP/rec.err"; }

"$TCPDOCTOR" --netns "$NS_A" record --every 100ms --db "$DB" 2>"$TD_TMP/rec.err" &
REC=$!
TD_PIDS+=("$REC")
wait_for 10 at_least 5 || bail "record wrote no samples: $(cat "$TD_TMP/rec.err")"
# Fill what is left: the next sample cannot be written.
dd if=/dev/zero of="$MNT/fill" bs=4k >/dev/null 2>&1
before=$(samples)
last_before=$(sqlite3 "$DB" 'SELECT max(id) FROM samples')
diag "record: $before samples when the filesystem filled up"
if wait_for 10 said_full; then
	ok "full filesystem: record says so"
else
	not_ok "full filesystem: record says so" "stderr: $(head -c 400 "$TD_TMP/rec.err")"
fi
err=$(grep -m1 "$DB" "$TD_TMP/rec.err")
like "$err" "^tcpdoctor: .*$DB" "... naming the database file"
like "$err" "(full|[Nn]o space)" "... and that the disk is full"
check "record goes on (it retries each interval, as documented)" kill -0 "$REC"
# The space comes back: record takes samples again.
rm -f "$MNT/fill"
if wait_for 10 at_least $((before + 3)); then
	ok "space again: record writes new samples"
else
	not_ok "space again: record writes new samples" "$(samples) samples, $before before the fault"
fi
kill "$REC"
wait "$REC"
is "$?" 0 "record exits 0 on SIGTERM after the fault"
is "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok "the database passes PRAGMA integrity_check"
is "$(sqlite3 "$DB" "SELECT count(*) FROM samples WHERE id <= $last_before")" "$before" \
	"every sample taken before the fault is still there"
td history --db "$DB" --json
is "$TD_RC" 0 "history reads the database" "$TD_ERR"
# A database on a filesystem with no room at all: a clear error at once.
dd if=/dev/zero of="$MNT/fill" bs=4k >/dev/null 2>&1
td --netns "$NS_A" record --every 100ms --count 1 --db "$MNT/new.db"
isnt "$TD_RC" 0 "record on a full filesystem, new database: exit non-zero"
like "$TD_ERR" "$MNT/new.db" "... the error names the file"
rm -f "$MNT/fill"

td_done
