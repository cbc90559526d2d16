// `ctrctl inspect`: a JSON array of the daemon's inspect maps, pretty-printed with 4 spaces
// like podman, or -f/--format's Go template once per container; missing containers are
// reported on stderr after the output (exit 125).
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/go_template.hpp"
#include "ctl/io.hpp"

namespace ctl {

runner add_inspect(CLI::App& app) {
  struct options {
    std::vector<std::string> names;
    std::string format;
  };
  auto o = std::make_shared<options>();
  auto* names = &o->names;
  auto* sub = app.add_subcommand("inspect", "Show containers' configuration and state as JSON");
  sub->add_option("-f,--format", o->format,
                  "Output format: json (default) or a Go template ('{{.State.Status}}')");
  sub->add_option("CONTAINER", o->names, "Container names, ids or unique id prefixes")->required();
  return [o, names](context& ctx) {
    if (!o->format.empty() && !is_json_format(o->format))
      gotmpl::tmpl::parse(o->format, "inspect");  // a syntax error fails before any request
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
    if (o->format.empty() || is_json_format(o->format))
      out_line(found.dump(4, ' ', false, json::error_handler_t::replace));
    else
      out(render_format(found, o->format, {}, "inspect"));
    for (const auto& e : errors) print_error(e);
    return status;
  };
}

}  // namespace ctl
