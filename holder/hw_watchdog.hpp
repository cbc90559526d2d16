// A hardware watchdog device (/dev/watchdog, the kernel's watchdog API: Documentation/
// watchdog/watchdog-api.rst) as the holder uses it with --watchdog-device: opened once,
// its timeout set, petted with one byte each time the daemon's self-check passes, and
// disarmed with the magic close ('V', then close) only when ctrd ends normally. A holder
// that dies leaves it armed: the hardware resets the machine when the pets stop.
// CAF-free and libc-only, like the rest of the holder.
#pragma once

#include <string>

namespace ctrd::holder {

class hw_watchdog {
 public:
  hw_watchdog() = default;
  ~hw_watchdog();  // closes without disarming (only magic_close() disarms)
  hw_watchdog(const hw_watchdog&) = delete;
  hw_watchdog& operator=(const hw_watchdog&) = delete;

  /// Opens `path` (write-only, non-blocking so that a pet never stalls the holder,
  /// close-on-exec) and, when `timeout_s` > 0, sets its timeout with WDIOC_SETTIMEOUT;
  /// then pets it once. Returns false with `error` naming the path and errno when the
  /// device cannot be opened. A device that refuses the ioctls (a FIFO, a plain file)
  /// is kept: `warning` says so.
  bool open(const std::string& path, int timeout_s, std::string& error, std::string& warning);

  /// Takes `fd`, an already open device (the holder's state across its own re-exec).
  void adopt(const std::string& path, int fd, int timeout_s);

  /// Pets the device (writes one byte that is not 'V'). Returns 0 or an errno value.
  int pet();

  /// Disarms: writes the magic 'V' and closes. Returns 0 or an errno value (the device
  /// is closed either way; a device opened with nowayout stays armed).
  int magic_close();

  /// Clears (false) or sets close-on-exec on the descriptor, for the holder's re-exec.
  void keep_across_exec(bool keep);

  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  /// The timeout in seconds: as set, else as the device reports it, else 0 (unknown).
  int timeout() const { return timeout_s_; }

 private:
  int fd_ = -1;
  int timeout_s_ = 0;
  std::string path_;
};

/// The period at which the daemon's self-check must pass for a device with `timeout_s`:
/// half of it (in ms), or 30 s when the timeout is unknown (0).
int alive_period_ms(int timeout_s);

/// Parses --watchdog-timeout: whole seconds from 1 to 86400. Returns -1 when invalid.
int parse_watchdog_timeout(const std::string& text);

}  // namespace ctrd::holder
