// `ctrctl logs` of a container with the journald log driver: its entries are read from the
// journal with journalctl (as podman reads them with sd-journal), filtered by the
// CONTAINER_ID_FULL field ctrd sends with each one (runtime/journal_writer.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ctl {

/// What to print: the same selection as `ctrctl logs` of a k8s-file log.
struct journal_query {
  int64_t tail = -1;     ///< the last N lines (-1: all)
  int64_t since_ns = 0;  ///< 0: from the start
  int64_t until_ns = 0;  ///< 0: to the end
  bool follow = false;   ///< keep printing until `wait_exit` returns
  bool timestamps = false;
  std::string label;  ///< printed before each line ("" for one container)
};

/// journalctl's arguments (argv[0] included) for the container with full id `id`.
std::vector<std::string> journalctl_args(const std::string& id, const journal_query& q);

/// Turns one line of `journalctl -o json` into what ctrctl prints: "" while a partial
/// message waits for its end in `carry`; else the line with its newline (and the label and
/// RFC 3339 time as asked). Lines that are not entries give "".
std::string format_journal_entry(const std::string& json_line, const journal_query& q,
                                 std::string& carry);

/// Runs journalctl and prints the container's entries to stdout. With `follow`, prints
/// until `wait_exit()` returns (the container's process ended), then what the journal got
/// within a moment after. Returns 0, or 125 with a message on stderr when journalctl cannot
/// run or fails.
int print_journal_logs(const std::string& id, const journal_query& q,
                       const std::function<void()>& wait_exit);

}  // namespace ctl
