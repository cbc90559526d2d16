#include "messages/handshake.hpp"

#include <algorithm>
#include <cstdio>

#include "messages/error.hpp"

namespace ctrd {
namespace {

std::string range_text(protocol_range r) {
  return r.min == r.max ? std::to_string(r.max)
                        : std::to_string(r.min) + "-" + std::to_string(r.max);
}

std::string advice(const std::string& client_name, protocol_range client, protocol_range daemon,
                   bool upgrade_client) {
  return client_name + " speaks protocol " + range_text(client) + ", ctrd speaks " +
         range_text(daemon) + ": upgrade " + (upgrade_client ? client_name : "ctrd");
}

int int_field(const json& p, const char* key, int fallback) {
  auto it = p.find(key);
  if (it == p.end()) return fallback;
  if (!it->is_number_integer())
    throw error(ec::protocol, std::string("hello needs an integer \"") + key + "\"");
  auto v = it->get<int64_t>();
  return static_cast<int>(std::clamp<int64_t>(v, -1, 1 << 20));
}

}  // namespace

protocol_agreement negotiate_protocol(protocol_range client, protocol_range daemon,
                                      const std::string& client_name) {
  protocol_agreement a;
  if (client.max < client.min) client.max = client.min;
  if (client.max < daemon.min)
    a.message = advice(client_name, client, daemon, true);
  else if (client.min > daemon.max)
    a.message = advice(client_name, client, daemon, false);
  else
    a.version = std::min(client.max, daemon.max);
  return a;
}

protocol_range hello_client_range(const json& params) {
  if (!params.contains("version")) throw error(ec::protocol, "hello needs an integer \"version\"");
  protocol_range r;
  r.min = int_field(params, "version", 0);
  r.max = int_field(params, "max_version", r.min);
  return r;
}

std::string hello_client_name(const json& params) {
  auto it = params.find("client");
  if (it != params.end() && it->is_string() && !it->get_ref<const std::string&>().empty() &&
      it->get_ref<const std::string&>().size() <= 64)
    return it->get<std::string>();
  return "the client";
}

std::string check_hello_result(const json& result, protocol_range ours,
                               const std::string& client_name) {
  auto v = result.find("version");
  if (v == result.end() || !v->is_number_integer())
    return "ctrd answered the handshake without a protocol version";
  int agreed = static_cast<int>(std::clamp<int64_t>(v->get<int64_t>(), -1, 1 << 20));
  if (agreed >= ours.min && agreed <= ours.max) return "";
  protocol_range daemon{agreed, agreed};
  if (auto mn = result.find("min_version"); mn != result.end() && mn->is_number_integer())
    daemon.min = static_cast<int>(std::clamp<int64_t>(mn->get<int64_t>(), -1, 1 << 20));
  if (auto mx = result.find("max_version"); mx != result.end() && mx->is_number_integer())
    daemon.max = static_cast<int>(std::clamp<int64_t>(mx->get<int64_t>(), -1, 1 << 20));
  return advice(client_name, ours, daemon, agreed > ours.max);
}

std::string explain_hello_refusal(const std::string& message, protocol_range ours,
                                  const std::string& client_name) {
  int client = 0, daemon = 0;
  // ctrd 0.1's refusal: it speaks exactly `daemon`.
  if (std::sscanf(message.c_str(), "protocol version mismatch: client speaks %d, ctrd speaks %d",
                  &client, &daemon) == 2)
    return advice(client_name, ours, {daemon, daemon}, daemon > ours.max);
  return message;
}

}  // namespace ctrd
