// Helpers shared by the verbs: connecting, per-container request fan-out with podman's
// error reporting, and attached starts that stream output and return the exit code.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "ctl/attach.hpp"
#include "ctl/client.hpp"
#include "ctl/commands.hpp"

namespace ctl {

/// Connects `c` to the socket chosen by ctx.socket / $CTRD_SOCKET / the default, with the
/// answer timeout of ctx.timeout / $CTRCTL_TIMEOUT / 30 s (client::set_timeout). For verbs
/// whose requests answer at once (ps, inspect, create, rm, ...).
void connect(client& c, const context& ctx);

/// connect(), then client::expect_long_waits(): for verbs that wait by design (start, stop,
/// restart, wait, healthcheck run, logs -f, attach, events, export, cp, exec, shutdown). The
/// handshake is still bounded, so a hung ctrd is reported, not waited for.
void connect_waiting(client& c, const context& ctx);

/// The answer timeout: `flag` (--timeout), else $CTRCTL_TIMEOUT, else 30 s; "0" = none.
/// Throws ctrd::error{invalid_argument} naming the source of a malformed value.
std::chrono::milliseconds answer_timeout(const std::string& flag);

/// Writes streamed container output to fd 1 ("stdout") or 2 (anything else). EPIPE on
/// stdout ends ctrctl quietly (exit 141); stderr errors are ignored.
void write_output(const std::string& stream, const char* data, std::size_t size);

/// Sends `method` for every container at once (pipelined; params from `params_for`), then
/// handles the responses in order: `on_success` (default: print the name as given) or
/// "Error: <message>" on stderr. Returns 0, or the exit status of the last error (podman).
/// `ignore` (optional) may swallow an error response by returning true.
int for_each_container(
    client& c, const std::vector<std::string>& containers, const std::string& method,
    const std::function<json(const std::string&)>& params_for,
    const std::function<void(const std::string&, const response&)>& on_success = {},
    const std::function<bool(const std::string&, const response&)>& ignore = {});

/// `start` with `attach` (and `stdin` when o.forward_stdin): runs the session
/// (attach_stream()) and returns the container's exit code, 0 after a detach, or prints the
/// error and returns 125/126/127. `failed` (optional) is set when the start itself failed
/// (error response).
int attached_start(client& c, const std::string& container, const attach_options& o,
                   bool* failed = nullptr);

/// Parses a --detach-keys value (podman's default when `given` is false); throws
/// ctrd::error{invalid_argument} "invalid detach keys: ...".
std::string detach_keys_flag(const std::string& text, bool given);

/// What `inspect` says about a container's terminal setup: podman's Config.OpenStdin and
/// Config.Tty; `interactive` is true and `tty` false when ctrd does not report them.
struct terminal_setup {
  bool interactive = true;
  bool tty = false;
};
terminal_setup terminal_setup_of(const json& inspect_result);

/// The exit code in a result map ({"exit_code": n}); 125 with a message when absent.
int result_exit_code(const response& r);

}  // namespace ctl
