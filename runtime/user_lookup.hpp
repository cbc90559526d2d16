// User and group names of a container, resolved through its own /etc/passwd and
// /etc/group as podman does (`-u NAME[:GROUP]`, `--group-add`): table parsers (pure) and
// the lookup inside a root (files opened with fs::open_in_root, so a container's symlinks
// cannot lead to the host's files). ctrctl resolves at create; ctrd stores numeric ids.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ctrd {

/// One /etc/passwd entry (the fields ctrd needs).
struct passwd_entry {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
};

/// One /etc/group entry.
struct group_entry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

/// Parses passwd text (name:pw:uid:gid:gecos:home:shell); malformed lines and comments are
/// skipped.
std::vector<passwd_entry> parse_passwd(const std::string& text);

/// Parses group text (name:pw:gid:member,member).
std::vector<group_entry> parse_group(const std::string& text);

/// A decimal id below 2^32-1, or nothing.
std::optional<uint32_t> numeric_id(const std::string& text);

/// The user and groups a process of the container runs as.
struct resolved_user {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t>
      groups;  ///< supplementary: the user's groups in /etc/group, then --group-add
};

/// Resolves podman's `-u USER[:GROUP]` and `--group-add GROUP` against the tables. USER
/// and GROUP are names or numbers; without GROUP the gid is the user's from passwd (0 for
/// a number without an entry, as podman). A named user also gets the groups that list it
/// in /etc/group. Throws ctrd::error{ec::invalid_argument} with podman's texts: "unable to
/// find user NAME: no matching entries in passwd file", "unable to find group NAME: no
/// matching entries in group file".
resolved_user resolve_user(const std::string& user, const std::vector<std::string>& group_add,
                           const std::vector<passwd_entry>& passwd,
                           const std::vector<group_entry>& groups);

/// Reads `path` inside the root directory `root_dir` (a host path; "/" for the host);
/// "" when it does not exist.
std::string read_in_root(const std::string& root_dir, const std::string& path);

}  // namespace ctrd
