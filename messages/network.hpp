// The wire vocabulary of networks (issue 15, docs/network.md): a bridge network's
// definition, a published port, and what a container asks of its networks. CAF-free; the
// json forms are the protocol's maps (docs/protocol.md "Networks") and the store's records.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ctrd {

using json = nlohmann::json;

/// A bridge network managed by ctrd (netavark's "network_info" plus ctrd's bookkeeping).
struct network_def {
  std::string name;  ///< user's name, [a-zA-Z0-9][a-zA-Z0-9_.-]*
  std::string id;    ///< 64 hex digits
  std::string driver = "bridge";
  std::string interface_name;  ///< the host bridge ("ctrd0", "ctrd1", ...)
  std::string subnet;          ///< IPv4 CIDR, network address ("10.89.0.0/24")
  std::string gateway;         ///< IPv4 address inside subnet (the bridge's address)
  bool internal = false;       ///< no NAT to the outside
  bool dns_enabled = true;     ///< aardvark-dns resolves container names on it
  int64_t created_ns = 0;      ///< wall clock, ns since the epoch
  std::map<std::string, std::string> labels;

  bool operator==(const network_def& o) const;
};

/// One published port (podman's -p [IP:][HOST:]CTR[/PROTO], netavark's port_mappings).
struct port_mapping {
  std::string host_ip;  ///< "" = every address
  uint16_t host_port = 0;
  uint16_t container_port = 0;
  std::string protocol = "tcp";  ///< "tcp", "udp" or "sctp"
  uint16_t range = 1;            ///< consecutive ports from host_port/container_port

  bool operator==(const port_mapping& o) const;
};

/// The networks a container joins and what it asks of them (part of its config).
struct network_request {
  std::vector<std::string> networks;  ///< bridge networks by name, first = primary
  std::string static_ip;              ///< --ip: pinned IPv4 on the primary network ("" = any)
  std::vector<port_mapping> ports;    ///< -p, on the primary network
  std::vector<std::string> aliases;   ///< extra DNS names (the name is always one)

  bool empty() const { return networks.empty(); }
  bool operator==(const network_request& o) const;
};

/// What the setup of one network gave a container (kept in its status, shown by inspect).
struct network_endpoint {
  std::string network;    ///< its name
  std::string interface;  ///< in the container ("eth0", "eth1", ...)
  std::string ip;         ///< IPv4 address, no prefix
  int prefix_len = 0;
  std::string gateway;
  std::string mac;
  std::vector<std::string> dns_servers;  ///< aardvark-dns's addresses ("" none)
  std::vector<std::string> dns_search;   ///< e.g. "dns.podman"

  bool operator==(const network_endpoint& o) const;
};

json to_json(const network_def& n);
network_def network_def_from_json(const json& j);  ///< throws ctrd::error (invalid_argument)
json to_json(const port_mapping& p);
port_mapping port_mapping_from_json(const json& j);  ///< throws ctrd::error (invalid_argument)
json to_json(const network_endpoint& e);
network_endpoint network_endpoint_from_json(const json& j);

/// "0.0.0.0:8080->80/tcp" (podman's ps PORTS form; ranges as "8080-8081->80-81/tcp").
std::string format_port(const port_mapping& p);

/// Parses podman's -p/--publish syntax: [[IP:][HOST]:]CTR[/PROTO], with HOST and CTR
/// ports or equal-length ranges "A-B"; a missing HOST means the same number as CTR.
/// Throws ctrd::error{ec::invalid_argument} naming what was wrong.
port_mapping parse_port_spec(const std::string& text);

/// A network name is valid ([a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 64 characters) and is not
/// one of the modes ("host", "none", "bridge", "private", "slirp4netns", "pasta").
bool valid_network_name(const std::string& name);

/// The name of ctrd's default bridge network (`--network bridge` joins it; created on
/// first use with 10.88.0.0/16).
inline constexpr const char* default_network = "ctrd";

}  // namespace ctrd
