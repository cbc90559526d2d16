// The holder's flags that take whole seconds (--watchdog-timeout, --shutdown-timeout).
#pragma once

#include <string>

namespace ctrd::holder {

/// Whole seconds from 1 to 86400 (a day), digits only; -1 when `text` is anything else.
inline int parse_whole_seconds(const std::string& text) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos)
    return -1;
  int v = std::stoi(text);
  return v >= 1 && v <= 86400 ? v : -1;
}

}  // namespace ctrd::holder
