// The holder: the process a user starts as `ctrd`. It runs the actor daemon (ctrd-daemon)
// as its child and stays when the daemon dies (docs/architecture.md, "Surviving a daemon
// crash"):
//  * it is a child subreaper (or PID 1 with --init), so containers orphaned by a daemon
//    crash become its children; it reaps them and keeps their exit statuses until a daemon
//    takes them (held_set);
//  * it holds a duplicate of every descriptor the daemon hands it (output pipes, pty
//    masters, stdin, notify sockets, the control socket), so no container writes into a
//    pipe without a reader and clients queue on the socket while no daemon runs;
//  * when the daemon dies it starts it again (restart_backoff) and hands everything over;
//  * it forwards SIGTERM, SIGINT, SIGPWR and SIGHUP to the daemon; when the daemon exits
//    cleanly it exits too (with --init as the machine's PID 1: sync, then power off or
//    reboot; in a PID namespace: exit). A stop has a deadline (--shutdown-timeout,
//    stop_deadline.hpp): a daemon that has not exited by then is killed (SIGKILL), and the
//    holder goes on with its shutdown without it (holder_stop.cpp);
//  * `reexec` from the daemon (ctrctl daemon-reexec) makes it re-execute itself from disk
//    with its descriptors and then start the daemon from disk;
//  * with --watchdog-device it holds a hardware watchdog (hw_watchdog.hpp) open, armed
//    across its own re-exec, and pets it each time the daemon reports a passing
//    self-check (`alive`); it disarms it only when it ends normally.
// It never runs container logic. Single-threaded: one poll() over a signalfd and the link.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "holder/held_set.hpp"
#include "holder/hw_watchdog.hpp"
#include "holder/restart_backoff.hpp"
#include "holder/stop_deadline.hpp"
#include "runtime/holder_link.hpp"
#include "runtime/sd_notify.hpp"

namespace ctrd::holder {

struct holder_options {
  std::string argv0 = "ctrd";     ///< the name it was started by (the daemon's argv[0])
  std::vector<std::string> args;  ///< the command line as given (argv[1..]), for the daemon
  std::string daemon_path;        ///< ctrd-daemon
  std::string self_path;          ///< this binary, for its own re-exec
  bool init = false;              ///< --init
  bool reboot = false;            ///< --reboot: with --init, reboot instead of powering off
  std::string watchdog_device;    ///< --watchdog-device: a hardware watchdog to pet ("": none)
  std::string log_target;         ///< --log-target: where the holder's and daemon's log goes
  int watchdog_timeout = 0;       ///< --watchdog-timeout in seconds (0: the device's own)
  /// --shutdown-timeout in seconds: the daemon's time to stop before it is killed
  int shutdown_timeout = stop_deadline::default_timeout_s;
};

/// Reads the holder's own options out of the command line (argv[1..]): --init, --reboot,
/// --watchdog-device PATH|=PATH, --watchdog-timeout S|=S, --shutdown-timeout S|=S. Returns
/// "" or what is wrong.
std::string parse_holder_args(const std::vector<std::string>& args, holder_options& opt);

/// The environment variable carrying the holder's state across its own re-exec (a memfd).
constexpr const char* state_env = "CTRD_HOLDER_STATE";

class holder_process {
 public:
  explicit holder_process(holder_options opt);
  holder_process(const holder_process&) = delete;
  holder_process& operator=(const holder_process&) = delete;

  /// Runs until the daemon has exited for good; returns the exit code for main().
  int run();

 private:
  void setup();
  void restore_state();
  bool start_daemon();
  std::vector<char*> command_line(const std::string& first) const;
  void on_signals();
  void reap();
  void on_daemon_exit(int32_t code_kind, int32_t status);
  void on_link();
  void handle(message& m);
  void hand_over();
  bool send(const message& m);
  void close_link();
  bool reexec_self();
  bool open_watchdog();
  void on_alive();
  void disarm_watchdog();
  // The stop and the end (holder_stop.cpp).
  void begin_stop(int sig);
  void check_deadline();
  bool end_if_killed(int64_t pid, int32_t code_kind, int32_t status);
  int finish(int code);
  void stop_leftovers();

  holder_options opt_;
  stop_deadline deadline_;  // from the first stop request (--shutdown-timeout)
  held_set held_;
  sd::notifier notifier_;  // the daemon's notifications, sent as the main process
  restart_backoff backoff_;
  hw_watchdog watchdog_;      // --watchdog-device (closed: none)
  bool pet_failing_ = false;  // the last pet failed (said once, not at every pet)
  int sigfd_ = -1;
  int link_ = -1;              // the holder's end of the current daemon's link
  int64_t daemon_pid_ = 0;     // 0: no daemon runs
  int64_t started_ns_ = 0;     // monotonic start of the current daemon
  int64_t restart_at_ns_ = 0;  // monotonic time of the next start (0: none planned)
  int starts_ = 0;             // daemons started (a re-exec of the holder keeps counting)
  bool ready_ = false;         // the current daemon said ready
  bool ever_ready_ = false;    // some daemon said ready (an early exit is then a crash)
  bool stopping_ = false;      // SIGTERM/SIGINT/SIGPWR arrived: the daemon shuts down
  bool reexec_ = false;        // the current daemon exits for an upgrade
  bool done_ = false;
  int exit_code_ = 0;
  // What the holder found before raising its own (the daemon starts from these, so that
  // its containers inherit what the user gave ctrd).
  std::string original_oom_score_adj_;
  uint64_t original_nofile_ = 0;
};

/// The monotonic clock in nanoseconds.
int64_t monotonic_ns();

/// True in the initial PID namespace, where PID 1 owns the machine (false without /proc).
bool in_initial_pid_namespace();

/// How a process ended (waitid's si_code and si_status), for the log: "exited with code N"
/// or "killed by signal SIGX".
std::string describe_exit(int32_t code_kind, int32_t status);

/// Writes one log line to stderr in the daemon's format ("<time> <level> holder: <text>").
void log_line(const char* level, const std::string& text);

}  // namespace ctrd::holder
