#include "runtime/cgroup_files.hpp"

#include <algorithm>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace ctrd::cgroup::files {

namespace {

/// open(2) retried on EINTR; -1 with errno set on failure.
int open_retry(const char* path, int flags) {
  int fd;
  do {
    fd = ::open(path, flags | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

/// Reads up to `cap - 1` bytes into `buf` (NUL-terminated). Returns 0 or errno.
int read_small(const std::string& path, char* buf, std::size_t cap) {
  int fd = open_retry(path.c_str(), O_RDONLY);
  if (fd < 0) return errno;
  std::size_t len = 0;
  while (len + 1 < cap) {
    ssize_t n = ::read(fd, buf + len, cap - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    len += static_cast<std::size_t>(n);
  }
  buf[len] = '\0';
  ::close(fd);
  return 0;
}

}  // namespace

int read(const std::string& path, std::string& out) {
  out.clear();
  int fd = open_retry(path.c_str(), O_RDONLY);
  if (fd < 0) return errno;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return 0;
}

int write(const std::string& path, const std::string& value) {
  int fd = open_retry(path.c_str(), O_WRONLY);
  if (fd < 0) return errno;
  ssize_t n;
  do {
    n = ::write(fd, value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  int e = n < 0 ? errno : (static_cast<std::size_t>(n) != value.size() ? EIO : 0);
  // Some controllers report a refused value only when the file is closed.
  if (::close(fd) != 0 && e == 0 && errno != EINTR) e = errno;
  return e;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool parse_u64(const char* p, uint64_t& out) {
  while (*p == ' ' || *p == '\t') ++p;
  if (*p < '0' || *p > '9') return false;
  uint64_t v = 0;
  for (; *p >= '0' && *p <= '9'; ++p) v = v * 10 + static_cast<uint64_t>(*p - '0');
  out = v;
  return true;
}

bool keyed_u64(const std::string& content, const char* key, uint64_t& out) {
  const std::size_t klen = std::strlen(key);
  std::size_t pos = 0;
  while (pos < content.size()) {
    std::size_t eol = content.find('\n', pos);
    if (eol == std::string::npos) eol = content.size();
    if (eol - pos > klen && content.compare(pos, klen, key) == 0 &&
        (content[pos + klen] == ' ' || content[pos + klen] == '\t'))
      return parse_u64(content.c_str() + pos + klen, out);
    pos = eol + 1;
  }
  return false;
}

bool read_u64(const std::string& path, uint64_t& out) {
  char buf[64];
  if (read_small(path, buf, sizeof buf) != 0) return false;
  return parse_u64(buf, out);
}

std::string mountinfo_unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
        s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
      out.push_back(
          static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<mount> cgroup_mounts(const std::string& mountinfo) {
  std::vector<mount> out;
  for (const auto& line : split(mountinfo, '\n')) {
    auto f = split(line, ' ');
    auto dash = std::find(f.begin(), f.end(), "-");
    if (f.size() < 5 || dash == f.end() || f.end() - dash < 4) continue;
    const std::string& type = dash[1];
    if (type != "cgroup" && type != "cgroup2") continue;
    mount m;
    m.root = mountinfo_unescape(f[3]);
    m.point = mountinfo_unescape(f[4]);
    m.v2 = type == "cgroup2";
    if (!m.v2) m.super_options = split(dash[3], ',');
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (;;) {
    std::size_t next = s.find(sep, pos);
    out.push_back(s.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (next == std::string::npos) return out;
    pos = next + 1;
  }
}

}  // namespace ctrd::cgroup::files
