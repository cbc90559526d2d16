// The container actor's file-system requests: mount counting, stat, artifacts, and the
// root grants that export/cp jobs run on (file_jobs.hpp). See container_impl.hpp.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/container_impl.hpp"
#include "actors/file_jobs.hpp"
#include "runtime/fs_root.hpp"

namespace ctrd::ctr {
namespace {

bool running_or_paused(const state& s) {
  return s.st.state == container_state::running || s.st.state == container_state::paused;
}

void check_artifact_name(const std::string& name) {
  if (name.empty() || name.size() > 255 || name == "." || name == ".." ||
      name.find('/') != std::string::npos || name.find('\0') != std::string::npos)
    throw error(ec::invalid_argument,
                "invalid artifact name \"" + name +
                    "\": must be a plain file name (no '/', not '.' or '..')");
}

std::string artifact_dir(const state& s) {
  return s.dir() + "/artifacts";
}

}  // namespace

caf::result<json> mount_root(actor_t* self) {
  auto& s = self->state;
  try {
    if (s.cfg.isolation.rootfs.empty())
      throw error(ec::invalid_argument,
                  "container " + s.cfg.name +
                      " has no root file system of its own (it was created without --rootfs)");
    if (s.st.state == container_state::removing)
      throw error(ec::invalid_state, "container " + s.cfg.id + " is being removed");
    acquire_root(self);
    ++s.st.mount_count;
    persist(self);
    emit_event(self, "mount");
    return reply(json{{"id", s.cfg.id}, {"path", s.root_path()}});
  } catch (const error& e) {
    return make_caf_error(e.code(), e.what());
  }
}

caf::result<json> unmount_root(actor_t* self, bool force) {
  auto& s = self->state;
  if (s.st.mount_count == 0) {
    // podman refuses to drop the reference a running container holds.
    if (running_or_paused(s) && !s.cfg.isolation.rootfs.empty())
      return make_caf_error(ec::invalid_state, "cannot unmount storage for container " + s.cfg.id +
                                                   " as it is running or paused");
    return reply(json{{"id", s.cfg.id}, {"mount_count", 0}});
  }
  s.st.mount_count = force ? 0 : s.st.mount_count - 1;
  release_root(self);
  persist(self);
  emit_event(self, "unmount");
  return reply(json{{"id", s.cfg.id}, {"mount_count", s.st.mount_count}});
}

caf::result<json> stat_path(actor_t* self, const std::string& path) {
  auto& s = self->state;
  try {
    acquire_root(self);
    ++s.root_users;
    fs::file_info fi;
    try {
      auto root = open_container_root(self);
      fi = fs::stat_in_root(root.get(), fs::clean_path(path, s.cfg.workdir));
    } catch (...) {
      --s.root_users;
      release_root(self);
      throw;
    }
    --s.root_users;
    release_root(self);
    return reply(json{{"name", fi.name},
                      {"size", fi.size},
                      {"mode", fi.mode},
                      {"mtime_ns", fi.mtime_ns},
                      {"uid", fi.uid},
                      {"gid", fi.gid},
                      {"link_target", fi.link_target}});
  } catch (const error& e) {
    return make_caf_error(e.code(), e.what());
  }
}

caf::result<root_grant> grant_root(actor_t* self, bool rootfs_view) {
  auto& s = self->state;
  try {
    if (s.st.state == container_state::removing)
      throw error(ec::invalid_state, "container " + s.cfg.id + " is being removed");
    if (rootfs_view && s.cfg.isolation.rootfs.empty())
      throw error(ec::invalid_argument,
                  "container " + s.cfg.name +
                      " has no root file system of its own (it was created without --rootfs)");
    acquire_root(self);
    root_grant g;
    try {
      g.fd = rootfs_view ? fs::open_root(s.root_path()).release()
                         : open_container_root(self).release();
    } catch (...) {
      release_root(self);
      throw;
    }
    ++s.root_users;
    g.owner = grant_owner_actor{self};
    g.host = s.deps.host;
    g.id = s.cfg.id;
    g.workdir = s.cfg.workdir;
    if (!s.cfg.user.empty()) {
      bool has_gid;
      parse_user(s.cfg.user, g.uid, g.gid, has_gid);
    }
    if (!rootfs_view && s.has_process() && s.userns.any()) {
      // /proc/<pid>/root is idmapped: the job works with the host ids of the user.
      g.uid_map = s.userns.uid_map;
      g.gid_map = s.userns.gid_map;
      map_to_host(g.uid_map, g.uid, g.uid);
      map_to_host(g.gid_map, g.gid, g.gid);
    }
    return g;
  } catch (const error& e) {
    return make_caf_error(e.code(), e.what());
  }
}

void end_grant(actor_t* self) {
  auto& s = self->state;
  if (s.root_users > 0) --s.root_users;
  release_root(self);
}

caf::result<json> artifact(actor_t* self, const std::string& op, const std::string& name,
                           const std::string& data) {
  auto& s = self->state;
  try {
    auto dir = artifact_dir(s);
    if (op == "list") {
      json out = json::array();
      std::error_code ec_fs;
      std::vector<std::pair<std::string, uint64_t>> items;
      for (const auto& e : std::filesystem::directory_iterator(dir, ec_fs))
        if (e.is_regular_file(ec_fs))
          items.emplace_back(e.path().filename().string(), e.file_size(ec_fs));
      std::sort(items.begin(), items.end());
      for (auto& [n, size] : items) out.push_back(json{{"name", n}, {"size", size}});
      return reply(std::move(out));
    }
    check_artifact_name(name);
    auto path = dir + "/" + name;
    auto missing = [&] {
      return error(ec::no_such_file,
                   "container " + s.cfg.name + " has no artifact \"" + name + "\"");
    };
    if (op == "add") {
      if (data.size() > max_artifact_bytes)
        throw error(ec::invalid_argument, "artifact \"" + name + "\" is larger than 4 MiB");
      std::filesystem::create_directories(dir);
      auto tmp = path + ".tmp";
      {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
        if (!out)
          throw error(ec::internal,
                      "cannot write artifact \"" + name + "\": " + std::strerror(errno));
      }
      if (::rename(tmp.c_str(), path.c_str()) != 0)
        throw error(ec::internal,
                    "cannot store artifact \"" + name + "\": " + std::strerror(errno));
      return reply(s.id_reply());
    }
    if (op == "get") {
      std::ifstream in(path, std::ios::binary);
      if (!in) throw missing();
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      return reply(
          json{{"id", s.cfg.id},
               {"data", json::binary(std::vector<std::uint8_t>(bytes.begin(), bytes.end()))}});
    }
    if (op == "remove") {
      if (::unlink(path.c_str()) != 0) throw missing();
      return reply(s.id_reply());
    }
    throw error(ec::invalid_argument, "unknown artifact operation \"" + op + "\"");
  } catch (const error& e) {
    return make_caf_error(e.code(), e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    return make_caf_error(ec::internal, std::string("artifact storage: ") + e.what());
  }
}

}  // namespace ctrd::ctr
