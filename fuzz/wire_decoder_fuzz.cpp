// libFuzzer target: the control-socket decoder (messages/frame.hpp, rpc.hpp, value_codec.hpp).
//
// Input: byte 0 chooses how the rest is split into chunks for frame_reader::feed; bytes 1..
// are the stream. Checked properties (see fuzz/README.md):
//  - framing: feeding the stream in chunks yields exactly the frames of feeding it at once,
//    and the same outcome (protocol error or the same number of buffered bytes); the bytes
//    add up; a reader with a small limit yields a prefix of the same frames;
//  - every frame body (and the whole stream as one body): decode_rpc either succeeds or throws
//  ctrd::error{ec::protocol}; a
//    decoded message re-encoded with the public encoders decodes to the same message;
//  - the stream as one msgpack value: decode_msgpack either succeeds or throws
//    ctrd::error{ec::protocol}; encode(decode(x)) is a fixpoint of decode/encode; tighter
//    limits never accept what the defaults refuse.
// Any other exception, sanitizer report, or failed check is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.hpp"
#include "messages/error.hpp"
#include "messages/frame.hpp"
#include "messages/rpc.hpp"
#include "messages/value_codec.hpp"

using namespace ctrd;

namespace {

struct framing {
  std::vector<std::string> frames;
  bool failed = false;       // the reader threw (oversized header)
  std::size_t buffered = 0;  // bytes left over when it did not
};

// Chunk sizes: xorshift seeded by the mode byte. High bit set: 1..16 bytes, else 1..4096.
struct chunker {
  uint32_t state;
  std::size_t max;
  explicit chunker(uint8_t mode)
      : state(0x9e3779b9u ^ (uint32_t{mode} * 0x01000193u)), max(mode & 0x80 ? 16 : 4096) {}
  std::size_t next() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return 1 + state % max;
  }
};

framing read_frames(const char* data, std::size_t size, chunker* chunks,
                    std::size_t limit = max_frame_size) {
  framing out;
  frame_reader r(limit);
  std::size_t pos = 0;
  while (pos < size || pos == 0) {
    std::size_t n = chunks ? std::min(chunks->next(), size - pos) : size - pos;
    r.feed(data + pos, n);
    pos += n;
    std::string body;
    try {
      while (r.next(body)) {
        FUZZ_CHECK(body.size() <= limit);
        out.frames.push_back(std::move(body));
      }
    } catch (const ctrd::error& e) {
      FUZZ_CHECK(e.code() == ec::protocol);
      out.failed = true;
      // The stream cannot be resynchronised: the reader keeps refusing.
      bool threw_again = false;
      try {
        r.next(body);
      } catch (const ctrd::error&) {
        threw_again = true;
      }
      FUZZ_CHECK(threw_again);
      return out;
    } catch (const std::exception& e) {
      FUZZ_UNEXPECTED("frame_reader::next", e);
    }
    if (size == 0) break;
  }
  out.buffered = r.buffered();
  return out;
}

void check_framing(const char* data, std::size_t size, uint8_t mode) {
  framing whole = read_frames(data, size, nullptr);
  chunker ch(mode);
  framing parts = read_frames(data, size, &ch);
  FUZZ_CHECK(whole.frames == parts.frames);
  FUZZ_CHECK(whole.failed == parts.failed);
  if (!whole.failed) {
    FUZZ_CHECK(whole.buffered == parts.buffered);
    std::size_t total = whole.buffered;
    for (const auto& f : whole.frames) total += frame_header_size + f.size();
    FUZZ_CHECK(total == size);
  }
  // A smaller limit refuses earlier, never differently.
  framing small = read_frames(data, size, nullptr, 64);
  FUZZ_CHECK(small.frames.size() <= whole.frames.size());
  for (std::size_t i = 0; i < small.frames.size(); ++i)
    FUZZ_CHECK(small.frames[i] == whole.frames[i]);
  if (!small.failed) FUZZ_CHECK(small.frames == whole.frames && !whole.failed);
}

// The frame body of an encoded frame.
std::string body_of(const std::string& frame) {
  frame_reader r;
  r.feed(frame.data(), frame.size());
  std::string body;
  FUZZ_CHECK(r.next(body));
  FUZZ_CHECK(r.buffered() == 0);
  return body;
}

void check_rpc(const std::string& body) {
  int64_t msgid = -1;
  rpc_message m;
  try {
    m = decode_rpc(body, &msgid);
  } catch (const ctrd::error& e) {
    FUZZ_CHECK(e.code() == ec::protocol);
    FUZZ_CHECK(msgid >= -1 && msgid <= int64_t{UINT32_MAX});
    return;
  } catch (const std::exception& e) {
    FUZZ_UNEXPECTED("decode_rpc", e);
  }
  std::string frame;
  switch (m.kind) {
    case rpc_kind::request:
      FUZZ_CHECK(msgid == m.msgid);
      FUZZ_CHECK(m.params.is_object());
      frame = encode_request(m.msgid, m.method, m.params);
      break;
    case rpc_kind::response:
      FUZZ_CHECK(m.error.is_null() || m.error.is_object());
      if (m.error.is_null())
        frame = encode_result(m.msgid, m.result);
      else
        append_frame(frame, encode_msgpack(json::array({1, m.msgid, m.error, m.result})));
      break;
    case rpc_kind::notification:
      FUZZ_CHECK(m.params.is_object());
      frame = encode_notification(m.method, m.params);
      break;
  }
  rpc_message m2;
  try {
    m2 = decode_rpc(body_of(frame));
  } catch (const std::exception& e) {
    FUZZ_UNEXPECTED("decode_rpc of a re-encoded message", e);
  }
  FUZZ_CHECK(m2.kind == m.kind);
  FUZZ_CHECK(m2.msgid == m.msgid);
  FUZZ_CHECK(m2.method == m.method);
  // Compared as bytes: NaN != NaN as json, but its encoding is stable.
  FUZZ_CHECK(encode_msgpack(m2.params) == encode_msgpack(m.params));
  FUZZ_CHECK(encode_msgpack(m2.error) == encode_msgpack(m.error));
  FUZZ_CHECK(encode_msgpack(m2.result) == encode_msgpack(m.result));
}

bool try_decode(const char* data, std::size_t size, const decode_limits& lim, json& out) {
  try {
    out = decode_msgpack(data, size, lim);
    return true;
  } catch (const ctrd::error& e) {
    FUZZ_CHECK(e.code() == ec::protocol);
    return false;
  } catch (const std::exception& e) {
    FUZZ_UNEXPECTED("decode_msgpack", e);
  }
}

void check_value(const char* data, std::size_t size) {
  json v;
  bool ok = try_decode(data, size, {}, v);
  decode_limits tight;
  tight.max_array = 8;
  tight.max_map = 8;
  tight.max_str = 64;
  tight.max_bin = 64;
  tight.max_depth = 4;
  json t;
  bool tight_ok = try_decode(data, size, tight, t);
  if (tight_ok) FUZZ_CHECK(ok);
  if (!ok) return;
  std::string enc = encode_msgpack(v);
  if (tight_ok) FUZZ_CHECK(encode_msgpack(t) == enc);
  json v2;
  try {
    v2 = decode_msgpack(enc.data(), enc.size());
  } catch (const std::exception& e) {
    FUZZ_UNEXPECTED("decode_msgpack of a re-encoded value", e);
  }
  FUZZ_CHECK(encode_msgpack(v2) == enc);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const char* stream = reinterpret_cast<const char*>(data + 1);
  const std::size_t n = size - 1;

  check_framing(stream, n, mode);
  framing whole = read_frames(stream, n, nullptr);
  for (const auto& body : whole.frames) check_rpc(body);
  // The stream itself as one body too: reaches the envelope checks without a valid header.
  check_rpc(std::string(stream, n));
  check_value(stream, n);
  return 0;
}
