#!/usr/bin/env python3
"""rename_symbols.py — applies scripts/dev/rename_symbols.map to the source tree (docs/architecture.md, "Names").

Usage: scripts/dev/rename_symbols.py [--map FILE] [--root DIR] [--check]

The map has one rename a line ('#' starts a comment):
  old new [dir]        identifier rename: every whole-word occurrence of `old` that is not a member
                       access (after `.` or `->`) becomes `new`, in *.c *.h *.y *.l under base grammar
                       interp stdlib sim tests bench (only under `dir` when given), outside string
                       literals, and inside `code spans` of docs/*.md;
  file old/path new/path  a file rename (git mv when old/path exists), and every mention of the old
                       base name (`#include "x.h"`, docs) becomes the new one.
Idempotent: re-running after it was applied changes nothing, so it can be re-run after merging branches
that still use the old names. --check only lists the files it would change and exits 1 if any.
"""
import argparse, os, re, subprocess, sys

CODE_DIRS = ("base", "grammar", "interp", "stdlib", "sim", "tests", "bench")
CODE_EXT = (".c", ".h", ".y", ".l")
# A C string or character literal (group 1), or a run of other text (group 2).
LITERAL = re.compile(r"""("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])+')|([^"']+|["'])""")


def read_map(path):
    """Returns (identifier renames [(old, new, dir)], file renames [(old, new)])."""
    idents, files = [], []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if words[0] == "file" and len(words) == 3:
            files.append((words[1], words[2]))
        elif len(words) in (2, 3) and all(re.fullmatch(r"[A-Za-z_]\w*", w) for w in words[:2]):
            idents.append((words[0], words[1], words[2] if len(words) == 3 else ""))
        else:
            sys.exit(f"{path}:{n}: cannot read this line")
    return idents, files


def sources(root):
    """Returns the paths (relative to root) of the files the renames apply to."""
    out = []
    for d in CODE_DIRS:
        for base, _, names in os.walk(os.path.join(root, d)):
            out += [os.path.relpath(os.path.join(base, f), root) for f in names if f.endswith(CODE_EXT)]
    docs = os.path.join(root, "docs")
    out += [os.path.join("docs", f) for f in os.listdir(docs) if f.endswith(".md")]
    return sorted(out)


def realign(old, new):
    """Returns new with the line-continuation backslashes of renamed lines (X-macro tables,
    multi-line macros) back in the column of their unchanged neighbours."""
    a, b = old.split("\n"), new.split("\n")
    if len(a) != len(b):
        return new
    for i, line in enumerate(b):
        if line == a[i] or not line.endswith("\\"):
            continue
        col = None
        for step in (-1, 1):  # the nearest unchanged line of the same macro, above then below
            j = i + step
            while col is None and 0 <= j < len(b) and b[min(j, j - step)].endswith("\\"):
                if b[j] == a[j] and b[j].endswith("\\"):
                    col = len(b[j])
                j += step
            if col:
                break
        body = line[:-1].rstrip()
        if col and len(body) < col - 1:
            b[i] = body.ljust(col - 1) + "\\"
    for i in range(len(b) - 1):  # arguments continued under a renamed call's or declaration's '('
        if a[i] == b[i]:
            continue
        oc, nc = open_paren(a[i]), open_paren(b[i])
        j = i + 1
        while oc is not None and nc is not None and oc != nc and j < len(b) and \
                indent(a[j]) == oc + 1 and indent(b[j]) == oc + 1 and a[j].strip():
            b[j] = " " * (nc + 1) + b[j].lstrip(" ")
            if open_paren(a[j]) is not None:
                break
            j += 1
        os_, ns = last_string(a[i]), last_string(b[i])
        j = i + 1
        while os_ is not None and ns is not None and os_ != ns and j < len(b) and \
                indent(a[j]) == os_ and indent(b[j]) == os_ and a[j].lstrip().startswith('"'):
            b[j] = " " * ns + b[j].lstrip(" ")  # a string continued under the string it extends
            j += 1
    return "\n".join(b)


def last_string(line):
    """Returns the column where the last string literal of line starts, or None."""
    starts = [m.start() for m in re.finditer(r'"(?:\\.|[^"\\])*"', line)]
    return starts[-1] if starts else None


def indent(line):
    """Returns the number of leading spaces of line."""
    return len(line) - len(line.lstrip(" "))


def open_paren(line):
    """Returns the column of the innermost '(' that line leaves open (string literals skipped), or None."""
    stack = []
    for m in re.finditer(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])+\'|[()]', line):
        if m.group(0) == "(":
            stack.append(m.start())
        elif m.group(0) == ")" and stack:
            stack.pop()
    return stack[-1] if stack else None


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--map", default=os.path.join(here, "rename_symbols.map"))
    ap.add_argument("--root", default=os.path.normpath(os.path.join(here, "..", "..")))
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    idents, files = read_map(a.map)

    changed = []
    for old, new in files:
        if os.path.exists(os.path.join(a.root, old)):
            changed.append(old)
            if not a.check:
                subprocess.run(["git", "mv", old, new], cwd=a.root, check=True)

    word = lambda s: r"(?<![\w.])" + re.escape(s) + r"(?!\w)"
    file_res = [(re.compile(word(os.path.basename(o))), os.path.basename(n)) for o, n in files]
    ident_res = {}
    for old, new, d in idents:
        ident_res.setdefault(d, []).append((old, new))
    # One alternation per scope: a single pass, so that a -> b, b -> c never chains.
    scoped = []
    for d, pairs in ident_res.items():
        table = dict(pairs)
        rx = re.compile(r"(?<![\w.])(?<!->)(" + "|".join(re.escape(o) for o, _ in
                                                        sorted(pairs, key=lambda p: -len(p[0]))) + r")(?!\w)")
        scoped.append((d, rx, table))

    for rel in sources(a.root):
        path = os.path.join(a.root, rel)
        text = open(path, encoding="utf-8").read()
        new = text
        for rx, nb in file_res:
            new = rx.sub(nb, new)

        def apply(s, rel=rel):
            for d, rx, table in scoped:
                if not d or rel.startswith(d.rstrip("/") + "/"):
                    s = rx.sub(lambda m: table[m.group(1)], s)
            return s

        if rel.endswith(".md"):
            new = re.sub(r"`[^`\n]+`", lambda m: apply(m.group(0)), new)
        else:  # code outside string and character literals
            new = LITERAL.sub(lambda m: m.group(1) or apply(m.group(2)), new)
        new = realign(text, new)
        if new != text:
            changed.append(rel)
            if not a.check:
                open(path, "w", encoding="utf-8").write(new)
    for c in changed:
        print(c)
    return 1 if a.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
