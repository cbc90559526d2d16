#include "runtime/event_log.hpp"

#include <filesystem>
#include <string_view>
#include <system_error>

#include <spdlog/spdlog.h>

#include "messages/error.hpp"

namespace ctrd {

namespace {

/// The string member `key` of `j`, "" if absent or not a string.
std::string_view str_field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

/// podman accepts "die" for "died".
std::string_view normalize_status(std::string_view status) {
  return status == "die" ? std::string_view("died") : status;
}

bool any_equal(const std::vector<std::string>& values, std::string_view s) {
  for (auto& v : values)
    if (v == s) return true;
  return false;
}

bool container_matches(const std::vector<std::string>& values, const json& event) {
  auto name = str_field(event, "Name");
  auto id = str_field(event, "ID");
  for (auto& v : values)
    if (v == name || (!v.empty() && id.substr(0, v.size()) == v)) return true;
  return false;
}

/// The strings of one filter value (an array of strings, or one string).
std::vector<std::string> filter_values(const std::string& key, const json& value) {
  if (value.is_string()) return {value.get<std::string>()};
  if (!value.is_array())
    throw error(ec::invalid_argument, "events filter '" + key + "' must be an array of strings");
  std::vector<std::string> out;
  for (auto& v : value) {
    if (!v.is_string())
      throw error(ec::invalid_argument,
                  "events filter '" + key + "' must be an array of strings, got " + v.dump());
    out.push_back(v.get<std::string>());
  }
  return out;
}

bool time_in_range(std::string_view time, const std::string& since, const std::string& until) {
  if (since.empty() && until.empty()) return true;
  if (time.empty()) return false;
  return (since.empty() || time >= since) && (until.empty() || time <= until);
}

}  // namespace

bool event_filter::matches(const json& event) const {
  if (!event.is_object()) return false;
  if (!containers.empty() && !container_matches(containers, event)) return false;
  if (!events.empty() && !any_equal(events, normalize_status(str_field(event, "Status"))))
    return false;
  if (!types.empty() && !any_equal(types, str_field(event, "Type"))) return false;
  return true;
}

event_filter parse_event_filter(const json& filters) {
  event_filter f;
  if (filters.is_null()) return f;
  if (!filters.is_object())
    throw error(ec::invalid_argument, "events filters must be a map of key to [values]");
  for (auto it = filters.begin(); it != filters.end(); ++it) {
    const std::string& key = it.key();
    auto values = filter_values(key, it.value());
    if (key == "container") {
      f.containers = std::move(values);
    } else if (key == "event") {
      for (auto& v : values) f.events.emplace_back(normalize_status(v));
    } else if (key == "type") {
      f.types = std::move(values);
    } else {
      throw error(ec::invalid_argument,
                  "unknown events filter '" + key + "' (supported: container, event, type)");
    }
  }
  return f;
}

void read_events(const log_snapshot& s, const event_filter& f, const std::string& since,
                 const std::string& until, const std::function<bool(const json&)>& emit) {
  for_each_line(s, {}, [&](std::string_view line) {
    json event = json::parse(line, nullptr, false);
    if (event.is_discarded() || !event.is_object()) return true;
    if (!time_in_range(str_field(event, "Time"), since, until) || !f.matches(event)) return true;
    return emit(event);
  });
}

append_result event_log::append(const json& event) {
  std::string line = event.dump(-1, ' ', false, json::error_handler_t::replace);
  line += '\n';
  // Removed behind ctrd's back (its --log-dir emptied, a tmpfs cleaned): a new history
  // starts where `events` reads, instead of going on in a file nobody can see.
  if (file_.removed()) {
    file_.close();
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(file_.path()).parent_path(), ec);
    spdlog::warn("the events history {} was removed: a new one starts", file_.path());
  }
  return file_.append(line);
}

}  // namespace ctrd
