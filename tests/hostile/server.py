#!/usr/bin/env python3
"""tests/hostile/server.py — a hostile HTTP server for tests/hostile/run.sh.

Listens on 127.0.0.1 (an ephemeral port, printed on stdout's first line) and answers by path:
  /json      200, a body that is not JSON
  /big/N     200, N MiB of zeros streamed in 64 KiB chunks (never held whole)
  /stall     reads the request and never answers
  /reset     200 with Content-Length 1 MiB, 1 KiB of it, then a TCP reset
  /crlf      200 with a bare CR inside a header and a header line without a colon
  /redirect  302 to http://localhost:PORT/stolen (another host name, same server)
anything else: 200 {"ok": true}. Every request line and its Authorization header (if any) is
appended to the log file named by argv[1], so the suite can tell what was sent.
"""
import socket
import socketserver
import struct
import sys
import time

LOG = sys.argv[1]


class Handler(socketserver.StreamRequestHandler):
    def log(self, line):
        with open(LOG, "a") as f:
            f.write(line + "\n")

    def send(self, head, body=b""):
        self.wfile.write(head.encode("latin-1") + body)
        self.wfile.flush()

    def handle(self):
        line = self.rfile.readline(65536).decode("latin-1").rstrip("\r\n")
        headers = []
        while True:
            h = self.rfile.readline(65536)
            if h in (b"\r\n", b"\n", b""):
                break
            headers.append(h.decode("latin-1").rstrip("\r\n"))
        self.log(line)
        for h in headers:
            if h.lower().startswith(("authorization:", "x-injected:")):
                self.log("  " + h)
        path = line.split(" ")[1] if line.count(" ") >= 2 else "/"
        port = self.server.server_address[1]
        try:
            self.answer(path, port)
        except (BrokenPipeError, ConnectionResetError):
            self.log("  client closed")

    def answer(self, path, port):
        if "/json" in path:
            body = b"{not json at all"
            self.send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body), body)
        elif path.startswith("/big/"):
            mib = int(path.split("/")[2])
            self.send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (mib << 20))
            chunk = b"0" * 65536
            for _ in range(mib * 16):
                self.wfile.write(chunk)
            self.log("  sent %d MiB" % mib)
        elif path.startswith("/stall"):
            time.sleep(30)
        elif path.startswith("/reset"):
            self.send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n", b"[" * 1024)
            time.sleep(0.1)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        elif path.startswith("/crlf"):
            body = b'{"ok": true}'
            self.send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Evil: a\rInjected: yes\r\n"
                      "no colon here\r\nContent-Length: %d\r\n\r\n" % len(body), body)
        elif path.startswith("/redirect"):
            self.send("HTTP/1.1 302 Found\r\nLocation: http://localhost:%d/stolen\r\nContent-Length: 0\r\n\r\n" % port)
        else:
            body = b'{"ok": true}'
            self.send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body), body)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


with Server(("127.0.0.1", 0), Handler) as srv:
    print(srv.server_address[1], flush=True)
    srv.serve_forever()
