// Issue 14, helper C: the terminal of a rootfs container, podman's stop semantics with and
// without a PID namespace, and the create/run flags added for podman parity (--entrypoint,
// --tmpfs, --mount, --add-host, --dns, --replace, --group-add, -u NAME, --label-file,
// --annotation). Real ctrd, real ctrctl, a busybox root file system.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/daemon.hpp"
#include "tests/support/process.hpp"
#include "tests/support/rootfs.hpp"

namespace run_flags_test {

using ctrd::test::inspect;
using ctrd::test::live_daemon;
using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fsys = std::filesystem;

namespace {

std::string read_file(const fsys::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// Waits until `path` contains `text` (fails the test after 10 s).
void await_text(const fsys::path& path, const std::string& text) {
  for (int i = 0; i < 500; ++i) {
    if (read_file(path).find(text) != std::string::npos) return;
    std::this_thread::sleep_for(20ms);
  }
  FAIL("\"" << text << "\" never appeared in " << path << ": " << read_file(path));
}

// pid 1 and a child of it both log the signals they get to /out/log; pid 1 takes 0.5 s to
// exit on TERM, so a child that got TERM too has time to log it.
const char* const signal_logger =
    "trap 'echo main-USR1 >> /out/log' USR1; trap 'echo main-TERM >> /out/log; sleep 0.5; exit 0' "
    "TERM; sh -c 'trap \"echo child-TERM >> /out/log\" TERM; trap \"echo child-USR1 >> "
    "/out/log\" USR1; echo ready >> /out/log; while :; do sleep 0.05; done' & "
    "while :; do wait; done";

}  // namespace

TEST_CASE("run -it with a rootfs: the terminal is /dev/pts/0 with TERM and HOSTNAME",
          "[runflags]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  auto r = d.ctl({"run", "-i", "-t", "--rm", "--name", "box", "--rootfs", rootfs, "sh", "-c",
                  "tty; echo $TERM $HOSTNAME; ls -l /proc/self/fd/0"},
                 "");
  CHECK(r.code == 0);
  CHECK(r.out.find("/dev/pts/0") != std::string::npos);
  CHECK(r.out.find("not a tty") == std::string::npos);
  CHECK(r.out.find("xterm box") != std::string::npos);
  // Without -t: no TERM, HOSTNAME still; -e wins over both.
  CHECK(d.ok({"run", "--rm", "--rootfs", rootfs, "--hostname", "web", "sh", "-c",
              "echo \"[$TERM] $HOSTNAME\""}) == "[] web");
  CHECK(d.ok({"run", "--rm", "-t", "-e", "TERM=vt100", "-e", "HOSTNAME=x", "--rootfs", rootfs, "sh",
              "-c", "echo $TERM $HOSTNAME"}) == "vt100 x");
  // exec -t into it gets a terminal of the container and TERM too.
  d.ok({"run", "-d", "--name", "bg", "--rootfs", rootfs, "sleep", "100"});
  auto e = d.ctl({"exec", "-t", "bg", "sh", "-c", "tty; echo $TERM $HOSTNAME"});
  CHECK(e.code == 0);
  CHECK(e.out.find("/dev/pts/") != std::string::npos);
  CHECK(e.out.find("xterm bg") != std::string::npos);
  d.ok({"rm", "-f", "bg"});
}

TEST_CASE("run -it with a rootfs through a real terminal (script)", "[runflags]") {
  REQUIRE_ROOTFS_SUPPORT();
  if (::access("/usr/bin/script", X_OK) != 0) {
    WARN("skipped: script(1) is not installed");
    return;
  }
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  std::string cmd = std::string(CTRCTL_BIN) + " --socket " + d.socket() +
                    " run -it --rm --name tt --rootfs " + rootfs +
                    " sh -c 'tty; echo $TERM $HOSTNAME'";
  auto r = ctrd::test::run_process({"/usr/bin/script", "-qec", cmd, "/dev/null"});
  CHECK(r.code == 0);
  CHECK(r.out.find("/dev/pts/0") != std::string::npos);
  CHECK(r.out.find("xterm tt") != std::string::npos);
}

TEST_CASE("stop and kill signal only the main process of a PID namespace", "[runflags]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  fsys::path out = d.dir().path() + "/out";
  fsys::create_directories(out);
  d.ok({"run", "-d", "--name", "ns", "--rootfs", rootfs, "-v", out.string() + ":/out", "sh", "-c",
        signal_logger});
  await_text(out / "log", "ready");
  d.ok({"kill", "-s", "USR1", "ns"});
  await_text(out / "log", "main-USR1");
  d.ok({"stop", "ns"});
  auto log = read_file(out / "log");
  CHECK(log.find("main-TERM") != std::string::npos);
  CHECK(log.find("child-TERM") == std::string::npos);
  CHECK(log.find("child-USR1") == std::string::npos);
  CHECK(inspect(d, "ns")["State"]["ExitCode"] == 0);

  // In the host's PID namespace the whole group gets the stop signal (kill: the main one).
  fsys::remove(out / "log");
  d.ok({"run", "-d", "--name", "host", "--pid", "host", "--rootfs", rootfs, "-v",
        out.string() + ":/out", "sh", "-c", signal_logger});
  await_text(out / "log", "ready");
  d.ok({"kill", "-s", "USR1", "host"});
  await_text(out / "log", "main-USR1");
  d.ok({"stop", "host"});
  log = read_file(out / "log");
  CHECK(log.find("main-TERM") != std::string::npos);
  CHECK(log.find("child-TERM") != std::string::npos);
  CHECK(log.find("child-USR1") == std::string::npos);
}

TEST_CASE(
    "run flags: the container's own /etc/hosts and resolv.conf and hostname with --add-host and "
    "--dns",
    "[runflags]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  auto out = d.ok({"run", "--rm", "--name", "net", "--rootfs", rootfs, "--add-host", "db:10.0.0.2",
                   "--dns", "192.0.2.53", "--dns-search", "example.com", "sh", "-c",
                   "cat /etc/hosts; echo ---; cat /etc/resolv.conf; echo ---; cat /etc/hostname"});
  CHECK(out.find("10.0.0.2\tdb\n") != std::string::npos);
  CHECK(out.find("127.0.0.1\tlocalhost") != std::string::npos);
  CHECK(out.find("127.0.1.1\tnet\n") != std::string::npos);
  CHECK(out.find("nameserver 192.0.2.53") != std::string::npos);
  CHECK(out.find("search example.com") != std::string::npos);
  CHECK(out.find("---\nnet") != std::string::npos);
  // The files live in the container's directory, never in the (shared) rootfs.
  CHECK(read_file(fsys::path(rootfs) / "etc" / "hosts").empty());
  // Without --dns the host's resolv.conf is used.
  auto host_resolv = read_file("/etc/resolv.conf");
  auto plain = d.ctl({"run", "--rm", "--rootfs", rootfs, "cat", "/etc/resolv.conf"});
  CHECK(plain.code == 0);
  CHECK(plain.out == host_resolv);
  auto j = d.ctl({"create", "--name", "h", "--rootfs", rootfs, "--add-host", "a:1.2.3.4", "true"});
  CHECK(j.code == 0);
  CHECK(inspect(d, "h")["HostConfig"]["ExtraHosts"] == json({"a:1.2.3.4"}));
  // Needs a rootfs; a bad address is refused.
  auto bad = d.ctl({"run", "--rm", "--add-host", "a:1.2.3.4", "true"});
  CHECK(bad.code == 125);
  CHECK(bad.err.find("needs --rootfs") != std::string::npos);
  CHECK(d.ctl({"run", "--rm", "--rootfs", rootfs, "--dns", "nope", "true"}).code == 125);
}

TEST_CASE("run flags: --tmpfs and --mount type=bind|tmpfs", "[runflags]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  fsys::path data = d.dir().path() + "/data";
  fsys::create_directories(data);
  std::ofstream(data / "f") << "from-host\n";
  auto out = d.ok({"run", "--rm", "--rootfs", rootfs, "--tmpfs", "/scratch:size=1m,mode=700",
                   "--mount", "type=tmpfs,destination=/t2,tmpfs-size=2m", "--mount",
                   "type=bind,src=" + data.string() + ",dst=/data,ro", "sh", "-c",
                   "grep -E ' /(scratch|t2) ' /proc/mounts; cat /data/f; touch /data/x 2>/dev/null "
                   "|| echo read-only"});
  CHECK(out.find("tmpfs /scratch tmpfs rw,nosuid,nodev,noexec") != std::string::npos);
  CHECK(out.find("size=1024k,mode=700") != std::string::npos);
  CHECK(out.find("tmpfs /t2 tmpfs rw,nosuid,nodev,relatime,size=2048k") != std::string::npos);
  CHECK(out.find("from-host") != std::string::npos);
  CHECK(out.find("read-only") != std::string::npos);
  auto bad =
      d.ctl({"run", "--rm", "--rootfs", rootfs, "--mount", "type=volume,src=v,dst=/v", "true"});
  CHECK(bad.code == 125);
  CHECK(bad.err.find("ctrd supports type=bind and type=tmpfs") != std::string::npos);
  d.ok({"create", "--name", "t", "--rootfs", rootfs, "--tmpfs", "/s", "true"});
  CHECK(inspect(d, "t")["HostConfig"]["Tmpfs"]["/s"] == "rw,noexec,nosuid,nodev");
}

TEST_CASE("run flags: -u NAME and --group-add resolve through the container's tables",
          "[runflags]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  std::ofstream(fsys::path(rootfs) / "etc" / "passwd")
      << "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/:/bin/sh\n";
  std::ofstream(fsys::path(rootfs) / "etc" / "group") << "root:x:0:\napp:x:1001:\nstaff:x:50:app\n";
  CHECK(d.ok({"run", "--rm", "--rootfs", rootfs, "-u", "app", "id"}) ==
        "uid=1000(app) gid=1001(app) groups=50(staff),1001(app)");
  CHECK(d.ok({"run", "--rm", "--rootfs", rootfs, "-u", "app:staff", "id", "-g"}) == "50");
  CHECK(d.ok({"run", "--rm", "--rootfs", rootfs, "-u", "1000:1000", "id", "-u"}) == "1000");
  CHECK(d.ok({"run", "--rm", "--rootfs", rootfs, "--group-add", "staff", "--group-add", "77", "id",
              "-G"}) == "0 50 77");
  auto r = d.ctl({"run", "--rm", "--rootfs", rootfs, "-u", "nosuch", "true"});
  CHECK(r.code == 125);
  CHECK(r.err.find("unable to find user nosuch: no matching entries in passwd file") !=
        std::string::npos);
  r = d.ctl({"run", "--rm", "--rootfs", rootfs, "-u", "app:nogroup", "true"});
  CHECK(r.err.find("unable to find group nogroup: no matching entries in group file") !=
        std::string::npos);
}

TEST_CASE("run flags: --entrypoint and --replace and --label-file and --annotation", "[runflags]") {
  live_daemon d;
  CHECK(d.ok({"run", "--rm", "--entrypoint", "[\"echo\", \"ep\"]", "a", "b"}) == "ep a b");
  CHECK(d.ok({"run", "--rm", "--entrypoint", "echo"}) == "");
  d.ok({"run", "-d", "--name", "rep", "sleep", "100"});
  auto first = inspect(d, "rep")["Id"];
  d.ok({"run", "-d", "--replace", "--name", "rep", "sleep", "100"});
  CHECK(inspect(d, "rep")["Id"] != first);
  d.ok({"create", "--replace", "--name", "fresh", "true"});  // nothing to replace: fine
  CHECK(d.ctl({"create", "--replace", "true"}).code == 125);
  fsys::path labels = d.dir().path() + "/labels";
  std::ofstream(labels) << "# labels\na=1\nb=2\n";
  d.ok({"create", "--name", "lab", "--label-file", labels.string(), "--label", "b=3",
        "--annotation", "io.example/x=y", "true"});
  auto j = inspect(d, "lab");
  CHECK(j["Config"]["Labels"] == json({{"a", "1"}, {"b", "3"}}));
  CHECK(j["Config"]["Annotations"] == json({{"io.example/x", "y"}}));
  auto bad = d.ctl({"create", "--annotation", "novalue", "true"});
  CHECK(bad.code == 125);
  CHECK(bad.err.find("KEY=VALUE") != std::string::npos);
  d.ok({"rm", "-f", "rep"});
}

}  // namespace run_flags_test
