// The container actor's answers to transient resource failures (docs/reliability.md,
// "Transient resource failures"): a spawn that failed for lack of descriptors, memory or
// processes is retried with the container's backoff (restart::after_failed_spawn decides)
// (a health check ctrd could not start is "not run": container_health.cpp), and a cleanup step
// that failed is retried until it succeeds or is given up with an Error. Each streak of
// failures is logged once. See container_impl.hpp.
#include <algorithm>
#include <chrono>
#include <random>

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/container_impl.hpp"
#include "runtime/proc.hpp"

namespace ctrd::ctr {
namespace {

double jitter() {
  thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(-1.0, 1.0)(rng);
}

/// Delay of the n-th cleanup retry: 100 ms doubling up to 5 s (~17 s over all attempts).
std::chrono::milliseconds cleanup_delay(uint32_t n) {
  uint64_t ms = 100;
  for (uint32_t i = 0; i < n && ms < 5000; ++i) ms *= 2;
  return std::chrono::milliseconds(std::min<uint64_t>(ms, 5000));
}

}  // namespace

bool retry_failed_spawn(actor_t* self, bool boot, const std::string& reason) {
  auto& s = self->state;
  const std::string what = boot ? "boot start" : "restart";
  if (s.shutting_down) return false;
  auto why =
      s.last_step_transient ? restart::spawn_failure::resource : restart::spawn_failure::permanent;
  auto d = restart::after_failed_spawn(s.cfg.backoff, why, s.spawn_failures, jitter());
  if (d.what != restart::action::restart) {
    s.spawn_failures = 0;
    return false;
  }
  ++s.spawn_failures;
  s.retry_boot = boot;
  s.st.error = what + " failed: " + reason + "; retrying";
  s.st.restart_due_ns = proc::boot_ns() + static_cast<int64_t>(d.delay_ms) * 1000000;
  self->delayed_send(self, std::chrono::milliseconds(d.delay_ms), respawn_atom::value,
                     ++s.restart_gen);
  if (d.log)
    spdlog::warn(
        "container {}: {} failed: {}; retrying with its backoff until it succeeds (further "
        "failures are logged at debug level)",
        s.cfg.name, what, reason);
  else
    spdlog::debug("container {}: {} failed again ({} in a row): {}; next try in {} ms", s.cfg.name,
                  what, s.spawn_failures, reason, d.delay_ms);
  persist(self);
  return true;
}

void note_spawn_succeeded(actor_t* self) {
  auto& s = self->state;
  s.retry_boot = false;
  if (s.spawn_failures == 0) return;
  spdlog::info("container {}: started after {} failed attempts", s.cfg.name, s.spawn_failures);
  s.spawn_failures = 0;
  s.st.error.clear();  // "restart failed: ...; retrying" is over
}

void retire_cgroup(actor_t* self, cgroup::group cg) {
  auto& s = self->state;
  try {
    if (!cg.remove())
      spdlog::warn("container {}: its cgroup {} is still busy", s.cfg.name, cg.path());
    return;
  } catch (const std::exception& e) {
    if (s.stale_cgroups.empty() && s.cleanup_failures == 0)
      spdlog::warn("container {}: {} (retrying)", s.cfg.name, e.what());
  }
  s.stale_cgroups.push_back(std::move(cg));
  self->delayed_send(self, cleanup_delay(s.cleanup_failures), cleanup_atom::value, ++s.cleanup_gen);
}

void on_cleanup_timer(actor_t* self, uint64_t gen) {
  auto& s = self->state;
  if (gen != s.cleanup_gen) return;
  // A new run reuses the group (same name): it is in use again, nothing to remove.
  if (s.cg.valid()) s.stale_cgroups.clear();
  std::string last_error;
  for (auto it = s.stale_cgroups.begin(); it != s.stale_cgroups.end();) {
    try {
      if (!it->remove())
        spdlog::warn("container {}: its cgroup {} is still busy", s.cfg.name, it->path());
      it = s.stale_cgroups.erase(it);
    } catch (const std::exception& e) {
      last_error = e.what();
      ++it;
    }
  }
  if (s.stale_cgroups.empty()) {
    if (s.cleanup_failures > 0)
      spdlog::info("container {}: cleanup done after {} retries", s.cfg.name, s.cleanup_failures);
    s.cleanup_failures = 0;
    return;
  }
  if (++s.cleanup_failures >= cleanup_attempts) {
    s.st.error =
        "cleanup given up after " + std::to_string(s.cleanup_failures) + " attempts: " + last_error;
    spdlog::error("container {}: {}", s.cfg.name, s.st.error);
    s.stale_cgroups.clear();
    s.cleanup_failures = 0;
    persist(self);
    return;
  }
  spdlog::debug("container {}: cleanup failed again: {}", s.cfg.name, last_error);
  self->delayed_send(self, cleanup_delay(s.cleanup_failures), cleanup_atom::value, ++s.cleanup_gen);
}

void note_drain_problem(actor_t* self, const std::string& why) {
  auto& s = self->state;
  s.st.error = why;
  spdlog::error("container {}: {}", s.cfg.name, why);
}

}  // namespace ctrd::ctr
