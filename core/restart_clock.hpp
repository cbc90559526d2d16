// Persisted restart times across ctrd restarts and reboots, as pure functions (no CAF, no
// clock: the caller passes the readings). Supervision decisions run on the boot clock
// (CLOCK_BOOTTIME: monotonic, counts suspend, survives a ctrd restart within one boot), so a
// wall-clock jump (NTP, an RTC-less device booting years off) changes nothing; only what is
// displayed uses the wall clock. A record names the boot its times belong to (the kernel's
// boot_id); after a reboot they are recomputed, not misread. docs/supervision.md
// ("Clocks") describes the rules; tests/unit/restart_clock_test.cpp checks them as a table.
#pragma once

#include <cstdint>
#include <string>

#include "messages/container_config.hpp"
#include "messages/container_status.hpp"

namespace ctrd::restart {

/// The clocks read at one instant.
struct clock_now {
  int64_t boot_ns = 0;  ///< CLOCK_BOOTTIME
  int64_t wall_ns = 0;  ///< CLOCK_REALTIME (ns since the epoch)
  std::string boot_id;  ///< /proc/sys/kernel/random/boot_id
};

/// The longest delay the backoff can choose (jitter included): no pending restart waits more.
int64_t longest_delay_ms(const backoff_spec& b);

/// Makes the stored restart times of `s` (the pending restart's deadline and the crash-loop
/// history) valid in the current boot, and stamps `s.boot_id`:
///  * recorded in this boot: unchanged;
///  * another boot (a reboot): a pending restart is due at once (the reboot took its time),
///    the crash-loop history starts afresh; the backoff step is kept;
///  * no boot id (a record written before boot times existed: wall-clock times): converted
///    through the wall clock, each age clamped to [0, what the backoff or window allows].
/// Returns true if anything changed.
bool rebase(container_status& s, const backoff_spec& b, const clock_now& now);

/// Milliseconds until the pending restart is due (0: due now or none pending), never more
/// than the backoff's longest delay.
int64_t remaining_ms(const container_status& s, const backoff_spec& b, int64_t boot_now_ns);

/// The wall-clock time shown for the pending restart (inspect's NextRestartAt), computed
/// from the boot-clock deadline; 0 when none is pending.
int64_t displayed_restart_ns(const container_status& s, const clock_now& now);

}  // namespace ctrd::restart
