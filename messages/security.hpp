// What a container is confined with beyond its namespaces (docs/security.md): capabilities,
// seccomp, no_new_privs, masked /proc and /sys paths, extra devices and user namespaces.
// The `create` keys privileged ... userns (docs/protocol.md). Part of container_config;
// pure, CAF-free: the spawner (runtime/confinement.hpp, runtime/isolation.hpp) applies it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messages/isolation.hpp"
#include "messages/value_codec.hpp"

namespace ctrd {

/// One --device HOST[:CTR][:PERMS].
struct device_spec {
  std::string host;                 ///< absolute host path of a character or block device
  std::string container;            ///< its path inside the container ("" = the same as host)
  std::string permissions = "rwm";  ///< cgroup access: any of r, w, m

  bool operator==(const device_spec& o) const {
    return host == o.host && container == o.container && permissions == o.permissions;
  }
};

/// One --uidmap/--gidmap range: container ids [inside, inside+count) are host ids
/// [outside, outside+count).
struct id_range {
  uint32_t inside = 0;
  uint32_t outside = 0;
  uint32_t count = 0;

  bool operator==(const id_range& o) const {
    return inside == o.inside && outside == o.outside && count == o.count;
  }
};

struct security_spec {
  bool privileged = false;           ///< every capability, no seccomp, no masks, the host's devices
  std::vector<std::string> cap_add;  ///< "CAP_X" or "ALL" (normalised)
  std::vector<std::string> cap_drop;  ///< "CAP_X" or "ALL"
  bool no_new_privileges = false;     ///< PR_SET_NO_NEW_PRIVS before exec
  /// "" = ctrd's default profile, "unconfined" = no filter, else an absolute path of an
  /// OCI (podman/Docker) JSON profile, read when the container starts.
  std::string seccomp_profile;
  std::vector<std::string> unmask;  ///< masked paths made visible again ("ALL": every one)
  std::vector<std::string> mask;    ///< extra paths masked (podman's mask=)
  std::vector<device_spec> devices;
  std::vector<id_range> uid_map;  ///< --uidmap (empty: no user namespace unless userns=auto)
  std::vector<id_range> gid_map;  ///< --gidmap (empty with uid_map: the same ranges)
  std::string userns;             ///< "" or "host" (none), or "auto" (ranges from /etc/subuid)

  /// The container runs in a user namespace of its own.
  bool private_user() const { return !uid_map.empty() || userns == "auto"; }
};

/// Adds the security keys to a serialised config (only those that differ from the
/// defaults, so stored records of older versions and new ones look alike).
void security_to_json(const security_spec& s, json& out);

/// Reads one `create` key into `s` if it is a security key; returns false for other keys.
/// Throws ctrd::error{ec::invalid_argument} naming the key for a bad value.
bool security_from_key(security_spec& s, const std::string& key, const json& value);

/// Cross-field rules (capability names, add/drop conflicts, profile path, devices and
/// user namespaces need a rootfs, map syntax and overlaps). Pure: whether files exist is
/// checked by ctrd at create. Throws ctrd::error{ec::invalid_argument}.
void validate(const security_spec& s, const isolation_spec& iso);

/// Applies one --security-opt value to the definition `def` (the create request's map):
/// seccomp=unconfined|PATH, no-new-privileges[=true|false], unmask=ALL|P1:P2,
/// mask=P1:P2, label=disable and apparmor=unconfined (accepted: ctrd applies no LSM
/// profile). Throws ctrd::error{ec::invalid_argument} naming the option otherwise.
void apply_security_opt(const std::string& opt, json& def);

/// Parses --device HOST[:CTR][:PERMS]. Throws ctrd::error{ec::invalid_argument}.
device_spec parse_device(const std::string& text);

/// "HOST:CTR:PERMS" as parse_device reads it.
std::string format_device(const device_spec& d);

/// Parses --uidmap/--gidmap CONTAINER:HOST:COUNT. Throws ctrd::error{ec::invalid_argument}.
id_range parse_id_range(const std::string& text);

/// "CONTAINER:HOST:COUNT".
std::string format_id_range(const id_range& r);

}  // namespace ctrd
