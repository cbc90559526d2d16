// The parser of Go templates (go_template_ast.hpp): a scanner for the text between actions
// and the tokens inside {{ }}, and a recursive-descent parser for if/else if/else, range,
// with, pipelines and operands. Messages follow Go's text/template/parse.
#include <cctype>
#include <set>

#include "ctl/go_template_ast.hpp"
#include "messages/error.hpp"

namespace ctl::gotmpl {

bool known_function(const std::string& name) {
  static const std::set<std::string> names = {
      "and",   "or",    "not",   "len",   "index",    "print", "printf", "println",
      "eq",    "ne",    "lt",    "le",    "gt",       "ge",    "json",   "join",
      "lower", "upper", "title", "split", "truncate", "slice"};
  return names.count(name) != 0;
}

std::string parse_context(const std::string& name, const std::string& text, std::size_t pos) {
  std::size_t line = 1;
  for (std::size_t i = 0; i < pos && i < text.size(); ++i)
    if (text[i] == '\n') ++line;
  return "template: " + name + ":" + std::to_string(line);
}

std::string error_context(const std::string& name, const std::string& text, std::size_t pos) {
  std::size_t line = 1, start = 0;
  for (std::size_t i = 0; i < pos && i < text.size(); ++i)
    if (text[i] == '\n') {
      ++line;
      start = i + 1;
    }
  return "template: " + name + ":" + std::to_string(line) + ":" + std::to_string(pos - start);
}

namespace {

enum class tk { ident, field, dot, var, str, num, lparen, rparen, pipe, declare, assign, comma };

struct token {
  tk type;
  std::string text;                ///< identifier, variable name, decoded string, number text
  std::vector<std::string> chain;  ///< field chain (.A.B) after a field, variable or ')'
  std::size_t pos = 0, end = 0;
  bool space_before = false;
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

class parser {
 public:
  parser(const std::string& text, const std::string& name) : t_(text), name_(name) {}

  node parse() {
    node root;
    root.kind = node::list;
    std::string term = parse_list(root.body);
    if (!term.empty()) fail(term_pos_, "unexpected {{" + term + "}}");
    return root;
  }

 private:
  const std::string& t_;
  const std::string& name_;
  std::size_t i_ = 0;         // scan position in the text
  bool trim_next_ = false;    // the previous action ended with -}}
  std::size_t term_pos_ = 0;  // where the last terminating keyword was
  std::vector<token> toks_;   // tokens of the current action
  std::size_t k_ = 0;         // position in toks_
  std::size_t action_pos_ = 0;

  [[noreturn]] void fail(std::size_t pos, const std::string& msg) const {
    throw ctrd::error(ctrd::ec::invalid_argument, parse_context(name_, t_, pos) + ": " + msg);
  }

  // Parses nodes into `out` until {{end}}, {{else ...}} or the end of the text; returns
  // "end", "else" (tokens after else left in toks_ at k_) or "" at the end of the text.
  std::string parse_list(std::vector<node>& out) {
    for (;;) {
      std::size_t open = t_.find("{{", i_);
      std::string text = t_.substr(i_, open == std::string::npos ? std::string::npos : open - i_);
      if (trim_next_) {
        std::size_t k = 0;
        while (k < text.size() && is_space(text[k])) ++k;
        text.erase(0, k);
        trim_next_ = false;
      }
      if (open == std::string::npos) {
        if (!text.empty()) out.push_back(text_node(text, i_));
        i_ = t_.size();
        return {};
      }
      std::size_t p = open + 2;
      if (p + 1 < t_.size() && t_[p] == '-' && is_space(t_[p + 1])) {
        while (!text.empty() && is_space(text.back())) text.pop_back();
        p += 2;
      }
      if (!text.empty()) out.push_back(text_node(text, i_));
      action_pos_ = open;
      while (p < t_.size() && is_space(t_[p])) ++p;
      if (t_.compare(p, 2, "/*") == 0) {  // comment
        std::size_t close = t_.find("*/", p + 2);
        if (close == std::string::npos) fail(open, "unclosed comment");
        p = close + 2;
        if (t_.compare(p, 4, " -}}") == 0) {
          trim_next_ = true;
          p += 2;
        }
        if (t_.compare(p, 2, "}}") != 0) fail(open, "comment ends before closing delimiter");
        i_ = p + 2;
        continue;
      }
      lex_action(p);
      if (toks_.empty()) fail(open, "missing value for command");
      const token& first = toks_[0];
      if (first.type == tk::ident) {
        const std::string& kw = first.text;
        if (kw == "end" || kw == "else") {
          term_pos_ = open;
          k_ = 1;
          if (kw == "end" && toks_.size() > 1)
            fail(open, "unexpected " + toks_[1].text + " in end");
          return kw;
        }
        if (kw == "if" || kw == "range" || kw == "with") {
          k_ = 1;
          out.push_back(parse_control(kw, open));
          continue;
        }
        if (kw == "break" || kw == "continue") {
          node n;
          n.kind = kw == "break" ? node::brk : node::cont;
          n.pos = open;
          out.push_back(std::move(n));
          continue;
        }
        if (kw == "define" || kw == "template" || kw == "block")
          fail(open, "{{" + kw + "}} is not supported by ctrctl");
      }
      node n;
      n.kind = node::action;
      n.pos = open;
      k_ = 0;
      n.pipe = parse_pipeline("command", true);
      out.push_back(std::move(n));
    }
  }

  node text_node(const std::string& text, std::size_t pos) {
    node n;
    n.kind = node::txt;
    n.text = text;
    n.pos = pos;
    return n;
  }

  // After {{if|range|with: the pipeline, the body, an optional else (or else if/with).
  node parse_control(const std::string& kw, std::size_t pos) {
    node n;
    n.kind = kw == "if" ? node::if_ : kw == "range" ? node::range : node::with;
    n.pos = pos;
    n.pipe = parse_pipeline(kw, kw == "range" ? 2 : 1);
    std::string term = parse_list(n.body);
    if (term.empty()) fail(t_.size(), "unexpected EOF");
    if (term == "else") {
      if (k_ < toks_.size() && toks_[k_].type == tk::ident &&
          (toks_[k_].text == "if" || toks_[k_].text == "with") && kw != "range") {
        // {{else if ...}}: an if inside the else branch that shares the {{end}}.
        std::string inner = toks_[k_].text;
        ++k_;
        n.else_body.push_back(parse_control(inner, term_pos_));
        return n;
      }
      if (k_ < toks_.size()) fail(term_pos_, "unexpected " + toks_[k_].text + " in else");
      term = parse_list(n.else_body);
      if (term.empty()) fail(t_.size(), "unexpected EOF");
      if (term != "end") fail(term_pos_, "expected end; found {{else}}");
    }
    return n;
  }

  // Lexes the action starting at p (after "{{" and its trim marker) into toks_ and moves i_
  // past the closing "}}".
  void lex_action(std::size_t p) {
    toks_.clear();
    k_ = 0;
    for (;;) {
      bool space = false;
      while (p < t_.size() && is_space(t_[p])) {
        ++p;
        space = true;
      }
      if (p >= t_.size()) fail(action_pos_, "unclosed action");
      if (space && t_.compare(p, 3, "-}}") == 0) {
        trim_next_ = true;
        i_ = p + 3;
        return;
      }
      if (t_.compare(p, 2, "}}") == 0) {
        i_ = p + 2;
        return;
      }
      token tok;
      tok.pos = p;
      tok.space_before = space || toks_.empty();
      char c = t_[p];
      if (c == '"' || c == '`') {
        tok.type = tk::str;
        p = lex_string(p, tok.text);
      } else if (c == '.' && (p + 1 >= t_.size() || !is_alnum(t_[p + 1]))) {
        tok.type = tk::dot;
        ++p;
      } else if (c == '.') {
        tok.type = tk::field;
        p = lex_chain(p, tok.chain);
      } else if (c == '$') {
        tok.type = tk::var;
        std::size_t s = p++;
        while (p < t_.size() && is_alnum(t_[p])) ++p;
        tok.text = t_.substr(s, p - s);
        if (p < t_.size() && t_[p] == '.' && p + 1 < t_.size() && is_alnum(t_[p + 1]))
          p = lex_chain(p, tok.chain);
      } else if (std::isdigit(static_cast<unsigned char>(c)) != 0 ||
                 ((c == '-' || c == '+') && p + 1 < t_.size() &&
                  std::isdigit(static_cast<unsigned char>(t_[p + 1])) != 0)) {
        tok.type = tk::num;
        std::size_t s = p++;
        while (p < t_.size() &&
               (is_alnum(t_[p]) || t_[p] == '.' ||
                ((t_[p] == '-' || t_[p] == '+') && (t_[p - 1] == 'e' || t_[p - 1] == 'E'))))
          ++p;
        tok.text = t_.substr(s, p - s);
      } else if (c == '\'') {
        tok.type = tk::num;  // a character constant is a number in Go
        std::size_t s = p++;
        if (p < t_.size() && t_[p] == '\\') ++p;
        ++p;
        if (p >= t_.size() || t_[p] != '\'') fail(s, "unterminated character constant");
        ++p;
        tok.text = t_.substr(s, p - s);
      } else if (is_alnum(c)) {
        tok.type = tk::ident;
        std::size_t s = p;
        while (p < t_.size() && is_alnum(t_[p])) ++p;
        tok.text = t_.substr(s, p - s);
      } else if (c == '(') {
        tok.type = tk::lparen;
        ++p;
      } else if (c == ')') {
        tok.type = tk::rparen;
        ++p;
        if (p < t_.size() && t_[p] == '.' && p + 1 < t_.size() && is_alnum(t_[p + 1]))
          p = lex_chain(p, tok.chain);
      } else if (c == '|') {
        tok.type = tk::pipe;
        ++p;
      } else if (c == ',') {
        tok.type = tk::comma;
        ++p;
      } else if (c == ':' && p + 1 < t_.size() && t_[p + 1] == '=') {
        tok.type = tk::declare;
        p += 2;
      } else if (c == '=') {
        tok.type = tk::assign;
        ++p;
      } else {
        fail(p, std::string("unexpected \"") + c + "\" in command");
      }
      if (tok.type != tk::str && tok.type != tk::var)
        tok.text = tok.text.empty() ? t_.substr(tok.pos, p - tok.pos) : tok.text;
      tok.end = p;
      toks_.push_back(std::move(tok));
    }
  }

  // .A.B.C from p; returns the position after it.
  std::size_t lex_chain(std::size_t p, std::vector<std::string>& chain) {
    while (p < t_.size() && t_[p] == '.' && p + 1 < t_.size() && is_alnum(t_[p + 1])) {
      std::size_t s = ++p;
      while (p < t_.size() && is_alnum(t_[p])) ++p;
      chain.push_back(t_.substr(s, p - s));
    }
    return p;
  }

  // A quoted ("...", with Go escapes) or raw (`...`) string from p; returns the end.
  std::size_t lex_string(std::size_t p, std::string& out) {
    std::size_t s = p;
    char q = t_[p++];
    while (p < t_.size() && t_[p] != q) {
      char c = t_[p++];
      if (q == '"' && c == '\n') fail(s, "unterminated quoted string");
      if (q == '"' && c == '\\') {
        if (p >= t_.size()) break;
        char e = t_[p++];
        switch (e) {
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case 'r':
            out += '\r';
            break;
          case '\\':
            out += '\\';
            break;
          case '"':
            out += '"';
            break;
          case '\'':
            out += '\'';
            break;
          case 'a':
            out += '\a';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'v':
            out += '\v';
            break;
          case '0':
            out += '\0';
            break;
          default:
            fail(s, std::string("invalid syntax: unknown escape \\") + e);
        }
        continue;
      }
      out += c;
    }
    if (p >= t_.size())
      fail(s, q == '"' ? "unterminated quoted string" : "unterminated raw quoted string");
    return p + 1;
  }

  bool at_end(bool in_paren) const {
    return k_ >= toks_.size() || (in_paren && toks_[k_].type == tk::rparen);
  }

  // A pipeline from toks_[k_]: declarations (up to `max_vars` variables), then commands.
  pipeline parse_pipeline(const std::string& context, std::size_t max_vars, bool in_paren = false) {
    pipeline pl;
    pl.pos = k_ < toks_.size() ? toks_[k_].pos : action_pos_;
    // $x := / $x = / $i, $e :=
    if (k_ < toks_.size() && toks_[k_].type == tk::var && toks_[k_].chain.empty()) {
      std::size_t save = k_;
      std::vector<std::string> vars{toks_[k_].text};
      std::size_t k = k_ + 1;
      if (max_vars > 1 && k + 1 < toks_.size() && toks_[k].type == tk::comma &&
          toks_[k + 1].type == tk::var) {
        vars.push_back(toks_[k + 1].text);
        k += 2;
      }
      if (k < toks_.size() && (toks_[k].type == tk::declare || toks_[k].type == tk::assign)) {
        if (vars.size() > 1 && toks_[k].type == tk::assign)
          fail(toks_[k].pos, "too many declarations in " + context);
        pl.assign = toks_[k].type == tk::assign;
        pl.decl = vars;
        k_ = k + 1;
      } else {
        k_ = save;
      }
    }
    if (at_end(in_paren)) fail(action_pos_, "missing value for " + context);
    for (;;) {
      pl.cmds.push_back(parse_command(in_paren));
      if (at_end(in_paren)) break;
      if (toks_[k_].type != tk::pipe)
        fail(toks_[k_].pos, "unexpected \"" + toks_[k_].text + "\" in " + context);
      ++k_;
      if (at_end(in_paren)) fail(action_pos_, "missing command after |");
    }
    return pl;
  }

  command parse_command(bool in_paren) {
    command c;
    c.pos = toks_[k_].pos;
    std::size_t end = c.pos;
    while (!at_end(in_paren) && toks_[k_].type != tk::pipe) {
      if (!c.args.empty() && !toks_[k_].space_before && toks_[k_].type != tk::lparen)
        fail(toks_[k_].pos, "missing space before \"" + toks_[k_].text + "\"");
      c.args.push_back(parse_operand());
      end = k_ > 0 ? toks_[k_ - 1].end : end;
    }
    if (c.args.empty()) fail(action_pos_, "empty command");
    c.src = t_.substr(c.pos, end - c.pos);
    return c;
  }

  operand parse_operand() {
    const token& tok = toks_[k_];
    operand o;
    o.pos = tok.pos;
    switch (tok.type) {
      case tk::field:
        o.kind = operand::field;
        o.chain = tok.chain;
        break;
      case tk::dot:
        o.kind = operand::dot;
        break;
      case tk::var:
        o.kind = operand::variable;
        o.name = tok.text;
        o.chain = tok.chain;
        break;
      case tk::str:
        o.kind = operand::literal;
        o.value = tok.text;
        break;
      case tk::num:
        o.kind = operand::literal;
        o.value = parse_number(tok);
        break;
      case tk::ident:
        if (tok.text == "true" || tok.text == "false") {
          o.kind = operand::literal;
          o.value = tok.text == "true";
        } else if (tok.text == "nil") {
          o.kind = operand::literal;
          o.value = nullptr;
        } else if (known_function(tok.text)) {
          o.kind = operand::function;
          o.name = tok.text;
        } else {
          fail(tok.pos, "function \"" + tok.text + "\" not defined");
        }
        break;
      case tk::lparen: {
        ++k_;
        o.kind = operand::sub;
        o.pipe = std::make_shared<pipeline>(parse_pipeline("parenthesized pipeline", 1, true));
        if (k_ >= toks_.size()) fail(tok.pos, "unclosed left paren");
        o.chain = toks_[k_].chain;  // the ')' token carries (...).A.B
        o.src = t_.substr(tok.pos, toks_[k_].end - tok.pos);
        ++k_;
        return o;
      }
      default:
        fail(tok.pos, "unexpected \"" + tok.text + "\" in operand");
    }
    o.src = t_.substr(tok.pos, tok.end - tok.pos);
    ++k_;
    return o;
  }

  json parse_number(const token& tok) {
    const std::string& s = tok.text;
    if (s[0] == '\'') {
      unsigned char c = static_cast<unsigned char>(s[1] == '\\' ? s[2] : s[1]);
      if (s[1] == '\\') c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
      return static_cast<int64_t>(c);
    }
    try {
      std::size_t used = 0;
      bool is_float = s.find_first_of(".eE") != std::string::npos && s.compare(0, 2, "0x") != 0 &&
                      s.compare(0, 2, "0X") != 0;
      if (!is_float) {
        long long v = std::stoll(s, &used, 0);
        if (used == s.size()) return static_cast<int64_t>(v);
      } else {
        double v = std::stod(s, &used);
        if (used == s.size()) return v;
      }
    } catch (const std::exception&) {
    }
    fail(tok.pos, "bad number syntax: \"" + s + "\"");
  }
};

}  // namespace

node parse_tree(const std::string& text, const std::string& name) {
  return parser(text, name).parse();
}

}  // namespace ctl::gotmpl
