// What `ctrctl info` and `ctrctl system info|df|prune` share (cmd_info.cpp, cmd_system.cpp).
#pragma once

#include <memory>
#include <string>

#include "ctl/client.hpp"
#include "ctl/commands.hpp"

namespace ctl {

/// The info report (host, store, version) from ctrd's version answer, its container list
/// and the host's facts. Throws ctrd::error when ctrd answers with an error.
json info_report(client& c);

/// Registers info's options on `sub` (`info` or `system info`); `format` holds --format.
runner add_info_command(CLI::App& sub, std::shared_ptr<std::string> format);

}  // namespace ctl
