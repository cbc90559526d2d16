#include "core/ipam.hpp"

#include <algorithm>

#include "messages/error.hpp"

namespace ctrd::ipam {

namespace {

// 10.89.0.0 .. 10.255.255.255: where free_subnet looks, as podman does.
constexpr uint32_t pool_first = (10u << 24) | (89u << 16);
constexpr uint32_t pool_last = (10u << 24) | 0x00ffffffu;

uint32_t mask_of(int prefix) {
  return prefix <= 0 ? 0u : prefix >= 32 ? 0xffffffffu : ~0u << (32 - prefix);
}

}  // namespace

uint32_t subnet4::mask() const {
  return mask_of(prefix);
}

uint32_t subnet4::broadcast() const {
  return network | ~mask();
}

bool subnet4::contains(uint32_t addr) const {
  return (addr & mask()) == network;
}

bool subnet4::overlaps(const subnet4& o) const {
  return contains(o.network) || o.contains(network);
}

std::string subnet4::to_string() const {
  return format_ipv4(network) + "/" + std::to_string(prefix);
}

std::optional<uint32_t> parse_ipv4(const std::string& text) {
  uint32_t addr = 0;
  std::size_t pos = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (pos >= text.size() || text[pos] != '.') return std::nullopt;
      ++pos;
    }
    std::size_t start = pos;
    uint32_t value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 3) {
      value = value * 10 + static_cast<uint32_t>(text[pos] - '0');
      ++pos;
    }
    std::size_t len = pos - start;
    // No digits, more than three, a leading zero ("010", as Go's net.ParseIP) or > 255.
    if (len == 0 || (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ||
        (len > 1 && text[start] == '0') || value > 255)
      return std::nullopt;
    addr = (addr << 8) | value;
  }
  if (pos != text.size()) return std::nullopt;
  return addr;
}

std::string format_ipv4(uint32_t addr) {
  return std::to_string(addr >> 24) + "." + std::to_string((addr >> 16) & 0xff) + "." +
         std::to_string((addr >> 8) & 0xff) + "." + std::to_string(addr & 0xff);
}

subnet4 parse_subnet(const std::string& cidr) {
  auto bad = [&](const std::string& why) -> error {
    return error(ec::invalid_argument, "invalid subnet \"" + cidr + "\": " + why);
  };
  auto slash = cidr.find('/');
  if (slash == std::string::npos) throw bad("expected an IPv4 CIDR A.B.C.D/N");
  auto addr = parse_ipv4(cidr.substr(0, slash));
  if (!addr) throw bad("\"" + cidr.substr(0, slash) + "\" is not an IPv4 address");
  std::string len = cidr.substr(slash + 1);
  if (len.empty() || len.size() > 2 || len.find_first_not_of("0123456789") != std::string::npos)
    throw bad("the prefix length must be a number 8-30");
  int prefix = std::stoi(len);
  if (prefix < 8 || prefix > 30) throw bad("the prefix length must be 8-30");
  subnet4 s{*addr & mask_of(prefix), prefix};
  if (s.network != *addr) throw bad("host bits are set (did you mean " + s.to_string() + "?)");
  return s;
}

subnet4 free_subnet(const std::vector<subnet4>& used, int prefix) {
  if (prefix < 8 || prefix > 30)
    throw error(ec::invalid_argument,
                "invalid subnet prefix length " + std::to_string(prefix) + ": must be 8-30");
  const uint64_t size = uint64_t{1} << (32 - prefix);
  // The first aligned candidate at or above 10.89.0.0.
  uint64_t cand = (uint64_t{pool_first} + size - 1) / size * size;
  while (cand + size - 1 <= pool_last) {
    subnet4 s{static_cast<uint32_t>(cand), prefix};
    const subnet4* hit = nullptr;
    for (const auto& u : used)
      if (s.overlaps(u)) {
        hit = &u;
        break;
      }
    if (!hit) return s;
    // Jump past whichever is larger, the candidate or the used subnet, staying aligned.
    uint64_t end = std::max(uint64_t{hit->broadcast()}, uint64_t{s.broadcast()}) + 1;
    cand = (end + size - 1) / size * size;
  }
  throw error(ec::conflict, "no free /" + std::to_string(prefix) +
                                " subnet left in 10.89.0.0-10.255.255.255: every one "
                                "overlaps an existing network (give --subnet)");
}

uint32_t default_gateway(const subnet4& s) {
  return s.network + 1;
}

uint32_t allocate(const subnet4& s, uint32_t gateway, const std::set<uint32_t>& taken,
                  const std::string& network) {
  if (s.prefix <= 30) {  // a /31 or /32 has no host address besides its ends
    const uint32_t last = s.broadcast() - 1;
    auto it = taken.lower_bound(s.network + 1);
    for (uint64_t a = uint64_t{s.network} + 1; a <= last; ++a) {
      auto cand = static_cast<uint32_t>(a);
      if (cand == gateway) continue;
      while (it != taken.end() && *it < cand) ++it;
      if (it != taken.end() && *it == cand) continue;
      return cand;
    }
  }
  throw error(ec::conflict,
              "network " + network + " has no free address left (" + s.to_string() + ")");
}

void check_static(const subnet4& s, uint32_t gateway, const std::set<uint32_t>& taken,
                  uint32_t addr, const std::string& network) {
  std::string ip = "IP address " + format_ipv4(addr);
  if (!s.contains(addr))
    throw error(ec::invalid_argument,
                ip + " is not in the subnet " + s.to_string() + " of network " + network);
  if (addr == s.network)
    throw error(ec::invalid_argument,
                ip + " is the network address of " + s.to_string() + " (network " + network + ")");
  if (addr == s.broadcast())
    throw error(ec::invalid_argument, ip + " is the broadcast address of " + s.to_string() +
                                          " (network " + network + ")");
  if (addr == gateway)
    throw error(ec::invalid_argument, ip + " is the gateway of network " + network);
  if (taken.count(addr) != 0)
    throw error(ec::conflict, ip + " is already allocated on network " + network);
}

}  // namespace ctrd::ipam
