#!/bin/bash
# `explain` and `fsm`: every topic of the knowledge base is listed and
# explains, the spellings of one topic give one text, unknown topics exit 2
# with suggestions, every topic the issue names exists; `fsm` prints every
# row of the state machine, --from filters, --dot is valid Graphviz, --paths
# shows the textbook paths, --json is valid. No root needed.
# jq programs sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_tool jq
need_binary

# ---- explain --list -----------------------------------------------------------

td explain --list
is "$TD_RC" 0 "explain --list exits 0"
LIST=$TD_OUT
NAMES=$(awk 'NR > 1 { print $2 }' <<<"$LIST")
N=$(grep -c . <<<"$NAMES")
JSON_NAMES=$(td_json '.topics[].name' explain --list --json)
same_lines "$JSON_NAMES" "$NAMES" "explain --list --json names the same topics as the text"
is "$(td_json '.count' explain --list --json)" "$N" "explain --list --json count is the number of rows"

bad=()
for t in $NAMES; do
	td explain "$t"
	first=$(head -1 <<<"$TD_OUT")
	if [ "$TD_RC" -ne 0 ] || [[ $first != "$t - "* ]] || [ -n "$TD_ERR" ]; then
		bad+=("$t: exit $TD_RC, first line '$first', stderr '$TD_ERR'")
	fi
	for section in Meaning "Who sees it" "Typical causes" "Look next" References; do
		grep -qx "$section" <<<"$TD_OUT" || bad+=("$t: no '$section' section")
	done
	long=$(awk 'length > 80' <<<"$TD_OUT")
	[ -z "$long" ] || bad+=("$t: lines longer than 80 columns: $long")
done
if [ ${#bad[@]} -eq 0 ]; then
	ok "each of the $N listed topics explains (exit 0, title, five sections, <= 80 columns)"
else
	not_ok "each listed topic explains" "${bad[@]}"
fi

# Every topic the issue asks for is in the list.
REQUIRED=(
	ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSE CLOSE_WAIT LAST_ACK
	LISTEN CLOSING NEW_SYN_RECV
	SYN SYN+ACK ACK PSH+ACK FIN+ACK FIN RST RST+ACK URG ECE CWR SYN+ECE+CWR SYN+FIN
	SYN+RST NULL XMAS
	EINPROGRESS EALREADY ECONNREFUSED ETIMEDOUT ENOTCONN EISCONN ECONNRESET EPIPE
	ECONNABORTED ENETRESET ENETUNREACH ENETDOWN EHOSTUNREACH EHOSTDOWN EADDRNOTAVAIL
	EADDRINUSE EMSGSIZE EDESTADDRREQ ENOBUFS EAGAIN EINTR ESHUTDOWN
	net.ipv4.tcp_syncookies net.ipv4.tcp_max_syn_backlog net.core.somaxconn
	net.ipv4.tcp_synack_retries net.ipv4.tcp_syn_retries net.ipv4.tcp_fin_timeout
	net.ipv4.tcp_tw_reuse net.ipv4.tcp_max_tw_buckets net.ipv4.tcp_max_orphans
	net.ipv4.ip_local_port_range net.ipv4.tcp_keepalive_time net.ipv4.tcp_keepalive_intvl
	net.ipv4.tcp_keepalive_probes net.ipv4.tcp_retries1 net.ipv4.tcp_retries2
	net.ipv4.tcp_rmem net.ipv4.tcp_wmem net.ipv4.tcp_abort_on_overflow
	net.ipv4.tcp_tw_recycle net.ipv4.tcp_orphan_retries net.ipv4.tcp_timestamps
	net.ipv4.tcp_sack net.ipv4.tcp_window_scaling net.ipv4.tcp_mtu_probing
	net.ipv4.tcp_slow_start_after_idle net.ipv4.tcp_congestion_control
	net.core.netdev_max_backlog
)
missing=()
for t in "${REQUIRED[@]}"; do
	grep -qxF -- "$t" <<<"$NAMES" || missing+=("$t")
done
if [ ${#missing[@]} -eq 0 ]; then
	ok "explain --list has all ${#REQUIRED[@]} topics of the issue"
else
	not_ok "explain --list has all topics of the issue" "missing: ${missing[*]}"
fi

td explain --list --kind sysctl
is "$(awk 'NR > 1 { print $1 }' <<<"$TD_OUT" | sort -u)" sysctl "--list --kind sysctl lists only sysctls"
is "$(awk 'NR > 1' <<<"$TD_OUT" | grep -c .)" 27 "--list --kind sysctl lists the 27 audited sysctls"
is "$(td_json '[.topics[].kind] | unique | join(",")' explain --list --kind errno --json)" errno \
	"--list --kind errno --json lists only errno topics"

# ---- spellings ------------------------------------------------------------------

same_spelling() { # canonical other...
	local want got t
	td explain "$1"
	want=$TD_OUT
	for t in "${@:2}"; do
		td explain -- "$t"
		got=$TD_OUT
		if [ "$TD_RC" -eq 0 ] && [ "$got" == "$want" ]; then
			ok "explain '$t' = explain '$1'"
		else
			not_ok "explain '$t' = explain '$1'" "exit $TD_RC" "$(head -2 <<<"$got")" "$TD_ERR"
		fi
	done
}
same_spelling ECONNRESET 104 -104 econnreset "Connection reset by peer"
same_spelling CLOSE_WAIT close-wait CLOSE-WAIT "close wait"
same_spelling SYN_RECV SYN_RCVD syn-received
same_spelling SYN+ACK "syn,ack" SA "[S.]" 0x12
same_spelling FIN+ACK "FIN ACK" FA "[F.]"
same_spelling RST+ACK "[R.]" RA
same_spelling XMAS FPU "[FPU]"
same_spelling net.ipv4.tcp_fin_timeout tcp_fin_timeout net/ipv4/tcp_fin_timeout \
	/proc/sys/net/ipv4/tcp_fin_timeout
same_spelling net.core.somaxconn somaxconn
same_spelling EAGAIN EWOULDBLOCK 11

# Several topics at once, separated by a blank line.
td explain LISTEN RST
is "$TD_RC" 0 "explain LISTEN RST exits 0"
is "$(grep -cE '^(LISTEN|RST) - ' <<<"$TD_OUT")" 2 "explain LISTEN RST prints both entries"

# ---- errors ---------------------------------------------------------------------

td explain frobnicate
is "$TD_RC" 2 "explain frobnicate exits 2"
like "$TD_ERR" "^tcpdoctor: no entry for 'frobnicate'; nearest: [^,]+, [^,]+, [^ ]+ \(.+\)$" \
	"explain frobnicate names three nearest topics"
is "$TD_OUT" "" "explain frobnicate prints nothing on stdout"
td explain ECONNRESTE
like "$TD_ERR" "nearest: ECONNRESET," "a typo of ECONNRESET suggests ECONNRESET first"
td explain keepalive
like "$TD_ERR" "nearest: net.ipv4.tcp_keepalive_" "a fragment suggests the names that contain it"
td explain 2
is "$TD_RC" 2 "explain 2 (ENOENT, no entry) exits 2"
like "$TD_ERR" "ENOENT.*No such file or directory" "explain 2 names ENOENT and its text"
td explain CLOSE_WAIT frobnicate
is "$TD_RC" 2 "one unknown topic among known ones: exit 2"
like "$TD_OUT" "^CLOSE_WAIT - " "... and the known one is still explained"
td explain
is "$TD_RC" 2 "explain without a topic exits 2"
td explain --kind state CLOSE_WAIT
is "$TD_RC" 2 "--kind without --list exits 2"
td explain --list --kind nope
is "$TD_RC" 2 "--list --kind nope exits 2"

# ---- explain --json -------------------------------------------------------------

is "$(td_json '[.entries[] | .kind + ":" + .name] | join(" ")' explain CLOSE_WAIT 104 SA tcp_rmem --json)" \
	"state:CLOSE_WAIT errno:ECONNRESET flags:SYN+ACK sysctl:net.ipv4.tcp_rmem" \
	"explain --json: one object per topic"
is "$(td_json '.entries[0] | [.errno, .message, (.causes|length > 0), (.next|length > 0), (.refs|length > 0)] | map(tostring) | join(",")' explain 104 --json)" \
	"104,Connection reset by peer,true,true,true" "explain 104 --json: errno, message and lists"
is "$(td_json '.entries[0] | [.bits, .tcpdump] | map(tostring) | join(" ")' explain FIN+PSH+ACK --json)" \
	"17 [F.]" "explain FIN+PSH+ACK --json: the FIN+ACK entry, bits and tcpdump notation"

# ---- fsm ------------------------------------------------------------------------

td fsm
is "$TD_RC" 0 "fsm exits 0"
FSM_TEXT=$(awk 'NR > 1 { print $1, $2, $4 }' <<<"$TD_OUT" | sed 's/\bCLOSED\b/CLOSE/g')
FSM_JSON=$(td_json '.edges[] | "\(.from) \(.event) \(.to)"' fsm --json)
ROWS=$(td_json '.edges | length' fsm --json)
same_lines "$FSM_TEXT" "$FSM_JSON" "fsm lists every row of the table (as fsm --json)"
if [ "$ROWS" -ge 40 ]; then ok "fsm has all $ROWS rows"; else not_ok "fsm has the whole table" "rows: $ROWS"; fi
unlike "$TD_OUT" $'\e' "fsm uses no colour when stdout is not a terminal"

td fsm --from LISTEN
is "$(awk 'NR > 1 { print $1 }' <<<"$TD_OUT" | sort -u)" LISTEN "fsm --from LISTEN shows only LISTEN rows"
is "$(awk 'NR > 1' <<<"$TD_OUT" | grep -c .)" \
	"$(td_json '[.edges[] | select(.from == "LISTEN")] | length' fsm --json)" \
	"fsm --from LISTEN shows every LISTEN row"
td fsm --from listening
is "$(awk 'NR > 1 { print $1 }' <<<"$TD_OUT" | sort -u)" LISTEN "fsm --from listening (ss spelling)"
td fsm --from SYN-RECEIVED
is "$(awk 'NR > 1 { print $1 }' <<<"$TD_OUT" | sort -u)" SYN_RECV "fsm --from SYN-RECEIVED (RFC spelling)"
is "$(td_json '[.edges[].from] | unique | join(",")' fsm --from close-wait --json)" CLOSE_WAIT \
	"fsm --from close-wait --json"
td fsm --from bogus
is "$TD_RC" 2 "fsm --from bogus exits 2"
like "$TD_ERR" "bogus" "fsm --from bogus names it"
td fsm --from connected
is "$TD_RC" 2 "fsm --from a group exits 2"
td fsm --paths --dot
is "$TD_RC" 2 "fsm --paths --dot exits 2"
td fsm extra
is "$TD_RC" 2 "fsm with an operand exits 2"

td fsm --paths
is "$TD_RC" 0 "fsm --paths exits 0"
for path in "CLOSED -> SYN_SENT -> ESTABLISHED -> FIN_WAIT1 -> FIN_WAIT2 -> TIME_WAIT -> CLOSED" \
	"CLOSED -> LISTEN -> SYN_RECV -> ESTABLISHED -> CLOSE_WAIT -> LAST_ACK -> CLOSED" \
	"SYN_SENT -> SYN_RECV -> ESTABLISHED" "FIN_WAIT1 -> CLOSING -> TIME_WAIT"; do
	if grep -qxF "  $path" <<<"$TD_OUT"; then ok "fsm --paths: $path"; else not_ok "fsm --paths: $path" "$TD_OUT"; fi
done
is "$(td_json '[.paths[].name] | join(",")' fsm --paths --json)" "client,server,sim-open,sim-close" \
	"fsm --paths --json names the four paths"

td fsm --dot
DOT=$TD_OUT
is "$TD_RC" 0 "fsm --dot exits 0"
like "$(head -1 <<<"$DOT")" '^digraph [a-z_]+ \{$' "fsm --dot starts a digraph"
is "$(tail -1 <<<"$DOT")" "}" "fsm --dot ends the graph"
is "$(grep -c -- ' -> ' <<<"$DOT")" "$ROWS" "fsm --dot has one edge per row"
is "$(grep -- ' -> ' <<<"$DOT" | grep -vc 'label=')" 0 "every DOT edge is labelled"
is "$(grep -- ' -> ' <<<"$DOT" | grep -c 'style=dashed')" \
	"$(td_json '[.edges[] | select(.paths | index("sim-open") or index("sim-close"))] | length' fsm --json)" \
	"simultaneous open/close edges are dashed"
bad_quotes=$(grep -- ' -> ' <<<"$DOT" | tr -cd '"\n' | awk 'length % 2')
is "$bad_quotes" "" "every DOT line has balanced quotes"
if command -v dot >/dev/null 2>&1; then
	if dot -Tsvg <<<"$DOT" >"$TD_TMP/fsm.svg" 2>"$TD_TMP/dot.err" && [ -s "$TD_TMP/fsm.svg" ]; then
		ok "graphviz dot renders fsm --dot"
	else
		not_ok "graphviz dot renders fsm --dot" "$(cat "$TD_TMP/dot.err")"
	fi
	td fsm --dot --from LISTEN
	if dot -Tsvg <<<"$TD_OUT" >/dev/null 2>"$TD_TMP/dot.err"; then
		ok "graphviz dot renders fsm --dot --from LISTEN"
	else
		not_ok "graphviz dot renders fsm --dot --from LISTEN" "$(cat "$TD_TMP/dot.err")"
	fi
else
	skip "graphviz dot renders fsm --dot" "graphviz not installed (apt-get install graphviz)"
fi

# ---- help -----------------------------------------------------------------------

for cmd in explain fsm; do
	td "$cmd" --help
	is "$TD_RC" 0 "$cmd --help exits 0"
	like "$TD_OUT" "usage: tcpdoctor $cmd" "$cmd --help shows the usage"
	like "$TD_OUT" "Examples:" "$cmd --help has examples"
done
td --help
like "$TD_OUT" "explain " "tcpdoctor --help lists explain"
like "$TD_OUT" "fsm " "tcpdoctor --help lists fsm"

td_done
