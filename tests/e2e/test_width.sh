#!/bin/bash
# Every text view fits the terminal (docs/tcpdoctor.1, "Width"): with
# COLUMNS=80 and COLUMNS=200, and once on a real 80-column terminal (tmux,
# no COLUMNS: TIOCGWINSZ), no line is wider than the width (display
# columns, CJK as two) and no word is broken: every word of the fitted
# output is a word of the unfitted one (piped, no COLUMNS), or an address
# elided in the middle whose two ends are those of an address there, or a
# word of the "left out" note. For views that only wrap (check's Why and
# What to do, explain, fsm, lab list, pcap), the words are the same words
# in the same order. Real data: sockets this test makes in a tdw-
# namespace (long IPv6 addresses, a CLOSE_WAIT leak for check's prose), a
# capture from tests/data, a record database, a trace of real connects.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_binary
need_root
need_tool ip ss tmux script
need_python
# the actors outlive a slow run of many /proc walks
export TD_ACTOR_TTL=${TD_ACTOR_TTL:-900}

NS=tdw-width-$$
ip netns add "$NS" || bail "ip netns add $NS"
TD_NETNS+=("$NS")
ip -n "$NS" link set lo up || bail "lo up in $NS"
A=2001:db8:aaaa:bbbb:cccc:dddd:eeee:1
B=2001:db8:aaaa:bbbb:cccc:dddd:eeee:2
ip -n "$NS" link add td0 type veth peer name td1 &&
	ip -n "$NS" addr add $A/64 dev td0 nodad &&
	ip -n "$NS" addr add $B/64 dev td1 nodad &&
	ip -n "$NS" link set td0 up && ip -n "$NS" link set td1 up || bail "veth in $NS"
TMUX_SOCK=tdw-width-$$
trap 'rc=$?; tmux -L "$TMUX_SOCK" kill-server 2>/dev/null; (exit $rc); td_cleanup' EXIT

# A server that keeps what it accepts; a client with 3 connections open and
# 5 half-closed (the server's 5 CLOSE_WAIT: check's close-wait-leak).
spawn_py "$NS" "$TD_ACTOR" comm tdwserver listen $A 5001 keep listen 127.0.0.1 6000 keep >/dev/null
SERVER_PID=$SPAWNED
wait_for 10 ss_has "$NS" listening 2 || bail "listeners in $NS"
spawn_py "$NS" "$TD_ACTOR" comm tdwclient \
	est $B 41001 $A 5001 est $B 41002 $A 5001 est $B 41003 $A 5001 \
	half $B 42001 $A 5001 half $B 42002 $A 5001 half $B 42003 $A 5001 \
	half $B 42004 $A 5001 half $B 42005 $A 5001 >/dev/null
wait_for 10 ss_has "$NS" close-wait 5 || bail "CLOSE_WAIT sockets in $NS"
wait_for 10 ss_has "$NS" established 6 || bail "ESTABLISHED sockets in $NS"

"$TCPDOCTOR" --netns "$NS" record --db "$TD_TMP/rec.db" --every 200ms --count 2 \
	>/dev/null 2>&1 || bail "record into $TD_TMP/rec.db"

# The checker: fits W FITTED [FULL [same]]. Display width as wcwidth has it
# for the characters we print (East Asian Wide/Fullwidth: 2).
cat >"$TD_TMP/fit.py" <<'EOF'
import re, sys, unicodedata
ansi = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
def cols(line):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else
               0 if unicodedata.combining(c) else 1 for c in line)
def lines(path):
    return [ansi.sub("", l).replace("\r", "").expandtabs(8)
            for l in open(path, encoding="utf-8", errors="replace").read().split("\n")]
def notes(ls):
    return [l for l in ls if "left out to fit" in l]
# Numbers move between two runs (an age, a timer): compared as 0.
digits = re.compile(r"[0-9]+")
# what fitting adds: sysctl's recommendation under its row, a command
# line's shell continuation
added = {"(below)", "recommended:", "\\"}
def words(ls):
    return [digits.sub("0", w) for l in ls if l not in notes(ls) for w in l.split()
            if w not in added]
width, fitted = int(sys.argv[1]), lines(sys.argv[2])
bad = [l for l in fitted if cols(l) > width]
if bad:
    sys.exit("%d line(s) wider than %d, the widest %d: %r" % (len(bad), width, max(map(cols, bad)), bad[0]))
if len(sys.argv) < 4:
    sys.exit(0)
full = lines(sys.argv[3])
fw, uw = words(fitted), words(full)
if len(sys.argv) > 4:
    # only wrapped: CJK lines break between characters, so compare text
    # with the blanks taken out
    if "".join(fw) != "".join(uw):
        a, b = "".join(fw), "".join(uw)
        k = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
        sys.exit("the words differ from the unwrapped output at %r / %r" % (a[k:k+40], b[k:k+40]))
    if fw != uw and not any(ord(c) > 0x2e80 for c in "".join(uw)):
        sys.exit("a word was broken: %r" % next(x for x in zip(fw, uw) if x[0] != x[1]).__repr__())
    sys.exit(0)
known = set(uw)
# pieces of the full output's words a column may show (an address in
# brackets, a "comm(pid,fd=N)" owner list cut to "comm(pid)")
parts = set(p for w in uw for p in re.split(r"[,()=\[\]]", w) if p)
for w in fw:
    if w in known:
        continue
    if "\u2026" in w:
        head, tail = w.split("\u2026", 1)
        if any(u.startswith(head) and u.endswith(tail) for u in uw if len(u) > len(w) - 1):
            continue
        if any(u.startswith(head) for u in uw) and (not tail or any(u.endswith(tail) for u in uw)):
            continue
        sys.exit("elided %r matches no word of the full output" % w)
    if all(p in parts for p in re.split(r"[,()=\[\]]", w) if p):
        continue
    sys.exit("word %r is not in the full output (broken?)" % w)
EOF

# fits DESC W FITTED [FULL [same]]
fits() {
	local desc=$1
	shift
	local msg
	if msg=$("$TD_PY" "$TD_TMP/fit.py" "$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc" "$msg" "$(head -c 2000 "$2")"
	fi
}

# view NAME DETERMINISTIC ARGS...: NAME at 80 and 200 columns against the
# piped, unlimited output. DETERMINISTIC: "same" (only wrapped: same
# words), "words" (a table: words of the full output), "width" (output
# differs run to run: width only).
view() {
	local name=$1 mode=$2 w
	shift 2
	env -u COLUMNS "$TCPDOCTOR" --no-color "$@" >"$TD_TMP/$name.full" 2>"$TD_TMP/$name.err"
	for w in 80 200; do
		COLUMNS=$w "$TCPDOCTOR" --no-color "$@" >"$TD_TMP/$name.$w" 2>"$TD_TMP/$name.$w.err"
		if [ ! -s "$TD_TMP/$name.$w" ]; then
			not_ok "$name at $w columns: has output" "$(head -5 "$TD_TMP/$name.$w.err")"
			continue
		fi
		case $mode in
		same) fits "$name fits $w columns, the same words wrapped" $w \
			"$TD_TMP/$name.$w" "$TD_TMP/$name.full" same ;;
		words) fits "$name fits $w columns, no word broken" $w \
			"$TD_TMP/$name.$w" "$TD_TMP/$name.full" ;;
		*) fits "$name fits $w columns" $w "$TD_TMP/$name.$w" ;;
		esac
	done
}

P=$TD_SRCDIR/tests/data/pcap
view check same --netns "$NS" check --sample 0
like "$(cat "$TD_TMP/check.80")" "close-wait-leak" "check found the CLOSE_WAIT leak (prose to wrap)"
w=$("$TD_PY" -c 'import sys; print(max(len(l) for l in open(sys.argv[1])))' "$TD_TMP/check.full")
if [ "$w" -gt 100 ]; then ok "piped, no COLUMNS: check's prose is not wrapped ($w columns)"
else not_ok "piped check output is not wrapped" "widest line $w"; fi
view states words --netns "$NS" states
view states-peer words --netns "$NS" states --by peer
view states-process words --netns "$NS" states --by process
view conns words --netns "$NS" conns
# the note goes to stderr: stdout stays one table
like "$(cat "$TD_TMP/conns.80.err")" "left out to fit 80 columns" "conns at 80: the dropped columns are named (stderr)"
like "$(cat "$TD_TMP/conns.80")" "…" "conns at 80: long addresses elided"
unlike "$(cat "$TD_TMP/conns.200" "$TD_TMP/conns.200.err")" "…|left out" "conns at 200: every column, addresses whole"
n80=$(grep -c "ESTABLISHED\|CLOSE_WAIT\|FIN_WAIT2\|LISTEN" "$TD_TMP/conns.80")
is "$n80" "$(ss -N "$NS" -Htan | wc -l)" "conns at 80: a row per socket ss sees"
view conns-info words --netns "$NS" conns -i
view who words --netns "$NS" who 5001
# --all-netns: the workers write to memory, fitted to the width less NETNS
view conns-all-netns words --all-netns --netns-filter "$NS" conns
view sysctl words --netns "$NS" sysctl
view kill words --netns "$NS" kill --state close-wait
view keepalive words --netns "$NS" keepalive --pid "$SERVER_PID"
view watch width --netns "$NS" watch -c 2 -i 0.2
view probe width --netns "$NS" probe -c 2 -i 0.1 "[$A]:5001"
view route width --netns "$NS" route -c 1 "[$B]:5001"
view history words history --db "$TD_TMP/rec.db"
view history-range words history --db "$TD_TMP/rec.db" --from -1h
view explain same explain time-wait close-wait-leak ECONNRESET
view explain-zh same explain --lang zh_CN syn-queue keepalive
view explain-list same explain --list
view fsm same fsm
view lab-list same lab list
view pcap same pcap "$P/normal.pcap"
view pcap-reset same pcap "$P/reset.pcap"
view pcap-anomalies same pcap --anomalies "$P/reset.pcap"

# A real 80-column terminal and no COLUMNS: tmux runs script(1), whose pty
# takes tmux's size, and script records what tcpdoctor wrote to it.
for v in conns check; do
	rm -f "$TD_TMP/tmux.$v" "$TD_TMP/tmux.$v.done"
	args="--netns $NS $v"
	[ $v = check ] && args="$args --sample 0"
	tmux -L "$TMUX_SOCK" new-session -d -x 80 -y 50 \
		"env -u COLUMNS script -q -e -c '$TCPDOCTOR --no-color $args' $TD_TMP/tmux.$v; touch $TD_TMP/tmux.$v.done" ||
		bail "tmux new-session"
	if ! wait_for 30 test -e "$TD_TMP/tmux.$v.done"; then
		not_ok "tmux -x 80: $v ran"
		continue
	fi
	sed -i '1{/^Script started/d}; ${/^Script done/d}' "$TD_TMP/tmux.$v"
	# the same command piped, right after, for the words
	# shellcheck disable=SC2086
	env -u COLUMNS "$TCPDOCTOR" --no-color $args >"$TD_TMP/$v.full" 2>/dev/null
	fits "tmux -x 80 (TIOCGWINSZ, no COLUMNS): $v fits 80 columns" 80 "$TD_TMP/tmux.$v" \
		"$TD_TMP/$v.full" $([ $v = check ] && echo same)
done
like "$(cat "$TD_TMP/tmux.conns")" "left out to fit 80 columns" "tmux: conns read the terminal's width"

# trace: connects and a refused one while it runs; width only (the events
# of the two runs differ).
attached() { ls -l "/proc/$1/fd" 2>/dev/null | grep -q 'anon_inode:\[eventpoll\]'; }
if ! "$TCPDOCTOR" --netns "$NS" trace --for 1ms >/dev/null 2>"$TD_TMP/trace.err"; then
	skip_kernel "trace fits the width" "no BPF trace: $(head -1 "$TD_TMP/trace.err")"
else
	for w in 80 200; do
		COLUMNS=$w "$TCPDOCTOR" --no-color --netns "$NS" trace --for 5s --resets --transitions \
			--with-summary >"$TD_TMP/trace.$w" 2>"$TD_TMP/trace.$w.err" &
		tp=$!
		TD_PIDS+=("$tp")
		# attached once it waits on its ring buffer (as test_trace.sh has it)
		wait_for 10 attached "$tp" ||
			not_ok "trace at $w columns attached" "$(cat "$TD_TMP/trace.$w.err")"
		ip netns exec "$NS" "$TD_PY" -c '
import socket, sys
for i in range(3):
    socket.create_connection((sys.argv[1], 5001)).close()
try:
    socket.create_connection(("127.0.0.1", 6001))
except OSError:
    pass' "$A"
		wait "$tp"
		# a wrapped event goes on under itself: joined before the grep
		if tr -s ' \n' '  ' <"$TD_TMP/trace.$w" | grep -q "RESET sent"; then
			fits "trace fits $w columns" $w "$TD_TMP/trace.$w"
		else
			not_ok "trace at $w columns saw the refused connect" "$(head -20 "$TD_TMP/trace.$w")"
		fi
	done
fi

td_done
