#include "tests/support/net_sandbox.hpp"

#include <catch2/catch.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/rootfs.hpp"

extern char** environ;

namespace ctrd::test {
namespace {

const char* const unshare_bin = "/usr/bin/unshare";
const char* const nsenter_bin = "/usr/bin/nsenter";
const char* const search_path = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";

/// The inode of a namespace file (/proc/PID/ns/net), 0 if unreadable.
unsigned long ns_inode(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<unsigned long>(st.st_ino) : 0;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!trim(l).empty()) out.push_back(trim(l));
  return out;
}

std::string join_sorted(std::vector<std::string> lines) {
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (auto& l : lines) out += l + "\n";
  return out;
}

/// iptables-save output of one table -> "table: line" for user chains (":NAME"), built-in
/// chains whose policy is not ACCEPT (":NAME POLICY") and rules ("-A ..."). Counters,
/// comments and the table's own markers go: an empty table and an absent one look alike.
std::vector<std::string> normalize_rules(const std::string& table, const std::string& text) {
  std::vector<std::string> out;
  for (auto& l : lines_of(text)) {
    if (l.rfind("-A ", 0) == 0) {
      out.push_back(table + ": " + l);
    } else if (l[0] == ':') {
      std::istringstream in(l.substr(1));
      std::string name, policy;
      in >> name >> policy;
      if (policy == "-")
        out.push_back(table + ": :" + name);
      else if (policy != "ACCEPT")
        out.push_back(table + ": :" + name + " " + policy);
    }
  }
  return out;
}

/// Sections of the snapshot script's output, split at lines "@name".
std::vector<std::pair<std::string, std::string>> sections(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty() && l[0] == '@')
      out.emplace_back(l.substr(1), "");
    else if (!out.empty())
      out.back().second += l + "\n";
  }
  return out;
}

std::string comm_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string c;
  std::getline(in, c);
  return c;
}

std::string why_network_tests_cannot_run() {
  if (::geteuid() != 0) return "network tests need root (network namespaces, netavark)";
  for (const char* p : {"/usr/lib/podman/netavark", "/usr/lib/podman/aardvark-dns"})
    if (::access(p, X_OK) != 0)
      return std::string("network tests need ") + p + " (Debian packages netavark, aardvark-dns)";
  for (const char* p : {unshare_bin, nsenter_bin})
    if (::access(p, X_OK) != 0) return std::string("network tests need ") + p;
  bool ip = ::access("/usr/sbin/ip", X_OK) == 0 || ::access("/sbin/ip", X_OK) == 0;
  bool ipt = ::access("/usr/sbin/iptables", X_OK) == 0 || ::access("/sbin/iptables", X_OK) == 0;
  if (!ip) return "network tests need ip (iproute2)";
  if (!ipt) return "network tests need iptables (netavark 1.4's firewall driver)";
  auto rootfs = rootfs_prerequisite();
  if (!rootfs.empty()) return "network tests " + rootfs;
  // Everything below runs in a throw-away namespace: never the host's.
  auto r =
      run_process({unshare_bin, "--net", "--mount", "--propagation", "private", "/bin/sh", "-c",
                   std::string("export ") + search_path +
                       "; mount -t tmpfs tmpfs /run && ip link set lo up && "
                       "iptables -t nat -S >/dev/null && iptables -S >/dev/null"},
                  "", std::chrono::seconds(20));
  if (r.code != 0)
    return "network tests need `unshare --net --mount` with a tmpfs on /run and iptables "
           "inside it; it failed: " +
           trim(r.err);
  return "";
}

}  // namespace

bool network_tests_usable() {
  static const std::string why = why_network_tests_cannot_run();
  if (!why.empty()) WARN("skipped: " << why);
  return why.empty();
}

// --- net_state ----------------------------------------------------------------------------

net_state net_state::without_netavark_globals() const {
  static const std::set<std::string> globals = {
      "filter: :NETAVARK_FORWARD",
      "filter: -A FORWARD -m comment --comment \"netavark firewall plugin rules\" -j "
      "NETAVARK_FORWARD",
      "nat: :NETAVARK-HOSTPORT-DNAT",
      "nat: :NETAVARK-HOSTPORT-MASQ",
      "nat: :NETAVARK-HOSTPORT-SETMARK",
      "nat: -A PREROUTING -m addrtype --dst-type LOCAL -j NETAVARK-HOSTPORT-DNAT",
      "nat: -A OUTPUT -m addrtype --dst-type LOCAL -j NETAVARK-HOSTPORT-DNAT",
      "nat: -A POSTROUTING -j NETAVARK-HOSTPORT-MASQ",
      "nat: -A NETAVARK-HOSTPORT-MASQ -m comment --comment \"netavark portfw masq mark\" -m "
      "mark --mark 0x2000/0x2000 -j MASQUERADE",
      "nat: -A NETAVARK-HOSTPORT-SETMARK -j MARK --set-xmark 0x2000/0x2000",
  };
  net_state s = *this;
  std::vector<std::string> kept;
  for (auto& l : lines_of(rules))
    if (globals.count(l) == 0) kept.push_back(l);
  // netavark 1.4 also leaves a network's port chain NETAVARK-DN-<id> behind, empty and
  // unreferenced, when the container that published ports was not the last one on the
  // network (its own setup + teardown of two containers shows it). Only such an empty,
  // unused chain is left out; one with a rule or a jump to it is a leak.
  auto mentions = [&](const std::string& chain) {
    for (auto& l : kept)
      if (l.find("-A " + chain + " ") != std::string::npos ||
          l.find("-j " + chain) != std::string::npos)
        return true;
    return false;
  };
  kept.erase(std::remove_if(kept.begin(), kept.end(),
                            [&](const std::string& l) {
                              const std::string decl = "nat: :NETAVARK-DN-";
                              return l.rfind(decl, 0) == 0 && !mentions(l.substr(6));
                            }),
             kept.end());
  s.rules = join_sorted(kept);
  kept.clear();
  std::string lock = std::string(net_sandbox::config_dir) + "/aardvark.lock\t";
  for (auto& l : lines_of(files))
    if (l != trim(lock)) kept.push_back(l);
  s.files = join_sorted(kept);
  return s;
}

std::string net_state::dump() const {
  return "links:\n" + links + "addresses:\n" + addresses + "routes:\n" + routes + "rules:\n" +
         rules + "files:\n" + files + "processes:\n" + processes + "netns mounts:\n" + netns_mounts;
}

bool net_state::operator==(const net_state& o) const {
  return links == o.links && addresses == o.addresses && routes == o.routes && rules == o.rules &&
         files == o.files && processes == o.processes && netns_mounts == o.netns_mounts;
}

// --- net_sandbox --------------------------------------------------------------------------

net_sandbox::net_sandbox(daemon_options opts) {
  REQUIRE(opts.wrapper.empty());
  // The holder: unshare execs the shell in the new namespaces (same pid); it mounts the
  // tmpfs on /run, brings lo up, says "ready" and waits for EOF on stdin, which comes when
  // the sandbox ends or the test process dies.
  int in[2], out[2];
  REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  std::vector<std::string> argv = {
      unshare_bin,
      "--net",
      "--mount",
      "--propagation",
      "private",
      "/bin/sh",
      "-c",
      std::string("export ") + search_path +
          "; mount -t tmpfs -o mode=0755 tmpfs /run && ip link set lo up && echo ready && "
          "read _ignored"};
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, out[1], 2);
  posix_spawnattr_t at;  // an empty signal mask and default dispositions, as run_process
  posix_spawnattr_init(&at);
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&at, &empty);
  posix_spawnattr_setsigdefault(&at, &all);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  int rc = ::posix_spawn(&holder_, unshare_bin, &fa, &at, args.data(), environ);
  posix_spawnattr_destroy(&at);
  posix_spawn_file_actions_destroy(&fa);
  ::close(in[0]);
  ::close(out[1]);
  holder_stdin_ = in[1];
  std::string said;
  if (rc == 0) {
    char buf[512];
    pollfd pf{out[0], POLLIN, 0};
    while (said.find("ready\n") == std::string::npos && ::poll(&pf, 1, 10000) > 0) {
      auto n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      said.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(out[0]);
  if (rc != 0) holder_ = -1;
  try {
    start_daemon(std::move(opts), said);
  } catch (...) {  // a failed REQUIRE: end what was started, then report
    stop_holder();
    throw;
  }
}

void net_sandbox::start_daemon(daemon_options opts, const std::string& said) {
  INFO("namespace holder said: " << said);
  REQUIRE(holder_ > 0);
  REQUIRE(said.find("ready\n") != std::string::npos);
  netns_inode_ = ns_inode("/proc/" + std::to_string(holder_) + "/ns/net");
  // Never the host's namespace: the holder must be in another one than this process.
  REQUIRE(netns_inode_ != 0);
  REQUIRE(netns_inode_ != ns_inode("/proc/self/ns/net"));
  REQUIRE(ns_inode("/proc/" + std::to_string(holder_) + "/ns/mnt") !=
          ns_inode("/proc/self/ns/mnt"));

  opts.wrapper = enter_argv();
  opts.wrapper_execs = true;
  daemon_ = std::make_unique<live_daemon>(std::move(opts));
}

net_sandbox::~net_sandbox() {
  // SIGTERM: ctrd stops its containers and exits (the test containers stop on SIGKILL, so
  // 10 s is plenty); one that does not is a failure of the test, then killed.
  if (daemon_ && daemon_->pid() > 0) {
    bool exited = daemon_->terminate(10000) >= 0;
    auto log = daemon_->log();
    INFO("ctrd did not exit within 10 s of SIGTERM; the end of its log:\n"
         << log.substr(log.size() > 3000 ? log.size() - 3000 : 0));
    CHECK(exited);
    if (!exited) daemon_->kill9();
  }
  daemon_.reset();
  stop_holder();
}

void net_sandbox::stop_holder() {
  auto left = processes();
  if (!left.empty()) {
    std::string names;
    for (pid_t p : left) names += " " + comm_of(p) + "(" + std::to_string(p) + ")";
    WARN("processes left in the network sandbox after ctrd ended, killed:" << names);
    for (pid_t p : left) ::kill(p, SIGKILL);
    for (int i = 0; i < 500 && !processes().empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (holder_stdin_ >= 0) ::close(holder_stdin_);
  holder_stdin_ = -1;
  if (holder_ > 0 && wait_for_exit(holder_, std::chrono::seconds(5)) < 0) {
    ::kill(holder_, SIGKILL);
    wait_for_exit(holder_, std::chrono::seconds(5));
  }
  holder_ = -1;
}

std::vector<std::string> net_sandbox::enter_argv() const {
  std::string ns = "/proc/" + std::to_string(holder_) + "/ns/";
  return {nsenter_bin, "--net=" + ns + "net", "--mount=" + ns + "mnt",
          "--",        "/usr/bin/env",        search_path};
}

proc_result net_sandbox::run_in_ns(const std::vector<std::string>& argv,
                                   std::chrono::milliseconds timeout) const {
  auto full = enter_argv();
  full.insert(full.end(), argv.begin(), argv.end());
  return run_process(full, "", timeout);
}

proc_result net_sandbox::sh(const std::string& script, std::chrono::milliseconds timeout) const {
  return run_in_ns({"/bin/sh", "-c", script}, timeout);
}

std::string net_sandbox::tcp_get(const std::string& host, int port) const {
  auto r = run_in_ns({"/bin/busybox", "nc", "-w", "2", host, std::to_string(port)},
                     std::chrono::seconds(10));
  return r.code == 0 ? r.out : std::string();
}

std::string net_sandbox::await_tcp(const std::string& host, int port, const std::string& want,
                                   std::chrono::milliseconds limit) const {
  auto end = std::chrono::steady_clock::now() + limit;
  std::string got;
  while (std::chrono::steady_clock::now() < end) {
    got = tcp_get(host, port);
    if (got.find(want) != std::string::npos) return got;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return got;
}

net_state net_sandbox::snapshot() const {
  std::string dir = config_dir;
  auto r =
      sh("echo @links; ip -br link; echo @addresses; ip -br addr; "
         "echo @routes; ip route show table all; ip -6 route show table all; "
         "echo @filter; iptables-save -t filter 2>/dev/null; "
         "echo @nat; iptables-save -t nat 2>/dev/null; echo @files; "
         "if [ -d " +
         dir + " ]; then find " + dir +
         " -type f | sort | while read -r f; do "
         "printf '%s\\t%s\\n' \"$f\" \"$(tr '\\n' '|' < \"$f\")\"; done; fi");
  INFO("snapshot stderr: " << r.err);
  REQUIRE(r.code == 0);
  net_state s;
  std::vector<std::string> rules;
  for (auto& [name, text] : sections(r.out)) {
    if (name == "links") s.links = join_sorted(lines_of(text));
    if (name == "addresses") s.addresses = join_sorted(lines_of(text));
    if (name == "routes") s.routes = join_sorted(lines_of(text));
    if (name == "filter" || name == "nat") {
      auto t = normalize_rules(name, text);
      rules.insert(rules.end(), t.begin(), t.end());
    }
    if (name == "files") s.files = join_sorted(lines_of(text));
  }
  s.rules = join_sorted(rules);
  std::vector<std::string> names;
  for (pid_t p : processes()) names.push_back(comm_of(p));
  s.processes = join_sorted(names);
  std::vector<std::string> mounts;
  std::ifstream mi("/proc/" + std::to_string(holder_) + "/mountinfo");
  for (std::string l; std::getline(mi, l);) {
    auto dash = l.find(" - ");
    if (dash == std::string::npos || l.compare(dash + 3, 5, "nsfs ") != 0) continue;
    std::istringstream f(l);
    std::string id, parent, dev, root, point;
    f >> id >> parent >> dev >> root >> point;
    mounts.push_back(point);
  }
  s.netns_mounts = join_sorted(mounts);
  return s;
}

std::vector<pid_t> net_sandbox::processes() const {
  std::vector<pid_t> out;
  if (netns_inode_ == 0) return out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (auto* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0' || pid == holder_) continue;
    if (ns_inode("/proc/" + std::string(e->d_name) + "/ns/net") != netns_inode_) continue;
    if (process_alive(static_cast<pid_t>(pid))) out.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(d);
  return out;
}

std::string make_net_rootfs(const std::string& dir) {
  namespace fsys = std::filesystem;
  auto root = fsys::path(make_busybox_rootfs(dir));
  std::ofstream(root / "etc" / "hosts") << "127.0.0.1 localhost\n";
  std::ofstream(root / "etc" / "resolv.conf");
  fsys::create_directories(root / "www");
  std::ofstream(root / "www" / "index.html") << "hello from httpd\n";
  return root.string();
}

}  // namespace ctrd::test
