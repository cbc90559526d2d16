#include "tests/support/workload.hpp"

#include <dirent.h>
#include <unistd.h>
#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "messages/rpc.hpp"
#include "tests/support/daemon.hpp"

namespace ctrd::test {

uint64_t prng::next() {
  uint64_t z = (x_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t env_u64(const char* name, uint64_t def) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return def;
  char* end = nullptr;
  auto x = std::strtoull(v, &end, 0);
  return (end != nullptr && *end == '\0') ? x : def;
}

uint64_t seed_from_env(const char* name) {
  const char* v = std::getenv(name);
  if (v != nullptr && *v != '\0') return env_u64(name, 0);
  auto t = static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  prng mix(t ^ (static_cast<uint64_t>(::getpid()) << 32));
  return mix.next() >> 16;  // short enough to copy from a log
}

namespace {

/// The fields of /proc/<pid>/stat after the command name: [0] is the state (field 3).
std::vector<std::string> stat_fields(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return {};
  auto p = line.rfind(')');
  if (p == std::string::npos) return {};
  std::istringstream rest(line.substr(p + 1));
  return {std::istream_iterator<std::string>(rest), std::istream_iterator<std::string>()};
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

long status_value(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.compare(0, key.size() + 1, key + ":") == 0)
      return std::atol(line.c_str() + key.size() + 1);
  return 0;
}

}  // namespace

uint64_t proc_start_time(pid_t pid) {
  if (pid <= 0) return 0;
  auto f = stat_fields(pid);
  // field 3 is f[0]; field 22 (starttime) is f[19]
  if (f.size() < 20 || f[0] == "Z" || f[0] == "X") return 0;
  return std::strtoull(f[19].c_str(), nullptr, 10);
}

bool same_process_alive(pid_t pid, uint64_t start) {
  return start != 0 && proc_start_time(pid) == start;
}

long rss_kib(pid_t pid) {
  return status_value(pid, "VmRSS");
}

int thread_count(pid_t pid) {
  return static_cast<int>(status_value(pid, "Threads"));
}

int fd_count(pid_t pid) {
  DIR* d = ::opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (d == nullptr) return -1;
  int n = 0;
  while (auto* e = ::readdir(d))
    if (e->d_name[0] != '.') ++n;
  ::closedir(d);
  return n;
}

std::string marker_of(pid_t pid, const std::string& prefix) {
  auto env = read_all("/proc/" + std::to_string(pid) + "/environ");  // empty for zombies
  const std::string key = std::string(harness_marker) + "=" + prefix;
  size_t pos = 0;
  while (pos < env.size()) {
    auto end = env.find('\0', pos);
    if (end == std::string::npos) end = env.size();
    if (env.compare(pos, key.size(), key) == 0 && end - pos >= key.size())
      return env.substr(pos + key.size(), end - pos - key.size());
    pos = end + 1;
  }
  return {};
}

std::vector<marked_process> find_marked(const std::string& prefix) {
  std::vector<marked_process> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  const pid_t self = ::getpid();
  while (auto* e = ::readdir(d)) {
    if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
    pid_t pid = std::atoi(e->d_name);
    if (pid == self) continue;
    auto tag = marker_of(pid, prefix);
    if (tag.empty()) continue;
    auto start = proc_start_time(pid);
    if (start == 0) continue;
    out.push_back({pid, start, tag});
  }
  ::closedir(d);
  return out;
}

int kill_marked(const std::string& prefix) {
  int n = 0;
  for (const auto& p : find_marked(prefix)) {
    if (marker_of(p.pid, prefix) != p.tag || !same_process_alive(p.pid, p.start)) continue;
    if (::kill(p.pid, SIGKILL) == 0) ++n;
  }
  return n;
}

std::vector<nlohmann::json> pipelined(const std::string& socket,
                                      const std::vector<rpc_call>& calls) {
  std::vector<nlohmann::json> out(calls.size());
  int fd = connect_unix(socket);
  if (fd < 0) return out;
  std::string body;
  write_all(fd, encode_request(0, "hello", nlohmann::json{{"version", 1}}));
  if (!read_frame(fd, body)) {
    ::close(fd);
    return out;
  }
  std::string batch;
  for (size_t i = 0; i < calls.size(); ++i)
    batch += encode_request(static_cast<uint32_t>(i + 1), calls[i].method, calls[i].params);
  write_all(fd, batch);
  for (size_t got = 0; got < calls.size() && read_frame(fd, body); ++got) {
    auto m = decode_rpc(body);
    if (m.msgid < 1 || static_cast<size_t>(m.msgid) > calls.size()) continue;
    out[static_cast<size_t>(m.msgid - 1)] =
        m.error.is_null() ? m.result : nlohmann::json{{"error", m.error}};
  }
  ::close(fd);
  return out;
}

bool runs_with_asan(pid_t pid) {
  return read_all("/proc/" + std::to_string(pid) + "/maps").find("libasan") != std::string::npos;
}

double quantile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto i = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace ctrd::test
