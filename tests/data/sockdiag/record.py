#!/usr/bin/env python3
# Builds a known set of TCP sockets in the current (private, loopback-only)
# network namespace, then records them: many.bin (ss -D), many-td.bin
# (tcpdoctor --save-dump), v4v6.bin (ss -D with a filter), and next to each
# the counts `ss -tan` reported at that moment. Run by record.sh, which
# creates and deletes the namespace; not part of the test run.
#
#   usage: record.py OUTDIR NETNS TCPDOCTOR
import collections
import json
import socket
import subprocess
import sys
import time

OUT, NETNS, TD = sys.argv[1], sys.argv[2], sys.argv[3]

SS_NAMES = {  # ss short name -> canonical (td_state_name) name
    "ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECV",
    "FIN-WAIT-1": "FIN_WAIT1", "FIN-WAIT-2": "FIN_WAIT2",
    "TIME-WAIT": "TIME_WAIT", "UNCONN": "CLOSE", "CLOSE-WAIT": "CLOSE_WAIT",
    "LAST-ACK": "LAST_ACK", "LISTEN": "LISTEN", "CLOSING": "CLOSING",
}

keep = []


def listener(family, addr, port, backlog=1024, v6only=None):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    s.bind((addr, port))
    s.listen(backlog)
    keep.append(s)
    return s


def pairs(lst, family, addr, port, n, accept=True):
    out = []
    for _ in range(n):
        c = socket.socket(family, socket.SOCK_STREAM)
        c.connect((addr, port))
        a = lst.accept()[0] if accept else None
        out.append((c, a))
        keep.append(c)
        if a:
            keep.append(a)
    return out


l8080 = listener(socket.AF_INET, "127.0.0.1", 8080)
l8443 = listener(socket.AF_INET, "0.0.0.0", 8443)
l5432 = listener(socket.AF_INET, "127.0.0.1", 5432, backlog=16)
l6_8080 = listener(socket.AF_INET6, "::1", 8080)
l6_9000 = listener(socket.AF_INET6, "::", 9000, v6only=0)

pairs(l8080, socket.AF_INET, "127.0.0.1", 8080, 380)
pairs(l5432, socket.AF_INET, "127.0.0.1", 5432, 5, accept=False)  # accept queue
pairs(l6_8080, socket.AF_INET6, "::1", 8080, 30)
pairs(l6_9000, socket.AF_INET, "127.0.0.1", 9000, 10)  # v4-mapped on the server
for c, a in pairs(l8443, socket.AF_INET, "127.0.0.1", 8443, 90):  # TIME_WAIT
    c.close()
    a.close()
    keep.remove(c)
    keep.remove(a)
for c, a in pairs(l8443, socket.AF_INET, "127.0.0.1", 8443, 25):  # FIN_WAIT2/CLOSE_WAIT
    c.shutdown(socket.SHUT_WR)
time.sleep(0.5)


def ss_lines(*filt):
    out = subprocess.run(["ss", "-N", NETNS, "-tanH", *filt], check=True,
                         capture_output=True, text=True).stdout
    return [l.split() for l in out.splitlines() if l.strip()]


def port_of(ep):
    port = ep.rsplit(":", 1)[1]
    return 0 if port == "*" else int(port)


def expected(lines, v6, title, filters=()):
    st = collections.Counter(SS_NAMES[f[0]] for f in lines)
    text = ["# %s" % title,
            "# counts as `ss -tan` (iproute2 6.1) reported them at recording time",
            "total %d" % len(lines), "ipv4 %d" % (len(lines) - v6), "ipv6 %d" % v6]
    text += ["%s %d" % (k, st[k]) for k in sorted(st)]
    for opt, val, pred in filters:
        n = sum(1 for f in lines if pred(f))
        text.append("filter %s %s %d" % (opt, val, n))
    return "\n".join(text) + "\n"


FILTERS = [
    ("sport", "8080", lambda f: port_of(f[3]) == 8080),
    ("dport", "9000", lambda f: port_of(f[4]) == 9000),
    ("port", "8443", lambda f: 8443 in (port_of(f[3]), port_of(f[4]))),
    ("sport", "5000-6000", lambda f: 5000 <= port_of(f[3]) <= 6000),
    ("state", "time-wait", lambda f: f[0] == "TIME-WAIT"),
    ("state", "listen", lambda f: f[0] == "LISTEN"),
    ("src", "::1", lambda f: f[3].startswith("[::1]")),
    ("dst", "127.0.0.0/8", lambda f: f[4].startswith("127.")
     or f[4].startswith("[::ffff:127.")),
]

# Everything below runs within a second, far inside TIME_WAIT's 60 s.
before = ss_lines()
before6 = len(ss_lines("-6"))
subprocess.run(["ss", "-N", NETNS, "-D", OUT + "/many.bin", "-tan"], check=True)
after = ss_lines()
td = subprocess.run([TD, "--json", "--save-dump", OUT + "/many-td.bin", "states"],
                    check=True, capture_output=True, text=True).stdout
after_td = ss_lines()
after_td6 = len(ss_lines("-6"))
# ss -D writes the dump before it parses a filter expression: only options
# (-l, -4, -6) shape it.
flt = ("-l",)
v4v6_lines = ss_lines(*flt)
v4v6_6 = len(ss_lines("-6", *flt))
subprocess.run(["ss", "-N", NETNS, "-D", OUT + "/v4v6.bin", "-tan", *flt], check=True)
v4v6_after = ss_lines(*flt)

def counts(lines):
    return sorted(collections.Counter(f[0] for f in lines).items())

assert counts(before) == counts(after) == counts(after_td), "sockets changed while recording"
assert counts(v4v6_lines) == counts(v4v6_after)
with open(OUT + "/many.expected", "w") as f:
    f.write(expected(after, before6, "many.bin: ss -N NETNS -D many.bin -tan", FILTERS))
with open(OUT + "/many-td.expected", "w") as f:
    f.write(expected(after_td, after_td6, "many-td.bin: tcpdoctor --save-dump many-td.bin states",
                     FILTERS))
with open(OUT + "/v4v6.expected", "w") as f:
    f.write(expected(v4v6_lines, v4v6_6, "v4v6.bin: ss -D v4v6.bin -tan -l"))
# tcpdoctor's own live count must agree with ss
j = json.loads(td)
want = collections.Counter(SS_NAMES[f[0]] for f in after_td)
got = {k: v for k, v in j["states"].items() if v}
print("tcpdoctor:", got, "total", j["total"])
assert got == dict(want), (got, want)
print("recorded", len(after), "sockets")
