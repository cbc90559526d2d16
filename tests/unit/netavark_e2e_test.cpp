// netavark itself, end to end, inside a sandbox (netns_sandbox.hpp: a forked child with its
// own network and mount namespaces, tmpfs on /run and on the scratch directory), so the
// bridge, veth, addresses, firewall rules and aardvark-dns exist only there: a namespace
// from netns::create, setup with netavark::options, the status through parse_status, a
// published port answering, a second setup failing as measured, teardown leaving no bridge
// and no aardvark-dns. Skips when not root or netavark is missing.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <fstream>
#include <sstream>

#include "netns_sandbox.hpp"
#include "runtime/netavark.hpp"
#include "runtime/netns.hpp"

namespace netavark_e2e_test {

using namespace ctrd;
using ctrd::test::run_sandboxed;

namespace {

struct run_result {
  int code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs argv with `input` on stdin; stdout and stderr go to files (a daemon it starts,
// aardvark-dns, must not keep a pipe open), read after it exited.
run_result run(const std::vector<std::string>& argv, const std::string& input,
               const std::string& scratch) {
  run_result r;
  std::string in_path = scratch + "/stdin", out_path = scratch + "/stdout",
              err_path = scratch + "/stderr";
  std::ofstream(in_path) << input;
  pid_t pid = ::fork();
  if (pid == 0) {
    int in = ::open(in_path.c_str(), O_RDONLY);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (pid < 0) return r;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  return r;
}

// Brings `lo` of the calling thread's network namespace up (the sandbox's, never the host's).
bool loopback_up() {
  int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return false;
  struct ifreq ifr {};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = ::ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  ok = ok && ::ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
  ::close(s);
  return ok;
}

// Connects to ip:port and returns whether `listener` accepted it within 5 s.
bool reaches(const char* ip, uint16_t port, int listener) {
  int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c < 0) return false;
  struct timeval tv {
    5, 0
  };
  ::setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  ::inet_pton(AF_INET, ip, &sa.sin_addr);
  bool ok = ::connect(c, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  if (ok) {
    pollfd p{listener, POLLIN, 0};
    ok = ::poll(&p, 1, 5000) == 1;
    if (ok) {
      int a = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      ok = a >= 0;
      if (a >= 0) ::close(a);
    }
  }
  ::close(c);
  return ok;
}

// A live (not zombie) process with this command name.
bool alive(pid_t pid, const std::string& comm) {
  std::string c = slurp("/proc/" + std::to_string(pid) + "/comm");
  if (c.empty() || c.substr(0, c.find('\n')) != comm) return false;
  std::string st = slurp("/proc/" + std::to_string(pid) + "/stat");
  auto paren = st.rfind(')');
  return paren != std::string::npos && paren + 2 < st.size() && st[paren + 2] != 'Z';
}

}  // namespace

TEST_CASE("netavark sets up and tears down a bridge twice in a sandbox namespace",
          "[netavark][e2e]") {
  netavark::binaries bins = netavark::find_binaries();
  if (bins.netavark.empty()) {
    WARN("skipped: netavark not found (/usr/lib/podman or $CTRD_NETAVARK_DIR)");
    return;
  }
  auto r = run_sandboxed(
      [&](const std::string& dir) {
        std::string fails;
        if (!loopback_up()) return std::string("cannot bring the sandbox's lo up\n");
        std::string ns = dir + "/c1", config = dir + "/net";
        ::mkdir(config.c_str(), 0700);
        netns::create(ns);
        // The container's server, listening inside its namespace.
        int listener = -1;
        {
          netns::scoped_enter in(ns);
          listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
          sockaddr_in sa{};
          sa.sin_family = AF_INET;
          sa.sin_port = htons(80);
          int one = 1;
          ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
          if (::bind(listener, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
              ::listen(listener, 8) != 0)
            fails += "cannot listen on port 80 in the container namespace\n";
        }
        network_def n;
        n.name = "ctrd0";
        n.id = std::string(64, 'a');
        n.interface_name = "ctrd0";
        n.subnet = "10.99.0.0/24";
        n.gateway = "10.99.0.1";
        netavark::attachment a{n, "10.99.0.2", "eth0", "0a:b3:6e:17:24:08", {"web"}};
        std::string opts =
            netavark::options(std::string(64, 'c'), "web", {a}, {parse_port_spec("8080:80")})
                .dump();
        // One setup and teardown; run twice, the second being what a reload does (teardown,
        // setup): the same address and, through static_mac, the same MAC.
        auto cycle = [&](bool first) {
          run_result setup = run(netavark::argv(bins, config, "setup", ns), opts, dir);
          std::string pidfile = config + "/aardvark-dns/aardvark.pid";
          pid_t aardvark = static_cast<pid_t>(std::atoi(slurp(pidfile).c_str()));
          if (setup.code != 0) {
            fails +=
                "setup failed: " + netavark::failure_text(setup.out, setup.err, setup.code) + "\n";
          } else {
            try {
              auto eps = netavark::parse_status(setup.out);
              SANDBOX_EXPECT(fails, eps.size() == 1);
              if (eps.size() == 1) {
                SANDBOX_EXPECT(fails, eps[0].network == "ctrd0");
                SANDBOX_EXPECT(fails, eps[0].interface == "eth0");
                SANDBOX_EXPECT(fails, eps[0].ip == "10.99.0.2");
                SANDBOX_EXPECT(fails, eps[0].prefix_len == 24);
                SANDBOX_EXPECT(fails, eps[0].gateway == "10.99.0.1");
                SANDBOX_EXPECT(fails, eps[0].mac == "0a:b3:6e:17:24:08");  // static_mac kept
                SANDBOX_EXPECT(fails, eps[0].dns_servers == std::vector<std::string>{"10.99.0.1"});
              }
              SANDBOX_EXPECT(fails, ::if_nametoindex("ctrd0") != 0);
              {
                netns::scoped_enter in(ns);
                SANDBOX_EXPECT(fails, ::if_nametoindex("eth0") != 0);
              }
              SANDBOX_EXPECT(fails, reaches("10.99.0.2", 80, listener));    // over the bridge
              SANDBOX_EXPECT(fails, reaches("10.99.0.1", 8080, listener));  // the published port
              // A second setup fails as measured, worded from its error json.
              if (first) {
                run_result again = run(netavark::argv(bins, config, "setup", ns), opts, dir);
                SANDBOX_EXPECT(fails, again.code != 0);
                std::string why = netavark::failure_text(again.out, again.err, again.code);
                SANDBOX_EXPECT(fails, why.find("already exists") != std::string::npos);
                SANDBOX_EXPECT(fails, why.find("syslog") == std::string::npos);
              }
            } catch (const std::exception& e) {
              fails += std::string("after setup: ") + e.what() + "\n";
            }
          }
          run_result down = run(netavark::argv(bins, config, "teardown", ns), opts, dir);
          if (down.code != 0)
            fails +=
                "teardown failed: " + netavark::failure_text(down.out, down.err, down.code) + "\n";
          SANDBOX_EXPECT(fails, ::if_nametoindex("ctrd0") == 0);
          {
            netns::scoped_enter in(ns);
            SANDBOX_EXPECT(fails, ::if_nametoindex("eth0") == 0);
          }
          // Teardown of the network's last container stops aardvark-dns; stop it by PID if not.
          if (aardvark > 0) {
            int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, aardvark, 0));
            if (pidfd >= 0) {
              pollfd p{pidfd, POLLIN, 0};
              ::poll(&p, 1, 5000);  // readable once it has exited
              ::close(pidfd);
            }
            if (alive(aardvark, "aardvark-dns")) {
              fails += "aardvark-dns still runs after teardown\n";
              ::kill(aardvark, SIGKILL);
            }
          } else if (setup.code == 0) {
            fails += "no aardvark-dns pid file after setup\n";
          }
        };
        cycle(true);
        cycle(false);
        ::close(listener);
        netns::remove(ns);
        SANDBOX_EXPECT(fails, !netns::exists(ns));
        return fails;
      },
      120);
  if (r.skipped) {
    WARN("skipped: " << r.text);
    return;
  }
  INFO(r.text);
  CHECK(r.text.empty());
}

}  // namespace netavark_e2e_test
