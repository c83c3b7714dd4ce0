#!/bin/bash
# `tcpdoctor pcap` through tunnels, encapsulations and link types (issue 12):
# the captures of tests/data/pcap/make-tunnels.py (one per encapsulation and
# link type, rebuilt here and compared with the committed copies) against
# tshark 4.0 (streams, packets, frame bytes, tcp.analysis.* counts, by
# tests/data/pcap/oracle.sh), the tunnel each connection reports, and the
# same captures cut and bent at every byte in every output mode (under the
# ASan+UBSan binary when `make test` built it).
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_binary
need_tool tshark jq
DATA=$TD_SRCDIR/tests/data/pcap

"$TD_PY" "$DATA/make-tunnels.py" "$TD_TMP/gen" >"$TD_TMP/names" || bail "make-tunnels.py failed"
drift=""
for f in "$TD_TMP"/gen/*.pcap "$TD_TMP"/gen/*.pcapng; do
	cmp -s "$f" "$DATA/tunnels/$(basename "$f")" || drift="$drift $(basename "$f")"
done
is "$drift" "" "tests/data/pcap/tunnels is what make-tunnels.py writes"
is "$(wc -l <"$TD_TMP/names")" "$(find "$DATA/tunnels" -name '*.pcap' | wc -l)" \
	"one committed capture per case"

ours() { pcap_as_oracle "$1"; }

# ---- tshark agrees, file by file -------------------------------------------------
agree=0 total=0
while read -r n; do
	f=$TD_TMP/gen/$n.pcap
	[ "$n" = mpls-pw ] && continue # below: the one documented difference
	total=$((total + 1))
	got=$(ours "$f")
	want=$("$DATA/oracle.sh" "$f" 2>/dev/null)
	[ "$got" = "$want" ] && agree=$((agree + 1))
	same_lines "$got" "$want" "tshark agrees on $n: streams, packets, bytes, analysis flags"
	like "$got" 'stream 1 packets 12 bytes' "$n: both connections found, all 12 packets"
done <"$TD_TMP/names"
diag "tshark agreement: $agree of $total generated captures"
# An Ethernet pseudowire with its control word: tshark 4.0's heuristic
# takes the zero control word for the start of a MAC address and finds no
# IP; we follow RFC 4448 (docs/pcap.md).
is "$(tshark -n -r "$TD_TMP/gen/mpls-pw.pcap" -Y tcp 2>/dev/null | wc -l)" 0 \
	"mpls-pw: tshark 4.0 finds no TCP behind the control word (the known difference)"
like "$(ours "$TD_TMP/gen/mpls-pw.pcap")" 'stream 1 packets 12 bytes' "mpls-pw: we find both"

# ---- captures from Zeek's test suite (tests/data/pcap/zeek/README.md) ------------
for f in "$DATA"/zeek/*.pcap "$DATA"/zeek/*.pcapng; do
	n=$(basename "$f")
	got=$(ours "$f")
	want=$("$DATA/oracle.sh" "$f" 2>/dev/null)
	same_lines "$(grep stream <<<"$got")" "$(grep stream <<<"$want")" \
		"zeek/$n: tshark agrees on streams, packets, bytes"
	# cisco-fabric-path: tshark 4.0 takes 4 bytes of each FabricPath frame
	# for an FCS and skips the analysis of the cut TCP header (docs/pcap.md)
	[ "$n" = cisco-fabric-path.pcap ] || same_lines "$got" "$want" "zeek/$n: and on the analysis flags"
done
is "$(tshark -n -r "$DATA/zeek/cisco-fabric-path.pcap" -Y '_ws.malformed && tcp' 2>/dev/null | wc -l)" 16 \
	"zeek/cisco-fabric-path: tshark finds the 16 FabricPath-carried TCP headers cut (the known difference)"
is "$("$TCPDOCTOR" pcap "$DATA/zeek/cisco-fabric-path.pcap" --json |
	jq '[.connections[].client.analysis.retransmission] | add')" 16 \
	"zeek/cisco-fabric-path: each SYN repeated through FabricPath is a retransmission here"
# What Zeek's baselines say (testing/btest/Baseline/*/conn.log): conn_state and
# history, one connection after another; and the layers we report.
while read -r n want; do
	is "$("$TCPDOCTOR" pcap "$DATA/zeek/$n" --streams zeek --json |
		jq -r '[.connections[] | "\(.conn_state):\(.history)/\(.tunnel.layers // [] | join("+"))"] | join(" ")')" \
		"$want" "zeek/$n: conn_state and history as Zeek's conn.log, tunnel $want"
done <<'EOF'
gre-sample.pcap SF:ShAdDaFf/gre
gre-over-udp-4754.pcap SF:ShADadFf/gre
geneve-many-options.pcap SF:ShADadFf/geneve
gtp6_gtp_0x32.pcap S1:ShADad/gtpu
mpls-in-vlan.pcap OTH:D/vlan OTH:^d/vlan+mpls OTH:D/vlan+mpls
teredo_bubble_with_payload.pcap S1:ShADad/teredo
http-on-irc-port-missing-syn.pcapng SF:^hADadFf/
EOF
# Teredo on UDP port 32900: Zeek's protocol detection finds it (above), tshark
# and our default mode do not.
is "$("$TCPDOCTOR" pcap "$DATA/zeek/teredo_bubble_with_payload.pcap" --json |
	jq '.summary.tcp_packets')" 0 "zeek/teredo_bubble_with_payload: no Teredo off port 3544 by default"
# Zeek logs no history for this one-packet connection; we log '^h' (docs/pcap.md).
is "$("$TCPDOCTOR" pcap "$DATA/zeek/vntag_vlan_sandwich_clean.pcap" --streams zeek --json |
	jq -r '.connections[0] | "\(.conn_state) \(.tunnel.layers[0])"')" "OTH vlan" \
	"zeek/vntag_vlan_sandwich_clean: VN-Tag inside VLAN, OTH as Zeek's conn.log"

# ---- IP fragments ------------------------------------------------------------------
td pcap "$TD_TMP/gen/frag4.pcap" --json
is "$(jq -c '.summary | [.ip_fragments, .reassembled, .fragments_not_reassembled, .fragment_overlaps]' \
	<<<"$TD_OUT")" "[24,6,0,6]" "IPv4 fragments out of order, one overlap each: 6 datagrams, 6 overlaps"
# One fragment lost: that datagram is not reassembled, and counted.
"$TD_PY" - "$TD_TMP/gen/frag6.pcap" "$TD_TMP/frag6-lost.pcap" <<'EOF'
import struct, sys
b = open(sys.argv[1], "rb").read()
o, fr = 24, []
while o < len(b):
    incl = struct.unpack("<I", b[o + 8:o + 12])[0]
    fr.append(b[o:o + 16 + incl])
    o += 16 + incl
lost = [i for i, f in enumerate(fr) if f[16 + 20] == 44][0]  # the first fragment
open(sys.argv[2], "wb").write(b[:24] + b"".join(f for i, f in enumerate(fr) if i != lost))
EOF
td pcap "$TD_TMP/frag6-lost.pcap" --json
is "$(jq -c '.summary | [.reassembled, .fragments_not_reassembled, .tcp_packets]' <<<"$TD_OUT")" \
	"[5,2,23]" "an IPv6 fragment lost: 5 datagrams reassembled, the other 2 fragments counted"
same_lines "$(ours "$TD_TMP/frag6-lost.pcap" | grep stream)" \
	"$("$DATA/oracle.sh" "$TD_TMP/frag6-lost.pcap" 2>/dev/null | grep stream)" \
	"an IPv6 fragment lost: tshark agrees on the streams"

# ---- pcapng with interfaces of three link types and resolutions ---------------
ng=$TD_TMP/gen/mixed-links.pcapng
same_lines "$(ours "$ng")" "$("$DATA/oracle.sh" "$ng" 2>/dev/null)" \
	"pcapng, three link types and timestamp resolutions: tshark agrees"
# Each stream's last packet, to the microsecond: if_tsresol applied per interface.
is "$("$TCPDOCTOR" pcap "$ng" --json | jq -r '.connections[] | "\(.id) \(.start_rel + .duration | . * 1e6 | round)"')" \
	"$(tshark -n -r "$ng" -T fields -e tcp.stream -e frame.time_relative 2>/dev/null |
		awk '{ t[$1] = $2 } END { for (s in t) printf "%d %.0f\n", s, t[s] * 1e6 }' | sort -n)" \
	"pcapng: per-interface timestamps (us, ns, 2^-20 s) as tshark reads them"
td pcap "$ng" --filter 'tcp port 81 or tcp port 82'
like "$TD_OUT" '2 connections in 24 packets' "pcapng: --filter compiled per interface link type"
td pcap - <"$ng"
like "$TD_OUT" '3 connections in 36 packets' "pcapng from stdin"

# ---- compressed input, by magic not by name --------------------------------------
want=$("$TCPDOCTOR" pcap "$TD_TMP/gen/gre.pcap" --json | jq -c '.connections')
wantng=$("$TCPDOCTOR" pcap "$ng" --json | jq -c '.connections')
gzip -c "$TD_TMP/gen/gre.pcap" >"$TD_TMP/c1.data"
zstd -q -c "$TD_TMP/gen/gre.pcap" >"$TD_TMP/c2.data"
xz -c "$TD_TMP/gen/gre.pcap" >"$TD_TMP/c3.data"
# two gzip members, as `cat a.gz b.gz` makes
head -c 1000 "$TD_TMP/gen/gre.pcap" | gzip -c >"$TD_TMP/c4.data"
tail -c +1001 "$TD_TMP/gen/gre.pcap" | gzip -c >>"$TD_TMP/c4.data"
for c in 1:gzip 2:zstd 3:xz 4:gzip-members; do
	is "$("$TCPDOCTOR" pcap "$TD_TMP/c${c%%:*}.data" --json | jq -c '.connections')" "$want" \
		"${c#*:}: the same connections as the plain file"
done
is "$("$TCPDOCTOR" pcap - --json <"$TD_TMP/c2.data" | jq -c '.connections')" "$want" "zstd from stdin"
xz -c "$ng" >"$TD_TMP/ng.xz"
is "$("$TCPDOCTOR" pcap "$TD_TMP/ng.xz" --json | jq -c '.connections')" "$wantng" "xz-compressed pcapng"
head -c 500 "$TD_TMP/c1.data" >"$TD_TMP/cut.gz"
td pcap "$TD_TMP/cut.gz"
is "$TD_RC" 1 "a gzip file cut short: exit 1"
like "$TD_ERR" 'bad or truncated record.*kept the [0-9]+ packets' \
	"a gzip file cut short: an error, and the packets before it kept"
printf '\x1f\x8bgarbage-not-deflate' >"$TD_TMP/bad.gz"
td pcap "$TD_TMP/bad.gz"
is "$TD_RC" 2 "corrupt gzip: exit 2"
like "$TD_ERR" 'cannot read as a capture file' "corrupt gzip: said so"

# ---- the tunnel each connection reports ------------------------------------------
layers() { # file -> "layers outer_src>outer_dst" of connection 0
	"$TCPDOCTOR" pcap "$TD_TMP/gen/$1.pcap" --json |
		jq -r '.connections[0].tunnel | if . == null then "none" else
			"\(.layers | join("/")) \(.outer_src)>\(.outer_dst)" end'
}
while read -r n want; do
	is "$(layers "$n")" "$want" "$n: tunnel $want"
done <<'EOF'
vlan vlan null>null
qinq vlan null>null
mpls mpls null>null
pppoe pppoe null>null
gre gre 203.0.113.1>203.0.113.2
gre-over-ipv6 gre 2001:db8:0:ffff::1>2001:db8:0:ffff::2
gretap gre 203.0.113.1>203.0.113.2
erspan2 gre/erspan 203.0.113.1>203.0.113.2
erspan3 gre/erspan 203.0.113.1>203.0.113.2
vxlan vxlan 203.0.113.1>203.0.113.2
geneve geneve 203.0.113.1>203.0.113.2
gtpu gtpu 203.0.113.1>203.0.113.2
teredo teredo 203.0.113.1>203.0.113.2
ayiya ayiya 203.0.113.1>203.0.113.2
4in4 ip 203.0.113.1>203.0.113.2
6in4 ip 203.0.113.1>203.0.113.2
4in6 ip 2001:db8:0:ffff::1>2001:db8:0:ffff::2
6in6 ip 2001:db8:0:ffff::1>2001:db8:0:ffff::2
deep vlan/mpls/gre/vxlan 203.0.113.1>203.0.113.2
frag-in-gre gre 203.0.113.1>203.0.113.2
gre-fragmented gre 203.0.113.1>203.0.113.2
frag4 none
ah4 none
link-ppp none
link-nflog none
link-radiotap none
EOF
td pcap "$TD_TMP/gen/gre.pcap"
like "$TD_OUT" '^#0 192\.0\.2\.1:40000 > 198\.51\.100\.2:80 .* tunnel=gre\(203\.0\.113\.1>203\.0\.113\.2\)' \
	"text output: the tunnel after the counters"
td pcap "$TD_TMP/gen/4in4.pcap" --filter 'ip proto 4'
like "$TD_OUT" '2 connections in 24 packets' "--filter sees the outer header (BPF), the inner TCP still found"

# ---- cut and bent: never a crash, every mode -------------------------------------
"$TD_PY" - "$TD_TMP/gen" "$TD_TMP/bent" <<'EOF'
import os, struct, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
for n in sorted(os.listdir(src)):
    b = open(os.path.join(src, n), "rb").read()
    link = struct.unpack("<I", b[20:24])[0]
    o, frames = 24, []
    while o + 16 <= len(b):
        incl = struct.unpack("<I", b[o + 8:o + 12])[0]
        frames.append(b[o + 16:o + 16 + incl])
        o += 16 + incl
    bent = []
    for fr in frames[:2] + frames[-1:]:
        bent += [fr[:k] for k in range(1, len(fr))]
        for pos in range(0, len(fr) - 1):
            for v in (b"\x00\x00", b"\xff\xff", b"\x00\x05"):
                bent.append(fr[:pos] + v + fr[pos + 2:])
    bent += frames  # the good ones too: connections to emit
    with open(os.path.join(out, n), "wb") as f:
        f.write(b[:24])
        for fr in bent:
            f.write(struct.pack("<IIII", 1700000000, 0, len(fr), len(fr)) + fr)
EOF
bin=$TCPDOCTOR
[ -x "$TD_SRCDIR/build/asan/tcpdoctor" ] && bin=$TD_SRCDIR/build/asan/tcpdoctor
diag "bent captures read by $bin"
crashes=""
frames=0
for f in "$TD_TMP"/bent/*.pcap; do
	for mode in "--json" "--anomalies" "--ladder --conn 0" "--filter tcp" "--streams zeek --json"; do
		# shellcheck disable=SC2086
		"$bin" pcap "$f" $mode >/dev/null 2>"$TD_TMP/err"
		rc=$?
		if [ "$rc" -gt 2 ] || grep -q 'runtime error\|AddressSanitizer' "$TD_TMP/err"; then
			crashes="$crashes $(basename "$f")[$mode]=$rc"
		fi
	done
	"$bin" pcap - <"$f" >/dev/null 2>"$TD_TMP/err"
	rc=$?
	[ "$rc" -gt 2 ] && crashes="$crashes $(basename "$f")[stdin]=$rc"
	n=$("$TCPDOCTOR" pcap "$f" --json 2>/dev/null | jq '.summary.packets')
	frames=$((frames + n))
done
is "$crashes" "" "cut and bent captures: no crash, no sanitizer report, in every mode"
diag "$frames bent frames read"
td pcap "$TD_TMP/bent/deep.pcap" --json
like "$(jq '.summary.malformed' <<<"$TD_OUT")" '^[1-9][0-9]*$' "bent frames are counted as malformed"
is "$(jq '.summary.tcp_packets >= 24' <<<"$TD_OUT")" true "and the good frames are still analysed"
# ---- real kernel tunnels between two namespaces, captured on the underlay ---------
# tdt-a (server) and tdt-b (client), a veth underlay 203.0.113.0/24 and
# 2001:db8:ff::/64; one tunnel at a time, its overlay 198.51.100.0/30 or
# 2001:db8:1::/64; tcpdump on tdt-b's end of the underlay, no filter.
if [ "$(id -u)" -ne 0 ]; then
	skip "kernel tunnels" "needs root"
else
	NSA=tdt-a-$$ NSB=tdt-b-$$
	ip netns add "$NSA" && TD_NETNS+=("$NSA")
	ip netns add "$NSB" && TD_NETNS+=("$NSB")
	ip -n "$NSA" link set lo up && ip -n "$NSB" link set lo up &&
		ip -n "$NSA" link add u0 type veth peer name u1 netns "$NSB" &&
		ip -n "$NSA" addr add 203.0.113.1/24 dev u0 &&
		ip -n "$NSA" addr add 2001:db8:ff::1/64 dev u0 nodad &&
		ip -n "$NSB" addr add 203.0.113.2/24 dev u1 &&
		ip -n "$NSB" addr add 2001:db8:ff::2/64 dev u1 nodad &&
		ip -n "$NSA" link set u0 up && ip -n "$NSB" link set u1 up ||
		bail "underlay between $NSA and $NSB"
	quiet() {
		local a b
		a=$(stat -c %s "$1")
		sleep 0.5
		b=$(stat -c %s "$1")
		[ "$a" = "$b" ]
	}
	listening() { ss -N "$NSA" -Htln "( sport = :5001 )" | grep -q .; }
	fins_in() { [ "$(tshark -r "$1" -Y 'tcp.flags.fin == 1' 2>/dev/null | wc -l)" -ge 2 ]; }
	# tunnel NAME KIND LAYERS 4|6 OVERLAY-A OVERLAY-B LINK-ARGS...: the same
	# device on both sides (@L, @R: this side's and the other's underlay
	# address, IPv4 or IPv6), a connection over it.
	tunnel() {
		local name=$1 kind=$2 layers=$3 uf=$4 oa=$5 ob=$6
		shift 6
		local argsa=() argsb=() x ua=203.0.113.1 ub=203.0.113.2
		[ "$uf" = 6 ] && ua=2001:db8:ff::1 ub=2001:db8:ff::2
		for x in "$@"; do
			argsa+=("${x//@L/$ua}")
			argsb+=("${x//@L/$ub}")
		done
		argsa=("${argsa[@]//@R/$ub}")
		argsb=("${argsb[@]//@R/$ua}")
		if ! ip -n "$NSA" link add tt type "$kind" "${argsa[@]}" 2>"$TD_TMP/iperr"; then
			skip_kernel "kernel tunnel $name" "no $kind devices ($(head -1 "$TD_TMP/iperr"))"
			return
		fi
		ip -n "$NSB" link add tt type "$kind" "${argsb[@]}" || bail "$kind in $NSB"
		local plen=30
		case "$oa" in *:*) plen=64 ;; esac
		ip -n "$NSA" addr add "$oa/$plen" dev tt nodad 2>/dev/null || ip -n "$NSA" addr add "$oa/$plen" dev tt
		ip -n "$NSB" addr add "$ob/$plen" dev tt nodad 2>/dev/null || ip -n "$NSB" addr add "$ob/$plen" dev tt
		ip -n "$NSA" link set tt up && ip -n "$NSB" link set tt up || bail "$kind up"
		spawn "$NSA" "$TD_PY" "$DATA/actor.py" server "$oa" >/dev/null
		local srv=$SPAWNED
		wait_for 10 listening || bail "$name: server not listening"
		local f=$TD_TMP/k-$name.pcap
		ip netns exec "$NSB" tcpdump --immediate-mode -U -s 0 -i u1 -w "$f" \
			2>"$TD_TMP/k-$name.log" &
		local tp=$!
		wait_for 10 grep -q "listening on" "$TD_TMP/k-$name.log" || bail "tcpdump did not start"
		ip netns exec "$NSB" "$TD_PY" "$DATA/actor.py" client normal "$oa" >/dev/null ||
			diag "$name: the client failed"
		# Both FINs in the file (tshark reads through the tunnel), then quiet.
		wait_for 20 fins_in "$f" || diag "$name: the FINs are not in the capture"
		wait_for 10 quiet "$f" || diag "$name: capture still growing"
		kill -INT "$tp"
		wait "$tp"
		kill "$srv" 2>/dev/null
		wait "$srv" 2>/dev/null
		ip -n "$NSA" link del tt
		ip -n "$NSB" link del tt
		local got want
		got=$(ours "$f")
		want=$("$DATA/oracle.sh" "$f" 2>/dev/null)
		same_lines "$got" "$want" "kernel $name: tshark agrees (streams, packets, bytes, flags)"
		like "$got" 'stream 0 packets [1-9]' "kernel $name: the connection is there"
		is "$("$TCPDOCTOR" pcap "$f" --json | jq -r '.connections[0] |
			"\(.conn_state) \(.tunnel.layers | join("/")) \(.tunnel.outer_src)"')" \
			"SF $layers $ub" "kernel $name: SF inside $layers from $ub"
	}
	tunnel gre gre gre 4 198.51.100.1 198.51.100.2 local @L remote @R ttl 64
	tunnel gretap gretap gre 4 198.51.100.1 198.51.100.2 local @L remote @R
	tunnel ip6gre ip6gre gre 6 198.51.100.1 198.51.100.2 local @L remote @R
	tunnel vxlan vxlan vxlan 4 198.51.100.1 198.51.100.2 id 42 local @L remote @R dstport 4789
	tunnel geneve geneve geneve 4 198.51.100.1 198.51.100.2 id 42 remote @R
	tunnel ipip ipip ip 4 198.51.100.1 198.51.100.2 local @L remote @R
	tunnel sit sit ip 4 2001:db8:1::1 2001:db8:1::2 local @L remote @R
	tunnel 4in6 ip6tnl ip 6 198.51.100.1 198.51.100.2 mode ipip6 local @L remote @R
	tunnel 6in6 ip6tnl ip 6 2001:db8:1::1 2001:db8:1::2 mode ip6ip6 local @L remote @R
fi
td_done
