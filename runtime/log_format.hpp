// The per-container log file format, podman's "k8s-file" records:
//   <RFC 3339 ns UTC> <stdout|stderr> <F|P> <text>\n
// F closes a line; P marks a fragment whose line continues in the next record (a chunk
// ended without a newline). `ctrctl logs` joins fragments back together.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ctrd {

/// Appends the records for one output chunk to `out`.
void format_log_records(int64_t ts_ns, bool is_stderr, std::string_view chunk, std::string& out);

/// One parsed record.
struct log_record {
  std::string_view time;
  bool is_stderr = false;
  bool partial = false;
  std::string_view text;  ///< without the trailing newline
};

/// Parses one line (without its '\n'). Returns false for a line that is not a record.
bool parse_log_record(std::string_view line, log_record& rec);

}  // namespace ctrd
