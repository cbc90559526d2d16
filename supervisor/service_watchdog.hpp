// ctrd under a service manager (systemd's Type=notify with WatchdogSec=): a small dedicated
// thread that proves ctrd works before it says so. It sends READY=1 once a self-check passes,
// then, when the manager asked for a watchdog, runs the self-check every half $WATCHDOG_USEC
// and sends WATCHDOG=1 only after it passed. The self-check is a round trip through each
// part a client depends on: a real connection to ctrd's own socket that completes `hello`
// (acceptor and session), a ping of the supervisor and a flush of the store, each bounded by
// half the period. A wedged part stops the pings, and the manager restarts ctrd. The thread
// only waits on its period timer and on the check's own replies; no CAF handler blocks.
//
// Under a holder that pets a hardware watchdog (--watchdog-device, holder/hw_watchdog.hpp)
// the same thread also runs without a service manager: the self-check then runs at least
// every `alive_period` and each pass calls `alive` (the link's `alive` message), so a
// wedged daemon stops the pets and the hardware resets the machine.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/interfaces.hpp"
#include "runtime/sd_notify.hpp"

namespace ctrd {

/// The holder's hardware watchdog: after each passing self-check `alive` is called; the
/// check runs at least every `period` (zero: no hardware watchdog).
struct hardware_pets {
  std::chrono::milliseconds period{0};
  std::function<void()> alive;
};

class service_watchdog {
 public:
  /// What the self-check goes through.
  struct targets {
    std::string socket;           ///< ctrd's control socket
    supervisor_actor supervisor;  ///< answers (ping_atom) -> true
    store_actor store;            ///< answers (flush_atom) once queued writes are committed
  };

  /// Nothing runs before start(). `sys` and `n` must outlive this object.
  service_watchdog(caf::actor_system& sys, const sd::notifier& n, targets t, hardware_pets hw = {});
  ~service_watchdog();
  service_watchdog(const service_watchdog&) = delete;
  service_watchdog& operator=(const service_watchdog&) = delete;

  /// Starts the thread when `n` is enabled or a hardware watchdog is asked for: READY=1
  /// (with `n`) after the first passing self-check, then the watchdog pings if
  /// $WATCHDOG_USEC asked for them and the hardware pets.
  void start();

  /// Ends the thread (at most one self-check's budget later). Idempotent.
  void stop();

  /// One self-check within `budget`; on failure `why` names the part that did not answer.
  bool self_check(std::chrono::milliseconds budget, std::string& why);

 private:
  void run();
  /// Waits until `until` or stop(); returns false when stopped.
  bool sleep_until(std::chrono::steady_clock::time_point until);

  caf::actor_system& sys_;
  const sd::notifier& notifier_;
  targets targets_;
  hardware_pets hw_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

/// Connects to the unix stream socket `path` and completes a `hello` within `budget`.
/// Returns "" on success, else what went wrong.
std::string hello_round_trip(const std::string& path, std::chrono::milliseconds budget);

}  // namespace ctrd
