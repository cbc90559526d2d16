#include "ctl/journal_logs.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "ctl/format.hpp"

namespace ctl {

namespace {

using json = nlohmann::json;

/// journalctl's --since/--until form: "@" Unix seconds (with a fraction).
std::string at_seconds(int64_t ns) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "@%lld.%06lld", static_cast<long long>(ns / 1000000000),
                static_cast<long long>((ns % 1000000000) / 1000));
  return buf;
}

/// A journal field's text: a string, or (for binary data) an array of byte values.
std::string field_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  std::string out;
  if (v.is_array())
    for (const auto& b : v)
      if (b.is_number_unsigned()) out += static_cast<char>(b.get<unsigned>());
  return out;
}

/// Copies everything readable from `fd` to stdout, line by line through the formatter,
/// until end of file, or (following) once `stop` is set and nothing more arrives in 50 ms.
void pump(int fd, const journal_query& q, const std::atomic<bool>& stop) {
  std::string pending, carry;
  char buf[65536];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, stop ? 50 : 200);
    if (r == 0) {
      if (stop) break;
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n', start)) {
      auto text = format_journal_entry(pending.substr(start, nl - start), q, carry);
      if (!text.empty()) std::fwrite(text.data(), 1, text.size(), stdout);
      start = nl + 1;
    }
    pending.erase(0, start);
    std::fflush(stdout);
  }
}

}  // namespace

std::vector<std::string> journalctl_args(const std::string& id, const journal_query& q) {
  std::vector<std::string> a = {"journalctl", "--no-pager",
                                "--quiet",    "-o",
                                "json",       "--output-fields=MESSAGE,CONTAINER_PARTIAL_MESSAGE"};
  if (q.tail >= 0) a.push_back("--lines=" + std::to_string(q.tail));
  if (q.since_ns > 0) a.push_back("--since=" + at_seconds(q.since_ns));
  if (q.until_ns > 0) a.push_back("--until=" + at_seconds(q.until_ns));
  if (q.follow) a.push_back("--follow");
  a.push_back("CONTAINER_ID_FULL=" + id);
  return a;
}

std::string format_journal_entry(const std::string& json_line, const journal_query& q,
                                 std::string& carry) {
  json e = json::parse(json_line, nullptr, false);
  if (!e.is_object() || !e.contains("MESSAGE")) return {};
  carry += field_text(e["MESSAGE"]);
  if (e.contains("CONTAINER_PARTIAL_MESSAGE") &&
      field_text(e["CONTAINER_PARTIAL_MESSAGE"]) == "true")
    return {};
  std::string out = q.label;
  if (q.timestamps && e.contains("__REALTIME_TIMESTAMP")) {
    // microseconds since the epoch, as a decimal string
    int64_t us = std::strtoll(field_text(e["__REALTIME_TIMESTAMP"]).c_str(), nullptr, 10);
    out += format_rfc3339_nano(us * 1000) + " ";
  }
  out += carry + "\n";
  carry.clear();
  return out;
}

int print_journal_logs(const std::string& id, const journal_query& q,
                       const std::function<void()>& wait_exit) {
  auto args = journalctl_args(id, q);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    std::fprintf(stderr, "Error: reading the journal: pipe: %s\n", std::strerror(errno));
    return 125;
  }
  std::fflush(stdout);
  pid_t pid = ::fork();
  if (pid < 0) {
    std::fprintf(stderr, "Error: reading the journal: fork: %s\n", std::strerror(errno));
    ::close(fds[0]);
    ::close(fds[1]);
    return 125;
  }
  if (pid == 0) {
    ::dup2(fds[1], 1);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    std::fprintf(stderr,
                 "Error: this container logs to the journal (log driver journald) and journalctl "
                 "cannot run: %s\n",
                 std::strerror(errno));
    ::_exit(127);
  }
  ::close(fds[1]);
  std::atomic<bool> stop{false};
  std::thread reader([&] { pump(fds[0], q, stop); });
  if (q.follow) {
    wait_exit();
    // What the container wrote last may still be on its way to the journal.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
  }
  reader.join();
  if (q.follow) ::kill(pid, SIGTERM);
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (q.follow) return 0;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) return 125;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "Error: journalctl failed (exit status %d) reading container %s\n",
                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                 id.substr(0, 12).c_str());
    return 125;
  }
  return 0;
}

}  // namespace ctl
