#include "ctl/size_units.hpp"

#include <cmath>
#include <cstdio>

namespace ctl {

std::string human_size(double size) {
  static const char* const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  std::size_t i = 0;
  while (size >= 1000.0 && i + 1 < sizeof units / sizeof units[0]) {
    size /= 1000.0;
    ++i;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g%s", size, units[i]);
  return buf;
}

}  // namespace ctl
