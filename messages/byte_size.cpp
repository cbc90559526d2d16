#include "messages/byte_size.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "messages/error.hpp"

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

}  // namespace ctrd
