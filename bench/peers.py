"""The peers the suite compares ctrd with: which are installed, and how to drive them here.

Invocations are the ones that work on this machine (docs/benchmarks.md, "Peers"):
* podman: private store under the work dir, cgroupfs manager, file events, and per container
  `--network none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096` (podman asks for 1048576,
  which a runtime without CAP_SYS_RESOURCE cannot set).
* crun <= 1.8 refuses hybrid cgroups (cgroup2 with a controller at /sys/fs/cgroup/unified):
  crun, and podman (whose default runtime is crun), run inside peers/legacyns.sh then.
"""
import json
import os
import shutil
import subprocess

from lib import HERE, DEVNULL, version_of, log

LEGACYNS = os.path.join(HERE, "peers", "legacyns.sh")


def have(tool):
    return shutil.which(tool) is not None


def need_legacy_ns():
    """True when cgroup2 is mounted beside v1 controllers with a controller of its own."""
    try:
        with open("/sys/fs/cgroup/unified/cgroup.controllers") as f:
            ctrls = f.read().strip()
    except OSError:
        return False
    return bool(ctrls) and os.path.ismount("/sys/fs/cgroup/unified")


LEGACY = [LEGACYNS] if need_legacy_ns() else []


def versions():
    v = {}
    for name, argv in [("podman", ["podman", "--version"]), ("crun", ["crun", "--version"]),
                       ("runc", ["runc", "--version"]), ("conmon", ["conmon", "--version"]),
                       ("s6", ["dpkg-query", "-W", "-f", "${Version}", "s6"]),
                       ("hyperfine", ["hyperfine", "--version"]),
                       ("busybox", ["busybox"])]:
        tool = argv[0] if name != "s6" else "s6-supervise"
        if have(tool) and (name != "s6" or have("dpkg-query")):
            v[name] = version_of(argv)
        else:
            v[name] = None
    return v


class Podman:
    def __init__(self, work, rootfs):
        self.dir = os.path.join(work, "podman")
        self.rootfs = rootfs
        os.makedirs(self.dir, exist_ok=True)
        self.glob = ["--cgroup-manager=cgroupfs", "--events-backend=file",
                     "--root", f"{self.dir}/storage", "--runroot", f"{self.dir}/runroot",
                     "--tmpdir", f"{self.dir}/tmp"]
        self.run_flags = ["--network", "none", "--ulimit", "nofile=1024:1024",
                          "--ulimit", "nproc=4096:4096", "--label", "ctrdbench=1"]

    def cmd(self, *args):
        return LEGACY + ["podman"] + self.glob + list(args)

    def run_cmd(self, *args, rootfs_args=()):
        """argv of `podman run` with the working flags; args go between the flags and --rootfs."""
        return self.cmd("run", *self.run_flags, *args, "--rootfs", self.rootfs, *rootfs_args)

    def sh(self, *args, check=False, timeout=300):
        return subprocess.run(self.cmd(*args), capture_output=True, text=True, check=check,
                              timeout=timeout)

    def rm_all(self):
        ids = self.sh("ps", "-a", "-q", "--filter", "label=ctrdbench=1").stdout.split()
        for i in range(0, len(ids), 100):
            self.sh("rm", "-f", "-t", "0", *ids[i:i + 100])
        return len(ids)

    def destroy(self):
        """Remove every container of the private store, unmount what podman left, delete it."""
        try:
            self.rm_all()
        except Exception as e:
            log(f"podman cleanup: {e}")
        with open("/proc/self/mounts") as f:
            mounts = [l.split()[1] for l in f if l.split()[1].startswith(self.dir + "/")]
        for m in sorted(mounts, reverse=True):
            subprocess.run(["umount", "-l", m], stdout=DEVNULL, stderr=DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


def make_bundle(bundle, rootfs, args):
    """An OCI bundle (from `crun spec` or `runc spec`) running args in rootfs, read-only root."""
    os.makedirs(bundle, exist_ok=True)
    cfg = os.path.join(bundle, "config.json")
    if os.path.exists(cfg):
        os.unlink(cfg)
    tool = "crun" if have("crun") else "runc"
    subprocess.run([tool, "spec"], cwd=bundle, check=True, stdout=DEVNULL)
    with open(cfg) as f:
        c = json.load(f)
    c["process"]["terminal"] = False
    c["process"]["args"] = list(args)
    c["root"] = {"path": rootfs, "readonly": True}
    with open(cfg, "w") as f:
        json.dump(c, f, indent=1)
    return bundle


def write_s6_service(d, run_body):
    """An s6 service directory whose ./run is a /bin/sh script with run_body."""
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, "run")
    with open(p, "w") as f:
        f.write("#!/bin/sh\n" + run_body + "\n")
    os.chmod(p, 0o755)
