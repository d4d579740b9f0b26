"""catcher.py DIR — a webhook catcher for tests: serves HTTP on 127.0.0.1 (a free port, written to
DIR/port), answers every POST with 200 "ok" and appends its body, one line, to DIR/<first path
segment>.log, so that each test case points its webhook at its own path."""
import http.server
import os
import sys

out = sys.argv[1]


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        name = self.path.strip("/").split("/")[0] or "root"
        with open(os.path.join(out, name + ".log"), "ab") as f:
            f.write(body.replace(b"\n", b" ") + b"\n")
        try:
            self.send_response(200)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        except OSError:  # the sender was killed (a crash test): its delivery is logged already
            pass

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
with open(os.path.join(out, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(out, "port.tmp"), os.path.join(out, "port"))
server.serve_forever()
