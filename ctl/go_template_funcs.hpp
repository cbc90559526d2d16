// The functions and value semantics of ctrctl's Go templates (go_template.hpp): Go's
// truthiness, %v printing, type names for messages, and the builtin/podman functions.
// Internal to ctl/.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "messages/value_codec.hpp"

namespace ctl::gotmpl {

using ctrd::json;

/// A function failed; the evaluator adds the position ("error calling index: ...").
struct func_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Go's truth: false, 0, "", empty arrays and objects, null and "no value" are false.
bool truth(const json& v);

/// What an action prints: go_print(), and "<no value>" for a missing map key.
std::string print_value(const json& v);

/// Go-like type name for messages: string, int, float64, bool, []interface {}, map.
std::string type_name(const json& v);

/// Calls a known function with evaluated arguments. Throws func_error.
json call_function(const std::string& name, const std::vector<json>& args);

}  // namespace ctl::gotmpl
