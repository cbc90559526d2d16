// A stand-in for ctrd-daemon that the holder runs in tests/holder/holder_process_test.cpp:
// it speaks the holder's link like the daemon (runtime/holder_client.hpp) but has no
// actors, so the holder's guarantees are tested on their own.
//
// Usage: fake_daemon DIR. Every start writes DIR/start-<N>.txt (its pid, the holder's, and
// what the hand-over held). On its first start it runs two "containers": a writer that
// prints a numbered line every 50 ms into a pipe (whose read end the holder holds as
// "w"/"stdout") and one that exits 7 after a second. Every start copies the writer's
// output to DIR/out.txt and records the exit statuses the holder sends in DIR/exits.txt.
// Files in DIR steer it: "fail" exits 3 at once (before ready), "slow" waits 1.5 s before
// the hand-over. SIGTERM: exit 0; SIGUSR1: ask the holder for a re-exec, exit 0.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>

#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "runtime/holder_client.hpp"

namespace {

bool exists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

pid_t spawn_shell(const char* script, int out_fd) {
  pid_t pid = ::fork();
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (out_fd >= 0) ::dup2(out_fd, 1);
    ::execl("/bin/sh", "sh", "-c", script, static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

void append(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::app) << text << std::flush;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  std::string dir = argv[1];
  if (exists(dir + "/fail")) return 3;
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGTERM);
  sigaddset(&s, SIGUSR1);
  ::sigprocmask(SIG_BLOCK, &s, nullptr);
  int sigfd = ::signalfd(-1, &s, SFD_CLOEXEC);
  auto client = ctrd::holder_client::from_environment();
  if (!client) return 4;
  if (exists(dir + "/slow")) ::usleep(1'500'000);
  auto h = client->take_over();
  int out = -1;
  std::string report = "daemon " + std::to_string(::getpid()) + "\nholder " +
                       std::to_string(h.holder_pid) + "\nstarts " +
                       std::to_string(h.daemon_starts) + "\n";
  for (auto& d : h.fds) {
    report += "fd " + d.id + " " + d.role + "\n";
    if (d.id == "w" && d.role == "stdout") out = d.fd;
  }
  for (auto& e : h.exits) {
    report += "exit " + std::to_string(e.pid) + " " + std::to_string(e.exit_code) + "\n";
    client->forget(e.pid);
  }
  if (out < 0) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return 5;
    pid_t writer = spawn_shell("i=0; while :; do i=$((i+1)); echo $i; sleep 0.05; done", p[1]);
    pid_t seven = spawn_shell("sleep 1; exit 7", -1);
    ::close(p[1]);
    out = p[0];
    client->hold("w", "stdout", out);
    report += "writer " + std::to_string(writer) + "\nseven " + std::to_string(seven) + "\n";
  }
  // Written whole, then renamed: a test that sees the file reads all of it.
  auto name = dir + "/start-" + std::to_string(h.daemon_starts) + ".txt";
  std::ofstream(name + ".tmp") << report;
  std::rename((name + ".tmp").c_str(), name.c_str());
  client->ready();
  for (;;) {
    pollfd fds[3] = {{out, POLLIN, 0}, {client->fd(), POLLIN, 0}, {sigfd, POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) continue;
    if (fds[0].revents != 0) {
      char buf[4096];
      ssize_t n = ::read(out, buf, sizeof buf);
      if (n > 0) append(dir + "/out.txt", std::string(buf, static_cast<size_t>(n)));
      if (n == 0) {
        ::close(out);
        out = -1;
      }
    }
    if (fds[1].revents != 0) {
      ctrd::reaped_process r;
      bool closed = false;
      while (client->next(r, closed)) {
        append(dir + "/exits.txt",
               std::to_string(r.pid) + " " + std::to_string(r.exit_code) + "\n");
        client->forget(r.pid);
      }
      if (closed) return 6;
    }
    if (fds[2].revents != 0) {
      signalfd_siginfo si;
      if (::read(sigfd, &si, sizeof si) != sizeof si) continue;
      if (si.ssi_signo == SIGUSR1) {
        client->reexec();
        client->flush();
      }
      return 0;
    }
  }
}
