#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, answers its approval prompt, and prints what it showed.

Usage: pty_answer.py ANSWER CMD ARGS...  — waits for "[y/N]" on the terminal, types ANSWER and
Enter, reads to the end, prints the transcript and exits with the command's exit code (or 99 when
no prompt came within 20 s). PTY_COLS=N gives the terminal N columns (default: 80)."""
import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time


def main():
    answer, argv = sys.argv[1], sys.argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    cols = int(os.environ.get("PTY_COLS", "80"))
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
    seen, answered, deadline = b"", False, time.time() + 20
    while True:
        if time.time() > deadline:
            os.kill(pid, 9)
            sys.stdout.write(seen.decode("utf-8", "replace"))
            sys.exit(99)
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if not answered and b"[y/N]" in seen:
            time.sleep(0.3)  # let the countdown redraw once
            os.write(fd, answer.encode() + b"\r")
            answered = True
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(seen.decode("utf-8", "replace"))
    sys.exit(os.waitstatus_to_exitcode(status))


main()
