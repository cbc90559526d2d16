#include "config/service_precheck.hpp"

#include <string>
#include <vector>

namespace ctrd::service_text {

text_problem precheck(const std::string& text) {
  enum class st { code, basic, literal, ml_basic, ml_literal, comment } s = st::code;
  enum class expect { key, value, after } e = expect::key;  // what code expects next
  std::vector<char> nest;  // the '[' arrays and '{' inline tables around the current value
  bool header = false;     // inside a [table] or [[array-of-tables]] header
  bool bare = false;       // inside a bare value
  char prev = '\n';        // the previous character in code
  int line = 1, dots = 0;
  std::size_t line_start = 0;
  auto at = [&](std::size_t pos, std::string message) {
    int column = 1;
    for (std::size_t j = line_start; j < pos; ++j)
      if ((static_cast<unsigned char>(text[j]) & 0xc0) != 0x80) ++column;
    return text_problem{line, column, std::move(message)};
  };
  auto non_ascii = [&](std::size_t pos) { return pos < text.size() && (text[pos] & 0x80) != 0; };
  auto space = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; };
  // Enters the string whose opening quote is text[pos].
  auto open_string = [&](std::size_t& pos) {
    const bool basic = text[pos] == '"';
    if (text.compare(pos, 3, basic ? "\"\"\"" : "'''") == 0) {
      s = basic ? st::ml_basic : st::ml_literal;
      pos += 2;
    } else {
      s = basic ? st::basic : st::literal;
    }
  };
  std::size_t i = text.compare(0, 3, "\xef\xbb\xbf") == 0 ? 3 : 0;  // byte-order mark
  line_start = i;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      line_start = i + 1;
      dots = 0;
      if (s == st::comment || s == st::basic || s == st::literal) s = st::code;
      if (s == st::code) {
        prev = '\n';
        bare = false;
        if (nest.empty()) {  // arrays may span lines; anything else ends with the line
          e = expect::key;
          header = false;
        }
      }
      continue;
    }
    switch (s) {
      case st::code: {
        const char before = prev;
        prev = c;
        if (c == '.' && ++dots > max_dots_per_line)
          return {line, 0,
                  "too many '.' on one line (more than " + std::to_string(max_dots_per_line) +
                      " outside strings): keys nested this deeply are not supported"};
        if (non_ascii(i))
          return at(i,
                    "non-ASCII character outside a string or comment (quote keys that are "
                    "not plain ASCII)");
        if (bare) {
          if (!space(c) && c != ',' && c != ']' && c != '}' && c != '#') break;
          bare = false;
          e = expect::after;
        }
        if (c == '#') {
          s = st::comment;
        } else if (space(c)) {
          // nothing to do
        } else if (e == expect::key) {
          if (c == '"' || c == '\'') {
            if (space(before) || before == '\n' || before == '.' || before == '{' ||
                before == ',' || before == '[')
              open_string(i);  // a quoted key: still a key afterwards
          } else if (c == '[' && nest.empty() && (!header || before == '[')) {
            header = true;
          } else if (c == ']' && header) {
            e = expect::after;
          } else if (c == '=') {
            e = expect::value;
          } else if (c == '}' && !nest.empty() && nest.back() == '{') {
            nest.pop_back();
            e = expect::after;
          }
        } else if (e == expect::value) {
          if (c == '"' || c == '\'') {
            open_string(i);
            e = expect::after;
          } else if (c == '[') {
            nest.push_back('[');
          } else if (c == '{') {
            nest.push_back('{');
            e = expect::key;
          } else if (c == ']' && !nest.empty() && nest.back() == '[') {
            nest.pop_back();
            e = expect::after;
          } else {
            bare = true;
          }
        } else if (c == ',') {  // after a value
          if (!nest.empty()) e = nest.back() == '{' ? expect::key : expect::value;
        } else if (c == ']' || c == '}') {
          if (!nest.empty() && nest.back() == (c == ']' ? '[' : '{')) nest.pop_back();
        } else {
          bare = true;  // junk, or the time of a date-time: up to a terminator
        }
        break;
      }
      case st::basic:
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n')
          ++i;
        else if (c == '"')
          s = st::code;
        break;
      case st::literal:
        if (c == '\'') s = st::code;
        break;
      case st::ml_basic:
        if (c == '\\') {
          if (non_ascii(i + 1))
            return at(i, "invalid escape sequence: '\\' followed by a non-ASCII character");
          std::size_t j = i + 1;
          while (j < text.size() && space(text[j])) ++j;
          if (j < text.size() && text[j] == '\n') {
            // A line-ending backslash: whitespace and line breaks up to the next character
            // are trimmed; leave them to the main loop (it counts the lines).
            std::size_t k = j;
            while (k < text.size() && (space(text[k]) || text[k] == '\n')) ++k;
            if (non_ascii(k)) {
              for (; i < k; ++i)
                if (text[i] == '\n') {
                  ++line;
                  line_start = i + 1;
                }
              return at(k,
                        "a line continued by a line-ending backslash must not start with a "
                        "non-ASCII character (toml++ cannot parse it): write it as an escape "
                        "such as \\u00e9");
            }
          } else if (i + 1 < text.size() && text[i + 1] != '\n') {
            ++i;
          }
        } else if (text.compare(i, 3, "\"\"\"") == 0) {
          // Up to two more quotes may belong to the string ("""a"""""): skip them all.
          while (i + 3 < text.size() && text[i + 3] == '"') ++i;
          i += 2;
          s = st::code;
        }
        break;
      case st::ml_literal:
        if (text.compare(i, 3, "'''") == 0) {
          while (i + 3 < text.size() && text[i + 3] == '\'') ++i;
          i += 2;
          s = st::code;
        }
        break;
      case st::comment:
        break;
    }
  }
  return {};
}

}  // namespace ctrd::service_text
