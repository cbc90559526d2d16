#include "tests/support/daemon.hpp"

#include <regex>

#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace ctrd::test {

live_daemon::live_daemon(daemon_options opts) : opts_(std::move(opts)) {
  root_ = opts_.root.empty() ? dir_ / "root" : opts_.root;
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
  std::vector<std::string> argv;
  if (!opts_.env.empty()) {  // env(1) execs: the pid stays ctrd's (or the wrapper's)
    argv.push_back("/usr/bin/env");
    argv.insert(argv.end(), opts_.env.begin(), opts_.env.end());
  }
  argv.insert(argv.end(), opts_.wrapper.begin(), opts_.wrapper.end());
  for (const auto& a :
       {std::string(CTRD_BIN), std::string("--root"), root_, std::string("--socket"), socket_,
        std::string("--log-level"), std::string("debug")})
    argv.push_back(a);
  // Never the host's /etc/ctrd/containers.d: no service files unless a test passes some.
  if (std::find(opts_.args.begin(), opts_.args.end(), "--config-dir") == opts_.args.end()) {
    argv.push_back("--config-dir");
    argv.push_back("");
  }
  // The default reserve (2 % of the file system) would refuse every create on a test
  // machine whose disk is nearly full: 1 MiB unless a test sets its own.
  if (std::find(opts_.args.begin(), opts_.args.end(), "--min-free-space") == opts_.args.end()) {
    argv.push_back("--min-free-space");
    argv.push_back("1m");
  }
  argv.insert(argv.end(), opts_.args.begin(), opts_.args.end());
  pid_ = spawn_background(argv, log_);
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
  pid_t daemon = daemon_child(holder_pid());
  ::kill(holder_pid(), SIGKILL);  // first: a holder would start the killed daemon again
  if (daemon > 0) ::kill(daemon, SIGKILL);
  wait_for_exit(pid_, std::chrono::seconds(5));
  // The daemon was the holder's child: init reaps it. Until then its other threads may
  // still hold its descriptors (the socket) although its main thread is a zombie: wait
  // until the pid is gone.
  for (int i = 0; daemon > 0 && i < 500 && (::kill(daemon, 0) == 0 || errno != ESRCH); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  pid_ = -1;
}

pid_t live_daemon::kill9_daemon() {
  pid_t daemon = 0;
  for (int i = 0; i < 500 && (daemon = daemon_child(holder_pid())) <= 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(daemon > 0);
  REQUIRE(::kill(daemon, SIGKILL) == 0);
  return daemon;
}

pid_t live_daemon::await_new_daemon(pid_t old, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    pid_t now = daemon_child(holder_pid());
    if (now > 0 && now != old && ctl({"version"}).code == 0) return now;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("no new daemon answered within " << limit.count() << " ms; log:\n" << log());
  return 0;
}

pid_t live_daemon::ctrd_pid() const {
  pid_t holder = holder_pid();
  pid_t daemon = daemon_child(holder);
  return daemon > 0 ? daemon : holder;
}

bool pid_namespaces_usable() {
  if (::geteuid() != 0) {
    WARN("skipped: PID namespaces need root");
    return false;
  }
  if (run_process({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "true"}).code != 0) {
    WARN("skipped: unshare --pid --fork --mount-proc does not work here");
    return false;
  }
  return true;
}

pid_t first_child(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  pid_t child = 0;
  in >> child;
  return child;
}

pid_t daemon_child(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  pid_t child = 0;
  while (in >> child) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/" + std::to_string(child) + "/exe", ec);
    if (!ec && exe.filename() == "ctrd-daemon") return child;
  }
  return 0;
}

int live_daemon::terminate(int timeout_ms) {
  if (pid_ <= 0) return -1;
  // A wrapper such as unshare does not forward signals: signal ctrd (the holder) itself.
  pid_t target = holder_pid();
  ::kill(target > 0 ? target : pid_, SIGTERM);
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

nlohmann::json inspect(const live_daemon& d, const std::string& name) {
  auto arr = nlohmann::json::parse(d.ok({"inspect", name}));
  REQUIRE(arr.size() == 1);
  return arr[0];
}

nlohmann::json await_inspect(const live_daemon& d, const std::string& name,
                             const std::function<bool(const nlohmann::json&)>& pred,
                             std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  nlohmann::json j;
  while (std::chrono::steady_clock::now() < end) {
    auto r = d.ctl({"inspect", name});
    if (r.code == 0) {
      j = nlohmann::json::parse(r.out)[0];
      if (pred(j)) return j;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("condition not reached for " << name << ": " << j.dump(2));
  return j;
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
    // A socket ctrd closed (a client refused at the descriptor limit) must not kill the
    // test with SIGPIPE: send with MSG_NOSIGNAL, write for what is not a socket.
    auto n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

std::vector<long> restart_delays(const live_daemon& d, const std::string& name) {
  std::vector<long> out;
  std::regex re("container " + name + ": restart in ([0-9]+) ms");
  auto log = d.log();
  for (auto it = std::sregex_iterator(log.begin(), log.end(), re); it != std::sregex_iterator();
       ++it)
    out.push_back(std::stol((*it)[1]));
  return out;
}

std::string trim(const std::string& s) {
  auto e = s.find_last_not_of(" \n\r\t");
  return e == std::string::npos ? std::string() : s.substr(0, e + 1);
}

}  // namespace ctrd::test
