#!/usr/bin/env python3
"""Seed inputs for the libFuzzer targets, from the captures and dumps in
tests/data, in each target's input format:

  tests/fuzz/seed.py OUTDIR     writes OUTDIR/<target>/<name> for every target

counters  the snmp/netstat/sockstat files of tests/data/counters (good and bad)
procnet   the /proc/net/tcp{,6} files of tests/data/procnet
replay    the sock_diag dumps of tests/data/sockdiag (*.bin)
pkt       every frame of every tests/data/pcap/**/*.pcap (tunnels/ too), behind the byte that
          picks its link type in fuzz_pkt.c
flow      the TCP segments of each capture as fuzz_flow.c's 16-byte records
filter    the filter spellings the docs and e2e tests use, one per line
pcapng    every tests/data/pcap/**/*.pcapng file, as it is and gzip- and
          xz-compressed (fuzz_pcapng.c reads a whole file)
json      strings for the JSON writer: escapes, UTF-8, invalid bytes, and the
          text files above
mo        small gettext catalogues (both byte orders, a context, a format,
          Chinese text), written by mo_image() as msgfmt lays them out

tests/fuzz/run --seed merges these with the kept corpus (-merge=1): only
inputs that add coverage stay."""
import gzip
import lzma
import os
import struct
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DATA = os.path.join(ROOT, "tests", "data")

# fuzz_pkt.c: links[data[0] % 18] = EN10MB, SLL, SLL2, RAW, NULL, LOOP, IPV6, 147,
# PPP, PPP_SERIAL, PPP_ETHER, C_HDLC, IEEE802_11, RADIOTAP, PPI, JUNIPER_ETHER,
# NFLOG, IPOIB (tests/data/pcap/tunnels has a capture of each)
PKT_LINKS = {1: 0, 113: 1, 276: 2, 101: 3, 12: 3, 0: 4, 108: 5, 229: 6, 147: 7,
             9: 8, 50: 9, 51: 10, 104: 11, 105: 12, 127: 13, 192: 14, 178: 15,
             239: 16, 242: 17}


def files(d, skip=(".md", ".py", ".sh", ".expected", ".ladder")):
    for dirpath, _, names in os.walk(d):
        for n in sorted(names):
            if not n.endswith(skip):
                yield os.path.join(dirpath, n)


def read(p):
    with open(p, "rb") as f:
        return f.read()


def pcap_frames(path):
    """(linktype, [(ts_s, frame)]) of a classic pcap file; [] if unreadable."""
    b = read(path)
    if len(b) < 24:
        return None, []
    magic = b[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return None, []
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    link = struct.unpack(e + "I", b[20:24])[0] & 0xFFFF
    out, o = [], 24
    while o + 16 <= len(b):
        sec, frac, incl, _ = struct.unpack(e + "IIII", b[o:o + 16])
        o += 16
        if incl > 262144 or o + incl > len(b):
            break
        out.append((sec + frac / (1e9 if nano else 1e6), b[o:o + incl]))
        o += incl
    return link, out


def l3_offset(link, f):
    """Offset of the IP header in frame f for the link types the captures use."""
    if link == 1:  # Ethernet, maybe one VLAN tag
        off, et = 14, f[12:14]
        if et == b"\x81\x00":
            off, et = 18, f[16:18]
        return off if et in (b"\x08\x00", b"\x86\xdd") else None
    if link == 113:
        return 16
    if link == 276:
        return 20
    if link in (101, 12, 229):
        return 0
    if link in (0, 108):
        return 4
    return None


def tcp_of(link, f):
    """(src, dst, sport, dport, flags, seq, ack, paylen, window) or None."""
    off = l3_offset(link, f)
    if off is None or len(f) < off + 20:
        return None
    v = f[off] >> 4
    if v == 4:
        ihl = (f[off] & 15) * 4
        if f[off + 9] != 6:
            return None
        tot = struct.unpack(">H", f[off + 2:off + 4])[0]
        src, dst, t = f[off + 12:off + 16], f[off + 16:off + 20], off + ihl
        l4len = tot - ihl
    elif v == 6:
        if len(f) < off + 40 or f[off + 6] != 6:
            return None
        src, dst, t = f[off + 8:off + 24], f[off + 24:off + 40], off + 40
        l4len = struct.unpack(">H", f[off + 4:off + 6])[0]
    else:
        return None
    if len(f) < t + 20:
        return None
    sport, dport, seq, ack = struct.unpack(">HHII", f[t:t + 12])
    doff = (f[t + 12] >> 4) * 4
    flags = f[t + 13]
    win = struct.unpack(">H", f[t + 14:t + 16])[0]
    return src, dst, sport, dport, flags, seq, ack, max(0, l4len - doff), win


def flow_records(link, frames):
    """fuzz_flow.c's format: a config byte, then per segment 16 bytes: dir,
    tuple (bits 2-4: client port), flags, seq, ack, length (14 bits), window,
    time step (ms)."""
    conns, out, last = {}, bytearray(b"\x00"), None
    for ts, f in frames:
        t = tcp_of(link, f)
        if not t:
            continue
        src, dst, sport, dport, flags, seq, ack, plen, win = t
        key = frozenset(((src, sport), (dst, dport)))
        if key not in conns:
            if len(conns) >= 8:
                continue
            # The first segment's sender is the client.
            conns[key] = ((src, sport), len(conns))
        client, idx = conns[key]
        d = 0 if (src, sport) == client else 1
        step = 0 if last is None else min(255, max(0, int((ts - last) * 1000)))
        last = ts
        plen = min(plen, 0x3FFF)
        out += bytes([d, (idx & 7) << 2, flags])
        out += struct.pack(">II", seq, ack)
        out += bytes([plen & 0xFF, plen >> 8, win >> 8, win & 0xFF, step])
    return bytes(out) if len(out) > 1 else None


FILTERS = [
    b"\x00established\n\x00close-wait\n\x01 80\n",
    b"\x00ESTAB\n\x00SYN_RCVD\n\x00all\n\x00connected\n\x00synchronized\n",
    b"\x00bucket\n\x00big\n\x00closing-states\n\x00CLOSE-WAIT\n\x00close_wait\n\x00time-wait\n",
    b"\x01 5000-6000\n\x02 1-65535\n\x03 443\n",
    b"\x04 192.0.2.0/24\n\x05 2001:db8::/32\n\x04 198.51.100.7\n\x05 ::ffff:203.0.113.1/120\n",
    b"\x06 1\n\x06 4194304\n",
    b"listen\n",
    b"8080",
    b"10-20",
    b"203.0.113.0/24",
    b"2001:db8::1/128",
    b"0.0.0.0/0",
    b"::/0",
]

JSON = [
    b"plain ascii",
    b"quote \" backslash \\ slash /",
    b"\b\f\n\r\t\x00\x01\x1f\x7f",
    "caf\u00e9 \u20ac \U0001f600".encode(),
    b"\xc3\x28 \xa0\xa1 \xe2\x28\xa1 \xf0\x28\x8c\xbc",  # invalid sequences
    b"\xc0\xaf \xe0\x80\xaf \xed\xa0\x80 \xf4\x90\x80\x80",  # overlong, surrogate, > U+10FFFF
    b"\x1b[31mred\x1b[0m",
    b"python3(24038,fd=17)",
]


def mo_image(pairs, big=False):
    """A .mo file of (msgid, msgstr) pairs: header, the two tables, strings."""
    pairs = sorted(pairs)
    e = ">" if big else "<"
    n = len(pairs)
    head = struct.pack(e + "7I", 0x950412de, 0, n, 28, 28 + 8 * n, 0, 28 + 16 * n)
    at, tabs, data = 28 + 16 * n, [b"", b""], b""
    for k in (0, 1):
        for p in pairs:
            b = p[k].encode()
            tabs[k] += struct.pack(e + "2I", len(b), at)
            data += b + b"\0"
            at += len(b) + 1
    return head + tabs[0] + tabs[1] + data


MO = [
    [("", "Content-Type: text/plain; charset=UTF-8\n"), ("Why:", "原因：")],
    [("CLOSE_WAIT|summary\x04the peer closed", "对端已关闭"), ("%u on %s", "%2$s 上 %1$u 个")],
    [("a", "b\nc"), ("zz", "\t"), ("m", "中")],
]


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    seeds = {t: {} for t in ("counters", "procnet", "replay", "pkt", "flow", "filter", "json",
                             "pcapng", "mo")}
    for p in files(os.path.join(DATA, "counters")):
        seeds["counters"]["data-" + os.path.relpath(p, DATA).replace("/", "-")] = read(p)
    for p in files(os.path.join(DATA, "procnet")):
        seeds["procnet"]["data-" + os.path.basename(p)] = read(p)
    for p in files(os.path.join(DATA, "sockdiag")):
        if p.endswith(".bin"):
            seeds["replay"]["data-" + os.path.basename(p)] = read(p)
    for p in sorted(files(os.path.join(DATA, "pcap"))):
        if not p.endswith(".pcap"):
            continue
        name = os.path.basename(p)[:-5]
        link, frames = pcap_frames(p)
        if link in PKT_LINKS:
            for i, (_, f) in enumerate(frames[:64]):
                seeds["pkt"]["data-%s-%03d" % (name, i)] = bytes([PKT_LINKS[link]]) + f
        rec = flow_records(link, frames) if link is not None else None
        if rec:
            seeds["flow"]["data-" + name] = rec
    for p in sorted(files(os.path.join(DATA, "pcap"))):
        if p.endswith(".pcapng"):
            name = os.path.basename(p)[:-7]
            b = read(p)
            seeds["pcapng"]["data-" + name] = b
            seeds["pcapng"]["data-" + name + ".gz"] = gzip.compress(b, mtime=0)
            seeds["pcapng"]["data-" + name + ".xz"] = lzma.compress(b)
    for i, f in enumerate(FILTERS):
        seeds["filter"]["seed-%02d" % i] = f
    for i, j in enumerate(JSON):
        seeds["json"]["seed-%02d" % i] = j
    for p in files(os.path.join(DATA, "procnet")):
        seeds["json"]["data-" + os.path.basename(p)] = read(p)[:4096]
    for i, m in enumerate(MO):
        seeds["mo"]["seed-%02d-le" % i] = mo_image(m)
        seeds["mo"]["seed-%02d-be" % i] = mo_image(m, big=True)
    for t, d in seeds.items():
        os.makedirs(os.path.join(out, t), exist_ok=True)
        for n, b in d.items():
            with open(os.path.join(out, t, n), "wb") as f:
                f.write(b)
        print("%s: %d seeds" % (t, len(d)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
