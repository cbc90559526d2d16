// A network sandbox for the network tests (issue 15): a NEW network namespace and a private
// mount namespace with a tmpfs on /run, created by the test, and a real ctrd running inside
// it. Bridges, addresses, firewall rules, netavark's config dir (/run/ctrd/networks) and
// aardvark-dns exist only there and vanish with it: nothing touches the host's network.
//
// The namespaces are held by a small process of their own (a shell waiting on a pipe from
// the test), not by ctrd: a kill -9 of ctrd must leave the bridge, the rules and aardvark-dns
// in place for the next ctrd to adopt, as on a real host. ctrd is started with nsenter into
// both namespaces; its --root and socket stay in the test's temp dir (outside /run), so the
// test's ctrctl reaches the socket (pathname unix sockets work across network namespaces).
#pragma once

#include <sys/types.h>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/daemon.hpp"
#include "tests/support/process.hpp"

namespace ctrd::test {

/// True when the network tests can run here: root, `unshare --net --mount` works, iptables
/// works inside a new namespace, netavark and aardvark-dns in /usr/lib/podman, ip and
/// nsenter, and busybox-static for the container root. Otherwise prints why the test is
/// skipped (WARN) and returns false.
bool network_tests_usable();

/// The network state of a namespace, normalized for comparison (leak checks).
struct net_state {
  std::string links;      ///< `ip -br link`, sorted
  std::string addresses;  ///< `ip -br addr`, sorted
  std::string routes;     ///< `ip route show table all`, sorted
  std::string rules;      ///< `iptables-save` of filter and nat: "table: rule" per line (user
                          ///< chains and -A rules; counters and default policies dropped), sorted
  std::string files;      ///< each file under the netavark config dir (aardvark-dns config,
                          ///< its pid file, ...): "== path" then its content
  std::string processes;  ///< names (comm) of the processes in the namespace, sorted (the
                          ///< namespace's holder excluded; ctrd and ctrd-daemon included)
  std::string netns_mounts;  ///< mount points of nsfs files (container namespaces), sorted

  /// The same state without what netavark leaves behind on purpose once it has set up a
  /// first network and which podman leaves too: the global chains NETAVARK_FORWARD,
  /// NETAVARK-HOSTPORT-DNAT/-MASQ/-SETMARK with their jump rules and mark rules, and the
  /// empty aardvark.lock; and an empty, unreferenced NETAVARK-DN-<id> chain (netavark 1.4
  /// leaves it when the container with ports was not the last on its network). Per-network
  /// chains with rules and per-container rules are kept.
  net_state without_netavark_globals() const;

  /// Every part, labelled, for failure messages.
  std::string dump() const;

  bool operator==(const net_state& o) const;
  bool operator!=(const net_state& o) const { return !(*this == o); }
};

class net_sandbox {
 public:
  /// Creates the namespaces and starts ctrd inside them (opts.wrapper must be empty: the
  /// sandbox sets it). Fails the test if either cannot start.
  explicit net_sandbox(daemon_options opts = {});
  /// Stops ctrd (SIGTERM: it stops its containers), kills by PID whatever is still running
  /// in the network namespace (a leaked aardvark-dns), then ends the namespace holder.
  ~net_sandbox();
  net_sandbox(const net_sandbox&) = delete;
  net_sandbox& operator=(const net_sandbox&) = delete;

  /// The ctrd running in the namespace (kill9 + start keep it there).
  live_daemon& daemon() { return *daemon_; }

  /// The pid of the namespace holder: its /proc/PID/ns/{net,mnt} are the sandbox.
  pid_t ns_pid() const { return holder_; }
  /// The inode of the sandbox's network namespace.
  unsigned long netns_inode() const { return netns_inode_; }

  /// argv prefix that runs a command inside the sandbox: nsenter --net=... --mount=... --
  std::vector<std::string> enter_argv() const;

  /// Runs `argv` (argv[0] a name or path as seen inside the sandbox) in the sandbox's
  /// network and mount namespaces; exit code and output.
  proc_result run_in_ns(const std::vector<std::string>& argv,
                        std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  /// `sh -c script` in the sandbox.
  proc_result sh(const std::string& script,
                 std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

  /// Connects to HOST:PORT over TCP from the sandbox (busybox nc -w 2, stdin closed);
  /// returns what the server sent (empty when the connection failed).
  std::string tcp_get(const std::string& host, int port) const;

  /// Retries tcp_get every 50 ms until the reply contains `want`, up to `limit`; returns
  /// the last reply.
  std::string await_tcp(const std::string& host, int port, const std::string& want,
                        std::chrono::milliseconds limit = std::chrono::seconds(10)) const;

  /// The sandbox's network state now.
  net_state snapshot() const;

  /// Pids of the live processes in the sandbox's network namespace (the holder excluded).
  std::vector<pid_t> processes() const;

  /// Where ctrd's netavark config lives (the default of --network-config-dir).
  static constexpr const char* config_dir = "/run/ctrd/networks";

 private:
  void start_daemon(daemon_options opts, const std::string& holder_said);
  /// Kills (by PID) what still runs in the network namespace, then ends the holder.
  void stop_holder();

  pid_t holder_ = -1;
  int holder_stdin_ = -1;  ///< its EOF ends the holder (also when the test process dies)
  unsigned long netns_inode_ = 0;
  std::unique_ptr<live_daemon> daemon_;
};

/// A busybox root for network containers (make_busybox_rootfs plus /etc/hosts, an empty
/// /etc/resolv.conf and /www/index.html with "hello from httpd"). Returns its path.
std::string make_net_rootfs(const std::string& dir);

}  // namespace ctrd::test

/// Skips the current test (the reason is printed) unless the network tests can run here.
#define REQUIRE_NETWORK_SANDBOX()                      \
  do {                                                 \
    if (!::ctrd::test::network_tests_usable()) return; \
  } while (0)
