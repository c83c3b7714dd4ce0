# Helpers for the remedy tests (test_kill.sh, test_keepalive.sh), sourced
# after lib.sh: an actor that reports what its own sockets see, so a test can
# check the errno an application gets when its socket is destroyed or its
# keepalive gives up.
# shellcheck shell=bash disable=SC2034

# The watcher, driven by its arguments:
#   log FILE                          where to write events (first)
#   listen ADDR PORT                  accept, and watch every accepted socket
#   est LADDR LPORT RADDR RPORT       connect and watch
#   half LADDR LPORT RADDR RPORT      connect, shutdown(SHUT_WR), watch
# For each watched socket it blocks in poll; when a recv fails it writes
# "LPORT RPORT ERRNO_NAME" (ECONNABORTED, ECONNRESET, ETIMEDOUT), and
# "LPORT RPORT EOF" when the peer closed (the socket is then kept open, so a
# server side sits in CLOSE_WAIT). "ready" on stdout once connected.
TD_WATCH='
import errno, os, selectors, signal, socket, sys
signal.alarm(int(os.environ.get("TD_ACTOR_TTL", "120")))
args, held, sel = sys.argv[1:], [], selectors.DefaultSelector()
log = open(args[1], "a", buffering=1)
def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET
def watch(s):
    s.setblocking(False)
    held.append(s)
    sel.register(s, selectors.EVENT_READ, (s.getsockname()[1], s.getpeername()[1]))
i = 2
while i < len(args):
    op = args[i]
    if op == "listen":
        s = socket.socket(family(args[i + 1]), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((args[i + 1], int(args[i + 2])))
        s.listen(64)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, "listen")
        held.append(s)
        i += 3
    else:
        laddr, lport, raddr, rport = args[i + 1], int(args[i + 2]), args[i + 3], int(args[i + 4])
        s = socket.socket(family(raddr), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((laddr, lport))
        s.settimeout(5)
        s.connect((raddr, rport))
        if op == "half":
            s.shutdown(socket.SHUT_WR)
        watch(s)
        i += 5
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        s = key.fileobj
        if key.data == "listen":
            try:
                c, _ = s.accept()
            except OSError as e:
                log.write("listen %d %s\n" % (s.getsockname()[1], errno.errorcode.get(e.errno, "?")))
                sel.unregister(s)
                continue
            watch(c)
            continue
        lport, rport = key.data
        try:
            data = s.recv(4096)
        except OSError as e:
            log.write("%d %d %s\n" % (lport, rport, errno.errorcode.get(e.errno, str(e.errno))))
            sel.unregister(s)
            continue
        if not data:
            log.write("%d %d EOF\n" % (lport, rport))
            sel.unregister(s)
'

# watch_log FILE: its lines sorted (empty when none yet).
watch_log() {
	sort "$1" 2>/dev/null
}

# log_has FILE LINE: FILE has exactly that line.
log_has() {
	grep -qxF "$2" "$1" 2>/dev/null
}
