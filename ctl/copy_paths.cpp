#include "ctl/copy_paths.hpp"

#include "messages/error.hpp"
#include "messages/refuse.hpp"

namespace ctl {
namespace {

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

// `path` without trailing slashes ("/" stays "/").
std::string strip_slashes(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

const char* const dir_to_file = "destination must be a directory when copying a directory";

// The top-level name of a copy into an existing directory: the base name of SRC as given,
// so a symlink followed to its target keeps the link's name ("" when SRC has no usable
// base name, e.g. ".."; the base name of the resolved path is used then).
std::string given_name(const std::string& src) {
  std::string base = path_base(src);
  return base == "." || base == ".." || base == "/" ? std::string() : base;
}

}  // namespace

cp_location parse_cp_location(const std::string& arg) {
  cp_location l;
  l.path = arg;
  if (arg.empty() || arg[0] == '.' || arg[0] == '/') return l;
  auto colon = arg.find(':');
  if (colon == std::string::npos) return l;
  l.container = arg.substr(0, colon);
  l.path = arg.substr(colon + 1);
  return l;
}

cp_args parse_cp_args(const std::string& src, const std::string& dst) {
  cp_args a;
  a.src = parse_cp_location(src);
  a.dst = parse_cp_location(dst);
  std::string both = quoted(src) + ", " + quoted(dst);
  if (a.src.path.empty() || a.dst.path.empty())
    ctrd::throw_invalid("invalid arguments " + both + ": you must specify paths");
  if (!a.src.container.empty() && !a.dst.container.empty())
    ctrd::throw_invalid("invalid arguments " + both +
                        ": copying between containers is not supported");
  if (a.src.container.empty() && a.dst.container.empty())
    ctrd::throw_invalid("invalid arguments " + both + ": one of them must be CONTAINER:PATH");
  a.into_container = a.src.container.empty();
  if (a.into_container && a.dst.path == "-")
    ctrd::throw_invalid("invalid arguments " + both + ": \"-\" can only be the host side");
  if (!a.into_container && a.src.path == "-")
    ctrd::throw_invalid("invalid arguments " + both + ": \"-\" can only be the host side");
  return a;
}

bool ends_with_dot(const std::string& path) {
  return path == "." || (path.size() >= 2 && path.compare(path.size() - 2, 2, "/.") == 0);
}

bool has_trailing_slash(const std::string& path) {
  return path.size() > 1 && path.back() == '/';
}

std::string path_base(const std::string& path) {
  std::string p = strip_slashes(path);
  if (p == "/") return p;
  auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string path_dir(const std::string& path) {
  std::string p = strip_slashes(path);
  auto slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return strip_slashes(p.substr(0, slash));
}

copy_out_plan plan_copy_out(const std::string& src, bool src_is_dir, const std::string& dest,
                            const path_state& dest_state, const path_state& parent_state) {
  if (!src_is_dir && (has_trailing_slash(src) || ends_with_dot(src)))
    ctrd::throw_invalid(quoted(src) + " is not a directory");
  bool contents = src_is_dir && (ends_with_dot(src) || strip_slashes(src) == "/");
  copy_out_plan p;
  if (dest == "-") {
    p.to_stdout = true;
    p.name = contents ? "." : given_name(src);
    return p;
  }
  switch (dest_state.kind) {
    case node_kind::directory:
      p.extract_dir = dest_state.resolved;
      p.name = contents ? "." : given_name(src);
      return p;
    case node_kind::file:
      if (src_is_dir) ctrd::throw_invalid(dir_to_file);
      p.extract_dir = path_dir(dest_state.resolved);
      p.name = path_base(dest_state.resolved);
      return p;
    case node_kind::other:
      ctrd::throw_invalid("invalid destination: " + quoted(dest_state.resolved) +
                          " must be a directory or a regular file");
    case node_kind::missing:
      break;
  }
  std::string why = dest_state.error.empty() ? "no such file or directory" : dest_state.error;
  if (has_trailing_slash(dest))
    ctrd::throw_invalid(quoted(dest) + " could not be found on the host: " + why);
  if (parent_state.kind != node_kind::directory) {
    std::string pwhy =
        parent_state.kind == node_kind::missing
            ? (parent_state.error.empty() ? "no such file or directory" : parent_state.error)
            : "not a directory";
    ctrd::throw_invalid(quoted(dest) +
                        " could not be found on the host: " + quoted(path_dir(dest)) + ": " + pwhy);
  }
  std::string base = path_base(dest);
  if (base == "." || base == ".." || base == "/")
    ctrd::throw_invalid(quoted(dest) + " could not be found on the host: " + why);
  p.extract_dir = parent_state.resolved;
  p.name = base;
  return p;
}

copy_in_plan plan_copy_in(const std::string& src, const path_state& src_state,
                          const std::string& container, const std::string& dest,
                          const path_state& dest_state, const path_state& parent_state) {
  copy_in_plan p;
  std::string where = " could not be found on container " + container + ": ";
  if (src == "-") {
    if (dest_state.kind != node_kind::directory) {
      if (dest_state.kind == node_kind::missing && has_trailing_slash(dest))
        ctrd::throw_invalid(
            quoted(dest) + where +
            (dest_state.error.empty() ? "no such file or directory" : dest_state.error));
      ctrd::throw_invalid("destination must be a directory when copying from stdin");
    }
    p.from_stdin = true;
    p.dest_dir = dest_state.resolved;
    return p;
  }
  if (src_state.kind == node_kind::missing)
    ctrd::throw_invalid(quoted(src) + " could not be found on the host: " +
                        (src_state.error.empty() ? "no such file or directory" : src_state.error));
  bool src_is_dir = src_state.kind == node_kind::directory;
  if (!src_is_dir && (has_trailing_slash(src) || ends_with_dot(src)))
    ctrd::throw_invalid(quoted(src) + " is not a directory");
  bool contents = src_is_dir && (ends_with_dot(src) || strip_slashes(src_state.resolved) == "/");
  switch (dest_state.kind) {
    case node_kind::directory:
      p.dest_dir = dest_state.resolved;
      p.top_name = contents ? "." : given_name(src);
      return p;
    case node_kind::file:
    case node_kind::other:
      if (src_is_dir) ctrd::throw_invalid(dir_to_file);
      p.dest_dir = path_dir(dest_state.resolved);
      p.top_name = path_base(dest_state.resolved);
      return p;
    case node_kind::missing:
      break;
  }
  std::string why = dest_state.error.empty() ? "no such file or directory" : dest_state.error;
  const std::string& target = dest_state.resolved.empty() ? dest : dest_state.resolved;
  if (has_trailing_slash(dest)) ctrd::throw_invalid(quoted(dest) + where + why);
  if (parent_state.kind != node_kind::directory) {
    std::string pwhy =
        parent_state.kind == node_kind::missing
            ? (parent_state.error.empty() ? "no such file or directory" : parent_state.error)
            : "not a directory";
    ctrd::throw_invalid(quoted(path_dir(target)) + where + pwhy);
  }
  std::string base = path_base(target);
  if (base == "." || base == ".." || base == "/") ctrd::throw_invalid(quoted(dest) + where + why);
  p.dest_dir = parent_state.resolved;
  p.top_name = base;
  return p;
}

}  // namespace ctl
