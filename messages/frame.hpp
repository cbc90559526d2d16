// Length-prefixed framing of the control socket: every frame is a big-endian u32 body
// length followed by that many bytes of msgpack. See docs/protocol.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ctrd {

/// Largest frame body either side accepts. A header announcing more is a protocol error and
/// the connection is closed before anything is buffered.
constexpr std::size_t max_frame_size = 8u << 20;

/// Size of the length prefix.
constexpr std::size_t frame_header_size = 4;

/// Appends `body` to `out`, preceded by its length prefix.
void append_frame(std::string& out, const std::string& body);

/// Reassembles frames from a byte stream fed in arbitrary chunks.
class frame_reader {
 public:
  /// `reserve_ahead`: once a header is in, reserve room for its whole frame (up to the
  /// limit), so that a large reply is not copied at every doubling. A client trusts its
  /// daemon's headers; the daemon does not (a peer announcing 8 MiB and sending nothing
  /// would cost 8 MiB), so it buffers only what arrived.
  explicit frame_reader(std::size_t max_size = max_frame_size, bool reserve_ahead = true)
      : max_(max_size), reserve_ahead_(reserve_ahead) {}

  /// Appends received bytes.
  void feed(const char* data, std::size_t size);

  /// Moves the next complete frame body into `body` and returns true; returns false when
  /// more bytes are needed. Throws ctrd::error{ec::protocol} when the next header
  /// announces a frame larger than the limit (the stream cannot be resynchronised).
  bool next(std::string& body);

  /// Bytes received but not yet returned as frames.
  std::size_t buffered() const { return buf_.size() - pos_; }

  /// Frees the buffer's memory if it is empty (after a large frame).
  void shrink();

 private:
  std::size_t max_;
  bool reserve_ahead_;
  std::string buf_;
  std::size_t pos_ = 0;
};

}  // namespace ctrd
