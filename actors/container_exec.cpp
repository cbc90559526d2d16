// The container actor's side of `exec`: checks the state, builds the process (the
// container's namespaces, root, environment, user and cgroup) and hands it to an exec
// actor (exec_session.hpp). See container_impl.hpp.
#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <algorithm>

#include "actors/caf_error.hpp"
#include "actors/container_impl.hpp"
#include "actors/exec_session.hpp"
#include "runtime/container_view.hpp"
#include "runtime/etc_files.hpp"
#include "runtime/resource_error.hpp"

namespace ctrd::ctr {
namespace {

std::vector<std::string> strings(const json& p, const char* key) {
  std::vector<std::string> out;
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return out;
  if (!it->is_array())
    throw error(ec::invalid_argument,
                std::string("parameter \"") + key + "\" must be an array of strings");
  for (const auto& v : *it) {
    if (!v.is_string())
      throw error(ec::invalid_argument,
                  std::string("parameter \"") + key + "\" must be an array of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::string text(const json& p, const char* key) {
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return "";
  if (!it->is_string())
    throw error(ec::invalid_argument, std::string("parameter \"") + key + "\" must be a string");
  return it->get<std::string>();
}

bool flag(const json& p, const char* key) {
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return false;
  if (!it->is_boolean())
    throw error(ec::invalid_argument, std::string("parameter \"") + key + "\" must be a boolean");
  return it->get<bool>();
}

/// The container's environment with the exec's entries added or replacing.
std::vector<std::string> merged_env(std::vector<std::string> env,
                                    const std::vector<std::string>& extra) {
  for (const auto& e : extra) {
    auto eq = e.find('=');
    if (eq == std::string::npos || eq == 0)
      throw error(ec::invalid_argument,
                  "invalid environment entry \"" + e + "\": expected KEY=VALUE");
    auto key = e.substr(0, eq + 1);
    auto it = std::find_if(env.begin(), env.end(),
                           [&](const std::string& x) { return x.rfind(key, 0) == 0; });
    if (it != env.end())
      *it = e;
    else
      env.push_back(e);
  }
  return env;
}

int join_flags(const isolation_spec& iso) {
  int f = 0;
  if (iso.private_mounts()) f |= CLONE_NEWNS;
  if (iso.private_pid()) f |= CLONE_NEWPID;
  if (iso.private_ipc()) f |= CLONE_NEWIPC;
  if (iso.private_uts()) f |= CLONE_NEWUTS;
  if (iso.private_net() || iso.bridge_net()) f |= CLONE_NEWNET;  // none, or a bridge network
  if (!iso.rootfs.empty()) f |= CLONE_NEWCGROUP;  // its cgroup namespace (isolation_hardening)
  return f;
}

}  // namespace

spawn_spec inside_spec(actor_t* self, const container_config& c,
                       const std::vector<std::string>& argv) {
  auto& s = self->state;
  int flags = join_flags(c.isolation);
  fs::unique_fd root;
  if (flags & CLONE_NEWNS) root = open_container_root(self);
  auto spec = make_spawn_spec(c, argv, root ? root.get() : -1);
  confine(self, c, spec);  // the container's capabilities and filter
  spec.cgroup_dir = s.cg.clone_dir();
  if (c.security.private_user()) {
    // setns joins the user namespace first; ctrd's root is not mapped in it, so the
    // process becomes the container's root (or its --user) there.
    check_user_mapped(c);
    flags |= CLONE_NEWUSER;
    spec.set_user = true;
  }
  if (flags) {
    spec.join_pidfd = static_cast<int>(::syscall(SYS_pidfd_open, s.st.pid, 0));
    if (spec.join_pidfd < 0 && is_resource_errno(errno))
      throw_errno(ec::internal, "cannot open the container's process", errno);
    if (spec.join_pidfd < 0)
      throw error(ec::invalid_state, "container " + s.cfg.name + " has no running process to join");
    spec.join_flags = flags;
  }
  return spec;
}

caf::result<json> start_exec(actor_t* self, const json& p, caf::actor client, uint32_t msgid) {
  auto& s = self->state;
  try {
    if (s.st.state != container_state::running)
      throw error(ec::invalid_state,  // podman's text (libpod/container_exec.go)
                  "can only create exec sessions on running containers: container state "
                  "improper");
    auto command = strings(p, "command");
    if (command.empty() || command[0].empty())
      throw error(ec::invalid_argument, "exec needs a command");
    container_config c = s.cfg;
    c.env = merged_env(c.env, strings(p, "env"));
    if (auto u = text(p, "user"); !u.empty()) c.user = u;
    if (auto w = text(p, "workdir"); !w.empty()) c.workdir = w;
    validate(c);  // user and workdir syntax
    exec_job job;
    job.spec = inside_spec(self, c, command);
    job.spec.interactive = flag(p, "interactive");
    job.spec.tty = flag(p, "tty");
    if (job.spec.tty) add_default_env(job.spec.env, "TERM", "xterm");  // as podman exec -t
    if (job.spec.tty && !c.isolation.rootfs.empty())
      job.spec.pty_root = "/proc/" + std::to_string(s.st.pid) + "/root";
    job.cg = s.cg;
    job.container_id = s.cfg.id;
    job.container = container_actor{self};
    job.client = client;
    job.msgid = msgid;
    job.host = s.deps.host;
    auto e = spawn_exec(self->system(), std::move(job));
    // stdin, resize and detach go there (a session's routes hold untyped handles)
    caf::anon_send(client, route_atom::value, msgid, caf::actor_cast<caf::actor>(e));
    emit_event(self, "exec");
    auto rp = self->make_response_promise<json>();
    self->request(e, caf::infinite, start_atom::value)
        .then([=](json& r) mutable { rp.deliver(std::move(r)); },
              [=](caf::error& err) mutable { rp.deliver(err); });
    return rp;
  } catch (const error& e) {
    return make_caf_error(e.code(), e.what());
  }
}

void exec_ended(actor_t* self, int exit_code) {
  auto& s = self->state;
  if (!s.deps.events) return;
  auto ev = event_view(s.cfg, s.st, "exec_died");
  ev["ContainerExitCode"] = exit_code;
  self->send(s.deps.events, event_atom::value, ev);
}

}  // namespace ctrd::ctr
