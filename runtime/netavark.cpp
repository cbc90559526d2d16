#include "runtime/netavark.hpp"

#include <unistd.h>

#include <cstdlib>

#include "messages/error.hpp"

namespace ctrd::netavark {

namespace {

std::string executable(const std::string& dir, const char* name) {
  std::string path = dir + "/" + name;
  return ::access(path.c_str(), X_OK) == 0 ? path : std::string();
}

// At most `n` bytes of `text`, for error messages quoting a program's output.
std::string excerpt(const std::string& text, std::size_t n = 300) {
  return text.size() <= n ? text : text.substr(0, n) + "...";
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

binaries find_binaries() {
  const char* env = std::getenv("CTRD_NETAVARK_DIR");
  std::string dir = env != nullptr && *env != '\0' ? env : "/usr/lib/podman";
  return {executable(dir, "netavark"), executable(dir, "aardvark-dns")};
}

nlohmann::json options(const std::string& container_id, const std::string& container_name,
                       const std::vector<attachment>& nets,
                       const std::vector<port_mapping>& ports) {
  json networks = json::object();
  json info = json::object();
  for (const auto& a : nets) {
    const network_def& n = a.network;
    json per{{"interface_name", a.interface}};
    if (!a.ip.empty()) per["static_ips"] = json::array({a.ip});
    if (!a.mac.empty()) per["static_mac"] = a.mac;
    if (!a.aliases.empty()) per["aliases"] = a.aliases;
    networks[n.name] = std::move(per);
    json subnet{{"subnet", n.subnet}};
    if (!n.gateway.empty()) subnet["gateway"] = n.gateway;
    info[n.name] = json{{"dns_enabled", n.dns_enabled},
                        {"driver", n.driver},
                        {"id", n.id},
                        {"internal", n.internal},
                        {"ipv6_enabled", false},
                        {"name", n.name},
                        {"network_interface", n.interface_name},
                        {"subnets", json::array({subnet})}};
  }
  json j{{"container_id", container_id},
         {"container_name", container_name},
         {"networks", std::move(networks)},
         {"network_info", std::move(info)}};
  if (!ports.empty()) {
    json pm = json::array();
    for (const auto& p : ports) pm.push_back(to_json(p));
    j["port_mappings"] = std::move(pm);
  }
  return j;
}

std::vector<std::string> argv(const binaries& b, const std::string& config_dir,
                              const std::string& verb, const std::string& netns_path) {
  std::vector<std::string> args{b.netavark, "--config", config_dir};
  if (!b.aardvark.empty()) {
    args.emplace_back("--aardvark-binary");
    args.push_back(b.aardvark);
  }
  args.push_back(verb);
  args.push_back(netns_path);
  return args;
}

namespace {

[[noreturn]] void bad_status(const std::string& text, const std::string& why) {
  throw error(ec::internal,
              "unexpected output of netavark setup (" + why + "): " + excerpt(trim(text)));
}

std::vector<std::string> strings(const json& j, const char* key, const std::string& text) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) bad_status(text, std::string(key) + " is not an array");
  for (const auto& v : *it) {
    if (!v.is_string()) bad_status(text, std::string(key) + " holds a non-string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::string string_at(const json& j, const char* key, const std::string& text) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_string()) bad_status(text, std::string(key) + " is not a string");
  return it->get<std::string>();
}

}  // namespace

std::vector<network_endpoint> parse_status(const std::string& stdout_text) {
  json j = json::parse(stdout_text, nullptr, false);
  if (j.is_discarded()) bad_status(stdout_text, "not json");
  if (!j.is_object()) bad_status(stdout_text, "not a map");
  std::vector<network_endpoint> out;
  for (const auto& [name, block] : j.items()) {
    if (!block.is_object()) bad_status(stdout_text, "network " + name + " is not a map");
    auto ifs = block.find("interfaces");
    if (ifs == block.end() || !ifs->is_object() || ifs->empty())
      bad_status(stdout_text, "network " + name + " has no interface");
    auto first = ifs->begin();  // one interface per network
    const std::string ifname = first.key();
    const json& iface = first.value();
    if (!iface.is_object()) bad_status(stdout_text, "interface " + ifname + " is not a map");
    network_endpoint e;
    e.network = name;
    e.interface = ifname;
    e.mac = string_at(iface, "mac_address", stdout_text);
    auto subnets = iface.find("subnets");
    if (subnets != iface.end() && !subnets->is_null()) {
      if (!subnets->is_array()) bad_status(stdout_text, "subnets is not an array");
      for (const auto& s : *subnets) {
        if (!s.is_object()) bad_status(stdout_text, "a subnet is not a map");
        std::string ipnet = string_at(s, "ipnet", stdout_text);
        auto slash = ipnet.find('/');
        if (slash == std::string::npos || ipnet.find(':') != std::string::npos)
          continue;  // IPv6 (not used by ctrd) or malformed: look for the IPv4 one
        std::string len = ipnet.substr(slash + 1);
        if (len.empty() || len.size() > 2 ||
            len.find_first_not_of("0123456789") != std::string::npos || std::stoi(len) > 32)
          bad_status(stdout_text, "bad ipnet \"" + ipnet + "\"");
        e.ip = ipnet.substr(0, slash);
        e.prefix_len = std::stoi(len);
        e.gateway = string_at(s, "gateway", stdout_text);
        break;
      }
    }
    if (e.ip.empty()) bad_status(stdout_text, "network " + name + " has no IPv4 address");
    e.dns_servers = strings(block, "dns_server_ips", stdout_text);
    e.dns_search = strings(block, "dns_search_domains", stdout_text);
    out.push_back(std::move(e));
  }
  if (out.empty()) bad_status(stdout_text, "no network");
  return out;
}

std::string failure_text(const std::string& stdout_text, const std::string& stderr_text,
                         int exit_code) {
  json j = json::parse(stdout_text, nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    auto it = j.find("error");
    if (it != j.end() && it->is_string() && !it->get<std::string>().empty())
      return it->get<std::string>();
  }
  // stderr without netavark's noise about a missing syslog.
  std::string kept;
  std::size_t start = 0;
  while (start < stderr_text.size()) {
    auto nl = stderr_text.find('\n', start);
    std::string line = stderr_text.substr(start, nl == std::string::npos ? nl : nl - start);
    start = nl == std::string::npos ? stderr_text.size() : nl + 1;
    if (line.rfind("failed to connect to syslog", 0) == 0) continue;
    if (trim(line).empty()) continue;
    if (!kept.empty()) kept += "\n";
    kept += line;
  }
  kept = trim(kept);
  if (!kept.empty()) return excerpt(kept, 2000);
  std::string out = trim(stdout_text);
  if (!out.empty()) return excerpt(out, 2000);
  return "exit code " + std::to_string(exit_code);
}

}  // namespace ctrd::netavark
