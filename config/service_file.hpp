// Service files: one TOML file per container (`<name>.toml`) in ctrd's config directory
// (docs/service-files.md). This parser turns a file into the parameter map of a `create`
// request (docs/protocol.md, "Container definition"), plus "name" (the file's stem) and
// "source" (the file's absolute path). CAF-free; never throws for bad file content: every
// problem becomes a service_error naming the file, line, column and key.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "messages/value_codec.hpp"

namespace ctrd {

/// Default service-file directory of `ctrd --config-dir`.
inline constexpr const char* default_service_dir = "/etc/ctrd/containers.d";

/// Files larger than this (bytes) are refused without being parsed.
inline constexpr std::size_t max_service_file_size = 1u << 20;

/// One problem with a service file (or with the directory itself).
struct service_error {
  std::string file;     ///< the path as given to the parser (the directory for directory errors)
  int line = 0;         ///< 1-based; 0 when the error concerns the whole file
  int column = 0;       ///< 1-based; 0 when unknown
  std::string key;      ///< dotted key ("health.interval", "env.PATH"); "" when none applies
  std::string message;  ///< what is wrong, without the location
};

/// A successfully parsed service file.
struct service_def {
  std::string name;  ///< the container name: the file's stem ("web" for web.toml)
  std::string file;  ///< absolute, normalised path of the file (also definition["source"])
  json definition;   ///< the `create` parameter map in protocol units, incl. "name" and "source"
};

/// Outcome of parsing one file: exactly one of `service` and `error` is set.
struct service_file_result {
  std::optional<service_def> service;  ///< set on success
  std::optional<service_error> error;  ///< set on failure (the first problem found)
  /// True when the file parsed and validated.
  bool ok() const { return service.has_value(); }
};

/// Everything found in a service-file directory.
struct service_dir {
  std::vector<service_def> services;  ///< the valid files, sorted by name
  std::vector<service_error>
      errors;  ///< one per bad file (sorted by file), or the directory's own error
};

/// Reads and parses one service file. The container name is the file's stem, which must be
/// a valid container name. Refuses non-regular files and files over max_service_file_size.
/// Never throws for bad content or I/O errors (only std::bad_alloc can escape).
service_file_result parse_service_file(const std::string& path);

/// Parses service-file text already in memory; `path` names the file (its stem is the
/// container name, its absolute form the "source"). Same rules as parse_service_file.
service_file_result parse_service_text(const std::string& text, const std::string& path);

/// Parses every `*.toml` regular file (or symlink to one) in `dir`, not recursing and
/// skipping hidden files (names starting with '.'). A missing directory gives an empty
/// result without errors; one that cannot be read (or is not a directory) gives a single
/// error with `file` = `dir`. Bad files are reported in `errors` and do not stop the others.
service_dir load_service_dir(const std::string& dir);

/// "FILE:LINE:COLUMN: KEY: MESSAGE"; LINE:COLUMN is left out when line is 0 (COLUMN alone
/// when it is 0), "KEY: " when key is empty.
std::string to_string(const service_error& e);

/// The error as a map {"file", "line", "column", "key", "message"} (the `reload` reply's form).
json to_json(const service_error& e);

}  // namespace ctrd
