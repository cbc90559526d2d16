#include "messages/container_status.hpp"

#include "messages/error.hpp"

namespace ctrd {

json to_json(const container_status& s) {
  auto out = json{{"state", static_cast<int>(s.state)},
                  {"pid", s.pid},
                  {"pid_start", s.pid_start},
                  {"exit_code", s.exit_code},
                  {"has_exited", s.has_exited},
                  {"started_ns", s.started_ns},
                  {"finished_ns", s.finished_ns},
                  {"error", s.error},
                  {"restart_count", s.restart_count},
                  {"stopped_by_user", s.stopped_by_user},
                  {"restart_due_boot_ns", s.restart_due_ns},
                  {"restart_reason", s.restart_reason},
                  {"health", s.health},
                  {"failing_streak", s.failing_streak},
                  {"ready", s.ready},
                  {"oom_killed", s.oom_killed},
                  {"mount_count", s.mount_count},
                  {"backoff_step", s.history.step},
                  {"recent_restarts_boot_ms", s.history.recent_ms},
                  {"parked", s.parked},
                  {"boot_id", s.boot_id}};
  if (!s.netns.empty()) {
    out["netns"] = s.netns;
    json eps = json::array();
    for (const auto& e : s.networks) eps.push_back(to_json(e));
    out["networks"] = std::move(eps);
  }
  return out;
}

container_status status_from_json(const json& j) {
  if (!j.is_object()) throw error(ec::invalid_argument, "stored state is not a map");
  container_status s;
  try {
    auto st = j.value("state", 0);
    if (st < 0 || st >= container_state_count)
      throw error(ec::invalid_argument, "stored state has an unknown state number");
    s.state = static_cast<container_state>(st);
    s.pid = j.value("pid", 0);
    s.pid_start = j.value("pid_start", uint64_t{0});
    s.exit_code = j.value("exit_code", 0);
    s.has_exited = j.value("has_exited", false);
    s.started_ns = j.value("started_ns", int64_t{0});
    s.finished_ns = j.value("finished_ns", int64_t{0});
    s.error = j.value("error", std::string{});
    s.restart_count = j.value("restart_count", 0u);
    s.stopped_by_user = j.value("stopped_by_user", false);
    s.restart_reason = j.value("restart_reason", std::string{});
    s.health = j.value("health", std::string{});
    s.failing_streak = j.value("failing_streak", 0u);
    s.ready = j.value("ready", false);
    s.oom_killed = j.value("oom_killed", false);
    s.mount_count = j.value("mount_count", 0u);
    s.history.step = j.value("backoff_step", 0u);
    s.parked = j.value("parked", false);
    s.boot_id = j.value("boot_id", std::string{});
    s.netns = j.value("netns", std::string{});
    for (const auto& e : j.value("networks", json::array()))
      s.networks.push_back(network_endpoint_from_json(e));
    if (j.contains("boot_id")) {
      s.restart_due_ns = j.value("restart_due_boot_ns", int64_t{0});
      s.history.recent_ms = j.value("recent_restarts_boot_ms", std::vector<int64_t>{});
    } else {  // an older record: wall-clock times, converted by restart::rebase()
      s.restart_due_ns = j.value("next_restart_ns", int64_t{0});
      s.history.recent_ms = j.value("recent_restarts_ms", std::vector<int64_t>{});
    }
  } catch (const json::exception& e) {
    throw error(ec::invalid_argument, std::string("stored state is malformed: ") + e.what());
  }
  return s;
}

}  // namespace ctrd
