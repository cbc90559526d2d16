// Helpers of the network tests (network_test.cpp): a busybox server container, waiting for
// a command in a container to print something, namespace identities.
#pragma once

#include <sys/stat.h>
#include <unistd.h>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/daemon.hpp"
#include "tests/support/net_sandbox.hpp"
#include "tests/support/rootfs.hpp"

namespace ctrd::test::net {

using ctrd::test::await_inspect;
using ctrd::test::inspect;
using ctrd::test::live_daemon;
using ctrd::test::make_net_rootfs;
using ctrd::test::net_sandbox;
using ctrd::test::trim;
using json = nlohmann::json;

/// The inode of the network namespace of `pid` (0 if unreadable).
inline unsigned long ns_inode_of(pid_t pid) {
  struct stat st {};
  auto path = "/proc/" + std::to_string(pid) + "/ns/net";
  return ::stat(path.c_str(), &st) == 0 ? static_cast<unsigned long>(st.st_ino) : 0;
}

/// Starts container `name` detached: `flags` (--network ..., -p ...), then its rootfs and
/// `argv`. Its stop signal is SIGKILL: busybox as PID 1 ignores SIGTERM, and every stop
/// (rm -f, ctrd's shutdown) would wait out the stop timeout.
inline void run_detached(const live_daemon& d, const std::string& rootfs, const std::string& name,
                         const std::vector<std::string>& flags,
                         const std::vector<std::string>& argv) {
  std::vector<std::string> args = {"run", "-d", "--name", name, "--stop-signal", "KILL"};
  args.insert(args.end(), flags.begin(), flags.end());
  args.push_back("--rootfs");
  args.push_back(rootfs);
  args.insert(args.end(), argv.begin(), argv.end());
  d.ok(args);
}

/// Starts container `name` (detached) whose process serves `reply` on TCP port 80 to every
/// connection (busybox nc -ll -e), with `flags` (--network ..., -p ...).
inline void serve(const live_daemon& d, const std::string& rootfs, const std::string& name,
                  const std::vector<std::string>& flags, const std::string& reply) {
  run_detached(d, rootfs, name, flags, {"nc", "-ll", "-p", "80", "-e", "echo", reply});
}

/// Starts container `name` (detached) running `sleep 1000`, with `flags`.
inline void idle(const live_daemon& d, const std::string& rootfs, const std::string& name,
                 const std::vector<std::string>& flags) {
  run_detached(d, rootfs, name, flags, {"sleep", "1000"});
}

/// Runs the host's busybox applet `argv` in the network namespace of process `pid` (a
/// container's, never the test's own: checked), to look at a container from outside.
inline ctrd::test::proc_result in_netns_of(pid_t pid, const std::vector<std::string>& argv) {
  REQUIRE(ns_inode_of(pid) != 0);
  REQUIRE(ns_inode_of(pid) != ns_inode_of(::getpid()));
  std::vector<std::string> full = {
      "/usr/bin/nsenter", "--net=/proc/" + std::to_string(pid) + "/ns/net", "--", "/bin/busybox"};
  full.insert(full.end(), argv.begin(), argv.end());
  return ctrd::test::run_process(full);
}

/// Runs `ctrctl exec name argv...` every 50 ms until its stdout contains `want` (up to
/// `limit`); returns the last stdout (and stderr, for failure messages).
inline std::string await_exec(const live_daemon& d, const std::string& name,
                              const std::vector<std::string>& argv, const std::string& want,
                              std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  std::vector<std::string> args = {"exec", name};
  args.insert(args.end(), argv.begin(), argv.end());
  auto end = std::chrono::steady_clock::now() + limit;
  std::string got;
  while (std::chrono::steady_clock::now() < end) {
    auto r = d.ctl(args);
    got = r.out + r.err;
    if (r.out.find(want) != std::string::npos) return r.out;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  UNSCOPED_INFO("exec in " << name << " never printed '" << want << "'; last: " << got);
  return got;
}

}  // namespace ctrd::test::net
