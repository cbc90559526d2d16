#include "messages/capabilities.hpp"

#include <cctype>

#include "messages/error.hpp"

namespace ctrd {
namespace {

// Index = capability number (linux/capability.h).
const char* const names[max_known_capability + 1] = {"CHOWN",
                                                     "DAC_OVERRIDE",
                                                     "DAC_READ_SEARCH",
                                                     "FOWNER",
                                                     "FSETID",
                                                     "KILL",
                                                     "SETGID",
                                                     "SETUID",
                                                     "SETPCAP",
                                                     "LINUX_IMMUTABLE",
                                                     "NET_BIND_SERVICE",
                                                     "NET_BROADCAST",
                                                     "NET_ADMIN",
                                                     "NET_RAW",
                                                     "IPC_LOCK",
                                                     "IPC_OWNER",
                                                     "SYS_MODULE",
                                                     "SYS_RAWIO",
                                                     "SYS_CHROOT",
                                                     "SYS_PTRACE",
                                                     "SYS_PACCT",
                                                     "SYS_ADMIN",
                                                     "SYS_BOOT",
                                                     "SYS_NICE",
                                                     "SYS_RESOURCE",
                                                     "SYS_TIME",
                                                     "SYS_TTY_CONFIG",
                                                     "MKNOD",
                                                     "LEASE",
                                                     "AUDIT_WRITE",
                                                     "AUDIT_CONTROL",
                                                     "SETFCAP",
                                                     "MAC_OVERRIDE",
                                                     "MAC_ADMIN",
                                                     "SYSLOG",
                                                     "WAKE_ALARM",
                                                     "BLOCK_SUSPEND",
                                                     "AUDIT_READ",
                                                     "PERFMON",
                                                     "BPF",
                                                     "CHECKPOINT_RESTORE"};

std::string upper(const std::string& s) {
  std::string out = s;
  for (auto& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}

bool is_all(const std::string& s) {
  return upper(s) == "ALL";
}

bool contains_all(const std::vector<std::string>& v) {
  for (const auto& s : v)
    if (is_all(s)) return true;
  return false;
}

}  // namespace

int capability_number(const std::string& name) {
  auto n = upper(name);
  if (n.rfind("CAP_", 0) == 0) n.erase(0, 4);
  for (int i = 0; i <= max_known_capability; ++i)
    if (n == names[i]) return i;
  return -1;
}

std::string capability_name(int number) {
  if (number >= 0 && number <= max_known_capability) return std::string("CAP_") + names[number];
  return "CAP_" + std::to_string(number);
}

std::vector<std::string> capability_names(uint64_t set) {
  std::vector<std::string> out;
  for (int i = 0; i < 64; ++i)
    if (set & (uint64_t{1} << i)) out.push_back(capability_name(i));
  return out;
}

std::string normalize_capability(const std::string& name, const char* what) {
  if (is_all(name)) return "ALL";
  int n = capability_number(name);
  if (n < 0)
    throw error(ec::invalid_argument, "invalid " + std::string(what) + " \"" + name +
                                          "\": unknown capability (e.g. CAP_NET_RAW or NET_RAW)");
  return capability_name(n);
}

uint64_t parse_capabilities(const std::vector<std::string>& list, const char* what) {
  uint64_t set = 0;
  for (const auto& name : list) {
    if (is_all(name)) continue;
    set |= uint64_t{1} << capability_number(normalize_capability(name, what));
  }
  return set;
}

uint64_t container_capabilities(uint64_t base, const std::vector<std::string>& add,
                                const std::vector<std::string>& drop, bool privileged) {
  uint64_t added = parse_capabilities(add, "--cap-add");
  uint64_t dropped = parse_capabilities(drop, "--cap-drop");
  bool add_all = contains_all(add), drop_all = contains_all(drop);
  if (add_all && drop_all)
    throw error(ec::invalid_argument,
                "--cap-add ALL and --cap-drop ALL together: adding and removing all "
                "capabilities is not allowed");
  if (uint64_t both = added & dropped)
    throw error(ec::invalid_argument, "capability " + capability_names(both).front() +
                                          " cannot be both added and dropped");
  if (privileged) return all_capabilities;
  if (drop_all) return added;
  if (add_all) return all_capabilities & ~dropped;
  return (base | added) & ~dropped;
}

capability_sets process_capabilities(uint64_t bounding, uint64_t added, bool root_user) {
  capability_sets s;
  s.bounding = bounding;
  if (root_user) {
    s.permitted = s.effective = bounding;
    return s;
  }
  s.permitted = s.effective = s.inheritable = s.ambient = added & bounding;
  return s;
}

}  // namespace ctrd
