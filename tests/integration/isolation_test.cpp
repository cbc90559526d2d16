// Isolation end to end: a busybox root file system, namespaces, bind mounts, read-only
// roots, overlay layers, cgroup limits (OOM), pause, stop killing escapees, exec, cp,
// export, stat, mount counting and artifacts. Real ctrd, real ctrctl, real kernel
// features; every test that needs root, busybox-static or cgroups says why it skips.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/daemon.hpp"
#include "tests/support/process.hpp"
#include "tests/support/rootfs.hpp"

namespace isolation_test {

using ctrd::test::inspect;
using ctrd::test::live_daemon;
using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fsys = std::filesystem;

namespace {

#define REQUIRE_ISOLATION() REQUIRE_ROOTFS_SUPPORT()

void write_file(const fsys::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

std::string read_file(const fsys::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string make_rootfs(const std::string& dir) {
  return ctrd::test::make_busybox_rootfs(dir);
}

/// Polls inspect until the state is `state`.
json await_state(const live_daemon& d, const std::string& name, const std::string& state,
                 std::chrono::milliseconds limit = 10s) {
  return ctrd::test::await_inspect(
      d, name, [&](const json& j) { return j["State"]["Status"] == state; }, limit);
}

long counter(const live_daemon& d, const std::string& name) {
  return std::stol(d.ok({"exec", name, "cat", "/tmp/count"}));
}

}  // namespace

TEST_CASE("isolation: a rootfs container sees its own root and is PID 1 with its own host name",
          "[isolation]") {
  REQUIRE_ISOLATION();
  live_daemon d;
  auto rootfs = make_rootfs(d.dir().path());
  auto out = d.ok({"run", "--rm", "--name", "box", "--rootfs", rootfs, "/bin/sh", "-c",
                   "echo pid=$$; cat /etc/marker; hostname; ls /dev | tr '\\n' ' '"});
  CHECK(out.find("pid=1") != std::string::npos);
  CHECK(out.find("inside-the-container") != std::string::npos);
  CHECK(out.find("\nbox\n") != std::string::npos);  // a private UTS namespace named after it
  CHECK(out.find("null") != std::string::npos);
  CHECK(out.find("pts") != std::string::npos);
  CHECK(d.ok({"run", "--rm", "--rootfs", rootfs, "--hostname", "web1", "hostname"}) == "web1");
  // The host's root is not reachable: its files are not there.
  CHECK(d.ctl({"run", "--rm", "--rootfs", rootfs, "/bin/cat", d.dir().path() + "/ctrd.log"}).code !=
        0);
}

TEST_CASE("isolation: read-only root refuses writes and keeps /tmp writable", "[isolation]") {
  REQUIRE_ISOLATION();
  live_daemon d;
  auto rootfs = make_rootfs(d.dir().path());
  auto r = d.ctl(
      {"run", "--rm", "--rootfs", rootfs, "--read-only", "/bin/sh", "-c",
       "touch /etc/new 2>/dev/null && echo root-writable; touch /tmp/ok && echo tmp-writable"});
  CHECK(r.code == 0);
  CHECK(r.out.find("root-writable") == std::string::npos);
  CHECK(r.out.find("tmp-writable") != std::string::npos);
  CHECK_FALSE(fsys::exists(fsys::path(rootfs) / "etc" / "new"));
}

TEST_CASE("isolation: bind mounts are visible and read-only ones refuse writes", "[isolation]") {
  REQUIRE_ISOLATION();
  live_daemon d;
  auto rootfs = make_rootfs(d.dir().path());
  auto data = fsys::path(d.dir().path()) / "data";
  fsys::create_directories(data);
  write_file(data / "hello", "from-the-host\n");
  auto rw = d.ok({"run", "--rm", "--rootfs", rootfs, "-v", data.string() + ":/data", "/bin/sh",
                  "-c", "cat /data/hello; echo written > /data/out"});
  CHECK(rw == "from-the-host");
  CHECK(read_file(data / "out") == "written\n");
  auto ro = d.ctl({"run", "--rm", "--rootfs", rootfs, "-v", data.string() + ":/data:ro", "/bin/sh",
                   "-c", "echo again > /data/out2"});
  CHECK(ro.code != 0);
  CHECK_FALSE(fsys::exists(data / "out2"));
}

TEST_CASE("isolation: network none has only the loopback interface and it is up", "[isolation]") {
  REQUIRE_ISOLATION();
  live_daemon d;
  auto rootfs = make_rootfs(d.dir().path());
  auto out = d.ok({"run", "--rm", "--rootfs", rootfs, "--network", "none", "/bin/sh", "-c",
                   "ls /sys/class/net; cat /sys/class/net/lo/operstate /sys/class/net/lo/flags"});
  std::istringstream in(out);
  std::string first, state, flags;
  in >> first >> state >> flags;
  CHECK(first == "lo");
  CHECK((std::stol(flags, nullptr, 16) & 1) == 1);  // IFF_UP
  CHECK(out.find("eth") == std::string::npos);
}

TEST_CASE(
    "isolation: the overlay layer keeps writes across restarts and leaves the rootfs untouched",
    "[isolation]") {
  REQUIRE_ISOLATION();
  live_daemon d;
  auto rootfs = make_rootfs(d.dir().path());
  d.ok({"create", "--name", "ov", "--rootfs", rootfs, "--rootfs-overlay", "/bin/sh", "-c",
        "cat /etc/state 2>/dev/null; echo run >> /etc/state"});
  CHECK(d.ok({"start", "-a", "ov"}).empty());
  CHECK(d.ok({"start", "-a", "ov"}) == "run");
  CHECK_FALSE(fsys::exists(fsys::path(rootfs) / "etc" / "state"));
  auto upper =
      fsys::path(d.root()) / "containers" / inspect(d, "ov")["Id"].get<std::string>() / "upper";
  CHECK(fsys::exists(upper / "etc" / "state"));
  d.ok({"rm", "ov"});
  CHECK_FALSE(fsys::exists(upper));
  CHECK(fsys::exists(fsys::path(rootfs) / "etc" / "marker"));  // the lower layer survived removal
}

TEST_CASE("isolation: a memory limit leads to OOMKilled in inspect and an oom event",
          "[isolation]") {
  REQUIRE_ISOLATION();
  live_daemon d;
  auto rootfs = make_rootfs(d.dir().path());
  auto r = d.ctl({"run", "--name", "hog", "--rootfs", rootfs, "-m", "16m", "/bin/sh", "-c",
                  "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived"});
  CHECK(r.code == 137);
  CHECK(r.out.find("survived") == std::string::npos);
  auto j = inspect(d, "hog");
  CHECK(j["State"]["OOMKilled"] == true);
  CHECK(j["HostConfig"]["Memory"] == 16u << 20);
  auto events = d.ok({"events", "--since", "1m", "--until", std::to_string(std::time(nullptr) + 1),
                      "--filter", "container=hog", "--filter", "event=oom", "--format", "json"});
  CHECK(events.find("\"oom\"") != std::string::npos);
}

TEST_CASE("isolation: pause freezes the processes and unpause resumes them", "[isolation]") {
  REQUIRE_ISOLATION();
  live_daemon d;
  auto rootfs = make_rootfs(d.dir().path());
  d.ok({"run", "-d", "--name", "tick", "--rootfs", rootfs, "/bin/sh", "-c",
        "i=0; while true; do i=$((i+1)); echo $i > /tmp/c.new; mv /tmp/c.new /tmp/count; sleep "
        "0.02; done"});
  std::this_thread::sleep_for(200ms);
  d.ok({"pause", "tick"});
  CHECK(inspect(d, "tick")["State"]["Status"] == "paused");
  auto count_file =
      "/proc/" + std::to_string(inspect(d, "tick")["State"]["Pid"].get<int>()) + "/root/tmp/count";
  auto frozen_at = read_file(count_file);
  std::this_thread::sleep_for(400ms);
  CHECK(read_file(count_file) == frozen_at);
  CHECK(d.ctl({"pause", "tick"}).code == 125);  // already paused
  d.ok({"unpause", "tick"});
  std::this_thread::sleep_for(300ms);
  CHECK(counter(d, "tick") > std::stol(frozen_at));
  CHECK(d.ctl({"unpause", "tick"}).code == 125);  // not paused
  // stop of a paused container works (thawed so that the signal is taken)
  d.ok({"pause", "tick"});
  d.ok({"stop", "-t", "1", "tick"});
  await_state(d, "tick", "exited");
}

TEST_CASE("isolation: stop kills a double-forked escapee inside the cgroup", "[isolation]") {
  if (::geteuid() != 0) {
    WARN("skipped: needs root for cgroups");
    return;
  }
  live_daemon d;
  auto pidfile = d.dir().path() + "/escapee.pid";
  d.ok({"run", "-d", "--name", "esc", "sh", "-c",
        "setsid sh -c 'sleep 1000 & echo $! > " + pidfile + "; wait' & sleep 1000"});
  pid_t escapee = 0;
  for (int i = 0; i < 200 && escapee == 0; ++i) {
    std::this_thread::sleep_for(10ms);
    auto text = read_file(pidfile);
    if (!text.empty()) escapee = std::stoi(text);
  }
  REQUIRE(escapee > 0);
  REQUIRE(ctrd::test::process_alive(escapee));
  CHECK_FALSE(inspect(d, "esc")["CgroupPath"].get<std::string>().empty());
  d.ok({"stop", "-t", "1", "esc"});
  for (int i = 0; i < 100 && ctrd::test::process_alive(escapee); ++i)
    std::this_thread::sleep_for(10ms);
  CHECK_FALSE(ctrd::test::process_alive(escapee));
}

TEST_CASE("isolation: exec runs inside the container's view and returns its exit code",
          "[isolation]") {
  REQUIRE_ISOLATION();
  live_daemon d;
  auto rootfs = make_rootfs(d.dir().path());
  d.ok(
      {"run", "-d", "--name", "srv", "--rootfs", rootfs, "-e", "FROM_CTR=1", "/bin/sleep", "1000"});
  auto out =
      d.ok({"exec", "-e", "EXTRA=2", "-w", "/etc", "srv", "/bin/sh", "-c",
            "cat marker; pwd; hostname; echo $FROM_CTR$EXTRA; cat /proc/1/cmdline | tr '\\0' ' '"});
  CHECK(out.find("inside-the-container") != std::string::npos);
  CHECK(out.find("/etc\n") != std::string::npos);
  CHECK(out.find("srv\n") != std::string::npos);
  CHECK(out.find("12\n") != std::string::npos);
  CHECK(out.find("/bin/sleep 1000") != std::string::npos);  // PID 1 of its namespace
  CHECK(d.ctl({"exec", "srv", "/bin/sh", "-c", "exit 7"}).code == 7);
  CHECK(d.ctl({"exec", "srv", "/no/such/program"}).code == 127);
  CHECK(d.ok({"exec", "-i", "srv", "cat"}).empty());
  auto piped = d.ctl({"exec", "-i", "srv", "/bin/cat"}, "through stdin\n");
  CHECK(piped.out == "through stdin\n");
  d.ok({"stop", "-t", "0", "srv"});
  auto refused = d.ctl({"exec", "srv", "true"});
  CHECK(refused.code == 125);
  CHECK(refused.err.find("running") != std::string::npos);
  auto events = d.ok({"events", "--since", "1m", "--until", std::to_string(std::time(nullptr) + 1),
                      "--filter", "container=srv", "--format", "json"});
  CHECK(events.find("\"exec\"") != std::string::npos);
  CHECK(events.find("\"exec_died\"") != std::string::npos);
}

TEST_CASE("isolation: cp round-trips a tree with modes and symlinks in both directions",
          "[isolation]") {
  REQUIRE_ISOLATION();
  live_daemon d;
  auto rootfs = make_rootfs(d.dir().path());
  auto src = fsys::path(d.dir().path()) / "tree";
  fsys::create_directories(src / "sub");
  write_file(src / "script", "#!/bin/sh\n");
  fsys::permissions(src / "script", fsys::perms(0750));
  write_file(src / "sub" / "secret", "s3cret\n");
  fsys::permissions(src / "sub" / "secret", fsys::perms(0600));
  fsys::create_symlink("sub/secret", src / "link");
  d.ok({"run", "-d", "--name", "cp1", "--rootfs", rootfs, "/bin/sleep", "1000"});
  d.ok({"cp", src.string(), "cp1:/tmp/"});
  auto listing =
      d.ok({"exec", "cp1", "/bin/sh", "-c",
            "stat -c '%n %a' /tmp/tree/script /tmp/tree/sub/secret; readlink /tmp/tree/link"});
  CHECK(listing.find("/tmp/tree/script 750") != std::string::npos);
  CHECK(listing.find("/tmp/tree/sub/secret 600") != std::string::npos);
  CHECK(listing.find("sub/secret") != std::string::npos);
  auto back = fsys::path(d.dir().path()) / "back";
  d.ok({"cp", "cp1:/tmp/tree", back.string()});
  CHECK((fsys::status(back / "script").permissions() & fsys::perms::all) == fsys::perms(0750));
  CHECK((fsys::status(back / "sub" / "secret").permissions() & fsys::perms::all) ==
        fsys::perms(0600));
  CHECK(fsys::read_symlink(back / "link") == "sub/secret");
  CHECK(read_file(back / "sub" / "secret") == "s3cret\n");
  // A stopped container copies from its root file system.
  d.ok({"stop", "-t", "0", "cp1"});
  auto stopped = fsys::path(d.dir().path()) / "marker-copy";
  d.ok({"cp", "cp1:/etc/marker", stopped.string()});
  CHECK(read_file(stopped) == "inside-the-container\n");
}

TEST_CASE("isolation: container paths never reach the host (symlinks, dot-dot)", "[isolation]") {
  REQUIRE_ISOLATION();
  live_daemon d;
  auto rootfs = make_rootfs(d.dir().path());
  auto outside = fsys::path(d.dir().path()) / "outside";
  fsys::create_directories(outside);
  write_file(outside / "secret", "host-secret\n");
  // Hostile links inside the rootfs: absolute to the host directory, relative climbing out.
  fsys::create_symlink(outside, fsys::path(rootfs) / "abs");
  fsys::create_symlink("../../../../../../../../" + outside.string(), fsys::path(rootfs) / "rel");
  d.ok({"create", "--name", "hostile", "--rootfs", rootfs, "/bin/true"});
  auto grab = fsys::path(d.dir().path()) / "grabbed";
  for (const std::string& path : std::vector<std::string>{
           "/abs/secret", "/rel/secret", "/../../../../" + outside.string() + "/secret"}) {
    auto r = d.ctl({"cp", "hostile:" + path, grab.string()});
    CHECK(r.code != 0);
    CHECK((!fsys::exists(grab) || read_file(grab) != "host-secret\n"));
    auto st = d.ctl({"stat", "hostile:" + path});
    CHECK(st.code != 0);
  }
  // Writing through a link that points outside lands inside the root (or is refused), never on the
  // host.
  auto payload = fsys::path(d.dir().path()) / "payload";
  write_file(payload, "payload\n");
  d.ctl({"cp", payload.string(), "hostile:/abs/"});
  d.ctl({"cp", payload.string(), "hostile:/rel/"});
  CHECK_FALSE(fsys::exists(outside / "payload"));
  CHECK(read_file(outside / "secret") == "host-secret\n");
}

TEST_CASE("isolation: export lists the root file system and mount counts follow podman",
          "[isolation]") {
  REQUIRE_ISOLATION();
  live_daemon d;
  auto rootfs = make_rootfs(d.dir().path());
  d.ok({"create", "--name", "ex", "--rootfs", rootfs, "/bin/sleep", "1000"});
  auto tarball = d.dir().path() + "/ex.tar";
  d.ok({"export", "-o", tarball, "ex"});
  auto names = ctrd::test::run_process({"/bin/tar", "tf", tarball}).out;
  CHECK(names.find("etc/marker") != std::string::npos);
  CHECK(names.find("bin/busybox") != std::string::npos);
  // mount/unmount counting
  CHECK(d.ok({"mount", "ex"}) == rootfs);
  CHECK(inspect(d, "ex")["MountCount"] == 1);
  d.ok({"unmount", "ex"});
  CHECK(inspect(d, "ex")["MountCount"] == 0);
  d.ok({"start", "ex"});
  auto refused = d.ctl({"unmount", "ex"});
  CHECK(refused.code == 125);
  CHECK(refused.err.find("running or paused") != std::string::npos);
  d.ok({"kill", "ex"});
  // A container without a rootfs has nothing to export or mount.
  d.ok({"create", "--name", "plain", "true"});
  CHECK(d.ctl({"export", "-o", tarball, "plain"}).code == 125);
  CHECK(d.ctl({"mount", "plain"}).code == 125);
}

TEST_CASE("isolation: artifacts are stored with the container, validated and removed with it",
          "[isolation]") {
  live_daemon d;
  d.ok({"create", "--name", "art", "true"});
  auto file = d.dir().path() + "/payload";
  write_file(file, "artifact-bytes");
  d.ok({"artifact", "add", "art", "config.json", file});
  CHECK(d.ok({"artifact", "get", "art", "config.json"}) == "artifact-bytes");
  CHECK(d.ok({"artifact", "ls", "art"}).find("config.json") != std::string::npos);
  for (const char* bad : {"../escape", "a/b", "..", "."})
    CHECK(d.ctl({"artifact", "add", "art", bad, file}).code == 125);
  CHECK(d.ctl({"artifact", "get", "art", "missing"}).code == 125);
  auto dir = fsys::path(d.root()) / "containers" / inspect(d, "art")["Id"].get<std::string>() /
             "artifacts";
  CHECK(fsys::exists(dir / "config.json"));
  d.ok({"artifact", "rm", "art", "config.json"});
  CHECK_FALSE(fsys::exists(dir / "config.json"));
  d.ok({"artifact", "add", "art", "kept", file});
  d.ok({"rm", "art"});
  CHECK_FALSE(fsys::exists(dir));
}

TEST_CASE("isolation: bad isolation settings fail at create and leave nothing behind",
          "[isolation]") {
  live_daemon d;
  auto missing = d.dir().path() + "/no-such-rootfs";
  auto r = d.ctl({"create", "--name", "bad", "--rootfs", missing, "/bin/true"});
  CHECK(r.code == 125);
  CHECK(r.err.find("no-such-rootfs") != std::string::npos);
  auto v = d.ctl({"create", "--name", "bad2", "-v", "/tmp:/x", "true"});
  CHECK(v.code == 125);
  CHECK(v.err.find("--rootfs") != std::string::npos);
  CHECK(json::parse(d.ok({"ps", "-a", "--format", "json"})).empty());
}

TEST_CASE("isolation: stats reports cpu, memory and pids of a running container", "[isolation]") {
  if (::geteuid() != 0) {
    WARN("skipped: needs root for cgroups");
    return;
  }
  live_daemon d;
  d.ok(
      {"run", "-d", "--name", "busy", "--pids-limit", "50", "sh", "-c", "sleep 1000 & sleep 1000"});
  // sh and two sleeps, once sh has started both (a loaded machine may take a moment).
  json j;
  for (int i = 0; i < 100; ++i) {
    j = json::parse(d.ok({"stats", "--no-stream", "--format", "json", "busy"}));
    REQUIRE(j.is_array());
    REQUIRE(j.size() == 1);
    if (j[0]["pids"].dump().find('3') != std::string::npos) break;
    std::this_thread::sleep_for(20ms);
  }
  CHECK(j[0]["name"] == "busy");
  CHECK(j[0]["pids"].dump().find('3') != std::string::npos);
  d.ok({"rm", "-f", "busy"});
}

TEST_CASE("isolation: health checks of a rootfs container run inside it", "[isolation]") {
  REQUIRE_ISOLATION();
  live_daemon d;
  auto rootfs = make_rootfs(d.dir().path());
  d.ok({"run", "-d", "--name", "hc", "--rootfs", rootfs, "--health-cmd",
        "test -f /etc/marker && hostname", "--health-interval", "1h", "/bin/sleep", "1000"});
  auto r = d.ctl({"healthcheck", "run", "hc"});
  CHECK(r.code == 0);
  CHECK(inspect(d, "hc")["State"]["Health"]["Status"] == "healthy");
  d.ok({"rm", "-f", "hc"});
}

}  // namespace isolation_test
