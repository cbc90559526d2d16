// The container actor's health monitor: the state of the running check (its process, output,
// exit, timeout), the generation that cancels stale check timers, the Health log shown by
// inspect, the `healthcheck run` requests waiting for a check, the checks ctrd could not run
// (Health.NotRun) and the pure verdict on the health status after a check.
//
// CAF-free: the container actor (actors/container_health.cpp) spawns the check through its
// helpers, arms the delayed messages and feeds the events in; `Promise` is anything with
// deliver(json) and deliver(error). Unit tests: tests/unit/health_monitor_test.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "messages/value_codec.hpp"
#include "runtime/proc.hpp"
#include "runtime/spawner.hpp"

namespace ctrd::ctr {

/// Stream ids of health-check output (the container's own are stream_stdout/stream_stderr).
constexpr int health_stdout = 3;
constexpr int health_stderr = 4;
/// Output of a check kept for the Health log.
constexpr std::size_t health_output_cap = 4096;
/// Results kept in the Health log.
constexpr std::size_t health_log_size = 5;

/// The container's health facts a verdict reads and changes.
struct health_status {
  std::string status;            ///< "", "starting", "healthy", "unhealthy"
  uint32_t streak = 0;           ///< failing streak
  bool ready = false;            ///< the container counts as ready
  bool sdnotify = false;         ///< readiness comes from sd_notify, not from health
  uint32_t retries = 0;          ///< failures in a row that make it unhealthy
  bool in_start_period = false;  ///< "starting" and still within the start period
};

/// What a finished check changes.
struct health_verdict {
  health_status next;
  bool changed = false;           ///< persist the status
  bool became_ready = false;      ///< the first healthy check made it ready
  bool became_healthy = false;    ///< publish health_status (healthy)
  bool became_unhealthy = false;  ///< publish health_status (unhealthy), run the action
};

/// The verdict of one check (podman's rules: failures inside the start period do not count;
/// `retries` failures in a row make it unhealthy; a healthy check makes a non-sd_notify
/// container ready).
inline health_verdict judge_health(const health_status& now, bool healthy) {
  health_verdict v;
  v.next = now;
  auto& n = v.next;
  if (healthy) {
    v.changed = n.streak != 0 || n.status != "healthy";
    v.became_healthy = n.status != "healthy";
    n.streak = 0;
    n.status = "healthy";
    if (!n.sdnotify && !n.ready) {
      n.ready = true;
      v.became_ready = v.changed = true;
    }
    return v;
  }
  if (now.in_start_period) return v;
  ++n.streak;
  v.changed = true;
  if (n.streak >= n.retries && n.status != "unhealthy") {
    n.status = "unhealthy";
    v.became_unhealthy = true;
  }
  return v;
}

/// One check's result.
struct check_result {
  bool healthy = false;
  int exit_code = 0;
  std::string output;
  int64_t started_boot_ns = 0;  ///< boot clock when it began
  bool scheduled = false;       ///< the periodic schedule ran it: the next one is to be armed
  /// It belongs to the run that started at `run_started_boot_ns` (not an earlier one).
  bool for_run_since(int64_t run_started_boot_ns) const {
    return started_boot_ns >= run_started_boot_ns;
  }
};

template <class Promise>
class health_monitor {
 public:
  // --- generations: a timer carries the generation it was armed in ---

  /// The generation current timers must carry.
  uint64_t gen() const { return gen_; }
  /// A run started, was adopted or ended: timers armed before are stale.
  void new_generation() { ++gen_; }

  // --- the running check ---

  /// A check process runs (or its end is not yet recorded).
  bool busy() const { return child_.pid > 0; }
  /// A check begins at wall time `now_ns`, boot time `boot_ns`; `scheduled` when the
  /// periodic timer started it (false: `healthcheck run`, which leaves the schedule alone).
  void begin(int64_t now_ns, int64_t boot_ns, bool scheduled = true) {
    output_.clear();
    exited_ = timed_out_ = false;
    started_ns_ = now_ns;
    started_boot_ns_ = boot_ns;
    scheduled_ = scheduled;
  }
  /// The periodic timer fired while a check runs: that check carries the schedule on (its
  /// end arms the next timer), so there is always exactly one periodic timer or check.
  void take_schedule() { scheduled_ = true; }
  /// Its process runs with both output pipes open; returns the sequence number its
  /// timeout timer carries.
  uint64_t started(held_child c) {
    child_ = c;
    out_open_ = err_open_ = true;
    return ++seq_;
  }
  /// The process could not be made (ctrd lacked a resource): nothing runs.
  void not_started() {
    child_ = held_child{};
    out_open_ = err_open_ = false;
  }
  /// The check cannot even start (no such command...): a failed check with the reason.
  void failed_to_start(std::string why, int exit_code) {
    not_started();
    output_ = std::move(why);
    exited_ = true;
    exit_code_ = exit_code;
  }
  const held_child& child() const { return child_; }
  /// The descriptor of a health stream (health_stdout / health_stderr).
  int& fd(int stream) { return stream == health_stdout ? child_.out_fd : child_.err_fd; }
  /// Output of the check: the first health_output_cap bytes are kept.
  void output(const std::string& data) {
    if (output_.size() < health_output_cap)
      output_.append(data, 0, health_output_cap - output_.size());
  }
  /// A stream reached its end (its descriptor is closed by the caller).
  void stream_closed(int stream) { (stream == health_stdout ? out_open_ : err_open_) = false; }
  /// A process exited: true if it was the check's.
  bool exited(int pid, int code) {
    if (child_.pid <= 0 || pid != child_.pid) return false;
    exited_ = true;
    exit_code_ = code;
    return true;
  }
  /// The timeout of check `seq` expired: true if that check still runs (kill it).
  bool timed_out(uint64_t seq) {
    if (seq != seq_ || child_.pid <= 0 || exited_) return false;
    timed_out_ = true;
    return true;
  }
  /// The check exited (or never started) and its output is drained.
  bool finished() const {
    if (child_.pid <= 0 && !exited_) return false;
    return exited_ && !out_open_ && !err_open_;
  }
  /// Records the finished check at `now_ns` in the Health log, answers the waiters with
  /// {id, status, exit_code, output} and forgets the process.
  check_result finish(int64_t now_ns, const std::string& id) {
    check_result r;
    r.healthy = exit_code_ == 0 && !timed_out_;
    r.exit_code = exit_code_;
    r.started_boot_ns = started_boot_ns_;
    r.scheduled = std::exchange(scheduled_, false);
    if (timed_out_)
      output_ += (output_.empty() ? "" : "\n") + std::string("health check timed out");
    r.output = output_;
    log_.push_back(json{{"Start", proc::rfc3339(started_ns_)},
                        {"End", proc::rfc3339(now_ns)},
                        {"ExitCode", timed_out_ ? -1 : exit_code_},
                        {"Output", output_}});
    while (log_.size() > health_log_size) log_.pop_front();
    json result = {{"id", id},
                   {"status", r.healthy ? "healthy" : "unhealthy"},
                   {"exit_code", exit_code_},
                   {"output", output_}};
    for (auto& w : waiters_) w.deliver(result);
    waiters_.clear();
    child_ = held_child{};
    return r;
  }

  // --- requests and counts ---

  /// `healthcheck run`: answered when the next check finishes.
  void wait(Promise p) { waiters_.push_back(std::move(p)); }
  /// Every waiting `healthcheck run` gets `err` (check not run, container removed).
  template <class Error>
  void fail_waiters(const Error& err) {
    for (auto& w : waiters_) w.deliver(err);
    waiters_.clear();
  }
  /// A check ctrd could not run (not a failure): counted; true if it starts a streak.
  bool note_not_run(std::string reason) {
    ++not_run_;
    not_run_reason_ = std::move(reason);
    return not_run_streak_++ == 0;
  }
  /// A check process started: returns the not-run streak it ends (0: none).
  uint32_t note_ran() { return std::exchange(not_run_streak_, 0); }

  /// The Health log for inspect (oldest first).
  json log() const {
    json a = json::array();
    for (const auto& r : log_) a.push_back(r);
    return a;
  }
  uint32_t not_run() const { return not_run_; }
  uint32_t not_run_streak() const { return not_run_streak_; }
  const std::string& not_run_reason() const { return not_run_reason_; }

 private:
  held_child child_;  // the check process (pid -1 when none runs)
  bool out_open_ = false, err_open_ = false, exited_ = false;
  int exit_code_ = 0;
  bool timed_out_ = false;
  bool scheduled_ = false;       // the running check belongs to the periodic schedule
  int64_t started_ns_ = 0;       // wall clock, for the Health log
  int64_t started_boot_ns_ = 0;  // boot clock, to tell which run it belongs to
  std::string output_;           // first health_output_cap bytes of its output
  uint64_t gen_ = 0;             // cancels stale health timers
  uint64_t seq_ = 0;             // numbers checks, for their timeout timers
  std::deque<json> log_;
  std::vector<Promise> waiters_;
  uint32_t not_run_ = 0;
  uint32_t not_run_streak_ = 0;
  std::string not_run_reason_;
};

}  // namespace ctrd::ctr
