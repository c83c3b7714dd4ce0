#!/bin/bash
# kill and keepalive with --all-netns, in two namespaces made here: the dry
# run lists every namespace's sockets with a NETNS column and changes
# nothing (ss before = ss after, in each namespace); --yes destroys (kill)
# or tunes (keepalive) each socket in its own namespace, and only in the
# namespaces --netns-filter keeps. One actor process holds sockets in both
# namespaces (it made the second ones after setns), so one --pid reaches
# two namespaces. ss -N inside each namespace is the oracle.
# jq programs sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip ss jq
need_python
need_binary
# No socket-held namespace here: discovery need not ask every socket fd.
export TD_NSALL_SOCKETS=0

NA=tdn-rma-$$ NB=tdn-rmb-$$
ns_add "$NA" "$NB"
FILTER="tdn-rm?-$$"

# The actor: in each namespace (its own first, then NB by setns) a listener
# on :5001, two kept connections, and two whose client closed, so the server
# side waits in CLOSE_WAIT. Prints "ready" when all are in place.
ACTOR='
import ctypes, os, signal, socket, sys, time
signal.alarm(int(os.environ.get("TD_ACTOR_TTL", "900")))
libc = ctypes.CDLL(None, use_errno=True)
held = []
def scene():
    l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("127.0.0.1", 5001)); l.listen(16); held.append(l)
    for k in range(4):
        c = socket.create_connection(("127.0.0.1", 5001)); a, _ = l.accept()
        held.append(a)
        if k < 2: held.append(c)
        else: c.close()
home = os.open("/proc/self/ns/net", os.O_RDONLY)
scene()
other = os.open("/run/netns/" + sys.argv[1], os.O_RDONLY)
if libc.setns(other, 0x40000000) != 0: sys.exit("setns")
scene()
libc.setns(home, 0x40000000); os.close(other); os.close(home)
print("ready", flush=True)
time.sleep(1000)
'
ip netns exec "$NA" "$TD_PY" -c "$ACTOR" "$NB" >"$TD_TMP/actor.out" 2>&1 &
APID=$!
TD_PIDS+=("$APID")
cnt() { ss -N "$1" -Htan state "$2" | grep -c .; }
ready() { grep -q ready "$TD_TMP/actor.out" && [ "$(cnt "$NA" close-wait)" = 2 ] &&
	[ "$(cnt "$NB" close-wait)" = 2 ]; }
wait_for 10 ready || bail "scene not ready: $(cat "$TD_TMP/actor.out"; ss -N "$NB" -tan)"
snap() { for ns in "$NA" "$NB"; do ss -N "$ns" -Htan | sed "s/^/$ns /"; done | sort; }
snapo() { # the established sockets with their timers (TIME_WAIT timers tick)
	for ns in "$NA" "$NB"; do ss -N "$ns" -Htano state established | sed "s/^/$ns /"; done | sort
}
# The actor's own sockets, by namespace: what keepalive will see.
est_of_actor() { ss -N "$1" -Htanp state established | grep -c "pid=$APID,"; }
is "$(est_of_actor "$NA") $(est_of_actor "$NB")" "4 4" \
	"premise: the actor holds 4 established sockets in each namespace"

# ---- kill: dry run ------------------------------------------------------------------
before=$(snap)
td --no-color kill --all-netns --netns-filter "$FILTER" --state close-wait
is "$TD_RC" 0 "kill --all-netns dry run: exit 0"
like "$TD_OUT" "Would destroy 4 sockets in 2 network namespaces \(dry run" \
	"kill dry run: 4 sockets in 2 namespaces"
like "$TD_OUT" "NETNS +ACTION +STATE +LOCAL +PEER +PROCESS" "kill dry run: a NETNS column"
for ns in "$NA" "$NB"; do
	n=$(grep -c "^$ns  *destroy  *CLOSE_WAIT  *127.0.0.1:5001 .* [a-z0-9.]*\[$APID\]$" <<<"$TD_OUT")
	is "$n" 2 "kill dry run: the 2 CLOSE_WAIT sockets of $ns, named, with their owner" "$TD_OUT"
done
like "$TD_OUT" "To act: tcpdoctor --all-netns --netns-filter '?tdn-rm\??-$$'? kill --state close-wait --yes" \
	"kill dry run: the exact command to act, with --all-netns"
same_lines "$(snap)" "$before" "kill dry run: ss in both namespaces unchanged"

td --json kill --all-netns --netns-filter "$FILTER" --state close-wait
is "$(jq -r '[.namespaces[] | "\(.netns.name)=\(.sockets | length)"] | sort | join(" ")' \
	<<<"$TD_OUT")" "$NA=2 $NB=2" "kill --json: the sockets grouped by namespace"
is "$(jq -r '.act | join(" ")' <<<"$TD_OUT")" \
	"tcpdoctor --all-netns --netns-filter $FILTER kill --state close-wait --yes" \
	"kill --json: act argv with --all-netns"

# ---- kill --yes in one namespace only (the filter) ----------------------------------------
td kill --all-netns --netns-filter "$NB" --state close-wait --yes
is "$TD_RC" 0 "kill --yes --netns-filter NB: exit 0"
like "$TD_OUT" "Destroyed 2 of 2 sockets" "kill --yes: 2 destroyed"
is "$(cnt "$NB" close-wait)" 0 "ss: no CLOSE_WAIT left in $NB"
is "$(cnt "$NA" close-wait)" 2 "ss: $NA untouched by a filter that named only $NB"
is "$(cnt "$NB" listening)" 1 "ss: the listener of $NB stays"

# ---- kill --yes in both -------------------------------------------------------------
td --json kill --all-netns --netns-filter "$FILTER" --state close-wait --yes
is "$TD_RC" 0 "kill --yes --all-netns: exit 0"
is "$(jq -r '.counts.destroyed' <<<"$TD_OUT")" 2 "kill --yes: the 2 left (in $NA) destroyed"
is "$(cnt "$NA" close-wait) $(cnt "$NB" close-wait)" "0 0" "ss: no CLOSE_WAIT in either"
is "$(cnt "$NA" established) $(cnt "$NB" established)" "4 4" \
	"ss: the established connections stay in both"

# ---- keepalive: one process, two namespaces ------------------------------------------------
before=$(snapo)
td --no-color keepalive --all-netns --netns-filter "$FILTER" --pid "$APID" \
	--state established --idle 40 --intvl 5 --count 2
is "$TD_RC" 0 "keepalive --all-netns dry run: exit 0"
like "$TD_OUT" "NETNS +FD +STATE +LOCAL +PEER +KEEPALIVE +WOULD BE" \
	"keepalive dry run: a NETNS column"
for ns in "$NA" "$NB"; do
	n=$(grep -c "^$ns .*ESTABLISHED .* off  *40/5/2" <<<"$TD_OUT")
	is "$n" 4 "keepalive dry run: the actor's 4 sockets in $ns, off -> 40/5/2"
done
same_lines "$(snapo)" "$before" "keepalive dry run: ss -o unchanged in both namespaces"

td --json keepalive --all-netns --netns-filter "$FILTER" --pid "$APID" \
	--state established --idle 40 --intvl 5 --count 2 --yes
is "$TD_RC" 0 "keepalive --yes --all-netns: exit 0"
is "$(jq -r '[.sockets[] | select(.changed) | .netns] | group_by(.) |
	map("\(.[0])=\(length)") | join(" ")' <<<"$TD_OUT")" "$NA=4 $NB=4" \
	"keepalive --json: 4 changed in each namespace"
for ns in "$NA" "$NB"; do
	n=$(ss -N "$ns" -Htanop state established | grep "pid=$APID," | grep -c 'timer:(keepalive')
	is "$n" 4 "ss -o in $ns: the keepalive timer on the actor's 4 sockets"
done
td_done
