// Error codes shared by ctrd and ctrctl. The numeric values are part of the wire protocol
// (docs/protocol.md): never renumber, only append. docs/errors.md has the whole convention.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace ctrd {

/// Error codes carried in RPC error replies as {"code": <int>, "name": <str>, "message": <str>}.
enum class ec : uint8_t {
  none = 0,
  /// A request parameter or command-line value is malformed or out of range.
  invalid_argument = 1,
  /// No container matches the given name, id or id prefix.
  no_such_container = 2,
  /// The operation is not allowed in the container's current state (podman ErrCtrStateInvalid).
  invalid_state = 3,
  /// The requested container name is already taken.
  name_in_use = 4,
  /// An id prefix matches more than one container.
  ambiguous_id = 5,
  /// The container's command does not exist (podman exit 127).
  command_not_found = 6,
  /// The container's command exists but cannot be executed (podman exit 126).
  cannot_invoke = 7,
  /// Unexpected failure inside ctrd (I/O error, store failure, ...).
  internal = 8,
  /// The peer violated the wire protocol (bad frame, unknown method, missing handshake).
  protocol = 9,
  /// The daemon is shutting down and refuses new work.
  shutting_down = 10,
  /// The operation was cancelled because the container was removed meanwhile.
  removed = 11,
  /// A path inside a container (cp, stat, exec's working directory) does not exist.
  no_such_file = 12,
  /// The client may not use ctrd: neither root, ctrd's user, nor in the socket's group.
  permission_denied = 13,
  /// The file system holding ctrd's root is (nearly) full: below the free-space reserve.
  no_space = 14,
  /// No network matches the given name (docs/network.md).
  no_such_network = 15,
  /// A network resource is taken: an overlapping subnet, an allocated address, a host port.
  conflict = 16,
  /// A network is still used by containers (`network rm` without force; podman exit 2).
  network_in_use = 17,
  // Append new codes here and move last_code to the new one.
};

/// The highest code this version knows; a client maps higher (newer) codes to `internal`.
constexpr ec last_code = ec::network_in_use;

/// Stable lower-case name of an error code ("no_such_container"); "unknown" for other values.
const char* to_string(ec code);

/// The process exit code ctrctl uses for an error of this kind (podman's 125/126/127, and 2
/// for a network in use).
int exit_code_for(ec code);

/// An error with a code and a human-readable message. Thrown by CAF-free helpers (codec,
/// parsers) and turned into an RPC error reply or a ctrctl message by the caller.
class error : public std::runtime_error {
 public:
  error(ec code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ec code() const noexcept { return code_; }

 private:
  ec code_;
};

}  // namespace ctrd
