#include "messages/container_state.hpp"

namespace ctrd {

const char* to_string(container_state s) {
  switch (s) {
    case container_state::configured:
      return "created";
    case container_state::created:
      return "initialized";
    case container_state::running:
      return "running";
    case container_state::paused:
      return "paused";
    case container_state::stopping:
      return "stopping";
    case container_state::stopped:
      return "stopped";
    case container_state::exited:
      return "exited";
    case container_state::removing:
      return "removing";
  }
  return "unknown";
}

std::optional<container_state> parse_container_state(const std::string& t) {
  if (t == "created" || t == "configured") return container_state::configured;
  if (t == "initialized") return container_state::created;
  for (int i = 2; i < container_state_count; ++i) {
    auto s = static_cast<container_state>(i);
    if (t == to_string(s)) return s;
  }
  return std::nullopt;
}

bool has_process(container_state s) {
  switch (s) {
    case container_state::created:
    case container_state::running:
    case container_state::paused:
    case container_state::stopping:
    case container_state::stopped:
      return true;
    default:
      return false;
  }
}

}  // namespace ctrd
