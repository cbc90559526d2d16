#include "messages/byte_size.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "messages/error.hpp"
#include "messages/refuse.hpp"

namespace ctrd {

int64_t parse_ram_size(const std::string& text) {
  auto fail = [&]() -> int64_t {
    throw error(ec::invalid_argument,
                "invalid memory size \"" + text +
                    "\": use a number of bytes with an optional b, k, m or g suffix "
                    "(powers of 1024, e.g. 64m)");
  };
  std::size_t i = 0;
  auto digit = [&](std::size_t k) {
    return k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]));
  };
  if (!digit(i)) return fail();
  while (digit(i)) ++i;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digit(i)) return fail();
    while (digit(i)) ++i;
  }
  std::string number = text.substr(0, i);
  if (i < text.size() && text[i] == ' ') ++i;
  // The suffix, lower-cased: "", "b", or a multiplier optionally followed by "b" / "ib".
  std::string sfx;
  for (; i < text.size(); ++i)
    sfx += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  double mul = 1;
  if (!sfx.empty() && sfx != "b") {
    static const char prefixes[] = "kmgtp";
    const char* p = std::char_traits<char>::find(prefixes, 5, sfx[0]);
    if (p == nullptr) return fail();
    for (const char* q = prefixes; q <= p; ++q) mul *= 1024.0;
    std::string rest = sfx.substr(1);
    if (!rest.empty() && rest != "b" && rest != "ib") return fail();
  }
  double v = std::strtod(number.c_str(), nullptr) * mul;
  if (!std::isfinite(v) || v >= 9.2e18) return fail();
  return static_cast<int64_t>(v);
}

uint64_t parse_log_size(const std::string& text) {
  auto bad = [&]() -> uint64_t {
    throw_invalid("invalid size \"" + text +
                  "\": use a number of bytes with an optional k, m or g "
                  "suffix (10m, 512k, 1g)");
  };
  std::size_t pos = 0;
  long double v = 0;
  bool any = false;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
    v = v * 10 + (text[pos++] - '0');
    any = true;
  }
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    long double scale = 0.1L;
    bool frac = false;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      v += (text[pos++] - '0') * scale;
      scale /= 10;
      frac = true;
    }
    if (!frac) return bad();
  }
  if (!any) return bad();
  if (pos < text.size() && text[pos] == ' ') ++pos;
  long double mult = 1;
  if (pos < text.size()) {
    switch (std::tolower(static_cast<unsigned char>(text[pos]))) {
      case 'k':
        mult = 1e3L;
        break;
      case 'm':
        mult = 1e6L;
        break;
      case 'g':
        mult = 1e9L;
        break;
      case 't':
        mult = 1e12L;
        break;
      case 'p':
        mult = 1e15L;
        break;
      default:
        mult = 0;
        break;
    }
    if (mult != 0)
      ++pos;
    else
      mult = 1;
  }
  if (mult != 1 && pos < text.size() && (text[pos] == 'i' || text[pos] == 'I')) ++pos;
  if (pos < text.size() && (text[pos] == 'b' || text[pos] == 'B')) ++pos;
  if (pos != text.size()) return bad();
  long double bytes = v * mult;
  if (bytes >= 1.8e19L) return bad();
  return static_cast<uint64_t>(bytes);
}

}  // namespace ctrd
