#include "runtime/seccomp_profile.hpp"

#include <nlohmann/json.hpp>

#include "messages/error.hpp"

namespace ctrd::seccomp {
namespace {

using json = nlohmann::json;

struct reader {
  const std::string& origin;

  [[noreturn]] void fail(const std::string& what) const {
    throw error(ec::invalid_argument, "invalid seccomp profile " + origin + ": " + what);
  }

  action action_of(const json& v, const std::string& where) const {
    if (!v.is_string()) fail(where + " must be a string like \"SCMP_ACT_ERRNO\"");
    auto a = v.get<std::string>();
    if (a == "SCMP_ACT_ALLOW") return action::allow;
    if (a == "SCMP_ACT_ERRNO") return action::errno_ret;
    if (a == "SCMP_ACT_KILL" || a == "SCMP_ACT_KILL_THREAD") return action::kill_thread;
    if (a == "SCMP_ACT_KILL_PROCESS") return action::kill_process;
    if (a == "SCMP_ACT_TRAP") return action::trap;
    if (a == "SCMP_ACT_TRACE") return action::trace;
    if (a == "SCMP_ACT_LOG") return action::log;
    if (a == "SCMP_ACT_NOTIFY")
      fail(where + " SCMP_ACT_NOTIFY is not supported: ctrd has no seccomp agent");
    fail(where + " has the unknown action \"" + a + "\"");
  }

  compare op_of(const json& v, const std::string& where) const {
    if (!v.is_string()) fail(where + ".op must be a string like \"SCMP_CMP_EQ\"");
    auto o = v.get<std::string>();
    if (o == "SCMP_CMP_NE") return compare::ne;
    if (o == "SCMP_CMP_LT") return compare::lt;
    if (o == "SCMP_CMP_LE") return compare::le;
    if (o == "SCMP_CMP_EQ") return compare::eq;
    if (o == "SCMP_CMP_GE") return compare::ge;
    if (o == "SCMP_CMP_GT") return compare::gt;
    if (o == "SCMP_CMP_MASKED_EQ") return compare::masked_eq;
    fail(where + ".op has the unknown operator \"" + o + "\"");
  }

  uint64_t number(const json& v, const std::string& where) const {
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0))
      fail(where + " must be a non-negative integer");
    return v.get<uint64_t>();
  }

  int errno_value(const json& v, const std::string& where) const {
    auto n = number(v, where);
    if (n > 4095) fail(where + " must be an errno number (0-4095)");
    return static_cast<int>(n);
  }

  std::vector<std::string> strings(const json& obj, const char* key,
                                   const std::string& where) const {
    std::vector<std::string> out;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return out;
    if (!it->is_array()) fail(where + "." + key + " must be an array of strings");
    for (const auto& s : *it) {
      if (!s.is_string()) fail(where + "." + key + " must be an array of strings");
      out.push_back(s.get<std::string>());
    }
    return out;
  }

  /// includes/excludes: caps, arches, minKernel.
  void filter(const json& obj, const char* key, rule& r, const std::string& where) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return;
    if (!it->is_object()) fail(where + "." + key + " must be an object");
    auto w = where + "." + key;
    bool inc = std::string(key) == "includes";
    (inc ? r.include_caps : r.exclude_caps) = strings(*it, "caps", w);
    (inc ? r.include_arches : r.exclude_arches) = strings(*it, "arches", w);
    if (auto k = it->find("minKernel"); inc && k != it->end() && !k->is_null()) {
      if (!k->is_string()) fail(w + ".minKernel must be a string like \"4.8\"");
      r.min_kernel = k->get<std::string>();
    }
  }

  rule rule_of(const json& s, std::size_t i) const {
    auto where = "syscalls[" + std::to_string(i) + "]";
    if (!s.is_object()) fail(where + " must be an object");
    rule r;
    r.names = strings(s, "names", where);
    if (auto n = s.find("name"); n != s.end() && n->is_string())  // the old single form
      r.names.push_back(n->get<std::string>());
    if (r.names.empty()) fail(where + " has no \"names\"");
    auto act = s.find("action");
    if (act == s.end()) fail(where + " has no \"action\"");
    r.act = action_of(*act, where + ".action");
    if (auto e = s.find("errnoRet"); e != s.end() && !e->is_null())
      r.errno_ret = errno_value(*e, where + ".errnoRet");
    if (auto args = s.find("args"); args != s.end() && !args->is_null()) {
      if (!args->is_array()) fail(where + ".args must be an array");
      for (std::size_t j = 0; j < args->size(); ++j) {
        const auto& a = (*args)[j];
        auto aw = where + ".args[" + std::to_string(j) + "]";
        if (!a.is_object()) fail(aw + " must be an object");
        arg_rule ar;
        auto idx = a.find("index");
        if (idx == a.end()) fail(aw + " has no \"index\"");
        auto index = number(*idx, aw + ".index");
        if (index > 5) fail(aw + ".index must be 0-5");
        ar.index = static_cast<unsigned>(index);
        if (auto v = a.find("value"); v != a.end()) ar.value = number(*v, aw + ".value");
        if (auto v = a.find("valueTwo"); v != a.end()) ar.value_two = number(*v, aw + ".valueTwo");
        auto op = a.find("op");
        if (op == a.end()) fail(aw + " has no \"op\"");
        ar.op = op_of(*op, aw);
        r.args.push_back(ar);
      }
    }
    filter(s, "includes", r, where);
    filter(s, "excludes", r, where);
    if (auto c = s.find("comment"); c != s.end() && c->is_string())
      r.comment = c->get<std::string>();
    return r;
  }
};

}  // namespace

profile parse_profile(const std::string& text, const std::string& origin) {
  reader rd{origin};
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) rd.fail("not valid JSON");
  if (!j.is_object()) rd.fail("expected a JSON object with \"defaultAction\"");
  profile p;
  auto d = j.find("defaultAction");
  if (d == j.end()) rd.fail("no \"defaultAction\"");
  p.default_action = rd.action_of(*d, "defaultAction");
  if (auto e = j.find("defaultErrnoRet"); e != j.end() && !e->is_null())
    p.default_errno = rd.errno_value(*e, "defaultErrnoRet");
  p.architectures = rd.strings(j, "architectures", "profile");
  if (auto m = j.find("archMap"); m != j.end() && !m->is_null()) {
    if (!m->is_array()) rd.fail("archMap must be an array");
    for (const auto& e : *m) {
      if (!e.is_object() || !e.contains("architecture") || !e["architecture"].is_string())
        rd.fail("every archMap entry needs an \"architecture\"");
      p.arch_map.push_back(
          {e["architecture"].get<std::string>(), rd.strings(e, "subArchitectures", "archMap")});
    }
  }
  if (auto s = j.find("syscalls"); s != j.end() && !s->is_null()) {
    if (!s->is_array()) rd.fail("syscalls must be an array");
    for (std::size_t i = 0; i < s->size(); ++i) p.rules.push_back(rd.rule_of((*s)[i], i));
  }
  return p;
}

}  // namespace ctrd::seccomp
