// Restart decisions as pure functions (no CAF, no clock, no randomness: the caller passes
// the time and the jitter). The container actor asks decide() after every exit and carries
// out the answer with a delayed message; record() updates the history when a restart goes
// ahead. docs/supervision.md describes the rules; tests/unit/restart_policy_test.cpp checks
// them as a table over policy x exit kind x history.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messages/container_config.hpp"
#include "messages/container_status.hpp"

namespace ctrd::restart {

/// The facts of one exit.
struct exit_facts {
  int exit_code = 0;
  bool stopped_by_user = false;    ///< stop/kill since the last user start
  bool unhealthy_restart = false;  ///< --health-on-failure=restart fired: restart regardless
  int64_t ran_ms = 0;              ///< time since the run became ready (0 if it never did)
};

/// What the decisions so far left behind (stored in container_status, like restart_count).
using history = restart_history;

enum class action : uint8_t {
  none,     ///< stay exited
  restart,  ///< restart after `delay_ms`
  park,     ///< crash loop: stay exited with `reason` as the container's Error
};

struct decision {
  action what = action::none;
  uint64_t delay_ms = 0;
  std::string reason;  ///< why (for inspect's RestartReason / Error and the log)
};

/// Decides what follows an exit. `restart_count` is the container's RestartCount (policy
/// restarts since the last user start); `jitter` in [-1, 1] scales a ±10 % variation of a
/// non-zero delay. `now_ms`, like the history, is on the boot clock (restart_clock.hpp).
decision decide(const restart_policy& policy, const backoff_spec& backoff, uint32_t restart_count,
                const history& h, const exit_facts& exit, int64_t now_ms, double jitter);

/// Records that the restart of `d` is going ahead at `now_ms`.
void record(history& h, const backoff_spec& backoff, const exit_facts& exit, int64_t now_ms);

/// Why a spawn (policy restart, boot start) failed.
enum class spawn_failure : uint8_t {
  resource,   ///< a transient shortage on ctrd's side (EMFILE, ENFILE, ENOMEM, EAGAIN)
  permanent,  ///< anything else (command not found, bad configuration, ...)
};

/// What follows a failed spawn: a resource failure is retried after the container's
/// backoff for the `failures` attempts of this streak so far (0 for the first; never below
/// `min_retry_ms`, so a backoff of 0 does not spin), a permanent one is final
/// (action::none). `log` is true only for the first failure of a streak.
struct retry_decision {
  action what = action::none;
  uint64_t delay_ms = 0;
  bool log = true;
};
constexpr uint64_t min_retry_ms = 100;
retry_decision after_failed_spawn(const backoff_spec& backoff, spawn_failure why, uint32_t failures,
                                  double jitter);

/// podman main's ShouldStartOnBoot for a recovered container: start it (boot start) when
/// ctrd starts? Not for a parked crash loop, nor for a pending policy restart: the container
/// actor re-arms that one itself (resume_policy_restart).
bool should_start_on_boot(const restart_policy& policy, const container_status& s);

}  // namespace ctrd::restart
