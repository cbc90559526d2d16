// The parse tree of a Go template (go_template.hpp), shared by the parser
// (go_template_parse.cpp) and the evaluator (go_template_exec.cpp). Internal to ctl/.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "messages/value_codec.hpp"

namespace ctl::gotmpl {

using ctrd::json;

struct pipeline;

/// One operand of a command.
struct operand {
  enum kind_t { field, dot, variable, literal, function, sub } kind = dot;
  std::vector<std::string> chain;  ///< field names after the base (.A.B, $x.A, (...).A)
  std::string name;                ///< variable ("$x", "$") or function name
  json value;                      ///< literal value (string, number, bool, null)
  std::shared_ptr<pipeline> pipe;  ///< parenthesised pipeline (kind sub)
  std::size_t pos = 0;             ///< byte offset in the source
  std::string src;                 ///< its source text, for error messages
};

/// A command: a function call with arguments, or a single operand.
struct command {
  std::vector<operand> args;
  std::size_t pos = 0;
  std::string src;
};

/// A pipeline with optional variable declarations ($x := ... or $i, $e := ...).
struct pipeline {
  std::vector<std::string> decl;
  bool assign = false;  ///< `=` (assign existing variables) instead of `:=`
  std::vector<command> cmds;
  std::size_t pos = 0;
};

/// A node of the tree.
struct node {
  enum kind_t { list, txt, action, if_, range, with, brk, cont } kind = list;
  std::string text;             ///< text nodes
  pipeline pipe;                ///< action, if, range, with
  std::vector<node> body;       ///< list, if/range/with body
  std::vector<node> else_body;  ///< if/range/with else branch
  std::size_t pos = 0;
};

/// Whether a function name is defined (builtins and podman's extras).
bool known_function(const std::string& name);

/// "template: NAME:LINE:COL" for a byte offset (Go's ErrorContext; COL is 0-based).
std::string error_context(const std::string& name, const std::string& text, std::size_t pos);

/// "template: NAME:LINE" for a byte offset (Go's parse error location).
std::string parse_context(const std::string& name, const std::string& text, std::size_t pos);

/// Parses a template. Throws ctrd::error (invalid_argument) with Go's parse messages.
node parse_tree(const std::string& text, const std::string& name);

}  // namespace ctl::gotmpl
