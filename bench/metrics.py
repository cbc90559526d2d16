"""The measurements. Each metric function takes the run context and returns a result dict:

  rows     : [{key, label, command, kind (floor|ctrd|peer), stats | value, ...}]
  summary  : [{metric, ctrd, floor, peers, ratio, target, met}] (pre-formatted, one table line each)
  skipped  : [{peer, why}]
  notes    : [str]
  extra    : anything else (scaling points, restart rates, ...)
"""
import json
import os
import shlex
import signal
import subprocess
import sys
import time

import peers
from lib import (CLEANUP, Ctrd, DEVNULL, HERE, children, chunks, comm, fmt, log, parallel, smaps,
                 smaps_sum, spawn_wait, stats_ms, stop_proc, threads, time_cmd, wait_until)
from peers import LEGACY, have


def q(argv):
    """A command as a user would type it (paths of the run shortened to placeholders)."""
    return " ".join(shlex.quote(a) for a in argv)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fill_ratios(res, floor, ctrd):
    """Sets each measured row's ratios to the floor's and to ctrd's median."""
    for r in res["rows"]:
        m = r["stats"]["median"] if r.get("stats") else None
        r["x_floor"] = ratio(m, floor)
        r["x_ctrd"] = ratio(m, ctrd)


def fr(x, digits=1):
    return "–" if x is None else f"{x:.{digits}f}×"


def met_parts(parts):
    """True/False when all parts agree, else e.g. "per container: yes; base: no"."""
    vals = {v for _, v in parts}
    if len(vals) == 1:
        return vals.pop()
    return "; ".join(f"{n}: {'yes' if v else '**no**'}" for n, v in parts)


def row(key, label, argv, kind, samples=None, fails=0, **kw):
    r = {"key": key, "label": label, "command": q(argv) if isinstance(argv, list) else argv,
         "kind": kind, "fails": fails}
    if samples is not None:
        r["stats"] = stats_ms(samples)
    r.update(kw)
    return r


def med(res, key):
    for r in res["rows"]:
        if r["key"] == key and r.get("stats"):
            return r["stats"]["median"]
    return None


def get(res, key):
    for r in res["rows"]:
        if r["key"] == key:
            return r
    return None


def in_ns_timeloop(argv, reps, warmup):
    """Time argv inside the legacy cgroup namespace (crun refuses hybrid cgroups outside it):
    the timing loop itself runs in there, so the namespace set-up is not timed."""
    cmd = LEGACY + [sys.executable, os.path.join(HERE, "timeloop.py"), "--reps", str(reps),
                    "--warmup", str(warmup), "--"] + argv
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if r.returncode != 0:
        raise RuntimeError(f"timeloop failed: {r.stderr.strip()[-500:]}")
    d = json.loads(r.stdout)
    return d["ns"], d["fails"]


# ======================================================================== start

def m_start(ctx):
    """`ctrctl run --rm true` start to exit, beside fork/exec, crun, runc and podman run --rm."""
    d, C = ctx.ctrd, ctx.cfg
    R, H = ctx.rootfs, ctx.helper
    res = {"rows": [], "skipped": [], "notes": []}
    rows = [("floor", "fork/exec `/bin/true` (floor)", ["/bin/true"], "floor", None),
            ("ctrd", "`ctrctl run --rm true` (native runtime, host namespaces)",
             d.cmd("run", "--rm", "true"), "ctrd", None),
            ("ctrd-rootfs", "`ctrctl run --rm --rootfs R /bin/true` (rootfs, own PID/IPC/UTS/mount ns)",
             d.cmd("run", "--rm", "--rootfs", R, "/bin/true"), "ctrd", None),
            # where the time goes: the client's own start-up, and one round trip to the daemon
            ("ctl-start", "part: `ctrctl --version` (no daemon contact; CLI11's version path)",
             [ctx.ctrctl_bin, "--version"], "part", None),
            ("ctl-rtt", "part: `ctrctl version` (client start-up + connect + one request)",
             d.cmd("version"), "part", None)]
    if have("crun"):
        bundle = peers.make_bundle(os.path.join(ctx.work, "bundle-true"), R, ["/bin/true"])
        cid = "ctrdbench-start-crun"
        CLEANUP.add("crun delete", lambda: subprocess.run(LEGACY + ["crun", "delete", "-f", cid],
                                                          stdout=DEVNULL, stderr=DEVNULL))
        rows.append(("crun", "`crun run --bundle B ID` (OCI runtime alone)" +
                     (" ¹" if LEGACY else ""), ["crun", "run", "--bundle", bundle, cid], "peer", "ns"))
    else:
        res["skipped"].append({"peer": "crun", "why": "not installed"})
    if have("runc"):
        bundle = peers.make_bundle(os.path.join(ctx.work, "bundle-true"), R, ["/bin/true"])
        cid = "ctrdbench-start-runc"
        CLEANUP.add("runc delete", lambda: subprocess.run(["runc", "delete", "-f", cid],
                                                          stdout=DEVNULL, stderr=DEVNULL))
        rows.append(("runc", "`runc run --bundle B ID` (OCI runtime alone)",
                     ["runc", "run", "--bundle", bundle, cid], "peer", None))
    else:
        res["skipped"].append({"peer": "runc", "why": "not installed"})

    # Interleaved rounds: every row gets reps/rounds runs per round, so drift in the machine's
    # load hits all rows alike.
    samples = {k: [] for k, *_ in rows}
    fails = {k: 0 for k, *_ in rows}
    rounds = C["start_rounds"]
    for rnd in range(rounds):
        for key, label, argv, kind, wrap in rows:
            reps = C["start_reps"] if kind != "peer" else C["start_reps_runtime"]
            n = reps // rounds + (1 if rnd < reps % rounds else 0)
            warm = 2 if rnd == 0 else 1
            if wrap == "ns" and LEGACY:
                s, f = in_ns_timeloop(argv, n, warm)
            else:
                s, f = time_cmd(argv, n, warm)
            samples[key] += s
            fails[key] += f
    for key, label, argv, kind, wrap in rows:
        res["rows"].append(row(key, label, (LEGACY + argv) if wrap == "ns" and LEGACY else argv,
                               kind, samples[key], fails[key]))

    if have("hyperfine"):
        # cross-check of the ctrd row with an independent tool (its own spawn loop, -N: no shell)
        out = os.path.join(ctx.work, "hyperfine.json")
        hcmd = ["hyperfine", "-N", "--runs", str(C["start_reps"] // 2), "--warmup", "3", "--export-json",
                out, q(d.cmd("run", "--rm", "true"))]
        subprocess.run(hcmd, stdout=DEVNULL, stderr=DEVNULL)
        try:
            with open(out) as f:
                h = json.load(f)["results"][0]
            res["hyperfine"] = {"median": h["median"] * 1e3, "mean": h["mean"] * 1e3,
                                "stddev": (h.get("stddev") or 0) * 1e3, "n": len(h["times"]),
                                "command": q(hcmd[:-3] + ["hyperfine.json", hcmd[-1]])}
            res["notes"].append(f"Cross-check with hyperfine (`-N`, {len(h['times'])} runs) of row 2: median "
                                f"{fmt(h['median'] * 1e3)} ms, mean {fmt(h['mean'] * 1e3)} ± "
                                f"{fmt((h.get('stddev') or 0) * 1e3)} ms.")
        except (OSError, ValueError, KeyError, IndexError):
            res["notes"].append("hyperfine cross-check failed to run.")

    if ctx.podman:
        P = ctx.podman
        argv = P.run_cmd("--rm", rootfs_args=["/bin/true"])
        s, f = (in_ns_timeloop(argv[len(LEGACY):], C["start_reps_podman"], 2) if LEGACY
                else time_cmd(argv, C["start_reps_podman"], 2))
        res["rows"].append(row("podman", "`podman run --rm ... --rootfs R /bin/true`" +
                               (" ¹" if LEGACY else ""), argv, "peer", s, f))
        time.sleep(2)  # podman's asynchronous `container cleanup` processes
    else:
        res["skipped"].append({"peer": "podman", "why": "not installed"})
    if LEGACY:
        res["notes"].append("¹ crun refuses this host's hybrid cgroup layout; crun and podman (with "
                            "crun) ran inside `bench/peers/legacyns.sh` (cgroup2 hidden in a private "
                            "mount namespace). The timing loop itself ran in that namespace, so its "
                            "set-up is not in the figures.")
    fl, c, cr, pm = med(res, "floor"), med(res, "ctrd"), med(res, "ctrd-rootfs"), med(res, "podman")
    crun_m, runc_m = med(res, "crun"), med(res, "runc")
    fill_ratios(res, fl, c)
    peers_txt = ", ".join(f"{n} {fmt(v)}" for n, v in [("crun", crun_m), ("runc", runc_m),
                                                         ("podman", pm)] if v is not None)
    cs_, rt_ = med(res, "ctl-start"), med(res, "ctl-rtt")
    if cs_ is not None and c:
        res["notes"].append(f"Where the time of row 2 goes (medians): the client's start-up plus connect and "
                            f"one request (`ctrctl version`) take {fmt(rt_)} ms; the rest, {fmt(c - rt_)} ms, is "
                            f"create + start + exit + removal inside ctrd and the container process itself. "
                            f"(`ctrctl --version`, {fmt(cs_)} ms, contacts no daemon but goes through CLI11's "
                            f"version path.)")
    # podman missing: only the absolute half of the target can be checked (said in the notes)
    met = c is not None and c <= 3.0 and (pm is None or pm / c >= 50)
    hf = res.get("hyperfine")
    res["summary"] = [{
        "metric": "`ctrctl run --rm true`, start to exit (ms)",
        "ctrd": f"{fmt(c)} (p90 {fmt(get(res, 'ctrd')['stats']['p90'])}); rootfs {fmt(cr)}"
                + (f"; hyperfine {fmt(hf['median'])}" if hf else ""),
        "floor": fmt(fl), "peers": peers_txt or "none installed",
        "ratio": f"{fr(ratio(c, fl))} floor; podman ÷ ctrd {fr(ratio(pm, c))}"
                 + (f"; crun ÷ ctrd-rootfs {fr(ratio(crun_m, cr))}" if crun_m else ""),
        "target": "≤ 3 ms, ≥ 50× faster than podman", "met": met}]
    if pm is None:
        res["notes"].append("podman not installed: the 50× half of the target was not checked.")
    return res


# ======================================================================== crash -> restarted

def read_stamps(path):
    ev = []
    try:
        with open(path) as f:
            for l in f:
                p = l.split()
                if len(p) == 2 and p[0] in ("S", "E"):
                    ev.append((p[0], int(p[1])))
    except FileNotFoundError:
        pass
    return ev


def count_starts(path):
    return sum(1 for k, _ in read_stamps(path) if k == "S")


def gaps_ns(path, n):
    """exit -> next start: the S stamp of each run minus the E stamp of the run before."""
    g, last_e = [], None
    for k, t in read_stamps(path):
        if k == "S" and last_e is not None:
            g.append(t - last_e)
        last_e = t if k == "E" else None if k == "S" else last_e
    return g[:n]


def m_restart(ctx):
    """Crash to restarted with backoff 0: gap between one run's last stamp and the next run's
    first stamp (bench-helper crash: stamps S, stamps E, exits 1)."""
    d, C, H, R = ctx.ctrd, ctx.cfg, ctx.helper, ctx.rootfs
    W = os.path.join(ctx.work, "restart")
    os.makedirs(W, exist_ok=True)
    res = {"rows": [], "skipped": [], "notes": []}
    n = C["restart_n"]

    # floor: the same program fork/exec'd and waited for in a C loop
    lg = f"{W}/floor.log"
    subprocess.run([H, "loop", str(n + 1), lg], check=True)
    res["rows"].append(row("floor", "fork/exec/wait loop in C (floor)", [H, "loop", str(n + 1), "LOG"],
                           "floor", gaps_ns(lg, n)))

    pol = ["--restart", "always", "--restart-delay", "0", "--restart-limit", "0"]
    for key, label, extra, inner in [
            ("ctrd", "ctrd, `--restart always --restart-delay 0 --restart-limit 0`", [],
             [H, "crash", f"{W}/ctrd.log"]),
            ("ctrd-rootfs", "ctrd, same with `--rootfs R` (PID namespace etc.)",
             ["--rootfs", R, "-v", f"{W}:/shared"], ["/bin/bench-helper", "crash", "/shared/ctrd-rootfs.log"])]:
        lg = f"{W}/{key}.log"
        name = f"bench-crash-{key}"
        argv = d.cmd("run", "-d", "--name", name, *pol, *extra, *inner)
        subprocess.run(argv, check=True, stdout=DEVNULL)
        ok = wait_until(lambda: count_starts(lg) >= n + 1, C["restart_bound"], 0.02)
        info = d.ps_json()
        rc = next((c["Restarts"] for c in info if c["Names"][0] == name), None)
        d.ctl("rm", "-f", name)
        res["rows"].append(row(key, label, argv, "ctrd", gaps_ns(lg, n), complete=ok, restart_count=rc))

    if have("s6-svscan"):
        scan = f"{W}/s6"
        lg = f"{W}/s6.log"
        peers.write_s6_service(f"{scan}/crash", f"exec {H} crash {lg}")
        s = n_s6 = C["restart_n_s6"]
        p = subprocess.Popen(["s6-svscan", scan], stdout=DEVNULL, stderr=DEVNULL, start_new_session=True)
        stopper = CLEANUP.add("s6-svscan restart", lambda: stop_s6(p, scan))
        wait_until(lambda: count_starts(lg) >= s + 1, C["restart_bound"] + 2 * s, 0.05)
        stop_s6(p, scan)
        CLEANUP.remove(stopper)
        res["rows"].append(row("s6", "s6-supervise (run: `exec bench-helper crash LOG`)",
                               f"s6-svscan {scan}", "peer", gaps_ns(lg, n_s6)))
        res["notes"].append("s6-supervise waits 1 s before restarting a service that was not up "
                            "(ready) for at least 1 s: this is by design, not overhead. Its ./run is a "
                            "/bin/sh script that execs the helper, so its gap includes a shell start.")
    else:
        res["skipped"].append({"peer": "s6", "why": "not installed"})

    if ctx.podman:
        P = ctx.podman
        lg = f"{W}/podman.log"
        open(lg, "a").close()
        argv = P.run_cmd("-d", "--name", "bench-crash", "--restart=always", "-v", f"{W}:/shared",
                         rootfs_args=["/bin/bench-helper", "crash", "/shared/podman.log"])
        subprocess.run(argv, check=True, stdout=DEVNULL)
        np_ = C["restart_n_podman"]
        wait_until(lambda: count_starts(lg) >= np_ + 1, C["restart_bound"] + np_, 0.05)
        P.sh("rm", "-f", "-t", "0", "bench-crash")
        res["rows"].append(row("podman", "podman `--restart=always`", argv, "peer", gaps_ns(lg, np_)))
    else:
        res["skipped"].append({"peer": "podman", "why": "not installed"})

    fl, c, cr = med(res, "floor"), med(res, "ctrd"), med(res, "ctrd-rootfs")
    fill_ratios(res, fl, c)
    s6m, pm = med(res, "s6"), med(res, "podman")
    cs = get(res, "ctrd")["stats"]
    res["summary"] = [{
        "metric": "crash to restarted, backoff 0 (ms)",
        "ctrd": f"{fmt(c)} (p90 {fmt(cs and cs['p90'])}); rootfs {fmt(cr)}",
        "floor": fmt(fl),
        "peers": ", ".join(f"{k} {fmt(v)}" for k, v in [("s6", s6m), ("podman", pm)] if v) or "none installed",
        "ratio": f"{fr(ratio(c, fl))} floor; podman ÷ ctrd {fr(ratio(pm, c))}; s6 ÷ ctrd {fr(ratio(s6m, c), 0)}",
        "target": "≤ 1 ms", "met": c is not None and c <= 1.0}]
    return res


def stop_s6(p, scan):
    """Stop an s6-svscan we started (s6-svscanctl -t: it stops its supervisors, which stop their
    services), then make sure no process of that tree is left (by pid)."""
    if p.poll() is not None:
        return
    tree = []
    for s in children(p.pid):
        tree.append(s)
        tree += children(s)
    subprocess.run(["s6-svscanctl", "-t", scan], stdout=DEVNULL, stderr=DEVNULL)
    try:
        p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    time.sleep(0.2)
    for pid in tree:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# ======================================================================== stop

def m_stop(ctx):
    """`ctrctl stop -t 10` of a container whose process exits on SIGTERM, end to end."""
    d, C, H, R = ctx.ctrd, ctx.cfg, ctx.helper, ctx.rootfs
    res = {"rows": [], "skipped": [], "notes": []}
    reps = C["stop_reps"]

    # floor: kill(SIGTERM) + blocking waitpid on a plain child
    s = []
    for i in range(reps + 2):
        pid = os.posix_spawn(H, [H, "termwait"], os.environ)
        time.sleep(0.03)
        t0 = time.perf_counter_ns()
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        if i >= 2:
            s.append(time.perf_counter_ns() - t0)
    res["rows"].append(row("floor", "kill(SIGTERM) + waitpid of a plain child (floor)",
                           "kill -TERM PID; wait PID", "floor", s))

    for key, label, extra, inner in [
            ("ctrd", "`ctrctl stop -t 10 NAME` (native runtime)", [], [H, "termwait"]),
            ("ctrd-rootfs", "`ctrctl stop -t 10 NAME` (`--rootfs R`: PID 1 of its namespace)",
             ["--rootfs", R], ["/bin/bench-helper", "termwait"])]:
        name = f"bench-stop-{key}"
        d.ctl("create", "--name", name, *extra, *inner)
        argv = d.cmd("stop", "-t", "10", name)
        s, fails, codes = [], 0, set()
        for i in range(reps + 2):
            d.ctl("start", name)
            time.sleep(0.03)
            dt, st = spawn_wait(argv)
            if i >= 2:
                s.append(dt)
                fails += st != 0
        info = d.ctl("inspect", name).stdout
        try:
            j = json.loads(info)
            j = j[0] if isinstance(j, list) else j
            codes.add(j.get("State", {}).get("ExitCode"))
        except (ValueError, KeyError, IndexError):
            pass
        d.ctl("rm", "-f", name)
        res["rows"].append(row(key, label, argv, "ctrd", s, fails, exit_codes=sorted(c for c in codes if c is not None)))

    if have("s6-svscan"):
        scan = f"{ctx.work}/stop-s6"
        svc = f"{scan}/term"
        peers.write_s6_service(svc, f"exec {H} termwait")
        p = subprocess.Popen(["s6-svscan", scan], stdout=DEVNULL, stderr=DEVNULL, start_new_session=True)
        stopper = CLEANUP.add("s6-svscan stop", lambda: stop_s6(p, scan))
        wait_until(lambda: os.path.exists(f"{svc}/supervise/control"), 10)
        argv = ["s6-svc", "-wd", "-d", svc]
        s = []
        for i in range(C["stop_reps_s6"] + 1):
            subprocess.run(["s6-svc", "-wu", "-T", "5000", "-u", svc], stdout=DEVNULL, stderr=DEVNULL)
            time.sleep(0.03)
            dt, st = spawn_wait(argv)
            if i >= 1:
                s.append(dt)
        stop_s6(p, scan)
        CLEANUP.remove(stopper)
        res["rows"].append(row("s6", "`s6-svc -wd -d SERVICEDIR` (s6-supervise)", argv, "peer", s))
    else:
        res["skipped"].append({"peer": "s6", "why": "not installed"})

    if ctx.podman:
        P = ctx.podman
        name = "bench-stop"
        P.sh("rm", "-f", "-t", "0", name)
        subprocess.run(P.cmd("create", *P.run_flags, "--name", name, "--rootfs", R,
                             "/bin/bench-helper", "termwait"), check=True, stdout=DEVNULL)
        argv = P.cmd("stop", "-t", "10", name)
        s, fails = [], 0
        for i in range(C["stop_reps_podman"] + 1):
            P.sh("start", name)
            time.sleep(0.5)
            dt, st = spawn_wait(argv)
            if i >= 1:
                s.append(dt)
                fails += st != 0
        P.sh("rm", "-f", "-t", "0", name)
        res["rows"].append(row("podman", "`podman stop -t 10 NAME`", argv, "peer", s, fails))
    else:
        res["skipped"].append({"peer": "podman", "why": "not installed"})

    fl, c, cr = med(res, "floor"), med(res, "ctrd"), med(res, "ctrd-rootfs")
    fill_ratios(res, fl, c)
    s6m, pm = med(res, "s6"), med(res, "podman")
    res["summary"] = [{
        "metric": "`ctrctl stop` of a process that exits on SIGTERM (ms)",
        "ctrd": f"{fmt(c)} (p90 {fmt(get(res, 'ctrd')['stats']['p90'])}); rootfs {fmt(cr)}",
        "floor": fmt(fl),
        "peers": ", ".join(f"{k} {fmt(v)}" for k, v in [("s6-svc", s6m), ("podman", pm)] if v) or "none installed",
        "ratio": f"{fr(ratio(c, fl), 0)} floor; podman ÷ ctrd {fr(ratio(pm, c))}",
        "target": "≤ 2 ms", "met": c is not None and c <= 2.0}]
    return res


# ======================================================================== scaling: memory + ps -a

def create_many(d, names, argv, workers, extra=()):
    """`ctrctl create --name N [extra] argv...` for every name, on `workers` parallel clients."""
    def one(nm):
        r = subprocess.run(d.cmd("create", "--name", nm, *extra, *argv), stdout=DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        return r.returncode, r.stderr.strip()
    rs = parallel(one, names, workers)
    bad = [e for rc, e in rs if rc != 0]
    if bad:
        raise RuntimeError(f"{len(bad)} creates failed, first: {bad[0]}")


def m_scaling(ctx):
    """ctrd's memory and `ps -a` latency against the number of (idle: created, never started)
    containers; podman ps -a and the per-service memory of s6-supervise and conmon beside it."""
    C = ctx.cfg
    res = {"rows": [], "skipped": [], "notes": [], "points": []}
    d = Ctrd(ctx.ctrd_bin, ctx.ctrctl_bin, ctx.work, "ctrd-scaling").start()
    time.sleep(1.0)
    made = 0
    W = C["create_workers"]
    for n in C["scale_steps"]:
        t0 = time.monotonic()
        if n > made:
            create_many(d, [f"idle{i}" for i in range(made, n)], ["sleep", "1000"], W)
        dt = time.monotonic() - t0
        new = n - made
        made = n
        time.sleep(C["settle_s"])
        m = d.mem()
        ps_a, f1 = time_cmd(d.cmd("ps", "-a"), C["ps_reps"], 2)
        ps, f2 = time_cmd(d.cmd("ps"), C["ps_reps"], 1)
        pt = {"n": n, "rss_kib": m["rss"], "pss_kib": m["pss"], "uss_kib": m["uss"],
              "threads": threads(d.pid), "ps_a": stats_ms(ps_a), "ps": stats_ms(ps),
              "fails": f1 + f2, "create_s": round(dt, 3), "created": new,
              "create_ms_each": round(1000 * dt / new, 2) if new else None}
        res["points"].append(pt)
        log(f"    ctrd n={n}: rss {m['rss']} KiB pss {m['pss']} KiB, ps -a {pt['ps_a']['median']:.2f} ms"
            f" (p90 {pt['ps_a']['p90']:.2f}), created {new} in {dt:.2f} s")
    res["create_workers"] = W
    res["ctrd_argv"] = q(d.argv)
    d.stop()
    pts = res["points"]
    p0, pn = pts[0], pts[-1]
    N = pn["n"]
    per = {k: (pn[k] - p0[k]) / N if N else None for k in ("rss_kib", "pss_kib", "uss_kib")}
    res["per_container_kib"] = per
    res["base"] = {k: p0[k] for k in ("rss_kib", "pss_kib", "uss_kib")}

    # peers: memory per supervised service
    mem_peers = {}
    if have("s6-svscan"):
        mem_peers["s6"] = s6_memory(ctx, [1, C["mem_s6_k"]])
    else:
        res["skipped"].append({"peer": "s6 (memory)", "why": "not installed"})
    if ctx.podman:
        mem_peers["conmon"] = conmon_memory(ctx, [1, C["mem_conmon_k"]])
        res["podman_ps"] = podman_ps_scaling(ctx, C["podman_ps_steps"])
    else:
        res["skipped"].append({"peer": "podman/conmon", "why": "not installed"})
        res["notes"].append("podman not installed: its figures are quoted from "
                            "/work/shared/reference/peers.md (same machine, 2026-11-28), not measured.")
    res["mem_peers"] = mem_peers

    ps_n = pn["ps_a"]["median"]
    pp = res.get("podman_ps") or []
    pp_last = pp[-1] if pp else None
    pp_txt = (f"podman ps -a {fmt(pp_last['ps_a']['median'])} at {pp_last['n']}" if pp_last
              else "podman ps -a ~147 at 200 (quoted)")
    s6 = mem_peers.get("s6", {}).get("per_service")
    cm = mem_peers.get("conmon", {}).get("per_service")
    peer_mem = ", ".join(x for x in [
        f"s6-supervise {s6['uss']:.0f} USS / {s6['pss']:.0f} PSS / {s6['rss']:.0f} RSS" if s6 else
        "s6-supervise ~124 USS (quoted)",
        f"conmon {cm['uss']:.0f} USS / {cm['pss']:.0f} PSS / {cm['rss']:.0f} RSS" if cm else
        "conmon ~321 USS (quoted)"])
    base_mib = p0["rss_kib"] / 1024
    res["summary"] = [
        {"metric": f"ctrd memory per idle container at {N} (KiB); base RSS",
         "ctrd": f"{per['rss_kib']:.1f} RSS / {per['pss_kib']:.1f} PSS / {per['uss_kib']:.1f} USS per container; "
                 f"base {base_mib:.1f} MiB RSS ({p0['pss_kib'] / 1024:.1f} PSS)",
         "floor": "–", "peers": peer_mem + " (per service)",
         "ratio": (f"s6 USS ÷ ctrd RSS {fr(ratio(s6['uss'], per['rss_kib']))}" if s6 else "")
                  + (f"; conmon USS ÷ ctrd {fr(ratio(cm['uss'], per['rss_kib']))}" if cm else ""),
         "target": "≤ 16 KiB per container, base ≤ 8 MiB",
         "met": met_parts([("per container", per["rss_kib"] <= 16), ("base", base_mib <= 8)])},
        {"metric": f"`ctrctl ps -a` with {N} containers (ms)",
         "ctrd": f"{fmt(ps_n)} (p90 {fmt(pn['ps_a']['p90'])}); at 0: {fmt(p0['ps_a']['median'])}",
         "floor": "–", "peers": pp_txt,
         "ratio": (f"podman@{pp_last['n']} ÷ ctrd@{N} {fr(ratio(pp_last['ps_a']['median'], ps_n))}"
                   if pp_last else ""),
         "target": "≤ 10 ms", "met": ps_n <= 10}]
    return res


def s6_memory(ctx, counts):
    """s6-svscan + one s6-supervise per service, each service a running `sleep`; sums of
    RSS/PSS/USS over the supervisor processes only (never the services)."""
    out = {"points": []}
    for k in counts:
        scan = f"{ctx.work}/mem-s6-{k}"
        for i in range(k):
            peers.write_s6_service(f"{scan}/idle{i}", "exec sleep 100000")
        p = subprocess.Popen(["s6-svscan", "-c", str(max(1000, 2 * k + 10)), scan], stdout=DEVNULL,
                             stderr=DEVNULL, start_new_session=True)
        stopper = CLEANUP.add("s6 memory", lambda: stop_s6(p, scan))
        sups = lambda: [c for c in children(p.pid) if comm(c) == "s6-supervise"]
        ok = wait_until(lambda: len(sups()) == k and
                        sum(1 for s in sups() for c in children(s) if comm(c) == "sleep") == k, 60)
        time.sleep(ctx.cfg["settle_s"])
        m = smaps_sum([p.pid] + sups())
        m.update(n=k, ready=ok)
        out["points"].append(m)
        stop_s6(p, scan)
        CLEANUP.remove(stopper)
    a, b = out["points"][0], out["points"][-1]
    out["per_service"] = {x: (b[x] - a[x]) / (b["n"] - a["n"]) for x in ("rss", "pss", "uss")}
    out["counted"] = "s6-svscan + s6-supervise processes"
    return out


def conmon_memory(ctx, counts):
    P = ctx.podman
    out = {"points": []}
    for k in counts:
        names = [f"bench-mem{i}" for i in range(k)]
        for nm in names:
            subprocess.run(P.run_cmd("-d", "--name", nm, rootfs_args=["sleep", "100000"]),
                           check=True, stdout=DEVNULL)
        time.sleep(ctx.cfg["settle_s"])
        o = P.sh("inspect", "-f", "{{.State.ConmonPid}}", *names).stdout.split()
        pids = [int(x) for x in o if x.isdigit() and comm(int(x)) == "conmon"]
        m = smaps_sum(pids)
        m.update(n=k, ready=len(pids) == k)
        out["points"].append(m)
        P.sh("rm", "-f", "-t", "0", *names)
    a, b = out["points"][0], out["points"][-1]
    out["per_service"] = {x: (b[x] - a[x]) / (b["n"] - a["n"]) for x in ("rss", "pss", "uss")}
    out["counted"] = "one conmon per container (podman has no daemon)"
    return out


def podman_ps_scaling(ctx, steps):
    P = ctx.podman
    pts, made = [], 0
    for n in steps:
        t0 = time.monotonic()
        for i in range(made, n):
            subprocess.run(P.cmd("create", *P.run_flags, "--name", f"bench-idle{i}", "--rootfs",
                                 ctx.rootfs, "sleep", "1000"), check=True, stdout=DEVNULL)
        dt = time.monotonic() - t0
        new, made = n - made, n
        argv = P.cmd("ps", "-a")
        s, f = time_cmd(argv, ctx.cfg["podman_ps_reps"], 1)
        pts.append({"n": n, "ps_a": stats_ms(s), "fails": f, "command": q(argv),
                    "create_ms_each": round(1000 * dt / new, 1) if new else None})
        log(f"    podman n={n}: ps -a {pts[-1]['ps_a']['median']:.1f} ms")
    P.rm_all()
    return pts


# ======================================================================== cold start of N

def m_cold(ctx):
    """N `sleep 1000` containers created and started from a cold (fresh, empty) ctrd until
    `ctrctl ps` shows all running; memory of ctrd with N running; peers beside it."""
    C = ctx.cfg
    N, W = C["cold_n"], C["cold_workers"]
    res = {"rows": [], "skipped": [], "notes": [], "n": N, "workers": W}
    d = Ctrd(ctx.ctrd_bin, ctx.ctrctl_bin, ctx.work, "ctrd-cold").start()
    time.sleep(1.0)
    m0 = d.mem()

    def one(i):
        r = subprocess.run(d.cmd("run", "-d", "--name", f"cold{i}", "sleep", "1000"),
                           stdout=DEVNULL, stderr=subprocess.PIPE, text=True)
        return r.returncode, r.stderr.strip()
    t0 = time.perf_counter()
    rs = parallel(one, range(N), W)
    t_cmds = time.perf_counter() - t0
    ok = wait_until(lambda: d.running_count() >= N, 120, 0.01)
    t_all = time.perf_counter() - t0
    bad = [e for rc, e in rs if rc != 0]
    time.sleep(C["settle_s"])
    m1 = d.mem()
    kids = children(d.pid)
    kid_comms = {}
    for k in kids:
        kid_comms[comm(k)] = kid_comms.get(comm(k), 0) + 1
    ps_a, _ = time_cmd(d.cmd("ps", "-a"), max(5, C["ps_reps"] // 2), 1)
    t1 = time.perf_counter()
    names = [f"cold{i}" for i in range(N)]
    parallel(lambda b: d.ctl("rm", "-f", *b, check=False), chunks(names, 100), 2)
    t_rm = time.perf_counter() - t1
    d.stop()
    res["rows"].append(row("ctrd", f"ctrd: {N}× `ctrctl run -d --name coldI sleep 1000` on {W} parallel "
                           f"clients, until `ctrctl ps -q` lists {N}", d.cmd("run", "-d", "--name", "coldI",
                                                                               "sleep", "1000"),
                           "ctrd", value_s=t_all, clients_done_s=t_cmds, all_running=ok, failures=len(bad),
                           first_error=bad[0] if bad else None))
    res["memory_running"] = {"base": m0, "with_n": m1, "n": N,
                             "per_container_kib": {k: (m1[k] - m0[k]) / N for k in ("rss", "pss", "uss")},
                             "ctrd_children": kid_comms, "ps_a_at_n": stats_ms(ps_a),
                             "rm_f_all_s": round(t_rm, 3)}
    log(f"    ctrd: {N} running after {t_all:.2f} s (clients done {t_cmds:.2f} s); rss {m0['rss']} -> {m1['rss']} KiB")

    # floor: posix_spawn N sleeps, no waiting
    pids = []
    CLEANUP.add("floor sleeps", lambda: [kill_quiet(p) for p in pids])
    t0 = time.perf_counter()
    for i in range(N):
        pids.append(os.posix_spawnp("sleep", ["sleep", "1000"], os.environ))
    t_floor = time.perf_counter() - t0
    for p in pids:
        kill_quiet(p)
        os.waitpid(p, 0)
    pids.clear()
    res["rows"].append(row("floor", f"posix_spawn of {N} `sleep 1000` from one process (floor)",
                           "posix_spawnp sleep 1000 (×N)", "floor", value_s=t_floor))

    if have("s6-svscan"):
        scan = f"{ctx.work}/cold-s6"
        for i in range(N):
            peers.write_s6_service(f"{scan}/s{i}", "exec sleep 1000")
        t0 = time.perf_counter()
        p = subprocess.Popen(["s6-svscan", "-c", str(2 * N + 10), scan], stdout=DEVNULL, stderr=DEVNULL,
                             start_new_session=True)
        stopper = CLEANUP.add("s6 cold", lambda: stop_s6(p, scan))

        def up():
            return sum(1 for s in children(p.pid) for c in children(s) if comm(c) == "sleep") >= N
        ok = wait_until(up, 120, 0.02)
        t_s6 = time.perf_counter() - t0
        stop_s6(p, scan)
        CLEANUP.remove(stopper)
        res["rows"].append(row("s6", f"s6-svscan on a directory of {N} services (`exec sleep 1000`), "
                               f"until {N} sleeps run", f"s6-svscan -c {2 * N + 10} SCANDIR", "peer",
                               value_s=t_s6, all_running=ok))
    else:
        res["skipped"].append({"peer": "s6", "why": "not installed"})

    if ctx.podman:
        P = ctx.podman
        K = C["cold_podman_k"]
        t0 = time.perf_counter()
        for i in range(K):
            subprocess.run(P.run_cmd("-d", "--name", f"bench-cold{i}", rootfs_args=["sleep", "1000"]),
                           check=True, stdout=DEVNULL)
        tk = time.perf_counter() - t0
        P.rm_all()
        res["rows"].append(row("podman", f"podman: {K}× `podman run -d ... sleep 1000` one after the other, "
                               f"scaled to {N} (×{N / K:g})", P.run_cmd("-d", "--name", "bench-coldI",
                                                                       rootfs_args=["sleep", "1000"]),
                               "peer", value_s=tk * N / K, measured_k=K, measured_s=tk, extrapolated=True))
    else:
        res["skipped"].append({"peer": "podman", "why": "not installed"})

    val = {r["key"]: r["value_s"] for r in res["rows"]}
    mr = res["memory_running"]["per_container_kib"]
    res["summary"] = [
        {"metric": f"{N} containers created and started from cold (s)",
         "ctrd": f"{val['ctrd']:.2f} ({W} clients)", "floor": f"{val['floor']:.2f}",
         "peers": ", ".join(f"{k} {val[k]:.2f}" + (" (extrapolated)" if k == "podman" else "")
                            for k in ("s6", "podman") if k in val) or "none installed",
         "ratio": f"{fr(ratio(val['ctrd'], val['floor']))} floor"
                  + (f"; podman ÷ ctrd {fr(ratio(val['podman'], val['ctrd']), 0)}" if 'podman' in val else "")
                  + (f"; s6 ÷ ctrd {fr(ratio(val['s6'], val['ctrd']))}" if 's6' in val else ""),
         "target": "≤ 1 s" if N >= 1000 else f"≤ 1 s (at 1000; quick run: {N})",
         "met": val["ctrd"] <= 1.0 and N >= 1000 and ok},
        {"metric": f"ctrd memory per running container at {N} (KiB; the sleeps not counted)",
         "ctrd": f"{mr['rss']:.1f} RSS / {mr['pss']:.1f} PSS / {mr['uss']:.1f} USS",
         "floor": "–", "peers": "see the idle row", "ratio": "", "target": "(reported, no target)",
         "met": None}]
    return res


def kill_quiet(pid, sig=signal.SIGKILL):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


# ======================================================================== ps under crash loops

def m_psload(ctx):
    """`ctrctl ps` latency while K containers crash-loop with backoff 0 and no crash-loop limit."""
    C = ctx.cfg
    K, calls = C["psload_k"], C["psload_calls"]
    H = ctx.helper
    res = {"rows": [], "skipped": [], "notes": [], "k": K}
    d = Ctrd(ctx.ctrd_bin, ctx.ctrctl_bin, ctx.work, "ctrd-psload").start()
    names = [f"loop{i}" for i in range(K)]
    create_many(d, names, [H, "crash", "/dev/null"], C["create_workers"],
                extra=["--restart", "always", "--restart-delay", "0", "--restart-limit", "0"])
    ps = d.cmd("ps")
    quiet_s, _ = time_cmd(ps, min(calls, 100), 2)
    res["rows"].append(row("ps-idle", f"`ctrctl ps` with the {K} containers created, not running",
                           ps, "ctrd", quiet_s))
    tr_idle, _ = time_cmd(["/bin/true"], 50, 2)
    for b in chunks(names, 50):
        d.ctl("start", *b)
    time.sleep(2.0)

    def restarts():
        return sum(c["Restarts"] for c in d.ps_json())
    r0, t0 = restarts(), time.monotonic()
    s, floor, fails = [], [], 0
    for i in range(calls):
        dt, st = spawn_wait(ps)
        s.append(dt)
        fails += st != 0
        if i % 5 == 0:
            floor.append(spawn_wait(["/bin/true"])[0])
    r1, t1 = restarts(), time.monotonic()
    rate = (r1 - r0) / (t1 - t0)
    parked = [c["Names"][0] for c in d.ps_json() if c.get("Error")]
    parallel(lambda b: d.ctl("rm", "-f", *b, check=False), chunks(names, 50), 2)
    d.stop()
    res["rows"].append(row("ps-load", f"`ctrctl ps` while {K} containers crash-loop (backoff 0)", ps,
                           "ctrd", s, fails))
    res["rows"].append(row("floor-load", "fork/exec `/bin/true` under the same load (floor)", ["/bin/true"],
                           "floor", floor))
    res["rows"].append(row("floor-idle", "fork/exec `/bin/true` before the load", ["/bin/true"], "floor",
                           tr_idle))
    for x in res["rows"]:   # each ps row against the floor measured in the same conditions
        base = get(res, "floor-load" if x["key"].endswith("load") else "floor-idle")["stats"]["median"]
        x["x_floor"] = ratio(x["stats"]["median"], base)
    res["restart_rate_per_s"] = round(rate, 1)
    res["parked"] = parked
    res["notes"].append(f"During the {calls} calls ctrd restarted {r1 - r0} times ({rate:.0f}/s over "
                        f"{t1 - t0:.1f} s) with {K} containers `{q([H, 'crash', '/dev/null'])}`, "
                        f"`--restart always --restart-delay 0 --restart-limit 0`; both cores are saturated "
                        f"by design, so the floor rises too.")
    if parked:
        res["notes"].append(f"{len(parked)} containers were parked (crash loop) despite --restart-limit 0.")
    st = get(res, "ps-load")["stats"]
    fl = get(res, "floor-load")["stats"]
    res["summary"] = [{
        "metric": f"`ctrctl ps` while {K} containers crash-loop (ms)",
        "ctrd": f"p50 {fmt(st['median'])}, p99 {fmt(st['p99'])} ({rate:.0f} restarts/s)",
        "floor": f"p50 {fmt(fl['median'])}, p99 {fmt(fl['p99'])}",
        "peers": "not measured (see notes)",
        "ratio": f"idle ps p50 {fmt(get(res, 'ps-idle')['stats']['median'])}",
        "target": "p99 ≤ 20 ms", "met": st["p99"] <= 20}]
    res["notes"].append("No peer runs this: podman would need 100 conmons restarting at ~100 ms "
                        "each, s6 throttles to one restart per second per service.")
    return res


METRICS = [("start", m_start), ("restart", m_restart), ("stop", m_stop), ("scaling", m_scaling),
           ("cold", m_cold), ("psload", m_psload)]
