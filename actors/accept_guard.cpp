#include "actors/accept_guard.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

#include <spdlog/spdlog.h>
#include <caf/send.hpp>

namespace ctrd {
namespace {

/// The accepting thread and its stop switch.
class accept_watch {
 public:
  accept_watch(int listen_fd, acceptor_actor owner) : listen_(listen_fd), owner_(std::move(owner)) {
    ::fcntl(listen_, F_SETFL, ::fcntl(listen_, F_GETFL) | O_NONBLOCK);
    wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    reserve_ = open_reserve();
    thread_ = std::thread([this] { run(); });
  }

  ~accept_watch() {
    stopping_ = true;
    uint64_t one = 1;
    (void)!::write(wake_, &one, sizeof one);
    if (thread_.joinable()) thread_.join();
    for (int fd : {wake_, reserve_})
      if (fd >= 0) ::close(fd);
  }

  accept_watch(const accept_watch&) = delete;
  accept_watch& operator=(const accept_watch&) = delete;

 private:
  static int open_reserve() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

  void run() {
    int pause_ms = -1;  // -1: wait for connections; else a pause after a shortage
    while (!stopping_) {
      pollfd pf[2] = {{wake_, POLLIN, 0}, {listen_, POLLIN, 0}};
      // While paused only the stop switch is watched: nothing spins on the readable socket.
      int n = ::poll(pf, pause_ms < 0 ? 2 : 1, pause_ms);
      if (stopping_) return;
      if (n < 0) {
        if (errno != EINTR) {
          spdlog::error("control socket: poll failed: {}", std::strerror(errno));
          pause_ms = 100;
        }
        continue;
      }
      bool paused = pause_ms >= 0;
      pause_ms = -1;
      if (!paused && !(pf[1].revents & POLLIN)) continue;
      pause_ms = accept_pending();
    }
  }

  /// Accepts what is pending; returns -1, or a pause in ms after a shortage.
  int accept_pending() {
    for (int i = 0; i < 64 && !stopping_; ++i) {
      int fd = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd >= 0) {
        if (refused_ > 0) {
          spdlog::info("control socket: accepting connections again ({} refused meanwhile)",
                       refused_);
          refused_ = 0;
        }
        caf::anon_send(owner_, accepted_fd{fd});
        continue;
      }
      int e = errno;
      if (e == EAGAIN || e == EINTR || e == ECONNABORTED) return -1;
      if ((e == EMFILE || e == ENFILE) && shed())
        continue;  // the pending connection was closed: look at the next one
      note_refusal(e);
      return 100;  // no spare descriptor, or out of memory: try again in a moment
    }
    return -1;
  }

  /// At the descriptor limit: accepts the pending connection on the reserve descriptor
  /// and closes it at once. False if there is no reserve to give up.
  bool shed() {
    if (reserve_ < 0) reserve_ = open_reserve();
    if (reserve_ < 0) return false;
    ::close(reserve_);
    int fd = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) ::close(fd);
    reserve_ = open_reserve();
    if (fd < 0) return false;
    note_refusal(EMFILE);
    return true;
  }

  void note_refusal(int e) {
    if (refused_++ == 0)
      spdlog::warn(
          "control socket: cannot accept connections: {}; refusing them until it passes "
          "(logged once)",
          std::strerror(e));
  }

  int listen_;
  acceptor_actor owner_;
  int wake_ = -1;
  int reserve_ = -1;
  uint64_t refused_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace

void guard_accepts(acceptor_actor::broker_pointer broker, int listen_fd) {
  auto g = std::make_shared<accept_watch>(listen_fd, acceptor_actor{broker});
  broker->attach_functor([g]() mutable { g.reset(); });
}

caf::io::connection_handle adopt_connection(caf::io::abstract_broker* broker, int fd) {
  return broker->add_scribe(fd);
}

}  // namespace ctrd
