#!/bin/bash
# `tcpdoctor route` over a client - r1 - r2 - r3 - server chain (chain.sh):
# exactly the three routers and the server, in order, IPv4 and IPv6, as an
# unprivileged user; a router whose ICMP is dropped or rate-limited shows loss
# at that hop only; a closed port ends in RST, a server that drops SYNs in
# "filtered".
# jq programs sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=chain.sh
. "$(dirname "$0")/chain.sh"
need_root
need_tool ip ss jq nft setpriv
need_python
need_binary

chain_create rt
chain_listen 80

hops() { jq -r '[.hops[] | .addr // "???"] | join(" ")' "$TD_TMP/out"; }

# ---- the plain path, both families, as nobody --------------------------------

for fam in 4 6; do
	if [ $fam = 4 ]; then dst=$SERVER4:80 want="${CHAIN_HOPS4[*]}"; else
		dst=[$SERVER6]:80 want="${CHAIN_HOPS6[*]}"
	fi
	# ip netns exec + setpriv: no capability at all, as the issue promises.
	TD_RC=0
	ip netns exec "$NS_C" setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$TCPDOCTOR" route -n "$dst" -c 3 -i 0.2 --timeout 1 --json \
		>"$TD_TMP/out" 2>"$TD_TMP/err" || TD_RC=$?
	is "$TD_RC" 0 "IPv$fam: route as nobody exits 0 ($(head -c 200 "$TD_TMP/err"))"
	is "$(hops)" "$want" "IPv$fam: the three routers, then the server, in order"
	is "$(jq -r '.destination.verdict, .destination.hop' "$TD_TMP/out" | tr '\n' ' ')" \
		"open 4 " "IPv$fam: destination open at hop 4"
	is "$(jq -r '[.hops[].loss_pct] | max' "$TD_TMP/out")" 0 "IPv$fam: no loss anywhere"
	is "$(jq -r '[.hops[] | .reply] | join(",")' "$TD_TMP/out")" \
		"time-exceeded,time-exceeded,time-exceeded,syn-ack" "IPv$fam: replies per hop"
	like "$(jq -r '.hops[0].avg_ms' "$TD_TMP/out")" '^[0-9.e-]+$' "IPv$fam: hop 1 has a latency"
done

# Text: the mtr-like table, the destination line, and -4 picking the family.
td --netns "$NS_C" route -n "$SERVER4" 80 -c 2 -i 0.1 --timeout 1
is "$TD_RC" 0 "text route exits 0"
like "$TD_OUT" '4\. 192\.0\.2\.130 \[SYN-ACK: open\] +0\.0%' "text: last hop says SYN-ACK: open"
like "$TD_OUT" 'destination 192\.0\.2\.130 port 80: open' "text: destination line"
like "$TD_OUT" 'no loss on the way' "text: no loss"

# ---- closed port: RST at the destination ----------------------------------------

td --netns "$NS_C" route -n "$SERVER4:81" -c 2 -i 0.1 --timeout 1 --json
is "$TD_RC" 0 "closed port: exit 0 (the destination answered)"
is "$(jq -r '.destination.verdict + " " + (.hops[-1].reply)' "$TD_TMP/out")" "closed rst" \
	"closed port: RST at the destination"
is "$(hops)" "${CHAIN_HOPS4[*]}" "closed port: same four hops"

# ---- r2 drops its ICMP time-exceeded: ??? at hop 2 only ---------------------------

nft_r2() { ip netns exec "$NS_R2" nft "$@"; }
nft_r2 add table inet td && nft_r2 add chain inet td out '{ type filter hook output priority 0; }' &&
	nft_r2 add rule inet td out icmp type time-exceeded drop &&
	nft_r2 add rule inet td out icmpv6 type time-exceeded drop || bail "nft rule in r2"
for fam in 4 6; do
	if [ $fam = 4 ]; then dst=$SERVER4:80 h=("${CHAIN_HOPS4[@]}"); else
		dst=[$SERVER6]:80 h=("${CHAIN_HOPS6[@]}")
	fi
	td --netns "$NS_C" route -n "$dst" -c 3 -i 0.2 --timeout 1 --json
	is "$(hops)" "${h[0]} ??? ${h[2]} ${h[3]}" "IPv$fam, r2 silent: ??? at hop 2 only"
	is "$(jq -r '[.hops[] | "\(.loss_pct)/\(.loss)"] | join(" ")' "$TD_TMP/out")" \
		"0/none 100/only-here 0/none 0/none" "IPv$fam, r2 silent: loss at hop 2 only, marked so"
	is "$(jq -r '.loss_start' "$TD_TMP/out")" null "IPv$fam, r2 silent: no persistent loss"
done
td --netns "$NS_C" route -n "$SERVER4:80" -c 2 -i 0.1 --timeout 1
like "$TD_OUT" '2\. \?\?\? +100\.0%.*this hop only' "text: ??? row marked 'this hop only'"
like "$TD_OUT" 'hop 2 \(\?\?\?\): 100% unanswered, but later hops lose nothing' \
	"text: explains ICMP rate limiting/filtering"

# Every other time-exceeded dropped: 50% at hop 2, nothing later.
nft_r2 flush chain inet td out &&
	nft_r2 add rule inet td out icmp type time-exceeded numgen inc mod 2 == 0 drop ||
	bail "nft numgen rule in r2"
td --netns "$NS_C" route -n "$SERVER4:80" -c 6 -i 0.1 --timeout 1 --json
# Three of six answers dropped; on a loaded machine one more may come after
# the round's timeout and count as lost too, so allow 50% +- one round. (Not
# a longer timeout: past the 1 s SYN retransmission each round draws a second
# time-exceeded, and the alternate-drop rule then hits every first one.)
is "$(jq -r '[.hops[] | if .hop == 2 then (if .loss_pct >= 33 and .loss_pct <= 67 then "half" else "\(.loss_pct)" end) + "/\(.loss)" else "\(.loss_pct)/\(.loss)" end] | join(" ")' "$TD_TMP/out")" \
	"0/none half/only-here 0/none 0/none" "half of r2's ICMP dropped: ~50% at hop 2 only"
nft_r2 delete table inet td

# The kernel's own limiter: one time-exceeded per 60 s per source after a burst.
ip netns exec "$NS_R2" sysctl -qw net.ipv4.icmp_ratelimit=60000 || bail "icmp_ratelimit in r2"
td --netns "$NS_C" route -n "$SERVER4:80" -c 12 -i 0.05 --timeout 1 --json
is "$(jq -r '[.hops[0,2,3].loss_pct] | max' "$TD_TMP/out")" 0 \
	"icmp_ratelimit in r2: hops 1, 3 and the server lose nothing"
like "$(jq -r '.hops[1] | "\(.loss_pct) \(.loss)"' "$TD_TMP/out")" '^[1-9][0-9.]* only-here$' \
	"icmp_ratelimit in r2: loss at hop 2, marked as that hop only"
is "$(jq -r '.loss_start' "$TD_TMP/out")" null "icmp_ratelimit in r2: no persistent loss"
ip netns exec "$NS_R2" sysctl -qw net.ipv4.icmp_ratelimit=0

# ---- the server drops SYNs: filtered --------------------------------------------

ip netns exec "$NS_S" nft add table inet td &&
	ip netns exec "$NS_S" nft add chain inet td in '{ type filter hook input priority 0; }' &&
	ip netns exec "$NS_S" nft add rule inet td in tcp dport 80 drop || bail "nft drop in server"
td --netns "$NS_C" route -n "$SERVER4:80" -c 1 --timeout 1 --max-hops 8 --json
is "$TD_RC" 1 "filtered: exit 1"
is "$(jq -r '.destination.verdict' "$TD_TMP/out")" filtered "filtered: verdict"
is "$(hops)" "${CHAIN_HOPS4[*]:0:3} ???" "filtered: three routers, then one silent row"
td --netns "$NS_C" route -n "[$SERVER6]:80" -c 1 --timeout 1 --max-hops 8
is "$TD_RC" 1 "filtered IPv6: exit 1"
like "$TD_OUT" 'port 80: filtered' "filtered IPv6: text verdict"
like "$TD_OUT" 'silence after hop 3 \(2001:db8:3::2\)' "filtered IPv6: says where it goes silent"
ip netns exec "$NS_S" nft delete table inet td

# ---- errors -----------------------------------------------------------------------

td --netns "$NS_C" route 2001:db8::1:80
is "$TD_RC" 2 "bare IPv6 with port: usage error"
like "$TD_ERR" 'needs brackets' "bare IPv6 with port: hint at brackets"
td --netns "$NS_C" route "$SERVER4:80" --max-hops 65
is "$TD_RC" 2 "--max-hops 65: usage error"

td_done
