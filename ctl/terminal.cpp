#include "ctl/terminal.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>

#include "ctl/io.hpp"
#include "messages/error.hpp"

namespace ctl {
namespace {

termios saved_mode{};
volatile sig_atomic_t raw_fd = -1;
volatile sig_atomic_t pipe_wr = -1;

void fatal_signal(int sig) {
  restore_terminal();
  // SA_RESETHAND put the default disposition back: this ends ctrctl as the signal would.
  ::raise(sig);
}

void pipe_signal(int sig) {
  int saved = errno;
  if (pipe_wr >= 0) {
    char b = static_cast<char>(sig);
    (void)!::write(pipe_wr, &b, 1);
  }
  errno = saved;
}

constexpr int fatal_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

}  // namespace

bool make_raw(int fd) {
  if (::isatty(fd) == 0) return false;
  termios mode{};
  if (::tcgetattr(fd, &mode) != 0) return false;
  saved_mode = mode;
  ::cfmakeraw(&mode);
  mode.c_cc[VMIN] = 1;
  mode.c_cc[VTIME] = 0;
  struct sigaction sa {};
  sa.sa_handler = fatal_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND | SA_NODEFER;
  for (int sig : fatal_signals) ::sigaction(sig, &sa, nullptr);
  raw_fd = fd;
  set_exit_hook(restore_terminal);
  if (::tcsetattr(fd, TCSADRAIN, &mode) != 0) {
    raw_fd = -1;
    return false;
  }
  return true;
}

void restore_terminal() {
  int fd = raw_fd;
  if (fd < 0) return;
  raw_fd = -1;
  ::tcsetattr(fd, TCSADRAIN, &saved_mode);
}

bool terminal_size(int fd, int& rows, int& cols) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0) return false;
  rows = ws.ws_row;
  cols = ws.ws_col;
  return true;
}

signal_pipe::signal_pipe(std::initializer_list<int> signals) : signals_(signals) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0)
    throw ctrd::error(ctrd::ec::internal, "cannot create a pipe for signals");
  rd_ = p[0];
  pipe_wr = p[1];
  struct sigaction sa {};
  sa.sa_handler = pipe_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int sig : signals_) ::sigaction(sig, &sa, nullptr);
}

signal_pipe::~signal_pipe() {
  for (int sig : signals_) {
    // SIGINT keeps the fatal handler while the terminal is raw, else goes back to default.
    bool fatal =
        raw_fd >= 0 && (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT);
    struct sigaction sa {};
    sa.sa_handler = fatal ? fatal_signal : SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = fatal ? (SA_RESETHAND | SA_NODEFER) : 0;
    ::sigaction(sig, &sa, nullptr);
  }
  int wr = pipe_wr;
  pipe_wr = -1;
  ::close(wr);
  ::close(rd_);
}

std::vector<int> signal_pipe::drain() {
  std::vector<int> out;
  char buf[64];
  for (;;) {
    ssize_t n = ::read(rd_, buf, sizeof buf);
    if (n > 0) {
      for (ssize_t i = 0; i < n; ++i) out.push_back(static_cast<unsigned char>(buf[i]));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  return out;
}

}  // namespace ctl
