#!/bin/bash
# Right numbers: `states --by user` puts sockets no process holds (TIME_WAIT,
# request sockets, orphans) under "-", not under root; `check --rules --json`
# is JSON. (serve's address label and pcap's peak of open connections have
# unit tests: tests/unit/history/test_metrics.c, tests/unit/capture/test_flow.c.)
# jq programs sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip ss jq
need_python
need_binary

ns_create NS numbers
ns_keep_timewait "$NS"
# A server that closes what it accepts once the client closed, and clients
# that close first: TIME_WAIT on the client side, held by nobody.
spawn_py "$NS" "$TD_ACTOR" listen 127.0.0.1 7200 eofclose >/dev/null
wait_for 10 ss_has "$NS" listening 1 || bail "listener not up"
spawn_py "$NS" "$TD_ACTOR" close 127.0.0.1 47201 127.0.0.1 7200 close 127.0.0.1 47202 127.0.0.1 7200 \
	close 127.0.0.1 47203 127.0.0.1 7200 >/dev/null
wait_for 10 ss_has "$NS" time-wait 3 || bail "no 3 TIME_WAIT: $(ss -N "$NS" -tan)"

for src in netlink proc bpf; do
	if [ "$src" = bpf ] && ! "$TCPDOCTOR" --netns "$NS" states --source bpf >/dev/null 2>&1; then
		skip_kernel "states --by user --source bpf" "no BPF iterator (BTF) for the count program"
		continue
	fi
	is "$(td_json '[.groups[] | select(.user == "-") | .states.TIME_WAIT] | add' \
		--netns "$NS" states --by user --source "$src" --json)" 3 \
		"--source $src: the 3 TIME_WAIT sockets have no owner: user -"
	is "$(jq -r '[.groups[] | select(.user == "-") | .uid] | map(tostring) | join(",")' \
		"$TD_TMP/out")" null "--source $src: their uid is null, not 0"
	is "$(jq -r '[.groups[] | select(.user == "root") | .states.TIME_WAIT // 0] | add // 0' \
		"$TD_TMP/out")" 0 "--source $src: none of them is counted as root's"
done
td --netns "$NS" --no-color states --by user
like "$TD_OUT" $'\n-  +[0-9]+' "the text table has a - row"

td --json check --rules
is "$TD_RC" 0 "check --rules --json exits 0"
if jq -e '.rules | length > 10' "$TD_TMP/out" >/dev/null 2>&1; then
	ok "check --rules --json is JSON with the rule table"
else
	not_ok "check --rules --json is JSON with the rule table" "$(head -c 300 "$TD_TMP/out")"
fi
is "$(jq -r '.rules[] | select(.id == "close-wait-leak") | .thresholds[0] |
	"\(.name)=\(.default) \(.unit)"' "$TD_TMP/out")" "min=4 sockets" \
	"each rule carries its thresholds"

td_done
