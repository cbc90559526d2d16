#include "ctl/select.hpp"

#include "ctl/format.hpp"

namespace ctl {

void check_selection(bool all, const std::vector<std::string>& names) {
  if (all && !names.empty())
    throw ctrd::error(ctrd::ec::invalid_argument, "--all and containers cannot be used together");
  if (!all && names.empty())
    throw ctrd::error(ctrd::ec::invalid_argument, "you must provide at least one name or id");
}

std::vector<std::string> select_all(client& c,
                                    const std::function<bool(const std::string&)>& keep) {
  response r = c.call("list", json{{"all", true}, {"chunked", true}});
  if (!r.ok()) throw ctrd::error(error_code_of(r.error), r.message());
  if (!r.result.is_array())
    throw ctrd::error(ctrd::ec::protocol, "ctrd sent a malformed container list");
  sort_summaries(r.result);
  std::vector<std::string> ids;
  for (const auto& s : r.result) {
    if (!s.is_object()) continue;
    auto id = s.find("id");
    auto st = s.find("state");
    if (id == s.end() || !id->is_string()) continue;
    std::string state = st != s.end() && st->is_string() ? st->get<std::string>() : "";
    if (!keep || keep(state)) ids.push_back(id->get<std::string>());
  }
  return ids;
}

bool killable_state(const std::string& state) {
  return state == "running" || state == "paused" || state == "stopping";
}

ctrd::ec rm_failure(ctrd::ec code, const std::string& message) {
  if (code == ctrd::ec::no_such_container) return code;
  if (code == ctrd::ec::invalid_state &&
      message.find("container state improper") != std::string::npos)
    return code;
  return ctrd::ec::internal;
}

int rm_status(const std::vector<ctrd::ec>& failures) {
  if (failures.empty()) return 0;
  for (auto e : failures)
    if (e == ctrd::ec::no_such_container) return 1;
  for (auto e : failures)
    if (e == ctrd::ec::invalid_state) return 2;
  return 125;
}

}  // namespace ctl
