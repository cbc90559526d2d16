// The link between the holder (`ctrd`, holder/) and the actor daemon it runs (ctrd-daemon):
// one SOCK_SEQPACKET socket pair, one message per datagram, descriptors passed with
// SCM_RIGHTS (docs/architecture.md, "Surviving a daemon crash"). CAF-free and free of every
// library but libc, so that the holder stays small.
//
// Daemon -> holder:
//   hello  {pid}              first message of every daemon run; the holder answers with
//                             the hand-over: every held descriptor, every exit status
//                             it collected, then `end`
//   hold   {id, role} + fd    keep a duplicate of this descriptor of container `id`
//                             (role: "stdout", "stderr", "stdin", "pty", "notify", or the
//                             daemon's own "listen"/"lock" with id "")
//   release {id, role}        close the descriptor `role` of `id` (stdin at its end of
//                             input), or with no role every one (the container is gone)
//   forget {pid}              the daemon has taken the exit status of `pid`
//   ready                     the daemon serves its socket (a later death is a crash)
//   reexec                    the daemon exits for an upgrade: start the binary on disk
//   notify {id = text}        send this sd_notify(3) text to the service manager (the
//                             holder is its main process)
//   alive                     a self-check passed (service_watchdog.hpp): the holder pets
//                             the hardware watchdog (holder/hw_watchdog.hpp); sent only
//                             when `end` asked for it
// Holder -> daemon:
//   held   {id, role} + fd    a descriptor held for `id` (hand-over)
//   exit   {pid, code_kind, status}  a process the holder reaped (waitid's si_code and
//                             si_status; proc::exit_code turns them into an exit code)
//   end    {pid = holder pid, status = how many daemons it started,
//           code_kind = alive period in ms: send `alive` after a passing self-check at
//           least this often (0: no hardware watchdog, send none)}
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ctrd::holder {

enum class kind : uint8_t {
  hello = 1,
  hold = 2,
  release = 3,
  forget = 4,
  ready = 5,
  reexec = 6,
  held = 7,
  exit = 8,
  end = 9,
  notify = 10,
  alive = 11,
};

/// One message; unused fields stay empty/zero. `fd` is the descriptor passed with it (-1:
/// none); a received one is close-on-exec and owned by the receiver.
struct message {
  kind type = kind::hello;
  std::string id;
  std::string role;
  int64_t pid = 0;
  int32_t code_kind = 0;
  int32_t status = 0;
  int fd = -1;
};

/// Largest id or role a message carries (container ids are 64 hex digits; a notify text).
constexpr std::size_t max_field = 1024;

/// Encodes `m` (without its descriptor) into one datagram.
std::vector<char> encode(const message& m);

/// Decodes one datagram; false if it is malformed (unknown type, bad lengths, trailing
/// bytes). `m.fd` is left untouched.
bool decode(const char* data, std::size_t size, message& m);

/// Sends `m` (and m.fd when >= 0) on `sock`. Returns 0 or an errno value (EAGAIN when the
/// socket is non-blocking and full, EPIPE when the peer is gone).
int send_message(int sock, const message& m, int flags = 0);

/// Receives one message. Returns 1 with `m` filled, 0 at end of stream (the peer closed),
/// or -errno (-EBADMSG for a malformed datagram, whose descriptor is closed). Descriptors
/// beyond the first of a datagram are closed.
int receive_message(int sock, message& m, int flags = 0);

/// The environment variable naming the daemon's end of the link (a descriptor number).
constexpr const char* link_env = "CTRD_HOLDER_FD";

/// The variable naming the daemon binary the holder runs (default: ctrd-daemon next to it).
constexpr const char* daemon_env = "CTRD_DAEMON";

}  // namespace ctrd::holder
