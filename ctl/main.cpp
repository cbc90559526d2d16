// ctrctl: the command-line client of ctrd. The dispatch table below maps each verb to the
// function registering its subcommand; argument handling is podman's (docs/ctrctl.md).
#include <algorithm>
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "ctl/args.hpp"
#include "ctl/commands.hpp"
#include "ctl/ctrctl_main.hpp"
#include "ctl/io.hpp"
#include "messages/error.hpp"

namespace {

using namespace ctl;

// Dispatch table, in --help order.
const verb verbs[] = {
    {"create", nullptr, add_create, true},
    {"run", nullptr, add_run, true},
    {"init", nullptr, add_init, false},
    {"start", nullptr, add_start, false},
    {"stop", nullptr, add_stop, false},
    {"kill", nullptr, add_kill, false},
    {"restart", nullptr, add_restart, false},
    {"rm", "remove", add_rm, false},
    {"pause", nullptr, add_pause, false},
    {"unpause", nullptr, add_unpause, false},
    {"ps", "list", add_ps, false},
    {"inspect", nullptr, add_inspect, false},
    {"stats", nullptr, add_stats, false},
    {"attach", nullptr, add_attach, false},
    {"exec", nullptr, add_exec, true},
    {"wait", nullptr, add_wait, false},
    {"logs", nullptr, add_logs, false},
    {"events", nullptr, add_events, false},
    {"mount", nullptr, add_mount, false},
    {"unmount", "umount", add_unmount, false},
    {"export", nullptr, add_export, false},
#ifdef CTRCTL_WITH_CP
    {"cp", nullptr, add_cp, false},
#else
    {"cp", nullptr, add_cp_launcher, false},
#endif
    {"stat", nullptr, add_stat, false},
    {"artifact", nullptr, add_artifact, false},
    {"healthcheck", nullptr, add_healthcheck, false},
    {"reload", nullptr, add_reload, false},
    {"shutdown", nullptr, add_shutdown, false},
    {"daemon-reexec", nullptr, add_daemon_reexec, false},
    {"version", nullptr, add_version, false},
    {"top", nullptr, add_top, false},
    {"rename", nullptr, add_rename, false},
    {"update", nullptr, add_update, false},
    {"diff", nullptr, add_diff, false},
    {"port", nullptr, add_port, false},
    {"exists", nullptr, add_exists, false, true},
    {"prune", nullptr, add_prune, false, true},
    {"cleanup", nullptr, add_cleanup, false, true},
    {"info", nullptr, add_info, false},
    {"system", nullptr, add_system, false},
    {"network", nullptr, add_network, false},
    {"generate", nullptr, add_generate, false},
    {"completion", nullptr, add_completion, false},
};

// Verbs of the table that are not about containers: outside `ctrctl container` (podman has
// no `podman container version`, `container events`, ...).
bool host_level(const verb& v) {
  static const char* const names[] = {"events",   "healthcheck",   "reload",  "shutdown",
                                      "info",     "daemon-reexec", "version", "artifact",
                                      "generate", "completion",    "system",  "network"};
  for (const char* n : names)
    if (std::string(v.name) == n) return true;
  return false;
}

// Whether `v` can be run in this group: `ctrctl container VERB` takes every container verb
// (container-only ones too), plain `ctrctl VERB` every verb but the container-only ones.
bool in_group(const verb& v, bool container_group) {
  return container_group ? !host_level(v) : !v.container_only;
}

// The container group as a hidden subcommand of `app`, with every verb it takes: for
// `ctrctl completion`, which walks the CLI11 tree (the group is dispatched by hand in run()).
void add_container_group(CLI::App& app) {
  auto* g = app.add_subcommand("container", "Manage containers");
  g->group("");
  for (const auto& v : verbs) {
    if (!in_group(v, true)) continue;
    v.add(*g);
    CLI::App* sub = g->get_subcommand(v.name);
    if (v.alias != nullptr) sub->alias(v.alias);
    if (std::string(v.name) == "ps") sub->alias("ls");
  }
}

int usage_error(const std::string& message, const std::string& help_cmd) {
  print_error(message);
  err("See '" + help_cmd + " --help'.\n");
  return 125;
}

// True when a global -v/--version stands before the verb (args[0..end)): after the verb the
// letter is the verb's (`rm -v` is --volumes, as in podman).
bool version_before(const std::vector<std::string>& args, std::size_t end) {
  for (std::size_t i = 0; i < end && i < args.size(); ++i)
    if (args[i] == "-v" || args[i] == "--version") return true;
  return false;
}

int run(std::vector<std::string> args) {
  CLI::App app{"ctrctl: the command-line client of ctrd, the container supervisor.", "ctrctl"};
  app.fallthrough();  // `ctrctl ps --socket X` works too
  app.require_subcommand(0, 1);
  context ctx;
  app.add_option("--socket", ctx.socket,
                 "ctrd's control socket (default: $CTRD_SOCKET, else the per-user default)");
  app.add_option("--timeout", ctx.timeout,
                 "How long to wait for ctrd to accept, shake hands and answer a request that "
                 "answers at once, e.g. 30s, 500ms; 0 = no limit (default: $CTRCTL_TIMEOUT, "
                 "else 30s). Verbs that wait by design (stop, wait, logs -f ...) wait as long "
                 "as they need after the handshake");

  // Registering CLI11 options dominates start-up, so only the verb being run is registered,
  // unless the full list is needed (no verb, unknown verb, `help`, or top-level --help).
  std::size_t vi = split_args(app, args, 0).positional;
  if (version_before(args, vi)) {
    out(std::string("ctrctl version ") + CTRD_VERSION + "\n");
    return 0;
  }
  // `ctrctl container VERB ...`: the same verbs (podman's `podman container` group).
  bool group = vi < args.size() && args[vi] == "container";
  std::string prog = group ? "ctrctl container" : "ctrctl";
  if (group) {
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(vi));
    app.name(prog);
    app.description("Manage containers: the container verbs of ctrctl.");
    vi = split_args(app, args, 0).positional;
  }
  const verb* only = nullptr;
  bool completing = false;
  if (vi < args.size()) {
    for (const auto& v : verbs)
      if (in_group(v, group) && (args[vi] == v.name || (v.alias != nullptr && args[vi] == v.alias)))
        only = &v;
    for (std::size_t i = 0; i < vi; ++i)
      if (args[i] == "-h" || args[i] == "--help") only = nullptr;
    if (only != nullptr && only->add == add_completion) {
      only = nullptr;  // completion walks every verb, and the container group
      completing = true;
    }
  }
  // Listed in the full help; with a verb, -v after it belongs to the verb.
  if (only == nullptr) app.add_flag("-v,--version", "Print ctrctl's version and exit");
#ifndef CTRCTL_WITH_CP
  if (only != nullptr && only->add == add_cp_launcher) return run_cp_helper(args);
#endif

  struct entry {
    const verb* v;
    CLI::App* sub;
    runner fn;
  };
  std::vector<entry> entries;
  for (const auto& v : verbs) {
    if ((only != nullptr && only != &v) || !in_group(v, group)) continue;
    runner fn = v.add(app);
    CLI::App* sub = app.get_subcommand(v.name);
    if (v.alias != nullptr) sub->alias(v.alias);
    if (group && std::string(v.name) == "ps") sub->alias("ls");  // podman container ls
    entries.push_back({&v, sub, std::move(fn)});
  }

  if (completing && !group) add_container_group(app);
  app.footer("Run '" + prog + " COMMAND --help' for more information on a command.");

  auto find_sub = [&](const std::string& name) -> CLI::App* {
    for (auto& e : entries)
      if (e.sub->check_name(name)) return e.sub;
    return nullptr;
  };

  // Find the verb; for create/run/exec, split the container command off before CLI11 sees it.
  std::vector<std::string> to_parse = args;
  if (vi < args.size()) {
    if (args[vi] == "help") {  // `ctrctl [container] help [COMMAND]`
      CLI::App* target = &app;
      if (vi + 1 < args.size())
        if (auto* s = find_sub(args[vi + 1])) target = s;
      out(target == &app ? app.help() : target->help(prog));
      return 0;
    }
    CLI::App* sub = find_sub(args[vi]);
    if (sub == nullptr)
      return usage_error("unrecognized command '" + prog + " " + args[vi] + "'", prog);
    for (const auto& e : entries) {
      if (e.sub != sub || !e.v->takes_command) continue;
      auto split = split_args(*sub, args, vi + 1);
      ctx.command.assign(args.begin() + static_cast<std::ptrdiff_t>(split.positional), args.end());
      to_parse.assign(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(split.flags_end));
    }
  }

  // CLI11 refuses an empty attached value; podman's `--detach-keys=` (disable) needs it.
  for (std::size_t i = 0; i < to_parse.size(); ++i)
    if (to_parse[i] == "--detach-keys=") {
      to_parse[i] = "--detach-keys";
      to_parse.insert(to_parse.begin() + static_cast<std::ptrdiff_t>(i) + 1, std::string());
    }

  try {
    std::reverse(to_parse.begin(), to_parse.end());
    app.parse(std::move(to_parse));
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::string help_cmd = prog;
    if (vi < args.size())
      if (auto* s = find_sub(args[vi])) help_cmd += " " + s->get_name();
    return usage_error(e.what(), help_cmd);
  }

  for (auto* parsed : app.get_subcommands())
    for (auto& e : entries)
      if (e.sub == parsed) return e.fn(ctx);
  return usage_error("missing command '" + prog + " COMMAND'", prog);
}

}  // namespace

int ctrctl_main(int argc, char** argv) {
  ctl::mark_start_time();
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  int status;
  try {
    status = run(args);
  } catch (const ctrd::error& e) {
    ctl::print_error(e.what());
    status = ctrd::exit_code_for(e.code());
  } catch (const std::exception& e) {
    ctl::print_error(e.what());
    status = 125;
  }
  std::cout.flush();
  return status;
}
