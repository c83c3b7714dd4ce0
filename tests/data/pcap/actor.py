#!/usr/bin/env python3
# Socket actors for the `tcpdoctor pcap` captures (tests/e2e/test_pcap.sh):
#   actor.py server ADDR           listeners on 5001 (echo, close on EOF),
#                                  5002 (abort with RST), 5003 (never read: zero
#                                  window), 5004 (close at the same moment as the
#                                  client), 5005 (echo, slow)
#   actor.py client SCENARIO ADDR  one scenario against ADDR:
#     normal    send 2000 bytes, read the echo, close first
#     rst       connect to 5002 and read until the reset
#     refused   connect to 5009 (nobody listens)
#     silent    connect to ADDR (a blackholed address), give up after 2.5 s
#     simclose  5004: both sides close on an agreed instant
#     zerowin   5003: write 4 MB into a receiver that does not read, for 3 s
#     retrans   5005: 20 writes of 1000 bytes, 50 ms apart (the test drops some)
import os, select, signal, socket, struct, sys, threading, time

signal.alarm(60)

def family(a):
    return socket.AF_INET6 if ":" in a else socket.AF_INET

def serve(addr):
    def listener(port):
        s = socket.socket(family(addr), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if port == 5003:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.bind((addr, port))
        s.listen(16)
        return s
    ls = {listener(p): p for p in (5001, 5002, 5003, 5004, 5005)}
    print("ready", flush=True)
    held = []
    while True:
        r, _, _ = select.select(list(ls), [], [])
        for s in r:
            c, _ = s.accept()
            port = ls[s]
            threading.Thread(target=handle, args=(c, port, held), daemon=True).start()

def handle(c, port, held):
    if port in (5001, 5005):
        while True:
            d = c.recv(65536)
            if not d:
                break
            c.sendall(d)
        c.close()
    elif port == 5002:
        c.recv(100)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
    elif port == 5003:
        held.append(c)  # never read
    elif port == 5004:
        at = struct.unpack("!d", c.recv(8))[0]
        time.sleep(max(0, at - time.time()))
        c.shutdown(socket.SHUT_WR)
        c.recv(100)
        c.close()

def client(scn, addr):
    def conn(port, timeout=5):
        s = socket.socket(family(addr), socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect((addr, port))
        return s
    if scn == "normal":
        s = conn(5001)
        s.sendall(b"x" * 2000)
        got = 0
        while got < 2000:
            got += len(s.recv(65536))
        s.close()
        time.sleep(0.3)
    elif scn == "rst":
        s = conn(5002)
        s.sendall(b"hello")
        try:
            while s.recv(100):
                pass
        except ConnectionResetError:
            pass
        s.close()
    elif scn == "refused":
        try:
            conn(5009)
        except ConnectionRefusedError:
            pass
    elif scn == "silent":
        try:
            conn(5001, 2.5)
        except (socket.timeout, OSError):
            pass
    elif scn == "simclose":
        s = conn(5004)
        at = time.time() + 0.2
        s.sendall(struct.pack("!d", at))
        time.sleep(max(0, at - time.time()))
        s.shutdown(socket.SHUT_WR)
        s.recv(100)
        s.close()
        time.sleep(0.3)
    elif scn == "zerowin":
        s = conn(5003)
        s.setblocking(False)
        end = time.time() + 3
        while time.time() < end:
            try:
                s.send(b"z" * 65536)
            except BlockingIOError:
                time.sleep(0.05)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    elif scn == "retrans":
        s = conn(5005)
        for i in range(20):
            s.sendall(bytes([65 + i]) * 1000)
            time.sleep(0.05)
        got = 0
        s.settimeout(10)
        while got < 20000:
            d = s.recv(65536)
            if not d:
                break
            got += len(d)
        s.close()
        time.sleep(0.3)
    print("done", flush=True)

if sys.argv[1] == "server":
    serve(sys.argv[2])
else:
    client(sys.argv[2], sys.argv[3])
