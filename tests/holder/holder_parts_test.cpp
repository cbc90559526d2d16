// The holder's parts without processes: the link's datagrams and descriptor passing
// (runtime/holder_link.hpp), what it holds (holder/held_set.hpp) and when it restarts the
// daemon (holder/restart_backoff.hpp).
#include <catch2/catch.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <set>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "holder/held_set.hpp"
#include "holder/restart_backoff.hpp"
#include "runtime/holder_client.hpp"
#include "runtime/holder_link.hpp"

using namespace ctrd;
using namespace ctrd::holder;

namespace {

struct socket_pair {
  int a = -1, b = -1;
  socket_pair() {
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    a = sv[0];
    b = sv[1];
  }
  ~socket_pair() {
    if (a >= 0) ::close(a);
    if (b >= 0) ::close(b);
  }
};

bool is_open(int fd) {
  return ::fcntl(fd, F_GETFD) >= 0;
}

}  // namespace

TEST_CASE("holder link: every message type survives encoding", "[holder]") {
  for (int t = static_cast<int>(kind::hello); t <= static_cast<int>(kind::alive); ++t) {
    message m{static_cast<kind>(t), "c0ffee", "stdout", 4242, 1, 7, -1};
    auto bytes = encode(m);
    message back;
    REQUIRE(decode(bytes.data(), bytes.size(), back));
    CHECK(back.type == m.type);
    CHECK(back.id == "c0ffee");
    CHECK(back.role == "stdout");
    CHECK(back.pid == 4242);
    CHECK(back.code_kind == 1);
    CHECK(back.status == 7);
  }
}

TEST_CASE("holder link: malformed datagrams are refused", "[holder]") {
  message m{kind::hold, "id", "stdout", 1, 0, 0, -1};
  auto bytes = encode(m);
  message back;
  CHECK_FALSE(decode(bytes.data(), 0, back));
  CHECK_FALSE(decode(bytes.data(), bytes.size() - 1, back));  // truncated
  auto longer = bytes;
  longer.push_back('x');
  CHECK_FALSE(decode(longer.data(), longer.size(), back));  // trailing bytes
  auto unknown = bytes;
  unknown[0] = 99;
  CHECK_FALSE(decode(unknown.data(), unknown.size(), back));
  auto huge = bytes;
  uint32_t n = 1u << 30;
  std::memcpy(huge.data() + 1, &n, sizeof n);  // id length beyond the datagram
  CHECK_FALSE(decode(huge.data(), huge.size(), back));
}

TEST_CASE("holder link: a descriptor travels with its message", "[holder]") {
  socket_pair s;
  int p[2];
  REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
  REQUIRE(send_message(s.a, {kind::hold, "c1", "stdout", 0, 0, 0, p[0]}) == 0);
  ::close(p[0]);  // the receiver's duplicate keeps the pipe's read end alive
  message got;
  REQUIRE(receive_message(s.b, got) == 1);
  CHECK(got.type == kind::hold);
  REQUIRE(got.fd >= 0);
  CHECK((::fcntl(got.fd, F_GETFD) & FD_CLOEXEC) != 0);
  REQUIRE(::write(p[1], "x", 1) == 1);  // no EPIPE: a reader exists
  char c = 0;
  REQUIRE(::read(got.fd, &c, 1) == 1);
  CHECK(c == 'x');
  ::close(got.fd);
  ::close(p[1]);
}

TEST_CASE("holder link: a malformed datagram's descriptor is closed, the end is seen", "[holder]") {
  ::signal(SIGPIPE, SIG_IGN);  // the write below must fail with EPIPE, not end the test
  socket_pair s;
  int p[2];
  REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
  char junk[3] = {99, 0, 0};
  iovec iov{junk, sizeof junk};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &p[0], sizeof(int));
  REQUIRE(::sendmsg(s.a, &msg, 0) == static_cast<ssize_t>(sizeof junk));
  ::close(p[0]);
  message got;
  CHECK(receive_message(s.b, got) == -EBADMSG);
  // The only read end left was the one that came with the junk: closing it made the pipe
  // reader-less.
  CHECK(::write(p[1], "x", 1) < 0);
  ::close(p[1]);
  ::close(s.a);
  s.a = -1;
  CHECK(receive_message(s.b, got) == 0);
}

TEST_CASE("holder's set: holds, replaces, releases and closes descriptors", "[holder]") {
  int a = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int b = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int c = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  {
    held_set set;
    set.hold("x", "stdout", a);
    set.hold("x", "stdout", b);  // a restarted process's new pipe replaces the old one
    CHECK_FALSE(is_open(a));
    set.hold("y", "stderr", c);
    CHECK(set.fds().size() == 2);
    CHECK(set.release("x") == 1);
    CHECK_FALSE(is_open(b));
    CHECK(set.release("x") == 0);
    CHECK(is_open(c));
  }
  CHECK_FALSE(is_open(c));  // the set owned it
}

TEST_CASE("holder's set: exit statuses are bounded, the newest per pid kept", "[holder]") {
  held_set set;
  CHECK(set.add_exit({10, 1, 0}));
  CHECK(set.add_exit({10, 1, 7}));
  REQUIRE(set.exits().size() == 1);
  CHECK(set.exits().front().status == 7);
  set.forget(10);
  CHECK(set.exits().empty());
  for (int64_t pid = 1; pid <= static_cast<int64_t>(held_set::max_exits); ++pid)
    CHECK(set.add_exit({pid, 1, 0}));
  CHECK_FALSE(set.add_exit({999999, 1, 0}));
  CHECK(set.exits().size() == held_set::max_exits);
  CHECK(set.exits().front().pid == 2);
}

TEST_CASE("holder's set: its state survives a re-exec as text", "[holder]") {
  int a = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int b = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  held_set set;
  set.hold("c1", "stdout", a);
  set.hold("", "listen", b);
  set.add_exit({77, 2, 9});
  auto text = set.serialize();
  CHECK(text == "fd " + std::to_string(a) + " c1 stdout\nfd " + std::to_string(b) +
                    " . listen\nexit 77 2 9\n");
  // The new image takes the descriptors over by number (duplicates here: `set` owns a, b).
  int da = ::dup(a), db = ::dup(b);
  held_set copy;
  REQUIRE(copy.restore("fd " + std::to_string(da) + " c1 stdout\nfd " + std::to_string(db) +
                       " . listen\nexit 77 2 9\n"));
  REQUIRE(copy.fds().size() == 2);
  CHECK(copy.fds()[0].id == "c1");
  CHECK(copy.fds()[0].fd == da);
  CHECK(copy.fds()[1].id.empty());
  CHECK(copy.fds()[1].role == "listen");
  REQUIRE(copy.exits().size() == 1);
  CHECK(copy.exits()[0].status == 9);
  held_set broken;
  CHECK_FALSE(broken.restore("fd x\n"));
  CHECK_FALSE(broken.restore("what 1 2 3\n"));
}

TEST_CASE("holder's backoff: at once after a long run, doubling while it dies at start",
          "[holder]") {
  restart_backoff b;
  const int64_t s = restart_backoff::short_run_ns / 2;  // a run that died at start
  CHECK(b.next_delay(7200 * s) == 0);
  CHECK(b.next_delay(s) == 0);  // one early death: at once
  CHECK(b.next_delay(s) == restart_backoff::first_delay_ns);
  CHECK(b.next_delay(s) == 2 * restart_backoff::first_delay_ns);
  CHECK(b.next_delay(s) == 4 * restart_backoff::first_delay_ns);
  for (int i = 0; i < 20; ++i) b.next_delay(0);
  CHECK(b.next_delay(0) == restart_backoff::max_delay_ns);
  CHECK(b.short_runs() == 25);
  CHECK(b.next_delay(restart_backoff::short_run_ns) == 0);  // ran long enough: reset
  CHECK(b.short_runs() == 0);
}

TEST_CASE("holder client: queues what does not fit and refuses a non-link", "[holder]") {
  socket_pair s;
  holder_client client(s.a);
  s.a = -1;  // the client owns it
  ::fcntl(client.fd(), F_SETFL, ::fcntl(client.fd(), F_GETFL) | O_NONBLOCK);
  int sndbuf = 4096;
  ::setsockopt(client.fd(), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  for (int i = 0; i < 2000; ++i) client.forget(i);
  CHECK_FALSE(client.flush());  // the holder (s.b) has not read anything yet
  std::set<int64_t> seen;
  message m;
  for (;;) {
    int r = receive_message(s.b, m, MSG_DONTWAIT);
    if (r == -EAGAIN) {
      if (client.flush()) {
        while (receive_message(s.b, m, MSG_DONTWAIT) == 1) seen.insert(m.pid);
        break;
      }
      continue;
    }
    REQUIRE(r == 1);
    seen.insert(m.pid);
  }
  CHECK(seen.size() == 2000);  // in order, none lost

  ::setenv(link_env, "0", 1);  // stdin is no SOCK_SEQPACKET socket
  CHECK_THROWS(holder_client::from_environment());
  CHECK(std::getenv(link_env) == nullptr);
  CHECK(holder_client::from_environment() == nullptr);
}

TEST_CASE("holder's set: one role of a container can be released alone", "[holder]") {
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  held_set set;
  set.hold("c", "stdin", in);
  set.hold("c", "stdout", out);
  CHECK(set.release("c", "stdin") == 1);  // end of input: the process must see EOF
  CHECK_FALSE(is_open(in));
  CHECK(is_open(out));
  REQUIRE(set.fds().size() == 1);
  CHECK(set.fds()[0].role == "stdout");
}
