#include "actors/spawner.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "messages/error.hpp"

namespace ctrd {

const char* const default_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

namespace {

enum class probe { ok, missing, not_executable, directory };

probe probe_file(const std::string& p) {
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) return errno == EACCES ? probe::not_executable : probe::missing;
  if (S_ISDIR(st.st_mode)) return probe::directory;
  if (::access(p.c_str(), X_OK) != 0) return probe::not_executable;
  return probe::ok;
}

[[noreturn]] void fail_probe(probe r, const std::string& cmd, const std::string& path) {
  switch (r) {
    case probe::directory:
      throw error(ec::cannot_invoke, "open executable `" + path + "`: is a directory: permission denied");
    case probe::not_executable:
      throw error(ec::cannot_invoke, "executable file `" + path + "`: permission denied");
    default:
      throw error(ec::command_not_found,
                  "executable file `" + cmd + "` not found in $PATH: No such file or directory");
  }
}

void close_quietly(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Child side, between fork and exec: async-signal-safe calls only, no allocation.
[[noreturn]] void child_main(const spawn_spec& s, char* const* argv, char* const* envp,
                             int hold_r, int out_w, int err_w, int null_fd) {
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
  ::setsid();
  if (::dup2(null_fd, 0) < 0 || ::dup2(out_w, 1) < 0 || ::dup2(err_w, 2) < 0) ::_exit(126);
  // Close every other descriptor now, not at exec: while held, this child must not keep
  // other containers' release pipes (or its own write end) open, or EOF would never come.
  if (hold_r > 3) ::syscall(SYS_close_range, 3u, static_cast<unsigned>(hold_r - 1), 0u);
  ::syscall(SYS_close_range, static_cast<unsigned>(hold_r + 1), ~0u, 0u);
  if (::chdir(s.workdir.c_str()) != 0) {
    static const char msg[] = "ctrd: cannot change to the working directory\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::_exit(126);
  }
  if (s.set_user) {
    gid_t g = s.gid;
    if (::setgroups(1, &g) != 0 || ::setgid(s.gid) != 0 || ::setuid(s.uid) != 0) {
      static const char msg[] = "ctrd: cannot switch to the container user\n";
      (void)!::write(2, msg, sizeof msg - 1);
      ::_exit(126);
    }
  }
  char b = 0;
  ssize_t n;
  do {
    n = ::read(hold_r, &b, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) ::_exit(0);  // released by closing: never started
  ::execve(s.path.c_str(), argv, envp);
  int e = errno;
  static const char msg[] = "ctrd: exec failed\n";
  (void)!::write(2, msg, sizeof msg - 1);
  ::_exit(e == ENOENT ? 127 : 126);
}

}  // namespace

std::string resolve_command(const std::string& cmd, const std::vector<std::string>& env,
                            const std::string& workdir) {
  if (cmd.find('/') != std::string::npos) {
    std::string p = cmd[0] == '/' ? cmd : workdir + "/" + cmd;
    auto r = probe_file(p);
    if (r != probe::ok) fail_probe(r, cmd, p);
    return p;
  }
  std::string path = default_path;
  for (const auto& e : env)
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  probe worst = probe::missing;
  std::string worst_path;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    auto colon = path.find(':', pos);
    std::string dir = path.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
    pos = colon == std::string::npos ? path.size() + 1 : colon + 1;
    if (dir.empty()) dir = workdir;
    std::string candidate = dir + "/" + cmd;
    auto r = probe_file(candidate);
    if (r == probe::ok) return candidate;
    if (r != probe::missing && worst == probe::missing) {
      worst = r;
      worst_path = candidate;
    }
  }
  fail_probe(worst, cmd, worst_path);
}

held_child spawn_held(const spawn_spec& s) {
  // Everything the child needs is prepared here: no allocation after fork.
  std::vector<char*> argv, envp;
  for (const auto& a : s.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : s.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int hold[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0 || ::pipe2(hold, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 ||
      ::pipe2(err, O_CLOEXEC) != 0) {
    int e = errno;
    for (int fd : {hold[0], hold[1], out[0], out[1], err[0], err[1], null_fd})
      if (fd >= 0) ::close(fd);
    throw error(ec::internal, std::string("cannot create pipes for the container: ") + std::strerror(e));
  }
  pid_t pid = ::fork();
  if (pid == 0) child_main(s, argv.data(), envp.data(), hold[0], out[1], err[1], null_fd);
  int fork_errno = errno;
  ::close(hold[0]);
  ::close(out[1]);
  ::close(err[1]);
  ::close(null_fd);
  held_child c;
  c.release_fd = hold[1];
  c.out_fd = out[0];
  c.err_fd = err[0];
  if (pid < 0) {
    close_quietly(c.release_fd);
    close_quietly(c.out_fd);
    close_quietly(c.err_fd);
    throw error(ec::internal, std::string("cannot fork the container process: ") +
                                  std::strerror(fork_errno));
  }
  c.pid = pid;
  ::fcntl(c.out_fd, F_SETFL, O_NONBLOCK);
  ::fcntl(c.err_fd, F_SETFL, O_NONBLOCK);
  return c;
}

bool release_child(held_child& c) {
  char b = 1;
  ssize_t n;
  do {
    n = ::write(c.release_fd, &b, 1);
  } while (n < 0 && errno == EINTR);
  close_quietly(c.release_fd);
  return n == 1;
}

}  // namespace ctrd
