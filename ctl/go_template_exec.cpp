// The evaluator of Go templates (go_template.hpp) over JSON values: walks the parse tree
// (go_template_ast.hpp) with dot and the variable stack, calls the functions
// (go_template_funcs.cpp) and prints values like Go's fmt %v.
#include <set>

#include "ctl/go_template.hpp"
#include "ctl/go_template_ast.hpp"
#include "ctl/go_template_funcs.hpp"
#include "messages/error.hpp"

namespace ctl::gotmpl {
namespace {

const json& no_value() {
  static const json v(json::value_t::discarded);
  return v;
}

// Keys whose objects are Go maps (unknown keys print "<no value>") rather than structs.
bool map_key(const std::string& key) {
  static const std::set<std::string> keys = {"Labels", "Annotations", "Attributes",
                                             "labels", "annotations", "Env"};
  return keys.count(key) != 0;
}

// An object without keys, or with a key that does not start with an upper-case letter, is a
// map; the others are podman's structs.
bool looks_like_map(const json& o) {
  if (o.empty()) return true;
  for (auto it = o.begin(); it != o.end(); ++it)
    if (it.key().empty() || it.key()[0] < 'A' || it.key()[0] > 'Z') return true;
  return false;
}

struct loop_break {};
struct loop_continue {};

class executor {
 public:
  executor(const std::string& name, const std::string& text, const json& data)
      : name_(name), text_(text) {
    vars_.emplace_back("$", data);
  }

  void run(const std::vector<node>& list, const json& dot) {
    for (const auto& n : list) run(n, dot);
  }

  std::string out;

 private:
  const std::string& name_;
  const std::string& text_;
  std::vector<std::pair<std::string, json>> vars_;

  [[noreturn]] void fail(std::size_t pos, const std::string& at, const std::string& msg) const {
    std::string m = error_context(name_, text_, pos) + ": executing \"" + name_ + "\"";
    if (!at.empty()) m += " at <" + at + ">";
    throw ctrd::error(ctrd::ec::invalid_argument, m + ": " + msg);
  }

  void run(const node& n, const json& dot) {
    switch (n.kind) {
      case node::txt:
        out += n.text;
        return;
      case node::action: {
        json v = eval_pipeline(n.pipe, dot);
        if (n.pipe.decl.empty()) out += print_value(v);
        return;
      }
      case node::if_:
      case node::with: {
        std::size_t mark = vars_.size();
        json v = eval_pipeline(n.pipe, dot);
        bool t = truth(v);
        if (t)
          run(n.body, n.kind == node::with ? v : dot);
        else
          run(n.else_body, dot);
        vars_.resize(mark);
        return;
      }
      case node::range:
        run_range(n, dot);
        return;
      case node::brk:
        throw loop_break{};
      case node::cont:
        throw loop_continue{};
      case node::list:
        run(n.body, dot);
        return;
    }
  }

  void run_range(const node& n, const json& dot) {
    std::size_t mark = vars_.size();
    pipeline pl = n.pipe;
    std::vector<std::string> decl = pl.decl;
    pl.decl.clear();
    json v = eval_pipeline(pl, dot);
    auto one = [&](const json& key, const json& elem) {
      std::size_t inner = vars_.size();
      if (decl.size() == 1) vars_.emplace_back(decl[0], elem);
      if (decl.size() == 2) {
        vars_.emplace_back(decl[0], key);
        vars_.emplace_back(decl[1], elem);
      }
      bool stop = false;
      try {
        run(n.body, elem);
      } catch (const loop_break&) {
        stop = true;
      } catch (const loop_continue&) {
      }
      vars_.resize(inner);
      return !stop;
    };
    std::size_t count = 0;
    if (v.is_array()) {
      for (std::size_t i = 0; i < v.size(); ++i, ++count)
        if (!one(json(static_cast<int64_t>(i)), v[i])) break;
    } else if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it, ++count)
        if (!one(json(it.key()), it.value())) break;
    } else if (v.is_number_integer()) {
      for (int64_t i = 0; i < v.get<int64_t>(); ++i, ++count)
        if (!one(json(i), json(i))) break;
    } else if (!v.is_null() && !v.is_discarded()) {
      fail(n.pos, "", "range can't iterate over " + print_value(v));
    }
    if (count == 0) run(n.else_body, dot);
    vars_.resize(mark);
  }

  json eval_pipeline(const pipeline& pl, const json& dot) {
    json v;
    bool have = false;
    for (const auto& c : pl.cmds) {
      v = eval_command(c, dot, have ? &v : nullptr);
      have = true;
    }
    for (const auto& d : pl.decl) {
      if (pl.assign) {
        bool found = false;
        for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
          if (it->first == d) {
            it->second = v;
            found = true;
            break;
          }
        if (!found) fail(pl.pos, "", "undefined variable: " + d);
      } else {
        vars_.emplace_back(d, v);
      }
    }
    return v;
  }

  json eval_command(const command& c, const json& dot, const json* final) {
    const operand& first = c.args[0];
    if (first.kind == operand::function) {
      const std::string& f = first.name;
      if (f == "and" || f == "or") {  // lazy, return the deciding value
        std::size_t n = c.args.size() - 1 + (final != nullptr ? 1 : 0);
        if (n < 1) fail(c.pos, c.src, "wrong number of args for " + f + ": want at least 1 got 0");
        json v;
        for (std::size_t i = 1; i <= n; ++i) {
          v = i < c.args.size() ? eval_arg(c.args[i], dot) : *final;
          if (truth(v) == (f == "or")) return v;
        }
        return v;
      }
      std::vector<json> args;
      for (std::size_t i = 1; i < c.args.size(); ++i) args.push_back(eval_arg(c.args[i], dot));
      if (final != nullptr) args.push_back(*final);
      try {
        return call_function(f, args);
      } catch (const func_error& e) {
        fail(c.pos, c.src, e.what());
      }
    }
    if (c.args.size() > 1 || final != nullptr)
      fail(first.pos, c.src, "can't give argument to non-function " + first.src);
    return eval_arg(first, dot);
  }

  json eval_arg(const operand& o, const json& dot) {
    switch (o.kind) {
      case operand::literal:
        return o.value;
      case operand::dot:
        return dot;
      case operand::field:
        return walk(dot, o.chain, o, looks_like_map_value(dot));
      case operand::variable: {
        for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
          if (it->first == o.name)
            return walk(it->second, o.chain, o, looks_like_map_value(it->second));
        fail(o.pos, o.src, "undefined variable: " + o.name);
      }
      case operand::sub: {
        std::size_t mark = vars_.size();
        json v = eval_pipeline(*o.pipe, dot);
        vars_.resize(mark);
        return walk(v, o.chain, o, looks_like_map_value(v));
      }
      case operand::function: {  // a function as an argument: call it without arguments
        std::vector<json> none;
        try {
          return call_function(o.name, none);
        } catch (const func_error& e) {
          fail(o.pos, o.src, e.what());
        }
      }
    }
    return no_value();
  }

  static bool looks_like_map_value(const json& v) { return v.is_object() && looks_like_map(v); }

  // Follows .A.B.C from v; `is_map` tells whether v is a map.
  json walk(const json& v, const std::vector<std::string>& chain, const operand& o, bool is_map) {
    const json* cur = &v;
    for (const auto& f : chain) {
      if (cur->is_discarded()) return no_value();
      if (cur->is_object()) {
        auto it = cur->find(f);
        if (it == cur->end()) {
          if (is_map) return no_value();
          fail(o.pos, o.src, "can't evaluate field " + f + " in type " + type_name(*cur));
        }
        cur = &*it;
        is_map = map_key(f) || (cur->is_object() && looks_like_map(*cur));
        continue;
      }
      if (cur->is_null()) fail(o.pos, o.src, "nil pointer evaluating interface {}." + f);
      fail(o.pos, o.src, "can't evaluate field " + f + " in type " + type_name(*cur));
    }
    return *cur;
  }
};

}  // namespace
}  // namespace ctl::gotmpl

namespace ctl {
namespace gotmpl {

tmpl tmpl::parse(const std::string& text, const std::string& name) {
  tmpl t;
  t.name_ = name;
  t.text_ = text;
  t.root_ = std::make_shared<const node>(parse_tree(text, name));
  return t;
}

std::string tmpl::execute(const json& data) const {
  executor ex(name_, text_, data);
  try {
    ex.run(root_->body, data);
  } catch (const loop_break&) {
  } catch (const loop_continue&) {
  }
  return std::move(ex.out);
}

}  // namespace gotmpl
}  // namespace ctl
