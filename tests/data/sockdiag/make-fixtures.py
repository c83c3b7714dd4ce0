#!/usr/bin/env python3
# Writes the hand-made sock_diag dumps of this directory (broken and edge
# case files) and their .expected files, plus the fuzz seed corpus. The
# output depends only on many.bin (a real recording, see record.sh) and the
# constants below: running it twice gives the same bytes.
#   usage: tests/data/sockdiag/make-fixtures.py   (from anywhere)
import os
import socket
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "..", "fuzz", "corpus", "replay")

NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE = 1, 2, 3
SOCK_DIAG_BY_FAMILY = 20
NLM_F_MULTI = 2
INET_DIAG_INFO, INET_DIAG_SHUTDOWN = 2, 8
EPERM = 1
STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1",
          5: "FIN_WAIT2", 6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT",
          9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING"}


def align(n):
    return (n + 3) & ~3


def nlmsg(mtype, payload, flags=NLM_F_MULTI, seq=2, pad=True, length=None):
    n = 16 + len(payload) if length is None else length
    raw = struct.pack("=IHHII", n, mtype, flags, seq, 4242) + payload
    return raw + b"\0" * (align(len(raw)) - len(raw)) if pad else raw


def nlattr(atype, data):
    raw = struct.pack("=HH", 4 + len(data), atype) + data
    return raw + b"\0" * (align(len(raw)) - len(raw))


def diag_msg(state, sport, dport, src="192.0.2.1", dst="198.51.100.7",
             family=socket.AF_INET, inode=1000, uid=0, timer=0, expires=0):
    a = socket.inet_pton(family if family in (2, 10) else 2, src).ljust(16, b"\0")
    b = socket.inet_pton(family if family in (2, 10) else 2, dst).ljust(16, b"\0")
    return (struct.pack("=BBBB", family, state, timer, 0) +
            struct.pack("!HH", sport, dport) + a + b +
            struct.pack("=III", 0, 0x1000 + inode, 0) +   # if, cookie lo, hi
            struct.pack("=IIIII", expires, 0, 0, uid, inode))


def sock(state, sport, dport, attrs=b"", **kw):
    return nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg(state, sport, dport, **kw) + attrs)


def tcp_info(size, fields):
    raw = bytearray(b"\xab" * size) if size > 232 else bytearray(size)
    raw[:min(size, 232)] = bytes(min(size, 232))   # known part zero, the rest junk
    for off, fmt, val in fields:
        if off + struct.calcsize(fmt) <= size:
            struct.pack_into(fmt, raw, off, val)
    return bytes(raw)


def done():
    return nlmsg(NLMSG_DONE, struct.pack("=i", 0))


def error(errno, req=b""):
    return nlmsg(NLMSG_ERROR, struct.pack("=i", -errno) + req)


def messages(data):
    """Offsets, lengths, types and states of the messages of a dump."""
    off, out = 0, []
    while off + 16 <= len(data):
        n, t = struct.unpack_from("=IH", data, off)
        out.append((off, n, t, data[off + 17] if t == SOCK_DIAG_BY_FAMILY else None))
        off += align(n)
    return out


def expected(name, title, socks, err=None, extra=()):
    """socks: list of (family, state) delivered before the end or error."""
    lines = ["# %s: %s" % (name, title), "# written by make-fixtures.py",
             "total %d" % len(socks),
             "ipv4 %d" % sum(1 for f, _ in socks if f == 2),
             "ipv6 %d" % sum(1 for f, _ in socks if f == 10)]
    counts = {}
    for _, st in socks:
        counts[STATES[st]] = counts.get(STATES[st], 0) + 1
    lines += ["%s %d" % (k, counts[k]) for k in sorted(counts)]
    if err:
        code, msgno, byte, texts = err
        lines += ["error %s" % code, "message %d" % msgno]
        if byte is not None:
            lines.append("byte %d" % byte)
        lines += ["text %s" % t for t in texts]
    lines += list(extra)
    return "\n".join(lines) + "\n"


def write(name, data, title, socks, err=None, extra=()):
    with open(os.path.join(HERE, name + ".bin"), "wb") as f:
        f.write(data)
    with open(os.path.join(HERE, name + ".expected"), "w") as f:
        f.write(expected(name + ".bin", title, socks, err, extra))


def main():
    many = open(os.path.join(HERE, "many.bin"), "rb").read()
    msgs = messages(many)
    assert len(msgs) == 997 and msgs[-1][0] + msgs[-1][1] == len(many)

    def real_before(k):  # sockets of the first k messages of many.bin
        return [(many[o + 16], s) for o, n, t, s in msgs[:k] if t == SOCK_DIAG_BY_FAMILY]

    # Cut in the middle of the header of message 101, and of the body of 501
    # (an odd offset inside the inet_diag_msg).
    o = msgs[100][0]
    write("trunc-header", many[:o + 7], "many.bin cut 7 bytes into message 101",
          real_before(100), ("ETRUNC", 101, o, ["truncated message header"]))
    o = msgs[500][0]
    write("trunc-body", many[:o + 16 + 33], "many.bin cut 49 bytes into message 501",
          real_before(500), ("ETRUNC", 501, o, ["truncated message"]))
    # Cut in the attributes at the end of message 61: the header and the
    # inet_diag_msg are whole, the message is not.
    o = msgs[60][0]
    write("trunc-attr", many[:o + msgs[60][1] - 3],
          "many.bin cut 3 bytes before the end of message 61",
          real_before(60), ("ETRUNC", 61, o, ["truncated message"]))

    two = sock(1, 80, 40000, inode=11) + sock(10, 80, 0, dst="0.0.0.0", inode=12)
    write("error", two + error(EPERM, b"\0" * 16) + sock(1, 81, 40001),
          "two sockets, then NLMSG_ERROR -EPERM (a socket after it is not read)",
          [(2, 1), (2, 10)], ("EPARSE", 3, None, ["Operation not permitted"]))
    # errno INT_MIN: negating it was undefined behaviour (found by fuzzing)
    write("error-intmin", nlmsg(NLMSG_ERROR, struct.pack("=i", -2**31)),
          "NLMSG_ERROR whose error is INT_MIN", [],
          ("EPARSE", 1, None, ["netlink error"]))
    one = sock(1, 443, 50000, inode=21)
    write("badlen-small", one + struct.pack("=IHHII", 8, SOCK_DIAG_BY_FAMILY, 2, 2, 0) +
          b"\0" * 96, "one socket, then a header with nlmsg_len 8 (< 16)",
          [(2, 1)], ("EPARSE", 2, len(one), ["bad message length 8 "]))
    write("badlen-huge", one + struct.pack("=IHHII", 0xfffffff0, SOCK_DIAG_BY_FAMILY, 2, 2, 0) +
          b"\0" * 96, "one socket, then a header with nlmsg_len 0xfffffff0",
          [(2, 1)], ("EPARSE", 2, len(one), ["bad message length 4294967280 "]))
    write("short-msg", one + nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg(1, 1, 2)[:40]) + one,
          "one socket, then SOCK_DIAG_BY_FAMILY with 40 of inet_diag_msg's 72 bytes",
          [(2, 1)], ("EPARSE", 2, len(one), ["shorter than inet_diag_msg"]))
    write("badfamily", one + sock(1, 1, 2, family=7) + one,
          "one socket, then a message with address family 7",
          [(2, 1)], ("EPARSE", 2, len(one), ["address family 7"]))
    # INET_DIAG_INFO claiming 200 bytes where the message holds 12.
    bad = struct.pack("=HH", 200, INET_DIAG_INFO) + b"\0" * 8
    write("badattr", one + nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg(1, 2, 3) + bad) + one,
          "one socket, then one whose INET_DIAG_INFO nla_len (200) passes the message end",
          [(2, 1)], ("EPARSE", 2, len(one), []))
    write("empty", b"", "an empty file: no socket, no error", [])
    write("done-only", done() + done(), "two NLMSG_DONE, no socket (an empty namespace)", [])
    # The last message of a file may lack its alignment padding: 16 + 72 + 5.
    shut = nlattr(INET_DIAG_SHUTDOWN, b"\x03")[:5]
    write("unpadded", one + nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg(8, 22, 50001,
          family=10, src="2001:db8::1", dst="2001:db8::2") + shut, pad=False),
          "two sockets, the last message 93 bytes with no padding after it",
          [(2, 1), (10, 8)])
    # tcp_info from an older kernel (104 bytes: up to tcpi_total_retrans)
    # and from a newer one (320 bytes: fields we do not know, filled 0xab).
    # Offsets are those of linux/tcp.h.
    fields = [(68, "=I", 12345), (72, "=I", 678), (80, "=I", 10), (100, "=I", 7),
              (120, "=Q", 123456789), (148, "=I", 50), (160, "=Q", 1000000)]
    info_extra = ["info 1", "first.rtt_us 12345", "first.rttvar_us 678",
                  "first.snd_cwnd 10", "first.total_retrans 7"]
    write("info-short", nlmsg(NLMSG_NOOP, b"") +
          sock(1, 8080, 40000, nlattr(INET_DIAG_INFO, tcp_info(104, fields))) + done(),
          "NLMSG_NOOP (skipped), one socket with a 104-byte tcp_info, NLMSG_DONE",
          [(2, 1)], None, info_extra + ["first.bytes_acked 0", "first.min_rtt_us 0",
                                         "first.delivery_rate 0"])
    write("info-long", sock(1, 8080, 40000, nlattr(INET_DIAG_INFO, tcp_info(320, fields))) +
          sock(10, 8080, 0, dst="0.0.0.0", inode=3) + done(),
          "one socket with a 320-byte tcp_info (newer kernel), a LISTEN without, NLMSG_DONE",
          [(2, 1), (2, 10)], None, info_extra + ["first.bytes_acked 123456789",
                                                  "first.min_rtt_us 50",
                                                  "first.delivery_rate 1000000"])

    # Fuzz seeds: small whole files and cuts of the real dumps.
    os.makedirs(CORPUS, exist_ok=True)
    seeds = {}
    for name in ("error", "error-intmin", "badlen-small", "short-msg", "badattr", "unpadded",
                 "info-short", "info-long", "done-only", "v4v6"):
        seeds[name] = open(os.path.join(HERE, name + ".bin"), "rb").read()
    seeds["many-head"] = many[:msgs[12][0]]
    seeds["many-v4-v6-edge"] = many[msgs[920][0]:msgs[930][0]]
    seeds["many-tail"] = many[msgs[990][0]:]
    for name, data in sorted(seeds.items()):
        with open(os.path.join(CORPUS, name), "wb") as f:
            f.write(data)


main()
