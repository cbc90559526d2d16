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

TEST_CASE("run -it with a rootfs: the terminal is /dev/pts/0 with TERM and HOSTNAME", "[runflags]") {
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
  CHECK(d.ok({"run", "--rm", "-t", "-e", "TERM=vt100", "-e", "HOSTNAME=x", "--rootfs", rootfs,
              "sh", "-c", "echo $TERM $HOSTNAME"}) == "vt100 x");
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
