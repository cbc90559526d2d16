#!/usr/bin/env python3
"""ctrd benchmark driver (bench/run.sh builds everything first and then runs this).

  bench.py --ctrd BIN --ctrctl BIN --helper BIN --rootfs DIR [--quick] [--only a,b] [--no-doc]

Starts a private ctrd (own --root/--socket in a temp dir), runs the metrics with ctrd and the
installed peers side by side, prints a table, writes bench/results/<metric>.json (quick runs:
bench/results/quick/) and, for full runs, regenerates docs/benchmarks.md and the scaling plot.
Everything it starts is stopped by pid at the end, also on Ctrl-C.
"""
import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
import metrics  # noqa: E402
import peers  # noqa: E402
import report  # noqa: E402
from lib import CLEANUP, Ctrd, HERE, REPO, log  # noqa: E402

FULL = dict(start_reps=100, start_reps_runtime=50, start_reps_podman=20, start_rounds=4,
            restart_n=100, restart_n_s6=6, restart_n_podman=15, restart_bound=60,
            stop_reps=40, stop_reps_s6=15, stop_reps_podman=8,
            scale_steps=[0, 100, 250, 500, 1000], ps_reps=40, create_workers=4, settle_s=1.0,
            mem_s6_k=50, mem_conmon_k=10, podman_ps_steps=[0, 50, 200], podman_ps_reps=10,
            cold_n=1000, cold_workers=4, cold_podman_k=20,
            psload_k=100, psload_calls=500,
            quiet_bound_s=60)
QUICK = dict(start_reps=20, start_reps_runtime=10, start_reps_podman=3, start_rounds=2,
             restart_n=30, restart_n_s6=2, restart_n_podman=4, restart_bound=30,
             stop_reps=10, stop_reps_s6=4, stop_reps_podman=2,
             scale_steps=[0, 50, 100], ps_reps=15, create_workers=4, settle_s=0.5,
             mem_s6_k=10, mem_conmon_k=3, podman_ps_steps=[0, 10], podman_ps_reps=3,
             cold_n=100, cold_workers=4, cold_podman_k=3,
             psload_k=100, psload_calls=100,
             quiet_bound_s=10)


class Ctx:
    pass


def machine_info(ctx):
    u = platform.uname()
    return {"kernel": f"{u.system} {u.release} {u.machine}", "cpu": lib.cpu_model(),
            "cores": os.cpu_count(), "ram_gib": round(lib.meminfo_kib("MemTotal") / 1048576, 1),
            "os": os_release(), "python": platform.python_version(),
            "cgroups": cgroup_layout(), "legacy_ns_for_crun": bool(peers.LEGACY),
            "peers": peers.versions(), "ctrd": lib.version_of([ctx.ctrd_bin, "--version"]),
            "ctrd_build": ctx.build_type, "git": git_rev()}


def os_release():
    try:
        with open("/etc/os-release") as f:
            for l in f:
                if l.startswith("PRETTY_NAME="):
                    return l.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.platform()


def cgroup_layout():
    import subprocess
    t = subprocess.run(["stat", "-fc", "%T", "/sys/fs/cgroup"], capture_output=True, text=True).stdout.strip()
    if t == "cgroup2fs":
        return "cgroup v2 (unified)"
    if os.path.ismount("/sys/fs/cgroup/unified"):
        return "hybrid (cgroup v1 controllers + cgroup2 at /sys/fs/cgroup/unified)"
    return "cgroup v1"


def git_rev():
    import subprocess
    r = subprocess.run(["git", "-C", REPO, "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return r.stdout.strip() + (" (working tree has uncommitted changes)" if dirty else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ctrd", required=True)
    ap.add_argument("--ctrctl", required=True)
    ap.add_argument("--helper", required=True)
    ap.add_argument("--rootfs", required=True)
    ap.add_argument("--work", required=True, help="temporary directory (removed at the end)")
    ap.add_argument("--build-type", default="Release")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="", help="comma list of: " + ",".join(n for n, _ in metrics.METRICS))
    ap.add_argument("--no-peers", action="store_true", help="skip podman, crun, runc and s6")
    ap.add_argument("--no-doc", action="store_true", help="do not regenerate docs/benchmarks.md")
    ap.add_argument("--doc", action="store_true", help="regenerate the doc even after --quick")
    ap.add_argument("--command-line", default="bench/run.sh")
    a = ap.parse_args()

    ctx = Ctx()
    ctx.quick = a.quick
    ctx.cfg = dict(QUICK if a.quick else FULL)
    ctx.work = a.work
    ctx.ctrd_bin, ctx.ctrctl_bin = os.path.abspath(a.ctrd), os.path.abspath(a.ctrctl)
    ctx.helper, ctx.rootfs = os.path.abspath(a.helper), os.path.abspath(a.rootfs)
    ctx.build_type = a.build_type
    only = [x for x in a.only.split(",") if x]
    unknown = set(only) - {n for n, _ in metrics.METRICS}
    if unknown:
        ap.error(f"unknown metric(s): {', '.join(sorted(unknown))}")
    results_dir = os.path.join(HERE, "results", "quick") if a.quick else os.path.join(HERE, "results")
    os.makedirs(results_dir, exist_ok=True)

    CLEANUP.install_signals()
    t_start = time.monotonic()
    try:
        ctx.podman = None
        if peers.have("podman") and not a.no_peers:
            ctx.podman = peers.Podman(ctx.work, ctx.rootfs)
            CLEANUP.add("podman store", ctx.podman.destroy)
        if a.no_peers:
            peers.have = metrics.have = lambda tool: False  # noqa: E731 (peers off for this run)
        info = machine_info(ctx)
        log(f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB, {info['kernel']}")
        log("peers: " + ", ".join(f"{k} {'yes' if v else 'MISSING'}" for k, v in info["peers"].items()))
        ctx.ctrd = Ctrd(ctx.ctrd_bin, ctx.ctrctl_bin, ctx.work, "ctrd-main").start()
        all_results = {}
        for name, fn in metrics.METRICS:
            if only and name not in only:
                continue
            log(f"== {name}: waiting for a quiet CPU (≤ {ctx.cfg['quiet_bound_s']} s) ...")
            quiet = lib.wait_quiet(10, 3.0, ctx.cfg["quiet_bound_s"])
            log(f"   {'quiet' if quiet['quiet'] else 'NOT quiet'}: busy {quiet['busy_pct']} %, "
                f"load {quiet['load']}; measuring {fn.__doc__.strip().splitlines()[0]}")
            before = lib.env_note()
            t0 = time.monotonic()
            r = fn(ctx)
            r.update(metric=name, title=" ".join((fn.__doc__ or "").strip().split("\n\n")[0].split()), quick=a.quick, quiet=quiet,
                     env_before=before, env_after=lib.env_note(), duration_s=round(time.monotonic() - t0, 1),
                     machine=info, config=ctx.cfg, command=a.command_line, work=ctx.work)
            all_results[name] = r
            with open(os.path.join(results_dir, f"{name}.json"), "w") as f:
                json.dump(r, f, indent=1)
            report.print_metric(r)
        ctx.ctrd.stop()
        log(f"total {time.monotonic() - t_start:.0f} s")
        report.print_summary(all_results)
        if (not a.quick or a.doc) and not a.no_doc:
            path = report.write_doc(results_dir)
            log(f"wrote {os.path.relpath(path, REPO)} and the scaling plot")
        else:
            log(f"results in {os.path.relpath(results_dir, REPO)}/ (quick run: docs/benchmarks.md untouched)")
    finally:
        CLEANUP.run()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt as e:
        log(f"interrupted ({e}); everything started was stopped and removed")
        sys.exit(130)
