#include "messages/value_codec.hpp"

#include <msgpack.hpp>

#include "messages/error.hpp"

namespace ctrd {
namespace {

json to_json(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::NIL:
      return nullptr;
    case msgpack::type::BOOLEAN:
      return o.via.boolean;
    case msgpack::type::POSITIVE_INTEGER:
      return o.via.u64;
    case msgpack::type::NEGATIVE_INTEGER:
      return o.via.i64;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      return o.via.f64;
    case msgpack::type::STR:
      return std::string(o.via.str.ptr, o.via.str.size);
    case msgpack::type::BIN: {
      auto* p = reinterpret_cast<const std::uint8_t*>(o.via.bin.ptr);
      return json::binary(std::vector<std::uint8_t>(p, p + o.via.bin.size));
    }
    case msgpack::type::ARRAY: {
      json a = json::array();
      for (uint32_t i = 0; i < o.via.array.size; ++i) a.push_back(to_json(o.via.array.ptr[i]));
      return a;
    }
    case msgpack::type::MAP: {
      json m = json::object();
      for (uint32_t i = 0; i < o.via.map.size; ++i) {
        const auto& kv = o.via.map.ptr[i];
        if (kv.key.type != msgpack::type::STR)
          throw error(ec::protocol, "map keys must be strings");
        m[std::string(kv.key.via.str.ptr, kv.key.via.str.size)] = to_json(kv.val);
      }
      return m;
    }
    case msgpack::type::EXT:
      throw error(ec::protocol, "msgpack ext types are not supported");
  }
  throw error(ec::protocol, "unknown msgpack type");
}

void pack(msgpack::packer<msgpack::sbuffer>& pk, const json& v) {
  switch (v.type()) {
    case json::value_t::null:
    case json::value_t::discarded:
      pk.pack_nil();
      return;
    case json::value_t::boolean:
      v.get<bool>() ? pk.pack_true() : pk.pack_false();
      return;
    case json::value_t::number_integer:
      pk.pack(v.get<std::int64_t>());
      return;
    case json::value_t::number_unsigned:
      pk.pack(v.get<std::uint64_t>());
      return;
    case json::value_t::number_float:
      pk.pack(v.get<double>());
      return;
    case json::value_t::string:
      pk.pack(v.get_ref<const std::string&>());
      return;
    case json::value_t::binary: {
      const auto& b = v.get_binary();
      pk.pack_bin(static_cast<uint32_t>(b.size()));
      pk.pack_bin_body(reinterpret_cast<const char*>(b.data()), static_cast<uint32_t>(b.size()));
      return;
    }
    case json::value_t::array:
      pk.pack_array(static_cast<uint32_t>(v.size()));
      for (const auto& e : v) pack(pk, e);
      return;
    case json::value_t::object:
      pk.pack_map(static_cast<uint32_t>(v.size()));
      for (auto it = v.begin(); it != v.end(); ++it) {
        pk.pack(it.key());
        pack(pk, it.value());
      }
      return;
  }
}

}  // namespace

json decode_msgpack(const char* data, std::size_t size, const decode_limits& lim) {
  msgpack::unpack_limit limit(lim.max_array, lim.max_map, lim.max_str, lim.max_bin, 0,
                              lim.max_depth);
  std::size_t off = 0;
  msgpack::object_handle oh;
  try {
    oh = msgpack::unpack(data, size, off, nullptr, nullptr, limit);
  } catch (const msgpack::depth_size_overflow&) {
    throw error(ec::protocol, "msgpack value nested too deeply");
  } catch (const msgpack::size_overflow&) {
    throw error(ec::protocol, "msgpack value exceeds a size limit");
  } catch (const msgpack::insufficient_bytes&) {
    throw error(ec::protocol, "truncated msgpack value");
  } catch (const msgpack::unpack_error& e) {
    throw error(ec::protocol, std::string("malformed msgpack: ") + e.what());
  } catch (const std::bad_alloc&) {
    throw error(ec::protocol, "msgpack value too large");
  }
  if (off != size) throw error(ec::protocol, "trailing bytes after msgpack value");
  return to_json(oh.get());
}

void encode_msgpack(const json& value, std::string& out) {
  msgpack::sbuffer sb;
  msgpack::packer<msgpack::sbuffer> pk(sb);
  pack(pk, value);
  out.append(sb.data(), sb.size());
}

std::string encode_msgpack(const json& value) {
  std::string out;
  encode_msgpack(value, out);
  return out;
}

}  // namespace ctrd
