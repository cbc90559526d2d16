// What the holder keeps for the daemon between its runs: duplicates of the containers'
// descriptors (keyed by container id and role) and the exit statuses of processes it
// reaped that the daemon has not taken yet. Owns the descriptors it holds. CAF-free and
// without processes, so it is unit-tested on its own (tests/unit/holder_test.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace ctrd::holder {

/// One descriptor held for a container ("" for the daemon's own, e.g. its listen socket).
struct held_fd {
  std::string id;
  std::string role;
  int fd = -1;
};

/// One reaped process whose status the daemon has not confirmed (forget) yet.
struct exit_record {
  int64_t pid = 0;
  int32_t code_kind = 0;  ///< waitid's si_code (CLD_EXITED, CLD_KILLED, CLD_DUMPED)
  int32_t status = 0;     ///< si_status: the exit code or the signal
};

class held_set {
 public:
  /// Statuses kept at most (oldest dropped first): orphans the daemon never claims, such
  /// as daemons that escaped a container, must not grow the holder without bound.
  static constexpr std::size_t max_exits = 4096;

  held_set() = default;
  ~held_set();
  held_set(const held_set&) = delete;
  held_set& operator=(const held_set&) = delete;

  /// Takes `fd`; one of the same id and role held before is closed (a restarted process).
  void hold(std::string id, std::string role, int fd);

  /// Closes the descriptor `role` of `id`, or with role "" every one; returns how many.
  std::size_t release(const std::string& id, const std::string& role = {});

  /// Records a reaped process; returns false if an old record had to be dropped.
  bool add_exit(const exit_record& e);

  /// The daemon took the status of `pid`.
  void forget(int64_t pid);

  const std::vector<held_fd>& fds() const { return fds_; }
  const std::deque<exit_record>& exits() const { return exits_; }

  /// The state as text (one line per entry) for the holder's own re-exec; the descriptors
  /// stay open and are named by number.
  std::string serialize() const;

  /// Restores what serialize() wrote; descriptors named there are taken over. Returns false
  /// (and keeps what it read so far) on a malformed line.
  bool restore(const std::string& text);

 private:
  std::vector<held_fd> fds_;
  std::deque<exit_record> exits_;
};

}  // namespace ctrd::holder
