// The network flags of create/run (issue 15): --network host|none|bridge|NAME, --ip,
// -p/--publish and --network-alias, checked here as far as a client can: the -p syntax by the
// create keys' own check (messages/isolation), the network's existence and free addresses
// and ports by ctrd.
#include <arpa/inet.h>

#include <algorithm>

#include <CLI/CLI.hpp>

#include "ctl/create_flags.hpp"
#include "ctl/network_format.hpp"
#include "messages/error.hpp"
#include "messages/network.hpp"
#include "messages/refuse.hpp"

namespace ctl {
void add_network_flags(CLI::App& cmd, create_options& o) {
  cmd.add_option("--network,--net", o.network_values,
                 "Network: host (default), none (only lo), bridge (ctrd's default network) or "
                 "the name of a network (ctrctl network create); repeatable (or a,b) for more "
                 "bridge networks")
      ->allow_extra_args(false);
  cmd.add_option("--ip", o.ip, "IPv4 address of the container on its network (pinned)");
  cmd.add_option("-p,--publish", o.publish,
                 "Publish a port: [[IP:][HOST]:]CTR[/tcp|udp|sctp] (ranges A-B); needs a network")
      ->allow_extra_args(false);
  cmd.add_option("--network-alias", o.network_aliases,
                 "Extra DNS name of the container on its network (repeatable)")
      ->allow_extra_args(false);
}

std::string network_mode(const std::string& value) {
  if (value.empty() || value == "host" || value == "none" || value == "bridge") return value;
  if (value.rfind("container:", 0) == 0 || value.rfind("ns:", 0) == 0 || value == "private" ||
      value == "slirp4netns" || value == "pasta" || value.find(':') != std::string::npos ||
      !ctrd::valid_network_name(value))
    ctrd::throw_invalid("invalid network \"" + value +
                        "\": ctrd supports host, none, bridge and the names of its networks "
                        "([a-zA-Z0-9][a-zA-Z0-9_.-]*, ctrctl network ls)");
  return value;
}

void apply_network(const create_options& o, json& def) {
  auto names = split_list(o.network_values);
  if (!o.network.empty()) names.insert(names.begin(), o.network);
  std::string mode = names.empty() ? std::string() : network_mode(names.front());
  if (!mode.empty()) def["network"] = mode;
  bool bridge = !mode.empty() && mode != "host" && mode != "none";
  if (names.size() > 1) {
    json more = json::array();
    for (std::size_t i = 1; i < names.size(); ++i) {
      std::string n = network_mode(names[i]);
      if (!bridge || n == "host" || n == "none")
        ctrd::throw_invalid("invalid network \"" + n + "\" after \"" + mode +
                            "\": only bridge networks can be combined (host and none stand alone)");
      if (n != mode && std::find(more.begin(), more.end(), n) == more.end()) more.push_back(n);
    }
    if (!more.empty()) def["networks"] = std::move(more);
  }
  auto needs_bridge = [&](const std::string& what) {
    if (!bridge)
      ctrd::throw_invalid(what + " needs a bridge network: the container is on the " +
                          (mode.empty() ? std::string("host") : mode) +
                          " network (add --network bridge or --network NAME)");
  };
  if (!o.ip.empty()) {
    needs_bridge("--ip " + o.ip);
    in_addr a{};
    if (::inet_pton(AF_INET, o.ip.c_str(), &a) != 1)
      ctrd::throw_invalid("invalid IP address \"" + o.ip + "\" for --ip: ctrd's networks are IPv4");
    def["ip"] = o.ip;
  }
  if (!o.publish.empty()) {
    json ports = json::array();
    for (const auto& p : o.publish) {
      needs_bridge("-p/--publish " + p);
      if (p.empty()) ctrd::throw_invalid("invalid port \"\": use [[IP:][HOST]:]CTR[/PROTOCOL]");
      ports.push_back(p);
    }
    def["ports"] = std::move(ports);
  }
  auto aliases = split_list(o.network_aliases);
  if (!aliases.empty()) {
    needs_bridge("--network-alias " + aliases.front());
    def["network_aliases"] = aliases;
  }
}

}  // namespace ctl
