// Shared helpers of the ctrctl flag tests (ctl_*flags_test.cpp, ctl_stats_format_test.cpp).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "ctl/create_flags.hpp"
#include "messages/error.hpp"

namespace ctl_test {

/// The host environment the env-expansion tests see.
inline const std::vector<std::string> host = {"HOME=/home/u", "LANG=C.UTF-8", "LC_ALL=C", "EMPTY="};

/// Create options running `cmd`.
inline ctl::create_options with_command(std::vector<std::string> cmd) {
  ctl::create_options o;
  o.command = std::move(cmd);
  return o;
}

/// The error code `f` throws (ec::none if it does not throw).
inline ctrd::ec code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ctrd::error& e) {
    return e.code();
  }
  return ctrd::ec::none;
}

/// Parses `args` as create flags with CLI11 (as ctrctl does), then builds the definition.
inline ctl::json definition_from(const std::vector<std::string>& args) {
  CLI::App app;
  ctl::create_options o;
  ctl::add_create_flags(app, o);
  std::vector<std::string> rev(args.rbegin(), args.rend());
  app.parse(rev);
  o.command = {"true"};
  return ctl::build_definition(o, host);
}

/// The message `f` throws ("" if it does not throw).
inline std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ctrd::error& e) {
    return e.what();
  }
  return {};
}

}  // namespace ctl_test
