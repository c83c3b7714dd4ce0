#!/bin/bash
# tshark as the oracle for `tcpdoctor pcap`: prints, for a capture FILE,
#   stream N packets P bytes B          (frame bytes, per tcp.stream)
#   flag NAME COUNT                     (segments with tcp.analysis.NAME)
# in the same form as the jq program in tests/e2e/test_pcap.sh prints
# tcpdoctor's JSON, so the two can be compared line by line.
set -u
f=$1
flags="retransmission fast_retransmission spurious_retransmission out_of_order lost_segment ack_lost_segment duplicate_ack zero_window zero_window_probe zero_window_probe_ack window_full window_update keep_alive keep_alive_ack reused_ports"
args=()
for x in $flags; do args+=(-e "tcp.analysis.$x"); done
tshark -n -r "$f" -Y "tcp && !icmp && !icmpv6" -T fields -E separator=/t -E occurrence=f -e tcp.stream -e frame.len "${args[@]}" |
	awk -v flags="$flags" -F'\t' '
	BEGIN { n = split(flags, fl, " ") }
	{ p[$1]++; b[$1] += $2; for (i = 1; i <= n; i++) if ($(i + 2) != "") c[fl[i]]++ }
	END {
		for (s in p) printf "stream %d packets %d bytes %d\n", s, p[s], b[s]
		for (i = 1; i <= n; i++) printf "flag %s %d\n", fl[i], c[fl[i]] + 0
	}' | sort -k1,1 -k2,2n
