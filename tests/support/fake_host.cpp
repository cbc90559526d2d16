#include "tests/support/fake_host.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "messages/error.hpp"

namespace ctrd::test {
namespace {

/// A pipe with both ends close-on-exec: {read, write}.
void make_pipe(int (&fds)[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) throw error(ec::internal, "fake host: pipe2 failed");
}

}  // namespace

fake_host::~fake_host() {
  for (int fd : fds_) ::close(fd);
}

held_child fake_host::spawn(const spawn_spec& spec, const host_client_actor& owner) {
  if (fail_next_spawn) {
    fail_next_spawn = false;
    throw error(ec::internal, "fake host: fork failed");
  }
  int rel[2], out[2], err[2];
  make_pipe(rel);
  make_pipe(out);
  make_pipe(err);
  child c;
  c.pid = next_pid_++;
  c.argv = spec.argv;
  c.owner = owner;
  c.release_read = rel[0];
  c.out_write = out[1];
  c.err_write = err[1];
  fds_.insert(fds_.end(), {rel[0], out[1], err[1]});
  children.push_back(c);
  held_child h;
  h.pid = c.pid;
  h.release_fd = rel[1];
  h.out_fd = out[0];
  h.err_fd = err[0];
  return h;
}

bool fake_host::signal_pid(pid_t pid, int sig) {
  signals.push_back({pid, sig, false});
  return true;
}

bool fake_host::signal_group(pid_t pgid, int sig) {
  signals.push_back({pgid, sig, true});
  return true;
}

void fake_host::watch_output(int, int, const host_client_actor&) {
  ++watched_outputs;
}

void fake_host::rearm(int) {}

void fake_host::unwatch(int) {}

void fake_host::watch_notify(int, const host_group_client_actor&) {}

void fake_host::watch_writable(int, const host_client_actor&) {}

void fake_host::watch_group(pid_t pgid, const host_group_client_actor&, cgroup::group) {
  watched_groups.push_back(pgid);
}

bool fake_host::adopt(pid_t, uint64_t, const host_client_actor&) {
  return false;  // nothing survives a fake restart
}

bool fake_host::await_holder_exit(pid_t pid, const host_client_actor& owner) {
  if (!holder_owes) return false;
  owed_pid = pid;
  owed_to = owner;
  return true;
}

void fake_host::forget_holder_exit(pid_t pid) {
  forgotten.push_back(pid);
}

bool fake_host::released(const child& c) const {
  char b = 0;
  int flags = ::fcntl(c.release_read, F_GETFL);
  ::fcntl(c.release_read, F_SETFL, flags | O_NONBLOCK);
  return ::read(c.release_read, &b, 1) == 1;
}

}  // namespace ctrd::test
