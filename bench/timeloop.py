#!/usr/bin/env python3
"""Time a command N times (posix_spawn + waitpid, output discarded) and print JSON
{"ns": [...], "fails": k}. The suite runs this inside peers/legacyns.sh for the crun rows, so
that the namespace set-up is not part of the figures.
Usage: timeloop.py --reps N [--warmup W] -- ARGV..."""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import time_cmd  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--reps", type=int, required=True)
ap.add_argument("--warmup", type=int, default=2)
ap.add_argument("argv", nargs=argparse.REMAINDER)
a = ap.parse_args()
argv = a.argv[1:] if a.argv and a.argv[0] == "--" else a.argv
ns, fails = time_cmd(argv, a.reps, a.warmup)
json.dump({"ns": ns, "fails": fails}, sys.stdout)
