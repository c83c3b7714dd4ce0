#!/bin/bash
# `tcpdoctor check` does not miss a plain failure: four processes each stuck
# on one silent destination are one syn-sent-stuck (processes listed); a
# client hammering a full accept queue on this host is one
# accept-queue-overflow that explains the dropped SYNs (no syn-sent-stuck
# blaming a firewall); a client-side CLOSE_WAIT names the service that closed.
# jq programs sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip ss jq
need_python
need_binary

# Small actors for what TD_ACTOR does not do:
#   backlog ADDR PORT N   listen(N), never accept
#   closer ADDR PORT      accept and close at once (a server ending idle
#                         pool connections)
TD_MISS_ACTOR='
import os, signal, socket, sys
signal.alarm(int(os.environ.get("TD_ACTOR_TTL", "120")))
op, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(int(sys.argv[4]) if op == "backlog" else 64)
while True:
    if op == "backlog":
        signal.pause()
    c, _ = s.accept()
    c.close()
'

# syn_retrying NS DST N: N sockets in SYN_SENT to DST whose SYN went out again.
syn_retrying() {
	[ "$(ss -N "$1" -Htano state syn-sent dst "$2" | grep -Ec 'timer:\(on,[^,]*,[1-9]')" -ge "$3" ]
}

# ---- four processes, one silent destination ---------------------------------

ns_pair miss
ns_blackhole "$NS_B" td1 192.0.2.99
for i in 1 2 3 4; do
	spawn_py "$NS_B" "$TD_ACTOR" comm "svc$i" syn 192.0.2.2 0 192.0.2.99 5432 >/dev/null
done
wait_for 20 syn_retrying "$NS_B" 192.0.2.99:5432 4 ||
	bail "no 4 retrying SYN_SENT: $(ss -N "$NS_B" -tano)"
td --netns "$NS_B" check --json
is "$TD_RC" 1 "four processes stuck on one destination: check exits 1" "$TD_OUT"
is "$(jq -r '[.findings[] | select(.rule == "syn-sent-stuck")] | length' "$TD_TMP/out")" 1 \
	"one syn-sent-stuck finding for the destination"
is "$(jq -r '.findings[] | select(.rule == "syn-sent-stuck") | .peer' "$TD_TMP/out")" \
	192.0.2.99:5432 "it names the destination"
is "$(jq -r '.findings[] | select(.rule == "syn-sent-stuck") | .count' "$TD_TMP/out")" 4 \
	"it counts the four connects"
procs=$(jq -r '.findings[] | select(.rule == "syn-sent-stuck") | .evidence[] |
	select(.key == "processes") | .value' "$TD_TMP/out")
like "$procs" 'svc1\[[0-9]+\].*svc2|svc2\[[0-9]+\].*svc1' "the evidence lists the processes"
like "$procs" '(svc[1-4]\[[0-9]+\] \(1\)(, )?){4}' "all four, one connect each"

# ---- a full accept queue on this host ---------------------------------------

ns_create NS1 missaq
spawn "$NS1" "$TD_PY" -c "$TD_MISS_ACTOR" backlog 127.0.0.1 7100 1
wait_for 10 ss_has "$NS1" listening 1 || bail "backlog listener not up"
spawn_py "$NS1" "$TD_ACTOR" comm hammer syn 127.0.0.1 0 127.0.0.1 7100 \
	syn 127.0.0.1 0 127.0.0.1 7100 syn 127.0.0.1 0 127.0.0.1 7100 \
	syn 127.0.0.1 0 127.0.0.1 7100 syn 127.0.0.1 0 127.0.0.1 7100 \
	syn 127.0.0.1 0 127.0.0.1 7100 syn 127.0.0.1 0 127.0.0.1 7100 >/dev/null
wait_for 20 syn_retrying "$NS1" 127.0.0.1:7100 3 ||
	bail "no SYN_SENT retrying to the full listener: $(ss -N "$NS1" -tano)"
td --netns "$NS1" check --json
is "$(jq -r '[.findings[].rule | select(. != "listen-backlog-too-small")] | unique | join(",")' \
	"$TD_TMP/out")" accept-queue-overflow \
	"full accept queue + its own clients in SYN_SENT: one accept-queue-overflow, no syn-sent-stuck"
like "$(jq -r '.findings[] | select(.rule == "accept-queue-overflow") | .evidence[] |
	select(.key == "clients here") | .value' "$TD_TMP/out")" 'SYN_SENT.*hammer\[' \
	"the finding names the clients whose SYNs are dropped"
like "$(jq -r '.findings[] | select(.rule == "accept-queue-overflow") | .why' "$TD_TMP/out")" \
	'drops new SYNs' "its Why says SYNs are dropped too"

# ---- a client-side CLOSE_WAIT -----------------------------------------------

ns_create NS2 misscw
spawn "$NS2" "$TD_PY" -c "$TD_MISS_ACTOR" closer 127.0.0.1 6379
wait_for 10 ss_has "$NS2" listening 1 || bail "closer not up"
spawn_py "$NS2" "$TD_ACTOR" comm pool est 127.0.0.1 0 127.0.0.1 6379 \
	est 127.0.0.1 0 127.0.0.1 6379 est 127.0.0.1 0 127.0.0.1 6379 \
	est 127.0.0.1 0 127.0.0.1 6379 est 127.0.0.1 0 127.0.0.1 6379 >/dev/null
wait_for 10 ss_has "$NS2" close-wait 5 || bail "no 5 CLOSE_WAIT: $(ss -N "$NS2" -tan)"
td --netns "$NS2" check --json
is "$(jq -r '.findings[] | select(.rule == "close-wait-leak") | .peer' "$TD_TMP/out")" \
	127.0.0.1:6379 "a client-side CLOSE_WAIT names the service that closed"
td --netns "$NS2" --no-color check
like "$TD_OUT" 'peer service +127\.0\.0\.1:6379' "the text shows it as evidence"

td_done
