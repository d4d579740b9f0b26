#!/usr/bin/env python3
"""server.py — an HTTP/1.1 keep-alive server on loopback for tests/fanout/run.sh.

Usage: server.py LOG

Listens (backlog 1024) on two ports of 127.0.0.1 (two origins, so two connection pools of the client) and prints
them on the first line of stdout. Appends "CLIENT_PORT PATH" to LOG for every request
it reads (so the test counts the connections the requests came on); LOG's lines are
"SERVER_PORT CLIENT_PORT PATH". Paths:
  /ok/…    answers {"ok": true} after 20 ms (requests overlap, so a client wanting them all at
           once needs as many connections as it allows itself);
  /hold/…  never answers (the connection stays open until the client goes);
  /fail    answers 404 at once.
It exits after 120 s so that a failed test cannot leave it behind.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = sys.argv[1]
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        with lock, open(LOG, "a") as f:
            f.write("%d %d %s\n" % (self.server.server_address[1], self.client_address[1], self.path))
        if self.path.startswith("/hold/"):
            time.sleep(120)
            return
        if self.path == "/fail":
            self.answer(404, {"kind": "Status", "message": "not here"})
            return
        time.sleep(0.02)
        self.answer(200, {"ok": True})

    def answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(ThreadingHTTPServer):
    request_queue_size = 1024  # the default 5 drops the SYNs of a burst of connections


servers = [Server(("127.0.0.1", 0), Handler) for _ in range(2)]
for s in servers:
    s.daemon_threads = True
print(" ".join(str(s.server_address[1]) for s in servers), flush=True)
threading.Thread(target=servers[1].serve_forever, daemon=True).start()
threading.Timer(120, lambda: servers[0].shutdown()).start()
servers[0].serve_forever()
