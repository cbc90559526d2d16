// Unbuffered output helpers for ctrctl: everything goes through write(2) loops so streamed
// container output and our own lines never sit in a stdio buffer, and EPIPE on stdout ends
// the program quietly (SIGPIPE is ignored, see main.cpp).
#pragma once

#include <cstddef>
#include <string>

namespace ctl {

/// Exit status used when stdout turns out to be a closed pipe (128 + SIGPIPE, what a program
/// killed by SIGPIPE would report, as podman does).
constexpr int exit_broken_pipe = 141;

/// Writes all of [data, data+size) to `fd`, retrying on EINTR and partial writes. Returns
/// false on an error (errno is kept), e.g. EPIPE.
bool write_all(int fd, const char* data, std::size_t size);

/// Registers a function run by exit_now() before the process ends (e.g. restoring the
/// terminal mode). Must be async-signal-safe.
void set_exit_hook(void (*hook)());

/// Ends the process at once with `status` (std::_Exit) after running the exit hook.
[[noreturn]] void exit_now(int status);

/// Writes to stdout; on EPIPE (or another write error) exits at once with exit_broken_pipe.
void out(const std::string& text);

/// Writes `line` and a newline to stdout (exits like out() on EPIPE).
void out_line(const std::string& line);

/// Writes to stderr, ignoring errors (nothing sensible is left to do with them).
void err(const std::string& text);

/// Prints "Error: <message>" and a newline to stderr, podman style.
void print_error(const std::string& message);

/// Prints podman's logrus-style warning "WARN[0010] <message>" to stderr; the number is the
/// seconds elapsed since ctrctl started (see mark_start_time()).
void print_warning(const std::string& message);

/// Records the program start time for print_warning(). Called first thing in main().
void mark_start_time();

}  // namespace ctl
