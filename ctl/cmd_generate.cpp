// `ctrctl generate service NAME...`: prints the service file (docs/service-files.md) that
// recreates each container under ctrd's --config-dir, ctrd's answer to `podman generate
// systemd --new` and quadlet. With --files, writes NAME.toml into the current directory
// (or --dir) instead and prints each path, as podman's --files does.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <CLI/CLI.hpp>

#include "config/service_writer.hpp"
#include "ctl/common.hpp"
#include "ctl/io.hpp"

namespace ctl {
namespace {

struct generate_options {
  std::vector<std::string> names;
  bool files = false;
  std::string dir = ".";
};

// Writes `text` to DIR/NAME.toml (replacing it); returns the path or throws.
std::string write_file(const std::string& dir, const std::string& name, const std::string& text) {
  std::string path = dir + "/" + name + ".toml";
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0 && write_all(fd, text.data(), text.size()) && ::fsync(fd) == 0;
  int saved = errno;
  if (fd >= 0) ::close(fd);
  if (ok && ::rename(tmp.c_str(), path.c_str()) == 0) return path;
  if (ok) saved = errno;
  ::unlink(tmp.c_str());
  throw std::runtime_error("cannot write " + path + ": " + std::strerror(saved));
}

}  // namespace

runner add_generate(CLI::App& app) {
  auto o = std::make_shared<generate_options>();
  auto* gen = app.add_subcommand("generate", "Generate service files for containers");
  gen->require_subcommand(1);
  auto* svc = gen->add_subcommand(
      "service", "Print the service file that recreates a container under ctrd --config-dir");
  svc->add_option("CONTAINER", o->names, "Container names, ids or unique id prefixes")->required();
  svc->add_flag("-f,--files", o->files, "Write NAME.toml files instead of printing them");
  svc->add_option("--dir", o->dir, "Directory for --files (default: the current directory)");
  return [o](context& ctx) {
    client c;
    connect(c, ctx);
    std::vector<uint32_t> ids;
    for (const auto& n : o->names) ids.push_back(c.send("definition", json{{"container", n}}));
    int status = 0;
    bool first = true;
    for (auto id : ids) {
      response r = c.wait(id);
      if (!r.ok()) {
        print_error(r.message());
        status = exit_code_of(r.error);
        continue;
      }
      auto file = ctrd::generate_service(r.result);
      if (o->files) {
        out_line(write_file(o->dir, r.result.value("name", std::string()), file.text));
      } else {
        if (!first) out("\n");
        out(file.text);
      }
      first = false;
    }
    return status;
  };
}

}  // namespace ctl
