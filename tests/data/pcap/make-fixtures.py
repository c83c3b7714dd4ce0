#!/usr/bin/env python3
# Writes the small committed captures in tests/data/pcap/ (run once; the
# expected outputs next to them were checked by hand and against tshark):
#   handshake.pcap  normal.pcap  simclose.pcap  reset.pcap    ladder fixtures
#   truncated.pcap  badlen.pcap  notpcap.pcap  linktype.pcap  bad inputs
#   short.pcap      zerolen.pcap                              malformed packets
# Synthetic on purpose: exact timings, and a truly simultaneous close that a
# single host cannot be made to produce on demand.
import os, struct, sys

here = os.path.dirname(os.path.abspath(__file__))
C, S = bytes([192, 0, 2, 2]), bytes([192, 0, 2, 1])
CP, SP = 41000, 5001
FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16

def tcp(src, dst, sp, dp, seq, ack, flags, win=64240, data=b"", opts=b""):
    while len(opts) % 4:
        opts += b"\x01"
    hl = 20 + len(opts)
    th = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, (hl // 4) << 4, flags, win, 0, 0) + opts
    tot = 20 + hl + len(data)
    ih = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, 1, 0x4000, 64, 6, 0, src, dst)
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ih + th + data

def c2s(seq, ack, flags, **kw):
    return tcp(C, S, CP, SP, seq, ack, flags, **kw)

def s2c(seq, ack, flags, **kw):
    return tcp(S, C, SP, CP, seq, ack, flags, **kw)

SYNOPT = b"\x02\x04\x05\xb4\x04\x02\x01\x03\x03\x07"  # MSS 1460, SACK-perm, wscale 7

def pcap(name, pkts, linktype=1, t0=1700000000.0):
    with open(os.path.join(here, name), "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, linktype))
        for i, (t, p) in enumerate(pkts):
            ts = t0 + t
            sec = int(ts)
            usec = int(round((ts - sec) * 1e6))
            f.write(struct.pack("<IIII", sec, usec, len(p), len(p)) + p)

CI, SI = 1000, 5000  # initial sequence numbers
hs = [
    (0.000000, c2s(CI, 0, SYN, opts=SYNOPT)),
    (0.000100, s2c(SI, CI + 1, SYN | ACK, win=65160, opts=SYNOPT)),
    (0.000200, c2s(CI + 1, SI + 1, ACK, win=502)),
]
pcap("handshake.pcap", hs)
data = [
    (0.001000, c2s(CI + 1, SI + 1, PSH | ACK, win=502, data=b"a" * 100)),
    (0.001100, s2c(SI + 1, CI + 101, ACK, win=509)),
    (0.002000, s2c(SI + 1, CI + 101, PSH | ACK, win=509, data=b"b" * 200)),
    (0.002100, c2s(CI + 101, SI + 201, ACK, win=501)),
]
pcap("normal.pcap", hs + data + [
    (0.003000, c2s(CI + 101, SI + 201, FIN | ACK, win=501)),
    (0.003100, s2c(SI + 201, CI + 102, ACK, win=509)),
    (0.004000, s2c(SI + 201, CI + 102, FIN | ACK, win=509)),
    (0.004100, c2s(CI + 102, SI + 202, ACK, win=501)),
])
# Both FINs leave before either arrives (RFC 9293 figure 13).
pcap("simclose.pcap", hs + data + [
    (0.003000, c2s(CI + 101, SI + 201, FIN | ACK, win=501)),
    (0.003010, s2c(SI + 201, CI + 101, FIN | ACK, win=509)),
    (0.003100, c2s(CI + 102, SI + 202, ACK, win=501)),
    (0.003110, s2c(SI + 202, CI + 102, ACK, win=509)),
])
pcap("reset.pcap", hs + data[:2] + [
    (0.002000, s2c(SI + 1, CI + 101, RST | ACK, win=0)),
])

# Bad inputs, all from normal.pcap's bytes.
with open(os.path.join(here, "normal.pcap"), "rb") as f:
    good = f.read()
first = 24 + 16 + len(hs[0][1])  # end of packet 1
open(os.path.join(here, "truncated.pcap"), "wb").write(good[:first + 16 + 30])
bad = bytearray(good)
off = first + 16 + len(hs[1][1])  # record header of packet 3
struct.pack_into("<II", bad, off + 8, 0x7fffffff, 0x7fffffff)
open(os.path.join(here, "badlen.pcap"), "wb").write(bytes(bad))
open(os.path.join(here, "notpcap.pcap"), "wb").write(b"this is not a capture file\n" * 4)
pcap("linktype.pcap", hs, linktype=147)  # LINKTYPE_USER0
pcap("short.pcap", hs[:1] + [(0.0001, hs[1][1][:14 + 20 + 10])] + hs[2:])
pcap("zerolen.pcap", hs[:1] + [(0.0001, b"")] + hs[1:])
