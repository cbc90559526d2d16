// The network actor's inside (actors/network.hpp): its state and the steps its handlers
// are made of. network_links.cpp runs netavark for a container's links and keeps the
// attachments; network_defs.cpp keeps the networks; network.cpp is the behaviour
// (attach, detach, reload, shutdown). Not for other actors: they use network_actor.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/network.hpp"
#include "messages/network.hpp"
#include "runtime/netavark.hpp"

namespace ctrd::net {

/// One network of a container: its address and interface (part of its attachment).
struct net_link {
  std::string network, ip, interface, mac;
};

/// What is set up for one container (the store's v1/natt/<id>): the allocator's state.
struct attach_rec {
  std::string name, netns;
  std::vector<net_link> links;  ///< links[0] is the primary network (the ports go there)
  std::vector<port_mapping> ports;
  std::vector<std::string> aliases;
};

/// The stored form of an attachment, and back (throws on a malformed record).
json to_json(const attach_rec& r);
attach_rec attach_from_json(const json& j);

struct network_state {
  static inline const char* name = "network";
  network_deps d;
  netavark::binaries bin;
  std::map<std::string, network_def> nets;
  std::map<std::string, attach_rec> atts;  ///< by container id
  /// One operation at a time (see enqueue): the ones waiting, in order.
  std::map<std::string, std::deque<std::function<void()>>> waiting;
  std::set<std::string> busy;
};

// A class of its own, not an alias (docs/architecture.md, "Short type names").
using net_base = network_actor::stateful_base<network_state>;
struct net_self final : net_base {
  using net_base::net_base;
};
using net_t = net_self*;
using done_fn = std::function<void(const std::string& failure)>;

/// Runs `op` for container `container_id` once the operations before it have finished;
/// `op` calls finish() when it is done. One at a time for all containers: concurrent
/// netavark runs on one bridge race (a teardown removed the bridge another setup was
/// using), and podman serializes them with a lock too.
void enqueue(net_t self, const std::string& container_id, std::function<void()> op);
/// The operation running for `container_id` is done: the next one starts.
void finish(net_t self, const std::string& container_id);

/// Writes a record to the store (failures are logged: memory stays right, the next write
/// of the record repairs it).
void store_record(net_t self, const std::string& key, const json& value, bool durable);
/// Writes (or erases, when it has none) container `id`'s attachment.
void store_attachment(net_t self, const std::string& id);

/// Sets up links `todo` (indices) of container `id` one after the other; a failed one is
/// torn down again (netavark does not roll back) and ends the chain with its reason. With
/// `forget_failed` (new links, always the last ones), the failed link and those after it
/// are dropped from the attachment, their addresses freed. Each endpoint set up is added
/// to `endpoints` (json).
void setup_links(net_t self, const std::string& id, std::vector<std::size_t> todo,
                 std::shared_ptr<json> endpoints, bool forget_failed, done_fn done);
/// Tears down links `todo` one after the other (the last first); failures are logged and
/// the rest goes on.
void teardown_links(net_t self, const std::string& id, std::vector<std::size_t> todo,
                    std::function<void()> done);

/// The addresses taken on network `net` by every attachment.
std::set<uint32_t> taken_on(const network_state& s, const std::string& net);
/// ec::conflict when a port of `ports` is published by another container than `id` or
/// bound on the host already.
void check_ports(const network_state& s, const std::string& id,
                 const std::vector<port_mapping>& ports);

/// Adds a network from `network_create`'s params (validated, a subnet chosen); the caller
/// stores it. Throws ctrd::error.
network_def add_network(net_t self, const json& p);
/// The protocol's network map (podman's `network inspect`), with its containers.
json network_map(const network_state& s, const network_def& n);
/// The network `name` or ec::no_such_network.
const network_def& find_network(const network_state& s, const std::string& name);
/// The network_* methods that need no container (create, list, inspect, remove, exists).
caf::result<json> method(net_t self, const std::string& m, const json& p);

}  // namespace ctrd::net
