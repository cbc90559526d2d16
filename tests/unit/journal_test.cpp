// The journald log driver's two halves: ctrd's writer (runtime/journal_writer) against a
// datagram socket of the test's own, and ctrctl's reader of `journalctl -o json`
// (ctl/journal_logs).
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "ctl/journal_logs.hpp"
#include "runtime/journal_writer.hpp"
#include "tests/support/temp_dir.hpp"

namespace journal_test {

namespace {

int bound_socket(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

std::string receive(int fd) {
  char buf[70000];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace

TEST_CASE("journal fields: plain values and values holding a newline", "[journal]") {
  std::string out;
  ctrd::append_journal_field(out, "MESSAGE", "hello");
  CHECK(out == "MESSAGE=hello\n");
  out.clear();
  ctrd::append_journal_field(out, "MESSAGE", "a\nb");
  CHECK(out == std::string("MESSAGE\n\x03\0\0\0\0\0\0\0a\nb\n", 8 + 8 + 4));
}

TEST_CASE("journal writer: an entry per line and a partial one for a torn line", "[journal]") {
  ctrd::test::temp_dir t;
  int fd = bound_socket(t / "j.sock");
  std::string id(64, 'a');
  ctrd::journal_writer w(t / "j.sock", id, "web");
  CHECK(w.append(false, "one\ntwo\nthr") == ctrd::append_result::ok);
  auto e1 = receive(fd);
  CHECK(e1.find("MESSAGE=one\n") == 0);
  CHECK(e1.find("PRIORITY=6\n") != std::string::npos);
  CHECK(e1.find("CONTAINER_ID=" + id.substr(0, 12) + "\n") != std::string::npos);
  CHECK(e1.find("CONTAINER_ID_FULL=" + id + "\n") != std::string::npos);
  CHECK(e1.find("CONTAINER_NAME=web\n") != std::string::npos);
  CHECK(e1.find("SYSLOG_IDENTIFIER=web\n") != std::string::npos);
  CHECK(e1.find("PARTIAL") == std::string::npos);
  CHECK(receive(fd).find("MESSAGE=two\n") == 0);
  auto e3 = receive(fd);
  CHECK(e3.find("MESSAGE=thr\n") == 0);
  CHECK(e3.find("CONTAINER_PARTIAL_MESSAGE=true\n") != std::string::npos);
  CHECK(receive(fd).empty());
  CHECK(w.append(true, "bad\n") == ctrd::append_result::ok);
  CHECK(receive(fd).find("PRIORITY=3\n") != std::string::npos);
  // A runaway line goes out in pieces, each but the last partial.
  CHECK(w.append(false, std::string(100000, 'x') + "\n") == ctrd::append_result::ok);
  auto p1 = receive(fd), p2 = receive(fd), p3 = receive(fd);
  CHECK(p1.find("CONTAINER_PARTIAL_MESSAGE=true") != std::string::npos);
  CHECK(p2.find("CONTAINER_PARTIAL_MESSAGE=true") != std::string::npos);
  CHECK(p3.find("CONTAINER_PARTIAL_MESSAGE") == std::string::npos);
  ::close(fd);
}

TEST_CASE("journal writer: no journal means dropped entries reported once per streak",
          "[journal]") {
  ctrd::test::temp_dir t;
  ctrd::journal_writer w(t / "absent.sock", std::string(64, 'b'), "x");
  CHECK(w.append(false, "a\n") == ctrd::append_result::failed_first);
  CHECK(w.append(false, "b\n") == ctrd::append_result::failed);
  CHECK(w.errors() == 2);
  CHECK(w.last_error().find("absent.sock") != std::string::npos);
  int fd = bound_socket(t / "absent.sock");  // the journal is back
  CHECK(w.append(false, "c\n") == ctrd::append_result::ok);
  CHECK(receive(fd).find("MESSAGE=c\n") == 0);
  // The journal restarts: its path is bound anew, the writer reconnects, nothing is lost.
  ::close(fd);
  ::unlink((t / "absent.sock").c_str());
  fd = bound_socket(t / "absent.sock");
  CHECK(w.append(false, "d\n") == ctrd::append_result::ok);
  CHECK(receive(fd).find("MESSAGE=d\n") == 0);
  CHECK(w.errors() == 2);
  ::close(fd);
}

TEST_CASE("ctrctl reads journalctl's json: partial messages joined, label and time", "[journal]") {
  ctl::journal_query q;
  std::string carry;
  CHECK(ctl::format_journal_entry(R"({"MESSAGE":"par","CONTAINER_PARTIAL_MESSAGE":"true"})", q,
                                  carry) == "");
  CHECK(ctl::format_journal_entry(R"({"MESSAGE":"tial"})", q, carry) == "partial\n");
  CHECK(carry.empty());
  // Binary data comes as an array of bytes.
  CHECK(ctl::format_journal_entry(R"({"MESSAGE":[104,105]})", q, carry) == "hi\n");
  CHECK(ctl::format_journal_entry("not json", q, carry) == "");
  q.label = "web ";
  q.timestamps = true;
  CHECK(ctl::format_journal_entry(R"({"MESSAGE":"x","__REALTIME_TIMESTAMP":"1700000000000001"})", q,
                                  carry) == "web 2023-11-14T22:13:20.000001000Z x\n");
}

TEST_CASE("ctrctl asks journalctl for the container's entries with logs' selection", "[journal]") {
  ctl::journal_query q;
  q.tail = 5;
  q.since_ns = 1700000000500000000;
  q.follow = true;
  auto a = ctl::journalctl_args("abc", q);
  CHECK(a.front() == "journalctl");
  CHECK(a.back() == "CONTAINER_ID_FULL=abc");
  auto has = [&](const std::string& s) { return std::find(a.begin(), a.end(), s) != a.end(); };
  CHECK(has("--lines=5"));
  CHECK(has("--since=@1700000000.500000"));
  CHECK(has("--follow"));
  CHECK(has("json"));
}

}  // namespace journal_test
