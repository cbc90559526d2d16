#include "config/service_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <system_error>

#include <toml++/toml.h>

#include "config/service_parser.hpp"
#include "config/service_precheck.hpp"
#include "messages/container_config.hpp"
#include "messages/error.hpp"
#include "messages/limits.hpp"

namespace fs = std::filesystem;

namespace ctrd {
namespace {

service_file_result failure(std::string file, int line, int column, std::string key,
                            std::string msg) {
  service_file_result r;
  r.error = service_error{std::move(file), line, column, std::move(key), std::move(msg)};
  return r;
}

std::string errno_text(int err) {
  return std::generic_category().message(err);
}

}  // namespace

service_file_result parse_service_text(const std::string& text, const std::string& path) {
  const std::string name = fs::path(path).stem().string();
  if (!valid_container_name(name))
    return failure(path, 0, 0, "",
                   "\"" + name +
                       "\" is not a valid container name (the file name without .toml must match "
                       "[a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 253 characters)");
  if (text.size() > max_service_file_size)
    return failure(path, 0, 0, "",
                   "file too large (" + std::to_string(text.size()) + " bytes, at most 1 MiB)");
  if (auto p = service_text::precheck(text); p.line)
    return failure(path, p.line, p.column, "", p.message);

  std::string source = path;
  {
    std::error_code ec;
    auto abs = fs::absolute(path, ec);
    if (!ec) source = abs.lexically_normal().string();
  }

  toml::table root;
  try {
    root = toml::parse(std::string_view(text), std::string_view(path));
  } catch (const toml::parse_error& e) {
    return failure(path, service_text::clamp_int(e.source().begin.line),
                   service_text::clamp_int(e.source().begin.column), "",
                   std::string(e.description()));
  }

  std::optional<service_error> problem;
  json def = service_text::definition_of(root, path, name, problem);
  if (problem) {
    service_file_result r;
    r.error = std::move(*problem);
    return r;
  }
  def["name"] = name;
  def["source"] = source;

  try {
    validate(config_from_json(def));
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    return failure(path, 0, 0, "", e.what());
  }

  service_file_result r;
  r.service = service_def{name, source, std::move(def)};
  return r;
}

service_file_result parse_service_file(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not hang the daemon; non-regular files are refused below.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return failure(path, 0, 0, "", "cannot open: " + errno_text(errno));
  struct fd_guard {
    int fd;
    ~fd_guard() { ::close(fd); }
  } guard{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return failure(path, 0, 0, "", "cannot stat: " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) return failure(path, 0, 0, "", "not a regular file");
  if (static_cast<uint64_t>(st.st_size) > max_service_file_size)
    return failure(path, 0, 0, "",
                   "file too large (" + std::to_string(st.st_size) + " bytes, at most 1 MiB)");
  std::string text;
  text.resize(max_service_file_size + 1);  // one more byte: notices a file that grew meanwhile
  std::size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return failure(path, 0, 0, "", "cannot read: " + errno_text(errno));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  text.resize(got);
  return parse_service_text(text, path);
}

service_dir load_service_dir(const std::string& dir) {
  service_dir out;
  auto dir_error = [&](const std::string& msg) {
    out.errors.push_back(service_error{dir, 0, 0, "", msg});
    return out;
  };
  std::error_code ec;
  auto st = fs::status(dir, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)
    return dir_error("cannot access the service directory: " + ec.message());
  if (!fs::exists(st)) return out;
  if (!fs::is_directory(st)) return dir_error("not a directory");

  std::vector<std::string> files;
  fs::directory_iterator it(dir, ec);
  if (ec) return dir_error("cannot read the service directory: " + ec.message());
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::string fname = it->path().filename().string();
    if (fname.empty() || fname[0] == '.') continue;
    if (fname.size() <= 5 || fname.compare(fname.size() - 5, 5, ".toml") != 0) continue;
    files.push_back(fname);
  }
  if (ec) return dir_error("cannot read the service directory: " + ec.message());
  std::sort(files.begin(), files.end());

  std::string prefix = dir;
  if (prefix.empty() || prefix.back() != '/') prefix += '/';
  for (const auto& f : files) {
    auto r = parse_service_file(prefix + f);
    if (r.ok())
      out.services.push_back(std::move(*r.service));
    else
      out.errors.push_back(std::move(*r.error));
  }
  std::sort(out.services.begin(), out.services.end(),
            [](const service_def& a, const service_def& b) { return a.name < b.name; });
  return out;
}

std::string to_string(const service_error& e) {
  std::string out = e.file;
  if (e.line > 0) {
    out += ":" + std::to_string(e.line);
    if (e.column > 0) out += ":" + std::to_string(e.column);
  }
  out += ": ";
  if (!e.key.empty()) out += e.key + ": ";
  out += e.message;
  return out;
}

json to_json(const service_error& e) {
  return json{{"file", e.file},
              {"line", e.line},
              {"column", e.column},
              {"key", e.key},
              {"message", e.message}};
}

}  // namespace ctrd
