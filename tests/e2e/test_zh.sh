#!/bin/bash
# Chinese end to end, through the compiled catalogue (po/zh_CN.po -> build/
# locale/zh_CN/LC_MESSAGES/tcpdoctor.mo): `explain` and `check` (on a
# CLOSE_WAIT leak built in tdz- namespaces) under LANG=zh_CN.UTF-8 and
# --lang zh_CN print the catalogue's texts (the oracle is the .po itself,
# filled with the values ss sees), wrapped to COLUMNS with CJK counted as two
# columns (measured by python3's unicodedata.east_asian_width, not by our own
# table); English with no locale set; no catalogue: a note and English.
# jq programs sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip ss jq
need_python
need_binary
export TD_ACTOR_TTL=${TD_ACTOR_TTL:-300}
PO="$TD_SRCDIR/po/zh_CN.po"
[ -f "$PO" ] || bail "no $PO (TD_SRCDIR=$TD_SRCDIR)"

# po_str CTXT MSGID: the msgstr of that message in po/zh_CN.po (CTXT "" for
# none); fails when it is missing or empty.
po_str() {
	python3 - "$PO" "$1" "$2" <<'EOF'
import ast, sys
po, want_ctxt, want_id = sys.argv[1], sys.argv[2] or None, sys.argv[3]
entries, cur, key = [], {}, None
for line in open(po, encoding="utf-8"):
    line = line.strip()
    if not line or line.startswith("#"):
        if cur: entries.append(cur); cur = {}
        continue
    for k in ("msgctxt", "msgid", "msgstr"):
        if line.startswith(k + " "):
            key = k; cur[k] = ast.literal_eval(line[len(k) + 1:]); break
    else:
        cur[key] += ast.literal_eval(line)
if cur: entries.append(cur)
for e in entries:
    if e.get("msgctxt") == want_ctxt and e.get("msgid") == want_id and e.get("msgstr"):
        print(e["msgstr"]); sys.exit(0)
sys.exit(1)
EOF
}

# widest: the widest line of stdin in terminal columns (East Asian Wide and
# Fullwidth count 2, combining marks 0).
widest() {
	python3 -c '
import sys, unicodedata
def w(c):
    if unicodedata.combining(c): return 0
    return 2 if unicodedata.east_asian_width(c) in "WF" else 1
print(max([sum(w(c) for c in l) for l in sys.stdin.read().split("\n")] or [0]))'
}

# squash: stdin without any blank or newline, so wrapped text compares with
# the catalogue's.
squash() { tr -d ' \n'; }

# contains TEXT NEEDLE DESCRIPTION: NEEDLE appears in TEXT once both are squashed.
contains() {
	local t n
	t=$(squash <<<"$1")
	n=$(squash <<<"$2")
	if [[ $t == *"$n"* ]]; then
		ok "$3"
	else
		not_ok "$3" "wanted: $2" "got: $(head -c 600 <<<"$1")"
	fi
}

# fits TEXT COLS DESCRIPTION: no line wider than COLS, and the text uses the
# width (some line wider than COLS - 16: it is not wrapped far narrower).
fits() {
	local w
	w=$(widest <<<"$1")
	if [ "$w" -le "$2" ] && [ "$w" -gt $(($2 - 16)) ]; then
		ok "$3 (widest line $w of $2 columns)"
	else
		not_ok "$3" "widest line: $w columns, COLUMNS=$2" "$(head -20 <<<"$1")"
	fi
}

if locale -a 2>/dev/null | grep -qi '^zh_CN'; then
	echo "# note: this machine has a zh_CN locale; the tests do not need it"
else
	ok "no zh_CN locale on this machine: everything below runs without one"
fi

# ---- explain: one state, one errno, one concept, one rule -------------------------

for t in TIME_WAIT ECONNRESET syn-queue close-wait-leak; do
	for cols in 60 100; do
		td_env -- explain --json "$t"
		e_sum=$(jq -r '.entries[0].summary' "$TD_TMP/out")
		name=$(jq -r '.entries[0].name' "$TD_TMP/out")
		zh_sum=$(po_str "$name|summary" "$e_sum") || bail "$name|summary not in $PO"
		zh_mean=$(po_str "$name|meaning" "$(jq -r '.entries[0].meaning' "$TD_TMP/out")") ||
			bail "$name|meaning not in $PO"
		td_env COLUMNS=$cols LANG=zh_CN.UTF-8 -- explain --no-color "$t"
		by_lang=$TD_OUT
		is "$TD_RC" 0 "LANG=zh_CN.UTF-8 explain $t: exit 0"
		contains "$by_lang" "$zh_sum" "LANG=zh_CN.UTF-8 explain $t ($cols cols): the catalogue's summary"
		contains "$by_lang" "$zh_mean" "LANG=zh_CN.UTF-8 explain $t ($cols cols): the catalogue's meaning"
		fits "$by_lang" "$cols" "LANG=zh_CN.UTF-8 explain $t: fits COLUMNS=$cols"
		td_env COLUMNS=$cols -- explain --no-color --lang zh_CN "$t"
		is "$TD_OUT" "$by_lang" "--lang zh_CN explain $t ($cols cols): the same page"
		td_env COLUMNS=$cols -- explain --no-color "$t"
		like "$TD_OUT" "^$name - " "no locale: explain $t in English"
		contains "$TD_OUT" "$e_sum" "no locale: explain $t, the English summary"
		is "$(LC_ALL=C grep -c $'[\x80-\xff]' <<<"$TD_OUT")" 0 "no locale: explain $t is ASCII"
	done
done

# A catalogue that is not there: said once, English after it.
td_env TD_LOCALEDIR="$TD_TMP/nowhere" -- explain --lang zh_CN TIME_WAIT
is "$TD_RC" 0 "no catalogue: explain still answers"
like "$TD_ERR" "no zh_CN text: .*nowhere/zh_CN/LC_MESSAGES/tcpdoctor.mo" \
	"no catalogue: stderr names where it looked"
like "$TD_OUT" "^TIME_WAIT - the connection is closed" "no catalogue: English"
# The catalogue where make install puts it is found by TD_LOCALEDIR too.
mkdir -p "$TD_TMP/share/zh_CN/LC_MESSAGES"
cp "$(dirname "$TCPDOCTOR")/locale/zh_CN/LC_MESSAGES/tcpdoctor.mo" \
	"$TD_TMP/share/zh_CN/LC_MESSAGES/" || bail "no built .mo beside $TCPDOCTOR"
td_env TD_LOCALEDIR="$TD_TMP/share" -- explain --lang zh_CN TIME_WAIT
like "$TD_OUT" "^TIME_WAIT - 连接已关闭" "TD_LOCALEDIR: the catalogue found there"

# ---- check on a CLOSE_WAIT leak -----------------------------------------------------

NS_A="tdz-a-$$" NS_B="tdz-b-$$"
for ns in "$NS_A" "$NS_B"; do
	ip netns add "$ns" || bail "ip netns add $ns"
	TD_NETNS+=("$ns")
	ip -n "$ns" link set lo up || bail "lo up in $ns"
done
ns_link "$NS_A" "$NS_B"
spawn_py "$NS_A" "$TD_ACTOR" comm leaksrv listen 192.0.2.1 5001 keep >/dev/null
SERVER=$SPAWNED
wait_for 10 ss_has "$NS_A" listening 1 || bail "close-wait: listener"
spawn_py "$NS_B" "$TD_ACTOR" comm halfcli half 192.0.2.2 42001 192.0.2.1 5001 \
	half 192.0.2.2 42002 192.0.2.1 5001 half 192.0.2.2 42003 192.0.2.1 5001 \
	half 192.0.2.2 42004 192.0.2.1 5001 half 192.0.2.2 42005 192.0.2.1 5001 >/dev/null
wait_for 10 ss_has "$NS_A" close-wait 5 || bail "close-wait: 5 CLOSE_WAIT"
is "$(ss_state_count "$NS_A" close-wait)" 5 "ss: 5 sockets in CLOSE_WAIT on the server"

# The expected Chinese summary: the catalogue's translation of the rule's
# format, with the process, count and port ss shows.
FMT_CW="process %s does not close sockets after the peer closes: %u in CLOSE_WAIT on port %u"
ZH_FMT=$(po_str "" "$FMT_CW") || bail "the close-wait-leak summary is not in $PO"
ZH_CW=$(python3 -c '
import re, sys
fmt, args = sys.argv[1], sys.argv[2:]
pos = iter(range(len(args)))
print(re.sub(r"%(?:(\d+)\$)?[a-z]+", lambda m: args[int(m.group(1)) - 1 if m.group(1) else next(pos)], fmt))
' "$ZH_FMT" "leaksrv[$SERVER]" 5 5001)
td_env -- --netns "$NS_A" check --json
WHY_EN=$(jq -r '.findings[] | select(.rule == "close-wait-leak") | .why' "$TD_TMP/out")
EN_JSON_SUMMARY=$(jq -r '.findings[] | select(.rule == "close-wait-leak") | .summary' "$TD_TMP/out")
is "$EN_JSON_SUMMARY" \
	"process leaksrv[$SERVER] does not close sockets after the peer closes: 5 in CLOSE_WAIT on port 5001" \
	"no locale: check --json, the English summary"
is "$(jq -r '.findings[] | select(.rule == "close-wait-leak") | .explain' "$TD_TMP/out")" \
	close-wait-leak "check --json: the finding names its explain topic"
ZH_WHY=$(po_str "" "$WHY_EN") || bail "the close-wait-leak Why is not in $PO"

for cols in 64 100; do
	td_env COLUMNS=$cols LANG=zh_CN.UTF-8 -- --netns "$NS_A" check --no-color
	by_lang=$TD_OUT
	is "$TD_RC" 1 "LANG=zh_CN.UTF-8 check ($cols cols): exit 1 (warning)"
	contains "$by_lang" "$ZH_CW" "LANG=zh_CN.UTF-8 check ($cols cols): the Chinese summary with ss's numbers"
	contains "$by_lang" "原因：$ZH_WHY" "LANG=zh_CN.UTF-8 check ($cols cols): 原因 and the Chinese Why"
	like "$by_lang" "怎么办：" "LANG=zh_CN.UTF-8 check ($cols cols): 怎么办 (what to do)"
	contains "$by_lang" "$(po_str "" "Restarting the process frees them, but they come back until the code is fixed; no sysctl shortens CLOSE_WAIT")" \
		"LANG=zh_CN.UTF-8 check ($cols cols): an action in Chinese"
	like "$by_lang" "参见：tcpdoctor explain close-wait-leak" \
		"LANG=zh_CN.UTF-8 check ($cols cols): links to its explain entry"
	fits "$by_lang" "$cols" "LANG=zh_CN.UTF-8 check: fits COLUMNS=$cols"
	td_env COLUMNS=$cols -- --netns "$NS_A" check --no-color --lang zh_CN
	contains "$TD_OUT" "$ZH_CW" "--lang zh_CN check ($cols cols): the Chinese summary"
	fits "$TD_OUT" "$cols" "--lang zh_CN check: fits COLUMNS=$cols"
done
td_env LC_MESSAGES=zh_CN.UTF-8 LANG=en_US.UTF-8 -- --netns "$NS_A" check --no-color
contains "$TD_OUT" "$ZH_CW" "LC_MESSAGES=zh_CN.UTF-8 over LANG=en_US: Chinese"
td_env LANGUAGE=zh_CN:en LANG=en_US.UTF-8 -- --netns "$NS_A" check --no-color
contains "$TD_OUT" "$ZH_CW" "LANGUAGE=zh_CN:en: Chinese"
td_env LANGUAGE=zh_CN LC_ALL=C -- --netns "$NS_A" check --no-color
like "$TD_OUT" "process leaksrv\[$SERVER\] does not close" "LC_ALL=C: LANGUAGE is ignored, English"

td_env -- --netns "$NS_A" check --json --lang zh_CN
is "$(jq -r '.findings[] | select(.rule == "close-wait-leak") | .summary' "$TD_TMP/out")" "$ZH_CW" \
	"check --json --lang zh_CN: the summary in Chinese"
is "$(jq -r '.findings[] | select(.rule == "close-wait-leak") | .why' "$TD_TMP/out")" "$ZH_WHY" \
	"check --json --lang zh_CN: the Why in Chinese"

td_env COLUMNS=80 -- --netns "$NS_A" check --no-color
is "$TD_RC" 1 "no locale: check exit 1"
like "$TD_OUT" "Why: CLOSE_WAIT means" "no locale: English Why"
like "$TD_OUT" "See: tcpdoctor explain close-wait-leak" "no locale: See: line"
is "$(LC_ALL=C grep -c $'[\x80-\xff]' <<<"$TD_OUT")" 0 "no locale: check output is ASCII"
fits "$TD_OUT" 80 "no locale: check fits COLUMNS=80"

td_done
