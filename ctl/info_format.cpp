#include "ctl/info_format.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace ctl {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

/// A /proc/meminfo value in bytes (0 when absent).
uint64_t meminfo(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) {
      std::istringstream v(line.substr(key.size() + 1));
      uint64_t kb = 0;
      v >> kb;
      return kb * 1024;
    }
  return 0;
}

bool needs_quotes(const std::string& s) {
  if (s.empty()) return true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return true;
  if (s.front() == ' ' || s.back() == ' ') return true;
  static const std::string special = "-?:,[]{}#&*!|>'\"%@`";
  if (special.find(s.front()) != std::string::npos) return true;
  if (s == "true" || s == "false" || s == "null" || s == "yes" || s == "no") return true;
  // A number (digits, at most one dot) would read back as one.
  return s.find_first_not_of("0123456789.") == std::string::npos && s.find('.') == s.rfind('.');
}

std::string scalar(const json& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    return needs_quotes(s) ? json(s).dump() : s;
  }
  if (v.is_null()) return "null";
  return v.dump();
}

void emit(const json& j, int indent, std::string& out) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  for (auto it = j.begin(); it != j.end(); ++it) {
    const json& v = it.value();
    out += pad + it.key() + ":";
    if (v.is_object() && !v.empty()) {
      out += "\n";
      emit(v, indent + 2, out);
    } else if (v.is_array() && !v.empty()) {
      out += "\n";
      for (const auto& e : v) {
        if (e.is_object()) {
          out += pad + "- \n";
          emit(e, indent + 2, out);
        } else {
          out += pad + "- " + scalar(e) + "\n";
        }
      }
    } else if (v.is_object()) {
      out += " {}\n";
    } else if (v.is_array()) {
      out += " []\n";
    } else {
      out += " " + scalar(v) + "\n";
    }
  }
}

}  // namespace

std::string uptime_text(double seconds) {
  auto total = static_cast<long long>(seconds);
  long long h = total / 3600, m = (total % 3600) / 60;
  double s = seconds - static_cast<double>(h * 3600 + m * 60);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%lldh %lldm %.2fs", h, m, s);
  return buf;
}

json host_facts() {
  json h;
  utsname u{};
  if (::uname(&u) == 0) {
    std::string machine = u.machine;
    h["arch"] = machine == "x86_64" ? "amd64" : machine == "aarch64" ? "arm64" : machine;
    h["kernel"] = u.release;
    h["hostname"] = u.nodename;
  }
  h["os"] = "linux";
  h["cpus"] = ::sysconf(_SC_NPROCESSORS_ONLN);
  auto mem = read_text("/proc/meminfo");
  h["memTotal"] = meminfo(mem, "MemTotal");
  h["memFree"] = meminfo(mem, "MemAvailable");
  h["swapTotal"] = meminfo(mem, "SwapTotal");
  h["swapFree"] = meminfo(mem, "SwapFree");
  double up = 0;
  std::istringstream(read_text("/proc/uptime")) >> up;
  h["uptime"] = uptime_text(up);
  auto controllers_text = read_text("/sys/fs/cgroup/cgroup.controllers");
  bool v2 = !read_text("/sys/fs/cgroup/cgroup.procs").empty() || !controllers_text.empty();
  h["cgroupVersion"] = v2 ? "v2" : "v1";
  json controllers = json::array();
  std::istringstream in(controllers_text);
  std::string c;
  while (in >> c) controllers.push_back(c);
  h["cgroupControllers"] = controllers;
  h["cgroupManager"] = "cgroupfs";
  return h;
}

std::string yaml_text(const json& j) {
  std::string out;
  if (j.is_object()) emit(j, 0, out);
  return out;
}

}  // namespace ctl
