// Attached sessions (`run` without -d, `start -a`, `attach`, `exec`): the output to
// fds 1/2, ctrctl's stdin to the container (`stdin` notifications, EOF included), detach
// keys, and for tty containers raw mode plus `resize` on every SIGWINCH. One poll() loop
// over the socket, stdin and a signal self-pipe; no busy waiting.
#pragma once

#include <cstdint>
#include <string>

#include "ctl/client.hpp"

namespace ctl {

/// How to run an attached session.
struct attach_options {
  bool forward_stdin = false;  ///< read ctrctl's stdin and send it (the container is interactive)
  bool tty = false;            ///< the container has a terminal: raw mode and resizes
  std::string detach_keys;     ///< parsed detach sequence (parse_detach_keys); "" = none
};

/// Drives the attach stream of the request `msgid` (an `attach`, attached `start` or
/// `exec`, queued with client::send() and write_output as its output handler) until its
/// response. Returns the exit code in the response (the container's or the exec'd
/// process's), 0 after a detach (nothing printed; the process keeps running), or prints the
/// error and returns 125/126/127; `failed` (optional) is set for an error response.
int attach_stream(client& c, uint32_t msgid, const attach_options& o, bool* failed = nullptr);

/// The `stdin` notification parameters for `data` (bytes) of the stream `msgid`.
json stdin_params(uint32_t msgid, const char* data, std::size_t size);

}  // namespace ctl
