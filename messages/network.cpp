#include "messages/network.hpp"

#include <cstddef>

#include "messages/error.hpp"

namespace ctrd {

bool network_def::operator==(const network_def& o) const {
  return name == o.name && id == o.id && driver == o.driver && interface_name == o.interface_name &&
         subnet == o.subnet && gateway == o.gateway && internal == o.internal &&
         dns_enabled == o.dns_enabled && created_ns == o.created_ns && labels == o.labels;
}

bool port_mapping::operator==(const port_mapping& o) const {
  return host_ip == o.host_ip && host_port == o.host_port && container_port == o.container_port &&
         protocol == o.protocol && range == o.range;
}

bool network_request::operator==(const network_request& o) const {
  return networks == o.networks && static_ip == o.static_ip && ports == o.ports &&
         aliases == o.aliases;
}

bool network_endpoint::operator==(const network_endpoint& o) const {
  return network == o.network && interface == o.interface && ip == o.ip &&
         prefix_len == o.prefix_len && gateway == o.gateway && mac == o.mac &&
         dns_servers == o.dns_servers && dns_search == o.dns_search;
}

namespace {

// Typed field readers for the from_json functions: a missing key keeps the default, a
// value of the wrong type is an invalid_argument naming the record and the key.

[[noreturn]] void bad_field(const char* what, const char* key, const char* expected) {
  throw error(ec::invalid_argument,
              std::string(what) + ": field \"" + key + "\" must be " + expected);
}

void require_object(const json& j, const char* what) {
  if (!j.is_object()) throw error(ec::invalid_argument, std::string(what) + " must be a map");
}

void read(const json& j, const char* what, const char* key, std::string& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  if (!it->is_string()) bad_field(what, key, "a string");
  out = it->get<std::string>();
}

void read(const json& j, const char* what, const char* key, bool& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  if (!it->is_boolean()) bad_field(what, key, "a boolean");
  out = it->get<bool>();
}

int64_t read_int(const json& j, const char* what, const char* key, int64_t lo, int64_t hi,
                 int64_t dflt) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return dflt;
  if (!it->is_number_integer()) bad_field(what, key, "an integer");
  if (it->is_number_unsigned()) {
    auto u = it->get<uint64_t>();
    if (u > static_cast<uint64_t>(hi)) bad_field(what, key, "in range");
    return static_cast<int64_t>(u);
  }
  auto v = it->get<int64_t>();
  if (v < lo || v > hi) bad_field(what, key, "in range");
  return v;
}

void read(const json& j, const char* what, const char* key, std::vector<std::string>& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  if (!it->is_array()) bad_field(what, key, "an array of strings");
  out.clear();
  for (const auto& v : *it) {
    if (!v.is_string()) bad_field(what, key, "an array of strings");
    out.push_back(v.get<std::string>());
  }
}

void read(const json& j, const char* what, const char* key,
          std::map<std::string, std::string>& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  if (!it->is_object()) bad_field(what, key, "a map of strings");
  out.clear();
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) bad_field(what, key, "a map of strings");
    out.emplace(k, v.get<std::string>());
  }
}

bool valid_protocol(const std::string& p) {
  return p == "tcp" || p == "udp" || p == "sctp";
}

}  // namespace

json to_json(const network_def& n) {
  return json{{"name", n.name},
              {"id", n.id},
              {"driver", n.driver},
              {"interface_name", n.interface_name},
              {"subnet", n.subnet},
              {"gateway", n.gateway},
              {"internal", n.internal},
              {"dns_enabled", n.dns_enabled},
              {"created_ns", n.created_ns},
              {"labels", n.labels}};
}

network_def network_def_from_json(const json& j) {
  const char* what = "network";
  require_object(j, what);
  network_def n;
  read(j, what, "name", n.name);
  read(j, what, "id", n.id);
  read(j, what, "driver", n.driver);
  read(j, what, "interface_name", n.interface_name);
  read(j, what, "subnet", n.subnet);
  read(j, what, "gateway", n.gateway);
  read(j, what, "internal", n.internal);
  read(j, what, "dns_enabled", n.dns_enabled);
  n.created_ns = read_int(j, what, "created_ns", INT64_MIN, INT64_MAX, 0);
  read(j, what, "labels", n.labels);
  if (n.name.empty()) throw error(ec::invalid_argument, "network: field \"name\" is missing");
  return n;
}

json to_json(const port_mapping& p) {
  return json{{"host_ip", p.host_ip},
              {"host_port", p.host_port},
              {"container_port", p.container_port},
              {"protocol", p.protocol},
              {"range", p.range}};
}

port_mapping port_mapping_from_json(const json& j) {
  const char* what = "port mapping";
  require_object(j, what);
  port_mapping p;
  read(j, what, "host_ip", p.host_ip);
  p.host_port = static_cast<uint16_t>(read_int(j, what, "host_port", 0, 65535, 0));
  p.container_port = static_cast<uint16_t>(read_int(j, what, "container_port", 1, 65535, 0));
  read(j, what, "protocol", p.protocol);
  p.range = static_cast<uint16_t>(read_int(j, what, "range", 1, 65535, 1));
  if (p.container_port == 0) bad_field(what, "container_port", "a port 1-65535");
  if (!valid_protocol(p.protocol)) bad_field(what, "protocol", "tcp, udp or sctp");
  if (p.container_port + p.range - 1 > 65535 || p.host_port + p.range - 1 > 65535)
    bad_field(what, "range", "a count that stays below port 65536");
  return p;
}

json to_json(const network_endpoint& e) {
  return json{{"network", e.network},         {"interface", e.interface},  {"ip", e.ip},
              {"prefix_len", e.prefix_len},   {"gateway", e.gateway},      {"mac", e.mac},
              {"dns_servers", e.dns_servers}, {"dns_search", e.dns_search}};
}

network_endpoint network_endpoint_from_json(const json& j) {
  const char* what = "network endpoint";
  require_object(j, what);
  network_endpoint e;
  read(j, what, "network", e.network);
  read(j, what, "interface", e.interface);
  read(j, what, "ip", e.ip);
  e.prefix_len = static_cast<int>(read_int(j, what, "prefix_len", 0, 32, 0));
  read(j, what, "gateway", e.gateway);
  read(j, what, "mac", e.mac);
  read(j, what, "dns_servers", e.dns_servers);
  read(j, what, "dns_search", e.dns_search);
  return e;
}

namespace {

std::string port_range_text(uint16_t first, uint16_t count) {
  std::string s = std::to_string(first);
  if (count > 1) s += "-" + std::to_string(first + count - 1);
  return s;
}

}  // namespace

std::string format_port(const port_mapping& p) {
  uint16_t count = p.range == 0 ? 1 : p.range;
  return (p.host_ip.empty() ? std::string("0.0.0.0") : p.host_ip) + ":" +
         port_range_text(p.host_port, count) + "->" + port_range_text(p.container_port, count) +
         "/" + p.protocol;
}

namespace {

// A first port and a count ("8080" -> {8080, 1}; "8080-8081" -> {8080, 2}).
struct port_span {
  uint16_t first = 0;
  uint16_t count = 1;
};

[[noreturn]] void bad_port(const std::string& text, const std::string& why) {
  throw error(ec::invalid_argument, "invalid port \"" + text + "\": " + why);
}

uint16_t parse_port_number(const std::string& spec, const std::string& text) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos)
    bad_port(spec, "\"" + text + "\" is not a port number (1-65535)");
  unsigned long v = std::stoul(text);
  if (v < 1 || v > 65535) bad_port(spec, "\"" + text + "\" is not a port number (1-65535)");
  return static_cast<uint16_t>(v);
}

port_span parse_span(const std::string& spec, const std::string& text, const char* which) {
  if (text.empty()) bad_port(spec, std::string(which) + " port is missing");
  auto dash = text.find('-');
  if (dash == std::string::npos) return {parse_port_number(spec, text), 1};
  uint16_t a = parse_port_number(spec, text.substr(0, dash));
  uint16_t b = parse_port_number(spec, text.substr(dash + 1));
  if (b < a) bad_port(spec, "range \"" + text + "\" ends before it starts");
  return {a, static_cast<uint16_t>(b - a + 1)};
}

// Dotted-quad IPv4 text: four decimal parts 0-255 without leading zeros.
bool is_ipv4(const std::string& text) {
  std::size_t pos = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (pos >= text.size() || text[pos] != '.') return false;
      ++pos;
    }
    std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 4) ++pos;
    std::size_t len = pos - start;
    if (len == 0 || len > 3 || (len > 1 && text[start] == '0')) return false;
    if (std::stoi(text.substr(start, len)) > 255) return false;
  }
  return pos == text.size();
}

}  // namespace

port_mapping parse_port_spec(const std::string& text) {
  if (text.empty()) bad_port(text, "empty (expected [[IP:][HOST]:]CTR[/PROTO])");
  if (text.find('[') != std::string::npos || text.find(']') != std::string::npos)
    bad_port(text, "IPv6 host addresses are not supported (IPv4 only)");
  port_mapping p;
  std::string rest = text;
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    p.protocol = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!valid_protocol(p.protocol))
      bad_port(text, "protocol \"" + p.protocol + "\" is not one of tcp, udp, sctp");
  }
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    auto colon = rest.find(':', start);
    parts.push_back(rest.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() > 3) bad_port(text, "too many colons (expected [[IP:][HOST]:]CTR[/PROTO])");
  std::string host_ip = parts.size() == 3 ? parts[0] : "";
  std::string host = parts.size() >= 2 ? parts[parts.size() - 2] : "";
  if (!host_ip.empty() && !is_ipv4(host_ip))
    bad_port(text, "host IP \"" + host_ip + "\" is not an IPv4 address");
  port_span ctr = parse_span(text, parts.back(), "container");
  port_span hst = host.empty() ? ctr : parse_span(text, host, "host");
  if (hst.count != ctr.count)
    bad_port(text, "host and container port ranges have different lengths (" +
                       std::to_string(hst.count) + " vs " + std::to_string(ctr.count) + ")");
  p.host_ip = host_ip == "0.0.0.0" ? "" : host_ip;
  p.host_port = hst.first;
  p.container_port = ctr.first;
  p.range = ctr.count;
  return p;
}

bool valid_network_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  static const char* const modes[] = {"host", "none", "bridge", "private", "slirp4netns", "pasta"};
  for (const char* m : modes)
    if (name == m) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name[0])) return false;
  for (char c : name)
    if (!alnum(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

}  // namespace ctrd
