// Go's value printing (%v), fmt.Sprintf for the common verbs, and the template functions:
// Go's builtins and podman's extras (go_template_funcs.hpp).
#include "ctl/go_template_funcs.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "ctl/go_template.hpp"

namespace ctl::gotmpl {
namespace {

// Go's strconv.FormatFloat(v, fmt, -1, 64) for fmt 'g' as %v uses it: shortest digits,
// exponent form when the exponent is < -4 or >= 6 (Go: 1e+06, 123456).
std::string go_float(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string s(buf, r.ptr);  // [-]d[.ddd]e[+-]XX
  bool neg = s[0] == '-';
  if (neg) s.erase(0, 1);
  std::size_t e = s.find('e');
  std::string digits = s.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int exp = std::stoi(s.substr(e + 1));
  std::string out;
  if (exp < -4 || exp >= 6) {  // shortest %v: precision 6 decides
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    out += eb;
  } else if (exp < 0) {
    out = "0." + std::string(static_cast<std::size_t>(-exp - 1), '0') + digits;
  } else {
    auto ie = static_cast<std::size_t>(exp) + 1;
    if (digits.size() <= ie) {
      out = digits + std::string(ie - digits.size(), '0');
    } else {
      out = digits.substr(0, ie) + "." + digits.substr(ie);
    }
  }
  return neg ? "-" + out : out;
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char b[8];
          std::snprintf(b, sizeof b, "\\x%02x", c);
          out += b;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::size_t runes(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string first_runes(const std::string& s, std::size_t n) {
  std::size_t i = 0, seen = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == n) break;
      ++seen;
    }
  }
  return s.substr(0, i);
}

std::string bad_verb(char verb, const json& v) {
  if (v.is_null()) return std::string("%!") + verb + "(<nil>)";
  return std::string("%!") + verb + "(" + type_name(v) + "=" + go_print(v) + ")";
}

struct spec {
  bool minus = false, plus = false, zero = false, space = false, sharp = false;
  int width = -1, prec = -1;
};

std::string pad(std::string s, const spec& sp, bool numeric) {
  if (sp.width < 0 || runes(s) >= static_cast<std::size_t>(sp.width)) return s;
  std::size_t n = static_cast<std::size_t>(sp.width) - runes(s);
  if (sp.minus) return s + std::string(n, ' ');
  if (sp.zero && numeric) {
    std::size_t at = (!s.empty() && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) ? 1 : 0;
    return s.insert(at, std::string(n, '0'));
  }
  return std::string(n, ' ') + s;
}

std::string format_int(int64_t v, char verb, const spec& sp) {
  bool neg = v < 0;
  uint64_t u = neg ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  std::string d;
  char buf[32];
  if (verb == 'x' || verb == 'X')
    std::snprintf(buf, sizeof buf, verb == 'x' ? "%llx" : "%llX",
                  static_cast<unsigned long long>(u));
  else if (verb == 'o')
    std::snprintf(buf, sizeof buf, "%llo", static_cast<unsigned long long>(u));
  else if (verb == 'b') {
    std::string b;
    do {
      b.insert(b.begin(), static_cast<char>('0' + (u & 1)));
      u >>= 1;
    } while (u != 0);
    std::snprintf(buf, sizeof buf, "%s", b.c_str());
  } else
    std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(u));
  d = buf;
  if (sp.prec >= 0 && d.size() < static_cast<std::size_t>(sp.prec))
    d.insert(0, static_cast<std::size_t>(sp.prec) - d.size(), '0');
  if (sp.sharp && (verb == 'x' || verb == 'X')) d.insert(0, verb == 'x' ? "0x" : "0X");
  if (neg)
    d.insert(0, "-");
  else if (sp.plus)
    d.insert(0, "+");
  else if (sp.space)
    d.insert(0, " ");
  return pad(d, sp, sp.prec < 0);
}

std::string format_float(double v, char verb, const spec& sp) {
  std::string s;
  if (verb == 'v' || (verb == 'g' && sp.prec < 0)) {
    s = go_float(v);
    if (sp.plus && v >= 0) s.insert(0, "+");
  } else {
    std::string f = "%";
    if (sp.plus) f += '+';
    if (sp.space) f += ' ';
    if (sp.sharp) f += '#';
    f += "." + std::to_string(sp.prec < 0 ? 6 : sp.prec) + verb;
    char buf[512];
    std::snprintf(buf, sizeof buf, f.c_str(), v);
    s = buf;
  }
  return pad(s, sp, true);
}

// One verb applied to one argument.
std::string format_one(char verb, const spec& sp, const json& a) {
  switch (verb) {
    case 'v':
      if (a.is_number_float()) return format_float(a.get<double>(), 'v', sp);
      if (a.is_number_integer()) return format_int(a.get<int64_t>(), 'd', sp);
      if (a.is_string() && sp.sharp) return pad(quote(a.get<std::string>()), sp, false);
      return pad(print_value(a), sp, false);
    case 's':
    case 'q':
      if (a.is_string()) {
        std::string s = a.get<std::string>();
        if (sp.prec >= 0) s = first_runes(s, static_cast<std::size_t>(sp.prec));
        return pad(verb == 'q' ? quote(s) : s, sp, false);
      }
      if (verb == 's' && (a.is_array() || a.is_object())) return pad(go_print(a), sp, false);
      if (verb == 'q' && a.is_number_integer()) {
        std::string s(1, static_cast<char>(a.get<int64_t>()));
        return pad("'" + s + "'", sp, false);
      }
      return bad_verb(verb, a);
    case 'd':
    case 'x':
    case 'X':
    case 'o':
    case 'b':
      if (a.is_number_integer()) return format_int(a.get<int64_t>(), verb, sp);
      if (a.is_string() && (verb == 'x' || verb == 'X')) {
        std::string h;
        char b[4];
        for (unsigned char c : a.get<std::string>()) {
          std::snprintf(b, sizeof b, verb == 'x' ? "%02x" : "%02X", c);
          h += b;
        }
        return pad(h, sp, false);
      }
      if (a.is_number_float() && verb != 'd' && verb != 'o')
        return format_float(a.get<double>(), verb == 'X' ? 'A' : 'a', sp);
      return bad_verb(verb, a);
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
      if (a.is_number_float()) return format_float(a.get<double>(), verb == 'F' ? 'f' : verb, sp);
      return bad_verb(verb, a);
    case 't':
      if (a.is_boolean()) return pad(a.get<bool>() ? "true" : "false", sp, false);
      return bad_verb(verb, a);
    case 'c':
      if (a.is_number_integer()) {
        auto c = static_cast<uint32_t>(a.get<int64_t>());
        std::string s;
        if (c < 0x80) {
          s += static_cast<char>(c);
        } else if (c < 0x800) {
          s += static_cast<char>(0xC0 | (c >> 6));
          s += static_cast<char>(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
          s += static_cast<char>(0xE0 | (c >> 12));
          s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
          s += static_cast<char>(0x80 | (c & 0x3F));
        } else {
          s += static_cast<char>(0xF0 | (c >> 18));
          s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
          s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
          s += static_cast<char>(0x80 | (c & 0x3F));
        }
        return pad(s, sp, false);
      }
      return bad_verb(verb, a);
    default:
      return bad_verb(verb, a);
  }
}

}  // namespace

std::string go_print(const json& v) {
  switch (v.type()) {
    case json::value_t::string:
      return v.get<std::string>();
    case json::value_t::number_integer:
      return std::to_string(v.get<int64_t>());
    case json::value_t::number_unsigned:
      return std::to_string(v.get<uint64_t>());
    case json::value_t::number_float:
      return go_float(v.get<double>());
    case json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case json::value_t::array: {
      std::string s = "[";
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (i > 0) s += ' ';
        s += go_print(v[i]);
      }
      return s + "]";
    }
    case json::value_t::object: {
      std::string s = "map[";
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) s += ' ';
        first = false;
        s += it.key() + ":" + go_print(it.value());
      }
      return s + "]";
    }
    case json::value_t::discarded:
      return "<no value>";
    default:
      return "<nil>";
  }
}

std::string go_sprintf(const std::string& f, const json* args, std::size_t nargs) {
  std::string out;
  std::size_t argi = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') {
      out += f[i];
      continue;
    }
    ++i;
    spec sp;
    for (; i < f.size(); ++i) {
      char c = f[i];
      if (c == '-')
        sp.minus = true;
      else if (c == '+')
        sp.plus = true;
      else if (c == '0')
        sp.zero = true;
      else if (c == ' ')
        sp.space = true;
      else if (c == '#')
        sp.sharp = true;
      else
        break;
    }
    auto number = [&](int& target) {
      if (i < f.size() && f[i] == '*') {
        ++i;
        if (argi < nargs && args[argi].is_number_integer())
          target = static_cast<int>(args[argi].get<int64_t>());
        else
          out += "%!(BADWIDTH)";
        ++argi;
        return;
      }
      if (i < f.size() && std::isdigit(static_cast<unsigned char>(f[i])) != 0) {
        target = 0;
        while (i < f.size() && std::isdigit(static_cast<unsigned char>(f[i])) != 0)
          target = target * 10 + (f[i++] - '0');
      }
    };
    number(sp.width);
    if (sp.width < 0 && sp.width != -1) {
      sp.minus = true;
      sp.width = -sp.width;
    }
    if (i < f.size() && f[i] == '.') {
      ++i;
      sp.prec = 0;
      number(sp.prec);
    }
    if (i >= f.size()) {
      out += "%!(NOVERB)";
      break;
    }
    char verb = f[i];
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (argi >= nargs) {
      out += std::string("%!") + verb + "(MISSING)";
      continue;
    }
    out += format_one(verb, sp, args[argi++]);
  }
  if (argi < nargs) {
    out += "%!(EXTRA ";
    for (std::size_t k = argi; k < nargs; ++k) {
      if (k > argi) out += ", ";
      out += args[k].is_null() ? "<nil>" : type_name(args[k]) + "=" + go_print(args[k]);
    }
    out += ")";
  }
  return out;
}

bool truth(const json& v) {
  switch (v.type()) {
    case json::value_t::boolean:
      return v.get<bool>();
    case json::value_t::number_integer:
      return v.get<int64_t>() != 0;
    case json::value_t::number_unsigned:
      return v.get<uint64_t>() != 0;
    case json::value_t::number_float:
      return v.get<double>() != 0;
    case json::value_t::string:
      return !v.get_ref<const std::string&>().empty();
    case json::value_t::array:
    case json::value_t::object:
      return !v.empty();
    default:
      return false;
  }
}

std::string print_value(const json& v) {
  return go_print(v);
}

std::string type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::string:
      return "string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "int";
    case json::value_t::number_float:
      return "float64";
    case json::value_t::boolean:
      return "bool";
    case json::value_t::array:
      return "[]interface {}";
    case json::value_t::object:
      return "map[string]interface {}";
    default:
      return "interface {}";
  }
}

}  // namespace ctl::gotmpl
