// `ctrctl stat CONTAINER:PATH`: ctrd's `stat` of a path inside a container, printed like
// stat(1) or as JSON.
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/copy_paths.hpp"
#include "ctl/file_io.hpp"
#include "ctl/io.hpp"

namespace ctl {

runner add_stat(CLI::App& app) {
  struct options {
    std::string target;
    std::string format;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("stat", "Show information about a file in a container");
  sub->add_option("--format", o->format, "Output format: text (default) or json");
  sub->add_option("CONTAINER:PATH", o->target, "Container and path inside it")->required();
  sub->footer("Does not follow a final symlink (its target is shown).");
  return [o](context& ctx) {
    if (!o->format.empty() && o->format != "json" && o->format != "text")
      throw ctrd::error(ctrd::ec::invalid_argument,
                        "unsupported format \"" + o->format + "\": use text or json");
    cp_location l = parse_cp_location(o->target);
    if (l.container.empty() || l.path.empty())
      throw ctrd::error(ctrd::ec::invalid_argument,
                        "invalid argument \"" + o->target + "\": use CONTAINER:PATH");
    client c;
    connect(c, ctx);
    response r = c.call("stat", json{{"container", l.container}, {"path", l.path}});
    if (!r.ok()) {
      print_error(r.message());
      return exit_code_of(r.error);
    }
    if (o->format == "json")
      out_line(r.result.dump(4, ' ', false, json::error_handler_t::replace));
    else
      out(stat_text(l.path, r.result, false));
    return 0;
  };
}

}  // namespace ctl
