// The path rules of `ctrctl cp` (podman cp, itself docker cp's rules), as pure functions
// over what is known about both sides, so every rule is unit-tested without a daemon:
// which argument names the container, where a copy lands (into an existing directory under
// the source's base name, as a new entry named like the destination, over an existing
// file), `SRC/.` for a directory's contents, and the errors for the impossible cases.
#pragma once

#include <string>

namespace ctl {

/// One argument of `cp`: `CONTAINER:PATH`, or a host path (`container` empty).
struct cp_location {
  std::string container;
  std::string path;
};

/// podman's parseUserInput: an argument starting with "." or "/" is a host path; otherwise
/// the part before the first ':' (if any) names a container.
cp_location parse_cp_location(const std::string& arg);

/// Both arguments of `cp`.
struct cp_args {
  cp_location src;
  cp_location dst;
  bool into_container = false;  ///< host -> container (else container -> host)
};

/// Parses SRC and DST; exactly one must name a container and both paths must be non-empty.
/// Throws ctrd::error{invalid_argument}.
cp_args parse_cp_args(const std::string& src, const std::string& dst);

/// What a path is (after following symlinks, as podman resolves both sides).
enum class node_kind { missing, directory, file, other };

/// What is known about one path: its kind, the path to use for it (symlinks resolved), and
/// for a missing path the reason (e.g. "No such file or directory").
struct path_state {
  node_kind kind = node_kind::missing;
  std::string resolved;
  std::string error;
};

/// True for "." and paths ending in "/." (podman's `SRC/.`: the directory's contents).
bool ends_with_dot(const std::string& path);

/// True when `path` ends with '/' (and is not just "/").
bool has_trailing_slash(const std::string& path);

/// Base name after trailing slashes: "a/b/" -> "b", "b" -> "b", "/" -> "/".
std::string path_base(const std::string& path);

/// Parent directory after trailing slashes: "a/b" -> "a", "b" -> ".", "/b" -> "/", "/" -> "/".
std::string path_dir(const std::string& path);

/// Container -> host: what to ask `copy_out` for and where to extract it.
struct copy_out_plan {
  bool to_stdout = false;   ///< DST is "-": the tar goes to stdout as it comes
  std::string name;         ///< copy_out `name`: "." contents, else the entry's name ("":
                            ///< the base name of the resolved path)
  std::string extract_dir;  ///< host directory the tar is extracted into
};

/// Decides a container -> host copy of `src` (`src_is_dir` from `stat`) to the host path
/// `dest`. `dest_state` describes `dest`, `parent_state` its parent directory (only looked
/// at when `dest` is missing). Rules: DST "-" streams the tar; DST an existing directory:
/// the source goes into it under the base name of SRC as given (a symlink SRC, followed
/// to its target, keeps the link's name; its contents for `SRC/.`); DST an existing
/// file: overwritten by a file source, an error for a directory source; DST missing: the
/// copy is created under that name (its parent must be a directory; a DST ending in '/' must
/// exist). Throws ctrd::error{invalid_argument} with podman's wording.
copy_out_plan plan_copy_out(const std::string& src, bool src_is_dir, const std::string& dest,
                            const path_state& dest_state, const path_state& parent_state);

/// Host -> container: how to build the tar and where to send it.
struct copy_in_plan {
  bool from_stdin = false;  ///< SRC is "-": stdin is the tar, sent as it is
  std::string top_name;     ///< tar_out top_name: "." contents, else the entry's name ("":
                            ///< the base name of the resolved path)
  std::string dest_dir;     ///< copy_in `path`: an existing directory in the container
};

/// Decides a host -> container copy of the host path `src` (`src_state`, symlinks
/// resolved) to `dest` in `container` (`dest_state` from `stat`, `parent_state` for its
/// parent when missing), with the same rules as plan_copy_out(); SRC "-" needs an existing
/// directory as DST. Throws ctrd::error{invalid_argument}.
copy_in_plan plan_copy_in(const std::string& src, const path_state& src_state,
                          const std::string& container, const std::string& dest,
                          const path_state& dest_state, const path_state& parent_state);

}  // namespace ctl
