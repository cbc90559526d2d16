// Terminal and signal plumbing for attached sessions: raw mode for ctrctl's terminal (restored
// on every exit path: normal return, exceptions, fatal signals, the EPIPE exit in io.cpp),
// the terminal size, and a self-pipe that turns signals (SIGWINCH, SIGINT) into readable
// bytes for poll() loops.
#pragma once

#include <initializer_list>
#include <vector>

namespace ctl {

/// Puts the terminal `fd` in raw mode (cfmakeraw, as podman's term.MakeRaw) and arranges
/// for restore_terminal() to run before ctrctl dies of SIGINT, SIGTERM, SIGHUP or SIGQUIT
/// (the signal is then re-raised) and before the io.cpp quick exits. Returns false when
/// `fd` is not a terminal or its mode cannot be changed.
bool make_raw(int fd);

/// Restores the mode saved by make_raw() (no-op otherwise). Async-signal-safe.
void restore_terminal();

/// Restores the terminal when it goes out of scope.
struct raw_guard {
  raw_guard() = default;
  raw_guard(const raw_guard&) = delete;
  raw_guard& operator=(const raw_guard&) = delete;
  ~raw_guard() { restore_terminal(); }
};

/// The size of terminal `fd`; false when it is not a terminal.
bool terminal_size(int fd, int& rows, int& cols);

/// A self-pipe: the listed signals are caught and each writes its number as one byte to a
/// non-blocking pipe whose read end is fd(). The previous dispositions come back on
/// destruction. Only one signal_pipe may exist at a time.
class signal_pipe {
 public:
  explicit signal_pipe(std::initializer_list<int> signals);
  ~signal_pipe();
  signal_pipe(const signal_pipe&) = delete;
  signal_pipe& operator=(const signal_pipe&) = delete;

  /// The read end, for poll().
  int fd() const { return rd_; }

  /// The signals received since the last call (reads without blocking).
  std::vector<int> drain();

 private:
  int rd_ = -1;
  std::vector<int> signals_;
};

}  // namespace ctl
