#!/bin/bash
# Usage errors and their exit codes and messages, --help and --version, a
# truncated replay file, JSON that stays valid whatever a process is called,
# and no colour escapes unless stdout is a tty and colour is allowed.
# Root is only needed for the parts that build a namespace.
# jq programs and awk field names sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_tool jq
need_binary

# expect_usage DESC WORD ARGS...: exit 2 and a first stderr line
# "tcpdoctor: ..." mentioning WORD. The contract's exact shape (one line,
# "tcpdoctor: <what>: <why and what to do>") is checked once for all, below.
BAD_SHAPE=()
expect_usage() {
	local desc=$1 word=$2 first
	shift 2
	td "$@"
	first=$(head -1 <<<"$TD_ERR")
	if [ "$TD_RC" -eq 2 ] && [[ $first == "tcpdoctor: "*"$word"* ]]; then
		ok "$desc: exit 2, names '$word'"
	else
		not_ok "$desc: exit 2, names '$word'" "tcpdoctor $*" "exit $TD_RC" "stderr: $TD_ERR"
	fi
	if [ "$(grep -c . <<<"$TD_ERR")" -ne 1 ] || ! [[ $TD_ERR =~ ^tcpdoctor:\ [^:]+.*:\ .+$ ]]; then
		BAD_SHAPE+=("tcpdoctor $*  =>  $(head -3 <<<"$TD_ERR")")
	fi
}

expect_usage "unknown command" frobnicate frobnicate
expect_usage "a command after the default command's options" conns --lang zh conns
expect_usage "--sample 5x (no such unit)" 5x check --sample 5x
expect_usage "--sample -1" -1 check --sample -1
expect_usage "--sample 2h (above 3600 s)" 2h check --sample 2h
expect_usage "watch -i 5ms (below 0.01 s)" 5ms watch -i 5ms
expect_usage "probe --timeout 0" 0 probe --timeout 0 127.0.0.1:1
# One time syntax for every option: a unit where a number of seconds was
# the only spelling (check --sample, watch -i, probe/route --interval).
td check --sample 300ms --json
sample_s=$(jq -r .sample_s <<<"$TD_OUT" 2>/dev/null)
if [ "$TD_RC" -le 2 ] && awk -v s="$sample_s" 'BEGIN { exit !(s >= 0.29 && s < 5) }'; then
	ok "check --sample 300ms samples 0.3 s (sample_s $sample_s)"
else
	not_ok "check --sample 300ms samples 0.3 s" "exit $TD_RC" "sample_s: $sample_s" "$TD_ERR"
fi
expect_usage "unknown option" --frobnicate states --frobnicate
expect_usage "--state foo" foo states --state foo
expect_usage "--state foo on conns" foo conns --state foo
expect_usage "--port 70000" 70000 states --port 70000
expect_usage "--sport 5000-70000" 70000 states --sport 5000-70000
expect_usage "--dport abc" abc conns --dport abc
expect_usage "--port 9-3 (reversed range)" 9-3 states --port 9-3
expect_usage "--src 192.0.2.0/33" 192.0.2.0/33 states --src 192.0.2.0/33
expect_usage "--dst 2001:db8::/129" 2001:db8::/129 states --dst 2001:db8::/129
expect_usage "--src 192.0.2.256" 192.0.2.256 conns --src 192.0.2.256
expect_usage "--pid abc" abc conns --pid abc
expect_usage "--by nonsense" nonsense states --by nonsense
expect_usage "--source nonsense" nonsense states --source nonsense
expect_usage "--netns that does not exist" "td-e2e-nope-$$" --netns "td-e2e-nope-$$" states
expect_usage "--netns after the command" "td-e2e-nope-$$" states --netns "td-e2e-nope-$$"
expect_usage "--netns a file that is no namespace" /etc/passwd --netns /etc/passwd states
expect_usage "--source replay:/nonexistent" /nonexistent states --source replay:/nonexistent
expect_usage "who without a port" who who
expect_usage "who :70000" 70000 who :70000
if [ ${#BAD_SHAPE[@]} -eq 0 ]; then
	ok "every usage error is one line 'tcpdoctor: <what>: <why>'"
else
	not_ok "every usage error is one line 'tcpdoctor: <what>: <why>'" \
		"${#BAD_SHAPE[@]} are not:" "${BAD_SHAPE[@]}"
fi

# ---- help and version -------------------------------------------------------

td --help
if [ "$TD_RC" -eq 0 ] && [[ $TD_OUT == *states* && $TD_OUT == *conns* && $TD_OUT == *who* ]]; then
	ok "--help exits 0 and lists the commands"
else
	not_ok "--help exits 0 and lists the commands" "exit $TD_RC" "$TD_OUT"
fi
for cmd in states conns who; do
	for h in --help -h; do
		td "$cmd" "$h"
		if [ "$TD_RC" -eq 0 ] && grep -qE "tcpdoctor +([-a-z0-9]+ +)*$cmd( |$)" <<<"$TD_OUT"; then
			ok "$cmd $h exits 0 and shows an example"
		else
			not_ok "$cmd $h exits 0 and shows an example" "exit $TD_RC" "$TD_OUT" "$TD_ERR"
		fi
	done
done
td --version
if [ "$TD_RC" -eq 0 ] && [[ $TD_OUT =~ [0-9] ]]; then ok "--version"; else not_ok "--version" "exit $TD_RC: $TD_OUT"; fi

# ---- a process with a hostile name --------------------------------------------

# In a namespace of our own when root; else on the host's loopback, narrowed
# by --pid. The names go through prctl(PR_SET_NAME): quote, backslash,
# newline, tab, a control byte; and an ANSI escape.
NSARGS=()
if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null; then
	ns_create NS_W names
	run_actor() { spawn_py "$NS_W" "$TD_ACTOR" "$@"; }
	NSARGS=(--netns "$NS_W")
else
	run_actor() {
		"$TD_PY" -c "$TD_ACTOR" "$@" &
		SPAWNED=$!
		TD_PIDS+=("$SPAWNED")
	}
fi
if [ -n "$TD_PY" ]; then
	run_actor comm 'a"b\\c\nd\te\x01f' listen 127.0.0.1 0 keep >/dev/null
	P1=$SPAWNED
	run_actor comm 'ev\x1b[31mil' listen 127.0.0.1 0 keep >/dev/null
	P2=$SPAWNED
	has_listener() { [ "$("$TCPDOCTOR" "${NSARGS[@]}" conns --pid "$1" --json 2>/dev/null | jq .count)" = 1 ]; }
	wait_for 10 has_listener "$P1" && wait_for 10 has_listener "$P2"
	is "$(td_json '[.sockets[].owners[].comm] | unique | map(select(. == "a\"b\\c\nd\te\u0001f")) | length' \
		"${NSARGS[@]}" conns --pid "$P1" --json)" 1 "conns --json escapes quote, backslash, newline, tab, \\x01 in comm"
	is "$(td_json '[.sockets[].owners[].comm] | unique | map(select(. == "ev\u001b[31mil")) | length' \
		"${NSARGS[@]}" conns --pid "$P2" --json)" 1 "conns --json escapes ESC in comm"
	for cmd in "states --by process" conns "conns -i" "who 1-65535"; do
		# shellcheck disable=SC2086
		td "${NSARGS[@]}" $cmd --json
		if [ "$TD_RC" -eq 0 ] && jq -e . >/dev/null 2>&1 <<<"$TD_OUT"; then
			ok "$cmd --json is valid JSON with hostile process names"
		else
			not_ok "$cmd --json is valid JSON with hostile process names" "exit $TD_RC" \
				"$(jq . 2>&1 <<<"$TD_OUT" | tail -2)"
		fi
	done
	td "${NSARGS[@]}" conns --pid "$P2"
	if grep -q $'\x1b' "$TD_TMP/out"; then
		not_ok "text conns does not pass a raw ESC from a process name to the terminal" \
			"$(od -c "$TD_TMP/out" | grep -m1 '033')"
	else
		ok "text conns does not pass a raw ESC from a process name to the terminal"
	fi
	td "${NSARGS[@]}" conns --pid "$P1"
	is "$(grep -c 127.0.0.1 <<<"$TD_OUT") $(grep -v 127.0.0.1 <<<"$TD_OUT" | grep -vic '^ *state' )" "1 0" \
		"text conns keeps one line per socket despite a newline in comm"
	kill "$P1" "$P2" 2>/dev/null
else
	skip "hostile process names" "python3 not found"
fi

# ---- colour and JSON layout -----------------------------------------------------

no_esc() { # DESC FILE
	if grep -q $'\x1b' "$2"; then
		not_ok "$1" "$(od -c "$2" | grep -m1 '033')"
	else
		ok "$1"
	fi
}
# on_tty FILE ARGS...: run tcpdoctor with a pseudo-terminal as stdout.
on_tty() {
	local out=$1
	shift
	script -qec "$(printf '%q ' "$TCPDOCTOR" "$@")" /dev/null </dev/null >"$out" 2>&1
}
for cmd in states conns "states --by lport" "conns -i"; do
	# shellcheck disable=SC2086
	"$TCPDOCTOR" $cmd >"$TD_TMP/pipe" 2>&1
	no_esc "$cmd piped: no escape bytes" "$TD_TMP/pipe"
done
if command -v script >/dev/null; then
	for cmd in states conns; do
		NO_COLOR=1 on_tty "$TD_TMP/tty1" "$cmd"
		no_esc "$cmd on a tty with NO_COLOR=1: no escape bytes" "$TD_TMP/tty1"
		on_tty "$TD_TMP/tty2" "$cmd" --no-color
		no_esc "$cmd on a tty with --no-color: no escape bytes" "$TD_TMP/tty2"
		on_tty "$TD_TMP/tty3" --no-color "$cmd"
		no_esc "--no-color before $cmd on a tty: no escape bytes" "$TD_TMP/tty3"
	done
	on_tty "$TD_TMP/tty4" states --json
	tr -d '\r' <"$TD_TMP/tty4" >"$TD_TMP/tty4.json"
	if [ "$(grep -c . "$TD_TMP/tty4.json")" -gt 1 ] && jq -e . "$TD_TMP/tty4.json" >/dev/null 2>&1; then
		ok "--json on a tty is pretty-printed valid JSON"
	else
		not_ok "--json on a tty is pretty-printed valid JSON" "$(head -5 "$TD_TMP/tty4.json")"
	fi
	no_esc "--json on a tty: no escape bytes" "$TD_TMP/tty4"
else
	skip "tty colour checks" "script (util-linux) not installed"
fi
"$TCPDOCTOR" states --json >"$TD_TMP/json" 2>/dev/null
is "$(grep -c . "$TD_TMP/json") $(jq -e .command "$TD_TMP/json" 2>&1)" '1 "states"' \
	"--json piped: one compact line"
"$TCPDOCTOR" --json conns >"$TD_TMP/json" 2>/dev/null
is "$(grep -c . "$TD_TMP/json") $(jq -e .command "$TD_TMP/json" 2>&1)" '1 "conns"' \
	"--json before the command, piped: one compact line"

# ---- a truncated replay file ------------------------------------------------------

# A real dump from a lab namespace, cut in the middle of a message.
if [ "$(id -u)" -eq 0 ] && [ -n "$TD_PY" ] && command -v ss >/dev/null; then
	lab_standard trunc
	dump=$TD_TMP/full.dump
	full=$(td_json .total --netns "$NS_B" states --save-dump "$dump" --json)
	size=$(stat -c %s "$dump" 2>/dev/null || echo 0)
	if [ "$size" -gt 200 ]; then
		# Message starts (nlmsg_len is the first u32, messages 4-byte aligned),
		# to cut 10 bytes into the message holding the middle of the file.
		starts=$("$TD_PY" -c '
import struct, sys
b = open(sys.argv[1], "rb").read()
o = 0
while o + 16 <= len(b):
    print(o)
    o += (struct.unpack_from("=I", b, o)[0] + 3) & ~3
' "$dump")
		mid=$(awk -v h=$((size / 2)) '$1 <= h { s = $1 } END { print s }' <<<"$starts")
		cut=$((mid + 10))
		head -c "$cut" "$dump" >"$TD_TMP/cut.dump"
		td --source "replay:$TD_TMP/cut.dump" states --json
		part=$(jq -r .total <<<"$TD_OUT" 2>/dev/null)
		diag "truncated replay: exit $TD_RC, total ${part:-none} of $full, stderr: $TD_ERR"
		if [[ $part =~ ^[0-9]+$ ]] && [ "$part" -gt 0 ] && [ "$part" -lt "$full" ]; then
			ok "truncated replay: a partial result ($part of $full)"
		else
			not_ok "truncated replay: a partial result" "stdout: $TD_OUT"
		fi
		like "$TD_ERR" "^tcpdoctor: .*(offset|byte)[^0-9]*($mid|$cut)" \
			"truncated replay: the error names the offset ($mid or $cut)"
		: >"$TD_TMP/empty.dump"
		td --source "replay:$TD_TMP/empty.dump" states --json
		is "$TD_RC $(jq -r .total <<<"$TD_OUT" 2>&1)" "0 0" "empty replay file: no socket, exit 0"
		head -c 7 "$dump" >"$TD_TMP/tiny.dump"
		td --source "replay:$TD_TMP/tiny.dump" states --json
		like "$TD_ERR" "(offset|byte)[^0-9]*0" "7-byte replay file: error at offset 0"
		is "$TD_OUT" "" "7-byte replay file: no table before the error"
		printf 'hello, not a dump\n' >"$TD_TMP/text.dump"
		td --source "replay:$TD_TMP/text.dump" states
		is "$TD_RC:$TD_OUT" "2:" "a text file as a replay: exit 2, nothing printed first"
		like "$TD_ERR" "not a sock_diag dump \\(ss -D or --save-dump\\)" "... and says what it wants"
		td --source "replay:$TD_TMP/text.dump" conns
		is "$TD_RC:$TD_OUT" "2:" "conns: no header before the error"
		chmod 000 "$TD_TMP/cut.dump"
		if setpriv --reuid 65534 --regid 65534 --clear-groups true 2>/dev/null; then
			setpriv --reuid 65534 --regid 65534 --clear-groups "$TCPDOCTOR" \
				--source "replay:$TD_TMP/cut.dump" states >/dev/null 2>&1
			is "$?" 2 "unreadable replay file: exit 2"
		fi
	else
		not_ok "--save-dump wrote a dump to cut" "size $size, total $full"
	fi
else
	skip "truncated replay" "needs root, python3 and ss to record a dump"
fi

td_done
