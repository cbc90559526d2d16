#!/usr/bin/env python3
"""Interleaved A/B of `ctrctl run --rm` starts and policy-restart rates between two ctrd
builds or two daemon flag sets, for a busy machine where only side-by-side figures mean
anything (docs/benchmarks.md, "What the security defaults cost").

  sudo bench/ab.py --a BUILD_DIR [--a-flags "..."] --b BUILD_DIR [--b-flags "..."] [-n 100]
                   [--rootfs DIR] [--restart-seconds 5]

Each side gets its own ctrd (temporary --root and --socket); starts alternate between the
sides (order swapped every round, 5 warm-up rounds not counted); the restart test runs a
`restart always` container of /bin/false with no delay on both sides at once and counts
its restarts. Everything started is stopped by pid."""
import argparse, json, os, shlex, signal, statistics, subprocess, sys, tempfile, time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("--a-flags", default="")
    ap.add_argument("--b-flags", default="")
    ap.add_argument("-n", type=int, default=100)
    ap.add_argument("--rootfs", default="", help="also time rootfs starts (a busybox root)")
    ap.add_argument("--restart-seconds", type=float, default=5)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="ctrd-ab.")
    sides = {"a": (args.a, shlex.split(args.a_flags)), "b": (args.b, shlex.split(args.b_flags))}
    procs = {}
    try:
        for k, (build, flags) in sides.items():
            d = os.path.join(work, k)
            os.makedirs(d)
            procs[k] = subprocess.Popen(
                [f"{build}/supervisor/ctrd", "--root", d + "/root", "--socket", d + "/s.sock",
                 "--config-dir", "", "--log-level", "warn"] + flags,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.5)

        def ctl(k, *a, **kw):
            return subprocess.run([f"{sides[k][0]}/ctl/ctrctl", "--socket",
                                   os.path.join(work, k, "s.sock")] + list(a), **kw)

        modes = ["host"] + (["rootfs"] if args.rootfs else [])
        times = {(k, m): [] for k in sides for m in modes}
        for i in range(args.n + 5):
            order = ["a", "b"] if i % 2 == 0 else ["b", "a"]
            for k in order:
                for m in modes:
                    cmd = ["run", "--rm"] + (["--rootfs", args.rootfs] if m == "rootfs" else [])
                    t = time.perf_counter()
                    ctl(k, *cmd, "/bin/true", check=True)
                    if i >= 5:
                        times[(k, m)].append((time.perf_counter() - t) * 1000)
        for (k, m), v in sorted(times.items()):
            v.sort()
            print(f"{k} {m:6s} run --rm: n={len(v)} median {statistics.median(v):.2f} ms "
                  f"p90 {v[int(len(v) * 0.9)]:.2f} min {v[0]:.2f}")
        for k in sides:
            ctl(k, "run", "-d", "--name", "loop", "--restart", "always", "--restart-delay", "0",
                "--restart-limit", "0", "/bin/false", check=True, stdout=subprocess.DEVNULL)
        time.sleep(args.restart_seconds)
        for k in sides:
            out = ctl(k, "inspect", "loop", check=True, capture_output=True, text=True).stdout
            count = json.loads(out)[0]["RestartCount"]
            print(f"{k} policy restarts of /bin/false in {args.restart_seconds:g} s: {count}")
            ctl(k, "rm", "-f", "loop", stdout=subprocess.DEVNULL)
    finally:
        for p in procs.values():
            p.send_signal(signal.SIGTERM)
            p.wait()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    sys.exit(main())
