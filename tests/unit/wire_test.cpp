// Wire codec: golden bytes, round trips and every kind of malformed input.
#include <catch2/catch.hpp>

#include <string>

#include "messages/frame.hpp"
#include "messages/rpc.hpp"

namespace wire_test {

using namespace ctrd;

namespace {

std::string bytes(std::initializer_list<int> xs) {
  std::string s;
  for (int x : xs) s += static_cast<char>(x);
  return s;
}

ec protocol_error_of(const std::string& body) {
  try {
    decode_rpc(body);
  } catch (const ctrd::error& e) {
    return e.code();
  }
  return ec::none;
}

}  // namespace

TEST_CASE("request frame has the documented golden bytes", "[wire]") {
  auto frame = encode_request(1, "hello", json{{"version", 1}});
  // [0, 1, "hello", [{"version": 1}]]
  auto want = bytes({0x00, 0x00, 0x00, 0x14, 0x94, 0x00, 0x01, 0xa5, 'h', 'e', 'l', 'l',
                     'o',  0x91, 0x81, 0xa7, 'v',  'e',  'r',  's',  'i', 'o', 'n', 0x01});
  CHECK(frame == want);
}

TEST_CASE("response and notification frames round trip", "[wire]") {
  frame_reader r;
  auto a = encode_result(7, json{{"id", "abc"}, {"exit_code", 3}});
  auto b = encode_error(8, ec::no_such_container, "nope");
  auto c = encode_notification(
      "output", json{{"msgid", 7}, {"stream", "stdout"}, {"data", json::binary({'h', 'i'})}});
  std::string all = a + b + c;
  // Feed one byte at a time: frames must come out whole and in order.
  std::vector<rpc_message> got;
  for (char ch : all) {
    r.feed(&ch, 1);
    std::string body;
    while (r.next(body)) got.push_back(decode_rpc(body));
  }
  REQUIRE(got.size() == 3);
  CHECK(got[0].kind == rpc_kind::response);
  CHECK(got[0].msgid == 7);
  CHECK(got[0].error.is_null());
  CHECK(got[0].result["exit_code"] == 3);
  CHECK(got[1].error["code"] == static_cast<int>(ec::no_such_container));
  CHECK(got[1].error["name"] == "no_such_container");
  CHECK(got[1].error["message"] == "nope");
  CHECK(got[2].kind == rpc_kind::notification);
  CHECK(got[2].method == "output");
  const std::vector<std::uint8_t>& data = got[2].params["data"].get_binary();
  CHECK(data == std::vector<std::uint8_t>{'h', 'i'});
  CHECK(r.buffered() == 0);
}

TEST_CASE("a packed list result decodes like the same json array at every size", "[wire]") {
  // 0, 15 (fixarray), 16 and 65535 (array 16), 65536 (array 32) elements.
  for (std::size_t n : {0u, 1u, 15u, 16u, 300u, 65535u, 65536u}) {
    packed_list l;
    json want = json::array();
    for (std::size_t i = 0; i < n; ++i) {
      json item = {{"id", std::to_string(i)}, {"n", i}};
      l.add(encode_msgpack(item));
      want.push_back(item);
    }
    REQUIRE(l.count == n);
    std::string arr = l.array();
    decode_limits big;
    big.max_array = 1 << 20;
    CHECK(decode_msgpack(arr.data(), arr.size(), big) == want);
    if (n > 300) continue;  // the rpc decoder keeps its default limits
    auto frame = encode_packed_result(9, arr);
    CHECK(frame == encode_result(9, want));
    frame_reader r;
    r.feed(frame.data(), frame.size());
    std::string body;
    REQUIRE(r.next(body));
    auto m = decode_rpc(body);
    CHECK(m.msgid == 9);
    CHECK(m.error.is_null());
    CHECK(m.result == want);
  }
}

TEST_CASE("an oversized frame header is refused before buffering", "[wire]") {
  frame_reader r;
  auto hdr = bytes({0x7f, 0xff, 0xff, 0xff});
  r.feed(hdr.data(), hdr.size());
  std::string body;
  CHECK_THROWS_AS(r.next(body), ctrd::error);
  frame_reader small(16);
  auto f = encode_request(1, "hello", json{{"version", 1}});
  small.feed(f.data(), f.size());
  CHECK_THROWS_AS(small.next(body), ctrd::error);
}

TEST_CASE("malformed bodies are protocol errors, never crashes", "[wire]") {
  CHECK(protocol_error_of("") == ec::protocol);                                     // empty
  CHECK(protocol_error_of(bytes({0xc1})) == ec::protocol);                          // reserved byte
  CHECK(protocol_error_of(bytes({0x94, 0x00, 0x01})) == ec::protocol);              // truncated
  CHECK(protocol_error_of(bytes({0xdd, 0xff, 0xff, 0xff, 0xff})) == ec::protocol);  // 4G array
  CHECK(protocol_error_of(bytes({0xdb, 0x7f, 0xff, 0xff, 0xff})) == ec::protocol);  // 2G string
  CHECK(protocol_error_of(std::string(100000, '\x91')) == ec::protocol);            // deep nesting
  CHECK(protocol_error_of(encode_msgpack(json{{"a", 1}})) == ec::protocol);         // not an array
  CHECK(protocol_error_of(encode_msgpack(json::array({0, 1, 2, json::array()}))) == ec::protocol);
  CHECK(protocol_error_of(encode_msgpack(json::array({0, -1, "x", json::array()}))) ==
        ec::protocol);
  CHECK(protocol_error_of(encode_msgpack(json::array({9, 1, "x", json::array()}))) == ec::protocol);
  CHECK(protocol_error_of(encode_msgpack(json::array({0, 1, "x", json::array({1, 2})}))) ==
        ec::protocol);
  // Map with an integer key.
  CHECK(protocol_error_of(bytes({0x94, 0x00, 0x01, 0xa1, 'x', 0x91, 0x81, 0x01, 0x02})) ==
        ec::protocol);
  // Trailing garbage after a valid value.
  CHECK(protocol_error_of(encode_msgpack(json::array({0, 1, "x", json::array()})) + "z") ==
        ec::protocol);
}

TEST_CASE("a request with a readable msgid reports it even when invalid", "[wire]") {
  int64_t msgid = -1;
  auto body = encode_msgpack(json::array({0, 42, 17, json::array()}));  // method not a string
  CHECK_THROWS_AS(decode_rpc(body, &msgid), ctrd::error);
  CHECK(msgid == 42);
}

TEST_CASE("params may be empty or absent", "[wire]") {
  auto m = decode_rpc(encode_msgpack(json::array({0, 3, "list", json::array()})));
  CHECK(m.params.is_object());
  CHECK(m.params.empty());
  m = decode_rpc(encode_msgpack(json::array({0, 3, "list", nullptr})));
  CHECK(m.params.empty());
}

TEST_CASE("values survive msgpack round trips with exact types", "[wire]") {
  json v = {{"neg", -5},         {"big", uint64_t{1} << 63},
            {"f", 1.5},          {"s", "text"},
            {"b", true},         {"n", nullptr},
            {"arr", {1, "two"}}, {"bin", json::binary({0, 255})}};
  auto enc = encode_msgpack(v);
  auto dec = decode_msgpack(enc.data(), enc.size());
  CHECK(dec == v);
}

}  // namespace wire_test
