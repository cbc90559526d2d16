#!/usr/bin/env python3
"""compile-only.py COMPILE_COMMANDS SOURCE_DIR [--assemble=F1,F2] FOLDER|FILE...: compiles
the given files and every C++ file of the given source folders with its exact command from the build's
compile_commands.json, but with -fsyntax-only (parsing, templates, warnings as errors; no
code generation, no object file, no link) and without the compiler launcher (ccache cannot
cache it). Files of the --assemble folders are compiled and assembled to /dev/null instead:
inline assembly and asm constraints are only checked then. One
compiler per core. Used by scripts/cross-test.sh --compile-only for aarch64. Exits non-zero and
prints the compiler's output for each file that fails."""
import json
import os
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor


def syntax_only(entry, assemble):
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
    if assemble:
        return out[:1] + ["-c", "-o", os.devnull] + out[1:]
    return out[:1] + ["-fsyntax-only"] + out[1:]


def main():
    args = sys.argv[1:]
    assemble = []
    for a in list(args):
        if a.startswith("--assemble="):
            assemble = [f for f in a.split("=", 1)[1].split(",") if f]
            args.remove(a)
    if len(args) < 3:
        sys.exit("usage: compile-only.py COMPILE_COMMANDS SOURCE_DIR [--assemble=F,..] FOLDER|FILE...")
    entries = json.load(open(args[0]))
    src = os.path.realpath(args[1])
    files = [os.path.join(src, f) for f in args[2:] if os.path.isfile(os.path.join(src, f))]
    folders = [os.path.join(src, f) + os.sep for f in args[2:] if os.path.join(src, f) not in files]
    assembled = [os.path.join(src, f) + os.sep for f in assemble]
    chosen = {}
    for e in entries:
        f = os.path.realpath(os.path.join(e["directory"], e["file"]))
        if f in files or any(f.startswith(d) for d in folders):
            chosen[f] = e  # one compile per file (a file in two targets is compiled once)
    if not chosen:
        sys.exit("compile-only.py: no file of " + " ".join(args[2:]) + " in " + args[0])

    def run(item):
        f, e = item
        cmd = syntax_only(e, any(f.startswith(d) for d in assembled))
        p = subprocess.run(cmd, cwd=e["directory"], capture_output=True, text=True)
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
