#include "actors/control.hpp"

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
#include <unordered_map>

#include <spdlog/spdlog.h>
#include <caf/io/broker.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/system_messages.hpp>

#include "actors/session_impl.hpp"
#include "messages/handshake.hpp"
#include "messages/signals.hpp"

namespace ctrd {
namespace {

using namespace sess;

void m_hello(session_t* self, uint32_t msgid, const json& p) {
  // Version ranges (messages/handshake.hpp): the newest both speak, or who must upgrade.
  auto agreed = negotiate_protocol(hello_client_range(p), our_protocols, hello_client_name(p));
  if (agreed.version == 0) throw error(ec::protocol, agreed.message);
  self->state.greeted = true;
  json r = {{"version", agreed.version},        {"min_version", our_protocols.min},
            {"max_version", our_protocols.max}, {"daemon", "ctrd"},
            {"daemon_version", CTRD_VERSION},   {"pid", ::getpid()}};
  send_result(self, msgid, r);
}

void m_version(session_t* self, uint32_t msgid, const json&) {
  send_result(self, msgid, self->state.info);
}

void m_create(session_t* self, uint32_t msgid, const json& p) {
  call_supervisor(self, msgid, create_atom::value, p);
}

void m_list(session_t* self, uint32_t msgid, const json& p) {
  self->request(self->state.sup, caf::infinite, list_atom::value, bool_param(p, "all"),
                bool_param(p, "sync"))
      .then([=](const packed_list& l) { send_frame(self, encode_packed_result(msgid, l.array())); },
            [=](caf::error& e) { send_caf_error(self, msgid, e); });
}

void m_init(session_t* self, uint32_t msgid, const json& p) {
  call_container(self, msgid, str_param(p, "container"), init_atom::value);
}

void m_start(session_t* self, uint32_t msgid, const json& p) {
  auto ref = str_param(p, "container");
  bool attach = bool_param(p, "attach");
  auto me = caf::actor_cast<caf::actor>(self);
  // Through the supervisor: it starts the container's requirements first.
  auto sup = self->state.sup;
  if (!attach) return request_attached(self, msgid, sup, start_atom::value, ref, attach, me, msgid);
  // An attached start may carry stdin and resizes: route them to the container.
  resolve_attach(self, msgid, ref, [=](const caf::actor&) {
    request_attached(self, msgid, sup, start_atom::value, ref, attach, me, msgid);
  });
}

void m_attach(session_t* self, uint32_t msgid, const json& p) {
  auto ref = str_param(p, "container");
  bool logs = bool_param(p, "logs");
  auto me = caf::actor_cast<caf::actor>(self);
  resolve_attach(self, msgid, ref, [=](const caf::actor& ctr) {
    request_attached(self, msgid, ctr, attach_atom::value, me, msgid, logs);
  });
}

void m_detach(session_t* self, uint32_t msgid, const json& p) {
  auto it = p.find("msgid");
  if (it == p.end() || !it->is_number_unsigned())
    throw error(ec::invalid_argument, "parameter \"msgid\" (the attach to end) is required");
  auto target = static_cast<uint32_t>(it->get<uint64_t>());
  auto found = self->state.attaches.find(target);
  if (found == self->state.attaches.end() || !found->second.ctr)
    throw error(ec::invalid_argument,
                "no attach with msgid " + std::to_string(target) + " on this connection");
  self->request(found->second.ctr, caf::infinite, detach_atom::value,
                caf::actor_cast<caf::actor>(self), target)
      .then([=](json&) { send_result(self, msgid, json::object()); },
            [=](caf::error& e) { send_caf_error(self, msgid, e); });
}

int int_param(const json& p, const char* key) {
  auto it = p.find(key);
  if (it == p.end() || !it->is_number_integer() || it->get<int64_t>() < 0 ||
      it->get<int64_t>() > 100000)
    throw error(ec::invalid_argument,
                std::string("parameter \"") + key + "\" must be a small non-negative integer");
  return static_cast<int>(it->get<int64_t>());
}

int64_t ns_param(const json& p, const char* key) {
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return 0;
  if (!it->is_number_integer() || it->get<int64_t>() < 0)
    throw error(ec::invalid_argument,
                std::string("parameter \"") + key + "\" must be ns since the epoch");
  return it->get<int64_t>();
}

void m_events(session_t* self, uint32_t msgid, const json& p) {
  auto filters = p.contains("filters") ? p["filters"] : json(nullptr);
  bool stream = p.contains("stream") ? bool_param(p, "stream") : true;
  self->request(self->state.events, caf::infinite, subscribe_atom::value,
                caf::actor_cast<caf::actor>(self), msgid, filters, ns_param(p, "since"),
                ns_param(p, "until"), stream)
      .then([=](json& r) { send_result(self, msgid, r); },
            [=](caf::error& e) { send_caf_error(self, msgid, e); });
}

void m_resize(session_t* self, uint32_t msgid, const json& p) {
  call_container(self, msgid, str_param(p, "container"), resize_atom::value, int_param(p, "rows"),
                 int_param(p, "cols"));
}

/// Client notifications: stdin bytes / eof and terminal sizes for an attach on this connection.
void on_notification(session_t* self, const rpc_message& m) {
  if (on_file_notification(self, m)) return;
  auto it = m.params.find("msgid");
  if (it == m.params.end() || !it->is_number_unsigned())
    throw error(ec::protocol, "notification \"" + m.method + "\" needs the msgid of an attach");
  auto found = self->state.attaches.find(static_cast<uint32_t>(it->get<uint64_t>()));
  if (found == self->state.attaches.end()) return;  // the attach already ended: nothing to do
  auto& route = found->second;
  auto deliver = [&](caf::message msg) {
    if (route.ctr)
      self->send(route.ctr, std::move(msg));
    else if (route.early.size() < 1024)
      route.early.push_back(std::move(msg));
  };
  if (m.method == "stdin") {
    std::string data;
    if (auto d = m.params.find("data"); d != m.params.end()) {
      if (d->is_binary())
        data.assign(d->get_binary().begin(), d->get_binary().end());
      else if (d->is_string())
        data = d->get<std::string>();
      else
        throw error(ec::protocol, "stdin data must be binary or a string");
    }
    bool eof = m.params.value("eof", false);
    deliver(caf::make_message(stdin_atom::value, std::move(data), eof));
  } else if (m.method == "resize") {
    // Sent as a plain message: the container's reply (or error) has nobody to go to.
    deliver(caf::make_message(resize_atom::value, int_param(m.params, "rows"),
                              int_param(m.params, "cols")));
  } else {
    throw error(ec::protocol, "unknown notification \"" + m.method + "\"");
  }
}

void m_healthcheck(session_t* self, uint32_t msgid, const json& p) {
  call_container(self, msgid, str_param(p, "container"), health_atom::value);
}

void m_reload(session_t* self, uint32_t msgid, const json&) {
  call_supervisor(self, msgid, reload_atom::value);
}

void m_shutdown(session_t* self, uint32_t msgid, const json&) {
  call_supervisor(self, msgid, shutdown_atom::value);
}

void m_stop(session_t* self, uint32_t msgid, const json& p) {
  call_container(self, msgid, str_param(p, "container"), stop_atom::value, timeout_param(p), true);
}

void m_kill(session_t* self, uint32_t msgid, const json& p) {
  call_container(self, msgid, str_param(p, "container"), kill_atom::value, signal_param(p));
}

void m_restart(session_t* self, uint32_t msgid, const json& p) {
  call_container(self, msgid, str_param(p, "container"), restart_atom::value, timeout_param(p));
}

void m_remove(session_t* self, uint32_t msgid, const json& p) {
  // Through the supervisor: it refuses removing a container others require.
  call_supervisor(self, msgid, remove_atom::value, str_param(p, "container"),
                  bool_param(p, "force"));
}

void m_inspect(session_t* self, uint32_t msgid, const json& p) {
  call_container(self, msgid, str_param(p, "container"), inspect_atom::value);
}

void m_wait(session_t* self, uint32_t msgid, const json& p) {
  auto ref = str_param(p, "container");
  std::vector<std::string> conds;
  if (auto it = p.find("conditions"); it != p.end() && !it->is_null()) {
    if (!it->is_array())
      throw error(ec::invalid_argument, "parameter \"conditions\" must be an array of strings");
    for (const auto& c : *it) {
      if (!c.is_string())
        throw error(ec::invalid_argument, "parameter \"conditions\" must be an array of strings");
      conds.push_back(c.get<std::string>());
    }
  }
  std::sort(conds.begin(), conds.end());
  // The default (stopped or exited) is "wait for the exit", with podman's special cases.
  if (conds.empty() || conds == std::vector<std::string>{"exited", "stopped"})
    return call_container(self, msgid, ref, wait_atom::value);
  call_container(self, msgid, ref, wait_atom::value, conds);
}

void m_logs(session_t* self, uint32_t msgid, const json& p) {
  call_container(self, msgid, str_param(p, "container"), logs_atom::value,
                 caf::actor_cast<caf::actor>(self), msgid, p);
}

const method_table& methods() {
  static const method_table table = [] {
    method_table t = {
        {"hello", m_hello},     {"version", m_version},
        {"create", m_create},   {"list", m_list},
        {"init", m_init},       {"start", m_start},
        {"stop", m_stop},       {"kill", m_kill},
        {"restart", m_restart}, {"remove", m_remove},
        {"inspect", m_inspect}, {"wait", m_wait},
        {"logs", m_logs},       {"healthcheck", m_healthcheck},
        {"reload", m_reload},   {"shutdown", m_shutdown},
        {"attach", m_attach},   {"detach", m_detach},
        {"resize", m_resize},   {"events", m_events},
    };
    add_file_methods(t);
    return t;
  }();
  return table;
}

void dispatch(session_t* self, const std::string& body) {
  int64_t msgid = -1;
  try {
    auto m = decode_rpc(body, &msgid);
    if (m.kind == rpc_kind::notification && self->state.greeted) {
      on_notification(self, m);
      return;
    }
    if (m.kind != rpc_kind::request)
      throw error(ec::protocol,
                  "ctrd accepts requests (type 0) and, after hello, stdin/resize notifications");
    auto it = methods().find(m.method);
    if (it == methods().end()) throw error(ec::protocol, "unknown method \"" + m.method + "\"");
    if (!self->state.greeted && m.method != "hello")
      throw error(ec::protocol, "handshake required: the first request must be \"hello\"");
    it->second(self, m.msgid, m.params);
  } catch (const ctrd::error& e) {
    spdlog::debug("session: bad request: {}", e.what());
    send_error(self, msgid < 0 ? 0 : static_cast<uint32_t>(msgid), e.code(), e.what());
  }
}

caf::behavior session(session_t* self, caf::io::connection_handle hdl, caf::actor sup,
                      caf::actor events, json info, access_policy policy) {
  auto& s = self->state;
  s.hdl = hdl;
  s.sup = std::move(sup);
  s.events = std::move(events);
  s.info = std::move(info);
  ucred cred{};
  socklen_t len = sizeof cred;
  bool known = ::getsockopt(static_cast<int>(hdl.id()), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0;
  if (!known || !peer_allowed(policy, cred.uid, cred.gid)) {
    // The socket's mode already keeps others out; this holds even if it was loosened.
    spdlog::warn(
        "refused client pid {} uid {} gid {}: neither root, ctrd's user, nor in the socket's group",
        cred.pid, cred.uid, cred.gid);
    send_error(self, 0, ec::permission_denied,
               "permission denied: uid " + std::to_string(cred.uid) +
                   " may not use ctrd (root, ctrd's user and the socket's group only)");
    // Close once the error is on its way (closing at once would discard it); nothing the
    // peer sends is read.
    self->configure_read(hdl, caf::io::receive_policy::at_most(1));
    self->ack_writes(hdl, true);
    auto done = [=] {
      self->close(self->state.hdl);
      self->quit();
    };
    self->delayed_send(self, std::chrono::seconds(1), done_atom::value);
    return {
        [=](const caf::io::data_transferred_msg& m) {
          if (m.remaining == 0) done();
        },
        [=](done_atom) { done(); },
        [=](const caf::io::new_data_msg&) {},
        [=](const caf::io::connection_closed_msg&) { self->quit(); },
    };
  }
  spdlog::debug("client connected: pid {} uid {} gid {}", cred.pid, cred.uid, cred.gid);
  self->configure_read(hdl, caf::io::receive_policy::at_most(64 * 1024));
  self->ack_writes(hdl, true);  // data_transferred_msg tells how much still waits for the socket
  caf::message_handler handlers{
      [=](const caf::io::new_data_msg& m) {
        auto& st = self->state;
        st.reader.feed(m.buf.data(), m.buf.size());
        std::string body;
        try {
          while (st.reader.next(body)) dispatch(self, body);
        } catch (const ctrd::error& e) {
          spdlog::warn("closing client connection: {}", e.what());
          self->close(st.hdl);
          self->quit();
        }
      },
      [=](output_atom, uint32_t msgid, int stream, const std::string& data) {
        send_stream(
            self, "output", msgid,
            json{{"stream", stream == 2 ? "stderr" : "stdout"},
                 {"data", json::binary(std::vector<std::uint8_t>(data.begin(), data.end()))}});
      },
      [=](record_atom, uint32_t msgid, int stream, const std::string& text, const std::string& time,
          bool partial) {
        std::string data = partial ? text : text + "\n";
        send_stream(
            self, "output", msgid,
            json{{"stream", stream == 2 ? "stderr" : "stdout"},
                 {"data", json::binary(std::vector<std::uint8_t>(data.begin(), data.end()))},
                 {"time", time},
                 {"partial", partial}});
      },
      [=](event_atom, uint32_t msgid, const json& event) {
        send_stream(self, "event", msgid, json{{"event", event}});
      },
      [=](const caf::io::data_transferred_msg& m) {
        self->state.unsent = m.remaining;
        release_waiting_data(self);
      },
      [=](const caf::io::connection_closed_msg&) { self->quit(); },
      // Replies to fire-and-forget messages (a resize notification): nobody waits for them.
      [=](const json&) {},
      [=](const caf::error& e) { spdlog::debug("session: ignored reply: {}", caf::to_string(e)); },
  };
  return handlers.or_else(file_handlers(self));
}

caf::behavior acceptor(caf::io::broker* self, int fd, caf::actor sup, caf::actor events, json info,
                       access_policy policy) {
  self->add_doorman(fd);
  return {
      [=](const caf::io::new_connection_msg& m) {
        auto a = self->fork(session, m.handle, sup, events, info, policy);
        self->link_to(a);
      },
      [=](const caf::io::acceptor_closed_msg&) { self->quit(); },
  };
}

}  // namespace

int open_control_socket(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path)
    throw error(ec::internal, "socket path too long (max " +
                                  std::to_string(sizeof addr.sun_path - 1) + " bytes): " + path);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  // The caller holds <socket>.lock, so no other ctrd serves this path: a socket file left
  // there is stale (even if a dying predecessor's child still holds its listening end).
  ::unlink(path.c_str());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw error(ec::internal, std::string("socket: ") + std::strerror(errno));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::chmod(path.c_str(), 0660) != 0 || ::listen(fd, 512) != 0) {
    int e = errno;
    ::close(fd);
    throw error(ec::internal, "cannot listen on " + path + ": " + std::strerror(e));
  }
  return fd;
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

caf::actor spawn_control(caf::actor_system& sys, int listen_fd, caf::actor supervisor,
                         caf::actor events, json info, access_policy policy) {
  return sys.middleman().spawn_broker(acceptor, listen_fd, std::move(supervisor), std::move(events),
                                      std::move(info), policy);
}

}  // namespace ctrd
