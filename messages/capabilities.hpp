// Linux capability names and sets, as podman spells them ("CAP_CHOWN" or "chown"), and
// podman's rules for --cap-add / --cap-drop. Pure: the spawner turns the sets computed here
// into capset(2) and prctl(2) calls in the child (runtime/confinement.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ctrd {

/// Highest capability number ctrd knows (CAP_CHECKPOINT_RESTORE, Linux 5.9).
constexpr int max_known_capability = 40;

/// podman 4.3's default set (Debian's containers.conf): CHOWN, DAC_OVERRIDE, FOWNER,
/// FSETID, KILL, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT.
constexpr uint64_t default_capabilities = 0x800405fbull;

/// Every capability ctrd knows (bits 0..max_known_capability).
constexpr uint64_t all_capabilities = (uint64_t{1} << (max_known_capability + 1)) - 1;

/// The number of a capability name ("CAP_SYS_TIME", "SYS_TIME", "sys_time"), or -1.
int capability_number(const std::string& name);

/// "CAP_SYS_TIME" for 25; "CAP_<n>" for a number ctrd has no name for.
std::string capability_name(int number);

/// The names of the bits of `set`, lowest first ("CAP_CHOWN", ...).
std::vector<std::string> capability_names(uint64_t set);

/// Parses a list of names ("ALL" excluded) into a set. Throws ctrd::error{invalid_argument}
/// naming an unknown capability and `what` (e.g. "--cap-add").
uint64_t parse_capabilities(const std::vector<std::string>& names, const char* what);

/// The canonical form of one --cap-add/--cap-drop entry: "ALL" or "CAP_X". Throws
/// ctrd::error{invalid_argument} for an unknown name.
std::string normalize_capability(const std::string& name, const char* what);

/// The bounding set of a container, with podman's rules: `base` (the daemon's default set),
/// plus `add`, minus `drop`; "ALL" in `add` starts from every capability, "ALL" in `drop`
/// from none (then `add` applies); `privileged`: every capability. Throws
/// ctrd::error{invalid_argument} when a capability is both added and dropped, or ALL both.
uint64_t container_capabilities(uint64_t base, const std::vector<std::string>& add,
                                const std::vector<std::string>& drop, bool privileged);

/// The sets a container's process gets from the bounding set above.
struct capability_sets {
  uint64_t bounding = 0;
  uint64_t permitted = 0;
  uint64_t effective = 0;
  uint64_t inheritable = 0;
  uint64_t ambient = 0;
};

/// podman's assignment: root (uid 0) gets `bounding` as permitted and effective, nothing
/// inheritable or ambient; any other user gets only what was explicitly added (`added`,
/// the --cap-add set, or everything when privileged) in every set, ambient included, so
/// that it survives exec. The bounding set is the same for both.
capability_sets process_capabilities(uint64_t bounding, uint64_t added, bool root_user);

}  // namespace ctrd
