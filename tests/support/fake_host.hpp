// A fake of the host seam (actors/host.hpp) for deterministic container-actor tests: it
// spawns nothing, gives each "child" an unused pid (above the kernel's PID_MAX_LIMIT, so
// it can never name a real process) and real pipes (the actor reads, writes and closes
// them as usual), and records every call so that the test can check what the actor asked
// of the operating system and play the kernel's answers (exited, eof, drained) itself.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "actors/host.hpp"

namespace ctrd::test {

class fake_host final : public host {
 public:
  /// One spawned "child" and the test's ends of its pipes.
  struct child {
    pid_t pid = -1;
    std::vector<std::string> argv;
    host_client_actor owner;
    int release_read = -1;  ///< reads the byte release_child() writes
    int out_write = -1;     ///< what the "process" writes to its stdout
    int err_write = -1;
  };
  /// One signal sent: to a pid or to a group.
  struct signal_sent {
    pid_t pid;
    int sig;
    bool group;
  };

  fake_host() = default;
  ~fake_host() override;
  fake_host(const fake_host&) = delete;
  fake_host& operator=(const fake_host&) = delete;

  held_child spawn(const spawn_spec& spec, const host_client_actor& owner) override;
  bool signal_pid(pid_t pid, int sig) override;
  bool signal_group(pid_t pgid, int sig) override;
  void watch_output(int fd, int stream, const host_client_actor& owner) override;
  void rearm(int fd) override;
  void unwatch(int fd) override;
  void watch_notify(int fd, const host_group_client_actor& owner) override;
  void watch_writable(int fd, const host_client_actor& owner) override;
  void watch_group(pid_t pgid, const host_group_client_actor& owner,
                   cgroup::group cg = {}) override;
  bool adopt(pid_t pid, uint64_t start_time, const host_client_actor& owner) override;
  /// Records the wait (owed_to) and answers holder_owes.
  bool await_holder_exit(pid_t pid, const host_client_actor& owner) override;
  /// Records the pid given up on.
  void forget_holder_exit(pid_t pid) override;
  bool holder_may_owe_exits() override { return holder_owes; }

  /// True when the child's release byte arrived (it was let exec).
  bool released(const child& c) const;

  std::vector<child> children;       ///< in spawn order
  std::vector<signal_sent> signals;  ///< in order
  std::vector<pid_t> watched_groups;
  int watched_outputs = 0;
  bool fail_next_spawn = false;  ///< the next spawn throws ec::internal (fork failed)
  bool holder_owes = false;      ///< await_holder_exit() answers this (a holder sends statuses)
  pid_t owed_pid = 0;            ///< the pid of the last await_holder_exit()
  host_client_actor owed_to;     ///< and who waits for it
  std::vector<pid_t> forgotten;  ///< forget_holder_exit() calls

 private:
  pid_t next_pid_ = 4194304 + 1;  // PID_MAX_LIMIT + 1
  std::vector<int> fds_;          // every test-side fd, closed at the end
};

}  // namespace ctrd::test
