// `ctrctl create` and `ctrctl run`.
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/create_flags.hpp"
#include "ctl/io.hpp"

namespace ctl {
namespace {

// Shown in --help only: main.cpp splits the command off before CLI11 parses.
void add_command_placeholder(CLI::App& sub) {
  static std::vector<std::string> unused;
  sub.add_option("CMD", unused,
                 "Command to run, then its arguments (everything after CMD "
                 "belongs to the container)");
}

// Sends `create`; returns the new id, or prints the error, sets `status` and returns "".
// With --replace, a container of that name is removed first (forced, as podman).
std::string create_container(client& c, const json& def, int& status, bool replace = false) {
  if (replace && def.contains("name")) {
    response rm = c.call("remove", json{{"container", def["name"]}, {"force", true}});
    if (!rm.ok() && rm.code() != ctrd::ec::no_such_container) {
      print_error(rm.message());
      status = exit_code_of(rm.error);
      return {};
    }
  }
  response r = c.call("create", def);
  if (!r.ok()) {
    print_error(r.message());
    status = exit_code_of(r.error);
    return {};
  }
  // ctrd's warnings (a rootfs others can write to): shown, the create still succeeds.
  if (r.result.is_object() && r.result.contains("warnings") && r.result["warnings"].is_array())
    for (const auto& w : r.result["warnings"])
      if (w.is_string()) print_warning(w.get<std::string>());
  if (!r.result.is_object() || !r.result.contains("id") || !r.result["id"].is_string()) {
    print_error("ctrd did not report the new container's id");
    status = 125;
    return {};
  }
  return r.result["id"].get<std::string>();
}

}  // namespace

runner add_create(CLI::App& app) {
  auto opts = std::make_shared<create_options>();
  auto* sub = app.add_subcommand("create", "Create a container without starting it");
  add_create_flags(*sub, *opts);
  add_command_placeholder(*sub);
  sub->footer("Prints the new container's 64-hex id.");
  return [opts](context& ctx) {
    opts->command = ctx.command;
    json def = build_definition(*opts, process_environment());
    client c;
    connect(c, ctx);
    int status = 0;
    std::string id = create_container(c, def, status, opts->replace);
    if (id.empty()) return status;
    out_line(id);
    return 0;
  };
}

runner add_run(CLI::App& app) {
  struct run_options {
    create_options create;
    bool detach = false;
    std::string detach_keys;
  };
  auto opts = std::make_shared<run_options>();
  auto* sub = app.add_subcommand("run", "Create and start a container");
  add_create_flags(*sub, opts->create);
  sub->add_flag("-d,--detach", opts->detach, "Run in the background and print the id");
  auto* keys = sub->add_option("--detach-keys", opts->detach_keys,
                               "Key sequence to detach (default ctrl-p,ctrl-q; \"\" disables)");
  add_command_placeholder(*sub);
  sub->footer(
      "Without -d, streams the container's output (and with -i, ctrctl's stdin to the "
      "container) and exits with its exit code.");
  return [opts, keys](context& ctx) {
    opts->create.command = ctx.command;
    json def = build_definition(opts->create, process_environment());
    attach_options ao;
    ao.detach_keys = detach_keys_flag(opts->detach_keys, keys->count() > 0);
    ao.forward_stdin = opts->create.interactive;
    ao.tty = opts->create.tty;
    client c;
    connect(c, ctx);
    int status = 0;
    std::string id = create_container(c, def, status, opts->create.replace);
    if (id.empty()) return status;
    c.expect_long_waits();  // a start waits for requirements; attached, for the whole run
    auto cleanup = [&] {
      if (!opts->create.rm) return;
      response r = c.call("remove", json{{"container", id}, {"force", true}});
      if (!r.ok() && r.code() != ctrd::ec::no_such_container) print_error(r.message());
    };
    if (opts->detach) {
      response r = c.call("start", json{{"container", id}});
      if (!r.ok()) {
        print_error(r.message());
        cleanup();
        return exit_code_of(r.error);
      }
      out_line(id);
      return 0;
    }
    bool failed = false;
    status = attached_start(c, id, ao, &failed);
    if (failed) cleanup();
    return status;
  };
}

}  // namespace ctl
