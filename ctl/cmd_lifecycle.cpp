// `ctrctl init|start|stop|kill|restart|rm`: one request per container, pipelined, each
// container printed as given on success (its full id with --all), "Error: ..." per failure,
// exit status of the last failure (podman; rm: 1 for a missing container, 2 for a running
// one). -a/--all selects the containers as podman (ctl/select.hpp).
#include <functional>
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/io.hpp"
#include "ctl/select.hpp"
#include "messages/signals.hpp"

namespace ctl {
namespace {

// Parses -t/--time: a non-negative number of seconds. Throws ctrd::error.
uint64_t parse_timeout(const std::string& t) {
  if (t.empty() || t.size() > 9 || t.find_first_not_of("0123456789") != std::string::npos)
    throw ctrd::error(ctrd::ec::invalid_argument,
                      "invalid timeout \"" + t + "\": must be a non-negative number of seconds");
  return std::stoull(t);
}

CLI::Option* add_containers(CLI::App& sub, std::vector<std::string>& v) {
  return sub.add_option("CONTAINER", v, "Container names, ids or unique id prefixes")->required();
}

// CONTAINER... or -a/--all (checked by check_selection() before anything is sent).
void add_selection(CLI::App& sub, std::vector<std::string>& v, bool& all, const char* all_help) {
  sub.add_flag("-a,--all", all, all_help);
  sub.add_option("CONTAINER", v, "Container names, ids or unique id prefixes");
}

// The containers to act on: the arguments, or the ids --all selects (`keep`: the states).
std::vector<std::string> targets(client& c, bool all, const std::vector<std::string>& names,
                                 const std::function<bool(const std::string&)>& keep = {}) {
  return all ? select_all(c, keep) : names;
}

// The podman warning for a stop that had to fall back to SIGKILL.
void warn_escalated(const std::string& name, const response& r) {
  const json& res = r.result;
  if (!res.is_object() || !res.value("escalated", false)) return;
  auto sig = res.find("signal");
  auto tmo = res.find("timeout");
  if (sig != res.end() && tmo != res.end() && tmo->is_number()) {
    std::string signame = sig->is_string()           ? sig->get<std::string>()
                          : sig->is_number_integer() ? ctrd::signal_name(sig->get<int>())
                                                     : std::string("SIGTERM");
    print_warning("StopSignal " + signame + " failed to stop container " + name + " in " +
                  std::to_string(tmo->get<int64_t>()) + " seconds, resorting to SIGKILL");
  } else {
    print_warning("StopSignal failed to stop container " + name + " in time, resorting to SIGKILL");
  }
}

}  // namespace

runner add_init(CLI::App& app) {
  auto names = std::make_shared<std::vector<std::string>>();
  auto* sub = app.add_subcommand("init", "Initialize containers (process created, not started)");
  add_containers(*sub, *names);
  return [names](context& ctx) {
    client c;
    connect(c, ctx);
    return for_each_container(c, *names, "init", [](const std::string& n) {
      return json{{"container", n}};
    });
  };
}

runner add_start(CLI::App& app) {
  struct options {
    std::vector<std::string> names;
    bool attach = false;
    bool interactive = false;
    std::string detach_keys;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("start", "Start containers");
  sub->add_flag("-a,--attach", o->attach,
                "Attach to the container's output and exit with its exit code");
  sub->add_flag("-i,--interactive", o->interactive,
                "Attach the container's stdin too (implies --attach)");
  auto* keys = sub->add_option("--detach-keys", o->detach_keys,
                               "Key sequence to detach (default ctrl-p,ctrl-q; \"\" disables)");
  add_containers(*sub, o->names);
  return [o, keys](context& ctx) {
    bool attach = o->attach || o->interactive;
    if (attach && o->names.size() > 1)
      throw ctrd::error(ctrd::ec::invalid_argument,
                        "you cannot start and attach multiple containers at once");
    attach_options ao;
    ao.detach_keys = detach_keys_flag(o->detach_keys, keys->count() > 0);
    client c;
    connect_waiting(c, ctx);  // requirements first: as long as they take
    if (!attach)
      return for_each_container(c, o->names, "start", [](const std::string& n) {
        return json{{"container", n}};
      });
    // The terminal setup decides raw mode and whether stdin can be forwarded.
    response info = c.call("inspect", json{{"container", o->names[0]}});
    if (!info.ok()) {
      print_error(info.message());
      return exit_code_of(info.error);
    }
    terminal_setup t = terminal_setup_of(info.result);
    ao.tty = t.tty;
    ao.forward_stdin = o->interactive && t.interactive;
    return attached_start(c, o->names[0], ao);
  };
}

runner add_stop(CLI::App& app) {
  struct options {
    std::vector<std::string> names;
    std::string time;
    bool ignore = false;
    bool all = false;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("stop", "Stop containers (stop signal, then SIGKILL)");
  sub->add_option("-t,--time", o->time,
                  "Seconds to wait before SIGKILL (default: the container's stop timeout)");
  sub->add_flag("-i,--ignore", o->ignore, "Ignore containers that do not exist");
  add_selection(*sub, o->names, o->all, "Stop all containers (also those already stopped)");
  return [o](context& ctx) {
    check_selection(o->all, o->names);
    json params = json::object();
    if (!o->time.empty()) params["timeout"] = parse_timeout(o->time);
    client c;
    connect_waiting(c, ctx);  // up to the stop timeout, then SIGKILL
    auto names = targets(c, o->all, o->names);
    auto ignore = [o](const std::string&, const response& r) {
      // podman: stopping a stopped / never-started container succeeds.
      return r.code() == ctrd::ec::invalid_state ||
             (o->ignore && r.code() == ctrd::ec::no_such_container);
    };
    return for_each_container(
        c, names, "stop",
        [&](const std::string& n) {
          json p = params;
          p["container"] = n;
          return p;
        },
        [](const std::string& n, const response& r) {
          if (r.code() == ctrd::ec::no_such_container) return;  // --ignore: silent
          warn_escalated(n, r);
          out_line(n);
        },
        ignore);
  };
}

runner add_kill(CLI::App& app) {
  struct options {
    std::vector<std::string> names;
    std::string signal = "SIGKILL";
    bool all = false;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("kill", "Send a signal to containers' processes");
  sub->add_option("-s,--signal", o->signal, "Signal name or number (default SIGKILL)");
  add_selection(*sub, o->names, o->all, "Signal all running (or paused, stopping) containers");
  return [o](context& ctx) {
    check_selection(o->all, o->names);
    std::string sig = ctrd::signal_name(ctrd::parse_signal(o->signal));
    client c;
    connect(c, ctx);
    auto names = targets(c, o->all, o->names, killable_state);
    bool all = o->all;
    return for_each_container(
        c, names, "kill",
        [&](const std::string& n) {
          return json{{"container", n}, {"signal", sig}};
        },
        [](const std::string& n, const response& r) {
          if (r.ok()) out_line(n);
        },
        [all](const std::string&, const response& r) {
          return all && r.code() == ctrd::ec::invalid_state;  // exited meanwhile: skipped
        });
  };
}

runner add_restart(CLI::App& app) {
  struct options {
    std::vector<std::string> names;
    std::string time;
    bool all = false;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("restart", "Stop (if running) and start containers again");
  sub->add_option("-t,--time", o->time,
                  "Seconds to wait before SIGKILL (default: the container's stop timeout)");
  add_selection(*sub, o->names, o->all, "Restart all containers");
  return [o](context& ctx) {
    check_selection(o->all, o->names);
    json params = json::object();
    if (!o->time.empty()) params["timeout"] = parse_timeout(o->time);
    client c;
    connect_waiting(c, ctx);
    return for_each_container(c, targets(c, o->all, o->names), "restart",
                              [&](const std::string& n) {
                                json p = params;
                                p["container"] = n;
                                return p;
                              });
  };
}

runner add_rm(CLI::App& app) {
  struct options {
    std::vector<std::string> names;
    bool force = false;
    bool ignore = false;
    bool all = false;
    bool volumes = false;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("rm", "Remove containers");
  sub->add_flag("-f,--force", o->force,
                "Stop running containers first (SIGKILL); missing containers are no error");
  sub->add_flag("-i,--ignore", o->ignore, "Ignore containers that do not exist");
  sub->add_flag("-v,--volumes", o->volumes,
                "Accepted as podman's; ctrd creates no anonymous volumes, so there are none to "
                "remove");
  add_selection(*sub, o->names, o->all, "Remove all containers (running ones only with -f)");
  return [o](context& ctx) {
    check_selection(o->all, o->names);
    client c;
    connect(c, ctx);
    std::vector<ctrd::ec> failures;
    auto names = targets(c, o->all, o->names);
    for_each_container(
        c, names, "remove",
        [&](const std::string& n) {
          return json{{"container", n}, {"force", o->force}};
        },
        [](const std::string& n, const response& r) {
          if (r.ok()) out_line(n);  // --ignore'd missing containers print nothing
        },
        [&](const std::string&, const response& r) {
          // podman: -f and -i make a missing container no error, printed or counted.
          if ((o->ignore || o->force) && r.code() == ctrd::ec::no_such_container) return true;
          failures.push_back(rm_failure(r.code(), r.message()));
          return false;
        });
    return rm_status(failures);
  };
}

}  // namespace ctl
