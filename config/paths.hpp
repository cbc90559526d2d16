// Where ctrd keeps its state and its socket by default (docs/ctrd.md, "Files").
#pragma once

#include <string>

namespace ctrd {

/// Default state root: /var/lib/ctrd for root; otherwise $XDG_DATA_HOME/ctrd, or
/// ~/.local/share/ctrd.
std::string default_root_dir();

/// Default socket: /run/ctrd/ctrd.sock for root; otherwise $XDG_RUNTIME_DIR/ctrd/ctrd.sock,
/// or /tmp/ctrd-<uid>/ctrd.sock when XDG_RUNTIME_DIR is unset.
std::string default_socket_path();

/// The socket a client should use: `explicit_path` if non-empty, else $CTRD_SOCKET if set,
/// else default_socket_path().
std::string resolve_socket_path(const std::string& explicit_path);

/// The directory of the running executable (/proc/self/exe), where its helpers live
/// (ctrd-tar next to ctrd, ctrctl-cp next to ctrctl); "." when it cannot be read.
std::string own_executable_dir();

}  // namespace ctrd
