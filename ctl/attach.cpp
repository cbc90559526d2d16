#include "ctl/attach.hpp"

#include <poll.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <memory>

#include "ctl/common.hpp"
#include "ctl/detach_keys.hpp"
#include "ctl/io.hpp"
#include "ctl/terminal.hpp"

namespace ctl {
namespace {

void send_size(client& c, uint32_t msgid) {
  int rows = 0, cols = 0;
  if (!terminal_size(STDIN_FILENO, rows, cols) || rows <= 0 || cols <= 0) return;
  c.notify("resize", json{{"msgid", msgid}, {"rows", rows}, {"cols", cols}});
}

// After a detach: give the daemon a moment to end the stream cleanly, then go. The
// container keeps running either way; closing the connection detaches too. When ctrd
// refuses the `detach` (e.g. for a stream it cannot detach, such as an older ctrd's exec),
// there is nothing to wait for: closing the connection is the detach.
void finish_detach(client& c, uint32_t msgid) {
  try {
    uint32_t detach_id = c.send("detach", json{{"msgid", msgid}});
    c.flush();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    response r;
    response d;
    while (!c.try_take(msgid, r)) {
      if (c.try_take(detach_id, d) && !d.ok()) return;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) return;
      pollfd p{c.fd(), POLLIN, 0};
      int n = ::poll(&p, 1, static_cast<int>(left));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      c.receive();
    }
  } catch (const ctrd::error&) {
    // the daemon closed the connection: detached all the same
  }
}

}  // namespace

json stdin_params(uint32_t msgid, const char* data, std::size_t size) {
  json::binary_t::container_type bytes(reinterpret_cast<const uint8_t*>(data),
                                       reinterpret_cast<const uint8_t*>(data) + size);
  return json{{"msgid", msgid}, {"data", json::binary(std::move(bytes))}};
}

int attach_stream(client& c, uint32_t msgid, const attach_options& o, bool* failed) {
  response r;
  {
    raw_guard guard;
    std::unique_ptr<signal_pipe> winch;
    if (o.tty && ::isatty(STDIN_FILENO) != 0) {
      make_raw(STDIN_FILENO);
      winch = std::make_unique<signal_pipe>(std::initializer_list<int>{SIGWINCH});
      send_size(c, msgid);
    }
    detach_matcher matcher(o.forward_stdin ? o.detach_keys : std::string());
    bool stdin_open = o.forward_stdin;
    std::string forward;
    char buf[32768];
    c.flush();
    while (!c.try_take(msgid, r)) {
      pollfd fds[3];
      nfds_t n = 0;
      fds[n++] = {c.fd(), POLLIN, 0};
      int in_slot = -1, sig_slot = -1;
      if (stdin_open) {
        in_slot = static_cast<int>(n);
        fds[n++] = {STDIN_FILENO, POLLIN, 0};
      }
      if (winch) {
        sig_slot = static_cast<int>(n);
        fds[n++] = {winch->fd(), POLLIN, 0};
      }
      if (::poll(fds, n, -1) < 0) {
        if (errno == EINTR) continue;
        throw ctrd::error(ctrd::ec::internal, std::string("poll failed"));
      }
      if (sig_slot >= 0 && fds[sig_slot].revents != 0) {
        winch->drain();
        send_size(c, msgid);
      }
      if (in_slot >= 0 && fds[in_slot].revents != 0) {
        ssize_t k = ::read(STDIN_FILENO, buf, sizeof buf);
        if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        forward.clear();
        if (k <= 0) {  // EOF (or an unreadable stdin): close the container's stdin
          forward = matcher.pending();
          if (!forward.empty())
            c.notify("stdin", stdin_params(msgid, forward.data(), forward.size()));
          c.notify("stdin", json{{"msgid", msgid}, {"eof", true}});
          stdin_open = false;
        } else {
          bool detached = matcher.feed(buf, static_cast<std::size_t>(k), forward);
          if (!forward.empty())
            c.notify("stdin", stdin_params(msgid, forward.data(), forward.size()));
          if (detached) {
            finish_detach(c, msgid);
            return 0;  // podman prints nothing and exits 0
          }
        }
      }
      c.flush();
      if (fds[0].revents != 0) c.receive();
    }
  }
  if (failed) *failed = !r.ok();
  if (!r.ok()) {
    print_error(r.message());
    return exit_code_of(r.error);
  }
  if (r.result.is_object() && r.result.value("detached", false)) return 0;
  return result_exit_code(r);
}

}  // namespace ctl
