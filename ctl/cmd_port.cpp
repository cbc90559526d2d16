// `ctrctl port CONTAINER [PRIVATE[/PROTO]]` and `port -a`: the published ports of containers
// from inspect's NetworkSettings.Ports, in podman's "80/tcp -> 0.0.0.0:8080" lines.
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/format.hpp"
#include "ctl/io.hpp"
#include "ctl/network_format.hpp"

namespace ctl {

runner add_port(CLI::App& app) {
  struct options {
    bool all = false;
    std::string container, private_port;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("port", "List the published ports of a container");
  sub->add_flag("-a,--all", o->all, "Every running container's published ports");
  sub->add_option("CONTAINER", o->container, "Container name or id");
  sub->add_option("PRIVATE", o->private_port,
                  "Only this container port: PORT[/PROTO] (tcp when left out)");
  return [o](context& ctx) {
    if (!o->all && o->container.empty())
      throw ctrd::error(ctrd::ec::invalid_argument,
                        "you must supply a running container name or id");
    if (o->all && !o->container.empty())
      throw ctrd::error(ctrd::ec::invalid_argument, "--all and containers cannot be used together");
    const std::string& private_port = o->private_port;
    if (!private_port.empty()) parse_private_port(private_port);  // checked before asking
    client c;
    connect(c, ctx);
    std::vector<std::string> names;
    if (o->all) {
      response l = c.call("list", json{{"all", false}, {"chunked", true}});
      if (!l.ok()) {
        print_error(l.message());
        return exit_code_of(l.error);
      }
      for (const auto& s : l.result.is_array() ? l.result : json::array())
        names.push_back(s.value("id", std::string()));
    } else {
      names.push_back(o->container);
    }
    std::vector<uint32_t> ids;
    for (const auto& n : names) ids.push_back(c.send("inspect", json{{"container", n}}));
    for (std::size_t i = 0; i < ids.size(); ++i) {
      response r = c.wait(ids[i]);
      if (!r.ok()) {
        if (o->all && r.code() == ctrd::ec::no_such_container) continue;  // removed meanwhile
        print_error(r.message());
        return exit_code_of(r.error);
      }
      if (!ports_listed(r.result)) continue;  // podman: not running, nothing to say
      std::string prefix = o->all ? short_id(r.result.value("Id", names[i])) + "\t" : "";
      bool found = false;
      for (const auto& line : port_lines(published_ports(r.result), private_port, prefix, found))
        out_line(line);
      if (!private_port.empty() && !found) {
        print_error("failed to find published port \"" + private_port + "\"");
        return 125;
      }
    }
    return 0;
  };
}

}  // namespace ctl
