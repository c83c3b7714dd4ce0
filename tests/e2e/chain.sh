# A routed lab for probe and route (sourced by test_probe.sh, test_route.sh and
# bench/route/run after lib.sh): client - r1 - r2 - r3 - server, one veth per
# link, forwarding on in the routers, routes only between these namespaces.
#
#   link  subnet (IPv4 / IPv6)                   one end             other end
#   1     192.0.2.0/25    2001:db8:1::/64   r1 .1   ::1         client .2   ::2
#   2     198.51.100.0/24 2001:db8:2::/64   r1 .1   ::1         r2     .2   ::2
#   3     203.0.113.0/24  2001:db8:3::/64   r2 .1   ::1         r3     .2   ::2
#   4     192.0.2.128/25  2001:db8:4::/64   r3 .129 ::1         server .130 ::2
#
# A router answers from the address facing the client (its ICMP goes back out
# that way), so a trace from the client sees 192.0.2.1, 198.51.100.2,
# 203.0.113.2, then the server 192.0.2.130 (IPv6: 2001:db8:1::1, 2001:db8:2::2,
# 2001:db8:3::2, 2001:db8:4::2).
# shellcheck shell=bash disable=SC2034

CHAIN_HOPS4=(192.0.2.1 198.51.100.2 203.0.113.2 192.0.2.130)
CHAIN_HOPS6=(2001:db8:1::1 2001:db8:2::2 2001:db8:3::2 2001:db8:4::2)
SERVER4=192.0.2.130
SERVER6=2001:db8:4::2

# chain_link NS_LEFT DEV_LEFT ADDR4/len ADDR6/len NS_RIGHT DEV_RIGHT ADDR4/len ADDR6/len
chain_link() {
	local l=$1 dl=$2 a4l=$3 a6l=$4 r=$5 dr=$6 a4r=$7 a6r=$8
	ip -n "$l" link add "$dl" type veth peer name "$dr" netns "$r" || bail "veth $l-$r"
	ip -n "$l" addr add "$a4l" dev "$dl" &&
		ip -n "$l" addr add "$a6l" dev "$dl" nodad &&
		ip -n "$r" addr add "$a4r" dev "$dr" &&
		ip -n "$r" addr add "$a6r" dev "$dr" nodad &&
		ip -n "$l" link set "$dl" up && ip -n "$r" link set "$dr" up ||
		bail "addresses on $l-$r"
}

# chain_create TAG: NS_C (client), NS_R1, NS_R2, NS_R3, NS_S (server).
chain_create() {
	local tag=${1:-chain} ns
	ns_create NS_C "${tag}-c"
	ns_create NS_R1 "${tag}-r1"
	ns_create NS_R2 "${tag}-r2"
	ns_create NS_R3 "${tag}-r3"
	ns_create NS_S "${tag}-s"
	# Each device is named after the namespace at its other end.
	chain_link "$NS_R1" to-c 192.0.2.1/25 2001:db8:1::1/64 "$NS_C" to-r1 192.0.2.2/25 2001:db8:1::2/64
	chain_link "$NS_R1" to-r2 198.51.100.1/24 2001:db8:2::1/64 \
		"$NS_R2" to-r1 198.51.100.2/24 2001:db8:2::2/64
	chain_link "$NS_R2" to-r3 203.0.113.1/24 2001:db8:3::1/64 \
		"$NS_R3" to-r2 203.0.113.2/24 2001:db8:3::2/64
	chain_link "$NS_R3" to-s 192.0.2.129/25 2001:db8:4::1/64 "$NS_S" to-r3 192.0.2.130/25 2001:db8:4::2/64
	for ns in "$NS_R1" "$NS_R2" "$NS_R3"; do
		# No ICMP rate limit by default (Linux: 1/s per source, burst 6), so
		# fast test rounds see every answer; tests that want one set it.
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
			net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 || bail "forwarding in $ns"
	done
	chain_route "$NS_C" 192.0.2.1 2001:db8:1::1 198.51.100.0/24 203.0.113.0/24 192.0.2.128/25
	chain_route "$NS_R1" 198.51.100.2 2001:db8:2::2 203.0.113.0/24 192.0.2.128/25
	chain_route "$NS_R2" 198.51.100.1 2001:db8:2::1 192.0.2.0/25
	chain_route "$NS_R2" 203.0.113.2 2001:db8:3::2 192.0.2.128/25
	chain_route "$NS_R3" 203.0.113.1 2001:db8:3::1 192.0.2.0/25 198.51.100.0/24
	chain_route "$NS_S" 192.0.2.129 2001:db8:4::1 192.0.2.0/25 198.51.100.0/24 203.0.113.0/24
	wait_for 10 chain_ready || bail "the chain does not forward (client cannot reach the server)"
}

# chain_route NS GW4 GW6 PREFIX4...: routes to those IPv4 prefixes via GW4 and
# to the matching IPv6 /64s (link n of the table above) via GW6.
chain_route() {
	local ns=$1 gw4=$2 gw6=$3 p
	shift 3
	for p in "$@"; do
		ip -n "$ns" route add "$p" via "$gw4" || bail "route $p in $ns"
		ip -n "$ns" -6 route add "$(chain_v6_of "$p")" via "$gw6" || bail "route6 $p in $ns"
	done
}

chain_v6_of() { # IPv4 prefix of a link -> its IPv6 /64
	case "$1" in
	192.0.2.0/25) echo 2001:db8:1::/64 ;;
	198.51.100.0/24) echo 2001:db8:2::/64 ;;
	203.0.113.0/24) echo 2001:db8:3::/64 ;;
	192.0.2.128/25) echo 2001:db8:4::/64 ;;
	esac
}

# The server's address answers from the client (a SYN to a closed port gets an RST
# back: the path works both ways), for both families.
chain_ready() {
	ip netns exec "$NS_C" "$TD_PY" -c '
import socket, sys
for fam, a in ((socket.AF_INET, "192.0.2.130"), (socket.AF_INET6, "2001:db8:4::2")):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(1)
    try:
        s.connect((a, 9))
    except ConnectionRefusedError:
        pass
    except OSError:
        sys.exit(1)
'
}

# chain_listen PORT...: a server listening on those ports (IPv4 and IPv6) in
# NS_S, answering "hello PORT\n" to anything it receives.
chain_listen() {
	spawn_py "$NS_S" '
import os, selectors, signal, socket, sys
signal.alarm(int(os.environ.get("TD_ACTOR_TTL", "300")))
sel = selectors.DefaultSelector()
for p in sys.argv[1:]:
    for fam, a in ((socket.AF_INET, "192.0.2.130"), (socket.AF_INET6, "2001:db8:4::2")):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((a, int(p)))
        s.listen(512)
        sel.register(s, selectors.EVENT_READ, ("l", p))
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        kind, p = key.data
        if kind == "l":
            try:
                c, _ = key.fileobj.accept()
            except OSError:
                continue
            c.setblocking(False)
            sel.register(c, selectors.EVENT_READ, ("c", p))
        else:
            try:
                d = key.fileobj.recv(4096)
            except OSError:
                d = b""
            if d:
                try:
                    key.fileobj.send(b"hello " + p.encode() + b"\n")
                except OSError:
                    pass
            else:
                sel.unregister(key.fileobj)
                key.fileobj.close()
' "$@" >/dev/null
	local p
	for p in "$@"; do
		wait_for 10 chain_listening "$p" || bail "server not listening on $p"
	done
}

chain_listening() { [ "$(ss -N "$NS_S" -Htln "sport = :$1" | wc -l)" -ge 2 ]; }
