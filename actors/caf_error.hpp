// Bridges ctrd::ec and caf::error: errors travel between actors as caf::error with
// category "ctrd", the ec value as code and the message text as context.
#pragma once

#include <string>

#include <caf/error.hpp>

#include "messages/error.hpp"

namespace ctrd {

/// A caf::error carrying a ctrd error code and message.
caf::error make_caf_error(ec code, const std::string& message);

/// Splits any caf::error into a ctrd code and message (CAF's own errors, e.g. a request
/// to an actor that has quit, become ec::no_such_container or ec::internal).
std::pair<ec, std::string> from_caf_error(const caf::error& err);

}  // namespace ctrd
