// The service manager's notification protocol (sd_notify(3)), implemented by hand: one
// AF_UNIX datagram per state change to the socket named by $NOTIFY_SOCKET ("/path", or
// "@name" for the abstract namespace). ctrd sends READY=1 once its socket serves,
// WATCHDOG=1 after each successful self-check (service_watchdog.hpp) and STOPPING=1 when
// its shutdown begins. Without $NOTIFY_SOCKET every call does nothing.
//
// Under the holder (holder/holder.hpp), the holder is the service's main process: the
// daemon relays its notifications through the holder's link (relay()) and the holder sends
// them, so NotifyAccess=main keeps containers from notifying in ctrd's name.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <chrono>
#include <functional>
#include <string>

namespace ctrd::sd {

class notifier {
 public:
  notifier() = default;
  ~notifier();
  notifier(const notifier&) = delete;
  notifier& operator=(const notifier&) = delete;

  /// Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID, then removes them from the
  /// environment (containers and their checks must not inherit them) unless `keep` (the
  /// holder: its daemon reads them too). Call before any thread starts. A malformed
  /// $NOTIFY_SOCKET is reported in `problem` and disables it.
  void from_environment(std::string& problem, bool keep = false);

  /// From now on, send() hands each notification to `through` (the daemon under the
  /// holder) instead of sending it itself. Call before any thread starts.
  void relay(std::function<bool(const std::string&)> through) { relay_ = std::move(through); }

  /// True when there is a socket to notify.
  bool enabled() const { return fd_ >= 0; }

  /// Sends one datagram ("READY=1", "STOPPING=1", "WATCHDOG=1", several lines joined by
  /// '\n'). Never blocks; thread-safe. Returns false (errno set) when it could not be sent.
  bool send(const std::string& state) const;

  /// How often to send WATCHDOG=1: half of $WATCHDOG_USEC, or zero when the watchdog is off
  /// (unset, 0, or meant for another process by $WATCHDOG_PID).
  std::chrono::microseconds watchdog_period() const { return watchdog_ / 2; }

 private:
  int fd_ = -1;
  sockaddr_un addr_{};
  socklen_t addr_len_ = 0;
  std::chrono::microseconds watchdog_{0};
  std::function<bool(const std::string&)> relay_;
};

}  // namespace ctrd::sd
