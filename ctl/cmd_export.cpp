// `ctrctl export [-o FILE] CONTAINER`: the container's root file system as an uncompressed
// tar, streamed to FILE or stdout as ctrd sends it (podman export). A tar is never written
// to a terminal.
#include <unistd.h>
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/file_io.hpp"
#include "ctl/io.hpp"

namespace ctl {

runner add_export(CLI::App& app) {
  struct options {
    std::string name;
    std::string output;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("export", "Export a container's file system as a tar archive");
  sub->add_option("-o,--output", o->output, "Write to FILE instead of stdout");
  sub->add_option("CONTAINER", o->name, "Container name, id or unique id prefix")->required();
  return [o](context& ctx) {
    if ((o->output.empty() || o->output == "-") && ::isatty(STDOUT_FILENO) != 0)
      throw ctrd::error(ctrd::ec::invalid_argument,
                        "refusing to export to terminal. Use -o flag or redirect");
    output_target target(o->output);
    client c;
    connect_waiting(c, ctx);
    if (int rc = stream_into(c, "export", json{{"container", o->name}}, target)) return rc;
    target.finish();
    return 0;
  };
}

}  // namespace ctl
