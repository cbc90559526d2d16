#include "ctl/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "ctl/io.hpp"
#include "messages/error.hpp"

namespace ctl {

bool data_of(const json& params, const char*& data, std::size_t& size) {
  if (!params.is_object()) return false;
  auto d = params.find("data");
  if (d == params.end()) return false;
  if (d->is_binary()) {
    const auto& bin = d->get_binary();
    data = reinterpret_cast<const char*>(bin.data());
    size = bin.size();
    return true;
  }
  if (d->is_string()) {
    const auto& str = d->get_ref<const std::string&>();
    data = str.data();
    size = str.size();
    return true;
  }
  return false;
}

json binary_value(const char* data, std::size_t size) {
  json::binary_t::container_type bytes(reinterpret_cast<const uint8_t*>(data),
                                       reinterpret_cast<const uint8_t*>(data) + size);
  return json::binary(std::move(bytes));
}

output_target::~output_target() {
  if (fd_ > STDERR_FILENO) ::close(fd_);
}

void output_target::open() {
  if (fd_ >= 0) return;
  if (path_.empty() || path_ == "-") {
    fd_ = STDOUT_FILENO;
    return;
  }
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd_ < 0)
    throw ctrd::error(ctrd::ec::internal, "cannot create " + path_ + ": " + std::strerror(errno));
}

void output_target::write(const char* data, std::size_t size) {
  open();
  if (write_all(fd_, data, size)) return;
  if (fd_ == STDOUT_FILENO) exit_now(exit_broken_pipe);
  throw ctrd::error(ctrd::ec::internal, "cannot write " + path_ + ": " + std::strerror(errno));
}

void output_target::finish() {
  open();
  if (fd_ <= STDERR_FILENO) return;
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0)
    throw ctrd::error(ctrd::ec::internal, "cannot write " + path_ + ": " + std::strerror(errno));
}

int stream_into(client& c, const std::string& method, const json& params, output_target& target) {
  uint32_t id = c.send_raw(method, params, [&](const std::string& m, const json& p) {
    const char* d = nullptr;
    std::size_t n = 0;
    if (m == "data" && data_of(p, d, n)) target.write(d, n);
  });
  response r = c.wait(id);
  if (r.ok()) return 0;
  print_error(r.message());
  return exit_code_of(r.error);
}

std::string read_limited(int fd, std::size_t limit, bool& too_big, const std::string& what) {
  std::string out;
  too_big = false;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw ctrd::error(ctrd::ec::internal, "cannot read " + what + ": " + std::strerror(errno));
    if (n == 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > limit) {
      too_big = true;
      return out;
    }
  }
}

std::string mode_string(uint32_t mode) {
  std::string s(10, '-');
  switch (mode & S_IFMT) {
    case S_IFDIR:
      s[0] = 'd';
      break;
    case S_IFLNK:
      s[0] = 'l';
      break;
    case S_IFCHR:
      s[0] = 'c';
      break;
    case S_IFBLK:
      s[0] = 'b';
      break;
    case S_IFIFO:
      s[0] = 'p';
      break;
    case S_IFSOCK:
      s[0] = 's';
      break;
    default:
      break;
  }
  const char rwx[] = "rwx";
  for (int i = 0; i < 9; ++i)
    if ((mode & (0400u >> i)) != 0) s[static_cast<std::size_t>(i) + 1] = rwx[i % 3];
  auto special = [&](uint32_t bit, std::size_t pos, char set_exec, char set_noexec) {
    if ((mode & bit) != 0) s[pos] = s[pos] == 'x' ? set_exec : set_noexec;
  };
  special(S_ISUID, 3, 's', 'S');
  special(S_ISGID, 6, 's', 'S');
  special(S_ISVTX, 9, 't', 'T');
  return s;
}

std::string file_type_name(uint32_t mode, uint64_t size) {
  switch (mode & S_IFMT) {
    case S_IFDIR:
      return "directory";
    case S_IFLNK:
      return "symbolic link";
    case S_IFCHR:
      return "character special file";
    case S_IFBLK:
      return "block special file";
    case S_IFIFO:
      return "fifo";
    case S_IFSOCK:
      return "socket";
    default:
      return size == 0 ? "regular empty file" : "regular file";
  }
}

namespace {

// "2026-11-28 18:11:14.123456789 +0000", GNU stat's %y.
std::string stat_time(int64_t ns, bool utc) {
  int64_t s = ns / 1000000000, frac = ns % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    --s;
  }
  auto secs = static_cast<std::time_t>(s);
  std::tm tm{};
  if (utc)
    gmtime_r(&secs, &tm);
  else
    localtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  long off = utc ? 0 : tm.tm_gmtoff;
  long aoff = off < 0 ? -off : off;
  char tail[48];
  std::snprintf(tail, sizeof tail, ".%09lld %c%02ld%02ld", static_cast<long long>(frac),
                off < 0 ? '-' : '+', aoff / 3600, (aoff / 60) % 60);
  return std::string(buf) + tail;
}

uint64_t uint_field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  if (it->is_number_float()) return static_cast<uint64_t>(it->get<double>());
  if (it->is_number_integer() && it->get<int64_t>() < 0) return 0;
  return it->get<uint64_t>();
}

}  // namespace

std::string stat_text(const std::string& path, const json& info, bool utc) {
  if (!info.is_object()) return {};
  auto mode = static_cast<uint32_t>(uint_field(info, "mode"));
  uint64_t size = uint_field(info, "size");
  std::string target = info.value("link_target", std::string());
  int64_t mtime = 0;
  if (auto it = info.find("mtime_ns"); it != info.end() && it->is_number_integer())
    mtime = it->get<int64_t>();
  std::string out = "  File: " + path;
  if ((mode & S_IFMT) == S_IFLNK && !target.empty()) out += " -> " + target;
  char line[160];
  std::snprintf(line, sizeof line, "\n  Size: %-10llu\t%s\n", static_cast<unsigned long long>(size),
                file_type_name(mode, size).c_str());
  out += line;
  std::snprintf(line, sizeof line, "Access: (%04o/%s)  Uid: (%5llu)   Gid: (%5llu)\n",
                mode & 07777u, mode_string(mode).c_str(),
                static_cast<unsigned long long>(uint_field(info, "uid")),
                static_cast<unsigned long long>(uint_field(info, "gid")));
  out += line;
  out += "Modify: " + stat_time(mtime, utc) + "\n";
  return out;
}

}  // namespace ctl
