#include "runtime/holder_link.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ctrd::holder {
namespace {

// Datagram layout: type (1 byte), id length (u32) + bytes, role length (u32) + bytes,
// pid (i64), code_kind (i32), status (i32); integers in host byte order (both ends are
// the same machine).
constexpr std::size_t fixed_size = 1 + 4 + 4 + 8 + 4 + 4;
constexpr std::size_t max_datagram = fixed_size + 2 * max_field;

template <typename T>
void put(std::vector<char>& out, T value) {
  char raw[sizeof(T)];
  std::memcpy(raw, &value, sizeof(T));
  out.insert(out.end(), raw, raw + sizeof(T));
}

void put_text(std::vector<char>& out, const std::string& text) {
  auto n = static_cast<uint32_t>(std::min(text.size(), max_field));
  put(out, n);
  out.insert(out.end(), text.data(), text.data() + n);
}

// Reads sequentially from a datagram; every read checks the bounds.
struct reader {
  const char* p;
  std::size_t left;

  template <typename T>
  bool get(T& value) {
    if (left < sizeof(T)) return false;
    std::memcpy(&value, p, sizeof(T));
    p += sizeof(T);
    left -= sizeof(T);
    return true;
  }

  bool get_text(std::string& text) {
    uint32_t n = 0;
    if (!get(n) || n > max_field || n > left) return false;
    text.assign(p, n);
    p += n;
    left -= n;
    return true;
  }
};

bool known(uint8_t type) {
  return type >= static_cast<uint8_t>(kind::hello) && type <= static_cast<uint8_t>(kind::alive);
}

}  // namespace

std::vector<char> encode(const message& m) {
  std::vector<char> out;
  out.reserve(fixed_size + m.id.size() + m.role.size());
  out.push_back(static_cast<char>(m.type));
  put_text(out, m.id);
  put_text(out, m.role);
  put(out, m.pid);
  put(out, m.code_kind);
  put(out, m.status);
  return out;
}

bool decode(const char* data, std::size_t size, message& m) {
  if (size < 1 || !known(static_cast<uint8_t>(data[0]))) return false;
  m.type = static_cast<kind>(data[0]);
  reader r{data + 1, size - 1};
  return r.get_text(m.id) && r.get_text(m.role) && r.get(m.pid) && r.get(m.code_kind) &&
         r.get(m.status) && r.left == 0;
}

int send_message(int sock, const message& m, int flags) {
  auto bytes = encode(m);
  iovec iov{bytes.data(), bytes.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  if (m.fd >= 0) {
    std::memset(control, 0, sizeof control);
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &m.fd, sizeof(int));
  }
  while (::sendmsg(sock, &msg, flags | MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
}

int receive_message(int sock, message& m, int flags) {
  char data[max_datagram + 1];
  iovec iov{data, sizeof data};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  // Room for a few descriptors: a hostile or buggy peer's extra ones are closed, not leaked.
  alignas(cmsghdr) char control[CMSG_SPACE(4 * sizeof(int))];
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  while ((n = ::recvmsg(sock, &msg, flags | MSG_CMSG_CLOEXEC)) < 0) {
    if (errno != EINTR) return -errno;
  }
  int fd = -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    auto count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int received;
      std::memcpy(&received, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      if (fd < 0)
        fd = received;
      else
        ::close(received);
    }
  }
  if (n == 0 && fd < 0) return 0;
  bool ok = (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) == 0 &&
            decode(data, static_cast<std::size_t>(n), m);
  if (!ok) {
    if (fd >= 0) ::close(fd);
    return -EBADMSG;
  }
  m.fd = fd;
  return 1;
}

}  // namespace ctrd::holder
