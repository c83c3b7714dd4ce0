#!/usr/bin/env python3
"""Write one small capture per Wireshark tcp.analysis rule that tcpdoctor
follows (docs/pcap.md, "Analysis flags"), for tests/e2e/test_pcap.sh to
compare `tcpdoctor pcap` with tshark on: python3 wireshark-rules.py DIR.
(zeek-timers.pcap is also read with --streams zeek there.)

Hand-built segments (client 192.0.2.2:41000, server 192.0.2.1:80, Ethernet),
so each file exercises exactly one rule; tshark, not this file, says what the
flags must be."""
import os
import struct
import sys

CLI, SRV = bytes([192, 0, 2, 2]), bytes([192, 0, 2, 1])
F, S, R, P, A = 0x01, 0x02, 0x04, 0x08, 0x10


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Cap:
    def __init__(self, path, snap=65535):
        self.f = open(path, "wb")
        self.snap = snap
        self.cport = 41000
        self.t = 1_700_000_000.0
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snap, 1))

    def seg(self, dt, frm, flags, seq, ack, data=b"", win=1000, opts=b"",
            iplen_extra=0, snap=None):
        self.t += dt / 1000.0
        src, dst = (CLI, SRV) if frm == "c" else (SRV, CLI)
        sp, dp = (self.cport, 80) if frm == "c" else (80, self.cport)
        opts += b"\x01" * (-len(opts) % 4)
        off = (20 + len(opts)) // 4
        tcp = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          off << 4, flags, win, 0, 0) + opts
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(data))
        c = csum(pseudo + tcp + data)
        tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
        tot = 20 + len(tcp) + len(data)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot + iplen_extra, 1, 0x4000, 64, 6,
                         0, src, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        frame = b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00" + ip + tcp + data
        cap = min(len(frame), snap or self.snap)
        sec = int(self.t)
        usec = int(round((self.t - sec) * 1e6))
        self.f.write(struct.pack("<IIII", sec, usec, cap, len(frame)) + frame[:cap])

    def handshake(self, copts=b"", sopts=b""):
        self.seg(0, "c", S, 100, 0, opts=copts)
        self.seg(1, "s", S | A, 500, 101, opts=sopts)
        self.seg(1, "c", A, 101, 501)

    def close(self):
        self.f.close()


def D(n):
    return b"x" * n


def spurious(c):
    # data acknowledged, then sent again: spurious (and a retransmission)
    c.handshake()
    c.seg(1, "c", P | A, 101, 501, D(100))
    c.seg(1, "s", A, 501, 201)
    c.seg(300, "c", P | A, 101, 501, D(100))
    # the server ACKs beyond what was seen; the client then sends what was
    # already acknowledged, starting at its next sequence number
    c.seg(1, "s", A, 501, 401)
    c.seg(1, "c", P | A, 201, 501, D(100))
    c.seg(1, "c", P | A, 301, 501, D(100))


def ack_unseen_once(c):
    c.handshake()
    c.seg(1, "c", P | A, 101, 501, D(100))
    c.seg(1, "s", A, 501, 301)  # ACKs 201..300, never seen
    c.seg(1, "s", A, 501, 301)
    c.seg(1, "s", A, 501, 301, win=2000)
    c.seg(1, "c", P | A, 301, 501, D(10))
    c.seg(1, "s", A, 501, 411)  # again beyond: flagged again
    c.seg(1, "s", A, 501, 411)


def ack_unseen_moving(c):
    # ACKs moving on beyond unseen data: once; not again after contiguous
    # data; again once the data side's ACK number changed
    c.handshake()
    c.seg(1, "c", P | A, 101, 501, D(100))
    c.seg(1, "s", A, 501, 301)
    c.seg(1, "s", A, 501, 401)
    c.seg(1, "c", P | A, 201, 501, D(250))
    c.seg(1, "s", A, 501, 500)
    c.seg(1, "s", P | A, 501, 500, D(10))
    c.seg(1, "c", A, 451, 511)
    c.seg(1, "s", A, 511, 600)


def next_minus_one(c):
    # more than one byte starting at next-seq - 1: neither retransmission
    # nor out of order
    c.handshake()
    c.seg(1, "c", P | A, 101, 501, D(100))
    c.seg(0.1, "c", P | A, 200, 501, D(50))
    c.seg(1, "s", A, 501, 250)


def dupack_reset(c):
    # a window update between dup ACKs does not reset their count
    c.handshake()
    c.seg(1, "c", P | A, 101, 501, D(100))
    c.seg(0.1, "c", P | A, 301, 501, D(100))
    c.seg(0.1, "s", A, 501, 201)
    c.seg(0.1, "s", A, 501, 201)
    c.seg(0.1, "s", A, 501, 201)
    c.seg(0.1, "s", A, 501, 201, win=2000)
    c.seg(0.1, "c", P | A, 201, 501, D(100))
    c.seg(0.1, "s", A, 501, 401, win=2000)


def window_full_scale(c):
    # the handshake not captured: the window scale is unknown, nothing is
    # "window full"; then a connection with it, where it is
    c.seg(0, "s", A, 501, 101, win=100)
    c.seg(1, "c", P | A, 101, 501, D(100))
    c.seg(1, "s", A, 501, 201, win=100)
    c.seg(1, "c", P | A, 201, 501, D(100))


def window_full_known(c):
    c.handshake()
    c.seg(1, "s", A, 501, 101, win=100)
    c.seg(1, "c", P | A, 101, 501, D(100))


def iplen_beyond_frame(c):
    # an IP total length larger than the frame: the payload is what the
    # frame holds
    c.handshake()
    c.seg(1, "c", P | A, 101, 501, D(100), iplen_extra=40)
    c.seg(1, "s", A, 501, 201)
    c.seg(1, "c", P | A, 201, 501, D(100))
    c.seg(1, "s", A, 501, 301)


def options_cut_flags(c):
    # ACKs whose options the snap length cut: analysed (the dup-ACK count
    # goes on) but their flags not reported
    ts = b"\x01\x01\x08\x0a" + struct.pack("!II", 1, 0)
    sack = b"\x01\x01\x05\x0a" + struct.pack("!II", 301, 401)
    c.handshake()
    c.seg(1, "c", P | A, 101, 501, D(100))
    c.seg(0.1, "c", P | A, 301, 501, D(100))
    c.seg(0.1, "s", A, 501, 201)
    c.seg(0.1, "s", A, 501, 201, opts=ts + sack, snap=60)
    c.seg(0.1, "s", A, 501, 201)
    c.seg(0.1, "s", A, 501, 201, opts=ts + sack, snap=60)
    c.seg(0.1, "c", P | A, 201, 501, D(100))


def reused_synack(c):
    # a SYN-ACK with a new ISN on a known 4-tuple (its SYN not captured):
    # reused ports, the same stream; then a normal reuse by a new SYN
    c.handshake()
    c.seg(1, "c", P | A, 101, 501, D(10))
    c.seg(1, "c", R | A, 111, 501)
    c.seg(1000, "s", S | A, 9000, 7001)
    c.seg(1, "s", S | A, 9000, 7001)
    c.seg(1, "c", A, 7001, 9001)
    c.seg(1, "c", P | A, 7001, 9001, D(10))
    c.seg(1, "c", R | A, 7011, 9001)
    c.seg(1000, "c", S, 3000, 0)
    c.seg(1, "s", S | A, 4000, 3001)
    c.seg(1, "c", A, 3001, 4001)


def snap68(c):
    # tcpdump -s 68: SYNs' options cut short, payloads cut; keep them all
    mss = b"\x02\x04\x05\xb4"
    ws = b"\x01\x03\x03\x07"
    sack = b"\x04\x02"
    ts = b"\x08\x0a" + struct.pack("!II", 1, 0)
    c.handshake(copts=mss + sack + ts + ws, sopts=mss + sack + ts + ws)
    c.seg(1, "c", P | A, 101, 501, D(100), opts=b"\x01\x01" + ts)
    c.seg(1, "s", A, 501, 201, opts=b"\x01\x01" + ts)
    c.seg(1, "c", F | A, 201, 501, opts=b"\x01\x01" + ts)
    c.seg(1, "s", F | A, 501, 202, opts=b"\x01\x01" + ts)
    c.seg(1, "c", A, 202, 502, opts=b"\x01\x01" + ts)


def zeek_timers(c):
    # one tcp.stream each, two connections each for Zeek (--streams zeek):
    # a SYN retransmitted 7 s after the first (the 5 s attempt timer ran
    # out), and a SYN tried again after a REJ (a closed connection)
    c.seg(0, "c", S, 100, 0)
    c.seg(1000, "c", S, 100, 0)
    c.seg(2000, "c", S, 100, 0)
    c.seg(4000, "c", S, 100, 0)
    c.cport = 41001
    c.seg(1, "c", S, 700, 0)
    c.seg(1, "s", R | A, 0, 701, win=0)
    c.seg(500, "c", S, 700, 0)
    c.seg(1, "s", R | A, 0, 701, win=0)


RULES = {
    "spurious": spurious,
    "ack-unseen-once": ack_unseen_once,
    "ack-unseen-moving": ack_unseen_moving,
    "next-minus-one": next_minus_one,
    "dupack-reset": dupack_reset,
    "window-full-scale": window_full_scale,
    "window-full-known": window_full_known,
    "iplen-beyond-frame": iplen_beyond_frame,
    "options-cut-flags": options_cut_flags,
    "reused-synack": reused_synack,
    "snap68": snap68,
    "zeek-timers": zeek_timers,
}

if __name__ == "__main__":
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, fn in RULES.items():
        cap = Cap(os.path.join(out, name + ".pcap"), snap=68 if name == "snap68" else 65535)
        fn(cap)
        cap.close()
