#!/bin/bash
# ss filter expressions: `tcpdoctor conns EXPR` against `ss -Htan EXPR`, with ss
# as the oracle. One namespace holds a few hundred sockets (listeners on
# 0.0.0.0, ::, dual-stack [::] with IPv4-mapped peers, 192.0.2.0/24,
# 2001:db8::/32 and loopback; established, FIN_WAIT2/CLOSE_WAIT, TIME_WAIT,
# SYN_SENT), traffic only inside it, no route out. The corpus: iproute2's own
# cases (testsuite/tests/ss/ssfilter.t, on our addresses), the examples of
# the docs, and random expressions from the grammar with a fixed seed. For
# every expression the (state, local, peer) tuples must be equal, through
# netlink (the kernel runs our bytecode) and through /proc (our matcher).
# jq programs sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip ss jq
need_python
need_binary

ns_create NS ssf
# A veth pair inside the namespace: the addresses on d0 are local, and a SYN
# to a blackholed neighbour of its subnets is never answered (SYN_SENT for
# good); no default route, nothing leaves the namespace.
if ! { ip -n "$NS" link add d0 type veth peer name d1 && ip -n "$NS" link set d0 up &&
	ip -n "$NS" link set d1 up; }; then
	bail "veth in $NS"
fi
for a in 192.0.2.1/24 192.0.2.2/24 192.0.2.3/24 198.51.100.1/24 \
	2001:db8::1/64 2001:db8::2/64 2001:db8:1::1/64; do
	ip -n "$NS" addr add "$a" dev d0 nodad 2>/dev/null || ip -n "$NS" addr add "$a" dev d0 ||
		bail "address $a in $NS"
done
ns_blackhole "$NS" d0 192.0.2.99 2001:db8::99
# SYN_SENT for the whole run, not the ~2 minutes of the default 6 retries.
ip netns exec "$NS" sysctl -qw net.ipv4.tcp_syn_retries=127 || bail "tcp_syn_retries in $NS"

# The socket zoo: one python process, ready when it writes the ready file.
ZOO='
import os, random, signal, socket, sys, time
signal.alarm(int(os.environ.get("TD_ACTOR_TTL", "900")))
random.seed(16)
held = []
def sock(fam):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    held.append(s)
    return s
def listen(addr, port, v6only=1):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = sock(fam)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    s.bind((addr, port))
    s.listen(512)
    return s
L = {}
for addr, port in [("0.0.0.0", 22), ("192.0.2.1", 80), ("192.0.2.1", 443), ("192.0.2.2", 443),
                   ("127.0.0.1", 6379), ("198.51.100.1", 8080), ("192.0.2.3", 1024),
                   ("2001:db8::1", 443), ("2001:db8::2", 80), ("::1", 6379),
                   ("2001:db8:1::1", 65535), ("192.0.2.1", 1)]:
    L[(addr, port)] = listen(addr, port)
L[("::", 5000)] = listen("::", 5000, 0)   # dual stack: IPv4 peers are ::ffff:a.b.c.d
L[("::", 8443)] = listen("::", 8443)
servers = {}
def connect(laddr, lport, raddr, rport):
    fam = socket.AF_INET6 if ":" in raddr else socket.AF_INET
    c = sock(fam)
    c.bind((laddr, lport))
    c.settimeout(5)
    c.connect((raddr, rport))
    return c
def accept_all():
    for l in L.values():
        l.setblocking(False)
        while True:
            try:
                a, _ = l.accept()
            except BlockingIOError:
                break
            held.append(a)
            servers[a.getpeername()[:2]] = a
v4 = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "198.51.100.1"]
v6 = ["2001:db8::1", "2001:db8::2", "2001:db8:1::1"]
fixed = [0, 1023, 1025, 2000, 40000, 50312, 60999]
for i in range(120):
    six = random.random() < 0.4
    if six:
        raddr, rport = random.choice([k for k in L if ":" in k[0]])
        if raddr == "::":
            raddr = random.choice(v6)
        elif raddr == "::1":
            pass
        laddr = "::1" if raddr == "::1" else random.choice(v6)
    else:
        raddr, rport = random.choice([k for k in L if ":" not in k[0]] + [("::", 5000)] * 3)
        if raddr in ("0.0.0.0", "::"):
            raddr = random.choice(v4)
        laddr = "127.0.0.1" if raddr == "127.0.0.1" else random.choice(v4)
    lport = random.choice(fixed) if random.random() < 0.3 else 0
    try:
        connect(laddr, lport, raddr, rport)
    except OSError:
        try:
            connect(laddr, 0, raddr, rport)
        except OSError:
            continue
accept_all()
# Half-closed: FIN_WAIT2 here, CLOSE_WAIT at the server.
for i in range(15):
    six = i % 3 == 0
    c = connect(random.choice(v6 if six else v4), 0, "2001:db8::1" if six else "192.0.2.1", 443)
    c.shutdown(socket.SHUT_WR)
accept_all()
# TIME_WAIT: the client closes first, the server answers with its own FIN.
tw = []
for i in range(30):
    six = random.random() < 0.3
    raddr, rport = ("2001:db8::1", 443) if six else ("192.0.2.1", 80)
    tw.append(connect(random.choice(v6 if six else v4), 0, raddr, rport))
accept_all()
for c in tw:
    name = c.getsockname()[:2]
    c.close()
    held.remove(c)
    a = servers.get(name)
    if a:
        a.close()
        held.remove(a)
time.sleep(0.2)
# SYN_SENT: SYNs to the blackholed neighbours.
for i in range(12):
    six = i % 3 == 0
    s = sock(socket.AF_INET6 if six else socket.AF_INET)
    s.setblocking(False)
    s.bind((random.choice(v6) if six else random.choice(v4), 0))
    try:
        s.connect(("2001:db8::99" if six else "192.0.2.99", random.choice([22, 80, 443, 8080])))
    except BlockingIOError:
        pass
open(sys.argv[1], "w").close()
while True:
    time.sleep(1)
'
READY=$TD_TMP/zoo.ready
spawn "$NS" env TD_ACTOR_TTL=900 "$TD_PY" -c "$ZOO" "$READY"
wait_for 30 test -e "$READY" || bail "socket zoo not ready"
TOTAL=$(ss -N "$NS" -Htan | wc -l)
STATES=$(ss -N "$NS" -Htan | awk '{print $1}' | sort | uniq -c | tr -s ' \n' ' ')
diag "$TOTAL sockets in $NS:$STATES"
[ "$TOTAL" -ge 200 ] || bail "only $TOTAL sockets in the zoo"

# The corpus, one expression per line.
CORPUS=$TD_TMP/corpus
{
	# iproute2 testsuite/tests/ss/ssfilter.t (10.0.0.1 -> 192.0.2.1,
	# 10.0.0.2 -> 192.0.2.2, port 50312 kept).
	cat <<-'EOF'
		dport = 22
		dport 22
		( dport = 22 )
		src = 0.0.0.0
		src 0.0.0.0
		src 0.0.0.0 sport = 22
		src 0.0.0.0 and sport = 22
		src 192.0.2.1 and sport = 22 and dport = 50312
		src 192.0.2.1 and sport = 22 and ( dport = 50312 )
		src 192.0.2.1 and ( sport = 22 and dport = 50312 )
		( src 192.0.2.1 and sport = 22 ) and dport = 50312
		( src 0.0.0.0 or src 192.0.2.1 ) and dst 192.0.2.2
	EOF
	# The docs' and the issue's examples, every keyword and spelling.
	cat <<-'EOF'
		state established ( dport = :443 or sport = :443 )
		state established ( dport = :https or sport = :https )
		dst 192.0.2.0/24
		dst 192.0.2/24
		state established ( sport = :http or sport = :https ) dst 192.0.2/24
		src 198.51.100/24 sport = :8080
		sport gt :1024
		sport > :1024
		sport lt :1024
		sport < 1024
		sport ge :1024
		sport >= :1024
		sport le :1024
		sport <= :1024
		sport geq 443
		sport leq 443
		dport eq :443
		dport == :443
		dport != :443
		dport ne :443
		dport neq :443
		src [2001:db8::1]
		src [2001:db8::1]:443
		src [2001:db8::/32]
		dst [2001:db8:1::/48]
		src [::1]
		dst [::ffff:192.0.2.1]
		dst 192.0.2.1
		src 192.0.2.0/24:443
		src *:443
		src :443
		dst *
		src 0.0.0.0/0
		src 127.0.0.1:6379
		sport = :ssh
		dport = :http
		sport = :https or sport = :http
		not sport = :22
		! sport = :22
		not ( sport = :22 or sport = :80 )
		sport = :443 && dport gt :1024
		sport = :443 & dport gt :1024
		sport = :443 || sport = :80
		sport = :443 | sport = :80
		sport = :443 or sport = :80 and dst 192.0.2.0/24
		dst 192.0.2.0/24 and sport = :443 or sport = :80
		not sport = :443 and not dport = :443
		state listening
		state listening sport lt :1024
		state established
		state time-wait
		state fin-wait-2
		state close-wait
		state syn-sent
		state connected
		state synchronized
		state bucket
		state big
		state all
		state listening state established
		exclude listening
		exclude established dst 192.0.2.0/24
		excl time-wait excl syn-sent
		state connected exclude established
		dev d0
		dev d1
		dev lo
	EOF
	# What ss refuses, tcpdoctor must refuse (or list nothing) too. (Not
	# "exclude all": ss then falls back to its default states; we refuse.)
	cat <<-'EOF'
		sport = :nosuchsvc
		( sport = :22
		sport = :22 )
		dst [2001:db8::1
		bogus
		sport = :22 and
	EOF
	# Random expressions from the grammar, seed 16: only forms ss reads
	# the same way (IPv6 addresses in brackets).
	"$TD_PY" - <<-'EOF'
		import random
		random.seed(16)
		ports = [0, 1, 22, 80, 443, 1023, 1024, 5000, 6379, 8080, 8443, 32768, 50312, 65535]
		v4 = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "198.51.100.1", "127.0.0.1", "0.0.0.0", "192.0.2.0"]
		v6 = ["2001:db8::1", "2001:db8::2", "2001:db8:1::1", "::1", "::", "::ffff:192.0.2.1", "2001:db8::"]
		states = ["established", "listening", "time-wait", "syn-sent", "fin-wait-2", "close-wait",
		          "connected", "synchronized", "bucket", "big", "all", "closed", "syn-recv"]
		services = ["ssh", "http", "https"]
		def port():
		    if random.random() < 0.1:
		        return random.choice(["", ":"]) + random.choice(services)
		    return random.choice(["", ":"]) + str(random.choice(ports))
		import ipaddress
		def zero_prefix(a, plen):
		    # ss re-checks every socket in user space, comparing address bits
		    # without the family: a prefix whose bits are all zero there
		    # matches a socket of the other family whose bits are zero too
		    # (0.0.0.0 and [::] listeners), where the kernel says no. Under a
		    # "not" that makes ss drop sockets the kernel kept; tcpdoctor
		    # follows the kernel (docs/tcpdoctor.1), so the corpus keeps
		    # such prefixes out of negations.
		    n = int(ipaddress.ip_address(a))
		    bits = 32 if ":" not in a else 128
		    return plen == 0 or n >> (bits - plen) == 0
		def host(neg):
		    while True:
		        r = random.random()
		        p = ":" + str(random.choice(ports)) if random.random() < 0.3 else ""
		        if r < 0.45:
		            a = random.choice(v4)
		            plen = random.choice([0, 8, 16, 23, 24, 25, 32]) if random.random() < 0.6 else None
		            if neg and zero_prefix(a, 32 if plen is None else plen):
		                continue
		            return a + ("" if plen is None else "/" + str(plen)) + p
		        if r < 0.9:
		            a = random.choice(v6)
		            plen = random.choice([0, 32, 48, 64, 96, 127, 128]) if random.random() < 0.5 else None
		            if neg and zero_prefix(a, 128 if plen is None else plen):
		                continue
		            return "[" + a + ("" if plen is None else "/" + str(plen)) + "]" + p
		        return "*" + (p or ":" + str(random.choice(ports)))
		def leaf(neg):
		    k = random.random()
		    if k < 0.5:
		        cmp = random.choice(["", "=", "==", "eq", "!=", "ne", "<", "lt", ">", "gt",
		                             "<=", "le", "leq", ">=", "ge", "geq"])
		        return " ".join(w for w in [random.choice(["sport", "dport"]), cmp, port()] if w)
		    return " ".join(w for w in [random.choice(["src", "dst"]),
		                                random.choice(["", "", "="]), host(neg)] if w)
		def expr(depth, neg=False):
		    k = random.random() if depth > 0 else 0
		    if k < 0.4:
		        return leaf(neg)
		    if k < 0.55:
		        return random.choice(["not", "!"]) + " " + expr(depth - 1, True)
		    if k < 0.65:
		        return "( " + expr(depth - 1, neg) + " )"
		    op = random.choice(["and", "or", "&&", "||", "&", "|", ""])
		    return " ".join(w for w in [expr(depth - 1, neg), op, expr(depth - 1, neg)] if w)
		for i in range(300):
		    pre = ""
		    r = random.random()
		    if r < 0.2:
		        pre = "state " + random.choice(states) + " "
		    elif r < 0.25:
		        pre = "exclude " + random.choice(states[:6]) + " "
		    print(pre + expr(random.randint(0, 4)))
	EOF
} >"$CORPUS"

TD_TUPLE='.sockets[] | "\(.laddr) \(.lport) \(.raddr) \(.rport)"'
compared=0 agreed=0 nonempty=0 refused=0 retried=0
fails=()
while IFS= read -r expr; do
	[ -n "$expr" ] || continue
	# The words as a shell would pass them unquoted, without globbing.
	read -ra words <<<"$expr"
	set -- "${words[@]}"
	# A socket may change state between two listings (TIME_WAIT ends after
	# 60 s): a difference is looked at again, twice, before it counts.
	for _ in 1 2 3; do
		want=$(ss -N "$NS" -Htan "$@" 2>"$TD_TMP/ss.err")
		ssrc=$?
		if [ "$ssrc" -ne 0 ] || grep -q . "$TD_TMP/ss.err"; then
			break
		fi
		# ss drops the State column when one state is asked for: the
		# tuple is local and peer address and port (the state filter
		# shows in which tuples are there). ss writes a dual-stack
		# wildcard ([::] without V6ONLY) as '*'.
		want=$(awk 'NF && $1 ~ /^[0-9]+$/ { $0 = "- " $0 } NF' <<<"$want" | ss_norm |
			awk '{ for (i = 2; i <= 4; i += 2) if ($i == "*") $i = "::"; print $2, $3, $4, $5 }' |
			sort)
		got_nl=$(td_json "$TD_TUPLE" --netns "$NS" conns --no-owners "$@" --json | sort)
		got_proc=$(td_json "$TD_TUPLE" --netns "$NS" --source proc conns --no-owners "$@" \
			--json | sort)
		[ "$got_nl" == "$want" ] && [ "$got_proc" == "$want" ] && break
		retried=$((retried + 1))
	done
	if [ "$ssrc" -ne 0 ] || grep -q . "$TD_TMP/ss.err"; then
		# ss refuses it (e.g. "exclude" of every state): we must refuse too.
		td --netns "$NS" conns --no-owners "$@" --json
		if [ "$TD_RC" -ne 0 ] || [ "$(jq '.count' <<<"$TD_OUT" 2>/dev/null)" = 0 ]; then
			refused=$((refused + 1))
		else
			fails+=("ss refuses '$expr' ($(head -c 120 "$TD_TMP/ss.err")) but tcpdoctor lists $(jq .count <<<"$TD_OUT")")
		fi
		continue
	fi
	compared=$((compared + 1))
	[ -n "$want" ] && nonempty=$((nonempty + 1))
	if [ "$got_nl" == "$want" ] && [ "$got_proc" == "$want" ]; then
		agreed=$((agreed + 1))
	else
		fails+=("'$expr': ss $(grep -c . <<<"$want"), netlink $(grep -c . <<<"$got_nl"), /proc $(grep -c . <<<"$got_proc"); first difference: $(diff <(echo "$want") <(echo "$got_nl") | grep '^[<>]' | head -2 | tr '\n' ' ')")
	fi
done <"$CORPUS"

diag "expressions compared with ss: $compared ($nonempty with sockets), agreed: $agreed, refused by both: $refused, listings taken again: $retried"
is "$agreed" "$compared" "tcpdoctor conns EXPR lists what ss -Htan EXPR lists, for every expression" \
	"${fails[@]:0:15}"
[ "${#fails[@]}" -eq 0 ] || diag "${#fails[@]} failures"
check "the corpus is not trivial ($compared >= 350 compared, $nonempty >= 200 with sockets)" \
	test "$compared" -ge 350 -a "$nonempty" -ge 200
is "$refused" 6 "the 6 expressions ss refuses are refused by tcpdoctor too"

# Errors point at the token, before any output.
td --netns "$NS" conns dport = :44x
is "$TD_RC/$TD_OUT" "2/" "a bad port is a usage error, nothing printed"
like "$TD_ERR" "dport = :44x: bad port ':44x' at column 9" "the error names the token and its column"
td --netns "$NS" conns 'sport = :22 )'
like "$TD_ERR" "'\)' without '\(' at column 13" "a stray ')' is pointed at"
td --netns "$NS" conns dprt = 22
like "$TD_ERR" "did you mean 'dport'" "a mistyped keyword gets a suggestion"

# The same filter through states and who.
want=$(ss -N "$NS" -Htan state established '( dport = :443 or sport = :443 )' | wc -l)
got=$(td_json '.total' --netns "$NS" \
	states state established '( dport = :443 or sport = :443 )' --json)
is "$got" "$want" "states takes the expression too"
want=$(ss -N "$NS" -Htan '( sport = :443 or dport = :443 )' dst 192.0.2.0/24 | wc -l)
got=$(td_json '.count' --netns "$NS" who :https dst 192.0.2.0/24 --json)
is "$got" "$want" "who :https dst 192.0.2.0/24"
want=$(ss -N "$NS" -Htan '( src 127.0.0.1:6379 or dst 127.0.0.1:6379 )' | wc -l)
got=$(td_json '.count' --netns "$NS" who 127.0.0.1:6379 --json)
is "$got" "$want" "who 127.0.0.1:6379 (lsof -i habit)"

td_done
