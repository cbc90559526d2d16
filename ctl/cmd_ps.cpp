// `ctrctl ps`: the container list as a podman-style table, ids, or JSON.
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/format.hpp"
#include "ctl/io.hpp"

namespace ctl {

runner add_ps(CLI::App& app) {
  struct options {
    bool all = false;
    bool quiet = false;
    bool no_trunc = false;
    bool sync = false;
    std::string format;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("ps", "List containers");
  sub->add_flag("-a,--all", o->all, "Show all containers (default: only running ones)");
  sub->add_flag("-q,--quiet", o->quiet, "Print only the container ids");
  sub->add_flag("--no-trunc", o->no_trunc, "Do not truncate ids and commands");
  sub->add_option("--format", o->format, "Output format: table (default) or json");
  sub->add_flag("--sync", o->sync,
                "First make ctrd reconcile its records with the processes that really exist");
  return [o](context& ctx) {
    if (!o->format.empty() && o->format != "json" && o->format != "table")
      throw ctrd::error(ctrd::ec::invalid_argument,
                        "unsupported format \"" + o->format + "\": use table or json");
    client c;
    connect(c, ctx);
    json params{{"all", o->all}, {"chunked", true}};
    if (o->sync) params["sync"] = true;
    response r = c.call("list", params);
    if (!r.ok()) {
      print_error(r.message());
      return exit_code_of(r.error);
    }
    if (!r.result.is_array()) {
      print_error("ctrd sent a malformed container list");
      return 125;
    }
    sort_summaries(r.result);
    if (o->quiet) {
      out(ps_quiet(r.result, o->no_trunc));
    } else if (o->format == "json") {
      out_line(ps_json(r.result, now_ns()).dump(4, ' ', false, json::error_handler_t::replace));
    } else {
      out(ps_table(r.result, now_ns(), o->no_trunc));
    }
    return 0;
  };
}

}  // namespace ctl
