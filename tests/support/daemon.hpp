// A real ctrd for integration tests: its own temp root and socket, driven through the real
// ctrctl binary or raw socket frames. Paths of the binaries come from CMake
// (CTRD_BIN, CTRCTL_BIN, CTRD_SOURCE_DIR).
#pragma once

#include <sys/types.h>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace ctrd::test {

/// How to start ctrd.
struct daemon_options {
  std::vector<std::string> args;     ///< extra ctrd arguments (e.g. --config-dir D)
  std::vector<std::string> wrapper;  ///< command prefix (e.g. unshare --pid --fork ...)
  std::vector<std::string> env;      ///< NAME=VALUE added to ctrd's environment (through env(1))
  std::string root;                  ///< --root ("" = <temp dir>/root)
  /// The wrapper execs ctrd in its own process (nsenter into a network and mount namespace,
  /// no fork): the started pid is the holder's. Otherwise the holder is its first child.
  bool wrapper_execs = false;
};

/// True when ctrd can run as PID 1 of its own PID namespace here (root, and
/// `unshare --pid --fork --mount-proc` works); otherwise prints why the test is skipped.
bool pid_namespaces_usable();

/// The first child of `pid` (from /proc), or 0.
pid_t first_child(pid_t pid);

/// The child of `pid` that runs ctrd-daemon, or 0.
pid_t daemon_child(pid_t pid);

class live_daemon {
 public:
  /// Starts ctrd on a fresh temp root and waits until its socket accepts connections.
  explicit live_daemon(daemon_options opts = {});
  /// Stops ctrd with SIGTERM (SIGKILL after 20 s) and removes the temp root.
  ~live_daemon();

  /// (Re)starts ctrd on the same root and socket; waits for the socket.
  void start();
  /// SIGKILL of the holder and the daemon, no cleanup: ctrd as a whole crashed (or the
  /// machine lost power for ctrd alone). Containers keep running, orphaned.
  void kill9();
  /// SIGKILL of the daemon only (ctrd-daemon): its holder starts it again. Returns the
  /// killed pid.
  pid_t kill9_daemon();
  /// Waits until a daemon other than `old` runs and answers on the socket; returns its pid
  /// (fails the test after `limit`).
  pid_t await_new_daemon(pid_t old, std::chrono::milliseconds limit = std::chrono::seconds(10));
  /// SIGTERM and wait; returns ctrd's exit code (-1 on timeout).
  int terminate(int timeout_ms = 20000);

  /// Runs `ctrctl --socket <sock> args...`.
  proc_result ctl(const std::vector<std::string>& args, const std::string& input = "") const;

  /// Trimmed stdout of a ctrctl call that must succeed (fails the test otherwise).
  std::string ok(const std::vector<std::string>& args) const;

  /// ctrd's log so far.
  std::string log() const;

  const std::string& socket() const { return socket_; }
  const std::string& root() const { return root_; }
  pid_t pid() const { return pid_; }
  /// The holder's pid (the process started as `ctrd`): pid() itself, or the wrapper's child
  /// when started through a wrapper that forks.
  pid_t holder_pid() const {
    return opts_.wrapper.empty() || opts_.wrapper_execs ? pid_ : first_child(pid_);
  }
  /// The actor daemon's pid: the holder's child that runs ctrd-daemon; the holder's own
  /// pid if it has none (a daemon run without a holder).
  pid_t ctrd_pid() const;
  const temp_dir& dir() const { return dir_; }

 private:
  temp_dir dir_;
  daemon_options opts_;
  std::string root_, socket_, log_;
  pid_t pid_ = -1;
};

/// The `inspect` map of one container (fails the test if ctrctl fails).
nlohmann::json inspect(const live_daemon& d, const std::string& name);

/// Polls `inspect` every 20 ms until `pred` holds and returns that map; fails the test
/// after `limit`. An `inspect` that fails (a service still being created) is retried.
nlohmann::json await_inspect(const live_daemon& d, const std::string& name,
                             const std::function<bool(const nlohmann::json&)>& pred,
                             std::chrono::milliseconds limit = std::chrono::seconds(10));

/// The delays (ms) of the policy restarts of container `name`, in order, from ctrd's log
/// ("container NAME: restart in N ms").
std::vector<long> restart_delays(const live_daemon& d, const std::string& name);

/// Connects to a unix socket; returns the fd or -1.
int connect_unix(const std::string& path);

/// Reads one frame body from `fd` (timeout 5 s); returns false on EOF/timeout.
bool read_frame(int fd, std::string& body);

/// Writes all bytes.
void write_all(int fd, const std::string& bytes);

/// Trims trailing whitespace/newlines.
std::string trim(const std::string& s);

}  // namespace ctrd::test
