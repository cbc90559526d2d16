#!/usr/bin/env python3
"""compile-only.py COMPILE_COMMANDS SOURCE_DIR FOLDER...: compiles every C++ file of the
given source folders with its exact command from the build's compile_commands.json, but
with -fsyntax-only (parsing, templates, warnings as errors; no code generation, no object
file, no link) and without the compiler launcher (ccache cannot cache it). One
compiler per core. Used by scripts/cross-test.sh --compile-only for aarch64. Exits non-zero and
prints the compiler's output for each file that fails."""
import json
import os
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor


def syntax_only(entry):
    args = shlex.split(entry["command"])
    if os.path.basename(args[0]) == "ccache":
        args = args[1:]
    out = []
    skip = False
    for a in args:
        if skip:
            skip = False
        elif a == "-o":
            skip = True
        elif a in ("-c", "-MD") or a.startswith("-MF") or a.startswith("-MT"):
            continue
        else:
            out.append(a)
    return out[:1] + ["-fsyntax-only"] + out[1:]


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: compile-only.py COMPILE_COMMANDS SOURCE_DIR FOLDER...")
    entries = json.load(open(sys.argv[1]))
    src = os.path.realpath(sys.argv[2])
    folders = [os.path.join(src, f) + os.sep for f in sys.argv[3:]]
    chosen = {}
    for e in entries:
        f = os.path.realpath(os.path.join(e["directory"], e["file"]))
        if any(f.startswith(d) for d in folders):
            chosen[f] = e  # one compile per file (a file in two targets is compiled once)
    if not chosen:
        sys.exit("compile-only.py: no file of " + " ".join(sys.argv[3:]) + " in " + sys.argv[1])

    def run(item):
        f, e = item
        p = subprocess.run(syntax_only(e), cwd=e["directory"], capture_output=True, text=True)
        return f, p.returncode, p.stdout + p.stderr

    failed = 0
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for f, rc, text in pool.map(run, sorted(chosen.items())):
            if rc != 0:
                failed += 1
                print("FAILED: " + os.path.relpath(f, src) + "\n" + text, flush=True)
    print("compile-only: %d files, %d failed" % (len(chosen), failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
