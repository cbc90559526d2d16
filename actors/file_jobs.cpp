#include "actors/file_jobs.hpp"

#include <chrono>
#include <cstring>
#include <optional>

#include <spdlog/spdlog.h>
#include <caf/blocking_actor.hpp>

#include "actors/atoms.hpp"
#include "messages/error.hpp"
#include "runtime/fs_root.hpp"
#include "runtime/userns.hpp"

namespace ctrd {
namespace {

/// Bytes per data message (well below the 8 MiB frame limit).
constexpr std::size_t chunk_size = 256u << 10;

/// How long an upload may pause before the job gives up.
constexpr auto upload_idle = std::chrono::seconds(60);

/// The client went away: end quietly, nobody is left to answer.
struct client_gone {};

/// Ends a job: the answer to the client (unless gone) and the release of the root.
template <class F>
void run_job(caf::blocking_actor* self, const root_grant& g, const file_job_client_actor& session,
             uint32_t msgid, F body) {
  try {
    json result = body();
    self->send(session, job_done_atom::value, msgid, result);
  } catch (const client_gone&) {
  } catch (const error& e) {
    self->send(session, job_done_atom::value, msgid, static_cast<int>(e.code()),
               std::string(e.what()));
  } catch (const std::exception& e) {
    self->send(session, job_done_atom::value, msgid, static_cast<int>(ec::internal),
               std::string(e.what()));
  }
  self->send(g.owner, release_atom::value);
}

void tar_out_job(caf::blocking_actor* self, root_grant g, file_job_client_actor session,
                 uint32_t msgid, std::string path, fs::tar_out_options opt) {
  fs::unique_fd root(g.fd);
  run_job(self, g, session, msgid, [&] {
    std::string buf;
    buf.reserve(chunk_size);
    uint64_t total = 0;
    auto flush = [&] {
      if (buf.empty()) return;
      bool ok = false;
      self->request(session, caf::infinite, data_atom::value, msgid, buf)
          .receive([&](bool) { ok = true; }, [&](caf::error&) { ok = false; });
      if (!ok) throw client_gone{};
      total += buf.size();
      buf.clear();
    };
    fs::tar_out(
        root.get(), path,
        [&](const char* d, std::size_t n) {
          buf.append(d, n);
          if (buf.size() >= chunk_size) flush();
        },
        opt);
    flush();
    return json{{"id", g.id}, {"bytes", total}};
  });
}

void tar_in_job(caf::blocking_actor* self, root_grant g, file_job_client_actor session,
                uint32_t msgid, std::string dest, fs::tar_in_options opt) {
  fs::unique_fd root(g.fd);
  self->monitor(session);
  run_job(self, g, session, msgid, [&] {
    std::string pending;
    std::size_t off = 0;
    bool eof = false;
    uint64_t consumed = 0;
    auto source = [&](char* out, std::size_t cap) -> std::size_t {
      while (off >= pending.size() && !eof) {
        if (!pending.empty()) {
          consumed += pending.size();
          self->send(session, ack_atom::value, msgid, consumed);
          pending.clear();
          off = 0;
        }
        enum { waiting, got, gone, idle } what = waiting;
        self->receive(
            [&](data_atom, std::string& bytes, bool end) {
              pending = std::move(bytes);
              off = 0;
              eof = end;
              what = got;
            },
            [&](caf::down_msg&) { what = gone; }, caf::after(upload_idle) >> [&] { what = idle; });
        if (what == gone) throw client_gone{};
        if (what == idle)
          throw error(ec::invalid_argument, "the client stopped sending the archive for 60 s");
      }
      std::size_t n = std::min(cap, pending.size() - off);
      std::memcpy(out, pending.data() + off, n);
      off += n;
      return n;
    };
    std::optional<fs_ids_scope> mapped;  // ctrd's root is not mapped in an idmapped root
    if (!g.uid_map.empty()) mapped.emplace(g.uid, g.gid);
    auto r = fs::tar_in(root.get(), dest, source, opt);
    return json{{"id", g.id}, {"entries", r.entries}, {"bytes", r.bytes}};
  });
}

}  // namespace

void spawn_tar_out_job(caf::actor_system& sys, root_grant grant, file_job_client_actor session,
                       uint32_t msgid, std::string path, fs::tar_out_options opt) {
  sys.spawn<caf::detached>(tar_out_job, std::move(grant), std::move(session), msgid,
                           std::move(path), std::move(opt));
}

tar_in_job_actor spawn_tar_in_job(caf::actor_system& sys, root_grant grant,
                                  file_job_client_actor session, uint32_t msgid,
                                  std::string dest_dir, fs::tar_in_options opt) {
  // A blocking actor has no typed behaviour in CAF 0.17: its handle is typed here.
  return caf::actor_cast<tar_in_job_actor>(
      sys.spawn<caf::detached>(tar_in_job, std::move(grant), std::move(session), msgid,
                               std::move(dest_dir), std::move(opt)));
}

}  // namespace ctrd
