#!/usr/bin/env python3
"""An independent Negotiate client (pyspnego, PyPI) for authscope's endpoint tests: NTLM wrapped
in SPNEGO, as clients without Kerberos send it. Prints the statuses and whether pyspnego
accepted the server's final token (it checks the mechListMIC).
    pyspnego-client.py HOST PORT PATH USER PASSWORD [tamper]
With "tamper", the last byte of the second token (the end of its mechListMIC) is flipped.
"""
import base64, http.client, sys
import spnego

host, port, path, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
tamper = len(sys.argv) > 6 and sys.argv[6] == "tamper"
client = spnego.client(user, password, hostname="localhost", service="HTTP", protocol="negotiate")
conn = http.client.HTTPConnection(host, port)
token = client.step()
statuses = []
legs = 0
while token:
    legs += 1
    if tamper and legs == 2:
        token = token[:-1] + bytes([token[-1] ^ 1])
    conn.request("GET", path, headers={"Authorization": "Negotiate " + base64.b64encode(token).decode()})
    r = conn.getresponse()
    r.read()
    statuses.append(str(r.status))
    header = r.getheader("WWW-Authenticate") or ""
    if not header.startswith("Negotiate "):
        break
    token = client.step(base64.b64decode(header.split(" ", 1)[1]))
print(" ".join(statuses), "complete" if client.complete else "incomplete")
