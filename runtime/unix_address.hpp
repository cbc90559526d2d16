// The address of a unix socket named by a file system path: one length check for every
// socket ctrd and ctrctl bind or connect to (the control socket, a container's notify
// socket, the journal, the service watchdog's self-check).
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <string>

namespace ctrd {

/// Fills `addr` for `path` (AF_UNIX, the path with its NUL). False, with `addr` cleared,
/// when the path is empty or longer than sun_path holds (107 bytes on Linux).
bool unix_address(const std::string& path, sockaddr_un& addr);

/// The longest path unix_address() takes.
constexpr std::size_t unix_path_max = sizeof(sockaddr_un::sun_path) - 1;

}  // namespace ctrd
