// The pure rules of a rootfs container's confinement: masked and read-only paths after
// unmask/mask/--privileged, device rule text, the cgroupfs mounts of a cgroup namespace
// (from mountinfo text) and which rootfs directories others can write to.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <algorithm>
#include <filesystem>

#include "messages/error.hpp"
#include "runtime/cgroup_ns.hpp"
#include "runtime/device_rules.hpp"
#include "runtime/path_policy.hpp"
#include "runtime/rootfs_owner.hpp"

namespace confinement_rules_test {

using ctrd::resolve_path_policy;
using ctrd::security_spec;

namespace {

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("path policy: podman's masked and read-only paths by default", "[confinement]") {
  auto p = resolve_path_policy(security_spec{});
  for (const char* m :
       {"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/sched_debug",
        "/proc/scsi", "/proc/timer_list", "/proc/timer_stats", "/sys/dev/block",
        "/sys/devices/virtual/powercap", "/sys/firmware", "/sys/fs/selinux"})
    CHECK(has(p.masked, m));
  CHECK(p.masked.size() == 12);
  CHECK(p.read_only == std::vector<std::string>{"/proc/asound", "/proc/bus", "/proc/fs",
                                                "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"});
  CHECK_FALSE(p.sys_writable);
  CHECK_FALSE(p.cgroupfs_writable);
}

TEST_CASE("path policy: unmask and mask", "[confinement]") {
  struct row {
    std::vector<std::string> unmask, mask;
    std::vector<std::string> masked_absent, masked_present, ro_absent, ro_present;
    bool cgroupfs_writable;
  };
  const row rows[] = {
      // ALL: nothing of the defaults, cgroupfs writable too (podman's unmask=ALL).
      {{"ALL"}, {}, {"/proc/kcore", "/sys/firmware"}, {}, {"/proc/sys"}, {}, true},
      // exact paths, masked and read-only alike
      {{"/proc/keys", "/proc/sys"},
       {},
       {"/proc/keys"},
       {"/proc/kcore"},
       {"/proc/sys"},
       {"/proc/bus"},
       false},
      // a shell pattern matches one component: /proc/* but not /sys/...
      {{"/proc/*"},
       {},
       {"/proc/kcore", "/proc/acpi"},
       {"/sys/firmware"},
       {"/proc/sysrq-trigger"},
       {},
       false},
      {{"/sys/fs/cgroup"}, {}, {}, {"/proc/kcore"}, {}, {"/proc/sys"}, true},
      // mask= adds; a path masked and read-only is only masked
      {{},
       {"/etc/secret", "/proc/sys"},
       {},
       {"/etc/secret", "/proc/sys"},
       {"/proc/sys"},
       {"/proc/bus"},
       false},
      // unmask= never removes a mask= path
      {{"ALL"}, {"/proc/kcore"}, {"/sys/firmware"}, {"/proc/kcore"}, {}, {}, true},
  };
  for (const auto& r : rows) {
    security_spec s;
    s.unmask = r.unmask;
    s.mask = r.mask;
    auto p = resolve_path_policy(s);
    for (const auto& m : r.masked_absent) CHECK_FALSE(has(p.masked, m));
    for (const auto& m : r.masked_present) CHECK(has(p.masked, m));
    for (const auto& m : r.ro_absent) CHECK_FALSE(has(p.read_only, m));
    for (const auto& m : r.ro_present) CHECK(has(p.read_only, m));
    CHECK(p.cgroupfs_writable == r.cgroupfs_writable);
  }
}

TEST_CASE("path policy: privileged masks nothing and writes /sys and cgroupfs", "[confinement]") {
  security_spec s;
  s.privileged = true;
  auto p = resolve_path_policy(s);
  CHECK(p.masked.empty());
  CHECK(p.read_only.empty());
  CHECK(p.sys_writable);
  CHECK(p.cgroupfs_writable);
  s.mask = {"/proc/kcore"};
  CHECK(resolve_path_policy(s).masked == std::vector<std::string>{"/proc/kcore"});
}

TEST_CASE("device rules: text, defaults and the rule of a node", "[confinement]") {
  CHECK(ctrd::to_text({'c', 1, 3, "rwm"}) == "c 1:3 rwm");
  CHECK(ctrd::to_text({'b', -1, -1, "m"}) == "b *:* m");
  CHECK(ctrd::to_text({'c', 136, -1, "rwm"}) == "c 136:* rwm");
  std::vector<std::string> defaults;
  for (const auto& r : ctrd::default_device_rules()) defaults.push_back(ctrd::to_text(r));
  CHECK(defaults == std::vector<std::string>{"c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm",
                                             "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm",
                                             "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm"});
  CHECK(ctrd::to_text(ctrd::rule_for(S_IFCHR | 0600, makedev(10, 237), "rw")) == "c 10:237 rw");
  CHECK(ctrd::to_text(ctrd::rule_for(S_IFBLK | 0660, makedev(7, 0), "r")) == "b 7:0 r");
}

TEST_CASE("cgroup namespace mounts: one per hierarchy of the group, named as on the host",
          "[confinement]") {
  const std::string hybrid =
      "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
      "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
      "36 30 0:33 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset,clone_children\n"
      "39 30 0:36 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd,"
      "release_agent=/lib/systemd/systemd-cgroups-agent\n"
      "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
      "41 22 0:38 / /mnt/my\\040cg rw - cgroup cgroup rw,net_cls,net_prio\n";
  auto m = ctrd::cgroup::namespace_mounts(
      hybrid, {"/sys/fs/cgroup/unified/ctrd/x", "/sys/fs/cgroup/memory/a/ctrd/x",
               "/sys/fs/cgroup/cpu,cpuacct/ctrd/x", "/sys/fs/cgroup/systemd/ctrd/x",
               "/sys/fs/cgroup/devices/ctrd/x", "/sys/fs/cgroup/cpuset/ctrd/x", "/mnt/my cg/ctrd/x",
               "/nowhere/x"});
  REQUIRE(m.size() == 7);
  CHECK((m[0].name == "unified" && m[0].fstype == "cgroup2" && m[0].options.empty()));
  CHECK((m[1].name == "memory" && m[1].fstype == "cgroup" && m[1].options == "memory"));
  CHECK((m[2].name == "cpu,cpuacct" && m[2].options == "cpu,cpuacct"));
  CHECK((m[3].name == "systemd" && m[3].options == "none,name=systemd"));
  CHECK((m[4].name == "devices" && m[4].options == "devices"));
  CHECK((m[5].name == "cpuset" && m[5].options == "cpuset"));
  CHECK((m[6].name == "net_cls,net_prio" && m[6].options == "net_cls,net_prio"));

  const std::string v2 = "25 22 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n";
  auto u = ctrd::cgroup::namespace_mounts(v2, {"/sys/fs/cgroup/system.slice/ctrd/x"});
  REQUIRE(u.size() == 1);
  CHECK((u[0].name.empty() && u[0].fstype == "cgroup2"));
}

TEST_CASE("rootfs ownership: which directories others can write to", "[confinement]") {
  CHECK_FALSE(ctrd::writable_by_others(S_IFDIR | 0755, 0));
  CHECK(ctrd::writable_by_others(S_IFDIR | 0775, 0));
  CHECK(ctrd::writable_by_others(S_IFDIR | 0757, 0));
  CHECK_FALSE(ctrd::writable_by_others(S_IFDIR | 01777, 0));  // sticky, like /tmp
  CHECK(ctrd::writable_by_others(S_IFDIR | 0755, 1000));      // owned by a user
  CHECK(ctrd::rootfs_warning("/no/such/dir").empty());        // create reports that itself
  CHECK(ctrd::rootfs_warning("/").empty());
  if (::geteuid() != 0) {
    WARN("skipped: the directory checks need root (a root-owned temp dir)");
    return;
  }
  namespace fsys = std::filesystem;
  auto base = fsys::temp_directory_path() / ("ctrd-owner-" + std::to_string(::getpid()));
  fsys::create_directories(base / "open" / "rootfs");
  fsys::create_directories(base / "safe");
  ::chmod(base.c_str(), 0755);
  ::chmod((base / "safe").c_str(), 0755);
  ::chmod((base / "open").c_str(), 0777);
  ::chmod((base / "open" / "rootfs").c_str(), 0755);
  CHECK(ctrd::rootfs_warning((base / "safe").string()).empty());
  auto w = ctrd::rootfs_warning((base / "open" / "rootfs").string());
  CHECK(w.find("is writable by non-root users (through its parent directory " +
               (base / "open").string() + ")") != std::string::npos);
  ::chmod((base / "safe").c_str(), 0777);
  CHECK(ctrd::rootfs_warning((base / "safe").string()) ==
        "rootfs " + (base / "safe").string() +
            " is writable by non-root users: a setuid binary planted there runs as root in the "
            "container (ctrd never changes its permissions)");
  fsys::remove_all(base);
}

TEST_CASE("device paths in the container must lie below /dev", "[confinement]") {
  ctrd::isolation_spec iso;
  iso.rootfs = "/srv/box";
  struct row {
    const char* device;
    bool ok;
  };
  const row rows[] = {{"/dev/kmsg", true},
                      {"/dev/kmsg:/dev/k:r", true},
                      {"/dev/null:/dev/x/y", true},
                      {"/dev/null:/data/null", false},
                      {"/dev/null:/dev", false},
                      {"/dev/null:/dev/pts/9", false},
                      {"/dev/null:/dev/shm/n", false},
                      {"/srv/node", false}};
  for (const auto& r : rows) {
    INFO(r.device);
    security_spec s;
    s.devices = {ctrd::parse_device(r.device)};
    bool ok = true;
    try {
      ctrd::validate(s, iso);
    } catch (const ctrd::error& e) {
      ok = false;
      CHECK(std::string(e.what()).find("must be below /dev") != std::string::npos);
    }
    CHECK(ok == r.ok);
  }
}

}  // namespace confinement_rules_test
