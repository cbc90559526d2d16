// The container actor's confinement: capabilities, seccomp filter, no_new_privs and session
// keyring for each process it spawns (confinement.hpp), and how inspect shows them.
#include <unistd.h>

#include "actors/container_impl.hpp"
#include "runtime/confinement.hpp"

namespace ctrd::ctr {
namespace {

json names(uint64_t set) {
  json a = json::array();
  for (const auto& n : capability_names(set)) a.push_back(n);
  return a;
}

}  // namespace

void confine(actor_t* self, const container_config& c, spawn_spec& spec) {
  auto& s = self->state;
  bool root_user = spec.set_user ? spec.uid == 0 : ::geteuid() == 0;
  spec.confinement = prepare_confinement(c.security, s.deps.default_caps,
                                         filter_cache(s.deps.seccomp), root_user, spec.set_user);
}

void add_security_view(actor_t* self, json& j) {
  const auto& s = self->state;
  const auto& sec = s.cfg.security;
  bool root_user = ::geteuid() == 0;
  if (!s.cfg.user.empty()) {
    uint32_t uid = 0, gid = 0;
    bool has_gid = false;
    if (parse_user(s.cfg.user, uid, gid, has_gid)) root_user = uid == 0;
  }
  capability_sets sets;
  try {
    sets = container_sets(sec, s.deps.default_caps, root_user);
  } catch (const error&) {  // refused at create; a stored record of another version
    return;
  }
  uint64_t known = all_capabilities;
  j["EffectiveCaps"] = names(sets.effective & known);
  j["BoundingCaps"] = names(sets.bounding & known);
  // podman's reading: what differs from the default set.
  j["HostConfig"]["CapAdd"] = names(sets.bounding & known & ~s.deps.default_caps);
  j["HostConfig"]["CapDrop"] = names(s.deps.default_caps & ~sets.bounding);
  j["HostConfig"]["Privileged"] = sec.privileged;
  json opts = json::array();
  auto profile = effective_seccomp_profile(sec);
  if (!profile.empty()) opts.push_back("seccomp=" + profile);
  if (sec.no_new_privileges) opts.push_back("no-new-privileges");
  j["HostConfig"]["SecurityOpt"] = std::move(opts);
}

}  // namespace ctrd::ctr
