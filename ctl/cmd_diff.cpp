// `ctrctl diff CONTAINER`: the changes in an overlay container's upper layer
// (ctl/overlay_diff.hpp); ctrd names the layers (inspect's GraphDriver), ctrctl reads them.
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/io.hpp"
#include "ctl/overlay_diff.hpp"

namespace ctl {

runner add_diff(CLI::App& app) {
  struct options {
    std::string container;
    std::string format;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("diff", "Inspect changes to a container's file system");
  sub->add_option("--format", o->format, "Output format: text (default) or json");
  sub->add_option("CONTAINER", o->container, "Container name, id or unique id prefix")->required();
  sub->footer("Only containers with --rootfs-overlay have layers: A added, C changed, D deleted.");
  return [o](context& ctx) {
    if (!o->format.empty() && o->format != "json" && o->format != "text")
      throw ctrd::error(ctrd::ec::invalid_argument,
                        "unsupported format \"" + o->format + "\": use text or json");
    client c;
    connect(c, ctx);
    response r = c.call("inspect", json{{"container", o->container}});
    if (!r.ok()) {
      print_error(r.message());
      return exit_code_of(r.error);
    }
    const json& j = r.result;
    std::string upper = j.value("/GraphDriver/Data/UpperDir"_json_pointer, std::string());
    std::string lower = j.value("/GraphDriver/Data/LowerDir"_json_pointer, std::string());
    if (upper.empty()) {
      std::string rootfs = j.value("/HostConfig/Rootfs"_json_pointer, std::string());
      print_error("container \"" + j.value("Name", o->container) + "\" has no layers: " +
                  (rootfs.empty() ? "it runs on the host's root file system"
                                  : "its rootfs \"" + rootfs + "\" is used as it is") +
                  " (only --rootfs-overlay containers have an upper layer to diff)");
      return 125;
    }
    auto changes = overlay_changes(upper, lower);
    if (o->format == "json")
      out_line(changes_json(changes).dump(4, ' ', false, json::error_handler_t::replace));
    else
      out(changes_text(changes));
    return 0;
  };
}

}  // namespace ctl
