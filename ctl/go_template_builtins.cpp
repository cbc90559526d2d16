// The functions of ctrctl's Go templates: Go's builtins (and/or are evaluated lazily by the
// evaluator) and podman's report functions (json, join, lower, upper, title, split,
// truncate). Messages are Go's, without the "error calling NAME: " prefix where Go adds one.
#include <cctype>

#include "ctl/go_template.hpp"
#include "ctl/go_template_funcs.hpp"

namespace ctl::gotmpl {
namespace {

[[noreturn]] void fail(const std::string& msg) {
  throw func_error(msg);
}

void want(const std::string& name, const std::vector<json>& args, std::size_t n) {
  if (args.size() != n)
    fail("wrong number of args for " + name + ": want " + std::to_string(n) + " got " +
         std::to_string(args.size()));
}

void want_at_least(const std::string& name, const std::vector<json>& args, std::size_t n) {
  if (args.size() < n)
    fail("wrong number of args for " + name + ": want at least " + std::to_string(n) + " got " +
         std::to_string(args.size()));
}

const std::string& str_arg(const json& v) {
  if (!v.is_string()) fail("wrong type for value; expected string; got " + type_name(v));
  return v.get_ref<const std::string&>();
}

int64_t int_arg(const std::string& fn, const json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_unsigned()) return static_cast<int64_t>(v.get<uint64_t>());
  fail("error calling " + fn + ": cannot index slice/array with type " + type_name(v));
}

enum class kind { boolean, integer, floating, string, nil, other };

kind kind_of(const json& v) {
  if (v.is_boolean()) return kind::boolean;
  if (v.is_number_integer() || v.is_number_unsigned()) return kind::integer;
  if (v.is_number_float()) return kind::floating;
  if (v.is_string()) return kind::string;
  if (v.is_null() || v.is_discarded()) return kind::nil;
  return kind::other;
}

bool numeric(kind k) {
  return k == kind::integer || k == kind::floating;
}

double as_double(const json& v) {
  return v.get<double>();
}

// -1, 0, 1; `ordered` for lt/le/gt/ge (booleans and nil are not ordered).
int compare(const std::string& fn, const json& a, const json& b, bool ordered) {
  kind ka = kind_of(a), kb = kind_of(b);
  if (ka == kind::other || kb == kind::other) {
    if (ordered) fail("error calling " + fn + ": invalid type for comparison");
    fail("error calling " + fn + ": non-comparable type " + go_print(ka == kind::other ? a : b) +
         ": " + type_name(ka == kind::other ? a : b));
  }
  if (ordered && (ka == kind::boolean || kb == kind::boolean || ka == kind::nil || kb == kind::nil))
    fail("error calling " + fn + ": invalid type for comparison");
  if (numeric(ka) && numeric(kb)) {
    if (ka == kind::integer && kb == kind::integer) {
      auto x = a.get<int64_t>(), y = b.get<int64_t>();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    double x = as_double(a), y = as_double(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (ka != kb) {
    if (ka == kind::nil || kb == kind::nil) return 1;  // eq x nil: false
    fail("error calling " + fn + ": incompatible types for comparison");
  }
  if (ka == kind::nil) return 0;
  if (ka == kind::boolean) return a.get<bool>() == b.get<bool>() ? 0 : 1;
  const auto& x = a.get_ref<const std::string&>();
  const auto& y = b.get_ref<const std::string&>();
  return x < y ? -1 : x > y ? 1 : 0;
}

json index_of(const std::vector<json>& args) {
  want_at_least("index", args, 1);
  json cur = args[0];
  for (std::size_t i = 1; i < args.size(); ++i) {
    const json& k = args[i];
    if (cur.is_array() || cur.is_string()) {
      int64_t n = int_arg("index", k);
      auto size = static_cast<int64_t>(cur.is_array() ? cur.size() : cur.get<std::string>().size());
      if (n < 0 || n >= size) fail("error calling index: index out of range: " + std::to_string(n));
      if (cur.is_array())
        cur = json(cur[static_cast<std::size_t>(n)]);
      else
        cur = static_cast<int64_t>(
            static_cast<unsigned char>(cur.get<std::string>()[static_cast<std::size_t>(n)]));
    } else if (cur.is_object()) {
      if (!k.is_string())
        fail("error calling index: value has type " + type_name(k) + "; should be string");
      auto it = cur.find(k.get<std::string>());
      cur = it == cur.end() ? json("") : json(*it);  // podman's maps hold strings: zero ""
    } else if (cur.is_null() || cur.is_discarded()) {
      fail("error calling index: index of untyped nil");
    } else {
      fail("error calling index: can't index item of type " + type_name(cur));
    }
  }
  return cur;
}

json slice_of(const std::vector<json>& args) {
  want_at_least("slice", args, 1);
  const json& v = args[0];
  if (!v.is_array() && !v.is_string())
    fail("error calling slice: can't slice item of type " + type_name(v));
  auto size = static_cast<int64_t>(v.is_array() ? v.size() : v.get<std::string>().size());
  int64_t from = args.size() > 1 ? int_arg("slice", args[1]) : 0;
  int64_t to = args.size() > 2 ? int_arg("slice", args[2]) : size;
  if (args.size() > 3)
    fail("error calling slice: too many slice indexes: " + std::to_string(args.size() - 1));
  if (from < 0 || to < from || to > size)
    fail("error calling slice: index out of range: " + std::to_string(to > size ? to : from));
  if (v.is_string())
    return v.get<std::string>().substr(static_cast<std::size_t>(from),
                                       static_cast<std::size_t>(to - from));
  json out = json::array();
  for (int64_t i = from; i < to; ++i) out.push_back(v[static_cast<std::size_t>(i)]);
  return out;
}

std::string sprint(const std::vector<json>& args, bool ln) {
  std::string out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i > 0 && (ln || (!args[i].is_string() && !args[i - 1].is_string()))) out += ' ';
    out += go_print(args[i]);
  }
  if (ln) out += '\n';
  return out;
}

std::string title(std::string s) {
  bool start = true;
  for (auto& c : s) {
    auto u = static_cast<unsigned char>(c);
    if (start && std::islower(u) != 0) c = static_cast<char>(std::toupper(u));
    start = std::isspace(u) != 0 || u == '-' || u == '_' || u == '.';
  }
  return s;
}

}  // namespace

json call_function(const std::string& name, const std::vector<json>& args) {
  if (name == "not") {
    want(name, args, 1);
    return !truth(args[0]);
  }
  if (name == "len") {
    want(name, args, 1);
    const json& v = args[0];
    if (v.is_string()) return static_cast<int64_t>(v.get_ref<const std::string&>().size());
    if (v.is_array() || v.is_object()) return static_cast<int64_t>(v.size());
    fail("error calling len: len of type " + type_name(v));
  }
  if (name == "index") return index_of(args);
  if (name == "slice") return slice_of(args);
  if (name == "print") return sprint(args, false);
  if (name == "println") return sprint(args, true);
  if (name == "printf") {
    want_at_least(name, args, 1);
    return go_sprintf(str_arg(args[0]), args.data() + 1, args.size() - 1);
  }
  if (name == "eq" || name == "ne") {
    want_at_least(name, args, 2);
    if (name == "ne") want(name, args, 2);
    bool eq = false;
    for (std::size_t i = 1; i < args.size() && !eq; ++i)
      eq = compare(name, args[0], args[i], false) == 0;
    return name == "eq" ? eq : !eq;
  }
  if (name == "lt" || name == "le" || name == "gt" || name == "ge") {
    want(name, args, 2);
    int c = compare(name, args[0], args[1], true);
    if (name == "lt") return c < 0;
    if (name == "le") return c <= 0;
    if (name == "gt") return c > 0;
    return c >= 0;
  }
  if (name == "json") {
    want(name, args, 1);
    if (args[0].is_discarded()) return "null";
    return args[0].dump(-1, ' ', false, json::error_handler_t::replace);
  }
  if (name == "join") {
    want(name, args, 2);
    const std::string& sep = str_arg(args[1]);
    if (args[0].is_string()) return args[0];  // a single name (ps .Names)
    if (!args[0].is_array())
      fail("wrong type for value; expected []string; got " + type_name(args[0]));
    std::string out;
    for (std::size_t i = 0; i < args[0].size(); ++i) {
      if (i > 0) out += sep;
      out += go_print(args[0][i]);
    }
    return out;
  }
  if (name == "lower" || name == "upper" || name == "title") {
    want(name, args, 1);
    std::string s = str_arg(args[0]);
    if (name == "title") return title(s);
    for (auto& c : s) {
      auto u = static_cast<unsigned char>(c);
      c = static_cast<char>(name == "lower" ? std::tolower(u) : std::toupper(u));
    }
    return s;
  }
  if (name == "split") {
    want(name, args, 2);
    const std::string& s = str_arg(args[0]);
    const std::string& sep = str_arg(args[1]);
    json out = json::array();
    if (sep.empty()) {
      for (char c : s) out.push_back(std::string(1, c));
      return out;
    }
    std::size_t start = 0;
    for (;;) {
      std::size_t p = s.find(sep, start);
      out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
      if (p == std::string::npos) break;
      start = p + sep.size();
    }
    return out;
  }
  if (name == "truncate") {
    want(name, args, 2);
    const std::string& s = str_arg(args[0]);
    if (!args[1].is_number_integer())
      fail("wrong type for value; expected int; got " + type_name(args[1]));
    auto n = args[1].get<int64_t>();
    if (n >= 0 && static_cast<std::size_t>(n) < s.size())
      return s.substr(0, static_cast<std::size_t>(n));
    return s;
  }
  fail("function \"" + name + "\" not defined");
}

}  // namespace ctl::gotmpl
