// Running real programs from tests: capture stdout/stderr and the exit code, with a
// timeout so that a hang fails the test instead of blocking the suite.
#pragma once

#include <sys/types.h>
#include <chrono>
#include <string>
#include <vector>

namespace ctrd::test {

struct proc_result {
  int code = -1;    ///< exit status, 128+N if killed by signal N, -1 on timeout
  std::string out;  ///< everything written to stdout
  std::string err;  ///< everything written to stderr
};

/// Runs argv[0] (a path) with `argv`, feeding `input` on stdin, and waits for it.
proc_result run_process(const std::vector<std::string>& argv, const std::string& input = "",
                        std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// Starts argv in the background with stdout+stderr appended to `log_path`; returns the pid.
pid_t spawn_background(const std::vector<std::string>& argv, const std::string& log_path);

/// Waits for `pid` up to `timeout`; returns its exit code (128+N if signalled) or -1.
int wait_for_exit(pid_t pid, std::chrono::milliseconds timeout);

/// True while a process with this pid exists and is not a zombie.
bool process_alive(pid_t pid);

}  // namespace ctrd::test
