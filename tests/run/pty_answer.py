#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, answers its approval prompt, and prints what it showed.

Usage: pty_answer.py ANSWER CMD ARGS...  — waits for "[y/N]" on the terminal, types ANSWER and
Enter, reads to the end, prints the transcript and exits with the command's exit code (or 99 when
no prompt came within 20 s). PTY_COLS=N gives the terminal N columns (default: 80)."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from simrun import pty_run  # noqa: E402


def main():
    answer, argv = sys.argv[1], sys.argv[2:]
    answered = []

    def react(fd, seen):
        if not answered and b"[y/N]" in seen:
            time.sleep(0.3)  # let the countdown redraw once
            os.write(fd, answer.encode() + b"\r")
            answered.append(True)
    code, text = pty_run(argv, 20, react, cols=int(os.environ.get("PTY_COLS", "80")))
    sys.stdout.write(text)
    sys.exit(99 if code is None else code)


main()
