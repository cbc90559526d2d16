// How a request, a flag or a definition key is refused as invalid_argument, and the typed
// reads of a definition key that refuse a wrong type: shared by the parsers of messages/
// and ctl/.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace ctrd {

/// Throws error(ec::invalid_argument, WHAT): a bad request or flag.
[[noreturn]] void throw_invalid(const std::string& what);

/// Throws error(ec::invalid_argument, `invalid value for "KEY": WHAT`): a bad definition key.
[[noreturn]] void throw_invalid_value(const std::string& key, const std::string& what);

/// V as a string; else throw_invalid_value(KEY, "must be a string").
std::string string_value(const nlohmann::json& v, const std::string& key);

/// V as a boolean; else throw_invalid_value(KEY, "must be a boolean").
bool bool_value(const nlohmann::json& v, const std::string& key);

}  // namespace ctrd
