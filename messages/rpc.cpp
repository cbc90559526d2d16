#include "messages/rpc.hpp"

#include "messages/frame.hpp"

namespace ctrd {
namespace {

json param_map(const json& params, const char* what) {
  if (params.is_null()) return json::object();
  if (!params.is_array()) throw error(ec::protocol, std::string(what) + " params must be an array");
  if (params.empty()) return json::object();
  if (params.size() != 1 || !params[0].is_object())
    throw error(ec::protocol, std::string(what) + " params must be [ {named parameters} ]");
  return params[0];
}

std::string frame_of(const json& v) {
  std::string body = encode_msgpack(v);
  std::string out;
  out.reserve(body.size() + frame_header_size);
  append_frame(out, body);
  return out;
}

}  // namespace

rpc_message decode_rpc(const std::string& body, int64_t* msgid_out) {
  json v = decode_msgpack(body.data(), body.size());
  if (!v.is_array() || v.empty() || !v[0].is_number_unsigned())
    throw error(ec::protocol, "frame is not a msgpack-RPC array [type, ...]");
  rpc_message m;
  auto type = v[0].get<uint64_t>();
  auto get_msgid = [&]() {
    if (!v[1].is_number_unsigned() || v[1].get<uint64_t>() > UINT32_MAX)
      throw error(ec::protocol, "msgid must be an unsigned 32-bit integer");
    return static_cast<uint32_t>(v[1].get<uint64_t>());
  };
  switch (type) {
    case 0:
      if (v.size() != 4) throw error(ec::protocol, "request must have 4 elements");
      m.kind = rpc_kind::request;
      m.msgid = get_msgid();
      if (msgid_out) *msgid_out = m.msgid;
      if (!v[2].is_string()) throw error(ec::protocol, "request method must be a string");
      m.method = v[2].get<std::string>();
      m.params = param_map(v[3], "request");
      return m;
    case 1:
      if (v.size() != 4) throw error(ec::protocol, "response must have 4 elements");
      m.kind = rpc_kind::response;
      m.msgid = get_msgid();
      m.error = std::move(v[2]);
      m.result = std::move(v[3]);
      if (!m.error.is_null() && !m.error.is_object())
        throw error(ec::protocol, "response error must be nil or a map");
      return m;
    case 2:
      if (v.size() != 3) throw error(ec::protocol, "notification must have 3 elements");
      m.kind = rpc_kind::notification;
      if (!v[1].is_string()) throw error(ec::protocol, "notification method must be a string");
      m.method = v[1].get<std::string>();
      m.params = param_map(v[2], "notification");
      return m;
    default:
      throw error(ec::protocol, "unknown msgpack-RPC message type " + std::to_string(type));
  }
}

json error_object(ec code, const std::string& message) {
  return json{{"code", static_cast<int>(code)}, {"name", to_string(code)}, {"message", message}};
}

std::string encode_request(uint32_t msgid, const std::string& method, const json& params) {
  return frame_of(json::array({0, msgid, method, json::array({params})}));
}

std::string encode_result(uint32_t msgid, const json& result) {
  return encode_packed_result(msgid, encode_msgpack(result));  // no copy of `result`
}

std::string encode_packed_result(uint32_t msgid, const std::string& packed_result) {
  std::string body;
  body.reserve(packed_result.size() + 16);
  body.push_back(static_cast<char>(0x94));  // array of 4
  encode_msgpack(json(1), body);
  encode_msgpack(json(msgid), body);
  body.push_back(static_cast<char>(0xc0));  // nil: no error
  body += packed_result;
  std::string out;
  out.reserve(body.size() + frame_header_size);
  append_frame(out, body);
  return out;
}

namespace {

void append_array_header(std::string& out, std::size_t count) {
  if (count < 16) {
    out.push_back(static_cast<char>(0x90 | count));
  } else if (count <= 0xffff) {
    out.push_back(static_cast<char>(0xdc));
    out.push_back(static_cast<char>(count >> 8));
    out.push_back(static_cast<char>(count & 0xff));
  } else {
    out.push_back(static_cast<char>(0xdd));
    for (int shift = 24; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((count >> shift) & 0xff));
  }
}

}  // namespace

std::string packed_list::array() const {
  std::string out;
  out.reserve(items.size() + 5);
  append_array_header(out, count);
  out += items;
  return out;
}

std::string packed_list::array(std::size_t first, std::size_t last) const {
  std::size_t from = first == 0 ? 0 : ends[first - 1];
  std::size_t to = last == 0 ? 0 : ends[last - 1];
  std::string out;
  out.reserve(to - from + 5);
  append_array_header(out, last - first);
  out.append(items, from, to - from);
  return out;
}

std::string encode_items_notification(uint32_t msgid, const packed_list& list, std::size_t first,
                                      std::size_t last) {
  std::string body;
  body.push_back(static_cast<char>(0x93));  // [2, "items", [{"msgid": m, "items": [...]}]]
  body.push_back(static_cast<char>(0x02));
  encode_msgpack(json("items"), body);
  body.push_back(static_cast<char>(0x91));
  body.push_back(static_cast<char>(0x82));
  encode_msgpack(json("msgid"), body);
  encode_msgpack(json(msgid), body);
  encode_msgpack(json("items"), body);
  body += list.array(first, last);
  std::string out;
  out.reserve(body.size() + frame_header_size);
  append_frame(out, body);
  return out;
}

std::string encode_error(uint32_t msgid, ec code, const std::string& message) {
  return frame_of(json::array({1, msgid, error_object(code, message), nullptr}));
}

std::string encode_notification(const std::string& method, const json& params) {
  return frame_of(json::array({2, method, json::array({params})}));
}

}  // namespace ctrd
