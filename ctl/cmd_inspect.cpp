// `ctrctl inspect`: a JSON array of the daemon's inspect maps, pretty-printed with 4 spaces
// like podman; missing containers are reported on stderr after the array (exit 125).
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/io.hpp"

namespace ctl {

runner add_inspect(CLI::App& app) {
  auto names = std::make_shared<std::vector<std::string>>();
  auto* sub = app.add_subcommand("inspect", "Show containers' configuration and state as JSON");
  sub->add_option("CONTAINER", *names, "Container names, ids or unique id prefixes")->required();
  return [names](context& ctx) {
    client c;
    connect(c, ctx);
    std::vector<uint32_t> ids;
    for (const auto& n : *names) ids.push_back(c.send("inspect", json{{"container", n}}));
    json found = json::array();
    std::vector<std::string> errors;
    int status = 0;
    for (auto id : ids) {
      response r = c.wait(id);
      if (r.ok()) {
        found.push_back(std::move(r.result));
      } else {
        errors.push_back(r.message());
        status = exit_code_of(r.error);
      }
    }
    out_line(found.dump(4, ' ', false, json::error_handler_t::replace));
    for (const auto& e : errors) print_error(e);
    return status;
  };
}

}  // namespace ctl
