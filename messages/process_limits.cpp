#include "messages/process_limits.hpp"

#include <sys/resource.h>
#include <cerrno>
#include <cstdlib>

#include "messages/error.hpp"

namespace ctrd {
namespace {

struct known_limit {
  const char* type;
  int resource;
};

// podman's --ulimit names (docker's list).
const known_limit known[] = {
    {"as", RLIMIT_AS},           {"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},       {"fsize", RLIMIT_FSIZE},       {"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},   {"nproc", RLIMIT_NPROC},       {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},   {"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

[[noreturn]] void bad_ulimit(const std::string& text, const std::string& why) {
  throw error(ec::invalid_argument, "invalid ulimit \"" + text + "\": " + why);
}

uint64_t limit_value(const std::string& text, const std::string& v) {
  if (v == "-1" || v == "unlimited") return RLIM_INFINITY;
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos)
    bad_ulimit(text, "\"" + v + "\" is not a number (or -1 / unlimited)");
  errno = 0;
  auto n = std::strtoull(v.c_str(), nullptr, 10);
  if (errno == ERANGE || n >= RLIM_INFINITY) bad_ulimit(text, "\"" + v + "\" is too large");
  return n;
}

std::string value_text(uint64_t v) {
  return v == RLIM_INFINITY ? std::string("-1") : std::to_string(v);
}

}  // namespace

ulimit_spec parse_ulimit(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos) bad_ulimit(text, "expected type=soft[:hard], e.g. nofile=1024:2048");
  ulimit_spec u;
  u.type = text.substr(0, eq);
  bool found = false;
  for (const auto& k : known)
    if (u.type == k.type) {
      u.resource = k.resource;
      found = true;
    }
  if (!found) {
    std::string names;
    for (const auto& k : known) names += std::string(names.empty() ? "" : ", ") + k.type;
    bad_ulimit(text, "unknown type \"" + u.type + "\" (one of " + names + ")");
  }
  auto values = text.substr(eq + 1);
  auto colon = values.find(':');
  u.soft = limit_value(text, values.substr(0, colon));
  u.hard = colon == std::string::npos ? u.soft : limit_value(text, values.substr(colon + 1));
  if (u.soft > u.hard) bad_ulimit(text, "the soft limit must not be above the hard limit");
  return u;
}

std::string format_ulimit(const ulimit_spec& u) {
  return u.type + "=" + value_text(u.soft) + ":" + value_text(u.hard);
}

void process_limits_to_json(const process_limits& l, json& out) {
  json list = json::array();
  for (const auto& u : l.ulimits) list.push_back(format_ulimit(u));
  out["ulimits"] = std::move(list);
  out["oom_score_adj"] = l.oom_score_adj;
}

bool process_limits_from_key(process_limits& l, const std::string& k, const json& v) {
  if (k == "ulimits") {
    if (!v.is_array()) throw error(ec::invalid_argument, "invalid ulimits: must be an array");
    l.ulimits.clear();
    for (const auto& e : v) {
      if (!e.is_string())
        throw error(ec::invalid_argument, "invalid ulimits: every entry is a \"type=soft[:hard]\"");
      l.ulimits.push_back(parse_ulimit(e.get<std::string>()));
    }
    return true;
  }
  if (k == "oom_score_adj") {
    if (!v.is_number_integer() || v.get<int64_t>() < -1000 || v.get<int64_t>() > 1000)
      throw error(ec::invalid_argument,
                  "invalid oom_score_adj: must be an integer from -1000 to 1000");
    l.oom_score_adj = static_cast<int>(v.get<int64_t>());
    return true;
  }
  return false;
}

}  // namespace ctrd
