// What ctrctl prints about networks (issue 15, docs/ctrctl.md "network ..." and "port"):
// podman's Go field names of a network map (docs/protocol.md "Networks"), the `network ls`
// rows, filters and table, the `port` lines from inspect's NetworkSettings.Ports, and the
// ps PORTS/Networks texts. Pure functions for the unit tests.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ctl/go_template.hpp"
#include "messages/value_codec.hpp"

namespace ctl {

using ctrd::json;

/// Repeatable values that may each be a comma-separated list (--alias, --network-alias):
/// the non-empty items, in order.
std::vector<std::string> split_list(const std::vector<std::string>& values);

/// A network map of ctrd (snake_case keys) as podman's types.Network for templates: Name,
/// ID, Driver, NetworkInterface, Created, Subnets ([{Subnet, Gateway}]), IPv6Enabled,
/// Internal, DNSEnabled, Labels (map), Options, IPAMOptions, Containers.
json network_go_fields(const json& network);

/// The objects `network ls --format` templates see: network_go_fields() with ID cut to 12
/// hex digits unless `no_trunc` and Labels as podman's "k=v,k2=v2" text.
json network_template_rows(const json& networks, bool no_trunc);

/// Header overrides of `network ls --format table`: ID -> NETWORK ID.
header_names network_headers();

/// podman's default `network ls` template ("table {{.ID}}\t{{.Name}}\t{{.Driver}}").
extern const char* const network_ls_format;

/// `network ls --filter KEY=VALUE` grouped by key: name (regular expression searched in
/// the name), id (prefix), driver, label (K or K=V), label! (none may match). The same key
/// ORs, different keys AND (label values AND, as ps). Throws ctrd::error{invalid_argument}
/// with podman's `invalid filter "x"` / `x is an invalid filter`.
using network_filters = std::map<std::string, std::vector<std::string>>;
network_filters parse_network_filters(const std::vector<std::string>& args);

/// The networks that pass every filter, in their order.
json filter_networks(const json& networks, const network_filters& filters);

/// The networks `network prune` removes: those no container uses (an empty `containers`
/// map), but never ctrd's default network, filtered like `network ls`.
std::vector<std::string> prunable_networks(const json& networks, const network_filters& filters);

/// One published port as inspect's NetworkSettings.Ports shows it.
struct published_port {
  int container_port = 0;
  std::string protocol;  ///< "tcp", "udp", "sctp"
  std::string host_ip;   ///< "0.0.0.0" when the map says ""
  int host_port = 0;
};

/// Whether `port` lists the container of this inspect map: podman lists running containers
/// only (State.Status "running"; a map without State counts as running).
bool ports_listed(const json& inspect);

/// The published ports of an inspect map (NetworkSettings.Ports: {"80/tcp": [{"HostIp",
/// "HostPort"}]}; null bindings are exposed ports without a host side and skipped), sorted
/// by container port, then protocol. None unless ports_listed().
std::vector<published_port> published_ports(const json& inspect);

/// Parses `port`'s PRIVATE[/PROTO] argument (tcp when PROTO is missing); throws
/// ctrd::error{invalid_argument} "invalid port \"x\": ...".
std::pair<int, std::string> parse_private_port(const std::string& text);

/// What `port` prints for one container: every mapping as "80/tcp -> 0.0.0.0:8080", or,
/// with `private_port` (PRIVATE[/PROTO], "" for all), the "0.0.0.0:8080" of the first
/// mapping of that port; `prefix` starts each line (`port -a`: the short id and a tab).
/// `found` tells whether `private_port` matched.
std::vector<std::string> port_lines(const std::vector<published_port>& ports,
                                    const std::string& private_port, const std::string& prefix,
                                    bool& found);

/// ps's PORTS text: the summary's `ports` strings joined by ", " ("" without any).
std::string ps_ports_text(const json& summary);

/// ps's Networks text: the summary's `networks` joined by "," (podman).
std::string ps_networks_text(const json& summary);

/// ps --format json's Ports: each "IP:HOST[-HOST2]->CTR[-CTR2]/PROTO" string of the summary
/// as podman's {"host_ip", "container_port", "host_port", "range", "protocol"}; a string
/// that does not parse is left out.
json ps_ports_json(const json& summary);

}  // namespace ctl
