#!/bin/bash
# Every command's --json output against its JSON Schema in docs/schema/
# (draft 2020-12, python3-jsonschema): one document, or each line of the
# NDJSON streams (watch, trace, capture). Real data: sockets this test
# makes in a tdw- namespace (a CLOSE_WAIT leak for check's findings, a
# listener for probe, route, who, kill and keepalive), captures from
# tests/data, a live capture and a trace of connects made during them, a
# record database for history. The schemas are strict (every fixed shape
# has additionalProperties false and its keys required): a renamed key, a
# missing one, or a number where a string belongs fails, which the planted
# renames at the end show. serve's /metrics is Prometheus text, not JSON.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_binary
need_root
need_tool ip ss jq
need_python
"$TD_PY" -c 'import jsonschema' 2>/dev/null || need_tool python3-jsonschema
export TD_ACTOR_TTL=${TD_ACTOR_TTL:-900}
SCHEMAS=$TD_SRCDIR/docs/schema

NS=tdw-json-$$
ip netns add "$NS" || bail "ip netns add $NS"
TD_NETNS+=("$NS")
ip -n "$NS" link set lo up || bail "lo up in $NS"
A=2001:db8:1::1
B=2001:db8:1::2
ip -n "$NS" link add td0 type veth peer name td1 &&
	ip -n "$NS" addr add $A/64 dev td0 nodad &&
	ip -n "$NS" addr add $B/64 dev td1 nodad &&
	ip -n "$NS" addr add 192.0.2.1/24 dev td0 &&
	ip -n "$NS" link set td0 up && ip -n "$NS" link set td1 up || bail "veth in $NS"

spawn_py "$NS" "$TD_ACTOR" comm tdwserver listen $A 5001 keep listen 192.0.2.1 5002 keep \
	listen 127.0.0.1 6000 keep >/dev/null
SERVER_PID=$SPAWNED
wait_for 10 ss_has "$NS" listening 3 || bail "listeners in $NS"
spawn_py "$NS" "$TD_ACTOR" comm tdwclient \
	est $B 41001 $A 5001 est $B 41002 $A 5001 \
	half $B 42001 $A 5001 half $B 42002 $A 5001 half $B 42003 $A 5001 \
	half $B 42004 $A 5001 half $B 42005 $A 5001 >/dev/null
wait_for 10 ss_has "$NS" close-wait 5 || bail "CLOSE_WAIT sockets in $NS"

OUT=$TD_TMP/json
mkdir -p "$OUT"
N=0
# run SCHEMA KIND ARGS...: tcpdoctor --json ARGS into a file checked
# against docs/schema/SCHEMA.json; KIND doc (one document) or ndjson.
RUNS=()
run() {
	local schema=$1 kind=$2
	shift 2
	N=$((N + 1))
	"$TCPDOCTOR" --json "$@" >"$OUT/$N.json" 2>"$OUT/$N.err"
	echo "$?" >"$OUT/$N.rc"
	RUNS+=("$N $schema $kind $*")
}

P=$TD_SRCDIR/tests/data/pcap
C="--netns $NS"
# shellcheck disable=SC2086
{
	run check doc $C check --sample 0
	run check doc $C check --sample 0.2
	run check doc $C check --rules
	run states doc $C states
	run states doc $C states --by lport
	run states doc $C states --by peer
	run states doc $C states --by process
	run states doc $C states --by user --top 1
	run conns doc $C conns
	run conns doc $C conns -i
	run conns doc $C conns --no-owners
	run who doc $C who 5001
	run watch ndjson $C watch -c 2 -i 0.2
	run pcap doc pcap "$P/normal.pcap"
	run pcap doc pcap "$P/reset.pcap"
	run pcap doc pcap "$P/tunnels/6in4.pcap"
	run pcap doc pcap "$P/tunnels/vxlan.pcap"
	run pcap doc pcap --conn 0 --ladder "$P/normal.pcap"
	run pcap doc pcap --graph seq --conn 0 "$P/normal.pcap"
	run pcap doc pcap --graph rtt --conn 0 "$P/normal.pcap"
	run pcap doc pcap --graph throughput --conn 0 "$P/normal.pcap"
	run pcap doc pcap --graph window --conn 0 "$P/normal.pcap"
	run probe doc $C probe -c 2 -i 0.1 "[$A]:5001"
	run probe doc $C probe -c 1 -i 0.1 "127.0.0.1:6001"
	run route doc $C route -c 1 "[$A]:5001"
	run sysctl doc $C sysctl
	run explain doc explain time-wait ECONNRESET close-wait-leak tcp_syn_retries SYN
	run explain doc explain --list
	run fsm doc fsm
	run lab doc lab list
	run kill doc $C kill --state close-wait
	run keepalive doc $C keepalive --pid "$SERVER_PID"
}
"$TCPDOCTOR" $C record --db "$TD_TMP/rec.db" --every 200ms --count 2 >/dev/null 2>&1 ||
	bail "record into $TD_TMP/rec.db"
run history doc history --db "$TD_TMP/rec.db"
run history doc history --db "$TD_TMP/rec.db" --from -1h
run history doc history --db "$TD_TMP/rec.db" --from -1h --rule close-wait-leak
run history doc history --db "$TD_TMP/rec.db" --from -1h --plot CLOSE_WAIT

# kill and keepalive that act: the CLOSE_WAIT sockets, the server's keepalive
# shellcheck disable=SC2086
run keepalive doc $C keepalive --pid "$SERVER_PID" --yes
# shellcheck disable=SC2086
run kill doc $C kill --state close-wait --yes

# The streams: a trace and a live capture while connects (and a refused one)
# happen in the namespace.
connects() {
	ip netns exec "$NS" "$TD_PY" -c '
import socket, sys
for i in range(3):
    socket.create_connection((sys.argv[1], 5002)).close()
try:
    socket.create_connection(("127.0.0.1", 6001))
except OSError:
    pass' 192.0.2.1
}
attached() { ls -l "/proc/$1/fd" 2>/dev/null | grep -q 'anon_inode:\[eventpoll\]'; }
if "$TCPDOCTOR" $C trace --for 1ms >/dev/null 2>"$TD_TMP/trace.err"; then
	for mode in "--with-summary --resets --transitions" "--lifetimes --with-summary" \
		"--summary --resets --retransmits --transitions"; do
		N=$((N + 1))
		# shellcheck disable=SC2086
		"$TCPDOCTOR" --json $C trace --for 4s $mode >"$OUT/$N.json" 2>"$OUT/$N.err" &
		tp=$!
		TD_PIDS+=("$tp")
		wait_for 10 attached "$tp" || diag "trace $mode did not attach"
		connects
		wait "$tp"
		echo "$?" >"$OUT/$N.rc"
		RUNS+=("$N trace ndjson trace $mode")
	done
else
	skip_kernel "trace --json against its schema" "no BPF trace: $(head -1 "$TD_TMP/trace.err")"
fi
N=$((N + 1))
# shellcheck disable=SC2086
"$TCPDOCTOR" --json $C capture -i any --for 3s --linger 100ms >"$OUT/$N.json" 2>"$OUT/$N.err" &
cp=$!
TD_PIDS+=("$cp")
# --json prints no "capturing" line: it is capturing once it runs as nobody.
as_nobody() { [ "$(awk '/^Uid:/ { print $2 }' "/proc/$1/status" 2>/dev/null)" = 65534 ]; }
wait_for 10 as_nobody "$cp" || diag "capture did not start"
connects
wait "$cp"
echo "$?" >"$OUT/$N.rc"
RUNS+=("$N capture ndjson capture -i any")

# TD_JSON_KEEP=DIR keeps the outputs (and RUNS, their list) to look at.
if [ -n "${TD_JSON_KEEP:-}" ]; then
	mkdir -p "$TD_JSON_KEEP" && cp "$OUT"/* "$TD_JSON_KEEP"/ &&
		printf '%s\n' "${RUNS[@]}" >"$TD_JSON_KEEP/RUNS"
fi

cat >"$TD_TMP/validate.py" <<'EOF'
import json, sys
import jsonschema
schema_path, kind, path = sys.argv[1:4]
schema = json.load(open(schema_path))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
text = open(path, encoding="utf-8").read()
docs = [json.loads(l) for l in text.splitlines() if l.strip()] if kind == "ndjson" else [json.loads(text)]
if not docs:
    sys.exit("no JSON at all")
for i, d in enumerate(docs):
    errs = list(v.iter_errors(d))
    if errs:
        e = jsonschema.exceptions.best_match(errs)
        # inside an anyOf (a command's modes), the closest mode's error
        while e.context:
            e = jsonschema.exceptions.best_match(e.context)
        where = "/".join(str(p) for p in e.absolute_path)
        sys.exit("%s%s: %s (%d errors)" % ("line %d: " % (i + 1) if kind == "ndjson" else "",
                                           where or "(top)", e.message[:300], len(errs)))
print(len(docs))
EOF

for r in "${RUNS[@]}"; do
	read -r n schema kind args <<<"$r"
	rc=$(cat "$OUT/$n.rc")
	# check exits 1 or 2 with findings, kill 1 when nothing matched, probe
	# 1 when an attempt failed: the document is there all the same.
	if [ "$rc" -gt 2 ] || [ ! -s "$OUT/$n.json" ]; then
		not_ok "$args --json: a document (exit $rc)" "$(head -3 "$OUT/$n.err")"
		continue
	fi
	if msg=$("$TD_PY" "$TD_TMP/validate.py" "$SCHEMAS/$schema.json" "$kind" "$OUT/$n.json" 2>&1); then
		ok "$args --json matches docs/schema/$schema.json ($msg $( [ "$kind" = ndjson ] && echo lines || echo document))"
	else
		not_ok "$args --json matches docs/schema/$schema.json" "$msg" "$(head -c 600 "$OUT/$n.json")"
	fi
done

# Every command with --json has a schema, and every schema a command.
cmds=$("$TCPDOCTOR" --help | awk '/^ +[a-z]+ +/ {print $1}' | sort -u)
for s in "$SCHEMAS"/*.json; do
	c=$(basename "$s" .json)
	grep -qx "$c" <<<"$cmds" || not_ok "docs/schema/$c.json names a command" "commands: $cmds"
done
for c in check states conns who watch trace capture pcap probe route sysctl explain history lab kill keepalive fsm; do
	[ -f "$SCHEMAS/$c.json" ] || not_ok "docs/schema/$c.json exists"
done
ok "a schema for each of the 17 commands with --json"

# Planted failures: the same documents with one key renamed, one dropped,
# one value of the wrong type must fail.
plant() { # desc schema kind file jq-program
	local desc=$1 schema=$2 kind=$3 file=$4 prog=$5
	if ! "$TD_PY" "$TD_TMP/validate.py" "$SCHEMAS/$schema.json" "$kind" "$file" >/dev/null 2>&1; then
		not_ok "planted: $desc (the document as written must pass first)"
		return
	fi
	if [ "$kind" = ndjson ]; then jq -c "$prog" "$file"; else jq "$prog" "$file"; fi >"$TD_TMP/planted.json"
	if "$TD_PY" "$TD_TMP/validate.py" "$SCHEMAS/$schema.json" "$kind" "$TD_TMP/planted.json" \
		>"$TD_TMP/planted.out" 2>&1; then
		not_ok "planted: $desc is caught" "the schema accepted it"
	else
		ok "planted: $desc is caught ($(tail -1 "$TD_TMP/planted.out" | cut -c1-120))"
	fi
}
file_of() { # schema args-prefix: the output file of the first run that matches
	local r
	for r in "${RUNS[@]}"; do
		read -r n schema _ args <<<"$r"
		[ "$schema" = "$1" ] && [[ $args == *"$2"* ]] && { echo "$OUT/$n.json"; return; }
	done
}
plant "conns: laddr renamed local_addr" conns doc "$(file_of conns 'conns')" \
	'.sockets[0] |= (.local_addr = .laddr | del(.laddr))'
plant "check: sample_s renamed sample" check doc "$(file_of check 'check --sample 0')" \
	'.sample = .sample_s | del(.sample_s)'
plant "states: a state spelled TIME-WAIT" states doc "$(file_of states 'states')" \
	'.states["TIME-WAIT"] = .states.TIME_WAIT | del(.states.TIME_WAIT)'
plant "pcap: an analysis key back to dup-ack" pcap doc "$(file_of pcap 'normal.pcap')" \
	'.connections[0].client.analysis["dup-ack"] = 0 | del(.connections[0].client.analysis.dup_ack)'
plant "watch: ts as epoch seconds" watch ndjson "$(file_of watch 'watch')" '.ts = 1796178304.96'
plant "history: the old ts_ms next to ts" history doc "$(file_of history 'rec.db')" '.ts_ms = 1'
plant "who: a process without its pid" who doc "$(file_of who 'who')" 'del(.processes[0].pid)'

td_done
