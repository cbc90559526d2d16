#!/usr/bin/env python3
"""Boot time (issue 16): from the exec of ctrd to N service-file containers running, as a
ratio to N plain fork/execs of the same program measured in the same run, interleaved.

  bench/boot.py --ctrd BUILD/supervisor/ctrd [--services 20] [--rounds 10] [--json OUT]

Each round, in turn:
  floor  `bench-helper spawn N FIFO`: one exec, then N fork/execs of `bench-helper ready FIFO`
  cold   `ctrd --root EMPTY --config-dir DIR` (N service files running `bench-helper ready
         FIFO`): the containers are created from the files, then started
  warm   ctrd again on the root the cold run left (stopped with SIGTERM): the containers
         exist and are only started, as at a device's reboot
Every run is timed from just before the exec (fork of this script) to the Nth byte on the
FIFO: each `ready` writes one byte once it runs, so "running" means the container's process
has been exec'd and got the CPU (stronger than state "Up", and without a client polling
ctrd). ctrd is stopped by its PID (SIGTERM: it stops its containers, then exits); the floor
by its process group (the spawner and its children). As root, when ctrd runs its
containers in their own namespaces; otherwise what an unprivileged ctrd does.
"""
import argparse
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def build_helper(work):
    out = os.path.join(work, "bench-helper")
    subprocess.run(["cc", "-O2", "-static", "-o", out, os.path.join(HERE, "helper.c")], check=True)
    return out


def wait_bytes(fd, n, timeout):
    """Returns the monotonic times (s) at which each of n bytes arrived on fd."""
    got, times, end = 0, [], time.monotonic() + timeout
    while got < n:
        left = end - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"{got} of {n} readiness bytes after {timeout} s")
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        data = os.read(fd, n - got)
        t = time.monotonic()
        times += [t] * len(data)
        got += len(data)
    return times


def open_fifo(path):
    if os.path.exists(path):
        os.unlink(path)
    os.mkfifo(path, 0o666)
    return os.open(path, os.O_RDWR | os.O_NONBLOCK)  # RDWR: never EOF between writers


def run_floor(helper, fifo, fd, n):
    t0 = time.monotonic()
    p = subprocess.Popen([helper, "spawn", str(n), fifo], start_new_session=True)
    times = wait_bytes(fd, n, 30)
    os.killpg(p.pid, signal.SIGTERM)
    p.wait()
    return (times[-1] - t0) * 1e3, (times[0] - t0) * 1e3


def write_services(confdir, helper, fifo, n):
    os.makedirs(confdir, exist_ok=True)
    for i in range(n):
        with open(os.path.join(confdir, f"svc{i:02d}.toml"), "w") as f:
            f.write(f'command = ["{helper}", "ready", "{fifo}"]\n')


def run_ctrd(ctrd, root, sock, confdir, fd, n, log):
    t0 = time.monotonic()
    p = subprocess.Popen([ctrd, "--root", root, "--socket", sock, "--config-dir", confdir],
                         stdout=log, stderr=subprocess.STDOUT)
    try:
        times = wait_bytes(fd, n, 60)
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return (times[-1] - t0) * 1e3, (times[0] - t0) * 1e3


def pct(v, q):
    s = sorted(v)
    return s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ctrd", required=True, help="the holder, BUILD/supervisor/ctrd")
    ap.add_argument("--services", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--helper", help="a built bench-helper (default: cc bench/helper.c)")
    ap.add_argument("--json", help="write the figures here too")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    a = ap.parse_args()
    n = a.services
    work = tempfile.mkdtemp(prefix="ctrd-boot-")
    os.chmod(work, 0o755)
    helper = a.helper or build_helper(work)
    fifo = os.path.join(work, "ready.fifo")
    fd = open_fifo(fifo)
    confdir = os.path.join(work, "services")
    write_services(confdir, helper, fifo, n)
    res = {"floor": [], "cold": [], "warm": [], "floor_first": [], "cold_first": [],
           "warm_first": []}
    load_before = os.getloadavg()
    log = open(os.path.join(work, "ctrd.log"), "ab")
    try:
        run_floor(helper, fifo, fd, n)  # warm-up: page cache, binaries
        for r in range(a.rounds + 1):
            root = os.path.join(work, f"root{r}")
            sock = os.path.join(work, f"ctrd{r}.sock")
            f_all, f_first = run_floor(helper, fifo, fd, n)
            c_all, c_first = run_ctrd(a.ctrd, root, sock, confdir, fd, n, log)
            w_all, w_first = run_ctrd(a.ctrd, root, sock, confdir, fd, n, log)
            shutil.rmtree(root, ignore_errors=True)
            if r == 0:
                continue  # warm-up round
            for k, v in (("floor", f_all), ("cold", c_all), ("warm", w_all),
                         ("floor_first", f_first), ("cold_first", c_first),
                         ("warm_first", w_first)):
                res[k].append(v)
    finally:
        log.close()
        os.close(fd)
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()
    med = {k: pct(v, 0.5) for k, v in res.items()}
    p90 = {k: pct(v, 0.9) for k, v in res.items()}
    out = {"services": n, "rounds": a.rounds, "ctrd": os.path.abspath(a.ctrd),
           "load_before": load_before, "load_after": load_after,
           "median_ms": med, "p90_ms": p90, "runs_ms": res,
           "ratio_cold": med["cold"] / med["floor"], "ratio_warm": med["warm"] / med["floor"]}
    print(f"boot, {n} services, {a.rounds} interleaved rounds, load "
          f"{load_before[0]:.1f} -> {load_after[0]:.1f} (1-min avg)")
    for k, label in (("floor", f"{n} plain fork/execs"), ("cold", "ctrd, empty root"),
                     ("warm", "ctrd, containers exist")):
        print(f"  {label:24s} median {med[k]:7.1f} ms  p90 {p90[k]:7.1f} ms  "
              f"(first running: {med[k + '_first']:.1f} ms)")
    print(f"  ratio cold / floor {out['ratio_cold']:.1f}x, warm / floor {out['ratio_warm']:.1f}x")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)
    if a.keep:
        print(f"work directory kept: {work}")


if __name__ == "__main__":
    sys.exit(main())
