// The daemon's own attack surface (issue 11): helpers that enter a container hold no daemon
// descriptor, exec -t never follows a container's /dev/ptmx, the per-container notify socket
// is its container's alone, and --socket in a shared directory is neither chmod'ed nor
// followed through a planted link. Real ctrd, real ctrctl, real sockets.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/daemon.hpp"
#include "tests/support/process.hpp"
#include "tests/support/rootfs.hpp"

namespace security_daemon_test {

using ctrd::test::inspect;
using ctrd::test::live_daemon;
using namespace std::chrono_literals;
namespace fsys = std::filesystem;

namespace {

std::string read_file(const std::string& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// NOTIFY_SOCKET from the environment of process `pid`.
std::string notify_socket_of(pid_t pid) {
  auto env = read_file("/proc/" + std::to_string(pid) + "/environ");
  auto at = env.find("NOTIFY_SOCKET=");
  if (at == std::string::npos) return "";
  auto end = env.find('\0', at);
  return env.substr(at + 14, end - at - 14);
}

/// Sends `text` to the datagram socket `path` as uid `uid` (a forked child) and returns
/// the errno of sendto (0: sent).
int send_as(uid_t uid, const std::string& path, const std::string& text) {
  int p[2];
  if (::pipe(p) != 0) return -1;
  pid_t child = ::fork();
  if (child == 0) {
    int e = 0;
    if (uid != 0 && (::setgid(uid) != 0 || ::setuid(uid) != 0)) e = EPERM;
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    int s = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    if (e == 0 &&
        ::sendto(s, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0)
      e = errno;
    (void)!::write(p[1], &e, sizeof e);
    ::_exit(0);
  }
  ::close(p[1]);
  int e = -1;
  (void)!::read(p[0], &e, sizeof e);
  ::close(p[0]);
  ::waitpid(child, nullptr, 0);
  return e;
}

}  // namespace

TEST_CASE(
    "exec -t opens the container's own terminal even when its /dev/ptmx is a link to a "
    "host file",
    "[security]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  auto host_file = d.dir().path() + "/host-file";
  std::ofstream(host_file) << "host data\n";
  d.ok({"run", "-d", "--name", "c", "--rootfs", rootfs, "sleep", "100"});
  d.ok({"exec", "c", "sh", "-c", "rm /dev/ptmx && ln -s " + host_file + " /dev/ptmx"});
  auto t = d.ctl({"exec", "-i", "-t", "c", "tty"});
  CHECK(t.code == 0);
  CHECK(t.out.find("/dev/pts/") != std::string::npos);  // its own devpts, link not followed
  CHECK(read_file(host_file) == "host data\n");
  d.ok({"rm", "-f", "c"});
}

TEST_CASE("processes that ctrd starts inside a container hold no daemon descriptor", "[security]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  d.ok({"run", "-d", "--name", "c", "--rootfs", rootfs, "--health-cmd",
        "ls /proc/self/fd > /tmp/health-fds", "--health-interval", "1s", "sleep", "100"});
  // ls opens one directory itself (3): nothing else may be open, in exec or health check.
  auto fds = d.ok({"exec", "c", "ls", "/proc/self/fd"});
  CHECK(fds == "0\n1\n2\n3");
  ctrd::test::await_inspect(
      d, "c", [](const nlohmann::json& j) { return j["State"]["Health"]["Status"] == "healthy"; });
  CHECK(d.ok({"exec", "c", "cat", "/tmp/health-fds"}) == "0\n1\n2\n3");
  d.ok({"rm", "-f", "c"});
}

TEST_CASE("a container's notify socket is its user's alone and only its processes make it ready",
          "[security]") {
  if (::geteuid() != 0) {
    WARN("skipped: needs root (a container running as another user)");
    return;
  }
  live_daemon d;
  ::chmod(d.dir().path().c_str(), 0711);  // uid 1000 must reach the socket and `go`
  auto go = d.dir().path() + "/go";
  // The main process says READY=1 once the test creates `go`.
  auto py =
      "import os, socket, time\n"
      "while not os.path.exists('" +
      go +
      "'): time.sleep(0.05)\n"
      "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
      "s.sendto(b'READY=1', os.environ['NOTIFY_SOCKET'])\n"
      "time.sleep(100)\n";
  d.ok({"run", "-d", "--name", "svc", "--user", "1000", "--sdnotify", "container",
        "/usr/bin/python3", "-c", py});
  auto pid = inspect(d, "svc")["State"]["Pid"].get<pid_t>();
  auto path = notify_socket_of(pid);
  REQUIRE(!path.empty());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(st.st_uid == 1000);
  CHECK(send_as(65534, path, "READY=1") == EACCES);  // another user: refused by the kernel
  CHECK(send_as(0, path, "READY=1") == 0);           // root outside the container: ignored
  std::this_thread::sleep_for(300ms);
  CHECK(inspect(d, "svc")["State"]["Ready"] == false);
  CHECK(d.log().find("ignored a notify message from pid") != std::string::npos);
  std::ofstream(go) << "";
  ctrd::test::await_inspect(d, "svc",
                            [](const nlohmann::json& j) { return j["State"]["Ready"] == true; });
  d.ok({"rm", "-f", "svc"});
}

TEST_CASE(
    "a --socket in a shared directory: the directory keeps its mode and a planted lock link "
    "is refused",
    "[security]") {
  ctrd::test::temp_dir dir;
  auto shared = dir.path() + "/shared";
  fsys::create_directory(shared);
  ::chmod(shared.c_str(), 01777);
  auto target = dir.path() + "/precious";
  std::ofstream(target) << "keep me\n";
  fsys::create_symlink(target, shared + "/c.sock.lock");
  auto r = ctrd::test::run_process(
      {CTRD_BIN, "--root", dir.path() + "/root", "--socket", shared + "/c.sock"}, "", 10s);
  CHECK(r.code != 0);
  CHECK(r.err.find("symbolic link") != std::string::npos);
  CHECK(read_file(target) == "keep me\n");
  struct stat st {};
  REQUIRE(::stat(shared.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 01777);
}

}  // namespace security_daemon_test
