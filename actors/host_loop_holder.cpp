// The host loop's side of ctrd's holder (holder/holder.hpp, runtime/holder_client.hpp):
// the containers' pipes it keeps, the exit statuses of adopted processes it reaps, and
// what happens when it is gone.
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <caf/send.hpp>

#include <spdlog/spdlog.h>

#include "actors/container_handover.hpp"
#include "actors/host_loop.hpp"

namespace ctrd {

void host_loop::set_holder(holder_client* holder) {
  holder_ = holder;
  if (holder_ == nullptr) return;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = holder_->fd();
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, holder_->fd(), &ev) != 0)
    spdlog::error("cannot watch the holder's link: {}", std::strerror(errno));
}

void host_loop::keep_pipes(const std::string& id, int out_fd, int err_fd, int in_fd) {
  if (!holder_watches_exits()) return;
  holder_->release(id);  // a new run's ends replace the last run's, also a missing one
  holder_->hold(id, "stdout", out_fd);
  holder_->hold(id, "stderr", err_fd);
  holder_->hold(id, "stdin", in_fd);
}

void host_loop::release_pipes(const std::string& id) {
  if (holder_watches_exits()) holder_->release(id);
}

void host_loop::hand_over() {
  std::lock_guard<std::mutex> g{mtx_};
  handing_over_ = true;
  if (holder_ != nullptr && !holder_lost_)
    ::epoll_ctl(epfd_, EPOLL_CTL_DEL, holder_->fd(), nullptr);  // statuses stay with it
}

void host_loop::release_stdin(const std::string& id) {
  if (holder_watches_exits()) holder_->release(id, "stdin");
}

void host_loop::watch_pidfd(int pfd) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = pfd;
  ::epoll_ctl(epfd_, EPOLL_CTL_ADD, pfd, &ev);
}

bool host_loop::await_holder_exit(pid_t pid, const host_client_actor& owner) {
  std::lock_guard<std::mutex> g{mtx_};
  if (!holder_owes_locked()) return false;
  // on_holder() files statuses under mtx_ too: one that came before this call is in the
  // hand-over table now, one that comes after finds the entry below.
  if (int code = -1; take_over_exit(pid, code)) {
    caf::anon_send(owner, exited_atom::value, static_cast<int>(pid), code, true);
    return true;
  }
  owed_[pid] = owner;
  return true;
}

bool host_loop::holder_may_owe_exits() {
  std::lock_guard<std::mutex> g{mtx_};
  return holder_owes_locked();
}

void host_loop::forget_holder_exit(pid_t pid) {
  std::lock_guard<std::mutex> g{mtx_};
  owed_.erase(pid);
}

// Exit statuses of processes the holder reaped: an adopted one's owner learns its code, as
// does the owner of one that ended just before its adoption (await_holder_exit); others
// wait in the hand-over table (a container whose adoption comes later, or failed).
void host_loop::on_holder() {
  std::lock_guard<std::mutex> g{mtx_};
  reaped_process r;
  bool closed = false;
  while (holder_->next(r, closed)) {
    if (auto o = owed_.find(static_cast<pid_t>(r.pid)); o != owed_.end()) {
      caf::anon_send(o->second, exited_atom::value, static_cast<int>(r.pid), r.exit_code, true);
      owed_.erase(o);
      holder_->forget(r.pid);
      continue;
    }
    if (adopted_.count(static_cast<pid_t>(r.pid)) == 0) {
      hand_over_exit(r.pid, r.exit_code);
      continue;
    }
    end_adopted(static_cast<pid_t>(r.pid), r.exit_code, true);
    holder_->forget(r.pid);
  }
  if (!closed) return;
  // The holder is gone (killed): the pidfds tell of adopted exits from now on, and the
  // daemon hands over and exits (the next ctrd takes the containers back).
  holder_lost_ = true;
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, holder_->fd(), nullptr);
  for (pid_t pid : holder_reaps_) watch_pidfd(adopted_.at(pid));
  holder_reaps_.clear();
  spdlog::error("ctrd's holder is gone: the daemon exits and leaves its containers running");
  if (sink_) caf::anon_send(sink_, handover_atom::value, false);
}

}  // namespace ctrd
