// A hand-written evaluator of Go's text/template language over JSON values, for podman-style
// `--format` templates: field chains ({{.State.Status}}), variables ($, $x := ..., range
// $i, $e := ...), pipelines ({{.Name | upper}}), if/else if/else, range/else, with,
// comments, whitespace trimming ({{- -}}), Go's builtins (and, or, not, len, index, print,
// printf, println, eq, ne, lt, le, gt, ge) and podman's extras (json, join, lower, upper,
// title, truncate, split). Values print like Go's fmt %v: arrays as "[a b]", objects as
// "map[k:v]", a missing map key as "<no value>". CAF-free; parse once, execute many times.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "messages/value_codec.hpp"

namespace ctl {

using ctrd::json;

namespace gotmpl {

struct node;

/// A parsed template. parse() and execute() throw ctrd::error (invalid_argument) with Go's
/// messages: "template: NAME:LINE: unexpected ..." for syntax errors and
/// "template: NAME:LINE:COL: executing \"NAME\" at <.Foo>: can't evaluate field Foo in type
/// T" for errors while executing.
class tmpl {
 public:
  /// Parses `text` (the template source, escapes already resolved). `name` appears in errors.
  static tmpl parse(const std::string& text, const std::string& name = "output");

  /// Executes the template with `data` as dot and $. Objects are Go structs at the top and
  /// below keys that hold structs (unknown fields are errors) but maps below keys named
  /// Labels, Annotations, Attributes, labels or annotations (unknown keys: "<no value>").
  std::string execute(const json& data) const;

 private:
  std::shared_ptr<const node> root_;
  std::string name_;
  std::string text_;
};

/// Go's fmt %v of a value: strings as is, integers in decimal, floats shortest (%g style),
/// bools true/false, null "<nil>", arrays "[a b]", objects "map[k:v ...]" (keys sorted).
std::string go_print(const json& v);

/// Go's fmt.Sprintf for the verbs templates use: %v %s %d %q %x %X %f %e %g %t %c %%, with
/// flags (- + 0 space #), width and precision (also `*`). Mismatches print like Go
/// ("%!d(string=x)", "%!s(MISSING)", "%!(EXTRA string=x)").
std::string go_sprintf(const std::string& format, const json* args, std::size_t nargs);

/// podman's column header for a field name: camel case split into words, upper-cased
/// ("CreatedAt" -> "CREATED AT", "ID" -> "ID", "PIDNS" -> "PIDNS").
std::string header_name(const std::string& field);

}  // namespace gotmpl

/// Header overrides of one verb: field name -> header ("ID" -> "CONTAINER ID").
using header_names = std::map<std::string, std::string>;

/// Renders `data` with a podman `--format` string, as podman's report package does:
/// "\t" and "\n" escapes are resolved and a final newline added; a "table " prefix adds a
/// header row (each field's header_name(), or its override in `headers`); when `data` is an
/// array the template runs once per element unless it ranges over dot itself
/// ({{range .}}...{{end}}); the output is laid out like Go's tabwriter (tab_table: cells
/// separated by tabs, minwidth 12, padding 2). Throws ctrd::error with Go's messages.
std::string render_format(const json& data, const std::string& format,
                          const header_names& headers = {}, const std::string& name = "output");

/// True when `format` asks for JSON output ("json" or "{{json .}}", podman's IsJSON).
bool is_json_format(const std::string& format);

/// True when `format` is a "table" format ("table" or "table ...").
bool is_table_format(const std::string& format);

}  // namespace ctl
