#!/bin/bash
# `pcap --graph`: a bulk transfer captured on the loopback of a namespace of
# our own, where nftables drops every 30th data segment on the way in (the
# capture, taken before the drop, holds the original and the
# retransmission), then each kind drawn (PNG of the asked size, SVG that
# parses) and each series compared with tshark 4.0 on the same file:
# bytes in flight with tcp.analysis.bytes_in_flight, RTT samples with
# tcp.analysis.ack_rtt, throughput bins with the sum of tcp.len per bin.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_binary
need_root
need_tool tcpdump tshark nft ethtool gnuplot
need_python

ns_create NS graph
# Real segments, not 64 KiB GSO blobs: MTU 1500, no offloads on lo.
ip -n "$NS" link set lo mtu 1500 || bail "mtu"
ip netns exec "$NS" ethtool -K lo tso off gso off gro off >/dev/null 2>&1 ||
	bail "ethtool -K lo"
ip netns exec "$NS" nft -f - <<'NFT' || bail "nft rule"
table inet td_graph {
	chain in {
		type filter hook input priority 0;
		tcp sport 5001 tcp flags & (syn|fin|rst) == 0 numgen inc mod 30 == 7 counter drop
	}
}
NFT
PCAP=$TD_TMP/loss.pcap
ip netns exec "$NS" tcpdump -U -s 128 -i lo -w "$PCAP" tcp port 5001 2>/dev/null &
TP=$!
TD_PIDS+=("$TP")
wait_for 5 test -s "$PCAP" || sleep 0.5
got=$(ip netns exec "$NS" "$TD_PY" -c '
import socket, threading
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 5001)); s.listen(1)
def serve():
    c, _ = s.accept(); c.sendall(b"x" * 2000000); c.close()
threading.Thread(target=serve).start()
k = socket.socket()
k.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
k.connect(("127.0.0.1", 5001)); n = 0
while True:
    d = k.recv(4096)
    if not d: break
    n += len(d)
print(n)
')
is "$got" 2000000 "the transfer completed through the drops"
# tcpdump writes with -U; give it the FIN's ACK, then stop it.
wait_for 5 bash -c "tshark -r '$PCAP' -Y 'tcp.flags.fin==1' 2>/dev/null | grep -q ." || true
kill "$TP"
wait "$TP" 2>/dev/null
retx=$(tshark -r "$PCAP" -Y tcp.analysis.retransmission 2>/dev/null | wc -l)
check "the capture holds retransmissions ($retx)" test "$retx" -gt 0

# ---- pictures --------------------------------------------------------------------
png_size() { # file: "WxH" from the IHDR chunk, or "not a PNG"
	"$TD_PY" -c '
import struct, sys
b = open(sys.argv[1], "rb").read(24)
if b[:8] != b"\x89PNG\r\n\x1a\n" or b[12:16] != b"IHDR":
    print("not a PNG"); sys.exit()
w, h = struct.unpack(">II", b[16:24]); print("%dx%d" % (w, h))' "$1"
}
for k in seq throughput rtt window; do
	td pcap "$PCAP" --graph "$k" --png "$TD_TMP/$k.png"
	is "$TD_RC" 0 "--graph $k --png: exit 0"
	is "$(png_size "$TD_TMP/$k.png")" 1200x800 "--graph $k: a 1200x800 PNG"
	td pcap "$PCAP" --graph "$k" --svg "$TD_TMP/$k.svg"
	[ "$k" = seq ] && like "$TD_OUT" "seq.svg: seq graph of connection 0, direction b" \
		"the default direction is the one that carried the data (b)"
	check "--graph $k --svg: valid XML with an <svg> root" "$TD_PY" -c '
import sys, xml.dom.minidom
d = xml.dom.minidom.parse(sys.argv[1])
sys.exit(d.documentElement.tagName != "svg")' "$TD_TMP/$k.svg"
done

# ---- series against tshark ---------------------------------------------------------
# Bytes in flight after every data segment the server sent.
td pcap "$PCAP" --graph window --data
ours=$(tail -n +2 <<<"$TD_OUT" | cut -f2)
theirs=$(tshark -r "$PCAP" -Y 'tcp.srcport==5001 && tcp.len>0' -T fields \
	-e tcp.analysis.bytes_in_flight 2>/dev/null)
n=$(wc -l <<<"$theirs")
agree=$(paste <(echo "$ours") <(echo "$theirs") | awk '$1 == $2' | wc -l)
is "$agree" "$n" "bytes in flight equal tshark's on all $n data segments"
like "$(head -1 <<<"$TD_OUT")" '^time	in_flight	window$' "window TSV header"

# RTT: the ACK that acknowledges a segment exactly, in ms, matched by the ACK.
td pcap "$PCAP" --graph rtt --data
ours=$(tail -n +2 <<<"$TD_OUT" | awk '{printf "%d %.3f\n", $3, $2}' | sort)
theirs=$(tshark -r "$PCAP" -Y 'tcp.analysis.ack_rtt && tcp.srcport!=5001' -T fields \
	-e tcp.ack -e tcp.analysis.ack_rtt 2>/dev/null | awk '{printf "%d %.3f\n", $1, $2 * 1000}' |
	sort)
n=$(wc -l <<<"$theirs")
is "$(comm -23 <(echo "$ours") <(echo "$theirs") | wc -l)" 0 \
	"every RTT sample equals tshark's ack_rtt for the same ACK"
# tshark samples an ACK of a retransmitted range too; Karn's rule (RFC 6298)
# does not: the only samples we leave out are those.
resent=$(tshark -r "$PCAP" -Y 'tcp.srcport==5001 && tcp.analysis.retransmission' -T fields \
	-e tcp.nxtseq 2>/dev/null | sort -u)
extra=$(comm -13 <(echo "$ours") <(echo "$theirs") | cut -d' ' -f1 | sort -u)
is "$(comm -23 <(echo "$extra") <(echo "$resent") | grep -c .)" 0 \
	"tshark's other samples ($(grep -c . <<<"$extra")) all answer retransmitted segments"
nrtt=$(grep -c . <<<"$ours")
diag "RTT: $(comm -12 <(echo "$ours") <(echo "$theirs") | wc -l) of $n tshark samples equal"
is "$(awk -F'\t' '$4 == 1' <<<"$TD_OUT" | wc -l)" 1 "one sample, the handshake's, is marked"

# Throughput: tcp.len summed per 1 ms bin, server to client.
td pcap "$PCAP" --graph throughput --data --bin 0.001
ours=$(awk -F'\t' '$1 == "b" && $3 > 0 {printf "%d %s\n", $2 * 1000 + 0.5, $3}' <<<"$TD_OUT")
theirs=$(tshark -r "$PCAP" -Y 'tcp.srcport==5001' -T fields -e frame.time_relative -e tcp.len \
	2>/dev/null | awk '{b = int($1 / 0.001); s[b] += $2} END {for (b in s) if (s[b]) print b, s[b]}' |
	sort -n)
n=$(wc -l <<<"$theirs")
is "$(comm -12 <(echo "$ours" | sort) <(echo "$theirs" | sort) | wc -l)" "$n" \
	"throughput bins equal tshark's sums of tcp.len in all $n bins"

# JSON carries the same series.
td pcap "$PCAP" --graph rtt --json
is "$(jq '.graph.samples | length' <<<"$TD_OUT")" "$nrtt" "--json: the same RTT samples"
is "$(jq -r '.graph.kind + " " + .graph.dir' <<<"$TD_OUT")" "rtt b" "--json: kind and direction"

# ---- choosing the connection ----------------------------------------------------------
cport=$(tshark -r "$PCAP" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' -T fields -e tcp.srcport \
	2>/dev/null | head -1)
td pcap "$PCAP" --conn "127.0.0.1:5001-127.0.0.1:$cport" --graph seq --data
is "$TD_RC" 0 "--conn ADDR:PORT-ADDR:PORT (either way round) picks the connection"
td pcap "$PCAP" --conn 0 --graph seq --dir a --data
is "$TD_RC" 2 "--dir a on a connection the client sent nothing on: exit 2"
like "$TD_ERR" 'carried no data from the client \(a\) \(try --dir b\)' "... and says so"

# ---- bad input ---------------------------------------------------------------------------
td pcap "$PCAP" --conn 7 --graph rtt --data
is "$TD_RC" 2 "an unknown connection number: exit 2"
like "$TD_ERR" 'no connection 7 in' "... and says which"
td pcap "$PCAP" --graph pie --png "$TD_TMP/x.png"
like "$TD_ERR" "--graph: unknown kind \\(expected seq, throughput, rtt or window\\)" \
	"an unknown kind lists the kinds"
td pcap "$PCAP" --graph seq
like "$TD_ERR" 'where to\? --png OUT, --svg OUT, --data' "--graph without an output says so"
mkdir -p "$TD_TMP/nognuplot"
PATH=$TD_TMP/nognuplot "$TCPDOCTOR" pcap "$PCAP" --graph seq --png "$TD_TMP/y.png" \
	2>"$TD_TMP/err" >/dev/null
is "$?" 3 "gnuplot missing: exit 3"
like "$(<"$TD_TMP/err")" 'needs gnuplot \(apt-get install gnuplot-nox\)' \
	"gnuplot missing: says what to install"
td pcap "$PCAP" --graph seq --png /nonexistent/dir/x.png
is "$TD_RC" 2 "an unwritable --png path: exit 2"
like "$TD_ERR" '/nonexistent/dir/x.png: No such file or directory' "... naming the path"

td_done
