#!/bin/bash
# `explain` and `fsm`: every topic of the knowledge base is listed and
# explains, in English and in Chinese, within 80 columns (CJK counted as
# two); the spellings of one topic give one text, Chinese input resolves,
# the language follows --lang and the locale variables, unknown topics exit
# 2 with suggestions, every topic the issue names exists, every counter the
# sources name, every check rule and lab scenario has an entry; `fsm` prints every
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
# Piped output is wrapped only when COLUMNS asks (test_width.sh): 80 here.
for t in $NAMES; do
	COLUMNS=80 td explain "$t"
	first=$(head -1 <<<"$TD_OUT")
	if [ "$TD_RC" -ne 0 ] || [[ $first != "$t - "* ]] || [ -n "$TD_ERR" ]; then
		bad+=("$t: exit $TD_RC, first line '$first', stderr '$TD_ERR'")
	fi
	for section in Meaning "Who sees it" "Typical causes" "Look next" References; do
		grep -qx "$section" <<<"$TD_OUT" || bad+=("$t: no '$section' section")
	done
	long=$(awk 'length > 80' <<<"$TD_OUT")
	[ -z "$long" ] || bad+=("$t: lines longer than 80 columns: $long")
	[ "$(LC_ALL=C grep -c $'[\x80-\xff]' <<<"$TD_OUT")" -eq 0 ] || bad+=("$t: English text has non-ASCII bytes")
done
if [ ${#bad[@]} -eq 0 ]; then
	ok "each of the $N listed topics explains (exit 0, title, five sections, <= 80 columns)"
else
	not_ok "each listed topic explains" "${bad[@]}"
fi

# Display width: GNU wc -L counts a CJK character as two columns in a UTF-8
# locale. Without one that knows CJK widths the width checks are skipped.
width() { LC_ALL=C.UTF-8 wc -L; }
HAVE_WIDTH=false
[ "$(printf '\xe4\xb8\x89\n' | width 2>/dev/null)" = 2 ] && HAVE_WIDTH=true

bad=()
for t in $NAMES; do
	COLUMNS=80 td explain --lang zh_CN "$t"
	first=$(head -1 <<<"$TD_OUT")
	if [ "$TD_RC" -ne 0 ] || [[ $first != "$t - "* ]] || [ -n "$TD_ERR" ]; then
		bad+=("$t: exit $TD_RC, first line '$first', stderr '$TD_ERR'")
	fi
	for section in 含义 谁会看到 常见原因 下一步 参考; do
		grep -qx "$section" <<<"$TD_OUT" || bad+=("$t: no '$section' section")
	done
	if ! iconv -f UTF-8 -t UTF-8 <<<"$TD_OUT" >/dev/null 2>&1; then
		bad+=("$t: output is not valid UTF-8")
	fi
	if $HAVE_WIDTH && [ "$(width <<<"$TD_OUT")" -gt 80 ]; then
		bad+=("$t: a line is wider than 80 columns")
	fi
	LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' <<<"$TD_OUT" && bad+=("$t: control bytes")
done
if [ ${#bad[@]} -eq 0 ]; then
	ok "each of the $N topics explains in Chinese (title, five sections, valid UTF-8, <= 80 columns)"
else
	not_ok "each topic explains in Chinese" "${bad[@]}"
fi
if $HAVE_WIDTH; then
	COLUMNS=60 td explain --lang zh_CN syn-queue keepalive ECONNRESET
	w=$(width <<<"$TD_OUT")
	if [ "$w" -le 60 ] && [ "$w" -ge 50 ]; then
		ok "COLUMNS=60: Chinese text wrapped to $w columns (CJK counted as two)"
	else
		not_ok "COLUMNS=60 wraps Chinese text to 60 columns" "widest line: $w"
	fi
	# The narrowest page explain allows: every topic, both languages.
	for lang in en zh_CN; do
		# shellcheck disable=SC2086 # one argument per topic
		COLUMNS=46 td explain --lang "$lang" $NAMES
		w=$(width <<<"$TD_OUT")
		if [ "$TD_RC" -eq 0 ] && [ "$w" -le 46 ]; then
			ok "COLUMNS=46 --lang $lang: all $N topics fit 46 columns"
		else
			not_ok "COLUMNS=46 --lang $lang: all topics fit 46 columns" "exit $TD_RC, widest line: $w"
		fi
	done
else
	skip "Chinese text wrapped by display width" "no C.UTF-8 locale with CJK widths for wc -L"
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
	net.core.netdev_max_backlog net.ipv4.ip_local_reserved_ports
	net.ipv4.tcp_syn_linear_timeouts
	EBADF EINVAL EFAULT ENOMEM EPROTO ENOTSOCK EAFNOSUPPORT EOPNOTSUPP ECANCELED
	TcpExt.ListenOverflows TcpExt.ListenDrops TcpExt.TCPSynRetrans TcpExt.TCPAbortOnTimeout
	Recv-Q Send-Q
	three-way-handshake four-way-close half-close half-open syn-queue accept-queue SYN-cookies
	keepalive Nagle delayed-ack SACK window-scaling zero-window RTO fast-retransmit RACK-TLP
	MSS PMTU ECN icmp-unreachable icmp-time-exceeded MSL
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
is "$(awk 'NR > 1' <<<"$TD_OUT" | grep -c .)" 29 \
	"--list --kind sysctl lists the 27 audited sysctls, ip_local_reserved_ports, tcp_syn_linear_timeouts"
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
same_spelling ECONNRESET "errno 104" "errno=104" "连接被对方重设" "连接被重置"
same_spelling TcpExt.ListenOverflows ListenOverflows TcpExtListenOverflows \
	tcpdoctor_netstat_tcp_ext_listen_overflows_total ovfl/s
# Words typed without quotes join into one topic when the first word is no
# topic by itself; words that are topics each stay entries of their own.
unquoted() { # want_first_lines... -- words...
	local want=() words=() got
	while [ "$1" != -- ]; do want+=("$1"); shift; done
	shift
	words=("$@")
	td explain "${words[@]}"
	got=$(grep -E '^[^ ].* - ' <<<"$TD_OUT" | sed 's/ - .*//' | paste -sd' ')
	is "$TD_RC:$got" "0:${want[*]}" "explain ${words[*]} (unquoted) gives ${want[*]}"
}
unquoted ECONNRESET -- errno 104
unquoted ECONNRESET -- connection reset by peer
unquoted EPERM -- errno 1
unquoted CLOSE_WAIT TIME_WAIT -- CLOSE_WAIT TIME_WAIT
unquoted ECONNRESET CLOSE_WAIT -- errno 104 CLOSE_WAIT
unquoted FIN ACK -- FIN ACK
# watch's columns name the counters they show.
same_spelling Tcp.ActiveOpens actv/s
same_spelling Tcp.RetransSegs retr/s
same_spelling TCP.tw twsk

# ---- Chinese input and output -------------------------------------------------------

chinese() { # topic entry
	td explain -- "$1"
	if [ "$TD_RC" -eq 0 ] && [[ $(head -1 <<<"$TD_OUT") == "$2 - "* ]]; then
		ok "explain '$1' is $2"
	else
		not_ok "explain '$1' is $2" "exit $TD_RC" "$(head -1 <<<"$TD_OUT")" "$TD_ERR"
	fi
}
chinese 三次握手 three-way-handshake
chinese 四次挥手 four-way-close
chinese 半连接队列 syn-queue
chinese 全连接队列 accept-queue
chinese 连接被重置 ECONNRESET
chinese 拒绝连接 ECONNREFUSED
chinese 洪水攻击 syn-flood
chinese 心跳 keepalive
chinese 2MSL MSL
chinese 粘包 message-boundaries
chinese 零窗口 zero-window
chinese 没有到主机的路由 EHOSTUNREACH

td explain 三次握手
like "$TD_OUT" "^three-way-handshake - SYN, SYN\+ACK, ACK" "Chinese input, no locale: the English text"
td explain --lang zh_CN 三次握手
like "$TD_OUT" "三次握手" "--lang zh_CN: the Chinese text"
like "$TD_OUT" $'\n含义\n' "--lang zh_CN: Chinese section titles"
is "$TD_ERR" "" "--lang zh_CN: nothing on stderr"
zh=$TD_OUT
for lang in zh zh-CN zh_CN.UTF-8; do
	td explain --lang "$lang" 三次握手
	is "$TD_OUT" "$zh" "--lang $lang is the same text"
done
td_env LC_ALL=zh_CN.UTF-8 -- explain 三次握手
is "$TD_OUT" "$zh" "LC_ALL=zh_CN.UTF-8 chooses Chinese (no locale need be installed)"
td_env LANG=zh_CN.UTF-8 -- explain 三次握手
is "$TD_OUT" "$zh" "LANG=zh_CN.UTF-8 chooses Chinese"
td_env LANG=en_US.UTF-8 LC_MESSAGES=zh_CN.UTF-8 -- explain 三次握手
is "$TD_OUT" "$zh" "LC_MESSAGES=zh_CN.UTF-8 wins over LANG"
td_env LANG=en_US.UTF-8 LANGUAGE=zh_CN:en -- explain 三次握手
is "$TD_OUT" "$zh" "LANGUAGE=zh_CN:en wins over LANG"
td_env LANG=C LANGUAGE=zh_CN -- explain 三次握手
like "$TD_OUT" "^three-way-handshake - SYN, SYN\+ACK, ACK" "LANGUAGE is ignored in the C locale (gettext)"
td_env -- explain 三次握手
like "$TD_OUT" "^three-way-handshake - SYN, SYN\+ACK, ACK" "no locale set: English"
td_env LC_ALL=zh_CN.UTF-8 -- explain --lang en 三次握手
like "$TD_OUT" "^three-way-handshake - SYN, SYN\+ACK, ACK" "--lang en wins over the locale"
td explain --lang fr CLOSE_WAIT
is "$TD_RC" 2 "--lang fr exits 2"
like "$TD_ERR" "zh_CN" "--lang fr names the languages there are"

td explain --lang zh_CN 104
like "$TD_OUT" "连接被对方重设" "explain 104 in Chinese shows glibc's zh_CN message"
is "$(td_json '.entries[0] | [.lang, .message_zh, (.summary | test("重置"))] | map(tostring) | join(",")' explain --lang zh_CN --json 104)" \
	"zh,连接被对方重设,true" "explain --json --lang zh_CN: language, Chinese message and summary"
is "$(td_json '.entries[0].lang' explain --json 104)" en "explain --json: English by default"
COLUMNS=80 td explain --list --lang zh_CN
is "$TD_RC" 0 "explain --list --lang zh_CN exits 0"
like "$TD_OUT" "three-way-handshake +SYN、SYN\+ACK、ACK：TCP 连接如何建立" "--list --lang zh_CN: Chinese summaries"
if $HAVE_WIDTH; then
	is "$([ "$(width <<<"$TD_OUT")" -le 80 ] && echo fits)" fits "--list --lang zh_CN fits 80 columns"
fi
is "$(td_json '.count' explain --list --lang zh --json)" "$N" "--list --lang zh --json lists every topic"

# The translation as gettext tools see it: one PO message per entry and
# field (the errno messages too), built from the two --json outputs, must
# be complete for msgfmt: no untranslated, no fuzzy message.
if command -v msgfmt >/dev/null 2>&1; then
	# shellcheck disable=SC2086 # one argument per topic
	"$TCPDOCTOR" explain --json $NAMES >"$TD_TMP/en.json"
	# shellcheck disable=SC2086
	"$TCPDOCTOR" explain --json --lang zh_CN $NAMES >"$TD_TMP/zh.json"
	jq -rn --slurpfile en "$TD_TMP/en.json" --slurpfile zh "$TD_TMP/zh.json" '
	  def text: if type == "array" then join("\n") else . end;
	  "msgid \"\"\nmsgstr \"Project-Id-Version: tcpdoctor explain\\n\"\n\"PO-Revision-Date: \\n\"\n\"Last-Translator: tcpdoctor\\n\"\n\"Language-Team: zh_CN\\n\"\n\"Language: zh_CN\\n\"\n\"MIME-Version: 1.0\\n\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\"Content-Transfer-Encoding: 8bit\\n\"\n",
	  ([$en[0].entries, $zh[0].entries] | transpose[] | . as [$e, $z]
	   | ("summary", "meaning", "who_sees", "causes", "message") as $f
	   | select($f != "message" or $e.kind == "errno")
	   | (if $f == "message" then $z.message_zh else $z[$f] end) as $tr
	   | "msgctxt \(($e.name + "." + $f) | @json)\nmsgid \($e[$f] | text | @json)\nmsgstr \(($tr // "") | text | @json)\n")' \
		>"$TD_TMP/zh_CN.po"
	stats=$(msgfmt --statistics -c -o /dev/null "$TD_TMP/zh_CN.po" 2>&1)
	want=$((N * 4 + $(grep -c '^errno ' <<<"$LIST")))
	is "$stats" "$want translated messages." "msgfmt --statistics: $want translated, none untranslated or fuzzy"
else
	skip "msgfmt --statistics on the translation" "msgfmt not installed (gettext)"
fi

# Echoed input never carries control bytes to the terminal.
td explain $'\e]0;pwned\a\e[31m三次挥手x'
is "$TD_RC" 2 "a topic with escape sequences exits 2"
unlike "$TD_ERR" $'\e' "... and stderr carries no ESC"
like "$TD_ERR" "三次挥手x" "... but keeps the Chinese characters"
td explain --list $'\e[2J'
unlike "$TD_ERR" $'\e' "--list with an escape sequence for a topic: no ESC on stderr"
td explain 三次挥于
like "$TD_ERR" "nearest: (three-way-handshake|four-way-close)" "a Chinese typo suggests the nearest entry"
td explain --lang zh_CN 三次挥于
like "$TD_ERR" "^tcpdoctor: 没有 '三次挥于' 的条目；最接近的：(three-way-handshake|four-way-close)、" \
	"--lang zh_CN: the suggestion is in Chinese too"

# ---- the columns our views print ---------------------------------------------------

# Every header word of watch, conns and who is a topic (watch's TIME excepted).
headers=()
td watch -c 1
[ "$TD_RC" -eq 0 ] && read -ra w <<<"$(head -1 <<<"$TD_OUT")" && headers+=("${w[@]:1}")
td conns
[ "$TD_RC" -eq 0 ] && read -ra w <<<"$(head -1 <<<"$TD_OUT")" && headers+=("${w[@]}")
td who :1-65535
[ -n "$TD_OUT" ] && read -ra w <<<"$(head -1 <<<"$TD_OUT")" && headers+=("${w[@]}")
missing=()
for h in "${headers[@]}"; do
	td explain -- "$h"
	[ "$TD_RC" -eq 0 ] || missing+=("$h")
done
if [ ${#headers[@]} -gt 20 ] && [ ${#missing[@]} -eq 0 ]; then
	ok "every column header of watch, conns and who (${#headers[@]}) explains"
else
	not_ok "every column header of watch, conns and who explains" \
		"headers: ${headers[*]}" "missing: ${missing[*]}"
fi

# ---- every counter, rule and scenario --------------------------------------------

if [ -n "${TD_SRCDIR:-}" ] && [ -d "$TD_SRCDIR/src" ]; then
	mapfile -t COUNTERS < <(grep -rhoE '"(Tcp|TcpExt|TCP|TCP6)\.[A-Za-z0-9]+"' \
		"$TD_SRCDIR/src/cmd" "$TD_SRCDIR/src/lib" | tr -d '"' | sort -u)
	missing=()
	for c in "${COUNTERS[@]}"; do
		[ "$(td_json '.entries[0].kind' explain --json "$c" 2>/dev/null)" = counter ] || missing+=("$c")
	done
	if [ ${#COUNTERS[@]} -gt 10 ] && [ ${#missing[@]} -eq 0 ]; then
		ok "every counter the sources name (${#COUNTERS[@]}) has an entry"
	else
		not_ok "every counter the sources name has an entry" "missing: ${missing[*]}"
	fi
else
	skip "every counter the sources name has an entry" "TD_SRCDIR not set"
fi
td check --rules
mapfile -t RULES < <(awk '/^[a-z]/ { print $1 }' <<<"$TD_OUT")
missing=()
for r in "${RULES[@]}"; do
	[ "$(td_json '.entries[0] | .kind + ":" + .name' explain --json "$r")" = "rule:$r" ] || missing+=("$r")
done
if [ ${#RULES[@]} -gt 10 ] && [ ${#missing[@]} -eq 0 ]; then
	ok "every check rule (${#RULES[@]}) has an entry under its id"
else
	not_ok "every check rule has an entry" "rules: ${#RULES[@]}, missing: ${missing[*]}"
fi
td lab list
mapfile -t SCENARIOS < <(awk '/^[a-z]/ { print $1 }' <<<"$TD_OUT")
missing=()
for sc in "${SCENARIOS[@]}"; do
	td explain "$sc"
	grep -qF "tcpdoctor lab run $sc" <<<"$TD_OUT" || missing+=("$sc")
done
if [ ${#SCENARIOS[@]} -gt 10 ] && [ ${#missing[@]} -eq 0 ]; then
	ok "every lab scenario (${#SCENARIOS[@]}) explains and says how to run it"
else
	not_ok "every lab scenario has an entry" "scenarios: ${#SCENARIOS[@]}, missing: ${missing[*]}"
fi

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
td explain tcp_keep
like "$TD_ERR" "nearest: [^ ]*keepalive" "a fragment suggests the names that contain it"
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
	if $HAVE_WIDTH; then
		is "$([ "$(width <<<"$TD_OUT")" -le 80 ] && echo fits)" fits "$cmd --help fits 80 columns"
	fi
done
td --help
like "$TD_OUT" "explain " "tcpdoctor --help lists explain"
like "$TD_OUT" "fsm " "tcpdoctor --help lists fsm"

# The connect() timeout as the running kernel computes it (6.5+: the first
# tcp_syn_linear_timeouts resends a second apart), in both languages.
if [ -r /proc/sys/net/ipv4/tcp_syn_retries ]; then
	r=$(cat /proc/sys/net/ipv4/tcp_syn_retries)
	td explain ETIMEDOUT
	like "$TD_OUT" "On this kernel: tcp_syn_retries=$r" "explain ETIMEDOUT: this kernel's SYN retries"
	td explain --lang zh_CN net.ipv4.tcp_syn_retries
	like "$TD_OUT" "本机：tcp_syn_retries=$r" "... and in Chinese"
	td --json explain syn-sent-stuck
	like "$(jq -r '.entries[0].this_kernel' <<<"$TD_OUT")" 'after about [0-9]+ s' \
		"--json: this_kernel"
	if [ -r /proc/sys/net/ipv4/tcp_syn_linear_timeouts ]; then
		l=$(cat /proc/sys/net/ipv4/tcp_syn_linear_timeouts)
		# linear resends 1 s apart, then doubling from 2 s: 1 + l + 2 + 4 + ...
		want=$((1 + l))
		rto=1
		for ((k = 0; k < r; k++)); do rto=$((rto * 2 > 120 ? 120 : rto * 2)); want=$((want + rto)); done
		like "$(jq -r '.entries[0].this_kernel' <<<"$TD_OUT")" "after about $want s" \
			"the give-up time follows tcp_syn_linear_timeouts ($want s)"
	fi
	td --json explain CLOSE_WAIT
	is "$(jq -r '.entries[0].this_kernel' <<<"$TD_OUT")" null "only the entries that quote it"
fi

td_done
