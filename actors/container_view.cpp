#include "actors/container_view.hpp"

#include "actors/proc.hpp"
#include "messages/signals.hpp"

namespace ctrd {

json inspect_view(const container_config& c, const container_status& s, const std::string& log_path) {
  json args = json::array();
  for (std::size_t i = 1; i < c.command.size(); ++i) args.push_back(c.command[i]);
  return json{
      {"Id", c.id},
      {"Name", c.name},
      {"Created", proc::rfc3339(c.created_ns)},
      {"Path", c.command.empty() ? std::string() : c.command[0]},
      {"Args", args},
      {"State",
       {{"Status", to_string(s.state)},
        {"Running", s.state == container_state::running || s.state == container_state::paused ||
                        s.state == container_state::stopping},
        {"Paused", s.state == container_state::paused},
        {"Restarting", false},
        {"OOMKilled", false},
        {"Dead", false},
        {"Pid", s.pid},
        {"ExitCode", s.exit_code},
        {"Error", s.error},
        {"StartedAt", proc::rfc3339(s.started_ns)},
        {"FinishedAt", proc::rfc3339(s.finished_ns)}}},
      {"RestartCount", s.restart_count},
      {"Config",
       {{"Cmd", c.command},
        {"Env", c.env},
        {"WorkingDir", c.workdir},
        {"User", c.user},
        {"StopSignal", signal_name(c.stop_signal)},
        {"StopTimeout", c.stop_timeout},
        {"Labels", c.labels}}},
      {"HostConfig",
       {{"RestartPolicy",
         {{"Name", c.restart.kind == restart_kind::no ? "" : to_string(c.restart.kind)},
          {"MaximumRetryCount", c.restart.max_retries}}},
        {"AutoRemove", c.auto_remove}}},
      {"LogPath", log_path},
  };
}

json summary_view(const container_config& c, const container_status& s) {
  return json{{"id", c.id},
              {"name", c.name},
              {"command", c.command},
              {"created_ns", c.created_ns},
              {"state", to_string(s.state)},
              {"exit_code", s.exit_code},
              {"started_ns", s.started_ns},
              {"finished_ns", s.finished_ns},
              {"restart_count", s.restart_count},
              {"pid", s.pid}};
}

}  // namespace ctrd
