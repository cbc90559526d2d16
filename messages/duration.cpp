#include "messages/duration.hpp"

#include <cmath>
#include <cstdlib>

#include "messages/error.hpp"

namespace ctrd {

uint64_t parse_duration_ms(const std::string& text) {
  auto bad = [&]() -> error {
    return error(ec::invalid_argument,
                 "invalid duration \"" + text +
                     "\": use a number of seconds or units like 100ms, 30s, 1m30s, 2h");
  };
  if (text.empty()) throw bad();
  const char* p = text.c_str();
  double total_ms = 0;
  bool any = false;
  while (*p) {
    if (!(std::isdigit(static_cast<unsigned char>(*p)) || *p == '.')) throw bad();
    char* end = nullptr;
    double v = std::strtod(p, &end);
    if (end == p || !std::isfinite(v) || v < 0) throw bad();
    p = end;
    double unit;
    if (*p == 0) {
      if (any) throw bad();  // "1m30" is ambiguous
      unit = 1000;
    } else if (p[0] == 'm' && p[1] == 's') {
      unit = 1;
      p += 2;
    } else if (p[0] == 'u' && p[1] == 's') {
      unit = 0.001;
      p += 2;
    } else if (p[0] == 'n' && p[1] == 's') {
      unit = 0.000001;
      p += 2;
    } else if (*p == 's') {
      unit = 1000;
      ++p;
    } else if (*p == 'm') {
      unit = 60000;
      ++p;
    } else if (*p == 'h') {
      unit = 3600000;
      ++p;
    } else {
      throw bad();
    }
    total_ms += v * unit;
    any = true;
  }
  if (total_ms > 365.0 * 86400 * 1000) throw bad();
  return static_cast<uint64_t>(std::llround(total_ms));
}

std::string format_duration_ms(uint64_t ms) {
  if (ms == 0) return "0s";
  if (ms < 1000) return std::to_string(ms) + "ms";
  std::string out;
  uint64_t h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60, rest = ms % 1000;
  if (h) out += std::to_string(h) + "h";
  if (m) out += std::to_string(m) + "m";
  if (s || rest) {
    out += std::to_string(s);
    if (rest) {
      char buf[8];
      std::snprintf(buf, sizeof buf, ".%03u", static_cast<unsigned>(rest));
      std::string frac = buf;
      while (frac.back() == '0') frac.pop_back();
      out += frac;
    }
    out += "s";
  }
  return out;
}

}  // namespace ctrd
