// netavark, the network stack podman 4 uses, driven by ctrd (docs/network.md): the json
// options of `netavark setup|teardown NETNS` for one container, the argv, and the parse of
// the status setup prints. CAF-free; the network actor runs the process through the host
// loop (no handler waits on it). Unit tests: tests/unit/netavark_test.cpp.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/network.hpp"

namespace ctrd::netavark {

/// Where the programs are: `netavark` and `aardvark-dns` in /usr/lib/podman (Debian), or
/// the directory of $CTRD_NETAVARK_DIR. Empty strings if missing.
struct binaries {
  std::string netavark;
  std::string aardvark;
};
binaries find_binaries();

/// One network of a container's setup: the network, the container's address on it, the
/// interface name inside the container, and its DNS aliases.
struct attachment {
  network_def network;
  std::string ip;         ///< the allocated/pinned IPv4 (static_ips)
  std::string interface;  ///< "eth0", "eth1", ...
  std::string mac;        ///< "" = netavark chooses, else its static_mac (same MAC on reload)
  std::vector<std::string> aliases;
};

/// The json netavark reads on stdin: container_id, container_name, networks (with
/// static_ips, interface_name, aliases), network_info, port_mappings (given only for the
/// first setup of the primary network; pass {} otherwise).
nlohmann::json options(const std::string& container_id, const std::string& container_name,
                       const std::vector<attachment>& nets, const std::vector<port_mapping>& ports);

/// argv of `netavark --config CONFIG_DIR [--aardvark-binary A] setup|teardown NETNS_PATH`
/// (`verb` is "setup" or "teardown"); the options go to stdin.
std::vector<std::string> argv(const binaries& b, const std::string& config_dir,
                              const std::string& verb, const std::string& netns_path);

/// Parses setup's stdout (a map network name -> {interfaces: {eth0: {mac_address, subnets:
/// [{ipnet, gateway}]}}, dns_server_ips, dns_search_domains}) into one endpoint per network.
/// Throws ctrd::error{ec::internal} quoting the text when it is not that.
std::vector<network_endpoint> parse_status(const std::string& stdout_text);

/// The message of a failed run: netavark prints {"error": "..."} on stdout or text on
/// stderr; returns the error text, else the stderr text trimmed (without netavark's
/// "failed to connect to syslog" line), else stdout trimmed, else "exit code N".
std::string failure_text(const std::string& stdout_text, const std::string& stderr_text,
                         int exit_code);

}  // namespace ctrd::netavark
