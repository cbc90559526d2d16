// The multi-call executable (multicall/main.cpp): one file that is ctrctl when run by that
// name and the daemon by any other. The test build makes it as ctrd-multicall (the device
// build's ctrd-daemon is the same program); the test links it under both names into a temp
// dir, lets the holder run it as its daemon (CTRD_DAEMON) and drives that through the
// `ctrctl` name.
#include <unistd.h>
#include <cerrno>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "tests/support/daemon.hpp"

namespace multicall_test {

using namespace ctrd::test;

// A hard link when the temp dir is on the build's file system (each name then is the
// executable's own path, as installed), else a symbolic one (the name still chooses).
// Returns true for a hard link.
bool link_as(const std::string& path) {
  if (::link(CTRD_MULTICALL_BIN, path.c_str()) == 0) return true;
  REQUIRE(errno == EXDEV);
  REQUIRE(::symlink(CTRD_MULTICALL_BIN, path.c_str()) == 0);
  return false;
}

TEST_CASE("the multi-call executable is ctrctl by that name and the daemon by any other",
          "[multicall]") {
  temp_dir bin;
  const std::string ctl = bin.path() + "/ctrctl", daemon = bin.path() + "/ctrd-daemon",
                    renamed = bin.path() + "/ctrd-daemon.new";
  bool hard = true;
  for (const auto& p : {ctl, daemon, renamed}) hard = link_as(p) && hard;

  auto client = run_process({ctl, "--version"});
  CHECK(client.code == 0);
  CHECK(client.out.rfind("ctrctl version ", 0) == 0);
  auto other = run_process({renamed, "--version"});
  CHECK(other.code == 0);
  CHECK(other.out.rfind("ctrd ", 0) == 0);
  auto usage = run_process({ctl, "no-such-verb"});
  CHECK(usage.code == 125);
  CHECK(usage.err.find("no-such-verb") != std::string::npos);

  daemon_options opts;
  opts.env = {"CTRD_DAEMON=" + daemon};
  live_daemon d(opts);
  // The holder's child runs the linked file (through a symbolic link it is the build's,
  // whose name tells nothing).
  if (hard)
    CHECK(std::filesystem::read_symlink("/proc/" + std::to_string(d.ctrd_pid()) + "/exe") ==
          daemon);
  auto run = run_process({ctl, "--socket", d.socket(), "run", "--rm", "--name", "once", "echo",
                          "hello from one file"});
  CHECK(run.code == 0);
  CHECK(run.out == "hello from one file\n");
  auto ps = run_process({ctl, "--socket", d.socket(), "ps", "-a", "--format", "{{.Names}}"});
  CHECK(ps.code == 0);
  CHECK(ps.out.empty());
}

}  // namespace multicall_test
