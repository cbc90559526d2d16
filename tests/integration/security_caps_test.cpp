// Capabilities, seccomp, no_new_privs and the session keyring end to end (issue 11,
// docs/security.md): the sets of /proc/self/status for every way they are chosen, and
// escape attempts by tests/support/escape_probe.cpp inside busybox containers. Each attempt
// fails in a default container and gets further with --privileged or the matching
// --cap-add, so the default is what stops it. Nothing here sets the clock: the time given
// to settimeofday is invalid (EINVAL once the call is allowed at all).
#include <catch2/catch.hpp>

#include <linux/keyctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/daemon.hpp"
#include "tests/support/process.hpp"
#include "tests/support/rootfs.hpp"

namespace security_caps_test {

using ctrd::test::inspect;
using ctrd::test::live_daemon;
using json = nlohmann::json;
namespace fsys = std::filesystem;

namespace {

const char* const debian_profile = "/usr/share/containers/seccomp.json";

/// Runs `/bin/probe ARGS...` in a new container with `flags`; returns its trimmed stdout
/// (the probe's verdict: "ok" or an errno name, after what it printed).
std::string probe(const live_daemon& d, const std::string& rootfs,
                  const std::vector<std::string>& flags, const std::vector<std::string>& args) {
  std::vector<std::string> cmd = {"run", "--rm", "--rootfs", rootfs};
  cmd.insert(cmd.end(), flags.begin(), flags.end());
  cmd.push_back("/bin/probe");
  cmd.insert(cmd.end(), args.begin(), args.end());
  auto r = d.ctl(cmd);
  INFO("ctrctl " << r.code << " stderr: " << r.err);
  CHECK(r.code <= 1);  // the probe's own verdicts: 0 (ok) or 1 (an errno name)
  auto out = r.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

/// Runs `sh -c SCRIPT` in a new container with `flags`; returns its trimmed stdout.
std::string shell(const live_daemon& d, const std::string& rootfs,
                  const std::vector<std::string>& flags, const std::string& script) {
  std::vector<std::string> cmd = {"run", "--rm", "--rootfs", rootfs};
  cmd.insert(cmd.end(), flags.begin(), flags.end());
  cmd.insert(cmd.end(), {"/bin/sh", "-c", script});
  auto r = d.ctl(cmd);
  INFO("ctrctl " << r.code << " stderr: " << r.err);
  auto out = r.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

/// The value of `key` ("CapEff") in /proc/self/status lines.
std::string field(const std::string& status, const std::string& key) {
  auto pos = status.find(key + ":");
  if (pos == std::string::npos) return "";
  pos += key.size() + 1;
  while (pos < status.size() && (status[pos] == '\t' || status[pos] == ' ')) ++pos;
  auto end = status.find('\n', pos);
  return status.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

/// The last line of `text` (the probe's verdict after what it printed).
std::string verdict(const std::string& text) {
  auto nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

std::string own_status_field(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return field(all, key);
}

}  // namespace

TEST_CASE("security: capability sets by default, --cap-drop ALL, --cap-add and --user",
          "[security]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path(), true);

  auto def = probe(d, rootfs, {}, {"caps"});
  CHECK(field(def, "CapEff") == "00000000800405fb");
  CHECK(field(def, "CapPrm") == "00000000800405fb");
  CHECK(field(def, "CapBnd") == "00000000800405fb");
  CHECK(field(def, "CapInh") == "0000000000000000");
  CHECK(field(def, "CapAmb") == "0000000000000000");
  CHECK(field(def, "Seccomp") == "2");
  CHECK(field(def, "NoNewPrivs") == "0");

  auto none = probe(d, rootfs, {"--cap-drop", "ALL"}, {"caps"});
  CHECK(field(none, "CapEff") == "0000000000000000");
  CHECK(field(none, "CapBnd") == "0000000000000000");

  auto raw = probe(d, rootfs, {"--cap-add", "net_raw", "--cap-drop", "CAP_CHOWN"}, {"caps"});
  CHECK(field(raw, "CapEff") == "00000000800425fa");  // + NET_RAW (13), - CHOWN (0)
  CHECK(field(raw, "CapBnd") == "00000000800425fa");

  auto user = probe(d, rootfs, {"--user", "1000"}, {"caps"});
  CHECK(field(user, "Uid").rfind("1000\t", 0) == 0);
  CHECK(field(user, "CapEff") == "0000000000000000");
  CHECK(field(user, "CapPrm") == "0000000000000000");
  CHECK(field(user, "CapBnd") == "00000000800405fb");

  auto user_raw = probe(d, rootfs, {"--user", "1000", "--cap-add", "NET_RAW"}, {"caps"});
  CHECK(field(user_raw, "CapEff") == "0000000000002000");
  CHECK(field(user_raw, "CapAmb") == "0000000000002000");
  CHECK(field(user_raw, "CapInh") == "0000000000002000");

  auto nnp = probe(d, rootfs, {"--security-opt", "no-new-privileges"}, {"caps"});
  CHECK(field(nnp, "NoNewPrivs") == "1");
  CHECK(field(nnp, "Seccomp") == "2");
  CHECK(field(nnp, "CapEff") == "00000000800405fb");

  // --privileged: everything ctrd has, no filter.
  auto priv = probe(d, rootfs, {"--privileged"}, {"caps"});
  CHECK(field(priv, "CapEff") == own_status_field("CapEff"));
  CHECK(field(priv, "Seccomp") == "0");

  // inspect shows the sets as podman 4 does.
  d.ok({"create", "--name", "shown", "--rootfs", rootfs, "--cap-add", "NET_RAW", "--cap-drop",
        "CHOWN", "/bin/true"});
  auto j = inspect(d, "shown");
  CHECK(j["HostConfig"]["CapAdd"] == json::array({"CAP_NET_RAW"}));
  CHECK(j["HostConfig"]["CapDrop"] == json::array({"CAP_CHOWN"}));
  CHECK(j["BoundingCaps"].size() == 11);
  CHECK(j["EffectiveCaps"] == j["BoundingCaps"]);
  d.ok({"rm", "shown"});
}

TEST_CASE("security: a setuid-root binary run by --user 1000 gets at most the default set",
          "[security]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path(), true);
  auto suid = fsys::path(rootfs) / "bin" / "suprobe";
  fsys::copy_file(fsys::path(rootfs) / "bin" / "probe", suid);
  REQUIRE(::chown(suid.c_str(), 0, 0) == 0);
  REQUIRE(::chmod(suid.c_str(), 04755) == 0);
  std::vector<std::string> cmd = {"run",    "--rm", "--rootfs",     rootfs,
                                  "--user", "1000", "/bin/suprobe", "caps"};
  auto r = d.ctl(cmd);
  REQUIRE(r.code == 0);
  if (field(r.out, "Uid") == "1000\t1000\t1000\t1000") {
    WARN("skipped: the test directory's file system ignores setuid bits (nosuid)");
    return;
  }
  CHECK(field(r.out, "Uid") == "1000\t0\t0\t0");
  CHECK(field(r.out, "CapEff") == "00000000800405fb");  // not every capability
  CHECK(field(r.out, "CapBnd") == "00000000800405fb");
  cmd.insert(cmd.begin() + 4, {"--security-opt", "no-new-privileges"});
  r = d.ctl(cmd);
  REQUIRE(r.code == 0);
  CHECK(field(r.out, "Uid") == "1000\t1000\t1000\t1000");
  CHECK(field(r.out, "CapEff") == "0000000000000000");
  CHECK(field(r.out, "NoNewPrivs") == "1");
}

TEST_CASE("security: escape attempts fail by default and get further when allowed", "[security]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path(), true);
  const std::vector<std::string> privileged = {"--privileged"};

  SECTION("mount a tmpfs") {
    CHECK(probe(d, rootfs, {}, {"mount-tmpfs", "/tmp"}) == "EPERM");
    CHECK(probe(d, rootfs, privileged, {"mount-tmpfs", "/tmp"}) == "ok");
  }
  SECTION("mount a cgroup file system (escapes limits, freezes others)") {
    CHECK(probe(d, rootfs, {}, {"mount-cgroup", "/tmp/cg"}) == "EPERM");
    // Privileged, it may mount an existing hierarchy (inside its cgroup namespace: its own
    // group as the root); a new named one stays refused there (security_isolation_test).
    if (::access("/sys/fs/cgroup/pids/cgroup.procs", F_OK) == 0) {
      auto out =
          shell(d, rootfs, privileged, "/bin/probe mount-cgroup /tmp/cg pids; umount /tmp/cg");
      CHECK(verdict(out) == "ok");
    } else {
      WARN("privileged half skipped: no cgroup v1 pids hierarchy on this host");
    }
  }
  SECTION("remount a read-only bind mount read-write") {
    auto data = fsys::path(d.dir().path()) / "data";
    fsys::create_directories(data);
    std::vector<std::string> ro = {"-v", data.string() + ":/data:ro"};
    CHECK(probe(d, rootfs, ro, {"remount-rw", "/data"}) == "EPERM");
    ro.push_back("--privileged");
    CHECK(probe(d, rootfs, ro, {"remount-rw", "/data"}) == "ok");
  }
  SECTION("mknod a device") {
    CHECK(probe(d, rootfs, {}, {"mknod", "/tmp/mem"}) == "EPERM");
    CHECK(probe(d, rootfs, {"--cap-add", "MKNOD"}, {"mknod", "/tmp/mem"}) == "ok");
  }
  SECTION("open_by_handle_at (shocker)") {
    CHECK(probe(d, rootfs, {}, {"open-by-handle"}) == "EPERM");
    // Allowed, the kernel decides by the handle: opened, or a stale handle: not EPERM.
    CHECK(probe(d, rootfs, privileged, {"open-by-handle"}) != "EPERM");
  }
  SECTION("the session keyring") {
    CHECK(probe(d, rootfs, {}, {"keyring"}) == "EPERM");
    auto out = probe(d, rootfs, privileged, {"keyring"});
    CHECK(verdict(out) == "ok");
    long own = ::syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 1);
    REQUIRE(own > 0);
    CHECK(out.find("session keyring ") == 0);
    CHECK(out.find("session keyring " + std::to_string(own) + "\n") == std::string::npos);
  }
  SECTION("a user namespace") {
    CHECK(probe(d, rootfs, {}, {"userns"}) == "EPERM");
    CHECK(probe(d, rootfs, privileged, {"userns"}) == "ok");
  }
  SECTION("ptrace and pidfd_getfd of another process of the container") {
    const char* script = "sleep 30 & /bin/probe ptrace $!; /bin/probe pidfd-getfd $! 1; kill $!";
    CHECK(shell(d, rootfs, {}, script) == "EPERM\nEPERM");
    CHECK(shell(d, rootfs, {"--cap-add", "SYS_PTRACE"}, script) == "ok\nok");
  }
  SECTION("the kernel log and kernel addresses") {
    const char* script =
        "dmesg >/dev/null 2>&1 && echo dmesg-ok || echo dmesg-denied; "
        "test -e /dev/kmsg && echo kmsg || echo no-kmsg; head -1 /proc/kallsyms | cut -c1-16";
    CHECK(shell(d, rootfs, {}, script) == "dmesg-denied\nno-kmsg\n0000000000000000");
    auto allowed = shell(d, rootfs, privileged, script);
    CHECK(allowed.rfind("dmesg-ok\nkmsg\n", 0) == 0);
    CHECK(allowed.find("0000000000000000") == std::string::npos);  // real addresses
  }
  SECTION("settimeofday (with an invalid time: the clock never changes)") {
    CHECK(probe(d, rootfs, {}, {"settime-invalid"}) == "EPERM");
    CHECK(probe(d, rootfs, {"--cap-add", "SYS_TIME"}, {"settime-invalid"}) == "EINVAL");
  }
  SECTION("personality flags that weaken the address space") {
    CHECK(probe(d, rootfs, {}, {"personality", "0x0040000"}) == "EPERM");  // ADDR_NO_RANDOMIZE
    CHECK(probe(d, rootfs, {}, {"personality", "0x80400000"}) == "EPERM");
    CHECK(probe(d, rootfs, {}, {"personality", "0xffffffff"}) == "ok");  // the query
    CHECK(probe(d, rootfs, {}, {"personality", "8"}) == "ok");
    CHECK(probe(d, rootfs, privileged, {"personality", "0x0040000"}) == "ok");
  }
}

TEST_CASE("security: host-mode containers and exec helpers get the container's sets",
          "[security]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  // No --rootfs: the host's file system, the same capabilities and filter.
  auto host = d.ctl({"run", "--rm", CTRD_ESCAPE_PROBE, "caps"});
  REQUIRE(host.code == 0);
  CHECK(field(host.out, "CapEff") == "00000000800405fb");
  CHECK(field(host.out, "CapBnd") == "00000000800405fb");
  CHECK(field(host.out, "Seccomp") == "2");
  auto host_key = d.ctl({"run", "--rm", CTRD_ESCAPE_PROBE, "keyring"});
  CHECK(host_key.out == "EPERM\n");

  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path(), true);
  d.ok({"run", "-d", "--name", "box", "--rootfs", rootfs, "--cap-add", "NET_RAW", "--health-cmd",
        "/bin/probe caps", "--health-interval", "1h", "/bin/sleep", "100"});
  auto in = d.ok({"exec", "box", "/bin/probe", "caps"});
  CHECK(field(in, "CapEff") == "00000000800425fb");
  CHECK(field(in, "Seccomp") == "2");
  auto as_user = d.ok({"exec", "--user", "1000", "box", "/bin/probe", "caps"});
  CHECK(field(as_user, "CapEff") == "0000000000002000");  // a user gets what was added
  CHECK(field(as_user, "CapBnd") == "00000000800425fb");
  CHECK(d.ctl({"exec", "box", "/bin/probe", "settime-invalid"}).out == "EPERM\n");
  auto health = d.ctl({"healthcheck", "run", "box"});
  CHECK(health.code == 0);
  auto j = inspect(d, "box");
  auto log = j["State"]["Health"]["Log"];
  REQUIRE(!log.empty());
  auto output = log.back().value("Output", std::string());
  CHECK(field(output, "CapEff") == "00000000800425fb");
  CHECK(field(output, "Seccomp") == "2");
  d.ok({"rm", "-f", "box"});
}

TEST_CASE("security: seccomp=PATH takes Debian's containers profile, unconfined none",
          "[security]") {
  REQUIRE_ROOTFS_SUPPORT();
  if (::access(debian_profile, R_OK) != 0) {
    WARN("skipped: no " << debian_profile << " (golang-github-containers-common)");
    return;
  }
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path(), true);
  std::vector<std::string> deb = {"--security-opt", std::string("seccomp=") + debian_profile};
  auto caps = probe(d, rootfs, deb, {"caps"});
  CHECK(field(caps, "Seccomp") == "2");
  CHECK(field(caps, "CapEff") == "00000000800405fb");
  // move_pages is refused by that profile whatever the capabilities; allowed unconfined.
  CHECK(probe(d, rootfs, deb, {"move-pages"}) == "EPERM");
  CHECK(probe(d, rootfs, {"--security-opt", "seccomp=unconfined"}, {"move-pages"}) == "ok");
  CHECK(field(probe(d, rootfs, {"--security-opt", "seccomp=unconfined"}, {"caps"}), "Seccomp") ==
        "0");
  // Its rules by capability: settimeofday opens with SYS_TIME.
  CHECK(probe(d, rootfs, deb, {"settime-invalid"}) == "EPERM");
  auto with_time = deb;
  with_time.insert(with_time.end(), {"--cap-add", "SYS_TIME"});
  CHECK(probe(d, rootfs, with_time, {"settime-invalid"}) == "EINVAL");
}

TEST_CASE("security: a missing or invalid seccomp profile is a clear error at create and start",
          "[security]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto dir = fsys::path(d.dir().path());
  auto missing =
      d.ctl({"create", "--security-opt", "seccomp=" + (dir / "nope.json").string(), "/bin/true"});
  CHECK(missing.code == 125);
  CHECK(missing.err.find("nope.json") != std::string::npos);
  CHECK(missing.err.find("cannot be read") != std::string::npos);

  std::ofstream(dir / "bad.json") << "{\"defaultAction\": \"SCMP_ACT_MAYBE\"}";
  auto bad =
      d.ctl({"create", "--security-opt", "seccomp=" + (dir / "bad.json").string(), "/bin/true"});
  CHECK(bad.code == 125);
  CHECK(bad.err.find("bad.json") != std::string::npos);
  CHECK(bad.err.find("SCMP_ACT_MAYBE") != std::string::npos);

  // Valid at create, broken before start.
  auto later = dir / "later.json";
  std::ofstream(later) << "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}";
  d.ok({"create", "--name", "c", "--security-opt", "seccomp=" + later.string(), "/bin/true"});
  std::ofstream(later, std::ios::trunc) << "{not json";
  auto start = d.ctl({"start", "c"});
  CHECK(start.code == 125);
  CHECK(start.err.find("later.json") != std::string::npos);
  CHECK(start.err.find("not valid JSON") != std::string::npos);
  d.ok({"rm", "-f", "c"});
}

TEST_CASE("security: --default-capabilities sets the daemon's default set", "[security]") {
  REQUIRE_ROOTFS_SUPPORT();
  auto bad = ctrd::test::run_process({CTRD_BIN, "--default-capabilities", "CHOWN,FLY"});
  CHECK(bad.code == 2);
  CHECK(bad.err.find("FLY") != std::string::npos);

  ctrd::test::daemon_options o;
  o.args = {"--default-capabilities", "CHOWN,CAP_KILL"};
  live_daemon d(o);
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path(), true);
  auto caps = probe(d, rootfs, {}, {"caps"});
  CHECK(field(caps, "CapEff") == "0000000000000021");
  CHECK(field(caps, "CapBnd") == "0000000000000021");
  d.ok({"create", "--name", "k", "--rootfs", rootfs, "--cap-add", "NET_RAW", "/bin/true"});
  auto j = inspect(d, "k");
  CHECK(j["BoundingCaps"] == json::array({"CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"}));
  CHECK(j["HostConfig"]["CapAdd"] == json::array({"CAP_NET_RAW"}));
  CHECK(j["HostConfig"]["CapDrop"] == json::array());
  d.ok({"rm", "k"});
}

}  // namespace security_caps_test
