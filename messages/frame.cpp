#include "messages/frame.hpp"

#include "messages/error.hpp"

namespace ctrd {

void append_frame(std::string& out, const std::string& body) {
  auto n = static_cast<uint32_t>(body.size());
  char hdr[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                 static_cast<char>(n)};
  out.append(hdr, 4);
  out.append(body);
}

void frame_reader::feed(const char* data, std::size_t size) {
  buf_.append(data, size);
  if (!reserve_ahead_ || buf_.size() - pos_ < frame_header_size) return;
  auto* p = reinterpret_cast<const unsigned char*>(buf_.data() + pos_);
  std::size_t n = (std::size_t{p[0]} << 24) | (std::size_t{p[1]} << 16) | (std::size_t{p[2]} << 8) |
                  std::size_t{p[3]};
  if (n <= max_ && buf_.capacity() < pos_ + frame_header_size + n)
    buf_.reserve(pos_ + frame_header_size + n);
}

void frame_reader::shrink() {
  if (pos_ == buf_.size() && buf_.capacity() > (64u << 10)) {
    std::string().swap(buf_);
    pos_ = 0;
  }
}

bool frame_reader::next(std::string& body) {
  if (buf_.size() - pos_ < frame_header_size) return false;
  auto* p = reinterpret_cast<const unsigned char*>(buf_.data() + pos_);
  std::size_t n = (std::size_t{p[0]} << 24) | (std::size_t{p[1]} << 16) | (std::size_t{p[2]} << 8) |
                  std::size_t{p[3]};
  if (n > max_)
    throw error(ec::protocol, "frame of " + std::to_string(n) + " bytes exceeds the limit of " +
                                  std::to_string(max_) + " bytes");
  if (buf_.size() - pos_ - frame_header_size < n) return false;
  body.assign(buf_, pos_ + frame_header_size, n);
  pos_ += frame_header_size + n;
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > (64u << 10)) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  return true;
}

}  // namespace ctrd
