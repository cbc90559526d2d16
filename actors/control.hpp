// The control socket: an acceptor broker over ctrd's AF_UNIX listening socket and one
// session broker per connection (all on the middleman's I/O thread). A session reassembles
// frames (messages/frame.hpp), decodes msgpack-RPC (messages/rpc.hpp), enforces the hello
// handshake, and turns each request into requests to the supervisor or to a container
// actor; replies and streamed output become frames again. docs/protocol.md is the contract.
#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "messages/value_codec.hpp"

namespace ctrd {

/// Binds and listens on `path` (mode 0660), replacing a stale socket file. Throws
/// ctrd::error{ec::internal} if the path is served by a live ctrd or cannot be bound.
int open_control_socket(const std::string& path);

/// Spawns the acceptor on an already listening socket fd. `info` is the `version` result.
caf::actor spawn_control(caf::actor_system& sys, int listen_fd, caf::actor supervisor,
                         caf::actor events, json info);

}  // namespace ctrd
