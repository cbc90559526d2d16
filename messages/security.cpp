#include "messages/security.hpp"

#include <algorithm>

#include "messages/capabilities.hpp"
#include "messages/error.hpp"
#include "messages/refuse.hpp"

namespace ctrd {
namespace {

std::vector<std::string> texts(const json& v, const std::string& key) {
  if (!v.is_array()) throw_invalid_value(key, "must be an array of strings");
  std::vector<std::string> out;
  for (const auto& e : v) out.push_back(string_value(e, key));
  return out;
}

json text_array(const std::vector<std::string>& v) {
  json a = json::array();
  for (const auto& s : v) a.push_back(s);
  return a;
}

bool absolute_clean(const std::string& p) {
  if (p.empty() || p[0] != '/' || p.find('\0') != std::string::npos) return false;
  return ("/" + p + "/").find("/../") == std::string::npos;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (;;) {
    auto next = s.find(sep, pos);
    out.push_back(s.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (next == std::string::npos) return out;
    pos = next + 1;
  }
}

bool valid_permissions(const std::string& p) {
  return !p.empty() && p.size() <= 3 && p.find_first_not_of("rwm") == std::string::npos;
}

uint32_t id_number(const std::string& full, const std::string& t) {
  if (t.empty() || t.size() > 10 || t.find_first_not_of("0123456789") != std::string::npos)
    throw error(ec::invalid_argument, "invalid id mapping \"" + full + "\": \"" + t +
                                          "\" is not a number (expected CONTAINER:HOST:COUNT)");
  auto v = std::stoull(t);
  if (v > 0xfffffffeull)
    throw error(ec::invalid_argument,
                "invalid id mapping \"" + full + "\": " + t + " is too large");
  return static_cast<uint32_t>(v);
}

void check_ranges(const std::vector<id_range>& ranges, const char* flag_name) {
  auto overlap = [](uint64_t a, uint64_t an, uint64_t b, uint64_t bn) {
    return a < b + bn && b < a + an;
  };
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const auto& r = ranges[i];
    for (std::size_t j = 0; j < i; ++j) {
      const auto& o = ranges[j];
      if (overlap(r.inside, r.count, o.inside, o.count) ||
          overlap(r.outside, r.count, o.outside, o.count))
        throw error(ec::invalid_argument, std::string("invalid ") + flag_name + " \"" +
                                              format_id_range(r) + "\": overlaps \"" +
                                              format_id_range(o) + "\"");
    }
  }
  if (ranges.size() > 340)  // the kernel's limit of lines in uid_map
    throw error(ec::invalid_argument,
                std::string("too many ") + flag_name + " ranges: at most 340");
}

}  // namespace

device_spec parse_device(const std::string& t) {
  auto parts = split(t, ':');
  device_spec d;
  auto fail = [&](const std::string& why) {
    throw error(ec::invalid_argument, "invalid device \"" + t + "\": " + why);
  };
  if (parts.size() > 3) fail("expected HOST[:CONTAINER][:PERMISSIONS]");
  d.host = parts[0];
  if (parts.size() == 2) {
    if (valid_permissions(parts[1]))
      d.permissions = parts[1];
    else
      d.container = parts[1];
  } else if (parts.size() == 3) {
    d.container = parts[1];
    d.permissions = parts[2];
    if (!valid_permissions(d.permissions))
      fail("permissions \"" + d.permissions + "\" must be a combination of r, w and m");
  }
  if (!absolute_clean(d.host)) fail("the host path must be absolute, without \"..\"");
  if (d.container.empty()) d.container = d.host;
  if (!absolute_clean(d.container) || d.container == "/")
    fail("the container path must be absolute, without \"..\", and not /");
  return d;
}

std::string format_device(const device_spec& d) {
  return d.host + ":" + (d.container.empty() ? d.host : d.container) + ":" + d.permissions;
}

id_range parse_id_range(const std::string& t) {
  auto parts = split(t, ':');
  if (parts.size() != 3)
    throw error(ec::invalid_argument, "invalid id mapping \"" + t +
                                          "\": expected CONTAINER:HOST:COUNT, e.g. 0:100000:65536");
  id_range r{id_number(t, parts[0]), id_number(t, parts[1]), id_number(t, parts[2])};
  if (r.count == 0)
    throw error(ec::invalid_argument, "invalid id mapping \"" + t + "\": COUNT is 0");
  if (uint64_t{r.inside} + r.count > 0xffffffffull || uint64_t{r.outside} + r.count > 0xffffffffull)
    throw error(ec::invalid_argument,
                "invalid id mapping \"" + t + "\": the range goes beyond the largest id");
  return r;
}

std::string format_id_range(const id_range& r) {
  return std::to_string(r.inside) + ":" + std::to_string(r.outside) + ":" + std::to_string(r.count);
}

void security_to_json(const security_spec& s, json& out) {
  if (s.privileged) out["privileged"] = true;
  if (!s.cap_add.empty()) out["cap_add"] = text_array(s.cap_add);
  if (!s.cap_drop.empty()) out["cap_drop"] = text_array(s.cap_drop);
  if (s.no_new_privileges) out["no_new_privileges"] = true;
  if (!s.seccomp_profile.empty()) out["seccomp_profile"] = s.seccomp_profile;
  if (!s.unmask.empty()) out["unmask"] = text_array(s.unmask);
  if (!s.mask.empty()) out["mask"] = text_array(s.mask);
  if (!s.devices.empty()) {
    json a = json::array();
    for (const auto& d : s.devices) a.push_back(format_device(d));
    out["devices"] = std::move(a);
  }
  auto ranges = [](const std::vector<id_range>& v) {
    json a = json::array();
    for (const auto& r : v) a.push_back(format_id_range(r));
    return a;
  };
  if (!s.uid_map.empty()) out["uidmap"] = ranges(s.uid_map);
  if (!s.gid_map.empty()) out["gidmap"] = ranges(s.gid_map);
  if (!s.userns.empty()) out["userns"] = s.userns;
}

bool security_from_key(security_spec& s, const std::string& k, const json& v) {
  auto normalized = [&](const char* what) {
    auto list = texts(v, k);
    for (auto& c : list) c = normalize_capability(c, what);
    return list;
  };
  if (k == "privileged") {
    s.privileged = bool_value(v, k);
  } else if (k == "cap_add") {
    s.cap_add = normalized("--cap-add");
  } else if (k == "cap_drop") {
    s.cap_drop = normalized("--cap-drop");
  } else if (k == "no_new_privileges") {
    s.no_new_privileges = bool_value(v, k);
  } else if (k == "seccomp_profile") {
    s.seccomp_profile = string_value(v, k);
  } else if (k == "unmask") {
    s.unmask = texts(v, k);
  } else if (k == "mask") {
    s.mask = texts(v, k);
  } else if (k == "devices") {
    s.devices.clear();
    for (const auto& d : texts(v, k)) s.devices.push_back(parse_device(d));
  } else if (k == "uidmap" || k == "gidmap") {
    auto& target = k == "uidmap" ? s.uid_map : s.gid_map;
    target.clear();
    for (const auto& r : texts(v, k)) target.push_back(parse_id_range(r));
  } else if (k == "userns") {
    s.userns = string_value(v, k);
  } else {
    return false;
  }
  return true;
}

void validate(const security_spec& s, const isolation_spec& iso) {
  auto fail = [](const std::string& m) { throw error(ec::invalid_argument, m); };
  container_capabilities(default_capabilities, s.cap_add, s.cap_drop, s.privileged);
  const auto& p = s.seccomp_profile;
  if (!p.empty() && p != "unconfined" && !absolute_clean(p))
    fail("invalid seccomp profile \"" + p +
         "\": expected \"unconfined\" or the absolute path of a JSON profile");
  for (const auto& u : s.unmask)
    if (u != "ALL" && !absolute_clean(u))
      fail("invalid unmask path \"" + u + "\": expected ALL or absolute paths");
  for (const auto& m : s.mask)
    if (!absolute_clean(m) || m == "/")
      fail("invalid mask path \"" + m + "\": expected absolute paths");
  if (!s.devices.empty() && iso.rootfs.empty())
    fail(
        "--device needs --rootfs: without a root file system of its own the container sees the "
        "host's /dev");
  for (const auto& d : s.devices) {
    const auto& c = d.container.empty() ? d.host : d.container;
    if (c.compare(0, 5, "/dev/") != 0 || c == "/dev/pts" || c.compare(0, 9, "/dev/pts/") == 0 ||
        c == "/dev/shm" || c.compare(0, 9, "/dev/shm/") == 0)
      fail("invalid device \"" + format_device(d) +
           "\": the container path must be below /dev (ctrd makes device nodes only in the "
           "container's own /dev, never in its root file system), not in /dev/pts or /dev/shm");
  }
  for (std::size_t i = 0; i < s.devices.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (s.devices[i].container == s.devices[j].container)
        fail("duplicate device path \"" + s.devices[i].container + "\" in the container");
  if (!s.userns.empty() && s.userns != "host" && s.userns != "auto")
    fail("invalid userns \"" + s.userns + "\": ctrd supports host and auto");
  // A stored --userns auto container carries the slice ctrd chose (one range from 0 each);
  // a create request that names ranges itself is refused by ctrd's create.
  auto chosen = [](const std::vector<id_range>& m) {
    return m.empty() || (m.size() == 1 && m[0].inside == 0);
  };
  if (s.userns == "auto" && (!chosen(s.uid_map) || !chosen(s.gid_map)))
    fail(
        "--userns auto chooses the id ranges itself: it cannot be combined with --uidmap or "
        "--gidmap");
  if (!s.gid_map.empty() && s.uid_map.empty())
    fail("--gidmap needs --uidmap (a user namespace maps both)");
  if (s.userns == "host" && !s.uid_map.empty())
    fail("--userns host means no user namespace: it cannot be combined with --uidmap");
  check_ranges(s.uid_map, "--uidmap");
  check_ranges(s.gid_map, "--gidmap");
  if (s.private_user() && iso.rootfs.empty())
    fail(
        "a user namespace (--uidmap, --userns auto) needs --rootfs: the host's files would "
        "belong to unmapped ids");
  if (s.private_user() && !iso.private_pid())
    fail(
        "a user namespace (--uidmap, --userns auto) needs a PID namespace of its own: it cannot "
        "mount the host's /proc (--pid host)");
}

void apply_security_opt(const std::string& opt, json& def) {
  auto eq = opt.find('=');
  std::string key = opt.substr(0, eq);
  std::string value = eq == std::string::npos ? std::string() : opt.substr(eq + 1);
  auto fail = [&](const std::string& why) {
    throw error(ec::invalid_argument, "invalid --security-opt \"" + opt + "\": " + why);
  };
  auto append = [&](const char* k, const std::vector<std::string>& items) {
    if (!def.contains(k)) def[k] = json::array();
    for (const auto& i : items) def[k].push_back(i);
  };
  if (key == "seccomp") {
    if (value.empty()) fail("expected seccomp=unconfined or seccomp=PATH");
    def["seccomp_profile"] = value;
  } else if (key == "no-new-privileges") {
    if (eq == std::string::npos || value == "true")
      def["no_new_privileges"] = true;
    else if (value == "false")
      def["no_new_privileges"] = false;
    else
      fail("expected no-new-privileges, no-new-privileges=true or no-new-privileges=false");
  } else if (key == "unmask" || key == "mask") {
    if (value.empty())
      fail("expected " + key + "=PATH[:PATH...]" + (key == "unmask" ? " or unmask=ALL" : ""));
    append(key == "unmask" ? "unmask" : "mask", split(value, ':'));
  } else if (key == "label") {
    if (value != "disable") fail("ctrd applies no SELinux labels: only label=disable is accepted");
  } else if (key == "apparmor") {
    if (value != "unconfined")
      fail("ctrd applies no AppArmor profile: only apparmor=unconfined is accepted");
  } else {
    fail(
        "unknown option: ctrd supports seccomp=, no-new-privileges, unmask=, mask=, "
        "label=disable and apparmor=unconfined");
  }
}

}  // namespace ctrd
