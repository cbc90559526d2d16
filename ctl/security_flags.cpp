// The security flags of create/run: --privileged, --cap-add, --cap-drop, --security-opt,
// --device, --uidmap, --gidmap, --userns (docs/ctrctl.md, docs/security.md).
#include <CLI/CLI.hpp>

#include "ctl/create_flags.hpp"
#include "messages/capabilities.hpp"
#include "messages/error.hpp"
#include "messages/security.hpp"

namespace ctl {
namespace {

/// Comma lists in repeated flags, normalised ("net_raw" -> "CAP_NET_RAW", "all" -> "ALL").
json capability_list(const std::vector<std::string>& values, const char* what) {
  json out = json::array();
  for (const auto& v : values) {
    std::size_t pos = 0;
    for (;;) {
      auto comma = v.find(',', pos);
      auto name = v.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      out.push_back(ctrd::normalize_capability(name, what));
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  return out;
}

}  // namespace

void add_security_flags(CLI::App& cmd, create_options& o) {
  cmd.add_flag("--privileged", o.privileged,
               "Give the container every capability, no seccomp filter, no masked paths and "
               "the host's devices");
  cmd.add_option("--cap-add", o.cap_add, "Add capabilities: CAP[,CAP] or ALL")
      ->allow_extra_args(false);
  cmd.add_option("--cap-drop", o.cap_drop, "Drop capabilities: CAP[,CAP] or ALL")
      ->allow_extra_args(false);
  cmd.add_option("--security-opt", o.security_opts,
                 "seccomp=unconfined|PATH, no-new-privileges, unmask=ALL|P1:P2, mask=P1:P2")
      ->allow_extra_args(false);
  cmd.add_option("--device", o.devices,
                 "Add a host device: HOST[:CONTAINER][:PERMISSIONS] (needs --rootfs)")
      ->allow_extra_args(false);
  cmd.add_option("--uidmap", o.uidmaps,
                 "User namespace: container uids CTR..CTR+N-1 are host uids HOST..: CTR:HOST:N")
      ->allow_extra_args(false);
  cmd.add_option("--gidmap", o.gidmaps, "Group ids of the user namespace: CTR:HOST:N")
      ->allow_extra_args(false);
  cmd.add_option("--userns", o.userns,
                 "User namespace: host (none, the default) or auto (ids from /etc/subuid)");
}

void apply_security(const create_options& o, const std::string& cwd, json& def) {
  if (o.privileged) def["privileged"] = true;
  if (!o.cap_add.empty()) def["cap_add"] = capability_list(o.cap_add, "--cap-add");
  if (!o.cap_drop.empty()) def["cap_drop"] = capability_list(o.cap_drop, "--cap-drop");
  for (const auto& opt : o.security_opts) ctrd::apply_security_opt(opt, def);
  if (def.contains("seccomp_profile")) {
    auto p = def["seccomp_profile"].get<std::string>();
    if (p != "unconfined" && p[0] != '/')
      def["seccomp_profile"] = absolute_path(p, cwd.empty() ? current_directory() : cwd);
  }
  if (!o.devices.empty()) {
    json list = json::array();
    for (const auto& d : o.devices) list.push_back(ctrd::format_device(ctrd::parse_device(d)));
    def["devices"] = std::move(list);
  }
  auto ranges = [](const std::vector<std::string>& v) {
    json list = json::array();
    for (const auto& r : v) list.push_back(ctrd::format_id_range(ctrd::parse_id_range(r)));
    return list;
  };
  if (!o.uidmaps.empty()) def["uidmap"] = ranges(o.uidmaps);
  if (!o.gidmaps.empty()) def["gidmap"] = ranges(o.gidmaps);
  if (!o.userns.empty()) {
    if (o.userns != "host" && o.userns != "auto")
      throw ctrd::error(ctrd::ec::invalid_argument,
                        "invalid --userns \"" + o.userns + "\": ctrd supports host and auto");
    def["userns"] = o.userns;
  }
}

}  // namespace ctl
