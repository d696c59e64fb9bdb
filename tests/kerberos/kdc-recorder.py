#!/usr/bin/env python3
"""Records Kerberos messages between MIT's tools and a KDC: a TCP relay on 127.0.0.1:LISTEN
to the KDC's TCP port that writes each message (RFC 4120 §7.2.2 framing: a 4-byte length,
then the DER) as one line of hex, client→KDC lines prefixed '>', KDC→client '<'.
    kdc-recorder.py LISTEN KDC_PORT OUT_FILE
"""
import socket, struct, sys, threading

listen, kdc, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
lock = threading.Lock()

def read_msg(s):
    head = b""
    while len(head) < 4:
        chunk = s.recv(4 - len(head))
        if not chunk:
            return None
        head += chunk
    n = struct.unpack(">I", head)[0]
    body = b""
    while len(body) < n:
        chunk = s.recv(n - len(body))
        if not chunk:
            return None
        body += chunk
    return head, body

def serve(c):
    k = socket.create_connection(("127.0.0.1", kdc))
    while True:
        m = read_msg(c)
        if m is None:
            break
        k.sendall(m[0] + m[1])
        r = read_msg(k)
        if r is None:
            break
        with lock, open(out, "a") as f:
            f.write("> " + m[1].hex() + "\n< " + r[1].hex() + "\n")
        c.sendall(r[0] + r[1])
    c.close(); k.close()

srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", listen)); srv.listen()
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
