# Create a known set of TCP sockets in a fresh netns and capture /proc/net/tcp{,6}.
import socket, struct, os, subprocess, time, sys

out = sys.argv[1]
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
subprocess.run(["ip", "addr", "add", "192.0.2.1/24", "dev", "lo"], check=True)
subprocess.run(["ip", "route", "add", "198.51.100.0/24", "dev", "lo"], check=False)

keep = []
# IPv4 listener with an accept queue
L = socket.socket(); L.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
L.bind(("127.0.0.1", 8080)); L.listen(16); keep.append(L)
c1 = socket.create_connection(("127.0.0.1", 8080)); keep.append(c1)
a1, _ = L.accept(); keep.append(a1)
# unread data on the server side of c1 -> rx_queue
c1.sendall(b"x" * 1234)
# keepalive timer on c2
c2 = socket.create_connection(("127.0.0.1", 8080)); keep.append(c2)
a2, _ = L.accept(); keep.append(a2)
c2.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
c2.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 300)
# TIME_WAIT: client closes first, server closes after
t = socket.create_connection(("127.0.0.1", 8080)); ts, _ = L.accept()
t.close(); time.sleep(0.05); ts.close()
# FIN_WAIT2 (timewait substate) + CLOSE_WAIT: client closes, server keeps it open
f = socket.create_connection(("127.0.0.1", 8080)); fs, _ = L.accept(); keep.append(fs)
f.close()
# two connections left in the accept queue: listener rx_queue = 2
for i in range(2):
    keep.append(socket.create_connection(("127.0.0.1", 8080)))
# IPv6 dual-stack listener; IPv4-mapped client and ::1 client
L6 = socket.socket(socket.AF_INET6); L6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
L6.bind(("::", 8443)); L6.listen(8); keep.append(L6)
m = socket.socket(socket.AF_INET6); m.connect(("::ffff:127.0.0.1", 8443)); keep.append(m)
m6 = socket.socket(socket.AF_INET6); m6.connect(("::1", 8443)); keep.append(m6)
ma, _ = L6.accept(); keep.append(ma)
# SYN_RECV request socket: a spoofed SYN from 198.51.100.7 whose SYN-ACK goes nowhere
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
src, dst = socket.inet_aton("198.51.100.7"), socket.inet_aton("192.0.2.1")
L2 = socket.socket(); L2.bind(("192.0.2.1", 8081)); L2.listen(4); keep.append(L2)
tcp = struct.pack("!HHIIBBHHH", 40000, 8081, 1000, 0, 5 << 4, 0x02, 64240, 0, 0)
ph = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
tcp = tcp[:16] + struct.pack("!H", csum(ph + tcp)) + tcp[18:]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, src, dst) + tcp
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
r.sendto(ip, ("192.0.2.1", 0))
time.sleep(0.2)
for n in ("tcp", "tcp6"):
    with open("/proc/net/" + n, "rb") as i, open(os.path.join(out, n), "wb") as o:
        o.write(i.read())
