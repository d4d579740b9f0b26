#!/usr/bin/env python3
"""tests/secrets/catcher.py — a local webhook catcher for the secrets suite.

Usage: catcher.py OUT_FILE. Listens on 127.0.0.1 (a free port), prints its base URL on the first
line of stdout, and appends every request it receives to OUT_FILE as one JSON line
{"path": …, "headers": {…}, "body": …}; answers 200 "ok". Stops on SIGTERM.
"""
import json
import signal
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Catcher(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace")
        with open(sys.argv[1], "a", encoding="utf-8") as f:
            f.write(json.dumps({"path": self.path, "headers": dict(self.headers), "body": body}) + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Catcher)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
