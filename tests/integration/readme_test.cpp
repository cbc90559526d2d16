// The README's walkthrough, run as written against a ctrd started like scripts/run.sh
// starts it (the example services of config/examples). Only the paths differ: the build's
// ctrctl for build/ctl/ctrctl, a temp folder for /tmp/bb, and the test's socket for
// CTRD_SOCKET. A streaming command (events) runs for a few seconds; the terminal session
// (run -it) gets a pseudo-terminal from script(1) and types `exit`.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/daemon.hpp"
#include "tests/support/temp_dir.hpp"

namespace readme_test {

using ctrd::test::live_daemon;
using namespace std::chrono_literals;

namespace {

/// The lines of the first ```sh block after "## Use".
std::vector<std::string> walkthrough() {
  std::ifstream in(std::string(CTRD_SOURCE_DIR) + "/README.md");
  std::vector<std::string> lines;
  std::string line;
  bool in_use = false, in_block = false;
  while (std::getline(in, line)) {
    if (line.rfind("## Use", 0) == 0) in_use = true;
    if (!in_use) continue;
    if (!in_block && line == "```sh") {
      in_block = true;
      continue;
    }
    if (in_block && line == "```") break;
    if (in_block && !line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
  return s;
}

}  // namespace

TEST_CASE("the README walkthrough works as written", "[readme]") {
  if (::geteuid() != 0) {
    WARN("skipped: the walkthrough runs root containers (pause, --rootfs): needs root");
    return;
  }
  auto lines = walkthrough();
  REQUIRE(lines.size() >= 20);
  live_daemon d({{"--config-dir", std::string(CTRD_SOURCE_DIR) + "/config/examples"}});
  ctrd::test::temp_dir bb;
  // scripts/run.sh loads the services as ctrd starts; the walkthrough comes after that.
  ctrd::test::await_inspect(d, "probe", [](const nlohmann::json&) { return true; });
  for (const auto& raw : lines) {
    if (raw.rfind("export CTRD_SOCKET=", 0) == 0) continue;  // the test's socket instead
    auto cmd = replace_all(raw, "build/ctl/ctrctl", CTRCTL_BIN);
    cmd = replace_all(cmd, "/tmp/bb", bb.path() + "/bb");
    cmd = "cd " + std::string(CTRD_SOURCE_DIR) + " && " + cmd;  // the checkout, as run.sh
    std::string input;
    auto timeout = std::chrono::milliseconds(30s);
    bool streams = raw.find(" events ") != std::string::npos;
    if (streams) timeout = 3s;
    if (raw.find(" -it ") != std::string::npos) {
      cmd = "script -qec '" + replace_all(cmd, "'", "'\\''") + "' /dev/null";
      input = "echo walkthrough-ok; exit\n";
    }
    auto r = ctrd::test::run_process(
        {"/usr/bin/env", "CTRD_SOCKET=" + d.socket(), "/bin/sh", "-c", cmd}, input, timeout);
    INFO("README line: " << raw << "\nstdout: " << r.out << "\nstderr: " << r.err);
    if (streams) {
      CHECK(r.code == -1);  // still streaming when stopped
      CHECK_FALSE(r.out.empty());
    } else {
      CHECK(r.code == 0);
    }
    if (raw.find(" -it ") != std::string::npos)
      CHECK(r.out.find("walkthrough-ok") != std::string::npos);
    if (raw.find("ps -a") != std::string::npos) {
      CHECK(r.out.find("web") != std::string::npos);
      CHECK(r.out.find("probe") != std::string::npos);
    }
  }
  CHECK(d.log().find("unhandled exception") == std::string::npos);
}

TEST_CASE("a command that is a dangling symbolic link inside the rootfs is named as such",
          "[readme]") {
  live_daemon d;
  ctrd::test::temp_dir bb;
  auto bin = bb.path() + "/bin";
  std::filesystem::create_directories(bin);
  std::filesystem::copy_file("/bin/busybox", bin + "/busybox");
  // What `busybox --install -s` makes on a merged-/usr host: links to /usr/bin/busybox.
  std::filesystem::create_symlink("/usr/bin/busybox", bin + "/sleep");
  auto r = d.ctl({"run", "--rm", "--rootfs", bb.path(), "/bin/sleep", "1"});
  CHECK(r.code == 127);
  CHECK(r.err.find("`/bin/sleep` is a symbolic link to `/usr/bin/busybox`, which does not exist "
                   "inside the container's root file system") != std::string::npos);
}

}  // namespace readme_test
