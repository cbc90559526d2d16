#include "ctl/stream_flags.hpp"

#include <cctype>
#include <cmath>
#include <ctime>
#include <limits>

#include "messages/byte_size.hpp"
#include "messages/container_state.hpp"
#include "messages/error.hpp"
#include "messages/refuse.hpp"

namespace ctl {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly `n` digits at s[pos..]; advances pos.
bool digits(const std::string& s, std::size_t& pos, int n, int& value) {
  if (pos + static_cast<std::size_t>(n) > s.size()) return false;
  value = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + static_cast<std::size_t>(i)];
    if (!is_digit(c)) return false;
    value = value * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(n);
  return true;
}

bool expect(const std::string& s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// RFC 3339 / date forms (Go layouts podman tries). Returns false when `s` is not one.
bool parse_timestamp(const std::string& s, int64_t& out) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(s, pos, 4, year) || !expect(s, pos, '-') || !digits(s, pos, 2, month) ||
      !expect(s, pos, '-') || !digits(s, pos, 2, day))
    return false;
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > mdays[month - 1] || (month == 2 && day == 29 && !leap)) return false;
  int64_t frac_ns = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't')) {
    ++pos;
    if (!digits(s, pos, 2, hour) || !expect(s, pos, ':') || !digits(s, pos, 2, minute) ||
        !expect(s, pos, ':') || !digits(s, pos, 2, second))
      return false;
    if (hour > 23 || minute > 59 || second > 59) return false;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      int n = 0;
      int64_t scale = 100000000;
      while (pos < s.size() && is_digit(s[pos])) {
        if (n < 9) frac_ns += (s[pos] - '0') * scale;
        scale /= 10;
        ++n;
        ++pos;
      }
      if (n == 0) return false;
    }
  }
  bool has_zone = false;
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
    has_zone = true;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!digits(s, pos, 2, oh) || !expect(s, pos, ':') || !digits(s, pos, 2, om)) return false;
    if (oh > 23 || om > 59) return false;
    offset_s = sign * (oh * 3600 + om * 60);
    has_zone = true;
  }
  if (pos != s.size()) return false;
  int64_t secs;
  if (has_zone) {
    secs =
        days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  } else {  // local time, as Go's time.ParseInLocation(..., time.Local)
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    tm.tm_isdst = -1;
    secs = static_cast<int64_t>(std::mktime(&tm));
  }
  out = secs * 1000000000 + frac_ns;
  return true;
}

// Unix seconds, optionally with a fraction ("1700000000", "1700000000.25", "-5").
bool parse_unix(const std::string& s, int64_t& out) {
  std::size_t pos = 0;
  bool neg = false;
  if (pos < s.size() && (s[pos] == '-' || s[pos] == '+')) neg = s[pos++] == '-';
  int64_t secs = 0;
  std::size_t start = pos;
  while (pos < s.size() && is_digit(s[pos])) {
    if (secs > 9000000000LL) return false;  // beyond year 2255: not a time
    secs = secs * 10 + (s[pos++] - '0');
  }
  bool int_digits = pos > start;
  int64_t frac = 0;
  bool frac_digits = false;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = 100000000;
    while (pos < s.size() && is_digit(s[pos])) {
      frac += (s[pos++] - '0') * scale;
      scale /= 10;
      frac_digits = true;
    }
  }
  if (pos != s.size() || (!int_digits && !frac_digits)) return false;
  int64_t v = secs * 1000000000 + frac;
  out = neg ? -v : v;
  return true;
}

}  // namespace

bool parse_go_duration_ns(const std::string& text, int64_t& out) {
  std::size_t pos = 0;
  bool neg = false;
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) neg = text[pos++] == '-';
  if (pos == text.size()) return false;
  if (text.compare(pos, std::string::npos, "0") == 0) {
    out = 0;
    return true;
  }
  long double total = 0;
  while (pos < text.size()) {
    std::size_t start = pos;
    long double v = 0;
    while (pos < text.size() && is_digit(text[pos])) v = v * 10 + (text[pos++] - '0');
    bool any = pos > start;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      long double scale = 0.1L;
      while (pos < text.size() && is_digit(text[pos])) {
        v += (text[pos++] - '0') * scale;
        scale /= 10;
        any = true;
      }
    }
    if (!any) return false;
    std::size_t ustart = pos;
    while (pos < text.size() && !is_digit(text[pos]) && text[pos] != '.') ++pos;
    std::string unit = text.substr(ustart, pos - ustart);
    long double mult;
    if (unit == "ns")
      mult = 1;
    else if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs")
      mult = 1e3L;
    else if (unit == "ms")
      mult = 1e6L;
    else if (unit == "s")
      mult = 1e9L;
    else if (unit == "m")
      mult = 60e9L;
    else if (unit == "h")
      mult = 3600e9L;
    else
      return false;
    total += v * mult;
    if (total > static_cast<long double>(std::numeric_limits<int64_t>::max())) return false;
  }
  auto ns = static_cast<int64_t>(total);
  out = neg ? -ns : ns;
  return true;
}

int64_t parse_time_ns(const std::string& text, int64_t now) {
  int64_t v = 0;
  if (parse_timestamp(text, v) || parse_unix(text, v)) return v;
  if (parse_go_duration_ns(text, v)) return now - v;
  ctrd::throw_invalid(
      "invalid time \"" + text +
      "\": use an RFC 3339 timestamp (2026-11-28T18:00:00Z), Unix seconds or a duration "
      "before now (10m, 1h30m)");
}

void apply_log_opts(const std::vector<std::string>& opts, json& def) {
  for (const auto& o : opts) {
    auto eq = o.find('=');
    std::string key = o.substr(0, eq);
    if (eq == std::string::npos)
      ctrd::throw_invalid("invalid log option \"" + o +
                          "\": must be KEY=VALUE (max-size=10m, max-file=5)");
    std::string value = o.substr(eq + 1);
    if (key == "max-size") {
      def["log_max_size"] = ctrd::parse_log_size(value);
    } else if (key == "max-file") {
      if (value.empty() || value.size() > 9 ||
          value.find_first_not_of("0123456789") != std::string::npos)
        ctrd::throw_invalid("invalid log option \"" + o +
                            "\": max-file must be a non-negative integer");
      def["log_max_files"] = std::stoull(value);
    } else {
      ctrd::throw_invalid("invalid log option \"" + o +
                          "\": supported options are max-size and max-file");
    }
  }
}

int64_t parse_tail(const std::string& text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    ctrd::throw_invalid("invalid tail value \"" + text +
                        "\": must be a non-negative number of lines");
  return std::stoll(text);
}

std::vector<std::string> parse_wait_conditions(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::size_t pos = 0;
    for (;;) {
      auto comma = v.find(',', pos);
      std::string c = v.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      std::string canon;
      if (c == "healthy" || c == "unhealthy") {
        canon = c;
      } else if (auto s = ctrd::parse_container_state(c)) {
        canon = ctrd::to_string(*s);
      } else {
        ctrd::throw_invalid("invalid condition \"" + c +
                            "\": must be one of configured, created, initialized, running, paused, "
                            "stopping, stopped, exited, removing, healthy, unhealthy");
      }
      bool dup = false;
      for (const auto& o : out) dup = dup || o == canon;
      if (!dup) out.push_back(canon);
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  return out;
}

json parse_event_filters(const std::vector<std::string>& values) {
  json filters = json::object();
  for (const auto& f : values) {
    auto eq = f.find('=');
    std::string key = f.substr(0, eq);
    std::string value = eq == std::string::npos ? std::string() : f.substr(eq + 1);
    if (eq == std::string::npos || value.empty())
      ctrd::throw_invalid("invalid filter \"" + f + "\": must be KEY=VALUE");
    if (key == "type") {
      if (value != "container")
        ctrd::throw_invalid("invalid filter \"" + f + "\": ctrd only has container events");
      continue;
    }
    if (key == "event" || key == "status") {
      if (value == "die") value = "died";  // podman's alias
      key = "event";
    } else if (key != "container") {
      ctrd::throw_invalid("invalid filter \"" + f +
                          "\": supported filters are container=NAME|ID, "
                          "event=STATUS and type=container");
    }
    json& list = filters[key];
    if (!list.is_array()) list = json::array();
    list.push_back(value);
  }
  return filters;
}

}  // namespace ctl
