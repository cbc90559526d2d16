#include "config/paths.hpp"

#include <limits.h>
#include <pwd.h>
#include <unistd.h>
#include <cstdlib>

namespace ctrd {
namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string home_dir() {
  if (auto h = env_or_empty("HOME"); !h.empty()) return h;
  if (auto* pw = getpwuid(getuid())) return pw->pw_dir;
  return "/tmp";
}

}  // namespace

std::string default_root_dir() {
  if (geteuid() == 0) return "/var/lib/ctrd";
  if (auto x = env_or_empty("XDG_DATA_HOME"); !x.empty()) return x + "/ctrd";
  return home_dir() + "/.local/share/ctrd";
}

std::string default_socket_path() {
  if (geteuid() == 0) return "/run/ctrd/ctrd.sock";
  if (auto x = env_or_empty("XDG_RUNTIME_DIR"); !x.empty()) return x + "/ctrd/ctrd.sock";
  return "/tmp/ctrd-" + std::to_string(getuid()) + "/ctrd.sock";
}

std::string resolve_socket_path(const std::string& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  if (auto e = env_or_empty("CTRD_SOCKET"); !e.empty()) return e;
  return default_socket_path();
}

std::string own_executable_dir() {
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return ".";
  self[n] = '\0';
  std::string dir = self;
  return dir.substr(0, dir.rfind('/'));
}

}  // namespace ctrd
