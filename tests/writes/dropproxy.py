#!/usr/bin/env python3
"""dropproxy.py — a TCP proxy on loopback that loses the answers of writes.

Usage: dropproxy.py UPSTREAM_PORT DROP_LOG [LIFETIME_S]

Listens on 127.0.0.1 (a free port, printed on the first line of stdout) and relays every
connection to 127.0.0.1:UPSTREAM_PORT. It reads the client's HTTP/1.1 requests (Content-Length
bodies). The first time it sees each write (a method other than GET, HEAD, OPTIONS, or a
WebSocket upgrade to a pod's exec, which runs the command) to a given path, it forwards the
request, waits for the first byte of the server's answer — so the server has applied it — and
then resets the client's connection (RST) instead of passing the answer on; it appends "METHOD
PATH" to DROP_LOG. Later sends of the same write pass untouched. Every other byte is relayed
unchanged (watch streams included; after an upgrade, the WebSocket's frames). It exits after LIFETIME_S (120 s by
default) so that a failed test cannot leave it behind.
"""
import os
import socket
import struct
import sys
import threading

UPSTREAM = int(sys.argv[1])
DROP_LOG = sys.argv[2]
LIFETIME = float(sys.argv[3]) if len(sys.argv) > 3 else 120.0
SAFE = {"GET", "HEAD", "OPTIONS"}

seen = set()
seen_lock = threading.Lock()


def reset(sock):
    """Closes sock with an RST (linger 0)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def read_request(client, buf):
    """Returns (request bytes, method, path, rest of buf) or None when the client is done."""
    while b"\r\n\r\n" not in buf:
        data = client.recv(65536)
        if not data:
            return None
        buf += data
    head, _, buf = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target = lines[0].split(" ")[:2]
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    while len(buf) < length:
        data = client.recv(65536)
        if not data:
            return None
        buf += data
    body, buf = buf[:length], buf[length:]
    return head + b"\r\n\r\n" + body, method, target.split("?")[0], buf


def relay_answers(upstream, client, state):
    """Passes the server's bytes to the client, or loses them for a write marked to drop."""
    try:
        while True:
            data = upstream.recv(65536)
            if not data:
                break
            if state["drop"]:
                reset(client)
                state["dropped"] = True
                break
            client.sendall(data)
    except OSError:
        pass
    finally:
        try:
            upstream.close()
        except OSError:
            pass
        if not state["dropped"]:
            try:
                client.shutdown(socket.SHUT_WR)
            except OSError:
                pass


def serve(client):
    """Relays one client connection."""
    upstream = socket.create_connection(("127.0.0.1", UPSTREAM))
    state = {"drop": False, "dropped": False}
    t = threading.Thread(target=relay_answers, args=(upstream, client, state), daemon=True)
    t.start()
    buf = b""
    try:
        while not state["dropped"]:
            req = read_request(client, buf)
            if req is None:
                break
            raw, method, path, buf = req
            upgrade = b"\r\nupgrade: websocket" in raw.lower()
            if method not in SAFE or (upgrade and path.endswith("/exec")):
                key = method + " " + path
                with seen_lock:
                    first = key not in seen
                    seen.add(key)
                if first:
                    with open(DROP_LOG, "a", encoding="utf-8") as f:
                        f.write(key + "\n")
                    state["drop"] = True
            upstream.sendall(raw)
            if state["drop"]:
                t.join(30)
                break
            if upgrade:  # no more HTTP requests on this connection: relay the frames as they are
                upstream.sendall(buf)
                while (data := client.recv(65536)):
                    upstream.sendall(data)
                break
    except OSError:
        pass
    finally:
        if not state["dropped"]:
            try:
                upstream.shutdown(socket.SHUT_WR)
            except OSError:
                pass


def main():
    threading.Timer(LIFETIME, lambda: os._exit(2)).start()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    print("http://127.0.0.1:%d" % srv.getsockname()[1], flush=True)
    while True:
        client, _ = srv.accept()
        threading.Thread(target=serve, args=(client,), daemon=True).start()


main()
