#include "runtime/log_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/disk_space.hpp"

namespace ctrd {

namespace {

/// Block size of the readers.
constexpr std::size_t block_size = 64 << 10;

/// Upper bound on the rotated files probed by snapshots and stale-file cleanup.
constexpr uint32_t max_probe = 1000;

std::string rotated_name(const std::string& path, uint32_t n) {
  return path + "." + std::to_string(n);
}

/// Size of an open file, -1 on error.
int64_t file_size(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return -1;
  return static_cast<int64_t>(st.st_size);
}

int open_read(const std::string& path) {
  int fd;
  do fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  return fd;
}

/// Opens the rotated files then the live one, oldest first. The live file's limit is
/// `live_limit`, or its current size when negative.
log_snapshot open_files(const std::string& path, int64_t live_limit) {
  std::vector<std::pair<int, int64_t>> rotated;  // newest first
  for (uint32_t n = 1; n <= max_probe; ++n) {
    int fd = open_read(rotated_name(path, n));
    if (fd < 0) break;
    rotated.emplace_back(fd, file_size(fd));
  }
  log_snapshot snap;
  for (auto it = rotated.rbegin(); it != rotated.rend(); ++it)
    snap.add(it->first, it->second < 0 ? 0 : static_cast<uint64_t>(it->second));
  int fd = open_read(path);
  if (fd >= 0) {
    int64_t size = live_limit >= 0 ? live_limit : file_size(fd);
    snap.add(fd, size < 0 ? 0 : static_cast<uint64_t>(size));
  }
  return snap;
}

}  // namespace

// --- log_snapshot ---------------------------------------------------------------------

log_snapshot::~log_snapshot() {
  close_all();
}

log_snapshot::log_snapshot(log_snapshot&& other) noexcept
    : files_(std::move(other.files_)), bytes_read_(other.bytes_read_) {
  other.files_.clear();
}

log_snapshot& log_snapshot::operator=(log_snapshot&& other) noexcept {
  if (this != &other) {
    close_all();
    files_ = std::move(other.files_);
    bytes_read_ = other.bytes_read_;
    other.files_.clear();
  }
  return *this;
}

void log_snapshot::close_all() noexcept {
  for (auto& f : files_)
    if (f.fd >= 0) ::close(f.fd);
  files_.clear();
}

void log_snapshot::add(int fd, uint64_t limit) {
  files_.push_back({fd, limit});
}

uint64_t log_snapshot::size() const {
  uint64_t total = 0;
  for (auto& f : files_) total += f.limit;
  return total;
}

int64_t log_snapshot::pread(std::size_t i, char* buf, std::size_t n, uint64_t offset) const {
  const file& f = files_.at(i);
  if (offset >= f.limit) return 0;
  n = static_cast<std::size_t>(std::min<uint64_t>(n, f.limit - offset));
  ssize_t r;
  do r = ::pread(f.fd, buf, n, static_cast<off_t>(offset));
  while (r < 0 && errno == EINTR);
  if (r > 0) bytes_read_ += static_cast<uint64_t>(r);
  return r;
}

log_snapshot snapshot_log(const std::string& path) {
  return open_files(path, -1);
}

// --- rotating_file --------------------------------------------------------------------

rotating_file::rotating_file(std::string path, log_limits limits, disk_space* space)
    : path_(std::move(path)), limits_(limits), space_(space) {}

rotating_file::~rotating_file() {
  close();
}

void rotating_file::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool rotating_file::removed() const {
  struct stat st;
  return fd_ >= 0 && ::fstat(fd_, &st) == 0 && st.st_nlink == 0;
}

append_result rotating_file::fail(const std::string& what, int err) {
  ++errors_;
  last_error_ = what + ": " + std::strerror(err);
  bool first = !failing_;
  failing_ = true;
  return first ? append_result::failed_first : append_result::failed;
}

/// Opens the live file and learns its size and whether it ends in a torn line.
/// Returns 0 or an errno.
int rotating_file::open_live() {
  int fd;
  do fd = ::open(path_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno;
  int64_t size = file_size(fd);
  if (size < 0) {
    int err = errno;
    ::close(fd);
    return err;
  }
  char last = '\n';
  needs_newline_ = size > 0 && ::pread(fd, &last, 1, size - 1) == 1 && last != '\n';
  fd_ = fd;
  size_ = static_cast<uint64_t>(size);
  return 0;
}

/// Shifts `path.N-1` → `path.N`, ..., `path` → `path.1` (or deletes `path` when no rotated
/// file is kept) and removes files beyond max_files. Returns 0 or an errno.
int rotating_file::rotate() {
  close();
  const uint32_t keep = limits_.max_files;
  for (uint32_t n = keep + 1; n <= max_probe; ++n)
    if (::unlink(rotated_name(path_, n).c_str()) != 0) break;
  if (keep == 0) return ::unlink(path_.c_str()) == 0 || errno == ENOENT ? 0 : errno;
  for (uint32_t n = keep - 1; n >= 1; --n)
    if (::rename(rotated_name(path_, n).c_str(), rotated_name(path_, n + 1).c_str()) != 0 &&
        errno != ENOENT)
      return errno;
  return ::rename(path_.c_str(), rotated_name(path_, 1).c_str()) == 0 ? 0 : errno;
}

/// Writes all of `data` at the end of the live file. On failure, undoes a partial write so
/// no torn record stays behind, closes the fd and returns the errno; 0 on success.
int rotating_file::write_all(std::string_view data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t r = ::write(fd_, data.data() + done, data.size() - done);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      int err = r < 0 ? errno : EIO;
      if (done > 0 && ::ftruncate(fd_, static_cast<off_t>(size_)) != 0) needs_newline_ = true;
      close();
      return err;
    }
    done += static_cast<std::size_t>(r);
  }
  return 0;
}

append_result rotating_file::append(std::string_view data) {
  if (data.empty()) return append_result::ok;
  if (space_ && !space_->admit(path_, data.size())) return append_result::dropped;
  if (fd_ < 0)
    if (int err = open_live()) return fail("cannot open " + path_, err);
  if (limits_.max_size > 0 && size_ > 0 && size_ + data.size() > limits_.max_size) {
    int rerr = space_ ? space_->rotate_log(path_, [this] { return rotate(); }) : rotate();
    if (rerr) return fail("cannot rotate " + path_, rerr);
    if (int err = open_live()) return fail("cannot open " + path_, err);
  }
  std::string joined;
  if (needs_newline_) {
    joined.reserve(data.size() + 1);
    joined += '\n';
    joined += data;
    data = joined;
  }
  if (int err = write_all(data)) return fail("cannot write " + path_, err);
  if (space_) space_->appended(path_, data.size());
  size_ += data.size();
  needs_newline_ = false;
  failing_ = false;
  return append_result::ok;
}

log_snapshot rotating_file::snapshot() const {
  return open_files(path_, fd_ >= 0 ? static_cast<int64_t>(size_) : -1);
}

// --- log_writer -----------------------------------------------------------------------

append_result log_writer::append(int64_t ts_ns, bool is_stderr, std::string_view chunk) {
  buf_.clear();
  format_log_records(ts_ns, is_stderr, chunk, buf_);
  // A chunk's records can be ~20 times its bytes (64 KiB of `yes` is ~1.4 MB): they go
  // out in slices of whole records, so that rotation and the cap act between slices
  // instead of dropping a chunk larger than a small cap whole.
  constexpr std::size_t slice = 64u << 10;
  std::string_view rest(buf_);
  append_result result = append_result::ok;
  while (!rest.empty()) {
    std::size_t n = rest.size();
    if (n > slice) {
      auto end = rest.rfind('\n', slice - 1);
      if (end == std::string_view::npos) end = rest.find('\n', slice);
      n = end == std::string_view::npos ? rest.size() : end + 1;
    }
    auto r = file_.append(rest.substr(0, n));
    rest.remove_prefix(n);
    if (r == append_result::failed_first || r == append_result::failed)
      return r;  // the rest would fail too
    if (r == append_result::dropped) result = append_result::dropped;
  }
  return result;
}

// --- readers --------------------------------------------------------------------------

void for_each_line(const log_snapshot& s, log_position from,
                   const std::function<bool(std::string_view)>& fn) {
  std::string buf;
  for (std::size_t i = from.file; i < s.files().size(); ++i) {
    buf.clear();
    uint64_t off = i == from.file ? from.offset : 0;
    for (;;) {
      std::size_t old = buf.size();
      buf.resize(old + block_size);
      int64_t n = s.pread(i, buf.data() + old, block_size, off);
      if (n <= 0) break;
      buf.resize(old + static_cast<std::size_t>(n));
      off += static_cast<uint64_t>(n);
      std::size_t pos = 0;
      for (auto nl = buf.find('\n'); nl != std::string::npos; nl = buf.find('\n', pos)) {
        if (!fn(std::string_view(buf).substr(pos, nl - pos))) return;
        pos = nl + 1;
      }
      buf.erase(0, pos);
    }
  }
}

namespace {

/// Walks the complete lines of one snapshot file backwards, reading blocks with pread. A
/// torn trailing line (no '\n') is skipped.
class reverse_lines {
 public:
  reverse_lines(const log_snapshot& s, std::size_t file)
      : s_(s), file_(file), buf_start_(s.files()[file].limit) {}

  /// The previous line (without '\n') and its offset; false at the start of the file.
  bool prev(std::string_view& line, uint64_t& offset) {
    while (torn_) {
      auto nl = cut_ > 0 ? buf_.rfind('\n', cut_ - 1) : std::string::npos;
      if (nl != std::string::npos) {
        cut_ = nl + 1;
        torn_ = false;
      } else if (!load()) {
        return false;
      }
    }
    for (;;) {
      if (cut_ == 0) {  // the line ending just before buf_start_ is not loaded yet
        if (!load()) return false;
        continue;
      }
      auto nl = cut_ >= 2 ? buf_.rfind('\n', cut_ - 2) : std::string::npos;
      if (nl == std::string::npos && buf_start_ > 0) {
        if (!load()) return false;
        continue;
      }
      std::size_t begin = nl == std::string::npos ? 0 : nl + 1;
      line = std::string_view(buf_).substr(begin, cut_ - 1 - begin);
      offset = buf_start_ + begin;
      cut_ = begin;
      return true;
    }
  }

 private:
  /// Prepends the block before buf_start_, dropping the consumed bytes. False at offset 0
  /// or on a read error.
  bool load() {
    if (buf_start_ == 0) return false;
    uint64_t start = buf_start_ > block_size ? buf_start_ - block_size : 0;
    std::string block(static_cast<std::size_t>(buf_start_ - start), '\0');
    int64_t n = s_.pread(file_, block.data(), block.size(), start);
    if (n != static_cast<int64_t>(block.size())) return false;
    block.append(buf_, 0, cut_);
    buf_ = std::move(block);
    cut_ += static_cast<std::size_t>(n);
    buf_start_ = start;
    return true;
  }

  const log_snapshot& s_;
  std::size_t file_;
  std::string buf_;  ///< bytes [buf_start_, buf_start_ + buf_.size()) of the file
  uint64_t buf_start_;
  std::size_t cut_ = 0;  ///< buf_[cut_, ...) has been returned already
  bool torn_ = true;     ///< the bytes after the file's last '\n' are still to be dropped
};

bool in_range(std::string_view time, const log_query& q) {
  return (q.since.empty() || time >= q.since) && (q.until.empty() || time <= q.until);
}

/// Where the last q.tail lines within [since, until] begin. Lines are counted per stream:
/// an F record ends a line, a P record belongs to the next record of its stream, and a
/// trailing P record (no later record of its stream) is a line of its own.
log_position find_tail_start(const log_snapshot& s, const log_query& q) {
  int64_t count = 0;
  bool seen[2] = {false, false};  // a later record of stdout / stderr was counted
  for (std::size_t i = s.files().size(); i-- > 0;) {
    reverse_lines lines(s, i);
    std::string_view line;
    uint64_t offset = 0;
    while (lines.prev(line, offset)) {
      log_record rec;
      if (!parse_log_record(line, rec) || !in_range(rec.time, q)) continue;
      bool& stream_seen = seen[rec.is_stderr ? 1 : 0];
      bool starts_line = !rec.partial || !stream_seen;
      stream_seen = true;
      if (!starts_line) continue;
      if (count == q.tail) return {i, offset + line.size() + 1};
      ++count;
    }
  }
  return {};
}

}  // namespace

void read_log(const log_snapshot& s, const log_query& q,
              const std::function<bool(const log_record&)>& emit) {
  if (q.tail == 0) return;
  log_position from = q.tail > 0 ? find_tail_start(s, q) : log_position{};
  for_each_line(s, from, [&](std::string_view line) {
    log_record rec;
    if (!parse_log_record(line, rec) || !in_range(rec.time, q)) return true;
    return emit(rec);
  });
}

log_limits under_cap(log_limits asked, uint64_t logs_max_total) {
  if (logs_max_total == 0) return asked;
  uint64_t most = std::max<uint64_t>(logs_max_total / 2, 1);
  if (asked.max_size == 0 || asked.max_size > most) asked.max_size = most;
  return asked;
}

}  // namespace ctrd
