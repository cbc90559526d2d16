#include "runtime/device_rules.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

namespace ctrd {

std::string to_text(const device_rule& r) {
  auto num = [](long v) { return v < 0 ? std::string("*") : std::to_string(v); };
  return std::string(1, r.type) + " " + num(r.major) + ":" + num(r.minor) + " " + r.access;
}

std::vector<device_rule> default_device_rules() {
  return {{'c', -1, -1, "m"}, {'b', -1, -1, "m"}, {'c', 1, 3, "rwm"},   {'c', 1, 5, "rwm"},
          {'c', 1, 7, "rwm"}, {'c', 1, 8, "rwm"}, {'c', 1, 9, "rwm"},   {'c', 5, 0, "rwm"},
          {'c', 5, 1, "rwm"}, {'c', 5, 2, "rwm"}, {'c', 136, -1, "rwm"}};
}

device_rule rule_for(mode_t mode, dev_t rdev, const std::string& access) {
  return {S_ISBLK(mode) ? 'b' : 'c', static_cast<long>(major(rdev)), static_cast<long>(minor(rdev)),
          access};
}

}  // namespace ctrd
