#!/usr/bin/env python3
"""A webhook that accepts connections and never answers (a dead Slack): prints its port, then
holds every connection open until it is killed. Usage: dead_webhook.py"""
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)  # accept, read nothing, never answer
