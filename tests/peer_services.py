#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The peer's services for wgrun's tests, run inside the peer namespace:
HTTP on 10.77.0.1:8080 and [fd77::1]:8080 answering with the client's address,
and a DNS responder on 10.77.0.1:53 answering every A query with 10.77.0.1
(so a name look-up inside the tunnel is seen to go through the tunnel), or
with the address a file names: $PEER_DNS_MAP, lines "NAME ADDRESS", read at
each query; every query's name goes to $PEER_LOG as "dns NAME"."""
import http.server, os, socket, socketserver, struct, threading

LOG = os.environ.get("PEER_LOG")   # every request path, a line each

class Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if LOG:
            with open(LOG, "a") as f:
                f.write(self.path + "\n")
        body = (self.client_address[0] + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass

class V6(socketserver.ThreadingMixIn, http.server.HTTPServer):
    address_family = socket.AF_INET6

class V4(socketserver.ThreadingMixIn, http.server.HTTPServer):
    pass

def dns():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("10.77.0.1", 53))
    while True:
        q, addr = s.recvfrom(512)
        if len(q) < 12:
            continue
        qid = q[:2]
        end = 12
        while end < len(q) and q[end] != 0:
            end += q[end] + 1
        question = q[12:end + 5]
        qtype = struct.unpack("!H", q[end + 1:end + 3])[0] if end + 3 <= len(q) else 0
        name, i = [], 12
        while i < end:
            name.append(q[i + 1:i + 1 + q[i]].decode("ascii", "replace"))
            i += q[i] + 1
        name = ".".join(name)
        if LOG:
            with open(LOG, "a") as f:
                f.write("dns " + name + "\n")
        answer = "10.77.0.1"
        try:
            for line in open(os.environ.get("PEER_DNS_MAP", "/nonexistent")):
                w = line.split()
                if len(w) == 2 and w[0] == name:
                    answer = w[1]
        except OSError:
            pass
        ans = b""
        count = 0
        if qtype == 1:
            ans = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(answer)
            count = 1
        hdr = qid + struct.pack("!HHHHH", 0x8180, 1, count, 0, 0)
        s.sendto(hdr + question + ans, addr)

for srv in (V4(("10.77.0.1", 8080), Echo), V6(("fd77::1", 8080), Echo)):
    threading.Thread(target=srv.serve_forever, daemon=True).start()
dns()
