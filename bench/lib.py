"""Shared pieces of the ctrd benchmark suite (Python 3 standard library only).

Timing: whole commands, wall clock, os.posix_spawn + waitpid around each run (no shell), with
perf_counter_ns. The same loop times `/bin/true` as the floor. Statistics are medians and
nearest-rank percentiles.
"""
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEVNULL = subprocess.DEVNULL


def log(*a):
    print(*a, flush=True, file=sys.stderr)


# ---------------------------------------------------------------- statistics

def fmt(ms):
    """A duration in ms with 3 significant digits ("–" when missing)."""
    if ms is None:
        return "–"
    if ms < 10:
        return f"{ms:.2f}"
    if ms < 100:
        return f"{ms:.1f}"
    return f"{ms:.0f}"


def pct(xs, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def stats_ms(ns_or_ms, unit="ns"):
    """Summary of samples in ns (default) or ms: n, median, p90, p99, min, max, mean (all ms)."""
    if not ns_or_ms:
        return None
    xs = [x / 1e6 for x in ns_or_ms] if unit == "ns" else list(ns_or_ms)
    return {"n": len(xs), "median": statistics.median(xs), "p90": pct(xs, 90), "p99": pct(xs, 99),
            "min": min(xs), "max": max(xs), "mean": statistics.fmean(xs),
            "raw": [round(x, 3) for x in xs]}


# ---------------------------------------------------------------- timing loop

def spawn_wait(argv, env=None, stdin=None, cwd=None):
    """Run argv once, output discarded; return (elapsed ns, wait status). No shell, no Python
    subprocess machinery inside the timed section: posix_spawnp + waitpid."""
    fa = [(os.POSIX_SPAWN_OPEN, 0, stdin or "/dev/null", os.O_RDONLY, 0),
          (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
          (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_WRONLY, 0)]
    e = env if env is not None else os.environ
    t0 = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, e, file_actions=fa)
    _, st = os.waitpid(pid, 0)
    return time.perf_counter_ns() - t0, st


def time_cmd(argv, reps, warmup=2, env=None, between=None):
    """Time argv `reps` times after `warmup` untimed runs. Returns (samples ns, failures).
    `between` (optional) is called after every run, untimed (e.g. to remove a container)."""
    for _ in range(warmup):
        spawn_wait(argv, env)
        if between:
            between()
    out, fails = [], 0
    for _ in range(reps):
        dt, st = spawn_wait(argv, env)
        if st != 0:
            fails += 1
        out.append(dt)
        if between:
            between()
    return out, fails


# ---------------------------------------------------------------- machine state

def cpu_times():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v[:8]), idle


def cpu_busy(seconds=1.0):
    """Percent of all CPUs busy over `seconds`."""
    t1, i1 = cpu_times()
    time.sleep(seconds)
    t2, i2 = cpu_times()
    d = t2 - t1
    return 100.0 * (d - (i2 - i1)) / d if d else 0.0


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def wait_quiet(limit_pct=10, window=3.0, bound=60.0):
    """Wait until all CPUs were below limit_pct busy over `window` s, at most `bound` s.
    Returns a note of the machine state (dict) saying whether it got quiet."""
    t0 = time.monotonic()
    while True:
        b = cpu_busy(window)
        if b < limit_pct:
            return {"quiet": True, "busy_pct": round(b, 1), "load": loadavg(),
                    "waited_s": round(time.monotonic() - t0, 1)}
        if time.monotonic() - t0 >= bound:
            return {"quiet": False, "busy_pct": round(b, 1), "load": loadavg(),
                    "waited_s": round(time.monotonic() - t0, 1)}


def env_note():
    return {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "load": loadavg(),
            "busy_pct_1s": round(cpu_busy(1.0), 1)}


def meminfo_kib(key):
    with open("/proc/meminfo") as f:
        for l in f:
            if l.startswith(key + ":"):
                return int(l.split()[1])
    return 0


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for l in f:
                if l.startswith("model name"):
                    return l.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def version_of(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=20)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return None


# ---------------------------------------------------------------- processes and memory

def smaps(pid):
    """RSS, PSS and USS (private clean + dirty) of one process in KiB."""
    r = {"rss": 0, "pss": 0, "uss": 0}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for l in f:
            k, _, v = l.partition(":")
            if k == "Rss":
                r["rss"] = int(v.split()[0])
            elif k == "Pss":
                r["pss"] = int(v.split()[0])
            elif k in ("Private_Clean", "Private_Dirty"):
                r["uss"] += int(v.split()[0])
    return r


def smaps_sum(pids):
    s = {"rss": 0, "pss": 0, "uss": 0, "procs": 0}
    for p in pids:
        try:
            m = smaps(p)
        except OSError:
            continue
        for k in ("rss", "pss", "uss"):
            s[k] += m[k]
        s["procs"] += 1
    return s


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def children(pid):
    out = []
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def threads(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


def wait_until(pred, bound=60.0, step=0.05):
    t0 = time.monotonic()
    while time.monotonic() - t0 < bound:
        if pred():
            return True
        time.sleep(step)
    return pred()


def stop_proc(p, sig=signal.SIGTERM, timeout=30):
    """Stop a Popen we started, by its pid only."""
    if p.poll() is None:
        try:
            p.send_signal(sig)
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def parallel(fn, items, workers):
    """Call fn(item) for every item on `workers` threads; returns the list of results."""
    items = list(items)
    res = [None] * len(items)
    idx = iter(range(len(items)))
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                i = next(idx, None)
            if i is None:
                return
            res[i] = fn(items[i])
    ts = [threading.Thread(target=work) for _ in range(max(1, workers))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return res


def chunks(xs, n):
    xs = list(xs)
    return [xs[i:i + n] for i in range(0, len(xs), n)]


# ---------------------------------------------------------------- cleanup on exit / Ctrl-C

class Cleanup:
    """LIFO list of cleanup actions, run once, also on SIGINT/SIGTERM/SIGHUP."""

    def __init__(self):
        self.actions = []
        self.done = False

    def add(self, name, fn):
        self.actions.append((name, fn))
        return fn

    def remove(self, fn):
        self.actions = [(n, f) for n, f in self.actions if f is not fn]

    def run(self):
        if self.done:
            return
        self.done = True
        while self.actions:
            name, fn = self.actions.pop()
            try:
                fn()
            except Exception as e:  # keep cleaning
                log(f"cleanup {name}: {e}")

    def install_signals(self):
        def handler(sig, frame):
            signal.signal(sig, signal.SIG_IGN)
            raise KeyboardInterrupt(f"signal {sig}")
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, handler)


CLEANUP = Cleanup()


# ---------------------------------------------------------------- ctrd

class Ctrd:
    """A private ctrd (own root and socket under `work`), stopped by pid at the end."""

    def __init__(self, ctrd, ctrctl, work, tag="ctrd"):
        self.bin, self.ctrctl, self.tag = ctrd, ctrctl, tag
        self.dir = os.path.join(work, tag)
        self.root = os.path.join(self.dir, "root")
        self.sock = os.path.join(self.dir, "ctrd.sock")
        self.p = None

    def start(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.logf = open(os.path.join(self.dir, "ctrd.log"), "ab")
        self.argv = [self.bin, "--root", self.root, "--socket", self.sock, "--config-dir", "",
                     "--log-level", "warn"]
        self.p = subprocess.Popen(self.argv, stdin=DEVNULL, stdout=self.logf, stderr=self.logf,
                                  start_new_session=True)
        CLEANUP.add(f"stop {self.tag}", self.stop)
        ok = wait_until(lambda: self.p.poll() is not None or
                        self.ctl("version", check=False, quiet=True).returncode == 0, 30, 0.02)
        if not ok or self.p.poll() is not None:
            raise RuntimeError(f"ctrd did not come up; see {self.dir}/ctrd.log")
        return self

    @property
    def pid(self):
        return self.p.pid

    def cmd(self, *args):
        """argv of a ctrctl command against this daemon (--socket after the command word)."""
        return [self.ctrctl, "--socket", self.sock, *args]

    def ctl(self, *args, check=True, quiet=False, timeout=600):
        r = subprocess.run(self.cmd(*args), capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise RuntimeError(f"ctrctl {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
        return r

    def ps_json(self, all_=True):
        r = self.ctl("ps", *(["-a"] if all_ else []), "--format", "json")
        return json.loads(r.stdout or "[]")

    def running_count(self):
        r = self.ctl("ps", "-q", check=False)
        return len(r.stdout.split())

    def rm_all(self, workers=2, batch=50):
        names = [c["Names"][0] for c in self.ps_json()]
        parallel(lambda b: self.ctl("rm", "-f", "-i", *b, check=False), chunks(names, batch), workers)
        return len(names)

    def mem(self):
        return smaps(self.pid)

    def stop(self):
        if self.p and self.p.poll() is None:
            try:
                self.rm_all()
            except Exception:
                pass
            stop_proc(self.p, signal.SIGTERM, 60)
        if self.p:
            self.logf.close()
        self.p = None
