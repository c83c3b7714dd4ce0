#!/bin/bash
# tcpdoctor keepalive: a dry run changes nothing; --yes makes ss -o show the
# keepalive timer on exactly the target process's sockets with the idle time
# asked; a peer that vanished is found within idle + intvl x count and the
# application gets ETIMEDOUT, while a live peer stays; --off undoes; another
# user's process is refused in one line, a missing pid is exit 2.
# Traffic stays on a veth between two namespaces the test makes.
# shellcheck disable=SC2086
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/remedy.sh"
need_root
need_binary
need_python
need_tool ip ss jq setpriv

a4=192.0.2.1 b4=192.0.2.2 c4=192.0.2.3
ns_pair ka
ip -n "$NS_B" addr add $c4/24 dev td1 || bail "second address in $NS_B"
SLOG=$TD_TMP/server.log
spawn_py "$NS_A" "$TD_WATCH" log "$SLOG" listen $a4 5001 >/dev/null
SERVER_PID=$SPAWNED
# A second process in NS_A with sockets of its own, which must stay as it is.
spawn_py "$NS_A" "$TD_ACTOR" listen $a4 5002 keep >/dev/null
OTHER_PID=$SPAWNED
wait_for 10 ss_has "$NS_A" listening 2 || bail "listeners not up"
spawn_py "$NS_B" "$TD_ACTOR" est $b4 41001 $a4 5001 est $c4 41002 $a4 5001 \
	est $b4 41003 $a4 5002 >/dev/null
wait_for 10 ss_has "$NS_A" established 3 || bail "scene not ready"

timers() { ss -N "$NS_A" -Htano state established | sort; }

# ---- dry run -------------------------------------------------------------------
before=$(timers)
td --netns "$NS_A" keepalive --pid "$SERVER_PID" --state established --idle 4 --intvl 1 \
	--count 2
is "$TD_RC" 0 "dry run: exit 0"
like "$TD_OUT" "2 would change \(dry run" "dry run: says what would change"
is "$(grep -c 'ESTABLISHED.* off  *4/1/2$' <<<"$TD_OUT")" 2 "dry run: now off, would be 4/1/2"
like "$TD_OUT" "To act: tcpdoctor --netns $NS_A keepalive --pid $SERVER_PID --state established --idle 4 --intvl 1 --count 2 --yes" \
	"dry run: the exact command to act"
got=$(td_json '[.dry_run, (.sockets|length), ([.sockets[].before.on]|any),
	([.sockets[].would_be.idle_s]|unique|join(","))] | @tsv' \
	--netns "$NS_A" keepalive --pid "$SERVER_PID" --state established --idle 4 --json)
is "$got" "$(printf 'true\t2\tfalse\t4')" "dry run --json: before off, would be idle 4"
same_lines "$(timers)" "$before" "dry runs change nothing (ss -tano before = after)"

# ---- --yes ------------------------------------------------------------------------
# 192.0.2.2 vanishes for NS_A (its frames go to a MAC nobody has); 192.0.2.3 stays.
ns_blackhole "$NS_A" td0 $b4
start=$SECONDS
td --netns "$NS_A" keepalive --pid "$SERVER_PID" --state established --idle 4 --intvl 1 \
	--count 2 --yes
is "$TD_RC" 0 "--yes: exit 0"
like "$TD_OUT" "Changed 2 of 2 sockets" "--yes: says what it did"
is "$(grep -c 'ESTABLISHED.*4/1/2  *keepalive' <<<"$TD_OUT")" 2 "--yes: shows the timer after"
ka=$(ss -N "$NS_A" -Htano state established | grep -c 'timer:(keepalive')
is "$ka" 2 "ss -o: keepalive timer on exactly the two sockets of the target"
is "$(ss -N "$NS_A" -Htano state established sport = :5002 | grep -c keepalive)" 0 \
	"ss -o: the other process's socket has no keepalive timer"
ss_ka=$(ss -N "$NS_A" -Htano state established sport = :5001)
# ss prints 3 s 852 ms as "3.852ms", 12 s as "12sec", 852 ms as "852ms".
idle=$(printf '%s\n' "$ss_ka" | sed -nE 's/.*timer:\(keepalive,([^,]*),.*/\1/p' |
	awk '{ t = $1; s = 0
		if (t ~ /^[0-9]+\.[0-9]+ms$/) { sub(/ms$/, "", t); s = t + 0 }
		else if (t ~ /sec$/) { sub(/sec$/, "", t); s = t + 0 }
		else if (t ~ /ms$/) { sub(/ms$/, "", t); s = t / 1000 }
		n++; if (s > 4 || s <= 0) bad = 1 }
		END { print (bad || n != 2) ? "bad" : "ok" }')
is "$idle" ok "ss -o: the timer runs the requested 4 s idle (not the 7200 s default)" "$ss_ka"

# The dead peer: found after 4 + 1 x 2 s; the application sees ETIMEDOUT.
wait_for 15 log_has "$SLOG" "5001 41001 ETIMEDOUT" &&
	ok "the half-open connection closes with ETIMEDOUT after $((SECONDS - start)) s (4+1x2 asked)" ||
	not_ok "the half-open connection closes with ETIMEDOUT" "$(watch_log "$SLOG")" "$(timers)"
took=$((SECONDS - start))
[ "$took" -le 10 ] && ok "found within idle + intvl x count + 4 s margin ($took s)" ||
	not_ok "found within idle + intvl x count + 4 s margin" "took $took s"
is "$(ss_count "$NS_A" state established sport = :5001 dport = :41001)" 0 "the dead connection is gone"
is "$(ss_count "$NS_A" state established sport = :5001 dport = :41002)" 1 "the live peer's connection stays"
unlike "$(watch_log "$SLOG")" "41002" "the live connection saw no error"
is "$(ss_count "$NS_A" state established sport = :5002)" 1 "the other process's connection stays"

# ---- --off ---------------------------------------------------------------------------
td --netns "$NS_A" keepalive --pid "$SERVER_PID" --state established --off --yes
is "$TD_RC" 0 "--off --yes: exit 0"
is "$(ss -N "$NS_A" -Htano state established | grep -c keepalive)" 0 "--off: no keepalive timer left"

# ---- --user-timeout, read back -------------------------------------------------------
got=$(td_json '[.sockets[].after.user_timeout_ms] | unique | join(",")' \
	--netns "$NS_A" keepalive --pid "$SERVER_PID" --state established --user-timeout 5000 \
	--yes --json)
is "$got" 5000 "--user-timeout 5000 --yes: TCP_USER_TIMEOUT read back"
td keepalive --pid "$SERVER_PID"
is "$TD_RC" 1 "without --netns the pid's sockets are not here: exit 1"
like "$TD_ERR" "another network namespace: add --netns $SERVER_PID" "... with a hint"

# ---- errors ----------------------------------------------------------------------------
td keepalive --state established
is "$TD_RC" 2 "no --pid: exit 2"
td keepalive --pid 4194303
is "$TD_RC" 2 "a pid that does not exist: exit 2"
like "$TD_ERR" "no such process" "missing pid: says so"
td keepalive --pid "$SERVER_PID" --idle 0
is "$TD_RC" 2 "--idle 0: exit 2"
td keepalive --pid "$SERVER_PID" --off --idle 5
is "$TD_RC" 2 "--off with --idle: exit 2"
out=$(ip netns exec "$NS_A" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$TCPDOCTOR" keepalive --pid "$SERVER_PID" --yes 2>&1)
rc=$?
is "$rc" 3 "another user's process as nobody: exit 3"
is "$(wc -l <<<"$out")" 1 "the refusal is one line"
like "$out" "runs as uid 0, you are uid 65534.*CAP_SYS_PTRACE.*root" "the refusal says which check failed"

# Same user, no root: allowed (no Yama here, or scope 0).
scope=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)
if [ "$scope" = 0 ]; then
	spawn "$NS_A" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$TD_PY" -c "$TD_ACTOR" est $a4 41005 $a4 5002 >/dev/null
	NOBODY_PID=$SPAWNED
	wait_for 5 eval '[ "$(ss_count "$NS_A" state established sport = :41005)" -eq 1 ]' ||
		bail "nobody's client not up"
	out=$(ip netns exec "$NS_A" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$TCPDOCTOR" keepalive --pid "$NOBODY_PID" --idle 30 --yes 2>&1)
	is "$?" 0 "same user as nobody, ptrace allowed: exit 0"
	is "$(ss -N "$NS_A" -Htano state established sport = :41005 | grep -c 'keepalive')" 1 \
		"same user: the keepalive timer is on"
else
	skip "same user as nobody" "kernel.yama.ptrace_scope=$scope"
fi

# ---- the half-open lab: the client vanished, the server's connection lives on ---------
LAB=h$$
LAB=${LAB:0:16}
TD_NETNS+=("td-lab-$LAB-client" "td-lab-$LAB-server")
if "$TCPDOCTOR" lab run half-open --keep --id "$LAB" >"$TD_TMP/lab" 2>&1; then
	LNS=td-lab-$LAB-server
	lpid=$(td_json '.sockets[0].owners[0].pid' --netns "$LNS" conns --state established --json)
	is "$(ss_state_count "$LNS" established)" 1 "lab half-open: one dead connection left"
	start=$SECONDS
	td --netns "$LNS" keepalive --pid "$lpid" --state established --idle 2 --intvl 1 --count 2 --yes
	is "$TD_RC" 0 "lab: keepalive --pid P --idle 2 --intvl 1 --count 2 --yes exits 0"
	is "$(ss -N "$LNS" -Htano state established | grep -c 'timer:(keepalive')" 1 \
		"lab: ss -o shows the keepalive timer"
	if wait_for 12 ss_has "$LNS" established 0; then
		ok "lab: the dead connection is gone after $((SECONDS - start)) s (2 + 1 x 2 asked)"
	else
		not_ok "lab: the dead connection is gone" "$(ss -N "$LNS" -tano)"
	fi
	is "$(ss_state_count "$LNS" listening)" 2 "lab: the listeners stay"
else
	not_ok "lab run half-open --keep" "$(tail -5 "$TD_TMP/lab")"
fi
"$TCPDOCTOR" lab clean --id "$LAB" >/dev/null 2>&1

td_done
