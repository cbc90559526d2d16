#include "messages/restart_policy.hpp"

#include "messages/error.hpp"

namespace ctrd {

const char* to_string(restart_kind k) {
  switch (k) {
    case restart_kind::no:
      return "no";
    case restart_kind::on_failure:
      return "on-failure";
    case restart_kind::always:
      return "always";
    case restart_kind::unless_stopped:
      return "unless-stopped";
  }
  return "no";
}

restart_policy parse_restart_policy(const std::string& text) {
  std::string name = text;
  std::string retries;
  bool has_retries = false;
  if (auto colon = text.find(':'); colon != std::string::npos) {
    name = text.substr(0, colon);
    retries = text.substr(colon + 1);
    has_retries = true;
  }
  restart_policy p;
  if (name.empty() || name == "no" || name == "never" || name == "none") {
    p.kind = restart_kind::no;
  } else if (name == "on-failure") {
    p.kind = restart_kind::on_failure;
  } else if (name == "always") {
    p.kind = restart_kind::always;
  } else if (name == "unless-stopped") {
    p.kind = restart_kind::unless_stopped;
  } else {
    throw error(ec::invalid_argument,
                "invalid restart policy \"" + text +
                    "\": must be one of no, on-failure[:max_retries], always, unless-stopped");
  }
  if (has_retries) {
    if (p.kind != restart_kind::on_failure)
      throw error(ec::invalid_argument,
                  "restart policy retries can only be specified with on-failure restart policy");
    if (retries.empty() || retries.size() > 9 ||
        retries.find_first_not_of("0123456789") != std::string::npos)
      throw error(ec::invalid_argument, "invalid restart policy \"" + text +
                                            "\": retries must be a non-negative integer");
    p.max_retries = static_cast<uint32_t>(std::stoul(retries));
  }
  return p;
}

}  // namespace ctrd
