#!/usr/bin/env python3
"""Write one classic pcap file per encapsulation and link type that
`tcpdoctor pcap` looks through, each holding TCP connections (a handshake,
data both ways, a FIN close) inside that encapsulation. The e2e test
compares what tcpdoctor makes of them with tshark.

  tests/data/pcap/make-tunnels.py OUTDIR        write OUTDIR/<name>.pcap, print the names

tests/data/pcap/tunnels/ holds its output (the unit test test_encap.c reads
it, cut and bent at every byte, under ASan too); tests/e2e/test_pcap_tunnels.sh
regenerates it, checks the copy has not drifted, and compares with tshark.
Only the Python standard library (struct): no scapy needed."""
import os
import struct
import sys

# Test addresses only (RFC 5737, RFC 3849).
C4, S4 = bytes([192, 0, 2, 1]), bytes([198, 51, 100, 2])
O4A, O4B = bytes([203, 0, 113, 1]), bytes([203, 0, 113, 2])
C6 = bytes.fromhex("20010db8000000000000000000000001")
S6 = bytes.fromhex("20010db8000000000000000000000002")
O6A = bytes.fromhex("20010db80000ffff0000000000000001")
O6B = bytes.fromhex("20010db80000ffff0000000000000002")
MAC_A, MAC_B = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, proto, payload, ident=1, frag=0x4000):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0,
                    src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nh, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, 64, src, dst) + payload


def tcp(sport, dport, seq, ack, flags, data=b"", opts=b""):
    off = (20 + len(opts)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags, 65535, 0,
                       0) + opts + data


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def eth(ethertype, payload, dst=MAC_B, src=MAC_A):
    return dst + src + struct.pack("!H", ethertype) + payload


def eth_ip(ip):
    return eth(0x86DD if ip[0] >> 4 == 6 else 0x0800, ip)


def conn(sport, dport, v6=False, ndata=3):
    """[(dir, ip packet)] of one connection: dir 0 client -> server."""
    c, s = (C6, S6) if v6 else (C4, S4)
    mss = b"\x02\x04\x05\xb4"
    out = []

    def seg(d, seq, ack, flags, data=b"", opts=b""):
        t = tcp(sport, dport, seq, ack, flags, data, opts) if d == 0 else \
            tcp(dport, sport, seq, ack, flags, data, opts)
        a, b = (c, s) if d == 0 else (s, c)
        out.append((d, ipv6(a, b, 6, t) if v6 else ipv4(a, b, 6, t, ident=len(out) + 1)))

    cs, ss = 1000, 5000
    seg(0, cs, 0, 0x02, opts=mss)
    seg(1, ss, cs + 1, 0x12, opts=mss)
    seg(0, cs + 1, ss + 1, 0x10)
    cs += 1
    ss += 1
    for i in range(ndata):
        q = b"GET /%d HTTP/1.1\r\n\r\n" % i
        seg(0, cs, ss, 0x18, q)
        cs += len(q)
        r = b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc" + b"x" * i
        seg(1, ss, cs, 0x18, r)
        ss += len(r)
    seg(0, cs, ss, 0x11)
    seg(1, ss, cs + 1, 0x11)
    seg(0, cs + 1, ss + 1, 0x10)
    return out


def conns(v6=False, n=2, base=40000):
    return [conn(base + i, 80 + i, v6) for i in range(n)]


def outer(d, proto, payload, v6=False):
    """An outer IP header between the tunnel endpoints, by direction."""
    if v6:
        a, b = (O6A, O6B) if d == 0 else (O6B, O6A)
        return ipv6(a, b, proto, payload)
    a, b = (O4A, O4B) if d == 0 else (O4B, O4A)
    return ipv4(a, b, proto, payload)


def gre(proto, payload, flags=0, key=None, seq=None):
    h = struct.pack("!HH", flags | (0x2000 if key is not None else 0) |
                    (0x1000 if seq is not None else 0), proto)
    if key is not None:
        h += struct.pack("!I", key)
    if seq is not None:
        h += struct.pack("!I", seq)
    return h + payload


def vlan(tpid, vid, inner_type, payload):
    return struct.pack("!HH", vid, inner_type) + payload


# Each builder: (dir, inner ip) -> frame, and the link type.
def b_qinq(d, ip):
    inner = struct.pack("!H", 0x0800 if ip[0] >> 4 == 4 else 0x86DD) + ip
    return MAC_B + MAC_A + struct.pack("!HHHH", 0x88A8, 100, 0x8100, 200) + inner


def b_vlan(d, ip):
    return MAC_B + MAC_A + struct.pack("!HH", 0x8100, 42) + struct.pack("!H", 0x0800) + ip


def b_mpls(d, ip):
    return eth(0x8847, struct.pack("!II", (1000 << 12) | 64, (2000 << 12) | 0x100 | 64) + ip)


def b_mpls_pw(d, ip):
    return eth(0x8847, struct.pack("!I", (3000 << 12) | 0x100 | 64) + b"\0\0\0\0" + eth_ip(ip))


def b_pppoe(d, ip):
    ppp = struct.pack("!H", 0x0021 if ip[0] >> 4 == 4 else 0x0057) + ip
    return eth(0x8864, struct.pack("!BBHH", 0x11, 0, 0x1234, len(ppp)) + ppp)


def b_gre(d, ip):
    return eth_ip(outer(d, 47, gre(0x0800 if ip[0] >> 4 == 4 else 0x86DD, ip, key=7)))


def b_gretap(d, ip):
    return eth_ip(outer(d, 47, gre(0x6558, eth_ip(ip))))


def b_gre6(d, ip):
    return eth_ip(outer(d, 47, gre(0x0800, ip, seq=d + 1), v6=True))


def b_erspan2(d, ip):
    hdr = struct.pack("!II", (1 << 28) | 5, 0)
    return eth_ip(outer(d, 47, gre(0x88BE, hdr + eth_ip(ip), seq=1)))


def b_erspan3(d, ip):
    hdr = struct.pack("!IIHBB", (2 << 28) | 5, 12345, 0, 0, 0)
    return eth_ip(outer(d, 47, gre(0x22EB, hdr + eth_ip(ip), seq=1)))


def b_vxlan(d, ip):
    return eth_ip(outer(d, 17, udp(50000 + d, 4789,
                                   struct.pack("!II", 0x08000000, 42 << 8) + eth_ip(ip))))


def b_geneve(d, ip):
    opt = struct.pack("!HBB", 0x0102, 0x01, 1) + b"\0\0\0\0"  # one 4-byte option
    hdr = struct.pack("!BBHI", len(opt) // 4, 0, 0x6558, 42 << 8)
    return eth_ip(outer(d, 17, udp(50000 + d, 6081, hdr + opt + eth_ip(ip))))


def b_gtpu(d, ip):
    # E flag, sequence fields, a PDU session container extension (type 0x85).
    ext = bytes([1, 0x00, 0x09, 0x00])
    body = struct.pack("!HBB", 0, 0, 0x85) + ext + ip
    hdr = struct.pack("!BBHI", 0x34, 0xFF, len(body), 0x1000 + d)
    return eth_ip(outer(d, 17, udp(2152, 2152, hdr + body)))


def b_teredo(d, ip):
    origin = struct.pack("!HH4s", 0, 0x1234, bytes([0xFF] * 4))
    return eth_ip(outer(d, 17, udp(3544 if d else 40001, 40001 if d else 3544,
                                   (origin if d else b"") + ip)))


def b_ayiya(d, ip):
    # identity 16 bytes (2^4), signature 20 bytes (5*4), hash SHA1, opcode forward.
    hdr = bytes([0x41, 0x52, 0x11, 41 if ip[0] >> 4 == 6 else 4]) + struct.pack("!I", 0)
    return eth_ip(outer(d, 17, udp(5072, 5072, hdr + b"\x11" * 16 + b"\x22" * 20 + ip)))


def b_ipip(d, ip):  # 4in4 and 6in4 (sit)
    return eth_ip(outer(d, 4 if ip[0] >> 4 == 4 else 41, ip))


def b_ip6tnl(d, ip):  # 4in6 and 6in6
    return eth_ip(outer(d, 4 if ip[0] >> 4 == 4 else 41, ip, v6=True))


def b_ah(d, ip):
    """The inner packet rebuilt with an AH header before its TCP."""
    icv = b"\x33" * 12
    if ip[0] >> 4 == 4:
        ah = struct.pack("!BBHII", 6, (12 + len(icv)) // 4 - 2, 0, 0x100, d + 1) + icv
        return eth_ip(ipv4(ip[12:16], ip[16:20], 51, ah + ip[20:]))
    ah = struct.pack("!BBHII", 6, (12 + len(icv)) // 4 - 2, 0, 0x100, d + 1) + icv
    return eth_ip(ipv6(ip[8:24], ip[24:40], 51, ah + ip[40:]))


def b_deep(d, ip):
    """VLAN, MPLS, then GRE carrying VXLAN carrying Ethernet: five layers."""
    vx = outer(d, 17, udp(50000, 4789, struct.pack("!II", 0x08000000, 1 << 8) + eth_ip(ip)))
    g = outer(d, 47, gre(0x0800, vx))
    m = struct.pack("!I", (77 << 12) | 0x100 | 64) + g
    return MAC_B + MAC_A + struct.pack("!HH", 0x8100, 9) + struct.pack("!H", 0x8847) + m


def ppp_proto(ip):
    return struct.pack("!H", 0x0021 if ip[0] >> 4 == 4 else 0x0057)


def b_ppp(d, ip):
    return b"\xff\x03" + ppp_proto(ip) + ip


def b_chdlc(d, ip):
    return bytes([0x0F, 0]) + struct.pack("!H", 0x0800 if ip[0] >> 4 == 4 else 0x86DD) + ip


def b_pppether(d, ip):
    ppp = ppp_proto(ip) + ip
    return struct.pack("!BBHH", 0x11, 0, 0x99, len(ppp)) + ppp


def b_nflog(d, ip):
    def tlv(t, v):
        b = struct.pack("<HH", 4 + len(v), t) + v
        return b + b"\0" * (-len(b) % 4)
    fam = 2 if ip[0] >> 4 == 4 else 10
    return bytes([fam, 0]) + struct.pack("!H", 5) + tlv(1, b"\x08\x00\x00\x00") + \
        tlv(10, b"tdt\0") + tlv(9, ip)


def wlan(d, ip, qos=False):
    fc = 0x08 | (0x80 if qos else 0)
    flags = 0x01 if d == 0 else 0x02  # to DS / from DS
    h = struct.pack("<BBH", fc, flags, 0) + MAC_B + MAC_A + MAC_B + struct.pack("<H", 0)
    if qos:
        h += b"\0\0"
    snap = b"\xaa\xaa\x03\x00\x00\x00" + struct.pack("!H", 0x0800 if ip[0] >> 4 == 4 else 0x86DD)
    return h + snap + ip


def b_80211(d, ip):
    return wlan(d, ip, qos=d == 1)


def b_radiotap(d, ip):
    # present: flags (bit 1), rate (bit 2), channel (bit 3): 1 + 1 + 4 bytes.
    hdr = struct.pack("<BBHI", 0, 0, 8 + 6, 0x0E) + bytes([0, 2]) + struct.pack("<HH", 2437, 0x00A0)
    return hdr + wlan(d, ip, qos=True)


def b_ppi(d, ip):
    return struct.pack("<BBHI", 0, 0, 8, 105) + wlan(d, ip)


def b_ipoib(d, ip):
    grh = struct.pack("!I", 0x60000000) + b"\0" * 36  # the 40-byte global route header
    return grh + struct.pack("!HH", 0x0800 if ip[0] >> 4 == 4 else 0x86DD, 0) + ip


def b_juniper(d, ip):
    return b"MGC" + bytes([0x01 if d == 0 else 0x00]) + eth_ip(ip)


def frag4(ip, cut=24, order=(0, 1, 2), overlap=False):
    """An IPv4 packet as fragments of `cut` bytes of payload, sent in order."""
    ihl = (ip[0] & 15) * 4
    hdr, pay = ip[:ihl], ip[ihl:]
    pieces = [pay[i:i + cut] for i in range(0, len(pay), cut)]
    out = []
    for k, piece in enumerate(pieces):
        mf = 0x2000 if k < len(pieces) - 1 else 0
        h = bytearray(hdr)
        struct.pack_into("!HHH", h, 2, ihl + len(piece), 0x4242, mf | (k * cut // 8))
        h[10:12] = b"\0\0"
        h[10:12] = struct.pack("!H", csum(bytes(h)))
        out.append(bytes(h) + piece)
    if overlap and len(pieces) > 1:
        # a copy of the second fragment with other bytes: the first one kept
        h = bytearray(out[1][:ihl])
        out.insert(2, bytes(h) + b"\xee" * (len(out[1]) - ihl))
    order = [i for i in order if i < len(out)] + [i for i in range(len(out)) if i not in order]
    return [out[i] for i in order]


def frag6(ip, cut=24, order=(1, 0, 2)):
    """An IPv6 packet as fragments (fragment header, 8-byte units)."""
    hdr, nh, pay = ip[:40], ip[6], ip[40:]
    pieces = [pay[i:i + cut] for i in range(0, len(pay), cut)]
    out = []
    for k, piece in enumerate(pieces):
        m = 1 if k < len(pieces) - 1 else 0
        fh = struct.pack("!BBHI", nh, 0, (k * cut) | m, 0x77)
        h = bytearray(hdr)
        struct.pack_into("!H", h, 4, 8 + len(piece))
        h[6] = 44
        out.append(bytes(h) + fh + piece)
    order = [i for i in order if i < len(out)] + [i for i in range(len(out)) if i not in order]
    return [out[i] for i in order]


# Builders that make several frames of one packet: name -> (link, fn, v6)
MULTI = {
    "frag4": (1, lambda d, ip: [eth_ip(f) for f in frag4(ip, order=(2, 0, 1), overlap=True)]
              if len(ip) > 60 else [eth_ip(ip)], False),
    "frag6": (1, lambda d, ip: [eth_ip(f) for f in frag6(ip)] if len(ip) > 80 else [eth_ip(ip)],
              True),
    # the inner packet fragmented inside GRE, and the outer GRE packet fragmented
    "frag-in-gre": (1, lambda d, ip: [b_gre(d, f) for f in frag4(ip)] if len(ip) > 60
                    else [b_gre(d, ip)], False),
    "gre-fragmented": (1, lambda d, ip: [eth_ip(f) for f in frag4(outer(d, 47, gre(0x0800, ip)),
                                                                    cut=32)], False),
}

# name: (link type, builder, inner IPv6?)
CASES = {
    "vlan": (1, b_vlan, False),
    "qinq": (1, b_qinq, False),
    "mpls": (1, b_mpls, False),
    "mpls-pw": (1, b_mpls_pw, True),
    "pppoe": (1, b_pppoe, False),
    "pppoe6": (1, b_pppoe, True),
    "gre": (1, b_gre, False),
    "gre-v6inner": (1, b_gre, True),
    "gre-over-ipv6": (1, b_gre6, False),
    "gretap": (1, b_gretap, False),
    "erspan2": (1, b_erspan2, False),
    "erspan3": (1, b_erspan3, False),
    "vxlan": (1, b_vxlan, False),
    "geneve": (1, b_geneve, True),
    "gtpu": (1, b_gtpu, False),
    "teredo": (1, b_teredo, True),
    "ayiya": (1, b_ayiya, True),
    "4in4": (1, b_ipip, False),
    "6in4": (1, b_ipip, True),
    "4in6": (1, b_ip6tnl, False),
    "6in6": (1, b_ip6tnl, True),
    "ah4": (1, b_ah, False),
    "ah6": (1, b_ah, True),
    "deep": (1, b_deep, False),
    "link-ppp": (9, b_ppp, False),
    "link-ppp-serial": (50, b_ppp, False),
    "link-ppp-ether": (51, b_pppether, False),
    "link-chdlc": (104, b_chdlc, False),
    "link-nflog": (239, b_nflog, False),
    "link-nflog6": (239, b_nflog, True),
    "link-80211": (105, b_80211, False),
    "link-radiotap": (127, b_radiotap, False),
    "link-ppi": (192, b_ppi, True),
    "link-ipoib": (242, b_ipoib, False),
    "link-juniper": (178, b_juniper, False),
}


def write_pcap(path, link, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, link))
        for i, fr in enumerate(frames):
            ts = 1700000000 + i // 100
            f.write(struct.pack("<IIII", ts, (i % 100) * 10000, len(fr), len(fr)) + fr)


def frames_of(builder, v6, multi=False):
    out = []
    cs = conns(v6)
    # interleave the connections packet by packet
    for k in range(max(len(c) for c in cs)):
        for c in cs:
            if k < len(c):
                d, ip = c[k]
                if multi:
                    out += builder(d, ip)
                else:
                    out.append(builder(d, ip))
    return out


def write_pcapng(path):
    """Three interfaces of three link types, snap lengths and timestamp
    resolutions (libpcap 1.10 refuses such a file): Ethernet in
    microseconds (no if_tsresol), raw IP in nanoseconds (if_tsresol 9),
    Linux SLL in 2^-20 s (if_tsresol 0x94); one connection on each, the
    third over IPv6, their packets interleaved."""
    def blk(t, body):
        body += b"\0" * (-len(body) % 4)
        return struct.pack("<II", t, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))

    def opt(code, v):
        return struct.pack("<HH", code, len(v)) + v + b"\0" * (-len(v) % 4)

    def idb(link, snap, res):
        o = (opt(9, bytes([res])) + opt(0, b"")) if res is not None else b""
        return blk(1, struct.pack("<HHI", link, 0, snap) + o)

    def sll(ip):
        return struct.pack("!HHH8sH", 0, 1, 6, MAC_A + b"\0\0",
                           0x86DD if ip[0] >> 4 == 6 else 0x0800) + ip

    out = blk(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += idb(1, 262144, None) + idb(101, 65535, 9) + idb(113, 4096, 0x94)
    cs = [conn(41000, 80), conn(41001, 81), conn(41002, 82, v6=True)]
    t0 = 1700000000
    for k in range(len(cs[0])):
        for i, c in enumerate(cs):
            d, ip = c[k]
            if i == 0:
                units, fr = t0 * 10**6 + k * 1000 + 1, eth_ip(ip)
            elif i == 1:
                units, fr = t0 * 10**9 + k * 1000000 + 2000, ip
            else:
                units, fr = (t0 << 20) + k * 1049 + 4, sll(ip)
            out += blk(6, struct.pack("<IIIII", i, units >> 32, units & 0xFFFFFFFF, len(fr),
                                      len(fr)) + fr)
    with open(path, "wb") as f:
        f.write(out)


def main():
    args = sys.argv[1:]
    if len(args) != 1:
        sys.exit(__doc__)
    outdir = args[0]
    os.makedirs(outdir, exist_ok=True)
    for name, (link, builder, v6) in CASES.items():
        frames = frames_of(builder, v6)
        write_pcap(os.path.join(outdir, name + ".pcap"), link, frames)
        print(name)
    for name, (link, builder, v6) in MULTI.items():
        write_pcap(os.path.join(outdir, name + ".pcap"), link, frames_of(builder, v6, True))
        print(name)
    write_pcapng(os.path.join(outdir, "mixed-links.pcapng"))


if __name__ == "__main__":
    main()
