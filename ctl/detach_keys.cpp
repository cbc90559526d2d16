#include "ctl/detach_keys.hpp"

#include <cctype>

#include "messages/error.hpp"

namespace ctl {
namespace {

// The control code for `ctrl-X`, or -1.
int ctrl_code(char x) {
  if (x >= 'a' && x <= 'z') return x - 'a' + 1;
  switch (x) {
    case '@':
      return 0;
    case '[':
      return 27;
    case '\\':
      return 28;
    case ']':
      return 29;
    case '^':
      return 30;
    case '_':
      return 31;
    default:
      return -1;
  }
}

}  // namespace

std::string parse_detach_keys(const std::string& spec) {
  std::string out;
  if (spec.empty()) return out;
  std::size_t pos = 0;
  for (;;) {
    auto comma = spec.find(',', pos);
    std::string key =
        spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (key.size() == 1) {
      out += key[0];
    } else {
      std::string lower;
      for (char ch : key) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      int code = lower.size() == 6 && lower.compare(0, 5, "ctrl-") == 0 ? ctrl_code(lower[5]) : -1;
      if (code < 0)
        throw ctrd::error(ctrd::ec::invalid_argument,
                          "invalid detach keys: unknown key \"" + key + "\" in \"" + spec +
                              "\": use a comma list of ctrl-<a-z, @, [, \\, ], ^, _> or single "
                              "characters");
      out += static_cast<char>(code);
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

bool detach_matcher::feed(const char* data, std::size_t size, std::string& out) {
  if (keys_.empty()) {
    out.append(data, size);
    return false;
  }
  for (std::size_t i = 0; i < size; ++i) {
    pending_ += data[i];
    // Release held bytes from the front until what is held is a prefix of the sequence
    // again (so "p p q" with keys "p q" releases the first p and still detaches).
    while (!pending_.empty() && keys_.compare(0, pending_.size(), pending_) != 0) {
      out += pending_[0];
      pending_.erase(0, 1);
    }
    if (pending_.size() == keys_.size()) {
      pending_.clear();
      return true;
    }
  }
  return false;
}

}  // namespace ctl
