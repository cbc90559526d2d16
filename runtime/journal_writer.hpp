// The `journald` log driver: a container's output as journal entries, sent with the
// journal's native protocol (one AF_UNIX datagram per entry to /run/systemd/journal/socket,
// systemd.io/JOURNAL_NATIVE_PROTOCOL), written by hand as sd_notify is: libsystemd would
// add five libraries to the daemon's closure for these few lines.
//
// Each line is one entry with podman's fields: MESSAGE, PRIORITY (6 stdout, 3 stderr),
// CONTAINER_ID, CONTAINER_ID_FULL, CONTAINER_NAME, SYSLOG_IDENTIFIER (the name); a line
// that a chunk ended without its newline is sent as it is with CONTAINER_PARTIAL_MESSAGE=true
// (podman's journald driver does the same). Sending never blocks: when the journal is
// busy (its socket buffer full) or absent, the entry is dropped and counted, as a failing
// log file write is (append_result). `ctrctl logs` reads such a container with journalctl.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/log_file.hpp"

namespace ctrd {

/// The journal's socket: $CTRD_JOURNAL_SOCKET when set (tests), else systemd's.
std::string journal_socket_path();

/// Encodes one field in the native protocol: "KEY=value\n", or, for a value holding a
/// newline, "KEY\n" + its length (64-bit little endian) + value + "\n".
void append_journal_field(std::string& out, std::string_view key, std::string_view value);

class journal_writer {
 public:
  /// `id`: the container's full id; `name`: its name. Opens nothing yet.
  journal_writer(std::string socket_path, std::string id, std::string name);
  ~journal_writer();
  journal_writer(const journal_writer&) = delete;
  journal_writer& operator=(const journal_writer&) = delete;

  /// Sends the lines of one output chunk, one entry each. `ok` when every entry was sent.
  append_result append(bool is_stderr, std::string_view chunk);
  /// Entries dropped so far (journal absent or busy).
  uint64_t errors() const { return errors_; }
  /// The most recent error ("" if none).
  const std::string& last_error() const { return last_error_; }

 private:
  bool send_entry(bool is_stderr, std::string_view line, bool partial);
  /// Opens the datagram socket connected to the journal; false (last_error_ set) if not.
  bool connect_socket();

  std::string path_, id_, name_;
  int fd_ = -1;
  bool failing_ = false;
  uint64_t errors_ = 0;
  std::string last_error_;
  std::string buf_;
};

}  // namespace ctrd
