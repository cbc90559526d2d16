#include "tests/support/daemon.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace ctrd::test {

live_daemon::live_daemon() {
  root_ = dir_ / "root";
  socket_ = dir_ / "ctrd.sock";
  log_ = dir_ / "ctrd.log";
  start();
}

live_daemon::~live_daemon() {
  if (pid_ > 0 && terminate() < 0) {
    ::kill(pid_, SIGKILL);
    wait_for_exit(pid_, std::chrono::seconds(5));
  }
}

void live_daemon::start() {
  pid_ = spawn_background({CTRD_BIN, "--root", root_, "--socket", socket_, "--log-level", "debug"},
                          log_);
  for (int i = 0; i < 5000; ++i) {
    int fd = connect_unix(socket_);
    if (fd >= 0) {
      ::close(fd);
      return;
    }
    if (!process_alive(pid_)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  FAIL("ctrd did not start; log:\n" << log());
}

void live_daemon::kill9() {
  ::kill(pid_, SIGKILL);
  wait_for_exit(pid_, std::chrono::seconds(5));
  pid_ = -1;
}

int live_daemon::terminate(int timeout_ms) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int rc = wait_for_exit(pid_, std::chrono::milliseconds(timeout_ms));
  if (rc >= 0) pid_ = -1;
  return rc;
}

proc_result live_daemon::ctl(const std::vector<std::string>& args, const std::string& input) const {
  std::vector<std::string> argv = {CTRCTL_BIN, "--socket", socket_};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, input);
}

std::string live_daemon::ok(const std::vector<std::string>& args) const {
  auto r = ctl(args);
  std::string cmd;
  for (auto& a : args) cmd += a + " ";
  INFO("ctrctl " << cmd << "\nstdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.code == 0);
  return trim(r.out);
}

std::string live_daemon::log() const {
  std::ifstream in(log_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int connect_unix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

static bool read_exact(int fd, char* p, size_t n) {
  while (n > 0) {
    pollfd pf{fd, POLLIN, 0};
    if (::poll(&pf, 1, 5000) <= 0) return false;
    auto r = ::read(fd, p, n);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

bool read_frame(int fd, std::string& body) {
  unsigned char h[4];
  if (!read_exact(fd, reinterpret_cast<char*>(h), 4)) return false;
  size_t n = (size_t{h[0]} << 24) | (size_t{h[1]} << 16) | (size_t{h[2]} << 8) | h[3];
  body.resize(n);
  return read_exact(fd, body.data(), n);
}

void write_all(int fd, const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    auto n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

std::string trim(const std::string& s) {
  auto e = s.find_last_not_of(" \n\r\t");
  return e == std::string::npos ? std::string() : s.substr(0, e + 1);
}

}  // namespace ctrd::test
