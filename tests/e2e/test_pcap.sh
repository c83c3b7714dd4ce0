#!/bin/bash
# `tcpdoctor pcap`: captures made here with tcpdump on a namespace veth
# (192.0.2.0/24, 2001:db8::/64; python3 actors in tests/data/pcap/actor.py),
# checked for conn_state, final states and who closed first, and against
# tshark (streams, packets, bytes, tcp.analysis.* counts); the committed
# ladder fixtures; and bad input files (message, exit code, partial output).
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_binary
DATA=$TD_SRCDIR/tests/data/pcap

# ---- committed fixtures: no root needed ----------------------------------------
for f in handshake normal simclose reset; do
	td pcap "$DATA/$f.pcap" --conn 0 --ladder
	same_lines "$TD_OUT" "$(cat "$DATA/$f.ladder")" "ladder of $f.pcap matches $f.ladder"
done
td pcap "$DATA/simclose.pcap" --json
is "$(jq -r '.connections[0] | "\(.conn_state) \(.client.final_state) \(.server.final_state)"' \
	<<<"$TD_OUT")" "SF TIME_WAIT TIME_WAIT" "simultaneous close: both sides TIME_WAIT"
td pcap "$DATA/reset.pcap" --json
is "$(jq -r '.connections[0] | "\(.conn_state) \(.closed_by) \(.closed_with)"' <<<"$TD_OUT")" \
	"RSTR server RST" "reset fixture: RSTR, closed by the server with RST"

bad() { # file exit-code message-regex partial-regex description
	td pcap "$DATA/$1"
	is "$TD_RC" "$2" "$5: exit $2"
	like "$TD_ERR" "$3" "$5: message"
	[ -n "$4" ] && like "$TD_OUT" "$4" "$5: partial results shown"
}
bad truncated.pcap 1 'truncated.pcap: bad or truncated record at byte 106 \(packet 2\).*kept the 1' \
	'1 connections in 1 packets' "truncated file"
bad badlen.pcap 1 'byte 188 \(packet 3\): invalid packet capture length' \
	'#0 .* S1 Sh ' "corrupt record length"
bad notpcap.pcap 2 'cannot read as a capture file: unknown file format' '' "not a pcap"
bad linktype.pcap 2 'link type 147 .* not supported' '' "unsupported link type"
bad short.pcap 1 'packet 2 at byte 106: TCP header cut short' '1 malformed' "short packet"
bad zerolen.pcap 1 'packet 2 at byte 106: zero-length packet' '1 malformed' "zero-length packet"
bad nosuchfile.pcap 2 'No such file' '' "missing file"
# Nothing wrong in the file: an empty list, not a sort of nothing (the ASan
# build caught qsort(NULL, 0) here).
td pcap "$DATA/normal.pcap" --anomalies
is "$TD_RC" 0 "--anomalies on a file with no anomaly: exit 0"
is "$(grep -c '^#' <<<"$TD_OUT")" 0 "--anomalies on a file with no anomaly lists nothing"
like "$TD_OUT" '1 connections in' "--anomalies on a file with no anomaly: the summary"
td pcap "$DATA/normal.pcap" --anomalies --json
is "$(jq -r '.connections | length' <<<"$TD_OUT")" 0 "--anomalies --json: an empty list"
td pcap - <"$DATA/normal.pcap"
like "$TD_OUT" '#0 .* SF ShADadFf closed-by=client' "reads a capture from stdin"
td pcap "$DATA/normal.pcap" --filter 'port 9999'
like "$TD_OUT" '^.?0 connections in 0 packets' "--filter drops everything not matching"
# tcpdump habits: -r FILE, -n/-nn, the filter as trailing words (ANDed with
# --filter), and capture -r reading a file as pcap does.
td pcap "$DATA/normal.pcap" --json --filter 'tcp port 9999'
want=$TD_OUT
td pcap -nn -r "$DATA/normal.pcap" --json tcp port 9999
is "$(jq -c .connections <<<"$TD_OUT")" "$(jq -c .connections <<<"$want")" \
	"pcap -nn -r FILE tcp port 9999 = pcap FILE --filter 'tcp port 9999'"
td pcap "$DATA/normal.pcap" --json
want=$(jq -c .connections <<<"$TD_OUT")
td capture -n -r "$DATA/normal.pcap" --json tcp
is "$TD_RC/$(jq -c .connections <<<"$TD_OUT")" "0/$want" "capture -r FILE tcp reads the file"
td pcap "$DATA/normal.pcap" --filter tcp port 9999
like "$TD_OUT" '^.?0 connections in 0 packets' "--filter and trailing words are ANDed"
td pcap -c 3 -r "$DATA/normal.pcap" tcp
like "$TD_OUT" 'connections in 3 packets' "pcap -c 3 reads the first 3 segments, as tcpdump -c"
td capture -r "$DATA/normal.pcap" -c 3
like "$TD_OUT" 'connections in 3 packets' "capture -r FILE -c 3 passes -c on"
td pcap "$DATA/normal.pcap" --filter 'port ('
is "$TD_RC" 2 "a bad filter is a usage error"
like "$TD_ERR" "--filter 'port \\(': .*syntax error" "a bad filter says so"

# ---- live captures in namespaces ----------------------------------------------------
need_root
need_tool tcpdump tshark nft
need_python
ns_pair pcap
ns_blackhole "$NS_B" td1 192.0.2.99
spawn "$NS_A" "$TD_PY" "$DATA/actor.py" server 192.0.2.1 >/dev/null
spawn "$NS_A" "$TD_PY" "$DATA/actor.py" server 2001:db8::1 >/dev/null
wait_for 10 ss_has "$NS_A" listening 10 || bail "actors not listening"

# quiet FILE: FILE did not grow in the last 0.5 s (the last segments -- a
# final ACK, a RST -- are written: tcpdump -U writes each packet).
quiet() {
	local a b
	a=$(stat -c %s "$1")
	sleep 0.5
	b=$(stat -c %s "$1")
	[ "$a" = "$b" ]
}
capture() { # name function
	ip netns exec "$NS_B" tcpdump -U -s 0 -i td1 -w "$TD_TMP/$1.pcap" tcp 2>"$TD_TMP/$1.tcpdump" &
	local tp=$!
	# tcpdump says "listening on" once the capture is active.
	wait_for 10 grep -q "listening on" "$TD_TMP/$1.tcpdump" ||
		bail "tcpdump did not start: $(cat "$TD_TMP/$1.tcpdump")"
	"$2"
	wait_for 10 quiet "$TD_TMP/$1.pcap" || diag "$1.pcap still growing"
	kill -INT "$tp"
	wait "$tp"
}
client() { ip netns exec "$NS_B" "$TD_PY" "$DATA/actor.py" client "$@" >/dev/null; }
# est_to NS PORT: a connection to PORT is ESTABLISHED in NS (ss).
est_to() { [ -n "$(ss -N "$1" -Htn state established "( dport = :$2 )")" ]; }
lab_main() {
	for a in 192.0.2.1 2001:db8::1; do
		for s in normal rst refused simclose; do client "$s" "$a"; done
	done
	client silent 192.0.2.99
}
lab_zerowin() { client zerowin 192.0.2.1; }
lab_retrans() {
	local rtx0
	rtx0=$(snmp_counter "$NS_B" Tcp RetransSegs)
	client retrans 192.0.2.1 &
	local p=$!
	wait_for 10 est_to "$NS_B" 5005 || diag "retrans: no connection to 5005"
	# Drop what reaches the server until the client has retransmitted.
	ip netns exec "$NS_A" nft add table inet tdtest
	ip netns exec "$NS_A" nft add chain inet tdtest in '{ type filter hook input priority 0; }'
	ip netns exec "$NS_A" nft add rule inet tdtest in tcp dport 5005 drop
	wait_for 10 snmp_at_least "$NS_B" Tcp RetransSegs $((rtx0 + 1)) || diag "retrans: no retransmission"
	ip netns exec "$NS_A" nft delete table inet tdtest
	wait "$p"
	# The client has exited, but what the drop held back (its FIN too) may
	# still wait out a backed-off RTO, longer than quiet()'s 0.5 s on a
	# loaded machine: stop the capture only when the close is done.
	wait_for 30 closed_to "$NS_B" 5005 || diag "retrans: the connection to 5005 did not close"
	# ... and tcpdump, starved on a loaded machine, may not have written
	# the last segments yet: wait until both FINs are in the file.
	wait_for 15 fins_in "$TD_TMP/retrans.pcap" 2 || diag "retrans: the FINs are not in the capture"
}
# fins_in FILE N: at least N segments with FIN in the capture being written.
fins_in() { [ "$(tshark -r "$1" -Y 'tcp.flags.fin == 1' 2>/dev/null | wc -l)" -ge "$2" ]; }
# closed_to NS PORT: no socket to PORT in NS but TIME_WAIT (ss).
closed_to() { [ -z "$(ss -N "$1" -Htn "( dport = :$2 )" | grep -v '^TIME-WAIT')" ]; }
capture main lab_main
capture zerowin lab_zerowin
capture retrans lab_retrans

summary_of() { # pcap: "conn_state client-final server-final closed_by" per connection
	"$TCPDOCTOR" pcap "$1" --json | jq -r '.connections[] |
		"\(.server.port) \(.family) \(.conn_state) \(.client.final_state) \(.server.final_state) \(.closed_by)"'
}
got=$(summary_of "$TD_TMP/main.pcap")
want="5001 ipv4 SF TIME_WAIT CLOSE client
5002 ipv4 RSTR CLOSE CLOSE server
5009 ipv4 REJ CLOSE CLOSE server
5004 ipv4 SF TIME_WAIT CLOSE client
5001 ipv6 SF TIME_WAIT CLOSE client
5002 ipv6 RSTR CLOSE CLOSE server
5009 ipv6 REJ CLOSE CLOSE server
5004 ipv6 SF TIME_WAIT CLOSE client
5001 ipv4 S0 SYN_SENT null null"
# The "simultaneous" close on one host: whichever FIN leaves first, the other
# side may answer before or after it arrives; both are right if the walk is.
got=$(sed -E 's/^5004 (ipv[46]) SF (TIME_WAIT|CLOSE) (TIME_WAIT|CLOSE) (client|server)$/5004 \1 SF TIME_WAIT CLOSE client/' <<<"$got")
same_lines "$got" "$want" "lab capture: conn_state, final states, who closed first"
td pcap "$TD_TMP/main.pcap"
like "$TD_OUT" 'unanswered SYNs 1, refused 2, reset 2' "summary counts the failures"
td pcap "$TD_TMP/main.pcap" --anomalies
like "$(head -1 <<<"$TD_OUT")" 'S0 S ' "--anomalies puts the unanswered SYN first"
is "$(grep -c '^#' <<<"$TD_OUT")" 5 "--anomalies lists only the 5 troubled connections"

td pcap "$TD_TMP/zerowin.pcap" --json
like "$(jq -r '.connections[0] | "\(.conn_state) \(.server.analysis.zero_window)"' <<<"$TD_OUT")" \
	'^S1 [1-9]' "zero window: the non-reading server advertises window 0"
td pcap "$TD_TMP/retrans.pcap" --json
like "$(jq -r '.connections[0] | "\(.conn_state) \(.client.analysis.retransmission)"' <<<"$TD_OUT")" \
	'^SF [1-9]' "nft drop: the client retransmits"

# ---- tshark oracle ---------------------------------------------------------------------
ours() { pcap_as_oracle "$1"; }
# Classic pcap files are read from a memory map, stdin through libpcap.
same_lines "$("$TCPDOCTOR" pcap - <"$TD_TMP/main.pcap" 2>&1)" "$("$TCPDOCTOR" pcap "$TD_TMP/main.pcap" 2>&1)" \
	"the mapped reader and libpcap's (stdin) give the same output"
for f in main zerowin retrans; do
	same_lines "$(ours "$TD_TMP/$f.pcap")" "$("$DATA/oracle.sh" "$TD_TMP/$f.pcap" 2>/dev/null)" \
		"tshark agrees on $f.pcap: streams, packets, bytes, tcp.analysis counts"
done
for f in handshake normal simclose reset; do
	same_lines "$(ours "$DATA/$f.pcap")" "$("$DATA/oracle.sh" "$DATA/$f.pcap" 2>/dev/null)" \
		"tshark agrees on $f.pcap"
done

# ---- Wireshark's rules, one hand-built capture each (issue 12) ---------------------
"$TD_PY" "$DATA/wireshark-rules.py" "$TD_TMP/rules"
for f in "$TD_TMP"/rules/*.pcap; do
	n=$(basename "$f" .pcap)
	same_lines "$(ours "$f")" "$("$DATA/oracle.sh" "$f" 2>/dev/null)" "tshark agrees on rule $n"
done
# tcpdump -s 68 keeps the SYNs: the handshake, its RTT and the history survive.
td pcap "$TD_TMP/rules/snap68.pcap" --json
is "$(jq -r '.connections[0] | "\(.conn_state) \(.history) \(.handshake_rtt_ms > 0)"' <<<"$TD_OUT")" \
	"SF ShADaGFf true" "snap length 68: SYNs kept, SF, the cut payload is a gap (as Zeek)"
# --streams zeek: Zeek's timers and reuse test split what tcp.stream keeps.
td pcap "$TD_TMP/rules/zeek-timers.pcap" --json
is "$(jq -r '[.connections[].conn_state] | join(" ")' <<<"$TD_OUT")" "S0 REJ" \
	"tcp.stream: one S0 (SYNs 7 s apart), one REJ (a SYN again after it)"
td pcap "$TD_TMP/rules/zeek-timers.pcap" --streams zeek --json
is "$(jq -r '[.connections | sort_by(.id)[] | "\(.conn_state)/\(.ended)"] | join(" ")' <<<"$TD_OUT")" \
	"S0/idle S0/eof REJ/port-reused REJ/closed" \
	"--streams zeek: the attempt timer and the reuse after REJ split them, as conn.log"
td pcap "$TD_TMP/rules/zeek-timers.pcap" --streams bogus
is "$TD_RC" 2 "--streams bogus: usage error"

# ---- a file larger than the reader's 2 MiB mapping window -----------------------
# normal.pcap's records 8,192 times (~9 MB), so records straddle the windows;
# the oracles: tshark's packet count, and the same file read by libpcap (any
# --filter takes that path); then cut inside a record of the last window,
# where both must stop at the same byte with the same count.
big=$TD_TMP/window.pcap
head -c 24 "$DATA/normal.pcap" >"$big"
tail -c +25 "$DATA/normal.pcap" >"$TD_TMP/recs"
for _ in $(seq 13); do
	cat "$TD_TMP/recs" "$TD_TMP/recs" >"$TD_TMP/recs2" && mv "$TD_TMP/recs2" "$TD_TMP/recs"
done
cat "$TD_TMP/recs" >>"$big"
td pcap "$big" --json
mapped=$(jq -c '.summary' <<<"$TD_OUT")
is "$(jq -r '.packets' <<<"$mapped")" "$(tshark -r "$big" 2>/dev/null | wc -l)" \
	"a 9 MB file: every packet read (tshark's count)"
td pcap "$big" --json --filter 'tcp or not tcp'
is "$(jq -c '.summary' <<<"$TD_OUT")" "$mapped" "a 9 MB file: the same summary as libpcap's reader"
head -c $(($(stat -c %s "$big") - 7)) "$big" >"$TD_TMP/window-cut.pcap"
td pcap "$TD_TMP/window-cut.pcap"
cut_err=$TD_ERR cut_rc=$TD_RC
like "$cut_err" 'bad or truncated record at byte [0-9]+ \(packet 90112\).*kept the 90111' \
	"a 9 MB file cut short: stopped at the last record"
td pcap "$TD_TMP/window-cut.pcap" --filter 'tcp or not tcp'
is "$cut_err $cut_rc" "$TD_ERR $TD_RC" "a 9 MB file cut short: the same error as libpcap's reader"
td_done
