// `ctrctl exec`: runs a process in a running container (podman exec): its output streamed
// to fds 1/2, ctrctl's stdin forwarded with -i, raw mode and resizes with -t, detach keys;
// exits with the process's exit code (126/127 when it cannot be run, 125 for other errors).
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/create_flags.hpp"
#include "ctl/io.hpp"
#include "messages/container_config.hpp"

namespace ctl {

runner add_exec(CLI::App& app) {
  struct options {
    bool interactive = false;
    bool tty = false;
    std::vector<std::string> env;
    std::vector<std::string> env_files;
    std::string user;
    std::string workdir;
    std::string detach_keys;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("exec", "Run a process in a running container");
  sub->add_flag("-i,--interactive", o->interactive, "Forward ctrctl's stdin to the process");
  sub->add_flag("-t,--tty", o->tty, "Give the process a pseudo-terminal");
  sub->add_option("-e,--env", o->env,
                  "Set an environment variable: K=V, K (from ctrctl's), PREFIX*")
      ->allow_extra_args(false);
  sub->add_option("--env-file", o->env_files, "Read environment variables from a file")
      ->allow_extra_args(false);
  sub->add_option("-u,--user", o->user, "Run as UID[:GID] (default: the container's user)");
  sub->add_option("-w,--workdir", o->workdir,
                  "Working directory (absolute; default: the container's)");
  auto* keys = sub->add_option("--detach-keys", o->detach_keys,
                               "Key sequence to detach (default ctrl-p,ctrl-q; \"\" disables)");
  // Shown in --help only: main.cpp splits CONTAINER and the command off before CLI11 parses.
  static std::vector<std::string> unused;
  sub->add_option("CONTAINER", unused,
                  "Container name, id or unique id prefix, then the command and its arguments "
                  "(everything after CONTAINER belongs to the command)");
  sub->footer("Exits with the process's exit code, 0 after detaching.");
  return [o, keys](context& ctx) {
    if (ctx.command.empty())
      throw ctrd::error(ctrd::ec::invalid_argument,
                        "exec requires the name or ID of a container and a command");
    if (ctx.command.size() < 2)
      throw ctrd::error(ctrd::ec::invalid_argument,
                        "must provide a non-empty command to start an exec session");
    const std::string container = ctx.command[0];
    json params{{"container", container},
                {"command", std::vector<std::string>(ctx.command.begin() + 1, ctx.command.end())},
                {"interactive", o->interactive},
                {"tty", o->tty}};
    std::vector<std::string> host_env = process_environment();
    std::vector<std::string> env;
    for (const auto& f : o->env_files)
      for (auto& e : read_env_file(f, host_env)) env.push_back(std::move(e));
    for (const auto& entry : o->env)
      for (auto& e : expand_env_entry(entry, host_env)) env.push_back(std::move(e));
    if (!env.empty()) params["env"] = merge_env(env);
    if (!o->user.empty()) {
      uint32_t uid = 0, gid = 0;
      bool has_gid = false;
      if (!ctrd::parse_user(o->user, uid, gid, has_gid))
        throw ctrd::error(ctrd::ec::invalid_argument,
                          "invalid user \"" + o->user + "\": use UID[:GID] (numeric)");
      params["user"] = o->user;
    }
    if (!o->workdir.empty()) {
      if (o->workdir[0] != '/')
        throw ctrd::error(ctrd::ec::invalid_argument,
                          "invalid workdir \"" + o->workdir + "\": must be an absolute path");
      params["workdir"] = o->workdir;
    }
    attach_options ao;
    ao.detach_keys = detach_keys_flag(o->detach_keys, keys->count() > 0);
    ao.forward_stdin = o->interactive;
    ao.tty = o->tty;
    client c;
    connect_waiting(c, ctx);
    uint32_t id = c.send("exec", params, write_output);
    return attach_stream(c, id, ao);
  };
}

}  // namespace ctl
