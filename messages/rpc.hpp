// msgpack-RPC envelopes carried in frames (docs/protocol.md):
//   request      [0, msgid, method, [params]]
//   response     [1, msgid, error, result]      error: nil or {code, name, message}
//   notification [2, method, [params]]          streamed output tied to a request by params.msgid
// Parameters are always one map of named values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messages/error.hpp"
#include "messages/value_codec.hpp"

namespace ctrd {

/// Protocol version exchanged by the `hello` handshake.
constexpr int protocol_version = 1;

enum class rpc_kind : uint8_t { request = 0, response = 1, notification = 2 };

/// One decoded frame body.
struct rpc_message {
  rpc_kind kind = rpc_kind::request;
  uint32_t msgid = 0;  ///< request and response
  std::string method;  ///< request and notification
  json params;         ///< request and notification: the parameter map ({} if absent)
  json error;          ///< response: null or {code, name, message}
  json result;         ///< response
};

/// Decodes a frame body. Throws ctrd::error{ec::protocol} naming what is wrong; when the
/// body was a request whose msgid could be read, `msgid_out` is set so the caller can
/// still answer with an error response.
rpc_message decode_rpc(const std::string& body, int64_t* msgid_out = nullptr);

/// Encoders: each returns a complete frame (length prefix included).
std::string encode_request(uint32_t msgid, const std::string& method, const json& params);
std::string encode_result(uint32_t msgid, const json& result);
/// A response whose result is already msgpack (e.g. a packed_list's array()).
std::string encode_packed_result(uint32_t msgid, const std::string& packed_result);
std::string encode_error(uint32_t msgid, ec code, const std::string& message);
std::string encode_notification(const std::string& method, const json& params);

/// A msgpack array assembled from values encoded beforehand: `ps` answers from the
/// supervisor's pre-encoded container summaries without converting anything per call.
struct packed_list {
  std::size_t count = 0;          ///< values in `items`
  std::string items;              ///< the concatenated msgpack values
  std::vector<std::size_t> ends;  ///< where each value ends in `items`
  /// Appends one encoded value.
  void add(const std::string& packed) {
    items += packed;
    ends.push_back(items.size());
    ++count;
  }
  /// A msgpack array of values [first, last).
  std::string array(std::size_t first, std::size_t last) const;
  /// The whole msgpack array (header + items).
  std::string array() const;
};

/// An "items" notification carrying values [first, last) of `list` for request `msgid`:
/// how a list larger than a frame reaches a client that asked for it in chunks.
std::string encode_items_notification(uint32_t msgid, const packed_list& list, std::size_t first,
                                      std::size_t last);

/// The error map used in responses.
json error_object(ec code, const std::string& message);

}  // namespace ctrd
