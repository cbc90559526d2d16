#include "runtime/etc_files.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "messages/error.hpp"

namespace ctrd {
namespace {

// The lines of `text` (without their '\n').
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// True if `line`'s first word is `word`.
bool starts_with_word(const std::string& line, const char* word) {
  std::size_t n = std::strlen(word);
  return line.compare(0, n, word) == 0 && line.size() > n && (line[n] == ' ' || line[n] == '\t');
}

void write_text(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw error(ec::internal, "cannot write " + tmp + ": " + std::strerror(errno));
  }
  std::error_code ec_fs;
  std::filesystem::rename(tmp, path, ec_fs);
  if (ec_fs) throw error(ec::internal, "cannot write " + path + ": " + ec_fs.message());
}

}  // namespace

std::string container_hostname(const isolation_spec& iso, const std::string& name) {
  if (!iso.private_uts()) {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) == 0) return buf;
    return {};
  }
  return (iso.hostname.empty() ? name : iso.hostname).substr(0, 64);
}

void add_default_env(std::vector<std::string>& env, const std::string& key,
                     const std::string& value) {
  for (const auto& e : env)
    if (e.size() > key.size() && e[key.size()] == '=' && e.compare(0, key.size(), key) == 0) return;
  env.push_back(key + "=" + value);
}

std::string hosts_content(const std::string& hostname, const std::vector<std::string>& add_hosts) {
  std::string out;
  for (const auto& h : add_hosts) {
    auto colon = h.find(':');
    if (colon == std::string::npos) continue;  // validated at create
    out += h.substr(colon + 1) + "\t" + h.substr(0, colon) + "\n";
  }
  out += "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n";
  out += "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n";
  if (!hostname.empty()) out += "127.0.1.1\t" + hostname + "\n";
  return out;
}

std::string resolv_content(const std::string& host_resolv, const std::vector<std::string>& dns,
                           const std::vector<std::string>& dns_search) {
  std::string out;
  for (const auto& line : lines_of(host_resolv)) {
    if (!dns.empty() && starts_with_word(line, "nameserver")) continue;
    if (!dns_search.empty() &&
        (starts_with_word(line, "search") || starts_with_word(line, "domain")))
      continue;
    out += line + "\n";
  }
  std::string search;
  for (const auto& d : dns_search)
    if (d != ".") search += (search.empty() ? "" : " ") + d;  // "." clears the search list
  if (!search.empty()) out += "search " + search + "\n";
  for (const auto& d : dns) out += "nameserver " + d + "\n";
  return out;
}

std::vector<std::string> write_etc_files(const std::string& dir, const std::string& hostname,
                                         const std::vector<std::string>& add_hosts,
                                         const std::vector<std::string>& dns,
                                         const std::vector<std::string>& dns_search) {
  std::error_code ec_fs;
  std::filesystem::create_directories(dir, ec_fs);
  std::string host_resolv;
  {
    std::ifstream in("/etc/resolv.conf");
    std::ostringstream text;
    text << in.rdbuf();
    host_resolv = text.str();
  }
  std::vector<std::string> paths{dir + "/hosts", dir + "/resolv.conf", dir + "/hostname"};
  write_text(paths[0], hosts_content(hostname, add_hosts));
  write_text(paths[1], resolv_content(host_resolv, dns, dns_search));
  write_text(paths[2], hostname + "\n");
  return paths;
}

}  // namespace ctrd
