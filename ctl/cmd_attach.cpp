// `ctrctl attach`: joins a running (or initialized) container's streams, as podman attach:
// its output from now on, ctrctl's stdin when the container is interactive (unless
// --no-stdin), detach keys, raw mode and resizes for tty containers; exits with the
// container's exit code when it ends, 0 after detaching.
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/io.hpp"

namespace ctl {

runner add_attach(CLI::App& app) {
  struct options {
    std::string name;
    bool no_stdin = false;
    std::string detach_keys;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("attach", "Attach to a running container");
  sub->add_flag("--no-stdin", o->no_stdin, "Do not attach stdin");
  auto* keys = sub->add_option("--detach-keys", o->detach_keys,
                               "Key sequence to detach (default ctrl-p,ctrl-q; \"\" disables)");
  sub->add_option("CONTAINER", o->name, "Container name, id or unique id prefix")->required();
  sub->footer("Exits with the container's exit code when it ends, 0 after detaching.");
  return [o, keys](context& ctx) {
    attach_options ao;
    ao.detach_keys = detach_keys_flag(o->detach_keys, keys->count() > 0);
    client c;
    connect_waiting(c, ctx);
    response info = c.call("inspect", json{{"container", o->name}});
    if (!info.ok()) {
      print_error(info.message());
      return exit_code_of(info.error);
    }
    terminal_setup t = terminal_setup_of(info.result);
    ao.tty = t.tty;
    ao.forward_stdin = !o->no_stdin && t.interactive;
    uint32_t id =
        c.send("attach", json{{"container", o->name}, {"stdin", ao.forward_stdin}}, write_output);
    return attach_stream(c, id, ao);
  };
}

}  // namespace ctl
