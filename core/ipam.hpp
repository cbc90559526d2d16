// IPv4 address management for ctrd's bridge networks (docs/network.md): pure functions
// over CIDR text. The network actor owns the allocations (persisted in the store) and asks
// these functions which subnet or address is free. CAF-free; table tests in
// tests/unit/ipam_test.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ctrd::ipam {

/// An IPv4 subnet: network address (host order) and prefix length.
struct subnet4 {
  uint32_t network = 0;
  int prefix = 0;

  uint32_t mask() const;
  uint32_t broadcast() const;
  bool contains(uint32_t addr) const;
  bool overlaps(const subnet4& o) const;
  std::string to_string() const;  ///< "10.89.0.0/24"
};

/// Parses dotted IPv4 text ("10.89.0.2"); nullopt if malformed.
std::optional<uint32_t> parse_ipv4(const std::string& text);

/// Formats a host-order IPv4 address.
std::string format_ipv4(uint32_t addr);

/// Parses "A.B.C.D/N" (N 8..30). Host bits set ("10.89.0.5/24") are an error, as in podman.
/// Throws ctrd::error{ec::invalid_argument} naming the text and what was wrong.
subnet4 parse_subnet(const std::string& cidr);

/// The first subnet of the given prefix (24) from 10.89.0.0 upwards (10.89.0.0/24,
/// 10.89.1.0/24, ... 10.255.255.0/24, like podman) that overlaps none of `used`.
/// Throws ctrd::error{ec::conflict} when none is left.
subnet4 free_subnet(const std::vector<subnet4>& used, int prefix = 24);

/// The default gateway of a subnet: its first host address.
uint32_t default_gateway(const subnet4& s);

/// The lowest free host address of `s`: not the network or broadcast address, not the
/// gateway, not in `taken`. Throws ctrd::error{ec::conflict} "network NAME has no free
/// address left (SUBNET)" when none is (`network` names it in the message).
uint32_t allocate(const subnet4& s, uint32_t gateway, const std::set<uint32_t>& taken,
                  const std::string& network);

/// Checks a pinned address (--ip) for network `network`: inside `s`, not its network,
/// broadcast or gateway address, not taken. Throws ctrd::error (invalid_argument for a bad
/// address, conflict "IP address 10.89.0.5 is already allocated on network NAME").
void check_static(const subnet4& s, uint32_t gateway, const std::set<uint32_t>& taken,
                  uint32_t addr, const std::string& network);

}  // namespace ctrd::ipam
