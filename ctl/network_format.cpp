#include "ctl/network_format.hpp"

#include <algorithm>
#include <regex>
#include <set>

#include "messages/error.hpp"
#include "messages/network.hpp"

namespace ctl {
namespace {

[[noreturn]] void bad(const std::string& msg) {
  throw ctrd::error(ctrd::ec::invalid_argument, msg);
}

std::string str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool flag(const json& j, const char* key, bool otherwise) {
  if (!j.is_object()) return otherwise;
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : otherwise;
}

json object_of(const json& j, const char* key) {
  if (!j.is_object()) return json::object();
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : json::object();
}

bool regex_search_safe(const std::string& text, const std::string& pattern) {
  try {
    return std::regex_search(text, std::regex(pattern));  // ECMAScript: closest to Go RE2
  } catch (const std::regex_error&) {
    return text.find(pattern) != std::string::npos;
  }
}

bool label_match(const json& labels, const std::string& want) {
  auto eq = want.find('=');
  std::string key = want.substr(0, eq);
  auto it = labels.find(key);
  if (it == labels.end()) return false;
  return eq == std::string::npos ||
         (it->is_string() && it->get<std::string>() == want.substr(eq + 1));
}

bool passes(const json& n, const std::string& key, const std::vector<std::string>& values) {
  json labels = object_of(n, "labels");
  if (key == "label") {
    for (const auto& v : values)
      if (!label_match(labels, v)) return false;
    return true;
  }
  if (key == "label!") {
    for (const auto& v : values)
      if (label_match(labels, v)) return false;
    return true;
  }
  for (const auto& v : values) {
    if (key == "name" && regex_search_safe(str(n, "name"), v)) return true;
    if (key == "id" && str(n, "id").rfind(v, 0) == 0) return true;
    if (key == "driver" && str(n, "driver") == v) return true;
  }
  return false;
}

// "80" or "8080-8081": the first port and the count (0 when it does not parse).
std::pair<int, int> port_range(const std::string& s) {
  auto dash = s.find('-');
  auto num = [](const std::string& t) {
    if (t.empty() || t.size() > 5 || t.find_first_not_of("0123456789") != std::string::npos)
      return -1;
    int v = std::stoi(t);
    return v <= 65535 ? v : -1;
  };
  int a = num(s.substr(0, dash));
  int b = dash == std::string::npos ? a : num(s.substr(dash + 1));
  if (a < 0 || b < a) return {0, 0};
  return {a, b - a + 1};
}

}  // namespace

std::vector<std::string> split_list(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::size_t pos = 0;
    for (;;) {
      auto at = v.find(',', pos);
      std::string part = v.substr(pos, at == std::string::npos ? at : at - pos);
      if (!part.empty()) out.push_back(part);
      if (at == std::string::npos) break;
      pos = at + 1;
    }
  }
  return out;
}

const char* const network_ls_format = "table {{.ID}}\t{{.Name}}\t{{.Driver}}";

json network_go_fields(const json& n) {
  json subnets = json::array();
  if (n.is_object())
    if (auto it = n.find("subnets"); it != n.end() && it->is_array())
      for (const auto& s : *it)
        subnets.push_back({{"Subnet", str(s, "subnet")}, {"Gateway", str(s, "gateway")}});
  return json{{"Name", str(n, "name")},
              {"ID", str(n, "id")},
              {"Driver", str(n, "driver")},
              {"NetworkInterface", str(n, "network_interface")},
              {"Created", str(n, "created")},
              {"Subnets", std::move(subnets)},
              {"IPv6Enabled", flag(n, "ipv6_enabled", false)},
              {"Internal", flag(n, "internal", false)},
              {"DNSEnabled", flag(n, "dns_enabled", false)},
              {"Labels", object_of(n, "labels")},
              {"Options", object_of(n, "options")},
              {"IPAMOptions", object_of(n, "ipam_options")},
              {"Containers", object_of(n, "containers")}};
}

json network_template_rows(const json& networks, bool no_trunc) {
  json rows = json::array();
  if (!networks.is_array()) return rows;
  for (const auto& n : networks) {
    json row = network_go_fields(n);
    if (!no_trunc) row["ID"] = row["ID"].get<std::string>().substr(0, 12);
    std::string labels;
    for (const auto& [k, v] : row["Labels"].items())
      labels +=
          (labels.empty() ? "" : ",") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    row["Labels"] = labels;
    rows.push_back(std::move(row));
  }
  return rows;
}

header_names network_headers() {
  header_names h;
  json sample = network_template_rows(json::array({json::object()}), false)[0];
  for (auto it = sample.begin(); it != sample.end(); ++it)
    h[it.key()] = gotmpl::header_name(it.key());
  h["ID"] = "NETWORK ID";
  return h;
}

network_filters parse_network_filters(const std::vector<std::string>& args) {
  static const std::set<std::string> keys = {"name", "id", "driver", "label", "label!"};
  network_filters out;
  for (const auto& a : args) {
    auto eq = a.find('=');
    if (eq == std::string::npos) bad("invalid filter \"" + a + "\"");
    std::string key = a.substr(0, eq);
    if (keys.count(key) == 0) bad(key + " is an invalid filter");
    out[key].push_back(a.substr(eq + 1));
  }
  return out;
}

json filter_networks(const json& networks, const network_filters& filters) {
  json out = json::array();
  if (!networks.is_array()) return out;
  for (const auto& n : networks) {
    bool ok = true;
    for (const auto& [key, values] : filters) ok = ok && passes(n, key, values);
    if (ok) out.push_back(n);
  }
  return out;
}

std::vector<std::string> prunable_networks(const json& networks, const network_filters& filters) {
  std::vector<std::string> names;
  for (const auto& n : filter_networks(networks, filters)) {
    std::string name = str(n, "name");
    if (name.empty() || name == ctrd::default_network || !object_of(n, "containers").empty())
      continue;
    names.push_back(name);
  }
  return names;
}

bool ports_listed(const json& inspect) {
  json state = object_of(inspect, "State");
  return !state.contains("Status") || str(state, "Status") == "running";
}

std::vector<published_port> published_ports(const json& inspect) {
  std::vector<published_port> out;
  if (!inspect.is_object()) return out;
  if (!ports_listed(inspect)) return out;
  json ports = object_of(object_of(inspect, "NetworkSettings"), "Ports");
  for (const auto& [key, bindings] : ports.items()) {
    auto slash = key.find('/');
    auto [port, count] = port_range(key.substr(0, slash));
    if (count != 1 || !bindings.is_array()) continue;
    std::string proto = slash == std::string::npos ? "tcp" : key.substr(slash + 1);
    for (const auto& b : bindings) {
      published_port p;
      p.container_port = port;
      p.protocol = proto;
      p.host_ip = str(b, "HostIp");
      if (p.host_ip.empty()) p.host_ip = "0.0.0.0";
      auto hp = b.is_object() ? b.find("HostPort") : b.end();
      if (b.is_object() && hp != b.end()) {
        if (hp->is_string())
          p.host_port = port_range(hp->get<std::string>()).first;
        else if (hp->is_number_integer())
          p.host_port = hp->get<int>();
      }
      out.push_back(std::move(p));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const published_port& a, const published_port& b) {
    return std::tie(a.container_port, a.protocol) < std::tie(b.container_port, b.protocol);
  });
  return out;
}

std::pair<int, std::string> parse_private_port(const std::string& text) {
  auto slash = text.find('/');
  std::string proto = slash == std::string::npos ? "tcp" : text.substr(slash + 1);
  auto [port, count] = port_range(text.substr(0, slash));
  if (count != 1 || port == 0)
    bad("invalid port \"" + text + "\": use PORT[/PROTOCOL], a port from 1 to 65535");
  if (proto != "tcp" && proto != "udp" && proto != "sctp")
    bad("invalid port \"" + text + "\": the protocol is tcp, udp or sctp");
  return {port, proto};
}

std::vector<std::string> port_lines(const std::vector<published_port>& ports,
                                    const std::string& private_port, const std::string& prefix,
                                    bool& found) {
  std::vector<std::string> lines;
  found = false;
  if (private_port.empty()) {
    for (const auto& p : ports)
      lines.push_back(prefix + std::to_string(p.container_port) + "/" + p.protocol + " -> " +
                      p.host_ip + ":" + std::to_string(p.host_port));
    return lines;
  }
  auto want = parse_private_port(private_port);
  for (const auto& p : ports) {
    if (p.container_port != want.first || p.protocol != want.second) continue;
    lines.push_back(prefix + p.host_ip + ":" + std::to_string(p.host_port));
    found = true;
    break;
  }
  return lines;
}

std::string ps_ports_text(const json& summary) {
  std::string out;
  if (!summary.is_object()) return out;
  auto it = summary.find("ports");
  if (it == summary.end() || !it->is_array()) return out;
  for (const auto& p : *it)
    if (p.is_string()) out += (out.empty() ? "" : ", ") + p.get<std::string>();
  return out;
}

std::string ps_networks_text(const json& summary) {
  std::string out;
  if (!summary.is_object()) return out;
  auto it = summary.find("networks");
  if (it == summary.end() || !it->is_array()) return out;
  for (const auto& n : *it)
    if (n.is_string()) out += (out.empty() ? "" : ",") + n.get<std::string>();
  return out;
}

json ps_ports_json(const json& summary) {
  json out = json::array();
  if (!summary.is_object()) return out;
  auto it = summary.find("ports");
  if (it == summary.end() || !it->is_array()) return out;
  for (const auto& p : *it) {
    if (!p.is_string()) continue;
    const auto& s = p.get_ref<const std::string&>();
    auto arrow = s.find("->");
    auto slash = s.rfind('/');
    if (arrow == std::string::npos || slash == std::string::npos || slash < arrow) continue;
    std::string host = s.substr(0, arrow);
    auto colon = host.rfind(':');
    std::string ip = colon == std::string::npos ? std::string() : host.substr(0, colon);
    auto [hp, hn] = port_range(colon == std::string::npos ? host : host.substr(colon + 1));
    auto [cp, cn] = port_range(s.substr(arrow + 2, slash - arrow - 2));
    if (hn == 0 || cn == 0 || hn != cn) continue;
    if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
    out.push_back({{"host_ip", ip == "0.0.0.0" ? std::string() : ip},
                   {"container_port", cp},
                   {"host_port", hp},
                   {"range", cn},
                   {"protocol", s.substr(slash + 1)}});
  }
  return out;
}

}  // namespace ctl
