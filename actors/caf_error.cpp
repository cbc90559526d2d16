#include "actors/caf_error.hpp"

#include <caf/atom.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace ctrd {

caf::error make_caf_error(ec code, const std::string& message) {
  return caf::error(static_cast<uint8_t>(code), caf::atom("ctrd"), caf::make_message(message));
}

std::pair<ec, std::string> from_caf_error(const caf::error& err) {
  if (err.category() == caf::atom("ctrd")) {
    std::string text;
    if (err.context().match_elements<std::string>()) text = err.context().get_as<std::string>(0);
    return {static_cast<ec>(err.code()), text};
  }
  if (err.category() == caf::atom("system")) {
    auto s = static_cast<caf::sec>(err.code());
    if (s == caf::sec::request_receiver_down)
      return {ec::no_such_container, "the container was removed while the request was in flight"};
    if (s == caf::sec::request_timeout) return {ec::internal, "request timed out inside ctrd"};
  }
  return {ec::internal, caf::to_string(err)};
}

}  // namespace ctrd
