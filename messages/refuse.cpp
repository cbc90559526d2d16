#include "messages/refuse.hpp"

#include "messages/error.hpp"

namespace ctrd {

void throw_invalid(const std::string& what) {
  throw error(ec::invalid_argument, what);
}

void throw_invalid_value(const std::string& key, const std::string& what) {
  throw error(ec::invalid_argument, "invalid value for \"" + key + "\": " + what);
}

std::string string_value(const nlohmann::json& v, const std::string& key) {
  if (!v.is_string()) throw_invalid_value(key, "must be a string");
  return v.get<std::string>();
}

bool bool_value(const nlohmann::json& v, const std::string& key) {
  if (!v.is_boolean()) throw_invalid_value(key, "must be a boolean");
  return v.get<bool>();
}

}  // namespace ctrd
