// --userns auto: each container gets its own slice of the subordinate ids of ctrd's user
// (/etc/subuid, /etc/subgid), chosen at create and kept in its stored definition
// (security.uid_map/gid_map), so it survives restarts of the container and of ctrd; the
// slices of removed containers are reused. See supervisor_impl.hpp.
#include <grp.h>
#include <pwd.h>
#include <fstream>
#include <sstream>

#include "messages/error.hpp"
#include "supervisor/supervisor_impl.hpp"

namespace ctrd::sup {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw error(ec::invalid_argument,
                "--userns auto needs subordinate ids, but " + path + " cannot be read");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// The ranges of `name` (a user for subuid, a group for subgid) in `path`.
std::vector<subid::range> ranges_of(const std::string& path, const std::string& name, bool group) {
  std::optional<uint64_t> id;
  char buf[4096];
  if (group) {
    struct group g, *found = nullptr;
    if (::getgrnam_r(name.c_str(), &g, buf, sizeof buf, &found) == 0 && found) id = g.gr_gid;
  } else {
    struct passwd p, *found = nullptr;
    if (::getpwnam_r(name.c_str(), &p, buf, sizeof buf, &found) == 0 && found) id = p.pw_uid;
  }
  auto ranges = subid::parse(read_text(path), name, id);
  if (ranges.empty())
    throw error(ec::invalid_argument,
                "--userns auto needs subordinate ids, but " + path + " has no range for " +
                    (group ? "group" : "user") + " \"" + name + "\" (add a line such as \"" + name +
                    ":100000:6553600\", or name another user with ctrd --subid-user)");
  return ranges;
}

id_range pick(const std::string& path, const std::string& name, bool group,
              const std::vector<subid::range>& used) {
  auto start = subid::allocate(ranges_of(path, name, group), used);
  if (!start)
    throw error(ec::invalid_argument,
                "--userns auto: no free block of " + std::to_string(subid::default_slice) +
                    " ids is left in the ranges of \"" + name + "\" in " + path + " (" +
                    std::to_string(used.size()) + " containers use one)");
  return id_range{0, static_cast<uint32_t>(*start), static_cast<uint32_t>(subid::default_slice)};
}

}  // namespace

void assign_auto_userns(actor_t* self, container_config& cfg) {
  auto& sec = cfg.security;
  if (sec.userns != "auto") return;
  if (!sec.uid_map.empty() || !sec.gid_map.empty())
    throw error(ec::invalid_argument,
                "--userns auto chooses the id ranges itself: it cannot be combined with "
                "--uidmap or --gidmap");
  const auto& o = self->state.opts;
  std::vector<subid::range> uids, gids;
  for (const auto& [id, slice] : self->state.userns_slices) {
    uids.push_back(slice.first);
    gids.push_back(slice.second);
  }
  auto u = pick(o.subuid_file, o.subid_user, false, uids);
  auto g = pick(o.subgid_file, o.subid_user, true, gids);
  sec.uid_map = {u};
  sec.gid_map = {g};
}

void track_userns(actor_t* self, const container_config& cfg) {
  const auto& sec = cfg.security;
  if (sec.userns != "auto" || sec.uid_map.empty()) return;
  auto slice = [](const std::vector<id_range>& m) {
    return subid::range{m[0].outside, m[0].count};
  };
  self->state.userns_slices[cfg.id] = {slice(sec.uid_map),
                                       slice(sec.gid_map.empty() ? sec.uid_map : sec.gid_map)};
}

}  // namespace ctrd::sup
