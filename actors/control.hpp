// The control socket: a keeper that owns ctrd's AF_UNIX listening socket, an acceptor broker
// on it and one session broker per connection (the brokers on the middleman's I/O thread;
// their typed interfaces are in actors/interfaces.hpp). A session (control_session.cpp)
// reassembles frames (messages/frame.hpp), decodes msgpack-RPC (messages/rpc.hpp), enforces
// the hello handshake, and turns each request into requests to the supervisor or to a
// container actor; replies and streamed output become frames again. docs/protocol.md is
// the contract.
#pragma once

#include <sys/types.h>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/interfaces.hpp"
#include "messages/value_codec.hpp"

namespace ctrd {

/// Who may talk to ctrd (docs/security.md): root, ctrd's own user, and members of `gid`
/// when `has_group`. Checked with SO_PEERCRED on every connection.
struct access_policy {
  uid_t owner = 0;
  bool has_group = false;
  gid_t gid = 0;
};

/// Binds and listens on `path` (mode 0660, given to `policy`'s owner and group before it
/// listens, so that no client ever connects to a socket with the wrong group), replacing a
/// stale socket file. The caller must hold the socket's lock (one ctrd per socket). Throws
/// ctrd::error{ec::internal} if the path cannot be bound or given away.
int open_control_socket(const std::string& path, const access_policy& policy);

/// Gives the socket file at `path` to `policy`'s owner and group (a no-op without a
/// group). Throws ctrd::error naming the group and errno.
void give_control_socket(const std::string& path, const access_policy& policy);

/// True if a peer with these credentials may use ctrd (supplementary groups of `uid` are
/// looked up with getgrouplist).
bool peer_allowed(const access_policy& policy, uid_t uid, gid_t gid);

/// Spawns the keeper (and its acceptor) on an already listening socket fd, which the keeper
/// owns. `info` is the `version` result. An exit message to the keeper ends every session,
/// then the acceptor, then the keeper.
control_keeper_actor spawn_control(caf::actor_system& sys, int listen_fd,
                                   supervisor_actor supervisor, event_bus_actor events, json info,
                                   access_policy policy);

}  // namespace ctrd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::access_policy)
