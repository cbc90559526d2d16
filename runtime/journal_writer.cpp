#include "runtime/journal_writer.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "runtime/unix_address.hpp"

namespace ctrd {

namespace {

/// Longest MESSAGE per entry: a longer line goes out in several partial entries (journald
/// takes datagrams of several MiB, but a container's runaway line must not cost that much
/// memory in one send).
constexpr std::size_t max_message = 48 * 1024;

}  // namespace

std::string journal_socket_path() {
  const char* p = std::getenv("CTRD_JOURNAL_SOCKET");
  return p != nullptr && *p != '\0' ? p : "/run/systemd/journal/socket";
}

void append_journal_field(std::string& out, std::string_view key, std::string_view value) {
  out.append(key);
  if (value.find('\n') == std::string_view::npos) {
    out += '=';
    out.append(value);
  } else {
    out += '\n';
    uint64_t n = value.size();
    for (int i = 0; i < 8; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
    out.append(value);
  }
  out += '\n';
}

journal_writer::journal_writer(std::string socket_path, std::string id, std::string name)
    : path_(std::move(socket_path)), id_(std::move(id)), name_(std::move(name)) {}

journal_writer::~journal_writer() {
  if (fd_ >= 0) ::close(fd_);
}

append_result journal_writer::append(bool is_stderr, std::string_view chunk) {
  bool ok = true;
  while (!chunk.empty()) {
    auto nl = chunk.find('\n');
    bool partial = nl == std::string_view::npos;
    auto len = partial ? chunk.size() : nl;
    if (len > max_message) {
      len = max_message;
      partial = true;
    }
    ok = send_entry(is_stderr, chunk.substr(0, len), partial) && ok;
    chunk.remove_prefix(std::min(chunk.size(), len + (partial ? 0 : 1)));
  }
  if (ok) {
    failing_ = false;
    return append_result::ok;
  }
  bool first = !failing_;
  failing_ = true;
  return first ? append_result::failed_first : append_result::failed;
}

bool journal_writer::connect_socket() {
  sockaddr_un addr;
  if (!unix_address(path_, addr)) {
    last_error_ = "journal socket path too long: " + path_;
    return false;
  }
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) {
    last_error_ = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return true;
  last_error_ = "connecting to the journal (" + path_ + "): " + std::strerror(errno);
  ::close(fd_);
  fd_ = -1;
  return false;
}

bool journal_writer::send_entry(bool is_stderr, std::string_view line, bool partial) {
  buf_.clear();
  append_journal_field(buf_, "MESSAGE", line);
  append_journal_field(buf_, "PRIORITY", is_stderr ? "3" : "6");
  append_journal_field(buf_, "CONTAINER_ID", std::string_view(id_).substr(0, 12));
  append_journal_field(buf_, "CONTAINER_ID_FULL", id_);
  append_journal_field(buf_, "CONTAINER_NAME", name_);
  append_journal_field(buf_, "SYSLOG_IDENTIFIER", name_);
  if (partial) append_journal_field(buf_, "CONTAINER_PARTIAL_MESSAGE", "true");
  // Connected once (the socket's path is looked up once, not per entry). A journal that
  // restarted bound its path anew: the old connection is refused, one reconnect follows.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd_ < 0 && !connect_socket()) break;
    ssize_t n;
    do n = ::send(fd_, buf_.data(), buf_.size(), MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n >= 0) return true;
    int e = errno;
    last_error_ = "sending to the journal (" + path_ + "): " + std::strerror(e);
    if (e != ECONNREFUSED && e != ENOTCONN) break;  // busy (EAGAIN) or too big: dropped
    ::close(fd_);
    fd_ = -1;
  }
  ++errors_;
  return false;
}

}  // namespace ctrd
