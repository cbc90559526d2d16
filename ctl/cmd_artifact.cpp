// `ctrctl artifact add|get|rm|ls`: small named blobs (at most 4 MiB each) kept with a
// container by ctrd and removed with it (docs/protocol.md, artifact_*).
#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/file_io.hpp"
#include "ctl/io.hpp"
#include "ctl/stats_format.hpp"

namespace ctl {
namespace {

constexpr std::size_t max_artifact = 4u * 1024 * 1024;  // protocol: `data` at most 4 MiB

// Reads an artifact's content from FILE or stdin ("-"), refusing more than 4 MiB.
std::string read_artifact(const std::string& file) {
  bool from_stdin = file == "-";
  int fd = from_stdin ? STDIN_FILENO : ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw ctrd::error(ctrd::ec::invalid_argument,
                      "cannot read " + file + ": " + std::strerror(errno));
  bool too_big = false;
  std::string data;
  try {
    data = read_limited(fd, max_artifact, too_big, from_stdin ? std::string("stdin") : file);
  } catch (...) {
    if (!from_stdin) ::close(fd);
    throw;
  }
  if (!from_stdin) ::close(fd);
  if (too_big)
    throw ctrd::error(ctrd::ec::invalid_argument,
                      (from_stdin ? std::string("stdin") : file) +
                          " is too large for an artifact: the limit is 4 MiB (4194304 bytes)");
  return data;
}

// Prints a response's error and returns its exit status, or 0 on success.
int check(const response& r) {
  if (r.ok()) return 0;
  print_error(r.message());
  return exit_code_of(r.error);
}

}  // namespace

runner add_artifact(CLI::App& app) {
  struct options {
    std::string container;
    std::string name;
    std::string file;
    std::string output;
  };
  auto o = std::make_shared<options>();
  auto* sub =
      app.add_subcommand("artifact", "Manage a container's artifacts (named blobs up to 4 MiB)");
  sub->require_subcommand(0, 1);
  auto* add = sub->add_subcommand("add", "Store FILE (or stdin: -) as artifact NAME");
  add->add_option("CONTAINER", o->container, "Container name, id or unique id prefix")->required();
  add->add_option("NAME", o->name, "Artifact name")->required();
  add->add_option("FILE", o->file, "File to store, - for stdin")->required();
  auto* get = sub->add_subcommand("get", "Write artifact NAME to stdout or FILE");
  get->add_option("-o,--output", o->output, "Write to FILE instead of stdout");
  get->add_option("CONTAINER", o->container, "Container name, id or unique id prefix")->required();
  get->add_option("NAME", o->name, "Artifact name")->required();
  auto* rm = sub->add_subcommand("rm", "Remove artifact NAME");
  rm->alias("remove");
  rm->add_option("CONTAINER", o->container, "Container name, id or unique id prefix")->required();
  rm->add_option("NAME", o->name, "Artifact name")->required();
  auto* ls = sub->add_subcommand("ls", "List a container's artifacts");
  ls->alias("list");
  ls->add_option("CONTAINER", o->container, "Container name, id or unique id prefix")->required();
  return [o, add, get, rm, ls](context& ctx) {
    if (!add->parsed() && !get->parsed() && !rm->parsed() && !ls->parsed()) {
      print_error("missing command 'ctrctl artifact COMMAND'");
      err("See 'ctrctl artifact --help'.\n");
      return 125;
    }
    std::string data;
    if (add->parsed()) data = read_artifact(o->file);  // checked before contacting ctrd
    client c;
    connect(c, ctx);
    json params{{"container", o->container}};
    if (add->parsed()) {
      params["name"] = o->name;
      params["data"] = binary_value(data.data(), data.size());
      int status = check(c.call("artifact_add", params));
      if (status == 0) out_line(o->name);
      return status;
    }
    if (rm->parsed()) {
      params["name"] = o->name;
      int status = check(c.call("artifact_remove", params));
      if (status == 0) out_line(o->name);
      return status;
    }
    if (get->parsed()) {
      params["name"] = o->name;
      response r = c.call("artifact_get", params);
      if (int status = check(r); status != 0) return status;
      const char* d = nullptr;
      std::size_t n = 0;
      if (!data_of(r.result, d, n)) {
        print_error("ctrd did not send the artifact's data");
        return 125;
      }
      output_target target(o->output);
      target.write(d, n);
      target.finish();
      return 0;
    }
    response r = c.call("artifact_list", params);
    if (int status = check(r); status != 0) return status;
    out(artifact_table(r.result));
    return 0;
  };
}

}  // namespace ctl
