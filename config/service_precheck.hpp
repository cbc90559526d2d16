// The text check a service file passes before toml++ parses it: toml++ 3.3 overflows its
// stack on very long dotted keys and reaches undefined behaviour on some non-ASCII input
// (found by fuzz/service_file_fuzz). Pure, CAF-free; used by config/service_file.cpp.
#pragma once

#include <string>

namespace ctrd::service_text {

/// More '.' than this outside strings and comments on one line is refused before toml++ sees
/// the text: toml++ builds (and destroys) dotted keys recursively, so `a.a.a...` with
/// hundreds of thousands of parts overflows the stack. Legitimate files need a handful.
inline constexpr int max_dots_per_line = 64;

/// A problem found in the text before toml++ parses it (see precheck).
struct text_problem {
  int line = 0;    // 1-based; 0: none
  int column = 0;  // 1-based, in characters
  std::string message;
};

/// Lexes `text` the way TOML does (code, strings, comments) and refuses, before toml++ sees
/// them, inputs that toml++ 3.3 cannot be trusted with:
///  - more '.' outside strings and comments on one line than max_dots_per_line;
///  - non-ASCII characters wherever toml++ asks whether they are whitespace: it does so
///    through is_non_ascii_horizontal_whitespace, which reaches __builtin_unreachable
///    (undefined behaviour) for most code points (toml++ issues #190 and #295; found by
///    fuzz/service_file_fuzz). That is anywhere outside strings and comments (TOML allows no
///    non-ASCII there anyway, save a leading byte-order mark), right after a backslash in a
///    multi-line basic string (an invalid escape anyway), and first after a line-ending
///    backslash (valid TOML, but rare: an escape such as \u00e9 is the workaround).
/// Where this lexing could differ from toml++'s it errs on the side of code: a quote opens a
/// string only where a key or a value begins, and a bare value (number, boolean, date, or
/// junk) runs up to the next whitespace, ',', ']', '}' or '#', as toml++ reads it.
text_problem precheck(const std::string& text);

}  // namespace ctrd::service_text
