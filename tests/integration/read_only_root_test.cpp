// ctrd on a read-only root (issue 16): `/` and --config-dir read-only, only --root (a
// tmpfs) and the socket's directory writable, as on an embedded image. ctrd runs in a
// private mount namespace of its own (unshare --mount --propagation private): the test's
// wrapper makes the socket's directory a mount of its own, mounts a tmpfs on --root, then
// remounts `/` read-only for that namespace only (the host's mounts are untouched). A
// service-file container and a `ctrctl run` container start, one restarts, everything
// stops; ctrd must report no write error and write nothing outside those two places.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/daemon.hpp"

namespace read_only_root_test {

using ctrd::test::daemon_options;
using ctrd::test::inspect;
using ctrd::test::live_daemon;
using ctrd::test::run_process;
using ctrd::test::temp_dir;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

// Run by /bin/sh inside the new mount namespace with ctrd's command line as "$@": reads
// --root and --socket from it, makes them the only writable places, checks that `/` took
// the remount, then execs ctrd (the started pid stays the holder's).
const char* const read_only_wrapper = R"sh(
root=""; sock=""; prev=""
for a in "$@"; do
  case "$prev" in --root) root=$a ;; --socket) sock=$a ;; esac
  prev=$a
done
sockdir=$(dirname "$sock")
mount --bind "$sockdir" "$sockdir" || exit 97
mkdir -p "$root" && mount -t tmpfs -o mode=0700 ctrd-root "$root" || exit 97
mount -o remount,bind,ro / || exit 97
if touch /.ctrd-read-only-probe 2>/dev/null; then rm -f /.ctrd-read-only-probe; exit 98; fi
exec "$@"
)sh";

bool mount_namespaces_usable() {
  if (::geteuid() != 0) {
    WARN("skipped: a read-only root needs root (a private mount namespace and mounts)");
    return false;
  }
  if (run_process({"/usr/bin/unshare", "--mount", "--propagation", "private", "true"}).code != 0) {
    WARN("skipped: unshare --mount does not work here");
    return false;
  }
  return true;
}

/// `path` as ctrd's mount namespace sees it (through its root in /proc).
std::string in_namespace(pid_t pid, const std::string& path) {
  return "/proc/" + std::to_string(pid) + "/root" + path;
}

}  // namespace

TEST_CASE("read-only root: ctrd runs with only --root and the socket directory writable",
          "[readonly]") {
  if (!mount_namespaces_usable()) return;
  temp_dir conf;  // on `/`: read-only inside ctrd's namespace
  std::ofstream(conf / "svc.toml") << "command = [\"sleep\", \"1000\"]\nrestart = \"always\"\n";
  temp_dir state;
  const std::string root = state / "root";
  daemon_options o;
  o.root = root;
  o.wrapper = {"/usr/bin/unshare", "--mount", "--propagation",   "private",
               "/bin/sh",          "-c",      read_only_wrapper, "sh"};
  o.wrapper_execs = true;
  // netavark's configuration directory on the writable tmpfs, so that a creation at start
  // (which only a bridge network needs) would succeed and be seen.
  o.args = {"--config-dir", conf.path(), "--network-config-dir", root + "/networks"};
  live_daemon d(o);
  const pid_t holder = d.holder_pid();
  INFO("ctrd's log:\n" << d.log());
  // The namespace is what the test meant: `/` and the config dir read-only for ctrd.
  CHECK(::access(in_namespace(holder, conf.path()).c_str(), F_OK) == 0);
  CHECK(run_process({"/usr/bin/nsenter", "-t", std::to_string(holder), "-m", "/bin/sh", "-c",
                     "touch '" + conf.path() + "/x'"})
            .code != 0);

  // A service-file container and a `ctrctl run` container.
  ctrd::test::await_inspect(d, "svc",
                            [](const json& x) { return x["State"]["Status"] == "running"; });
  d.ok({"run", "-d", "--name", "cli", "sh", "-c", "echo hello; sleep 1000"});
  ctrd::test::await_inspect(d, "cli",
                            [](const json& x) { return x["State"]["Status"] == "running"; });
  CHECK(d.ok({"logs", "cli"}) == "hello");
  // A restart.
  auto before = inspect(d, "svc")["State"]["Pid"];
  d.ok({"restart", "-t", "0", "svc"});
  auto after = ctrd::test::await_inspect(
      d, "svc", [](const json& x) { return x["State"]["Status"] == "running"; });
  CHECK(after["State"]["Pid"] != before);
  // Only a bridge network needs the netns and netavark directories: none was made.
  CHECK_FALSE(std::filesystem::exists(in_namespace(holder, root + "/networks")));
  CHECK_FALSE(std::filesystem::exists(in_namespace(holder, root + "/netns")));
  // Everything stops.
  d.ok({"stop", "-t", "0", "cli", "svc"});
  ctrd::test::await_inspect(d, "cli",
                            [](const json& x) { return x["State"]["Status"] == "exited"; });
  CHECK(d.terminate() == 0);
  auto log = d.log();
  INFO("ctrd's whole log:\n" << log);
  CHECK(log.find("Read-only file system") == std::string::npos);
  CHECK(log.find("EROFS") == std::string::npos);
  CHECK(log.find(" error ") == std::string::npos);
  CHECK(log.find(" critical ") == std::string::npos);
  // Nothing appeared in the read-only config dir (ctrd never writes there).
  CHECK(std::filesystem::directory_iterator(conf.path()) != std::filesystem::directory_iterator());
  int files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(conf.path())) ++files;
  CHECK(files == 1);
}

}  // namespace read_only_root_test
