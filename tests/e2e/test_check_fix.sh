#!/bin/bash
# tcpdoctor check --fix: the findings tcpdoctor can act on carry their remedy
# (the exact command, as an argv in JSON); --fix alone changes nothing;
# --fix --yes runs exactly the printed remedies (kill for a CLOSE_WAIT leak,
# keepalive for half-open suspects), and a second check no longer reports
# those findings. In namespaces the test makes.
# shellcheck disable=SC2086
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/remedy.sh"
need_root
need_binary
need_python
need_tool ip ss jq

a4=192.0.2.1 b4=192.0.2.2
ns_pair fix
spawn_py "$NS_A" "$TD_WATCH" log "$TD_TMP/server.log" listen $a4 5001 listen $a4 5002 >/dev/null
SERVER_PID=$SPAWNED
wait_for 10 ss_has "$NS_A" listening 2 || bail "listeners not up"
spawn_py "$NS_B" "$TD_ACTOR" half $b4 42001 $a4 5002 half $b4 42002 $a4 5002 \
	half $b4 42003 $a4 5002 est $b4 41001 $a4 5001 >/dev/null
ready() { ss_has "$NS_A" close-wait 3 && ss_has "$NS_A" established 1; }
wait_for 10 ready || bail "scene not ready"
# half-open-suspects needs connections idle longer than its threshold (1 s here).
idle() { [ "$(td_json '[.sockets[] | select(.info.last_data_recv_ms > 1500)] | length' \
	--netns "$NS_A" conns --state established -i --json)" = 1 ]; }
wait_for 10 idle || bail "connection not idle"

SET=(--sample 0 --set close-wait-leak.min=2 --set half-open-suspects.idle=1
	--set half-open-suspects.min=1)
snap() { ss -N "$NS_A" -Htano | sort; }

before=$(snap)
td --netns "$NS_A" check "${SET[@]}" --json
rules=$(jq -r '[.findings[] | select(.remedy) | .rule] | sort | join(" ")' <<<"$TD_OUT")
is "$rules" "close-wait-leak half-open-suspects" "the two findings carry a remedy"
kill_argv=$(jq -r '.findings[] | select(.rule == "close-wait-leak") | .remedy.argv | join(" ")' \
	<<<"$TD_OUT")
ka_argv=$(jq -r '.findings[] | select(.rule == "half-open-suspects") | .remedy.argv | join(" ")' \
	<<<"$TD_OUT")
is "$kill_argv" "tcpdoctor --netns $NS_A kill --state close-wait --pid $SERVER_PID --sport 5002 --yes" \
	"close-wait-leak: the kill command as an argv"
is "$ka_argv" "tcpdoctor --netns $NS_A keepalive --pid $SERVER_PID --state established --idle 60 --intvl 10 --count 3 --yes" \
	"half-open-suspects: the keepalive command as an argv"
is "$(jq -r '[.findings[] | .remedy | select(.) | .safe] | all' <<<"$TD_OUT")" true \
	"both are marked safe"

td --netns "$NS_A" check "${SET[@]}" --fix </dev/null
is "$TD_RC" 1 "--fix without --yes: the check's own exit status (warning)"
like "$TD_OUT" "Remedies tcpdoctor can apply" "--fix lists the remedies"
like "$TD_OUT" "run: $kill_argv" "--fix shows the kill command"
like "$TD_OUT" "does not fix: the code still does not close" "--fix says what it does not fix"
like "$TD_OUT" "Nothing changed \(a dry run\)" "--fix alone is a dry run"
same_lines "$(snap)" "$before" "--fix alone changes nothing (ss -tano before = after)"
td --netns "$NS_A" check "${SET[@]}" --yes
is "$TD_RC" 2 "--yes without --fix: exit 2"
if command -v script >/dev/null; then
	out=$(printf 'n\nn\n' | script -qec "$TCPDOCTOR --netns $NS_A check ${SET[*]} --fix" /dev/null)
	is "$(grep -c 'Apply it? \[y/N\]' <<<"$out")" 2 "terminal: each remedy offered, one by one"
	same_lines "$(snap)" "$before" "terminal: answered no twice, nothing changed"
else
	skip "terminal: remedies offered one by one" "needs script(1)"
fi

td --netns "$NS_A" check "${SET[@]}" --fix --yes
is "$TD_RC" 1 "--fix --yes: exit status of the check that found them"
like "$TD_OUT" "Destroyed 3 of 3 sockets" "--fix --yes ran the kill"
like "$TD_OUT" "Changed 1 of 1 socket" "--fix --yes ran keepalive"
is "$(ss_state_count "$NS_A" close-wait)" 0 "no CLOSE_WAIT left"
is "$(ss_state_count "$NS_A" listening)" 2 "the listeners are untouched"
is "$(ss -N "$NS_A" -Htano state established | grep -c 'timer:(keepalive')" 1 \
	"the idle connection has keepalive now"
td --netns "$NS_A" check "${SET[@]}" --json
got=$(jq -r '[.findings[].rule] | map(select(. == "close-wait-leak" or
	. == "half-open-suspects")) | length' <<<"$TD_OUT")
is "$got" 0 "a second check no longer reports those findings"

td --source "replay:$TD_SRCDIR/tests/data/sockdiag/many.bin" check --sample 0 --fix --yes
is "$TD_RC" 2 "--fix --yes on a replayed dump: exit 2"
like "$TD_ERR$TD_OUT" "not for a replayed dump" "... it acts on live sockets only"

td_done
