// Session methods of the isolation issue: pause/unpause, stats, mount/unmount, stat,
// export and cp (through file jobs), artifacts. See session_impl.hpp and
// docs/protocol.md.
#include <memory>

#include "actors/container.hpp"
#include "actors/file_jobs.hpp"
#include "actors/session_impl.hpp"
#include "runtime/fs_root.hpp"

namespace ctrd::sess {
namespace {

/// Bytes a file job may have waiting for the socket before it must wait.
constexpr uint64_t data_window = 4u << 20;

std::string opt_str(const json& p, const char* key, const std::string& fallback = "") {
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return fallback;
  if (!it->is_string())
    throw error(ec::invalid_argument, std::string("parameter \"") + key + "\" must be a string");
  return it->get<std::string>();
}

std::string bytes_param(const json& p, const char* key) {
  auto it = p.find(key);
  if (it == p.end())
    throw error(ec::invalid_argument, std::string("parameter \"") + key + "\" is required");
  if (it->is_binary()) return std::string(it->get_binary().begin(), it->get_binary().end());
  if (it->is_string()) return it->get<std::string>();
  throw error(ec::invalid_argument, std::string("parameter \"") + key + "\" must be binary");
}

void m_pause(session_t* self, uint32_t msgid, const json& p) {
  call_container(self, msgid, str_param(p, "container"), pause_atom::value);
}

void m_unpause(session_t* self, uint32_t msgid, const json& p) {
  call_container(self, msgid, str_param(p, "container"), unpause_atom::value);
}

void m_mount(session_t* self, uint32_t msgid, const json& p) {
  call_container(self, msgid, str_param(p, "container"), mount_atom::value);
}

void m_unmount(session_t* self, uint32_t msgid, const json& p) {
  call_container(self, msgid, str_param(p, "container"), unmount_atom::value,
                 bool_param(p, "force"));
}

void m_stat(session_t* self, uint32_t msgid, const json& p) {
  call_container(self, msgid, str_param(p, "container"), stat_atom::value, str_param(p, "path"));
}

void artifact_call(session_t* self, uint32_t msgid, const json& p, const char* op, bool named,
                   bool with_data) {
  std::string data;
  if (with_data) {
    data = bytes_param(p, "data");
    if (data.size() > max_artifact_bytes)
      throw error(ec::invalid_argument, "an artifact may hold at most 4 MiB");
  }
  call_container(self, msgid, str_param(p, "container"), artifact_atom::value, std::string(op),
                 named ? str_param(p, "name") : std::string(), data);
}

void m_artifact_add(session_t* self, uint32_t id, const json& p) {
  artifact_call(self, id, p, "add", true, true);
}
void m_artifact_get(session_t* self, uint32_t id, const json& p) {
  artifact_call(self, id, p, "get", true, false);
}
void m_artifact_remove(session_t* self, uint32_t id, const json& p) {
  artifact_call(self, id, p, "remove", true, false);
}
void m_artifact_list(session_t* self, uint32_t id, const json& p) {
  artifact_call(self, id, p, "list", false, false);
}

/// Stats of the named containers, or of every running one: one sample each, in order.
void m_stats(session_t* self, uint32_t msgid, const json& p) {
  std::vector<std::string> refs;
  if (auto it = p.find("containers"); it != p.end() && !it->is_null()) {
    if (!it->is_array())
      throw error(ec::invalid_argument, "parameter \"containers\" must be an array of names");
    for (const auto& r : *it) {
      if (!r.is_string())
        throw error(ec::invalid_argument, "parameter \"containers\" must be an array of names");
      refs.push_back(r.get<std::string>());
    }
  }
  auto gather = [self, msgid](std::vector<std::string> names) {
    auto out = std::make_shared<std::vector<json>>(names.size());
    auto left = std::make_shared<std::size_t>(names.size());
    auto failed = std::make_shared<bool>(false);
    if (names.empty()) return send_result(self, msgid, json::array());
    for (std::size_t i = 0; i < names.size(); ++i) {
      auto fail = [=](caf::error& e) {
        if (*failed) return;
        *failed = true;
        send_caf_error(self, msgid, e);
      };
      self->request(self->state.sup, caf::infinite, forward_atom::value, names[i],
                    caf::make_message(stats_atom::value))
          .then(for_request(self, msgid,
                            [=](json& sample) {
                              (*out)[i] = std::move(sample);
                              if (--*left == 0 && !*failed) send_result(self, msgid, json(*out));
                            }),
                fail);
    }
  };
  if (!refs.empty()) return gather(std::move(refs));
  self->request(self->state.sup, caf::infinite, list_atom::value, false, false)
      .then(
          for_request(self, msgid,
                      [=](const packed_list& l) {
                        auto arr = l.array();
                        // The outer array holds one summary per container (more than the default
                        // limit is possible); inner arrays (commands) keep the default limit.
                        decode_limits lim;
                        lim.max_array = std::max(lim.max_array, l.count + 1);
                        std::vector<std::string> ids;
                        for (const auto& c : decode_msgpack(arr.data(), arr.size(), lim))
                          if (c.value("state", "") == "running" || c.value("state", "") == "paused")
                            ids.push_back(c.value("id", ""));
                        gather(std::move(ids));
                      }),
          error_reply(self, msgid));
}

/// Resolves the container, asks it for a root grant, then runs `next(grant)`. The
/// request's msgid is routed (attaches) so that early copy_in data waits for the job.
template <class F>
void with_grant(session_t* self, uint32_t msgid, const std::string& ref, bool rootfs_view,
                route_kind kind, F next) {
  open_route(self, msgid, kind);
  self->request(self->state.sup, caf::infinite, resolve_atom::value, ref)
      .then(for_request(self, msgid,
                        [=](container_actor& ctr) {
                          self->request(ctr, caf::infinite, grant_atom::value, rootfs_view)
                              .then(for_request(self, msgid,
                                                [=](root_grant& g) {
                                                  try {
                                                    next(g);
                                                  } catch (...) {  // no job took the root
                                                    finish_attach(self, msgid);
                                                    caf::anon_send(g.owner, release_atom::value);
                                                    throw;
                                                  }
                                                }),
                                    route_error_reply(self, msgid));
                        }),
            route_error_reply(self, msgid));
}

void m_export(session_t* self, uint32_t msgid, const json& p) {
  with_grant(self, msgid, str_param(p, "container"), true, route_kind::copy_out, [=](root_grant g) {
    tarjob::tar_job_spec spec;
    spec.path = "/";
    spec.top_name = ".";
    spawn_tar_job(self->system(), std::move(g), file_job_client_actor{self}, msgid,
                  std::move(spec));
  });
}

void m_copy_out(session_t* self, uint32_t msgid, const json& p) {
  auto path = str_param(p, "path");
  auto name = opt_str(p, "name");
  with_grant(self, msgid, str_param(p, "container"), false, route_kind::copy_out,
             [=](root_grant g) {
               tarjob::tar_job_spec spec;
               spec.top_name = name;
               spec.path = fs::clean_path(path, g.workdir);
               spawn_tar_job(self->system(), std::move(g), file_job_client_actor{self}, msgid,
                             std::move(spec));
             });
}

void m_copy_in(session_t* self, uint32_t msgid, const json& p) {
  auto path = str_param(p, "path");
  bool overwrite = bool_param(p, "overwrite");
  bool chown = !p.contains("chown") || bool_param(p, "chown");
  with_grant(self, msgid, str_param(p, "container"), false, route_kind::copy_in, [=](root_grant g) {
    tarjob::tar_job_spec spec;
    spec.in = true;
    spec.overwrite = overwrite;
    if (chown) spec.owner = std::make_pair(g.uid, g.gid);
    spec.path = fs::clean_path(path, g.workdir);  // an idmapped root's maps come from the grant
    auto job = spawn_tar_job(self->system(), std::move(g), file_job_client_actor{self}, msgid,
                             std::move(spec));
    route_attach(self, msgid, caf::actor_cast<caf::actor>(job));  // routes are untyped
  });
}

/// exec: like an attach, stdin/resize/detach follow the msgid, to the exec actor.
void m_exec(session_t* self, uint32_t msgid, const json& p) {
  auto ref = str_param(p, "container");
  auto me = caf::actor_cast<caf::actor>(self);
  open_route(self, msgid, route_kind::exec);
  // One request through the supervisor; the container routes the input to the exec actor.
  request_attached(self, msgid, forward_atom::value, ref,
                   caf::make_message(exec_atom::value, p, me, msgid));
}

}  // namespace

void add_file_methods(method_table& t) {
  t.insert({{"pause", m_pause},
            {"unpause", m_unpause},
            {"stats", m_stats},
            {"mount", m_mount},
            {"unmount", m_unmount},
            {"stat", m_stat},
            {"export", m_export},
            {"copy_out", m_copy_out},
            {"copy_in", m_copy_in},
            {"artifact_add", m_artifact_add},
            {"artifact_get", m_artifact_get},
            {"artifact_remove", m_artifact_remove},
            {"artifact_list", m_artifact_list},
            {"exec", m_exec}});
}

void on_file_notification(session_t*, attach_route& route, const rpc_message& m) {
  std::string data;
  if (auto d = m.params.find("data"); d != m.params.end() && !d->is_null()) {
    if (!d->is_binary()) throw error(ec::protocol, "copy_in data must be binary");
    data.assign(d->get_binary().begin(), d->get_binary().end());
  }
  auto n = data.size();
  auto msg = caf::make_message(data_atom::value, std::move(data), bool_param(m.params, "eof"));
  route.forwarded += n;
  if (route.forwarded - route.acked > limits::copy_in_window)
    throw error(ec::protocol, "copy_in data sent faster than ctrd acknowledged it (more than " +
                                  std::to_string(limits::copy_in_window >> 20) + " MiB ahead)");
  if (route.ctr) return caf::anon_send(route.ctr, std::move(msg));
  if (route.early.size() >= 64 || route.early_bytes + n > early_cap)
    throw error(ec::protocol, "copy_in data sent faster than ctrd acknowledged it");
  route.early_bytes += n;
  route.early.push_back(std::move(msg));
}

void release_waiting_data(session_t* self) {
  auto& s = self->state;
  if (s.unsent >= data_window || s.data_waiters.empty()) return;
  for (auto& rp : s.data_waiters) rp.deliver(true);
  s.data_waiters.clear();
}

caf::result<bool> take_file_data(session_t* self, uint32_t msgid, const std::string& bytes) {
  send_frame(self, encode_notification("data", json{{"msgid", msgid},
                                                    {"data", json::binary(std::vector<std::uint8_t>(
                                                                 bytes.begin(), bytes.end()))}}));
  if (self->state.unsent < data_window) return true;
  auto rp = self->make_response_promise<bool>();
  self->state.data_waiters.push_back(rp);
  return rp;
}

void on_file_ack(session_t* self, uint32_t msgid, uint64_t consumed) {
  if (auto r = self->state.attaches.find(msgid); r != self->state.attaches.end())
    r->second.acked = std::max(r->second.acked, consumed);
  send_frame(self, encode_notification("ack", json{{"msgid", msgid}, {"bytes", consumed}}));
}

void on_route(session_t* self, uint32_t msgid, const caf::actor& dest) {
  if (self->state.attaches.count(msgid)) route_attach(self, msgid, dest);
}

void on_job_done(session_t* self, uint32_t msgid, const json& result) {
  finish_attach(self, msgid);
  send_result(self, msgid, result);
}

void on_job_failed(session_t* self, uint32_t msgid, int code, const std::string& message) {
  finish_attach(self, msgid);
  send_error(self, msgid, static_cast<ec>(code), message);
}

}  // namespace ctrd::sess
