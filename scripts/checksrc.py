#!/usr/bin/env python3
# checksrc.py — checks the house rules of docs/style.md that a machine can check, over the sources
# under base/ grammar/ interp/ stdlib/ sim/ (like curl's checksrc for its CODE_STYLE.md).
# Usage: scripts/checksrc.py [SOURCE_DIR]
# Prints "file:line: rule: message" for every violation and exits 1 when there is any, else 0.
# The rules (see docs/style.md for the why):
#   header     every .c/.h/.l/.y starts with "/* NAME — what it is for."
#   ownership  every header that mentions a pointer type has an "Ownership:" line in a comment
#   length     no source file is over 800 lines
#   layer      an #include "x.h" names a header of the including file's own layer or of a layer in
#              its DEPS closure; the layers, their folders and their DEPS come from the rbk_layer()
#              calls of CMakeLists.txt (so there is no second list to keep)
#   realloc    no realloc( outside base/ (arrays grow with base/grow.h, byte strings with valbuf.h)
#   comment    every non-static function definition in a .c file has a comment line right above it
import os
import re
import sys

ROOTS = ("base", "grammar", "interp", "stdlib", "sim")
MAX_LINES = 800
EXTS = (".c", ".h", ".l", ".y")

src = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
problems = []


def report(path, line, rule, message):
    """Records one violation."""
    problems.append(f"{os.path.relpath(path, src)}:{line}: {rule}: {message}")


def sources():
    """Returns every checked file, sorted."""
    out = []
    for root in ROOTS:
        for d, _, names in os.walk(os.path.join(src, root)):
            out += [os.path.join(d, n) for n in names if n.endswith(EXTS)]
    return sorted(out)


def strip_comments(text):
    """Returns text without its comments and string literals (newlines kept, so line numbers hold)."""
    def blank(m):
        s = m.group(0)
        if s.startswith("/*") or s.startswith("//"):
            return re.sub(r"[^\n]", " ", s)
        return '""' if s.startswith('"') else "''"
    return re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', blank, text, flags=re.S)


def layers():
    """Returns (dir → layer, layer → set of layers it may include) from CMakeLists.txt's rbk_layer() calls."""
    text = open(os.path.join(src, "CMakeLists.txt"), encoding="utf-8").read()
    text = re.sub(r"#[^\n]*", "", text)
    dir_layer, deps = {}, {}
    for m in re.finditer(r"^\s*rbk_layer\(\s*(\w+)(.*?)\)", text, flags=re.S | re.M):
        name, words, key, args = m.group(1), m.group(2).split(), None, {"DIRS": [], "DEPS": []}
        for w in words:
            if w in ("DIRS", "DEPS", "LIBS", "EXTRA"):
                key = w
            elif key in args:
                args[key].append(w)
        for d in args["DIRS"]:
            dir_layer[os.path.normpath(d)] = name
        deps[name] = args["DEPS"]
    closure = {}

    def close(name, seen=()):
        """Returns name and every layer below it."""
        if name not in closure:
            out = {name}
            for d in deps.get(name, []):
                if d in seen:
                    continue
                out |= close(d, seen + (name,))
            closure[name] = out
        return closure[name]
    for name in deps:
        close(name)
    return dir_layer, closure


def check_header_line(path, lines):
    """header: the first line names the file and says what it is for."""
    name = os.path.basename(path)
    first = lines[0] if lines else ""
    if not re.match(r"^/\* " + re.escape(name) + r" — \S", first):
        report(path, 1, "header", f'the first line must be "/* {name} — what it is for."')


def check_ownership(path, text):
    """ownership: a header that mentions a pointer type says who owns what."""
    if "*" in strip_comments(text) and not re.search(r"Ownership:", text):
        report(path, 1, "ownership", 'a header that passes pointers needs an "Ownership:" line in a comment')


def check_layers(path, lines, dir_layer, closure, header_dirs):
    """layer: includes go to the file's own layer or to a lower layer it depends on."""
    rel = os.path.relpath(os.path.dirname(path), src)
    mine = dir_layer.get(os.path.normpath(rel))
    if not mine:
        return
    for i, line in enumerate(lines, 1):
        m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
        if not m:
            continue
        inc = m.group(1)
        if os.path.exists(os.path.join(os.path.dirname(path), inc)):
            where = [os.path.normpath(os.path.join(rel, os.path.dirname(inc)))]
        else:
            where = header_dirs.get(os.path.basename(inc), [])
        owners = {dir_layer[d] for d in where if d in dir_layer}
        if owners and not owners & closure[mine]:
            report(path, i, "layer", f'"{inc}" belongs to {", ".join(sorted(owners))}, which {mine} does not depend on')


def check_realloc(path, text):
    """realloc: growth goes through base/grow.h or base/valbuf.h."""
    if os.path.relpath(path, src).startswith("base" + os.sep):
        return
    for i, line in enumerate(strip_comments(text).split("\n"), 1):
        if re.search(r"\brealloc\s*\(", line):
            report(path, i, "realloc", "grow arrays with GROW (grow.h) and byte strings with valbuf (valbuf.h)")


def check_function_comments(path, text):
    """comment: each non-static function definition has a comment line right above it."""
    code = strip_comments(text).split("\n")
    raw = text.split("\n")
    i = 0
    while i < len(code):
        line = code[i]
        start = i
        if re.match(r"[A-Za-z_]", line) and "(" in line and not re.match(
                r"(static|typedef|struct\s+\w+\s*\{|enum|union|extern|return|else|if|for|while|switch)\b", line) \
                and not line.rstrip().endswith(";"):
            # the signature may span lines: find its end, a '{' (a definition) or a ';' (a declaration)
            j = i
            while j < len(code) and "{" not in code[j] and ";" not in code[j]:
                j += 1
            if j < len(code) and "{" in code[j] and (";" not in code[j] or code[j].index("{") < code[j].index(";")) \
                    and "=" not in "".join(code[start:j + 1]).split("(")[0]:
                above = raw[start - 1].rstrip() if start > 0 else ""
                if not above.endswith("*/") and not above.lstrip().startswith("//"):
                    name = re.search(r"(\w+)\s*\(", line)
                    report(path, start + 1, "comment",
                           f"{name.group(1) if name else 'function'}() needs a one-line comment above it saying what it returns or does")
            i = j + 1 if j > i else i + 1
            continue
        i += 1


def main():
    """Runs every check; returns the exit status."""
    dir_layer, closure = layers()
    files = sources()
    header_dirs = {}
    for f in files:
        if f.endswith(".h"):
            header_dirs.setdefault(os.path.basename(f), []).append(os.path.normpath(os.path.relpath(os.path.dirname(f), src)))
    for f in files:
        text = open(f, encoding="utf-8").read()
        lines = text.split("\n")
        check_header_line(f, lines)
        n = len(lines) - (1 if text.endswith("\n") else 0)
        if n > MAX_LINES:
            report(f, MAX_LINES + 1, "length", f"{n} lines, more than {MAX_LINES}: split the file by concern")
        if f.endswith(".h"):
            check_ownership(f, text)
        check_layers(f, lines, dir_layer, closure, header_dirs)
        check_realloc(f, text)
        if f.endswith(".c"):
            check_function_comments(f, text)
    for p in problems:
        print(p)
    if problems:
        print(f"checksrc: {len(problems)} problem(s); the rules are in docs/style.md", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
