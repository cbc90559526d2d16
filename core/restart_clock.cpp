#include "core/restart_clock.hpp"

#include <algorithm>

namespace ctrd::restart {
namespace {

constexpr int64_t ns_per_ms = 1000000;

}  // namespace

int64_t longest_delay_ms(const backoff_spec& b) {
  if (b.initial_ms == 0) return 0;
  return std::max<int64_t>(b.max_ms, b.initial_ms);
}

bool rebase(container_status& s, const backoff_spec& b, const clock_now& now) {
  if (s.boot_id == now.boot_id) return false;
  auto& recent = s.history.recent_ms;
  const int64_t boot_ms = now.boot_ns / ns_per_ms;
  if (s.boot_id.empty()) {
    // Wall-clock times of an older record: keep how far away they were, within bounds.
    if (s.restart_due_ns != 0) {
      auto left =
          std::clamp<int64_t>((s.restart_due_ns - now.wall_ns) / ns_per_ms, 0, longest_delay_ms(b));
      s.restart_due_ns = now.boot_ns + left * ns_per_ms;
    }
    const int64_t wall_ms = now.wall_ns / ns_per_ms;
    std::vector<int64_t> kept;
    for (auto t : recent) {
      auto age = std::max<int64_t>(0, wall_ms - t);
      if (age < static_cast<int64_t>(b.window_ms)) kept.push_back(boot_ms - age);
    }
    recent = std::move(kept);
  } else {
    // Another boot: its boot-clock times mean nothing now.
    if (s.restart_due_ns != 0) s.restart_due_ns = now.boot_ns;
    recent.clear();
  }
  s.boot_id = now.boot_id;
  return true;
}

int64_t remaining_ms(const container_status& s, const backoff_spec& b, int64_t boot_now_ns) {
  if (s.restart_due_ns == 0) return 0;
  return std::clamp<int64_t>((s.restart_due_ns - boot_now_ns) / ns_per_ms, 0, longest_delay_ms(b));
}

int64_t displayed_restart_ns(const container_status& s, const clock_now& now) {
  if (s.restart_due_ns == 0) return 0;
  return now.wall_ns + std::max<int64_t>(0, s.restart_due_ns - now.boot_ns);
}

}  // namespace ctrd::restart
