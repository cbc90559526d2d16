#include "messages/error.hpp"

namespace ctrd {

const char* to_string(ec code) {
  switch (code) {
    case ec::none:
      return "none";
    case ec::invalid_argument:
      return "invalid_argument";
    case ec::no_such_container:
      return "no_such_container";
    case ec::invalid_state:
      return "invalid_state";
    case ec::name_in_use:
      return "name_in_use";
    case ec::ambiguous_id:
      return "ambiguous_id";
    case ec::command_not_found:
      return "command_not_found";
    case ec::cannot_invoke:
      return "cannot_invoke";
    case ec::internal:
      return "internal";
    case ec::protocol:
      return "protocol";
    case ec::shutting_down:
      return "shutting_down";
    case ec::removed:
      return "removed";
    case ec::no_such_file:
      return "no_such_file";
    case ec::permission_denied:
      return "permission_denied";
    case ec::no_space:
      return "no_space";
    case ec::no_such_network:
      return "no_such_network";
    case ec::conflict:
      return "conflict";
    case ec::network_in_use:
      return "network_in_use";
  }
  return "unknown";
}

int exit_code_for(ec code) {
  switch (code) {
    case ec::command_not_found:
      return 127;
    case ec::cannot_invoke:
      return 126;
    case ec::network_in_use:
      return 2;  // podman's `network rm` of a network in use
    default:
      return 125;
  }
}

}  // namespace ctrd
