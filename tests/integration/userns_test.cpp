// User namespaces end to end (docs/security.md "User namespaces"): --uidmap makes the
// container's root an unprivileged host uid while the rootfs, overlay layers and volumes
// are shared through idmapped mounts (nothing chowned), exec joins the namespace,
// --userns auto hands out slices of test-made subuid/subgid files that survive a ctrd
// restart, and root in the container cannot do root things on the host. Real ctrd, real
// kernel; tests skip with the reason where root, busybox or idmapped mounts are missing.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/daemon.hpp"
#include "tests/support/rootfs.hpp"
#include "tests/support/temp_dir.hpp"

namespace userns_test {

using ctrd::test::inspect;
using ctrd::test::live_daemon;
using json = nlohmann::json;
namespace fsys = std::filesystem;

namespace {

/// Why idmapped mounts of `dir` cannot be made here ("" when they can): a throwaway user
/// namespace (a child that waits on a pipe) gives the mapping.
std::string idmap_prerequisite(const std::string& dir) {
  int hold[2], ready[2];
  if (::pipe2(hold, O_CLOEXEC) != 0) return "no pipe";
  if (::pipe2(ready, O_CLOEXEC) != 0) return "no pipe";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(hold[1]);
    ::close(ready[0]);
    char b = ::unshare(CLONE_NEWUSER) == 0 ? 1 : 0;
    (void)!::write(ready[1], &b, 1);
    ::close(ready[1]);
    (void)!::read(hold[0], &b, 1);  // keep the namespace until the parent is done
    ::_exit(0);
  }
  ::close(hold[0]);
  ::close(ready[1]);
  char ok = 0;
  std::string why;
  if (::read(ready[0], &ok, 1) != 1 || !ok) {
    why = "no user namespaces here";
  } else {
    auto proc = "/proc/" + std::to_string(pid);
    std::ofstream(proc + "/uid_map") << "0 100000 65536\n";
    std::ofstream(proc + "/gid_map") << "0 100000 65536\n";
    int ns = ::open((proc + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC);
    int tree = static_cast<int>(
        ::syscall(SYS_open_tree, AT_FDCWD, dir.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    mount_attr a{};
    a.attr_set = MOUNT_ATTR_IDMAP;
    a.userns_fd = static_cast<uint64_t>(ns);
    if (ns < 0 || tree < 0 ||
        ::syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &a, sizeof a) != 0)
      why = "no idmapped mounts of " + dir + " here: " + std::strerror(errno);
    if (tree >= 0) ::close(tree);
    if (ns >= 0) ::close(ns);
  }
  ::close(ready[0]);
  ::close(hold[1]);
  ::waitpid(pid, nullptr, 0);
  return why;
}

#define REQUIRE_USERNS(dir)                      \
  do {                                           \
    REQUIRE_ROOTFS_SUPPORT();                    \
    auto why_no_idmap = idmap_prerequisite(dir); \
    if (!why_no_idmap.empty()) {                 \
      WARN("skipped: " << why_no_idmap);         \
      return;                                    \
    }                                            \
  } while (0)

/// "Uid:" of /proc/<pid>/status: real, effective, saved, fs.
std::string host_uids(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("Uid:", 0) == 0) return line.substr(4);
  return "";
}

/// host_uids() once they contain `want`, or what they are after 2 s: a process released at
/// once (`run`) may still be switching to its user when `run -d` returns.
std::string await_host_uids(pid_t pid, const std::string& want) {
  auto uids = host_uids(pid);
  for (int i = 0; i < 100 && uids.find(want) == std::string::npos; ++i) {
    ::usleep(20000);
    uids = host_uids(pid);
  }
  return uids;
}

uid_t owner(const std::string& path) {
  struct stat st;
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_uid;
}

std::string first_root_only_sysfs_file() {
  std::error_code ec;
  for (const auto& e : fsys::directory_iterator("/sys/kernel/slab", ec)) {
    auto f = e.path() / "objects";
    struct stat st;
    if (::stat(f.c_str(), &st) == 0 && (st.st_mode & 0777) == 0400 && st.st_uid == 0)
      return f.string();
  }
  return "";
}

const std::string map = "0:100000:65536";

std::vector<std::string> concat_args(std::vector<std::string> a,
                                     const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE("userns: --uidmap runs the container's root as host uid 100000, exec joins it",
          "[userns]") {
  live_daemon d;
  REQUIRE_USERNS(d.dir().path());
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  auto vol = fsys::path(d.dir() / "vol");
  fsys::create_directories(vol);
  std::ofstream(vol / "host-file") << "from the host\n";
  d.ok({"run", "-d", "--name", "u", "--rootfs", rootfs, "--uidmap", map, "-v",
        vol.string() + ":/data", "sleep", "1000"});
  auto j = inspect(d, "u");
  auto pid = j["State"]["Pid"].get<pid_t>();
  CHECK(host_uids(pid).find("100000\t100000\t100000\t100000") != std::string::npos);
  CHECK(j["HostConfig"]["IDMappings"]["UidMap"] == json::array({map}));
  CHECK(j["HostConfig"]["IDMappings"]["GidMap"] == json::array({map}));  // defaults to --uidmap
  CHECK(j["HostConfig"]["UsernsMode"] == "private");

  // Inside it is root; exec joins the user namespace first and is root there too.
  CHECK(d.ok({"exec", "u", "id", "-u"}) == "0");
  CHECK(d.ok({"exec", "u", "sh", "-c", "grep ^Uid: /proc/self/status"}).find("0\t0\t0\t0") !=
        std::string::npos);
  CHECK(d.ok({"exec", "u", "stat", "-c", "%u", "/bin/busybox"}) == "0");  // the rootfs is its own
  CHECK(d.ok({"exec", "--user", "1000", "u", "id", "-u"}) == "1000");

  // Files it makes: nothing chowned on the host (owner 0 on disk), the mapped owner (100000)
  // only through the idmapped mounts, seen here through /proc/<pid>/root.
  d.ok({"exec", "u", "sh", "-c", "touch /made-inside && echo x > /data/from-inside"});
  CHECK(owner(rootfs + "/made-inside") == 0);
  CHECK(owner("/proc/" + std::to_string(pid) + "/root/made-inside") == 100000);
  CHECK(owner((vol / "from-inside").string()) == 0);
  CHECK(owner("/proc/" + std::to_string(pid) + "/root/data/from-inside") == 100000);
  CHECK(d.ok({"exec", "u", "cat", "/data/host-file"}) == "from the host");
  CHECK(d.ok({"exec", "u", "stat", "-c", "%u", "/data/host-file"}) == "0");

  // cp into the running container writes through the idmapped root as its user.
  auto src = d.dir() / "copied";
  std::ofstream(src) << "copied\n";
  d.ok({"cp", src, "u:/tmp/copied"});
  CHECK(owner(rootfs + "/tmp/copied") == 0);
  CHECK(d.ok({"exec", "u", "cat", "/tmp/copied"}) == "copied");

  // --user is an id inside the namespace: 1000 is host uid 101000.
  d.ok({"run", "-d", "--name", "u1000", "--rootfs", rootfs, "--uidmap", map, "--user", "1000:1000",
        "sleep", "1000"});
  auto upid = inspect(d, "u1000")["State"]["Pid"].get<pid_t>();
  const std::string mapped = "101000\t101000\t101000\t101000";
  CHECK(await_host_uids(upid, mapped).find(mapped) != std::string::npos);
  CHECK(d.ok({"exec", "u1000", "id", "-u"}) == "1000");
  d.ok({"rm", "-f", "u1000"});

  // An id outside the map is refused with the reason.
  auto r = d.ctl({"exec", "--user", "70000", "u", "id"});
  CHECK(r.code == 125);
  CHECK(r.err.find("user 70000 is not mapped") != std::string::npos);
  d.ok({"rm", "-f", "u"});
}

TEST_CASE("userns: the container's /proc, /sys, /dev, host name and read-only root work inside",
          "[userns]") {
  live_daemon d;
  REQUIRE_USERNS(d.dir().path());
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  auto out = d.ok({"run", "--rm", "--rootfs", rootfs, "--uidmap", map, "--hostname", "inner",
                   "--read-only", "sh", "-c",
                   "echo pid=$$; hostname; ls /sys/kernel >/dev/null && echo sys-ok; "
                   "echo x > /dev/null && head -c 4 /dev/zero | wc -c; ls /dev/pts/ptmx; "
                   "touch /x 2>/dev/null || echo root-ro; touch /tmp/t && echo tmp-ok"});
  CHECK(out.find("pid=1") != std::string::npos);
  CHECK(out.find("\ninner\n") != std::string::npos);
  CHECK(out.find("sys-ok") != std::string::npos);
  CHECK(out.find("\n4\n") != std::string::npos);
  CHECK(out.find("/dev/pts/ptmx") != std::string::npos);
  CHECK(out.find("root-ro") != std::string::npos);
  CHECK(out.find("tmp-ok") != std::string::npos);
  // Its own network namespace: a fresh sysfs of it and loopback up.
  out = d.ok({"run", "--rm", "--rootfs", rootfs, "--uidmap", map, "--network", "none", "sh", "-c",
              "ls /sys/class/net; cat /sys/class/net/lo/operstate"});
  CHECK(out.find("lo") != std::string::npos);
  CHECK(out.find("eth0") == std::string::npos);
  // A terminal for exec -t.
  d.ok({"run", "-d", "--name", "t", "--rootfs", rootfs, "--uidmap", map, "sleep", "1000"});
  auto t = d.ctl({"exec", "-t", "t", "sh", "-c", "tty; id -u"});
  INFO("exec -t: code " << t.code << " out [" << t.out << "] err [" << t.err << "]");
  CHECK(t.out.find("/dev/pts/") != std::string::npos);
  d.ok({"rm", "-f", "t"});
  // --device and --privileged's host devices: bound, since a user namespace cannot mknod.
  out = d.ok({"run", "--rm", "--rootfs", rootfs, "--uidmap", map, "--device", "/dev/null:/dev/n2",
              "sh", "-c", "echo x > /dev/n2 && echo dev-ok"});
  CHECK(out.find("dev-ok") != std::string::npos);
  out = d.ok({"run", "--rm", "--rootfs", rootfs, "--uidmap", map, "--privileged", "ls", "/dev"});
  CHECK(out.find("loop-control") != std::string::npos);
}

TEST_CASE("userns: an overlay root is built from idmapped layers, its writes land owned by root",
          "[userns]") {
  live_daemon d;
  REQUIRE_USERNS(d.dir().path());
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  auto out =
      d.ok({"run", "--name", "ov", "--rootfs", rootfs, "--rootfs-overlay", "--uidmap", map, "sh",
            "-c", "echo changed >> /etc/marker && touch /bin/new && stat -c %u /bin/new"});
  CHECK(out == "0");
  auto upper =
      fsys::path(d.root()) / "containers" / inspect(d, "ov")["Id"].get<std::string>() / "upper";
  CHECK(owner((upper / "bin/new").string()) == 0);
  CHECK(owner((upper / "etc/marker").string()) == 0);  // a copy-up keeps the owner
  CHECK(!fsys::exists(rootfs + "/bin/new"));           // the lower layer is untouched
  // A second run sees its own changes.
  CHECK(d.ok({"start", "-a", "ov"}) == "0");
  d.ok({"rm", "ov"});
}

TEST_CASE("userns: root in the container cannot do root things on the host", "[userns]") {
  live_daemon d;
  REQUIRE_USERNS(d.dir().path());
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path(), true);
  auto probe = [&](std::vector<std::string> extra, std::vector<std::string> what) {
    std::vector<std::string> args{"run", "--rm", "--rootfs", rootfs};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("/bin/probe");
    args.insert(args.end(), what.begin(), what.end());
    auto r = d.ctl(args);
    auto out = r.out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  };
  const std::vector<std::string> userns{"--uidmap", map};
  // A root-only (0400) host kernel file on the host's sysfs, which the container sees
  // without an idmap: root reads it, the mapped root may not.
  auto secret = first_root_only_sysfs_file();
  if (!secret.empty()) {
    CHECK(probe({}, {"read", secret}) == "ok");
    CHECK(probe(userns, {"read", secret}) == "EACCES");
  } else {
    WARN("no root-only file under /sys/kernel/slab: the sysfs read proof is skipped");
  }
  // Capabilities are the user namespace's: even granted, they reach nothing of the host's.
  // "shocker": open_by_handle_at needs CAP_DAC_READ_SEARCH of the host's namespace.
  CHECK(probe({"--cap-add", "DAC_READ_SEARCH"}, {"open-by-handle"}) == "ok");
  CHECK(probe(concat_args(userns, {"--cap-add", "DAC_READ_SEARCH"}), {"open-by-handle"}) ==
        "EPERM");
  CHECK(probe({"--cap-add", "MKNOD"}, {"mknod", "/tmp/node-host-root"}) == "ok");
  CHECK(probe(concat_args(userns, {"--cap-add", "MKNOD"}), {"mknod", "/tmp/node-mapped"}) ==
        "EPERM");
  CHECK(probe(userns, {"mount-cgroup", "/tmp/cg"}) == "EPERM");  // cgroup v1: host's only
}

TEST_CASE("userns: a volume whose file system cannot be idmapped is refused by name", "[userns]") {
  live_daemon d;
  REQUIRE_USERNS(d.dir().path());
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  auto r =
      d.ctl({"run", "--rm", "--rootfs", rootfs, "--uidmap", map, "-v", "/sys/kernel:/k", "true"});
  CHECK(r.code == 125);
  CHECK(r.err.find("volume \"/sys/kernel\"") != std::string::npos);
  CHECK(r.err.find("(sysfs) does not support idmapped mounts") != std::string::npos);
  // --user outside the map, --pid host: refused before anything runs.
  r = d.ctl({"create", "--rootfs", rootfs, "--uidmap", "0:100000:1000", "--user", "5000", "true"});
  CHECK(r.code == 0);  // created; the start says why it cannot run
  r = d.ctl({"start", r.out.substr(0, 12)});
  CHECK(r.code == 125);
  CHECK(r.err.find("user 5000 is not mapped") != std::string::npos);
  r = d.ctl({"create", "--rootfs", rootfs, "--uidmap", map, "--pid", "host", "true"});
  CHECK(r.code == 125);
  CHECK(r.err.find("PID namespace of its own") != std::string::npos);
}

TEST_CASE("userns: --userns auto gives each container its own slice, kept across restarts",
          "[userns]") {
  auto make = [](const fsys::path& dir) {
    fsys::create_directories(dir);
    std::ofstream(dir / "subuid") << "# test ranges\nroot:1:1\nctrd:200000:131072\n";
    std::ofstream(dir / "subgid") << "ctrd:300000:65536\nctrd:500000:65536\n";
    return dir;
  };
  ctrd::test::temp_dir probe_only;  // the idmap check and the files
  REQUIRE_USERNS(probe_only.path());
  auto files = make(fsys::path(probe_only / "subids"));
  ctrd::test::daemon_options o;
  o.args = {"--subuid-file", (files / "subuid").string(),
            "--subgid-file", (files / "subgid").string(),
            "--subid-user",  "ctrd"};
  live_daemon d(o);
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  auto maps = [&](const std::string& name) {
    auto m = inspect(d, name)["HostConfig"]["IDMappings"];
    return m["UidMap"][0].get<std::string>() + " " + m["GidMap"][0].get<std::string>();
  };
  d.ok({"create", "--name", "a1", "--rootfs", rootfs, "--userns", "auto", "sh", "-c",
        "cat /proc/self/uid_map"});
  d.ok({"create", "--name", "a2", "--rootfs", rootfs, "--userns=auto", "sleep", "1000"});
  CHECK(maps("a1") == "0:200000:65536 0:300000:65536");
  CHECK(maps("a2") == "0:265536:65536 0:500000:65536");
  CHECK(inspect(d, "a1")["HostConfig"]["UsernsMode"] == "auto");
  auto r = d.ctl({"create", "--name", "a3", "--rootfs", rootfs, "--userns", "auto", "true"});
  CHECK(r.code == 125);
  CHECK(r.err.find("no free block of 65536 ids") != std::string::npos);
  d.ok({"start", "a2"});
  CHECK(host_uids(inspect(d, "a2")["State"]["Pid"].get<pid_t>()).find("265536") !=
        std::string::npos);
  // The container and ctrd restart: the slices stay with their containers (stored).
  d.ok({"stop", "-t", "0", "a2"});
  CHECK(d.terminate() == 0);
  d.start();
  CHECK(maps("a1") == "0:200000:65536 0:300000:65536");
  CHECK(maps("a2") == "0:265536:65536 0:500000:65536");
  d.ok({"start", "a2"});
  CHECK(host_uids(inspect(d, "a2")["State"]["Pid"].get<pid_t>()).find("265536") !=
        std::string::npos);
  CHECK(d.ok({"start", "-a", "a1"}).find("200000") != std::string::npos);
  CHECK(d.ctl({"create", "--rootfs", rootfs, "--userns", "auto", "true"}).code == 125);
  // A removed container's slice is reused.
  d.ok({"rm", "a1"});
  d.ok({"create", "--name", "a4", "--rootfs", rootfs, "--userns", "auto", "true"});
  CHECK(maps("a4") == "0:200000:65536 0:300000:65536");
  // The user must have ranges, and --uidmap is not combined with auto.
  r = d.ctl({"create", "--rootfs", rootfs, "--userns", "auto", "--uidmap", map, "true"});
  CHECK(r.code == 125);
  CHECK(r.err.find("cannot be combined with --uidmap") != std::string::npos);
  d.ok({"rm", "-f", "a2"});
}

TEST_CASE("userns: --userns auto explains a user without subordinate ids", "[userns]") {
  ctrd::test::temp_dir probe_only;
  REQUIRE_USERNS(probe_only.path());
  auto f = probe_only / "subuid";
  std::ofstream(f) << "someone:100000:65536\n";
  ctrd::test::daemon_options o;
  o.args = {"--subuid-file", f, "--subgid-file", f, "--subid-user", "ctrd"};
  live_daemon d(o);
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  auto r = d.ctl({"create", "--rootfs", rootfs, "--userns", "auto", "true"});
  CHECK(r.code == 125);
  CHECK(r.err.find(f + " has no range for user \"ctrd\"") != std::string::npos);
  ctrd::test::daemon_options missing;
  missing.args = {"--subuid-file", probe_only / "nothing"};
  live_daemon d2(missing);
  r = d2.ctl({"create", "--rootfs", rootfs, "--userns", "auto", "true"});
  CHECK(r.code == 125);
  CHECK(r.err.find("nothing cannot be read") != std::string::npos);
}

}  // namespace userns_test
