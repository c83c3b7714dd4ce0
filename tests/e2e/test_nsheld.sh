#!/bin/bash
# --all-netns finds a network namespace that only a socket keeps alive: a
# helper unshares a namespace, opens listening and connected sockets in it,
# goes back (setns) to the namespace it came from and drops every other
# reference, so no /proc/PID/ns/net, mount or nsfs fd names it, and `ss -N`
# cannot reach it. The oracle is the kernel seen by the helper itself: the
# socket inodes in its /proc/PID/fd, and `ss` run inside the namespace it
# gets back from SIOCGSKNS on its own socket. states and conns --all-netns
# must show that namespace, named net:[INODE] and held by pid/fd, with
# the sockets the helper sees.
# jq programs sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ss jq
need_python
need_binary
# Other engineers' tests may hold a million socket fds on this host: ask
# about every one, past the default bound.
export TD_NSALL_SOCKETS=100000000

# The helper: report "ns INODE", "fd N INODE" for each socket, then, on
# every line read from stdin, "view" lines: `ss -Htan` run in a child that
# entered the namespace by the fd SIOCGSKNS gave, then "end".
HELPER='
import ctypes, os, socket, subprocess, sys, fcntl, struct
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000
SIOCGSKNS = 0x894C
home = os.open("/proc/self/ns/net", os.O_RDONLY)
if libc.unshare(CLONE_NEWNET) != 0:
    sys.exit("unshare: errno %d" % ctypes.get_errno())
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
lsn = socket.socket(); lsn.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsn.bind(("127.0.0.1", 7444)); lsn.listen(8)
cli = socket.create_connection(("127.0.0.1", 7444)); srv, _ = lsn.accept()
# Back home; the namespace now lives on only through these sockets.
if libc.setns(home, CLONE_NEWNET) != 0:
    sys.exit("setns: errno %d" % ctypes.get_errno())
os.close(home)
nsfd = fcntl.ioctl(lsn.fileno(), SIOCGSKNS)
print("ns", os.fstat(nsfd).st_ino)
os.close(nsfd)
for s in (lsn, cli, srv):
    print("fd", s.fileno(), os.stat("/proc/self/fd/%d" % s.fileno()).st_ino)
print("ready", flush=True)
for line in sys.stdin:
    nsfd = fcntl.ioctl(lsn.fileno(), SIOCGSKNS)
    pid = os.fork()
    if pid == 0:
        libc.setns(nsfd, CLONE_NEWNET)
        os.execvp("ss", ["ss", "-Htan"])
    os.waitpid(pid, 0)
    os.close(nsfd)
    print("end", flush=True)
'
mkfifo "$TD_TMP/in"
"$TD_PY" -c "$HELPER" <"$TD_TMP/in" >"$TD_TMP/helper.out" 2>"$TD_TMP/helper.err" &
HPID=$!
TD_PIDS+=("$HPID")
exec 9>"$TD_TMP/in"
wait_for 10 grep -q '^ready' "$TD_TMP/helper.out" ||
	bail "helper not ready: $(cat "$TD_TMP/helper.err")"
NS_INO=$(awk '$1 == "ns" { print $2 }' "$TD_TMP/helper.out")
mapfile -t SOCK_INOS < <(awk '$1 == "fd" { print $3 }' "$TD_TMP/helper.out")
LSN_FD=$(awk '$1 == "fd" { print $2; exit }' "$TD_TMP/helper.out")
diag "helper pid $HPID, namespace net:[$NS_INO], sockets ${SOCK_INOS[*]}"

# The premise: no process is in it, nothing mounts it, no nsfs fd opens it.
held=0
for f in /proc/[0-9]*/ns/net; do
	[ "$(stat -L -c %i "$f" 2>/dev/null)" = "$NS_INO" ] && held=$((held + 1))
done
is "$held" 0 "premise: no process has net:[$NS_INO] as its namespace"
is "$(grep -c "net:\[$NS_INO\]" /proc/self/mountinfo)" 0 "premise: no mount of it"
is "$(find /proc/[0-9]*/fd -lname "net:\[$NS_INO\]" 2>/dev/null | wc -l)" 0 \
	"premise: no nsfs fd of it"
is "$(readlink "/proc/$HPID/ns/net")" "$(readlink /proc/self/ns/net)" \
	"premise: the helper is back in our namespace"

# The helper's own view of the namespace: ss inside it.
echo view >&9
wait_for 10 grep -q '^end' "$TD_TMP/helper.out" || bail "helper gave no view"
VIEW=$(sed -n '/^ready/,/^end/p' "$TD_TMP/helper.out" | grep -v '^ready\|^end')
diag "the helper's view:" "$VIEW"
want_total=$(grep -c . <<<"$VIEW")
want_est=$(grep -c '^ESTAB' <<<"$VIEW")
want_lsn=$(grep -c '^LISTEN' <<<"$VIEW")
is "$want_total $want_est $want_lsn" "3 2 1" "oracle: a listener and a connection in it"

# ---- states --all-netns ------------------------------------------------------------
NAME="net:[$NS_INO]"
td --json states --all-netns --netns-filter "$NAME"
is "$TD_RC" 0 "states --all-netns --netns-filter net:[INODE]: exit 0"
doc=$TD_OUT
is "$(jq -r '.namespaces | length' <<<"$doc")" 1 "states: the namespace is found"
is "$(jq -r '.namespaces[0].netns.inode' <<<"$doc")" "$NS_INO" "states: by its inode"
is "$(jq -r '.namespaces[0].netns.kind' <<<"$doc")" socket "states: kind socket"
is "$(jq -r '.namespaces[0].netns.held_by | "\(.pid) \(.fd) \(.file)"' <<<"$doc")" \
	"$HPID $LSN_FD socket" "states: held by the helper's first socket fd"
is "$(jq -r '.namespaces[0].total' <<<"$doc")" "$want_total" "states: total as ss inside it"
is "$(jq -r '.namespaces[0].states.ESTABLISHED // 0' <<<"$doc")" "$want_est" \
	"states: ESTABLISHED as ss inside it"
is "$(jq -r '.namespaces[0].states.LISTEN // 0' <<<"$doc")" "$want_lsn" \
	"states: LISTEN as ss inside it"

td states --all-netns --netns-filter "net:*"
like "$TD_OUT" "net:\[$NS_INO\] +$want_total " "states text: a row for it with its total"

# ---- conns --all-netns -------------------------------------------------------------
td --json conns --all-netns --netns-filter "$NAME"
is "$TD_RC" 0 "conns --all-netns: exit 0"
got=$(jq -r '[.namespaces[0].sockets[].inode] | map(tostring) | sort | join(" ")' <<<"$TD_OUT")
want=$(printf '%s\n' "${SOCK_INOS[@]}" | sort | paste -sd' ')
is "$got" "$want" "conns: exactly the helper's socket inodes (from /proc/$HPID/fd)"
owners=$(jq -r '[.namespaces[0].sockets[].owners[]?.pid] | unique | join(" ")' <<<"$TD_OUT")
is "$owners" "$HPID" "conns: every socket's owner is the helper"

td --no-color conns --all-netns --netns-filter "$NAME"
n=$(grep -c "^net:\[$NS_INO\] .*127.0.0.1:7444" <<<"$TD_OUT")
is "$n" "$want_total" "conns text: NETNS column names it on each of its sockets"
like "$TD_OUT" "^NETNS " "conns text: a NETNS header"

# --netns reaches it by the name --all-netns gives.
td --json --netns "$NAME" states
is "$(jq -r '.total' <<<"$TD_OUT")" "$want_total" "--netns net:[INODE] enters it through the socket"

# Both walks find it: the kernel's (the default as root) and the one that
# asks every distinct socket fd from user space.
for walk in bpf proc; do
	TD_NSALL_WALK=$walk td --json states --all-netns --netns-filter "$NAME"
	is "$(jq -r '"\(.namespaces | length) \(.namespaces[0].netns.kind) \(.namespaces[0].netns.held_by.pid) \(.namespaces[0].total)"' <<<"$TD_OUT")" \
		"1 socket $HPID $want_total" "TD_NSALL_WALK=$walk: found, held by the helper, its sockets counted"
done
# The kernel's walk looks at every socket; the user-space one at most
# TD_NSALL_SOCKETS (then a note says how many it did not ask).
TD_NSALL_WALK=bpf TD_NSALL_SOCKETS=1 td --json states --all-netns --netns-filter "$NAME"
is "$(jq -r '.namespaces | length' <<<"$TD_OUT")" 1 "TD_NSALL_WALK=bpf: no bound, found with TD_NSALL_SOCKETS=1"
is "$(grep -c 'were not asked' <<<"$TD_ERR")" 0 "TD_NSALL_WALK=bpf: no note of sockets not asked"
# With the bound at 0 nobody is asked: the namespace is missed, and a note says so.
TD_NSALL_SOCKETS=0 td --json states --all-netns --netns-filter "$NAME"
is "$TD_RC" 2 "TD_NSALL_SOCKETS=0: the socket-held namespace is not found"
TD_NSALL_WALK=proc TD_NSALL_SOCKETS=1 td --json states --all-netns --netns-filter host
like "$TD_ERR" "note: [0-9]+ socket fds were not asked which namespace" \
	"TD_NSALL_WALK=proc TD_NSALL_SOCKETS=1: a note says how many sockets were not asked"

# Gone: the helper exits, the namespace with it.
exec 9>&-
wait_for 10 sh -c "! kill -0 $HPID 2>/dev/null" || bail "helper did not exit"
td --json states --all-netns --netns-filter "$NAME"
is "$TD_RC" 2 "after the helper exits: no namespace matches (usage exit 2)"

td_done
