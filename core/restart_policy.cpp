#include "core/restart_policy.hpp"

#include <algorithm>
#include <cmath>

#include "messages/duration.hpp"

namespace ctrd::restart {
namespace {

uint32_t effective_step(const history& h, const backoff_spec& b, const exit_facts& e) {
  return e.ran_ms >= static_cast<int64_t>(b.reset_ms) ? 0 : h.step;
}

uint64_t backoff_delay(const backoff_spec& b, uint32_t step, double jitter) {
  if (b.initial_ms == 0) return 0;
  const double cap = std::max(b.max_ms, b.initial_ms);
  double d = b.initial_ms;
  for (uint32_t i = 0; i < step && d < cap; ++i) d *= 2;
  d = std::min(d, cap);
  d *= 1.0 + 0.1 * std::clamp(jitter, -1.0, 1.0);
  return static_cast<uint64_t>(std::llround(std::min(d, cap)));
}

std::string exit_text(const exit_facts& e) {
  return "exit code " + std::to_string(e.exit_code);
}

}  // namespace

decision decide(const restart_policy& p, const backoff_spec& b, uint32_t restart_count,
                const history& h, const exit_facts& e, int64_t now_ms, double jitter) {
  decision d;
  if (e.unhealthy_restart) {
    d.reason = "unhealthy (health-on-failure=restart)";
  } else if (e.stopped_by_user) {
    d.reason = "stopped by the user";
    return d;
  } else if (p.kind == restart_kind::no) {
    d.reason = "restart policy is no";
    return d;
  } else if (p.kind == restart_kind::on_failure) {
    if (e.exit_code == 0) {
      d.reason = "exit code 0 (policy on-failure)";
      return d;
    }
    if (p.max_retries > 0 && restart_count >= p.max_retries) {
      d.reason = "on-failure retry limit " + std::to_string(p.max_retries) + " reached";
      return d;
    }
    d.reason = exit_text(e) + " (policy on-failure)";
  } else {
    d.reason = exit_text(e) + " (policy " + std::string(to_string(p.kind)) + ")";
  }
  if (b.limit > 0) {
    auto since = now_ms - static_cast<int64_t>(b.window_ms);
    auto n =
        std::count_if(h.recent_ms.begin(), h.recent_ms.end(), [&](int64_t t) { return t > since; });
    if (static_cast<uint32_t>(n) >= b.limit) {
      d.what = action::park;
      d.reason = "crash loop: " + std::to_string(n) + " restarts within " +
                 format_duration_ms(b.window_ms) + " (limit " + std::to_string(b.limit) +
                 "); start the container to try again";
      return d;
    }
  }
  d.what = action::restart;
  d.delay_ms = backoff_delay(b, effective_step(h, b, e), jitter);
  return d;
}

void record(history& h, const backoff_spec& b, const exit_facts& e, int64_t now_ms) {
  h.step = effective_step(h, b, e) + 1;
  if (h.step > 64) h.step = 64;
  auto since = now_ms - static_cast<int64_t>(b.window_ms);
  h.recent_ms.erase(
      std::remove_if(h.recent_ms.begin(), h.recent_ms.end(), [&](int64_t t) { return t <= since; }),
      h.recent_ms.end());
  h.recent_ms.push_back(now_ms);
  // decide() parks once `limit` restarts fall in the window: the last `limit` ones are all it
  // reads, and without a limit it reads none. The history is stored with every status, so a
  // fast loop must not grow it (without this cap a loop without a limit stored thousands).
  const std::size_t keep = b.limit;
  if (h.recent_ms.size() > keep)
    h.recent_ms.erase(h.recent_ms.begin(), h.recent_ms.end() - static_cast<std::ptrdiff_t>(keep));
}

retry_decision after_failed_spawn(const backoff_spec& b, spawn_failure why, uint32_t failures,
                                  double jitter) {
  retry_decision d;
  d.log = failures == 0;
  if (why == spawn_failure::permanent) return d;
  d.what = action::restart;
  backoff_spec floor = b;
  floor.initial_ms = std::max<uint32_t>(b.initial_ms, min_retry_ms);
  floor.max_ms = std::max<uint32_t>(b.max_ms, floor.initial_ms);
  d.delay_ms = backoff_delay(floor, failures, jitter);
  return d;
}

bool should_start_on_boot(const restart_policy& p, const container_status& s) {
  if (s.state != container_state::exited || s.parked) return false;
  if (s.restart_due_ns != 0 && !s.stopped_by_user) return false;  // the actor resumes it
  switch (p.kind) {
    case restart_kind::always:
      return true;
    case restart_kind::unless_stopped:
      return !s.stopped_by_user;
    case restart_kind::on_failure:
    case restart_kind::no:
      return false;
  }
  return false;
}

}  // namespace ctrd::restart
