#include "ctl/top_proc.hpp"

#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

namespace ctl {
namespace {

bool read_file(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

int64_t clock_ns(clockid_t id) {
  timespec ts{};
  ::clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void collect_cgroup(const std::string& dir, std::vector<long>& out, int depth) {
  std::string text;
  if (read_file(dir + "/cgroup.procs", text)) {
    std::istringstream in(text);
    long pid = 0;
    while (in >> pid) out.push_back(pid);
  }
  if (depth > 16) return;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return;
  while (auto* e = ::readdir(d.get())) {
    std::string name = e->d_name;
    if (e->d_type == DT_DIR && name != "." && name != "..")
      collect_cgroup(dir + "/" + name, out, depth + 1);
  }
}

/// The fields of /proc/<pid>/stat after the command name (field 3 on), and the name.
bool read_stat(long pid, std::string& comm, std::vector<std::string>& fields) {
  std::string text;
  if (!read_file("/proc/" + std::to_string(pid) + "/stat", text)) return false;
  auto open = text.find('(');
  auto close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  comm = text.substr(open + 1, close - open - 1);
  std::istringstream in(text.substr(close + 1));
  fields.clear();
  std::string f;
  while (in >> f) fields.push_back(f);
  return fields.size() > 20;
}

std::vector<long> numbers(const std::string& line) {
  std::vector<long> out;
  std::istringstream in(line);
  long v = 0;
  while (in >> v) out.push_back(v);
  return out;
}

uint64_t hex(const std::string& s) {
  try {
    return std::stoull(s, nullptr, 16);
  } catch (...) {
    return 0;
  }
}

uint64_t num(const std::string& s) {
  try {
    return std::stoull(s);
  } catch (...) {
    return 0;
  }
}

/// The NSpid line of our own status: how deep the namespace ctrctl runs in is.
std::size_t own_ns_depth() {
  std::string text;
  if (!read_file("/proc/self/status", text)) return 1;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("NSpid:", 0) == 0) return numbers(line.substr(6)).size();
  return 1;
}

std::function<std::string(uint32_t)> lookup_in(const std::string& path) {
  auto text = std::make_shared<std::string>();
  auto loaded = std::make_shared<bool>(false);
  return [path, text, loaded](uint32_t id) {
    if (!*loaded) {
      *loaded = true;
      read_file(path, *text);
    }
    return id_name(*text, id);
  };
}

}  // namespace

int64_t wall_now_ns() {
  return clock_ns(CLOCK_REALTIME);
}

long clock_ticks() {
  long t = ::sysconf(_SC_CLK_TCK);
  return t > 0 ? t : 100;
}

std::vector<long> cgroup_pids(const std::string& cgroup_dir) {
  std::vector<long> out;
  collect_cgroup(cgroup_dir, out, 0);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<long> process_tree(long main_pid) {
  std::multimap<long, long> children;  // ppid -> pid
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir("/proc"), ::closedir);
  if (d) {
    while (auto* e = ::readdir(d.get())) {
      char* end = nullptr;
      long pid = std::strtol(e->d_name, &end, 10);
      if (end == e->d_name || *end != '\0') continue;
      std::string comm;
      std::vector<std::string> f;
      if (read_stat(pid, comm, f)) children.emplace(static_cast<long>(num(f[1])), pid);
    }
  }
  std::vector<long> out{main_pid}, todo{main_pid};
  while (!todo.empty() && out.size() < 100000) {
    long p = todo.back();
    todo.pop_back();
    auto range = children.equal_range(p);
    for (auto it = range.first; it != range.second; ++it) {
      out.push_back(it->second);
      todo.push_back(it->second);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<proc_sample> read_samples(const std::vector<long>& pids) {
  const long tck = clock_ticks();
  const int64_t tick_ns = 1000000000 / tck;
  const int64_t boot_wall = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
  const std::size_t depth = own_ns_depth();
  std::vector<proc_sample> out;
  std::map<long, long> ns_pid_of;  // host pid -> pid in the container's namespace
  std::vector<long> host_ppids;
  bool namespaced = false;
  for (long pid : pids) {
    proc_sample p;
    std::vector<std::string> f;
    if (!read_stat(pid, p.comm, f)) continue;  // gone meanwhile
    p.host_pid = pid;
    p.pid = pid;
    p.state = f[0].empty() ? '?' : f[0][0];
    long host_ppid = static_cast<long>(num(f[1]));
    p.pgid = static_cast<long>(num(f[2]));
    p.tty_nr = num(f[4]);
    p.cpu_ticks = num(f[11]) + num(f[12]);
    p.nice = std::strtol(f[16].c_str(), nullptr, 10);
    p.start_ns = boot_wall + static_cast<int64_t>(num(f[19])) * tick_ns;
    p.vsize = num(f[20]);
    std::string status;
    if (read_file("/proc/" + std::to_string(pid) + "/status", status)) {
      std::istringstream in(status);
      std::string line;
      while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string key = line.substr(0, colon), value = line.substr(colon + 1);
        auto v = numbers(value);
        std::string word;
        std::istringstream(value) >> word;
        if (key == "Uid" && v.size() >= 2) {
          p.ruid = static_cast<uint32_t>(v[0]);
          p.euid = p.host_euid = static_cast<uint32_t>(v[1]);
        } else if (key == "Gid" && v.size() >= 2) {
          p.rgid = static_cast<uint32_t>(v[0]);
          p.egid = p.host_egid = static_cast<uint32_t>(v[1]);
        } else if (key == "Groups") {
          for (long g : v) p.groups.push_back(static_cast<uint32_t>(g));
        } else if (key == "NSpid" && !v.empty()) {
          p.pid = v.back();
          if (v.size() > depth) namespaced = true;
        } else if (key == "VmRSS") {
          p.rss_kb = v.empty() ? 0 : static_cast<uint64_t>(v[0]);
        } else if (key == "CapInh") {
          p.cap_inh = hex(word);
        } else if (key == "CapPrm") {
          p.cap_prm = hex(word);
        } else if (key == "CapEff") {
          p.cap_eff = hex(word);
        } else if (key == "CapBnd") {
          p.cap_bnd = hex(word);
        } else if (key == "CapAmb") {
          p.cap_amb = hex(word);
        } else if (key == "Seccomp" && !v.empty()) {
          p.seccomp = static_cast<int>(v[0]);
        }
      }
    }
    std::string cmdline;
    if (read_file("/proc/" + std::to_string(pid) + "/cmdline", cmdline)) {
      std::size_t start = 0;
      while (start < cmdline.size()) {
        auto end = cmdline.find('\0', start);
        if (end == std::string::npos) end = cmdline.size();
        p.cmdline.push_back(cmdline.substr(start, end - start));
        start = end + 1;
      }
    }
    ns_pid_of[pid] = p.pid;
    host_ppids.push_back(host_ppid);
    out.push_back(std::move(p));
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto it = ns_pid_of.find(host_ppids[i]);
    out[i].ppid = !namespaced ? host_ppids[i] : it != ns_pid_of.end() ? it->second : 0;
  }
  return out;
}

std::string id_name(const std::string& file_text, uint32_t id) {
  std::istringstream in(file_text);
  std::string line;
  const std::string want = std::to_string(id);
  while (std::getline(in, line)) {
    // name:password:id:...
    auto a = line.find(':');
    if (a == std::string::npos) continue;
    auto b = line.find(':', a + 1);
    if (b == std::string::npos) continue;
    auto c = line.find(':', b + 1);
    if (line.compare(b + 1, (c == std::string::npos ? line.size() : c) - b - 1, want) == 0)
      return line.substr(0, a);
  }
  return "";
}

top_names names_for(long main_pid) {
  std::string root = "/proc/" + std::to_string(main_pid) + "/root";
  top_names n;
  n.user = lookup_in(root + "/etc/passwd");
  n.group = lookup_in(root + "/etc/group");
  n.host_user = lookup_in("/etc/passwd");
  n.host_group = lookup_in("/etc/group");
  return n;
}

}  // namespace ctl
