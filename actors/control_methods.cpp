// The lifecycle methods of a control session (create, list, start, stop, ..., logs) and
// the method table; the session's frames, budgets and routes are in control.cpp, the file,
// isolation and exec methods in control_files.cpp.
#include <unistd.h>

#include <caf/event_based_actor.hpp>

#include "actors/session_impl.hpp"
#include "messages/handshake.hpp"
#include "messages/signals.hpp"
#include "runtime/heap_usage.hpp"

namespace ctrd::sess {

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
  json r = self->state.info;
  r["heap_bytes"] = heap_in_use_bytes();  // read now: the figure of this moment
  send_result(self, msgid, r);
}

void m_create(session_t* self, uint32_t msgid, const json& p) {
  self->request(self->state.sup, caf::infinite, create_atom::value, p)
      .then(for_request(self, msgid,
                        [=](created_container& c) {
                          json r{{"id", c.id}, {"name", c.name}};
                          if (!c.warnings.empty()) r["warnings"] = c.warnings;
                          send_result(self, msgid, r);
                        }),
            error_reply(self, msgid));
}

/// Bytes of list values per "items" notification.
constexpr std::size_t list_chunk_bytes = 1u << 20;

/// Sends the next chunks of the lists being streamed while the client keeps up; the last
/// chunk is the response.
void continue_lists(session_t* self) {
  auto& s = self->state;
  for (std::size_t i = 0; i < s.lists.size();) {
    auto ls = s.lists[i];  // a copy: answering may change s.lists
    bool done = false;
    const auto& l = *ls.list;
    while (!done && s.unsent <= unsent_cap && !s.closing) {
      std::size_t from = ls.next == 0 ? 0 : l.ends[ls.next - 1];
      std::size_t k = ls.next;
      while (k < l.count && (k == ls.next || l.ends[k] - from <= list_chunk_bytes)) ++k;
      if (k == l.count) {
        auto last = l.array(ls.next, k);
        done = true;
        s.lists.erase(s.lists.begin() + static_cast<std::ptrdiff_t>(i));
        send_packed_result(self, ls.msgid, last);
      } else {
        send_frame(self, encode_items_notification(ls.msgid, l, ls.next, k));
        ls.next = k;
      }
    }
    if (!done) s.lists[i++] = ls;
  }
}

void m_list(session_t* self, uint32_t msgid, const json& p) {
  bool chunked = bool_param(p, "chunked");
  self->request(self->state.sup, caf::infinite, list_atom::value, bool_param(p, "all"),
                bool_param(p, "sync"))
      .then(for_request(self, msgid,
                        [=](packed_list& l) {
                          if (l.items.size() + 64 <= list_chunk_bytes)
                            return send_packed_result(self, msgid, l.array());
                          if (!chunked && l.items.size() + 64 > max_frame_size)
                            return send_error(self, msgid, ec::invalid_argument,
                                              "the list (" + std::to_string(l.items.size()) +
                                                  " bytes) is larger than a frame: ask for it with "
                                                  "\"chunked\": true (docs/protocol.md)");
                          if (!chunked) return send_packed_result(self, msgid, l.array());
                          self->state.lists.push_back(list_stream{
                              msgid, std::make_shared<const packed_list>(std::move(l)), 0});
                          continue_lists(self);
                        }),
            error_reply(self, msgid));
}

void m_init(session_t* self, uint32_t msgid, const json& p) {
  call_container(self, msgid, str_param(p, "container"), init_atom::value);
}

void m_start(session_t* self, uint32_t msgid, const json& p) {
  auto ref = str_param(p, "container");
  bool attach = bool_param(p, "attach");
  auto me = caf::actor_cast<caf::actor>(self);
  // Through the supervisor: it resolves the reference once, starts the container's
  // requirements first, and for an attached start tells us (route_atom) where the client's
  // stdin and resizes go; they wait in the route until then.
  if (attach) open_route(self, msgid, route_kind::attach);
  request_attached(self, msgid, start_atom::value, ref, attach, me, msgid);
}

void m_attach(session_t* self, uint32_t msgid, const json& p) {
  auto ref = str_param(p, "container");
  bool logs = bool_param(p, "logs");
  auto me = caf::actor_cast<caf::actor>(self);
  // One request through the supervisor, which routes the client's input to the container.
  open_route(self, msgid, route_kind::attach);
  request_attached(self, msgid, forward_atom::value, ref,
                   caf::make_message(attach_atom::value, me, msgid, logs), me, msgid);
}

void m_detach(session_t* self, uint32_t msgid, const json& p) {
  auto it = p.find("msgid");
  if (it == p.end() || !it->is_number_unsigned())
    throw error(ec::invalid_argument, "parameter \"msgid\" (the attach to end) is required");
  auto target = static_cast<uint32_t>(it->get<uint64_t>());
  auto found = self->state.attaches.find(target);
  if (found == self->state.attaches.end() || found->second.kind == route_kind::copy_in ||
      found->second.kind == route_kind::copy_out)
    throw error(ec::invalid_argument,
                "no attach with msgid " + std::to_string(target) + " on this connection");
  // Its destination is not known yet (the client's input and detach keys came right behind
  // the attach): the detach follows the input once it is.
  if (!found->second.ctr) return found->second.detaches.push_back(msgid);
  request_detach(self, msgid, found->second.ctr, target);
}

void request_detach(session_t* self, uint32_t msgid, const caf::actor& dest, uint32_t target) {
  self->request(dest, caf::infinite, detach_atom::value, caf::actor_cast<caf::actor>(self), target)
      .then(for_request(self, msgid, [=](json&) { send_result(self, msgid, json::object()); }),
            error_reply(self, msgid));
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
  bool stream = p.contains("stream") ? bool_param(p, "stream") : true;
  auto since = ns_param(p, "since");
  auto until = ns_param(p, "until");
  // Parsed here, at the wire edge: the bus gets a typed filter (the same errors as before).
  auto filter = parse_event_filter(p.contains("filters") ? p["filters"] : json(nullptr));
  self->request(self->state.events, caf::infinite, subscribe_atom::value, event_sink_actor{self},
                msgid, std::move(filter), since, until, stream)
      .then(for_request(self, msgid, [=](bool) { send_result(self, msgid, json::object()); }),
            error_reply(self, msgid));
}

void m_resize(session_t* self, uint32_t msgid, const json& p) {
  call_container(self, msgid, str_param(p, "container"), resize_atom::value, int_param(p, "rows"),
                 int_param(p, "cols"));
}

void m_healthcheck(session_t* self, uint32_t msgid, const json& p) {
  call_container(self, msgid, str_param(p, "container"), health_atom::value);
}

/// The wire form of a reload report (docs/protocol.md, `reload`).
json report_json(const reload_report& r) {
  json errors = json::array();
  for (const auto& e : r.errors) {
    auto j = to_json(e);
    j["text"] = to_string(e);
    errors.push_back(std::move(j));
  }
  return json{{"created", r.created},
              {"updated", r.updated},
              {"removed", r.removed},
              {"errors", std::move(errors)}};
}

void m_reload(session_t* self, uint32_t msgid, const json&) {
  self->request(self->state.sup, caf::infinite, reload_atom::value)
      .then(for_request(self, msgid,
                        [=](reload_report& r) { send_result(self, msgid, report_json(r)); }),
            error_reply(self, msgid));
}

void m_shutdown(session_t* self, uint32_t msgid, const json&) {
  self->request(self->state.sup, caf::infinite, shutdown_atom::value)
      .then(for_request(self, msgid, [=](bool) { send_result(self, msgid, json::object()); }),
            error_reply(self, msgid));
}

// daemon-reexec: the supervisor hands over (containers keep running) and the daemon exits;
// the holder then starts the binary on disk. The answer names the daemon that goes.
void m_daemon_reexec(session_t* self, uint32_t msgid, const json&) {
  self->request(self->state.sup, caf::infinite, handover_atom::value, true)
      .then(for_request(self, msgid,
                        [=](bool) {
                          send_result(self, msgid, json{{"pid", ::getpid()}});
                        }),
            error_reply(self, msgid));
}

// stop, kill and restart: one request to the supervisor, which resolves and delegates.
void m_stop(session_t* self, uint32_t msgid, const json& p) {
  call_supervisor(self, msgid, stop_atom::value, str_param(p, "container"), timeout_param(p), true);
}

void m_kill(session_t* self, uint32_t msgid, const json& p) {
  call_supervisor(self, msgid, kill_atom::value, str_param(p, "container"), signal_param(p));
}

void m_restart(session_t* self, uint32_t msgid, const json& p) {
  call_supervisor(self, msgid, restart_atom::value, str_param(p, "container"), timeout_param(p));
}

void m_remove(session_t* self, uint32_t msgid, const json& p) {
  // Through the supervisor: it refuses removing a container others require.
  call_supervisor(self, msgid, remove_atom::value, str_param(p, "container"),
                  bool_param(p, "force"));
}

void m_rename(session_t* self, uint32_t msgid, const json& p) {
  call_supervisor(self, msgid, rename_atom::value, str_param(p, "container"), str_param(p, "name"));
}

void m_update(session_t* self, uint32_t msgid, const json& p) {
  auto it = p.find("changes");
  if (it == p.end() || !it->is_object())
    throw error(ec::invalid_argument, "parameter \"changes\" (a map) is required");
  call_container(self, msgid, str_param(p, "container"), update_atom::value, *it);
}

void m_inspect(session_t* self, uint32_t msgid, const json& p) {
  call_container(self, msgid, str_param(p, "container"), inspect_atom::value);
}

void m_definition(session_t* self, uint32_t msgid, const json& p) {
  call_container(self, msgid, str_param(p, "container"), definition_atom::value);
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

/// The `network_*` methods (docs/protocol.md "Networks"): the supervisor and the network
/// actor answer them.
template <const char* Method>
void m_network(session_t* self, uint32_t msgid, const json& p) {
  call_supervisor(self, msgid, network_atom::value, std::string(Method), p);
}

constexpr char network_create[] = "network_create";
constexpr char network_list[] = "network_list";
constexpr char network_inspect[] = "network_inspect";
constexpr char network_remove[] = "network_remove";
constexpr char network_reload[] = "network_reload";
constexpr char network_connect[] = "network_connect";
constexpr char network_disconnect[] = "network_disconnect";

const method_table& methods() {
  static const method_table table = [] {
    method_table t = {
        {"hello", m_hello},
        {"version", m_version},
        {"create", m_create},
        {"list", m_list},
        {"init", m_init},
        {"start", m_start},
        {"stop", m_stop},
        {"kill", m_kill},
        {"restart", m_restart},
        {"remove", m_remove},
        {"rename", m_rename},
        {"update", m_update},
        {"inspect", m_inspect},
        {"definition", m_definition},
        {"wait", m_wait},
        {"logs", m_logs},
        {"healthcheck", m_healthcheck},
        {"reload", m_reload},
        {"shutdown", m_shutdown},
        {"daemon_reexec", m_daemon_reexec},
        {"attach", m_attach},
        {"detach", m_detach},
        {"resize", m_resize},
        {"events", m_events},
        {network_create, m_network<network_create>},
        {network_list, m_network<network_list>},
        {network_inspect, m_network<network_inspect>},
        {network_remove, m_network<network_remove>},
        {network_reload, m_network<network_reload>},
        {network_connect, m_network<network_connect>},
        {network_disconnect, m_network<network_disconnect>},
    };
    add_file_methods(t);
    return t;
  }();
  return table;
}

}  // namespace ctrd::sess
