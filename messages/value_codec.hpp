// Conversion between msgpack bytes and nlohmann::json, the dynamic value type ctrd and
// ctrctl use for RPC parameters, results and stored records. Decoding goes through
// msgpack-c with hard limits (depth, element counts, string sizes), so hostile input can
// neither exhaust memory nor the stack; it throws ctrd::error{ec::protocol} on bad input.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace ctrd {

using json = nlohmann::json;

/// Limits applied to every decoded value.
struct decode_limits {
  std::size_t max_array = 1 << 16;  ///< elements per array
  std::size_t max_map = 1 << 12;    ///< entries per map
  std::size_t max_str = 16 << 20;   ///< bytes per string
  std::size_t max_bin = 16 << 20;   ///< bytes per binary
  std::size_t max_depth = 32;       ///< nesting depth
};

/// Decodes exactly one msgpack value from [data, data+size). Trailing bytes are an error.
/// msgpack bin becomes a json binary; ext types are rejected. Throws ctrd::error.
json decode_msgpack(const char* data, std::size_t size, const decode_limits& lim = {});

/// Encodes a json value as msgpack (objects as maps, binary as bin, integers in the
/// smallest msgpack form). Appends to `out`.
void encode_msgpack(const json& value, std::string& out);

/// Convenience form of encode_msgpack returning a fresh string.
std::string encode_msgpack(const json& value);

}  // namespace ctrd
