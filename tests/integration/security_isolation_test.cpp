// Issue 11, the isolation half: masked and read-only paths, the cgroup namespace and its
// read-only cgroupfs, the device allow-list and --device, --privileged's mounts and host
// devices, the default pids limit and the rootfs ownership warning. Each escape attempt
// fails in a default busybox container and gets further with --privileged (or unmask=,
// --device), so the test proves the default is what stops it. Attempts run through the
// static probe (tests/support/escape_probe.cpp), which prints "ok" or the errno name.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/daemon.hpp"
#include "tests/support/process.hpp"
#include "tests/support/rootfs.hpp"

namespace security_isolation_test {

using ctrd::test::live_daemon;
using ctrd::test::proc_result;
using json = nlohmann::json;
namespace fsys = std::filesystem;

namespace {

/// Runs `script` with sh in a new --rm container of `rootfs` with `flags`.
proc_result in_container(const live_daemon& d, const std::string& rootfs,
                         const std::vector<std::string>& flags, const std::string& script) {
  std::vector<std::string> args{"run", "--rm", "--rootfs", rootfs};
  args.insert(args.end(), flags.begin(), flags.end());
  args.insert(args.end(), {"/bin/sh", "-c", script + "\ntrue"});  // probes exit 1 on refusal
  return d.ctl(args);
}

/// stdout of a container run that must succeed.
std::string out_of(const live_daemon& d, const std::string& rootfs,
                   const std::vector<std::string>& flags, const std::string& script) {
  auto r = in_container(d, rootfs, flags, script);
  INFO("stderr: " << r.err);
  CHECK(r.code == 0);
  return ctrd::test::trim(r.out);
}

/// The mount options (4th field of /proc/self/mountinfo's line) of `point` inside.
std::string mount_options(const live_daemon& d, const std::string& rootfs,
                          const std::vector<std::string>& flags, const std::string& point) {
  return out_of(d, rootfs, flags,
                "awk '$5 == \"" + point + "\" { o = $6 } END { print o }' /proc/self/mountinfo");
}

bool read_only(const std::string& options) {
  return ("," + options + ",").find(",ro,") != std::string::npos;
}

/// True when this host has the v1 hierarchy `name` mounted at /sys/fs/cgroup/<name>.
bool host_v1(const std::string& name) {
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);)
    if (line.find(" /sys/fs/cgroup/" + name + " ") != std::string::npos &&
        line.find(" - cgroup ") != std::string::npos)
      return true;
  return false;
}

}  // namespace

TEST_CASE("security: masked paths are empty and /proc/sys is read-only even with SYS_ADMIN",
          "[security]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path(), true);
  // /sys/firmware exists on this host: masked by an empty read-only tmpfs.
  bool firmware = !fsys::is_empty("/sys/firmware");
  auto out = out_of(d, rootfs, {"--cap-add", "SYS_ADMIN"},
                    "ls -A /sys/firmware | wc -l; wc -c < /proc/keys; "
                    "probe write /proc/sys/kernel/domainname x; probe create /sys/firmware/x");
  std::istringstream in(out);
  std::string firmware_entries, keys_bytes, sys_write, firmware_write;
  in >> firmware_entries >> keys_bytes >> sys_write >> firmware_write;
  CHECK(firmware_entries == "0");
  CHECK(keys_bytes == "0");
  CHECK(sys_write == "EROFS");  // the drop_caches class of host-wide writes
  CHECK(firmware_write == "EROFS");
  if (fsys::exists("/proc/sysrq-trigger"))
    CHECK(read_only(mount_options(d, rootfs, {}, "/proc/sysrq-trigger")));
  CHECK(read_only(mount_options(d, rootfs, {}, "/proc/sys")));
  auto sys = mount_options(d, rootfs, {}, "/sys");
  CHECK(read_only(sys));
  CHECK(("," + sys + ",").find(",noexec,") != std::string::npos);

  // --privileged gets further: a harmless knob (the container's own UTS namespace's
  // domain name) is written back with its value, and /sys/firmware is there.
  auto priv = out_of(d, rootfs, {"--privileged"},
                     "probe write /proc/sys/kernel/domainname \"$(cat "
                     "/proc/sys/kernel/domainname)\"; ls -A /sys/firmware | wc -l");
  std::istringstream pin(priv);
  std::string priv_write, priv_firmware;
  pin >> priv_write >> priv_firmware;
  CHECK(priv_write == "ok");
  if (firmware) CHECK(priv_firmware != "0");
  CHECK_FALSE(read_only(mount_options(d, rootfs, {"--privileged"}, "/sys")));
  CHECK(mount_options(d, rootfs, {"--privileged"}, "/proc/sys").empty());  // no extra mount
}

TEST_CASE("security: unmask and mask change the masked paths", "[security]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path(), true);
  CHECK(mount_options(d, rootfs, {"--security-opt", "unmask=ALL"}, "/proc/sys").empty());
  CHECK(mount_options(d, rootfs, {"--security-opt", "unmask=/proc/sys"}, "/proc/sys").empty());
  CHECK(read_only(mount_options(d, rootfs, {"--security-opt", "unmask=/proc/keys"}, "/proc/sys")));
  if (!fsys::is_empty("/sys/firmware"))
    CHECK(out_of(d, rootfs, {"--security-opt", "unmask=/sys/*"}, "ls -A /sys/firmware | wc -l") !=
          "0");
  // mask= hides a directory of the root file system behind an empty read-only tmpfs.
  CHECK(out_of(d, rootfs, {"--security-opt", "mask=/etc:/proc/cpuinfo"},
               "ls -A /etc | wc -l; wc -c < /proc/cpuinfo; probe create /etc/x") == "0\n0\nEROFS");
}

TEST_CASE("security: a cgroup namespace whose cgroupfs is read-only and holds the limits",
          "[security]") {
  REQUIRE_ROOTFS_SUPPORT();
  if (!host_v1("pids") && !fsys::exists("/sys/fs/cgroup/cgroup.controllers")) {
    WARN("skipped: no pids controller mounted at /sys/fs/cgroup/pids and no cgroup v2 root");
    return;
  }
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path(), true);
  // Every hierarchy's root is the container's own group.
  auto cg = out_of(d, rootfs, {}, "cat /proc/self/cgroup");
  std::istringstream lines(cg);
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n)
    CHECK(line.substr(line.rfind(':')) == ":/");
  CHECK(n > 0);
  const bool v1 = host_v1("pids");
  const std::string pids = v1 ? "/sys/fs/cgroup/pids" : "/sys/fs/cgroup";
  CHECK(read_only(mount_options(d, rootfs, {}, pids)));
  // Writes through it fail even with CAP_SYS_ADMIN: the pids limit, the freezer (freezing
  // itself or, through a parent, others), release_agent (not even there: only the host's
  // root cgroup has it).
  std::string script = "probe write " + pids + "/pids.max max; cat " + pids + "/pids.max";
  if (v1) {
    script += "; probe write /sys/fs/cgroup/pids/release_agent /x";
    if (host_v1("freezer")) script += "; probe write /sys/fs/cgroup/freezer/freezer.state FROZEN";
    // A new hierarchy cannot be made inside a cgroup namespace (the named-hierarchy escape).
    script += "; probe mount-cgroup /tmp/cg";
  }
  auto out = out_of(d, rootfs, {"--cap-add", "SYS_ADMIN", "--pids-limit", "5"}, script);
  std::istringstream in(out);
  std::string pids_write, pids_max, agent, freezer, named;
  in >> pids_write >> pids_max;
  CHECK(pids_write == "EROFS");
  CHECK(pids_max == "5");
  if (v1) {
    in >> agent;
    CHECK((agent == "EROFS" || agent == "ENOENT"));
    if (host_v1("freezer")) {
      in >> freezer;
      CHECK(freezer == "EROFS");
    }
    in >> named;
    CHECK(named == "EPERM");
  }
  // The limit holds: a shell that starts 20 background sleeps with 10 tasks allowed ends
  // at the first refused fork; what is left (this shell, the sleeps, cat) stays within 10.
  auto held = out_of(d, rootfs, {"--pids-limit", "10"},
                     "sh -c 'i=0; while [ $i -lt 20 ]; do sleep 2 & i=$((i+1)); done' "
                     "2>/dev/null; cat " +
                         pids + "/pids.current");
  REQUIRE_FALSE(held.empty());
  CHECK(std::stoi(held) <= 10);
  // The default limit and --pids-limit -1.
  CHECK(out_of(d, rootfs, {}, "cat " + pids + "/pids.max") == "2048");
  CHECK(out_of(d, rootfs, {"--pids-limit", "-1"}, "cat " + pids + "/pids.max") == "max");
  // --privileged: read-write (never written here: it is the container's own group).
  CHECK_FALSE(read_only(mount_options(d, rootfs, {"--privileged"}, pids)));
  // exec joins the namespace: its cgroups are "/" too.
  d.ok({"run", "-d", "--name", "box", "--rootfs", rootfs, "sleep", "100"});
  auto exec_cg = d.ok({"exec", "box", "cat", "/proc/self/cgroup"});
  std::istringstream el(exec_cg);
  for (std::string line; std::getline(el, line);) CHECK(line.substr(line.rfind(':')) == ":/");
  d.ok({"rm", "-f", "box"});
}

TEST_CASE("security: the device allow-list stops a node made with MKNOD and --device opens it",
          "[security]") {
  REQUIRE_ROOTFS_SUPPORT();
  if (!host_v1("devices")) {
    WARN("skipped: no cgroup v1 devices controller (cgroup v2 has no device allow-list in ctrd)");
    return;
  }
  struct stat st;
  if (::stat("/dev/loop-control", &st) != 0 || !S_ISCHR(st.st_mode)) {
    WARN("skipped: the test opens /dev/loop-control (harmless), which this host lacks");
    return;
  }
  const auto maj = std::to_string(major(st.st_rdev)), min = std::to_string(minor(st.st_rdev));
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path(), true);
  const std::string attempt =
      "rm -f /tmp/lc; probe mknod /tmp/lc " + maj + " " + min + "; probe open /tmp/lc";
  // Made (MKNOD), but the cgroup refuses to open it.
  CHECK(out_of(d, rootfs, {"--cap-add", "MKNOD"}, attempt) == "ok\nEPERM");
  // The minimal /dev keeps working.
  CHECK(out_of(d, rootfs, {}, "probe open /dev/null; probe open /dev/ptmx") == "ok\nok");
  // --device adds the node and its rule; with a new path and read-only access too.
  CHECK(out_of(d, rootfs, {"--device", "/dev/loop-control"}, "probe open /dev/loop-control") ==
        "ok");
  CHECK(out_of(d, rootfs, {"--device", "/dev/loop-control:/dev/lc:r"},
               "probe open /dev/lc; probe write /dev/lc x") == "ok\nEPERM");
  // The node has the host's mode and owner.
  auto ls = out_of(d, rootfs, {"--device", "/dev/loop-control:/dev/x/lc"},
                   "stat -c '%t:%T %a %u:%g' /dev/x/lc");
  std::ostringstream want;
  want << std::hex << major(st.st_rdev) << ":" << minor(st.st_rdev) << std::oct << " "
       << (st.st_mode & 07777) << std::dec << " " << st.st_uid << ":" << st.st_gid;
  CHECK(ls == want.str());
  // --privileged: no allow-list, and the host's devices are there.
  CHECK(out_of(d, rootfs, {"--privileged"}, attempt + "; probe open /dev/loop-control") ==
        "ok\nok\nok");
}

TEST_CASE("security: --device errors are clear and exit 125", "[security]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  auto missing = d.ctl({"create", "--rootfs", rootfs, "--device", "/dev/no-such-node", "true"});
  CHECK(missing.code == 125);
  CHECK(missing.err.find("--device /dev/no-such-node: No such file or directory") !=
        std::string::npos);
  auto plain = d.ctl({"create", "--rootfs", rootfs, "--device", "/etc/passwd:/dev/pw", "true"});
  CHECK(plain.code == 125);
  CHECK(plain.err.find("not a character or block device") != std::string::npos);
  auto outside = d.ctl({"create", "--rootfs", rootfs, "--device", "/dev/null:/data/null", "true"});
  CHECK(outside.code == 125);
  CHECK(outside.err.find("must be below /dev") != std::string::npos);
  // inspect shows podman's HostConfig.Devices.
  d.ok({"create", "--name", "dev", "--rootfs", rootfs, "--device", "/dev/null:/dev/n2:r", "true"});
  CHECK(ctrd::test::inspect(d, "dev")["HostConfig"]["Devices"] ==
        json::array({{{"PathOnHost", "/dev/null"},
                      {"PathInContainer", "/dev/n2"},
                      {"CgroupPermissions", "r"}}}));
}

TEST_CASE("security: the default pids limit is 2048 and the daemon flag changes it", "[security]") {
  bool pids = host_v1("pids") || fsys::exists("/sys/fs/cgroup/cgroup.controllers");
  if (::geteuid() != 0 || !pids) {
    WARN("skipped: needs root and the pids controller");
    return;
  }
  live_daemon d;
  auto root = d.dir().path() + "/r";  // create only checks that the rootfs exists
  fsys::create_directories(root);
  auto create = [&](const live_daemon& on, std::vector<std::string> args) {
    args.insert(args.begin(), {"create", "--rootfs", root});
    args.push_back("true");
    on.ok(args);
  };
  create(d, {"--name", "plain"});
  create(d, {"--name", "none", "--pids-limit", "-1"});
  create(d, {"--name", "some", "--pids-limit", "100"});
  CHECK(ctrd::test::inspect(d, "plain")["HostConfig"]["PidsLimit"] == 2048);
  CHECK(ctrd::test::inspect(d, "none")["HostConfig"]["PidsLimit"] == 0);
  CHECK(ctrd::test::inspect(d, "some")["HostConfig"]["PidsLimit"] == 100);
  // A host-file-system service gets it where it costs nothing (pids on cgroup2, which its
  // process is cloned into); on a v1 pids controller only when asked.
  d.ok({"create", "--name", "service", "true"});
  bool unified_pids = fsys::exists("/sys/fs/cgroup/cgroup.controllers");  // pure cgroup v2
  CHECK(ctrd::test::inspect(d, "service")["HostConfig"]["PidsLimit"] == (unified_pids ? 2048 : 0));
  // Stored containers keep theirs when ctrd restarts with another default.
  live_daemon e({{"--default-pids-limit", "0"}});
  create(e, {"--name", "plain"});
  CHECK(ctrd::test::inspect(e, "plain")["HostConfig"]["PidsLimit"] == 0);
  live_daemon f({{"--default-pids-limit", "77"}});
  create(f, {"--name", "plain"});
  CHECK(ctrd::test::inspect(f, "plain")["HostConfig"]["PidsLimit"] == 77);
  auto bad = ctrd::test::run_process({CTRD_BIN, "--default-pids-limit", "-5"});
  CHECK(bad.code == 2);
}

TEST_CASE("security: create warns about a rootfs others can write to and still succeeds",
          "[security]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  auto quiet = d.ctl({"create", "--rootfs", rootfs, "true"});
  CHECK(quiet.code == 0);
  CHECK(quiet.err.find("WARN") == std::string::npos);
  ::chmod(rootfs.c_str(), 0777);
  auto warned = d.ctl({"create", "--name", "open", "--rootfs", rootfs, "true"});
  CHECK(warned.code == 0);
  const std::string text = "rootfs " + rootfs +
                           " is writable by non-root users: a setuid binary planted there runs "
                           "as root in the container (ctrd never changes its permissions)";
  CHECK(warned.err.find("WARN") != std::string::npos);
  CHECK(warned.err.find(text) != std::string::npos);
  CHECK(d.log().find(text) != std::string::npos);
  struct stat st;
  REQUIRE(::stat(rootfs.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0777);  // never changed by ctrd
  ::chmod(rootfs.c_str(), 0755);
}

}  // namespace security_isolation_test
