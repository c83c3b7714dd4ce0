#!/bin/bash
# tcpdoctor kill: a dry run changes nothing; --yes destroys exactly the
# filtered sockets (ss is the oracle, and the applications on both ends say
# which errno they got); listeners need --listeners; --max is enforced;
# --cookie picks one socket; the BPF path (TD_DESTROY=bpf) destroys the same
# set as SOCK_DESTROY; without CAP_NET_ADMIN a clear refusal.
# Traffic stays on a veth between two namespaces the test makes.
# shellcheck disable=SC2086
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/remedy.sh"
need_root
need_binary
need_python
need_tool ip ss jq

a4=192.0.2.1 b4=192.0.2.2 a6=2001:db8::1 b6=2001:db8::2
ns_pair kill
SLOG=$TD_TMP/server.log CLOG=$TD_TMP/client.log
spawn_py "$NS_A" "$TD_WATCH" log "$SLOG" listen $a4 5001 listen $a4 5002 listen $a6 5001 >/dev/null
SERVER_PID=$SPAWNED
wait_for 10 ss_has "$NS_A" listening 3 || bail "listeners not up"
spawn_py "$NS_B" "$TD_WATCH" log "$CLOG" \
	est $b4 41001 $a4 5001 est $b4 41002 $a4 5001 est $b4 41003 $a4 5001 \
	est $b6 41101 $a6 5001 \
	half $b4 42001 $a4 5002 half $b4 42002 $a4 5002 >/dev/null
CLIENT_PID=$SPAWNED
ready() { ss_has "$NS_A" established 4 && ss_has "$NS_A" close-wait 2; }
wait_for 10 ready || bail "scene not ready: $(ss -N "$NS_A" -tan)"

snap() { { ss -N "$NS_A" -Htan; ss -N "$NS_B" -Htan; } | sort; }

# ---- dry run ------------------------------------------------------------------
before=$(snap)
td --netns "$NS_A" kill --state close-wait --pid "$SERVER_PID"
is "$TD_RC" 0 "dry run: exit 0"
like "$TD_OUT" "Would destroy 2 sockets \(dry run" "dry run: says what it would do"
like "$TD_OUT" "To act: tcpdoctor --netns $NS_A kill --state close-wait --pid $SERVER_PID --yes" \
	"dry run: the exact command to act"
n=$(grep -c "CLOSE_WAIT.*192.0.2.1:5002" <<<"$TD_OUT")
is "$n" 2 "dry run: lists the two CLOSE_WAIT sockets with their owner"
like "$TD_OUT" "watcher|python|$SERVER_PID" "dry run: owner shown"
got=$(td_json '[.dry_run, .counts.planned, (.results|length), .act[-1]] | @tsv' \
	--netns "$NS_A" kill --state close-wait --json)
is "$got" "$(printf 'true\t2\t2\t--yes')" "dry run --json: dry_run, planned, results, act"
td --netns "$NS_A" kill --state established </dev/null
is "$TD_RC" 0 "not a terminal, no --yes: a dry run, no question"
same_lines "$(snap)" "$before" "dry runs change nothing (ss -tan before = after, both sides)"

# ---- refusals -----------------------------------------------------------------
td --netns "$NS_A" kill -l --yes
is "$TD_RC" 4 "listeners only, no --listeners: exit 4 (refused)"
like "$TD_OUT" "refused.*LISTEN.*--listeners" "refusal says why"
is "$(ss_state_count "$NS_A" listening)" 3 "listeners untouched"
td --netns "$NS_A" kill --state established --max 3 --yes
is "$TD_RC" 2 "4 sockets over --max 3: exit 2"
like "$TD_ERR" "more than --max 3.*raise --max to 4" "--max refusal says how many"
same_lines "$(snap)" "$before" "refused runs change nothing"
td kill
is "$TD_RC" 2 "no filter: exit 2"
like "$TD_ERR" "which sockets" "no filter: says to give one"
td --netns "$NS_A" kill --dport 9 --yes
is "$TD_RC" 1 "nothing matches: exit 1"
td --netns "$NS_A" kill --cookie 12x
is "$TD_RC" 2 "bad cookie: exit 2"

# Without CAP_NET_ADMIN: the dump works, the destroy is refused in one line.
out=$(ip netns exec "$NS_A" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$TCPDOCTOR" kill --state close-wait --yes 2>&1)
rc=$?
is "$rc" 3 "as nobody: exit 3"
like "$out" "CAP_NET_ADMIN" "as nobody: says what is missing"
same_lines "$(snap)" "$before" "as nobody: nothing changed"

# On a terminal without --yes it asks once; anything but y/yes is no.
if command -v script >/dev/null; then
	out=$(printf 'n\n' | script -qec "$TCPDOCTOR --netns $NS_A kill --state close-wait" /dev/null)
	like "$out" "Destroy 2 sockets\? \[y/N\] Nothing destroyed" "terminal: asks once, n is no"
	same_lines "$(snap)" "$before" "terminal: after n nothing changed"
else
	skip "terminal: asks once" "needs script(1)"
fi
out=$(ip netns exec "$NS_A" setpriv --reuid=65534 --regid=65534 --clear-groups \
	env TD_DESTROY=bpf "$TCPDOCTOR" kill --state close-wait --yes 2>&1)
is "$?" 3 "TD_DESTROY=bpf as nobody: exit 3"
like "$out" "bpf_sock_destroy.*needs root" "TD_DESTROY=bpf as nobody: says so"

# ---- --cookie: exactly one socket ------------------------------------------------
cookie=$(td_json '.sockets[] | select(.rport == 41001) | .cookie' \
	--netns "$NS_A" conns --state established --json)
like "$cookie" '^[0-9]+$' "conns --json gives the cookie"
td --netns "$NS_A" kill --cookie "$cookie" --yes
is "$TD_RC" 0 "--cookie --yes: exit 0"
like "$TD_OUT" "Destroyed 1 of 1 socket with SOCK_DESTROY" "says the netlink path"
wait_for 5 log_has "$SLOG" "5001 41001 ECONNABORTED" &&
	ok "the owner's next call fails with ECONNABORTED" ||
	not_ok "the owner's next call fails with ECONNABORTED" "$(watch_log "$SLOG")"
wait_for 5 log_has "$CLOG" "41001 5001 ECONNRESET" &&
	ok "the peer gets an RST (ECONNRESET)" ||
	not_ok "the peer gets an RST (ECONNRESET)" "$(watch_log "$CLOG")"
is "$(ss_count "$NS_A" state established)" 3 "only that socket went (3 established left)"
is "$(ss_count "$NS_A" state established sport = :5001 dport = :41001)" 0 "it was 41001"

# ---- close-wait leak: --state close-wait --pid P --yes ------------------------------
td --netns "$NS_A" kill --state close-wait --pid "$SERVER_PID" --yes --json
got=$(jq -r '[.dry_run, .via, .counts.destroyed, ([.results[].outcome] | unique | join(","))]
	| @tsv' <<<"$TD_OUT")
is "$got" "$(printf 'false\tnetlink\t2\tdestroyed')" "close-wait --yes --json: 2 destroyed by netlink"
is "$(ss_state_count "$NS_A" close-wait)" 0 "0 CLOSE_WAIT left"
is "$(ss_state_count "$NS_A" listening)" 3 "the listeners are untouched"
is "$(ss_state_count "$NS_A" established)" 3 "the established sockets are untouched"
wait_for 5 eval 'log_has "$CLOG" "42001 5002 ECONNRESET" && log_has "$CLOG" "42002 5002 ECONNRESET"' &&
	ok "the half-closed clients get an RST" ||
	not_ok "the half-closed clients get an RST" "$(watch_log "$CLOG")"
td --netns "$NS_A" kill --cookie "$cookie" --yes
is "$TD_RC" 1 "a destroyed cookie matches nothing any more"

# ---- the BPF path destroys the same set -----------------------------------------------
want=$(td_json '[.results[] | select(.outcome == "planned") | .cookie] | sort | join(" ")' \
	--netns "$NS_A" kill --state established --json)
got=$(TD_DESTROY=bpf "$TCPDOCTOR" --netns "$NS_A" kill --state established --yes --json)
rc=$?
is "$rc" 0 "TD_DESTROY=bpf: exit 0"
is "$(jq -r .via <<<"$got")" bpf "TD_DESTROY=bpf: says the bpf path"
is "$(jq -r '[.results[] | select(.outcome == "destroyed") | .cookie] | sort | join(" ")' \
	<<<"$got")" "$want" "the BPF path destroyed the set the dry run named (3, v4 and v6)"
is "$(ss_state_count "$NS_A" established)" 0 "no established socket left"
is "$(ss_state_count "$NS_A" listening)" 3 "listeners still untouched"
wait_for 5 eval 'log_has "$SLOG" "5001 41002 ECONNABORTED" && log_has "$SLOG" "5001 41101 ECONNABORTED"' &&
	ok "bpf path: the owner sees ECONNABORTED too" ||
	not_ok "bpf path: the owner sees ECONNABORTED too" "$(watch_log "$SLOG")"
TD_DESTROY=bpf "$TCPDOCTOR" --netns "$NS_A" kill --sport 5002 --listeners --yes >/dev/null
is "$?" 0 "bpf path with --listeners: exit 0"
is "$(ss_count "$NS_A" state listening sport = :5002)" 0 "the 5002 listener is gone"
is "$(ss_state_count "$NS_A" listening)" 2 "the other listeners stay"
td kill --state close-wait --yes </dev/null
TD_DESTROY=nope "$TCPDOCTOR" kill --state close-wait 2>/dev/null
is "$?" 2 "TD_DESTROY=nope: exit 2"

# ---- TIME_WAIT and request sockets: as the kernel allows ------------------------------------
spawn_py "$NS_A" "$TD_ACTOR" listen $a4 5003 eofclose >/dev/null
wait_for 5 ss_has "$NS_A" listening 3 || bail "5003 not up"
spawn_py "$NS_B" "$TD_ACTOR" close $b4 43001 $a4 5003 >/dev/null
wait_for 5 ss_has "$NS_B" time-wait 1 || bail "no TIME_WAIT in $NS_B"
td --netns "$NS_B" kill --state time-wait --yes
is "$TD_RC" 0 "TIME_WAIT with SOCK_DESTROY: exit 0"
like "$TD_OUT" "destroyed TIME_WAIT" "TIME_WAIT: destroyed (the kernel deschedules it)"
is "$(ss_state_count "$NS_B" time-wait)" 0 "no TIME_WAIT left"
spawn_py "$NS_B" "$TD_ACTOR" close $b4 43002 $a4 5003 >/dev/null
wait_for 5 ss_has "$NS_B" time-wait 1 || bail "no second TIME_WAIT in $NS_B"
TD_DESTROY=bpf "$TCPDOCTOR" --netns "$NS_B" kill --state time-wait --yes >"$TD_TMP/tw" 2>&1
is "$?" 4 "TIME_WAIT with the BPF path: exit 4 (refused)"
like "$(cat "$TD_TMP/tw")" "refused.*TIME_WAIT.*full sockets" "BPF path says it takes only full sockets"
is "$(ss_state_count "$NS_B" time-wait)" 1 "the TIME_WAIT socket stays"

# Request sockets: SYN_RECV held by NS_A because its SYN-ACKs go nowhere.
ip -n "$NS_B" addr add 192.0.2.3/24 dev td1 || bail "second address"
ns_blackhole "$NS_A" td0 192.0.2.3
spawn_py "$NS_B" "$TD_ACTOR" syn 192.0.2.3 44201 $a4 5003 >/dev/null
wait_for 5 ss_has "$NS_A" syn-recv 1 || bail "no SYN_RECV in $NS_A"
rq=$(td_json '[.sockets[].cookie] | join(" ")' --netns "$NS_A" conns --state syn-recv --json)
td --netns "$NS_A" kill --state syn-recv --yes
is "$TD_RC" 0 "SYN_RECV with SOCK_DESTROY: exit 0"
like "$TD_OUT" "destroyed SYN_RECV" "SYN_RECV: the request socket is dropped"
# The client's next SYN (after 1 s) makes a new request socket: check by cookie.
now=$(td_json '[.sockets[].cookie] | join(" ")' --netns "$NS_A" conns --state syn-recv --json)
unlike " $now " " $rq " "that request socket is gone (a retransmitted SYN makes a new one)"

# ---- the close-wait-leak lab ---------------------------------------------------------
LAB=k$$
LAB=${LAB:0:16}
TD_NETNS+=("td-lab-$LAB-client" "td-lab-$LAB-server")
if "$TCPDOCTOR" lab run close-wait-leak --keep --id "$LAB" >"$TD_TMP/lab" 2>&1; then
	LNS=td-lab-$LAB-server
	lpid=$(td_json '[.sockets[] | select(.state == "CLOSE_WAIT") | .owners[0].pid] | unique | .[0]' \
		--netns "$LNS" conns --state close-wait --json)
	ncw=$(ss_state_count "$LNS" close-wait)
	lbefore=$(ss -N "$LNS" -Htan | sort)
	td --netns "$LNS" kill --state close-wait --pid "$lpid"
	is "$(grep -c CLOSE_WAIT <<<"$TD_OUT")" "$ncw" "lab close-wait-leak: the dry run lists its $ncw CLOSE_WAIT sockets"
	same_lines "$(ss -N "$LNS" -Htan | sort)" "$lbefore" "lab: the dry run changes nothing"
	td --netns "$LNS" kill --state close-wait --pid "$lpid" --yes
	is "$TD_RC" 0 "lab: kill --state close-wait --pid P --yes exits 0"
	is "$(ss_state_count "$LNS" close-wait)" 0 "lab: 0 CLOSE_WAIT left"
	is "$(ss_state_count "$LNS" listening)" "$(grep -c LISTEN <<<"$lbefore")" "lab: the listeners are untouched"
else
	not_ok "lab run close-wait-leak --keep" "$(tail -5 "$TD_TMP/lab")"
fi
"$TCPDOCTOR" lab clean --id "$LAB" >/dev/null 2>&1

td_done
