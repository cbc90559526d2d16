#include "actors/control.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <optional>
#include <unordered_set>
#include <utility>

#include <spdlog/spdlog.h>
#include <caf/io/middleman.hpp>
#include <caf/io/system_messages.hpp>
#include <caf/io/typed_broker.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/accept_guard.hpp"
#include "actors/session_impl.hpp"
#include "runtime/unix_address.hpp"

namespace ctrd::sess {

/// Why a connection may not be served, or nothing: the peer's credentials (SO_PEERCRED;
/// the socket's mode already keeps others out, this holds even if it was loosened) and the
/// number of connections open.
std::optional<std::pair<ec, std::string>> refusal_of(int fd, const access_policy& policy,
                                                     bool over_limit) {
  ucred cred{};
  socklen_t len = sizeof cred;
  bool known = ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0;
  if (!known || !peer_allowed(policy, cred.uid, cred.gid)) {
    spdlog::warn(
        "refused client pid {} uid {} gid {}: neither root, ctrd's user, nor in the socket's group",
        cred.pid, cred.uid, cred.gid);
    return std::make_pair(ec::permission_denied,
                          "permission denied: uid " + std::to_string(cred.uid) +
                              " may not use ctrd (root, ctrd's user and the socket's group only)");
  }
  if (over_limit) {
    spdlog::warn("refused client pid {}: {} connections are open already", cred.pid,
                 limits::max_connections);
    return std::make_pair(ec::internal, "ctrd serves at most " +
                                            std::to_string(limits::max_connections) +
                                            " connections at once; try again later");
  }
  spdlog::debug("client connected: pid {} uid {} gid {}", cred.pid, cred.uid, cred.gid);
  return std::nullopt;
}

/// A connection that may not be served: the error goes out, then the connection closes
/// (once the error is on the socket, or after a second); nothing the peer sends is read.
refused_session_actor::behavior_type refused(refused_session_actor::broker_pointer self,
                                             caf::io::connection_handle hdl, ec code,
                                             std::string message) {
  auto frame = encode_error(0, code, message);
  self->configure_read(hdl, caf::io::receive_policy::at_most(1));
  self->ack_writes(hdl, true);
  self->write(hdl, frame.size(), frame.data());
  self->flush(hdl);
  auto done = [=] {
    self->close(hdl);
    self->quit();
  };
  self->delayed_send(self, std::chrono::seconds(1), grace_atom::value);
  return guarded_typed_behavior<refused_session_actor>(
      self, [=](const caf::io::new_data_msg&) {},
      [=](const caf::io::connection_closed_msg&) { self->quit(); },
      [=](const caf::io::data_transferred_msg& m) {
        if (m.remaining == 0) done();
      },
      [=](grace_atom) { done(); });
}

/// What an acceptor serves with: the handles and the `version` info each session gets, and
/// who may connect. One struct, so that the acceptor's and keeper's lambdas have short type
/// names (docs/architecture.md, "Short type names").
struct serve_deps {
  supervisor_actor sup;
  event_bus_actor events;
  json info;
  access_policy policy;
};

/// Accepts connections and forks a session broker for each. Sessions are monitored, not
/// linked: a session's end never takes the acceptor or other sessions with it.
acceptor_actor::behavior_type acceptor(acceptor_actor::broker_pointer self, int fd,
                                       serve_deps deps) {
  // Not CAF's doorman: it spins at the descriptor limit (actors/accept_guard.hpp).
  guard_accepts(self, fd);
  auto sessions = std::make_shared<std::unordered_set<caf::actor_addr>>();
  auto stopping = std::make_shared<caf::error>();
  self->set_down_handler([=](caf::down_msg& dm) {
    sessions->erase(dm.source);
    if (*stopping && sessions->empty()) self->quit(*stopping);
  });
  // At shutdown every session ends first (telling the file jobs and sources waiting for
  // it), then the acceptor.
  self->set_exit_handler([=](caf::exit_msg& m) {
    *stopping = m.reason ? m.reason : caf::make_error(caf::exit_reason::user_shutdown);
    if (sessions->empty()) return self->quit(*stopping);
    for (auto& a : *sessions) self->send_exit(a, m.reason);
  });
  return guarded_typed_behavior<acceptor_actor>(self, [=](const accepted_fd& c) {
    if (*stopping) {
      ::close(c.fd);
      return;
    }
    auto why = refusal_of(c.fd, deps.policy, sessions->size() >= limits::max_connections);
    auto hdl = adopt_connection(self, c.fd);
    caf::actor_addr a;
    if (why)
      a = self->fork(refused, hdl, why->first, why->second).address();
    else
      a = self->fork(session, hdl, deps.sup, deps.events, deps.info).address();
    self->monitor(a);
    sessions->insert(a);
  });
}

/// Keeps an acceptor on the listening socket: should it ever end while ctrd runs, a new
/// one takes over the same socket (the keeper owns `fd`; acceptors never close it).
control_keeper_actor::behavior_type control_keeper(control_keeper_actor::pointer self, int fd,
                                                   serve_deps deps) {
  auto current = std::make_shared<acceptor_actor>();
  auto start = [=] {
    *current = self->system().middleman().spawn_broker(acceptor, fd, deps);
    self->monitor(*current);
  };
  start();
  auto stopping = std::make_shared<bool>(false);
  self->set_down_handler([=](caf::down_msg& dm) {
    if (dm.source != current->address()) return;
    if (*stopping) {
      ::close(fd);
      return self->quit();
    }
    spdlog::error("control socket: the acceptor ended ({}); serving the socket anew",
                  caf::to_string(dm.reason));
    start();
  });
  // Shutdown: the acceptor ends its sessions, then itself; the keeper ends after it.
  self->set_exit_handler([=](caf::exit_msg& m) {
    if (*stopping) return;
    *stopping = true;
    self->send_exit(*current, m.reason);
  });
  // The keeper acts on down and exit messages only; a behavior keeps it alive.
  return guarded_typed_behavior<control_keeper_actor>(self, [=](start_atom) {});
}

}  // namespace ctrd::sess

namespace ctrd {

int open_control_socket(const std::string& path, const access_policy& policy) {
  sockaddr_un addr;
  if (!unix_address(path, addr))
    throw error(ec::internal,
                "socket path too long (max " + std::to_string(unix_path_max) + " bytes): " + path);
  // The caller holds <socket>.lock, so no other ctrd serves this path: a socket file left
  // there is stale (even if a dying predecessor's child still holds its listening end).
  ::unlink(path.c_str());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw error(ec::internal, std::string("socket: ") + std::strerror(errno));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::chmod(path.c_str(), 0660) != 0) {
    int e = errno;
    ::close(fd);
    throw error(ec::internal, "cannot listen on " + path + ": " + std::strerror(e));
  }
  try {
    give_control_socket(path, policy);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::listen(fd, 512) != 0) {
    int e = errno;
    ::close(fd);
    throw error(ec::internal, "cannot listen on " + path + ": " + std::strerror(e));
  }
  return fd;
}

void give_control_socket(const std::string& path, const access_policy& policy) {
  if (!policy.has_group) return;
  if (::chown(path.c_str(), policy.owner, policy.gid) != 0)
    throw error(ec::internal, "cannot give the socket " + path + " to group " +
                                  std::to_string(policy.gid) + ": " + std::strerror(errno));
}

bool peer_allowed(const access_policy& policy, uid_t uid, gid_t gid) {
  if (uid == 0 || uid == policy.owner) return true;
  if (!policy.has_group) return false;
  if (gid == policy.gid) return true;
  // Supplementary groups of the peer's user.
  struct passwd pw, *found = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) != 0 || found == nullptr) return false;
  int n = 64;
  std::vector<gid_t> groups(static_cast<std::size_t>(n));
  if (::getgrouplist(pw.pw_name, gid, groups.data(), &n) < 0) {
    groups.resize(static_cast<std::size_t>(n));
    if (::getgrouplist(pw.pw_name, gid, groups.data(), &n) < 0) return false;
  }
  groups.resize(static_cast<std::size_t>(n));
  return std::find(groups.begin(), groups.end(), policy.gid) != groups.end();
}

control_keeper_actor spawn_control(caf::actor_system& sys, int listen_fd,
                                   supervisor_actor supervisor, event_bus_actor events, json info,
                                   access_policy policy) {
  return sys.spawn(
      sess::control_keeper, listen_fd,
      sess::serve_deps{std::move(supervisor), std::move(events), std::move(info), policy});
}

}  // namespace ctrd
