// The container actor's supervision duties: the restart policy after each exit (pure
// decisions from core/restart_policy.hpp, carried out with delayed messages),
// and readiness (sd_notify READY=1, or healthy, or
// simply running). See container_impl.hpp.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <random>

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/container_impl.hpp"
#include "actors/host_loop.hpp"
#include "core/restart_clock.hpp"
#include "runtime/proc.hpp"
#include "runtime/resource_error.hpp"
#include "runtime/unix_address.hpp"

namespace ctrd::ctr {

using lifecycle::event;

namespace {

/// Decisions run on the boot clock: a wall-clock jump changes none of them.
int64_t now_ms() {
  return proc::boot_ns() / 1000000;
}

double random_jitter() {
  thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(-1.0, 1.0)(rng);
}

void policy_restart_now(actor_t* self) {
  auto& s = self->state;
  s.st.restart_due_ns = 0;
  ++s.st.restart_count;
  if (auto err = step(self, event::policy_restart)) {
    // Out of descriptors, memory or processes: tried again with the backoff, and only the
    // restart that really happens counts.
    --s.st.restart_count;
    if (retry_failed_spawn(self, false, from_caf_error(err).second)) return;
    s.st.error = "restart failed: " + from_caf_error(err).second;
    s.st.restart_reason = s.st.error;
    persist(self);
    spdlog::warn("container {}: {}", s.cfg.name, s.st.error);
  }
}

}  // namespace

void set_ready(actor_t* self) {
  auto& s = self->state;
  if (s.st.ready) return;
  s.st.ready = true;
  s.ready_boot_ns = proc::boot_ns();
}

void cancel_policy_restart(actor_t* self, bool forget_history) {
  auto& s = self->state;
  ++s.restart_gen;
  s.st.restart_due_ns = 0;
  if (forget_history) {
    s.st.history = {};
    s.st.parked = false;
  }
}

void after_exit(actor_t* self) {
  auto& s = self->state;
  if (s.st.state != container_state::exited) return;
  if (s.restart_pending) {  // a user's restart: its networks stay
    s.restart_pending = false;
    if (auto err = step(self, event::start))
      s.replies.settle(deferred_kind::restart, err);
    else
      s.replies.settle(deferred_kind::restart, s.id_reply());
    return;
  }
  if (s.shutting_down) {
    release_network(self);
    return;
  }
  restart::exit_facts e;
  e.exit_code = s.st.exit_code;
  e.stopped_by_user = s.st.stopped_by_user;
  e.unhealthy_restart = s.unhealthy_restart;
  e.ran_ms = s.ready_boot_ns > 0 ? (s.ended_boot_ns - s.ready_boot_ns) / 1000000 : 0;
  s.unhealthy_restart = false;
  auto now = now_ms();
  s.st.boot_id = proc::boot_id();  // the boot whose clock the history and deadline use
  auto d = restart::decide(s.cfg.restart, s.cfg.backoff, s.st.restart_count, s.st.history, e, now,
                           random_jitter());
  switch (d.what) {
    case restart::action::none:
      release_network(self);
      if (s.cfg.auto_remove) step(self, event::remove);
      return;
    case restart::action::park:
      release_network(self);
      s.st.error = d.reason;
      s.st.restart_reason = d.reason;
      s.st.parked = true;
      spdlog::warn("container {}: {}", s.cfg.name, d.reason);
      persist(self);
      return;
    case restart::action::restart:
      restart::record(s.st.history, s.cfg.backoff, e, now);
      s.st.restart_reason = d.reason;
      if (d.delay_ms == 0) {
        policy_restart_now(self);
        return;
      }
      s.st.restart_due_ns = proc::boot_ns() + static_cast<int64_t>(d.delay_ms) * 1000000;
      self->delayed_send(self, std::chrono::milliseconds(d.delay_ms), respawn_atom::value,
                         ++s.restart_gen);
      spdlog::debug("container {}: restart in {} ms: {}", s.cfg.name, d.delay_ms, d.reason);
      persist(self);
      return;
  }
}

void resume_policy_restart(actor_t* self) {
  auto& s = self->state;
  if (s.st.state != container_state::exited || s.st.restart_due_ns == 0 || s.st.stopped_by_user)
    return;
  // recover_record() rebased the deadline onto this boot's clock.
  auto left_ms = restart::remaining_ms(s.st, s.cfg.backoff, proc::boot_ns());
  self->delayed_send(self, std::chrono::milliseconds(left_ms), respawn_atom::value,
                     ++s.restart_gen);
  spdlog::info("container {}: pending restart resumed, due in {} ms", s.cfg.name, left_ms);
}

void on_restart_timer(actor_t* self, uint64_t gen) {
  auto& s = self->state;
  if (gen != s.restart_gen || s.st.stopped_by_user) return;
  if (s.retry_boot) {  // the retry of a boot start that lacked a resource
    s.retry_boot = false;
    s.st.restart_due_ns = 0;
    if (auto err = step(self, event::boot_start))
      retry_failed_spawn(self, true, from_caf_error(err).second);
    return;
  }
  if (s.st.state != container_state::exited) return;
  // Its namespace is kept across policy restarts (at once); after a reboot it is set up
  // again first (docs/network.md).
  ensure_network(self, [=](caf::error err) {
    if (!err) {
      policy_restart_now(self);
      return;
    }
    auto& st = self->state;
    auto why = from_caf_error(err).second;
    if (retry_failed_spawn(self, false, why)) return;
    st.st.error = "restart failed: " + why;
    st.st.restart_reason = st.st.error;
    persist(self);
    spdlog::warn("container {}: {}", st.cfg.name, st.st.error);
  });
}

void on_run_started(actor_t* self) {
  auto& s = self->state;
  note_spawn_succeeded(self);
  s.st.ready = false;
  s.ready_boot_ns = 0;
  s.health.new_generation();
  bool has_health = !s.cfg.health.cmd.empty();
  if (!s.cfg.sdnotify && !has_health) set_ready(self);
  if (has_health) {
    s.st.health = "starting";
    s.st.failing_streak = 0;
    schedule_next_check(self);
  }
}

void resume_supervision(actor_t* self) {
  auto& s = self->state;
  s.health.new_generation();
  if (s.cfg.sdnotify) {
    // The process still has NOTIFY_SOCKET: a fresh socket on the same path takes its
    // later datagrams.
    try {
      open_notify_socket(self);
    } catch (const ctrd::error& e) {
      spdlog::warn("container {}: {}", s.cfg.name, e.what());
    }
  }
  if (s.cfg.health.cmd.empty()) return;
  // The recorded status and failing streak carry on; checks resume at the interval.
  if (s.st.health.empty()) s.st.health = "starting";
  schedule_next_check(self);
}

void note_dep_status(actor_t* self, const std::string& text) {
  auto& s = self->state;
  if (text.empty()) {
    if (s.dep_status.empty() || s.st.error != s.dep_status) {
      s.dep_status.clear();
      return;  // another error replaced it meanwhile: it stays
    }
    s.st.error.clear();
  } else {
    s.st.error = text;
  }
  s.dep_status = text;
  persist(self);
}

void on_run_ended(actor_t* self) {
  auto& s = self->state;
  s.st.ready = false;
  stop_health_checks(self);
}

void open_notify_socket(actor_t* self) {
  auto& s = self->state;
  if (s.notify_fd >= 0) return;
  auto path = s.notify_path();
  sockaddr_un addr;
  if (!unix_address(path, addr))
    throw error(ec::internal, "notify socket path " + path + " is too long; use a shorter --root");
  // The directory lets anyone through (0711: a container may run as any user) but lists
  // nothing; each socket belongs to its container's user alone (0600).
  auto dir = s.deps.run_dir + "/notify";
  if (::mkdir(dir.c_str(), 0711) != 0 && errno != EEXIST)
    throw_errno(ec::internal, "cannot create the notify socket directory " + dir, errno);
  ::unlink(path.c_str());
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int on = 1;
  uint32_t uid = 0, gid = 0;
  bool has_gid = false;
  if (!s.cfg.user.empty()) parse_user(s.cfg.user, uid, gid, has_gid);
  if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0 ||
      ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::chmod(path.c_str(), 0600) != 0 ||
      (!s.cfg.user.empty() && ::chown(path.c_str(), uid, gid) != 0)) {
    int e = errno;
    if (fd >= 0) ::close(fd);
    throw_errno(ec::internal, "cannot create notify socket " + path, e);
  }
  s.notify_fd = fd;
  s.deps.host->watch_notify(fd, host_group_client_actor{self});
}

void on_notify(actor_t* self, const std::string& payload, int32_t sender) {
  auto& s = self->state;
  // Only the container's own processes may say it is ready: the socket is the container
  // user's alone, and the kernel-attested sender must be in the container.
  if (!s.has_process() ||
      !proc::belongs_to_container(sender, s.st.pid, s.cg.valid() ? s.cfg.id : std::string())) {
    spdlog::warn(
        "container {}: ignored a notify message from pid {}, which is not one of its "
        "processes",
        s.cfg.name, sender);
    return;
  }
  std::size_t pos = 0;
  while (pos < payload.size()) {
    auto nl = payload.find('\n', pos);
    auto line = payload.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? payload.size() : nl + 1;
    if (line == "READY=1" && s.st.state == container_state::running && !s.st.ready) {
      set_ready(self);
      spdlog::info("container {}: ready (sd_notify)", s.cfg.name);
      persist(self);
    }
  }
}

}  // namespace ctrd::ctr
