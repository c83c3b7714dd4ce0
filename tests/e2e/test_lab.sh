#!/bin/bash
# `tcpdoctor lab`: every scenario `lab list` names runs and passes (exit 0,
# JSON pass=true, model and ss agree in every view, nothing left behind);
# two runs in parallel; --keep leaves namespaces tcpdoctor --netns can look
# into; SIGKILL mid-run then `lab clean` leaves no namespace and no actor;
# SIGINT cleans up by itself; usage errors exit 2; not root exits 3.
# jq programs sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip ss jq setpriv
need_binary

# Ids unique to this test run, so a developer's own lab runs are never touched.
ID=e2e$$
lab_ns() { # id: the namespaces a run with that id makes (registered for cleanup)
	TD_NETNS+=("td-lab-$1-client" "td-lab-$1-server")
}
lab_left() { # id: the td-lab-ID-* entries still in /run/netns
	local f out=
	for f in /run/netns/td-lab-"$1"-*; do
		[ -e "$f" ] && out+="$(basename "$f") "
	done
	echo "$out"
}
# The run with this id is well inside its scenario: an established connection.
lab_busy() {
	[ -n "$(ss -N "td-lab-$1-server" -Htan state established 2>/dev/null)" ]
}
none_alive() { [ -z "$(alive "$@")" ]; }
has_pids() { [ -n "$(ip netns pids "$1" 2>/dev/null)" ]; }
# Live (not zombie) processes among the given pids.
alive() {
	local p out=
	for p in "$@"; do
		[ -r "/proc/$p/stat" ] || continue
		[ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = Z ] && continue
		out+="$p "
	done
	echo "$out"
}

# ---- list ----------------------------------------------------------------------

td lab list
is "$TD_RC" 0 "lab list: exit 0"
mapfile -t SCENARIOS < <(awk '{print $1}' <<<"$TD_OUT")
if [ "${#SCENARIOS[@]}" -ge 5 ]; then
	ok "lab list: ${#SCENARIOS[@]} scenarios"
else
	not_ok "lab list: at least the 5 first scenarios" "$TD_OUT"
fi
for want in close-wait-leak accept-queue-overflow reset refused unreachable; do
	like " ${SCENARIOS[*]} " " $want " "lab list names $want"
done
unlike "$TD_OUT" $'\t' "lab list: no tabs"
is "$(td_json '[.scenarios[].name] | join(" ")' lab list --json)" "${SCENARIOS[*]}" \
	"lab list --json: same names, same order"
is "$(td_json '[.scenarios[] | select((.summary | length) < 20)] | length' lab list --json)" 0 \
	"lab list --json: every scenario says what it shows"

# ---- every scenario ------------------------------------------------------------

lab_ns "$ID"
for sc in "${SCENARIOS[@]}"; do
	start=$SECONDS
	td lab run "$sc" --id "$ID" --json
	secs=$((SECONDS - start))
	cp "$TD_TMP/out" "$TD_TMP/$sc.json"
	if [ "$TD_RC" -eq 0 ]; then
		ok "lab run $sc: exit 0 (${secs}s)"
	else
		not_ok "lab run $sc: exit 0" "exit $TD_RC" "$TD_ERR" \
			"$(jq -r '.checks[]? | select(.ok | not) | "\(.expected) -- saw \(.seen)"' \
				"$TD_TMP/out" 2>/dev/null)"
	fi
	is "$(jq -r '"\(.scenario) \(.pass) \(.reason)"' "$TD_TMP/$sc.json" 2>&1)" "$sc true null" \
		"lab run $sc --json: pass"
	is "$(jq -r '[.checks[] | select(.ok | not)] | length' "$TD_TMP/$sc.json" 2>&1)" 0 \
		"lab run $sc: every check held"
	like "$(jq -r '"\(.checks | length) \(.story | length)"' "$TD_TMP/$sc.json" 2>&1)" \
		'^[1-9][0-9]* [1-9][0-9]*$' "lab run $sc: has checks and a story"
	is "$(jq -r '[.checks[] | select(.kind == "states")] | length > 0' "$TD_TMP/$sc.json")" \
		true "lab run $sc: checks states against the model and ss"
	is "$(jq -r '[.views[] | select(.ss != null and .model.states != .ss.states)] | length' \
		"$TD_TMP/$sc.json" 2>&1)" 0 "lab run $sc: final views, model and ss agree"
	is "$(jq -r '[.views[].netns] | sort | join(" ")' "$TD_TMP/$sc.json")" \
		"td-lab-$ID-client td-lab-$ID-server" "lab run $sc: a view of each namespace"
	is "$(lab_left "$ID")" "" "lab run $sc: its namespaces are gone"
done

# What each scenario is about, from its data.
j() { jq -r "$2" "$TD_TMP/$1.json" 2>&1; }
if [ -f "$TD_TMP/close-wait-leak.json" ]; then
	is "$(j close-wait-leak '.views[] | select(.role == "server") | .model.states.CLOSE_WAIT')" 4 \
		"close-wait-leak: 4 CLOSE_WAIT left on the server"
	is "$(j close-wait-leak '[.reports[] | select(.call == "read" and .value == 0)] | length')" 4 \
		"close-wait-leak: the server read EOF 4 times"
fi
if [ -f "$TD_TMP/accept-queue-overflow.json" ]; then
	is "$(j accept-queue-overflow '.views[] | select(.role == "server") |
		"\(.model.listen_queue) \(.model.listen_backlog) \(.ss.listen_queue)"')" "3 2 3" \
		"accept-queue-overflow: LISTEN Recv-Q 3 of backlog 2 (model and ss)"
	is "$(j accept-queue-overflow '[.reports[] | select(.call == "connect") | .error] |
		group_by(.) | map("\(.[0]) \(length)") | join(", ")')" "null 3, ETIMEDOUT 3" \
		"accept-queue-overflow: 3 connects ok, 3 ETIMEDOUT"
fi
if [ -f "$TD_TMP/reset.json" ]; then
	is "$(j reset '[.reports[] | select(.call == "read" or .call == "write") | .error] | join(" ")')" \
		"ECONNRESET EPIPE ECONNRESET EPIPE" "reset: read ECONNRESET then write EPIPE, twice"
fi
if [ -f "$TD_TMP/refused.json" ]; then
	is "$(j refused '[.reports[] | .error] | unique | join(" ")')" "ECONNREFUSED" \
		"refused: every connect ECONNREFUSED"
fi
if [ -f "$TD_TMP/unreachable.json" ]; then
	is "$(j unreachable '[.reports[] | "\(.actor)=\(.error)"] | sort | join(" ")')" \
		"client->198.51.100.1:80=ETIMEDOUT client->198.51.100.200:80=EINVAL client->203.0.113.1:80=EHOSTUNREACH client->203.0.113.200:80=EHOSTUNREACH client->[2001:db8:ffff::1]:80=ENETUNREACH" \
		"unreachable: the errno of each route"
fi
if [ -f "$TD_TMP/half-open.json" ]; then
	is "$(j half-open '[.reports[] | select(.call == "read") | "\(.actor)=\(.error)"] | join(" ")')" \
		"server:5010=ETIMEDOUT" "half-open: only the keepalive side's read() fails, ETIMEDOUT"
	is "$(j half-open '.views[] | select(.role == "server") | .model.states.ESTABLISHED')" 1 \
		"half-open: the server without keepalive is still ESTABLISHED"
fi
if [ -f "$TD_TMP/simultaneous-open.json" ]; then
	is "$(j simultaneous-open '[.checks[] | select(.kind == "states") | .expected | split(" ")[1]] | join(" ")')" \
		"SYN_SENT=1 SYN_RECV=1 ESTABLISHED=1" "simultaneous-open: SYN_SENT, SYN_RECV, ESTABLISHED on both"
	is "$(j simultaneous-open '[.views[].model.states.LISTEN] | add')" 0 "simultaneous-open: no listener"
fi
if [ -f "$TD_TMP/server-terminated-prematurely.json" ]; then
	is "$(j server-terminated-prematurely '[.reports[] | select(.actor | startswith("client")) | "\(.call)=\(.error)"] | join(" ")')" \
		"connect=null write=null poll=null read=null write=EPIPE write=EPIPE SO_ERROR=null" \
		"server-terminated-prematurely: write ok, then read EOF, write EPIPE"
fi
if [ -f "$TD_TMP/connect-timeout.json" ]; then
	is "$(j connect-timeout '[.reports[] | select(.actor | startswith("client")) | "\(.call)=\(.error)"] | join(" ")')" \
		"connect=EINPROGRESS SO_ERROR=ETIMEDOUT" "connect-timeout: EINPROGRESS, then SO_ERROR ETIMEDOUT"
fi
if [ -f "$TD_TMP/connect-in-progress.json" ]; then
	is "$(j connect-in-progress '[.reports[] | select(.actor | startswith("client")) | "\(.call)=\(.error)"] | join(" ")')" \
		"connect=EINPROGRESS connect=EALREADY SO_ERROR=null connect=null connect=EISCONN" \
		"connect-in-progress: EINPROGRESS, EALREADY, SO_ERROR 0, connect 0, EISCONN"
fi

# Text output: story, checks, views and the verdict.
td lab run refused --id "$ID"
is "$TD_RC" 0 "lab run refused (text): exit 0"
like "$TD_OUT" $'\n  1\\. Namespaces td-lab-'"$ID"'-client' "text: the story, numbered"
like "$TD_OUT" 'Checks \(tcpdoctor.s model, ss as the oracle\)' "text: the checks"
like "$TD_OUT" 'ECONNREFUSED \(Connection refused\)' "text: what the application saw"
like "$TD_OUT" "In td-lab-$ID-server" "text: a view per namespace"
like "$TD_OUT" $'\nPASS refused in [0-9.]+ s$' "text: PASS last"

# ---- two runs in parallel ------------------------------------------------------

lab_ns "${ID}a"
lab_ns "${ID}b"
"$TCPDOCTOR" lab run close-wait-leak --id "${ID}a" --json >"$TD_TMP/pa" 2>"$TD_TMP/pa.err" &
pa=$!
"$TCPDOCTOR" lab run reset --id "${ID}b" --json >"$TD_TMP/pb" 2>"$TD_TMP/pb.err" &
pb=$!
wait "$pa"
ra=$?
wait "$pb"
rb=$?
is "$ra $(jq -r .pass "$TD_TMP/pa" 2>&1)" "0 true" "parallel: close-wait-leak --id ${ID}a passes" \
	"$(cat "$TD_TMP/pa.err")"
is "$rb $(jq -r .pass "$TD_TMP/pb" 2>&1)" "0 true" "parallel: reset --id ${ID}b passes" \
	"$(cat "$TD_TMP/pb.err")"
is "$(lab_left "${ID}a")$(lab_left "${ID}b")" "" "parallel: both cleaned up"

# ---- --keep ----------------------------------------------------------------------

K=${ID}k
lab_ns "$K"
td lab run close-wait-leak --keep --id "$K"
is "$TD_RC" 0 "--keep: exit 0"
like "$TD_OUT" "tcpdoctor --netns td-lab-$K-server states" "--keep: says how to look inside"
like "$TD_OUT" "tcpdoctor lab clean --id $K" "--keep: says how to remove it"
is "$(td_json .states.CLOSE_WAIT --netns "td-lab-$K-server" states --json)" 4 \
	"--keep: tcpdoctor --netns td-lab-$K-server states sees the 4 CLOSE_WAIT"
is "$(td_json .states.CLOSE_WAIT --netns "td-lab-$K-server" states --state close-wait --json)" \
	"$(ss_state_count "td-lab-$K-server" close-wait)" "--keep: and so does ss"
mapfile -t kept < <(ip netns pids "td-lab-$K-server"; ip netns pids "td-lab-$K-client")
if [ "${#kept[@]}" -ge 1 ]; then ok "--keep: actors outlive tcpdoctor (${kept[*]})"; else
	not_ok "--keep: actors outlive tcpdoctor"; fi
is "$(td_json '[.groups[].comm] | unique | join(" ")' --netns "td-lab-$K-server" states \
	--by process --state close-wait --json)" "lab-server" "--keep: the leaking process is lab-server"
td lab clean --id "$K" --json
is "$TD_RC" 0 "lab clean --id $K: exit 0"
is "$(jq -r '[.removed[].netns] | sort | join(" ")' "$TD_TMP/out" 2>&1)" \
	"td-lab-$K-client td-lab-$K-server" "lab clean --json: names what it removed"
is "$(lab_left "$K")" "" "lab clean: namespaces gone"
is "$(alive "${kept[@]}")" "" "lab clean: kept actors gone"
td lab clean --id "$K"
is "$TD_RC:$TD_OUT" "0:nothing to clean: no td-lab-$K-* network namespace" "lab clean twice: nothing to do"

# ---- SIGKILL mid-run, then lab clean ---------------------------------------------

S=${ID}s
lab_ns "$S"
"$TCPDOCTOR" lab run accept-queue-overflow --id "$S" >/dev/null 2>&1 &
victim=$!
# Wait until the run is well inside (the server's listener holds the queue).
wait_for 15 lab_busy "$S"
mapfile -t actors < <(ip netns pids "td-lab-$S-server" 2>/dev/null; ip netns pids "td-lab-$S-client" 2>/dev/null)
kill -9 "$victim"
{ wait "$victim"; } 2>/dev/null # no "Killed" notice in the TAP stream
is "$(lab_left "$S")" "td-lab-$S-client td-lab-$S-server " "SIGKILL leaves the namespaces"
if [ "${#actors[@]}" -ge 2 ]; then ok "SIGKILL: there were actors (${actors[*]})"; else
	not_ok "SIGKILL: there were actors" "${actors[*]}"; fi
# The actors die with tcpdoctor (PR_SET_PDEATHSIG).
wait_for 3 none_alive "${actors[@]}"
is "$(alive "${actors[@]}")" "" "SIGKILL: the actors died with it"
# In CI nothing else runs: clean everything, as a user would. On a developer's
# machine, only ours.
if [ "${CI:-}" = true ]; then td lab clean; else td lab clean --id "$S"; fi
is "$TD_RC" 0 "lab clean after SIGKILL: exit 0"
like "$TD_OUT" "removed td-lab-$S-server" "lab clean: says what it removed"
is "$(lab_left "$S")" "" "lab clean: no /run/netns/td-lab-$S-* left"
if [ "${CI:-}" = true ]; then
	is "$(ls /run/netns 2>/dev/null | grep -c '^td-lab-')" 0 "lab clean: no td-lab-* at all"
fi

# A leftover process in a lab namespace (as a --keep run leaves) is killed;
# nothing outside is touched.
L=${ID}l
lab_ns "$L"
ip netns add "td-lab-$L-server" || bail "ip netns add"
# Disowned, so bash prints no "Killed" notice when lab clean kills it.
ip netns exec "td-lab-$L-server" sleep 300 </dev/null >/dev/null 2>&1 &
inside=$!
disown "$inside"
sleep 300 &
outside=$!
TD_PIDS+=("$inside" "$outside")
wait_for 5 has_pids "td-lab-$L-server"
td lab clean --id "$L"
like "$TD_OUT" "removed td-lab-$L-server \(killed 1 process inside\)" \
	"lab clean: kills the process inside"
wait_for 3 none_alive "$inside"
is "$(alive "$inside")" "" "lab clean: the process inside is gone"
is "$(alive "$outside")" "$outside " "lab clean: a process outside lives on"
kill "$outside" 2>/dev/null

# ---- SIGINT cleans up by itself ---------------------------------------------------

I=${ID}i
lab_ns "$I"
"$TCPDOCTOR" lab run accept-queue-overflow --id "$I" >/dev/null 2>&1 &
victim=$!
wait_for 15 lab_busy "$I"
mapfile -t actors < <(ip netns pids "td-lab-$I-server" 2>/dev/null; ip netns pids "td-lab-$I-client" 2>/dev/null)
kill -INT "$victim"
wait "$victim"
is "$?" 130 "SIGINT: tcpdoctor dies of it (128+2)"
is "$(lab_left "$I")" "" "SIGINT: namespaces removed on the way out"
wait_for 3 none_alive "${actors[@]}"
is "$(alive "${actors[@]}")" "" "SIGINT: actors killed"

# ---- errors --------------------------------------------------------------------------

# expect_fail CODE DESC WORD ARGS...: exit CODE and one line on stderr naming WORD.
expect_fail() {
	local code=$1 desc=$2 word=$3
	shift 3
	td "$@"
	if [ "$TD_RC" -eq "$code" ] && [ "$(grep -c . <<<"$TD_ERR")" -eq 1 ] &&
		[[ $TD_ERR == "tcpdoctor: "*"$word"* ]]; then
		ok "$desc: exit $code, one line naming '$word'"
	else
		not_ok "$desc: exit $code, one line naming '$word'" "tcpdoctor $*" "exit $TD_RC" \
			"stderr: $TD_ERR"
	fi
}
expect_fail 2 "unknown scenario" "no such scenario" lab run no-such-scenario
like "$TD_ERR" "close-wait-leak, accept-queue-overflow" "unknown scenario: lists the names"
expect_fail 2 "run without a scenario" "close-wait-leak" lab run
expect_fail 2 "two scenarios" "one scenario at a time" lab run refused reset
expect_fail 2 "no action" "list, run SCENARIO or clean" lab
expect_fail 2 "unknown action" "frob" lab frob
expect_fail 2 "bad --id" "--id" lab run refused --id a-b
expect_fail 2 "too long --id" "--id" lab run refused --id 12345678901234567
expect_fail 2 "--netns does not apply" "does not take --netns" --netns x lab list
expect_fail 2 "clean --keep" "--keep" lab clean --keep
td lab --help
is "$TD_RC" 0 "lab --help: exit 0"
like "$TD_OUT" "tcpdoctor lab run close-wait-leak" "lab --help: has examples"

# Not root: one line, exit 3; list needs no privilege.
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$TCPDOCTOR" "$@"; }
out=$(as_nobody lab run refused 2>&1 >/dev/null)
rc=$?
is "$rc" 3 "not root: lab run exits 3"
is "$(grep -c . <<<"$out")" 1 "not root: one line"
like "$out" "^tcpdoctor: lab needs root" "not root: says so"
out=$(as_nobody lab clean 2>&1)
is "$?" 3 "not root: lab clean exits 3"
like "$out" "^tcpdoctor: lab needs root" "not root: lab clean says so"
out=$(as_nobody lab list 2>&1)
is "$?" 0 "not root: lab list works"

td_done
