// ctrd entry point: options -> logging -> state store -> control socket -> actor system
// (store, supervisor with recovered containers, control acceptor) -> host loop. Runs in the
// foreground until SIGTERM/SIGINT/SIGPWR, then stops every container and exits 0.
#include <fcntl.h>
#include <grp.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

#include <leveldb/db.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/container_handover.hpp"
#include "actors/control.hpp"
#include "actors/event_bus.hpp"
#include "actors/host_loop.hpp"
#include "actors/store.hpp"
#include "messages/error.hpp"
#include "messages/rpc.hpp"
#include "runtime/cgroup.hpp"
#include "runtime/disk_space.hpp"
#include "runtime/holder_client.hpp"
#include "runtime/isolation.hpp"
#include "runtime/log_target.hpp"
#include "runtime/process_defaults.hpp"
#include "runtime/sd_notify.hpp"
#include "runtime/seccomp_filter.hpp"
#include "supervisor/daemon_main.hpp"
#include "supervisor/daemon_options.hpp"
#include "supervisor/service_watchdog.hpp"
#include "supervisor/supervisor.hpp"

namespace {

void setup_logging(const std::string& level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto log = std::make_shared<spdlog::logger>("ctrd", sink);
  log->set_level(spdlog::level::from_str(level));
  log->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  log->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(log);
}

// Creates `dir` and its missing parents with `mode`. A directory that exists is left as it
// is: never chmod a directory someone else made (a --socket in /tmp must not open /tmp).
void make_dir(const std::string& dir, mode_t mode) {
  std::filesystem::path built;
  for (const auto& part : std::filesystem::path(dir)) {
    built /= part;
    if (::mkdir(built.c_str(), mode) == 0) {
      ::chmod(built.c_str(), mode);  // the umask may have taken bits away
    } else if (errno != EEXIST) {
      throw ctrd::error(ctrd::ec::internal,
                        "cannot create " + built.string() + ": " + std::strerror(errno));
    }
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw ctrd::error(ctrd::ec::internal, dir + " is not a directory");
}

// Holds <socket>.lock for the daemon's lifetime: a second ctrd on the same socket is refused.
int lock_socket(const std::string& socket) {
  auto path = socket + ".lock";
  // Never through a symbolic link, and only a file of ctrd's own: in a directory others
  // can write to, a planted link or file must not make ctrd truncate something else.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
  if (fd < 0)
    throw ctrd::error(ctrd::ec::internal,
                      "cannot open " + path + ": " + std::strerror(errno) +
                          (errno == ELOOP ? " (it is a symbolic link: remove it)" : ""));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) {
    ::close(fd);
    throw ctrd::error(ctrd::ec::internal, "refusing the lock file " + path +
                                              ": not a regular file owned by ctrd's user "
                                              "(someone else may have made it: remove it)");
  }
  // A predecessor killed with SIGKILL may leave a just-forked child that still shares the
  // lock for a moment (between fork and its close_range): wait up to 2 s for it to go.
  int tries = 0;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK || ++tries > 200)
      throw ctrd::error(ctrd::ec::internal, "another ctrd is already running on socket " + socket);
    ::usleep(10000);
  }
  auto pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) (void)!::write(fd, pid.data(), pid.size());
  return fd;
}

// Whether two existing paths are on one file system.
bool same_file_system(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev;
}

// A container's id: 64 lowercase hex digits (a --log-dir may hold other files too).
bool looks_like_id(const std::string& name) {
  return name.size() == 64 && name.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Container folders without a record.
std::vector<std::string> orphan_dirs(const std::string& containers_dir,
                                     const ctrd::load_result& loaded) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator(containers_dir, ec)) {
    auto id = e.path().filename().string();
    if (!looks_like_id(id) || !e.is_directory(ec)) continue;
    bool known = false;
    for (auto& c : loaded.containers) known = known || c.config.id == id;
    if (!known) out.push_back(id);
  }
  return out;
}

// Container folders whose record is gone (a crash between the store delete and the folder
// removal) are deleted at start.
void remove_orphan_dirs(const std::string& containers_dir, const ctrd::load_result& loaded) {
  for (const auto& id : orphan_dirs(containers_dir, loaded)) {
    std::filesystem::path e = containers_dir + "/" + id;
    spdlog::info("removing leftover folder of deleted container {}", id);
    // Never recurse through a still-mounted overlay into the rootfs it shows.
    ctrd::unmount_overlay((e / "merged").string());
    if (ctrd::is_mount_point((e / "merged").string())) {
      spdlog::warn("keeping {}: its overlay is still mounted", e.string());
      continue;
    }
    std::error_code ec;
    std::filesystem::remove_all(e, ec);
  }
}

// A repaired or migrated state is announced loudly: what was damaged, where its copy is,
// what LevelDB dropped, which containers lost their record (their folders are kept).
void report_state_open(const ctrd::state_store& db, const std::string& containers_dir,
                       const ctrd::load_result& loaded) {
  const auto& r = db.report();
  if (r.repaired()) {
    spdlog::warn("STATE REPAIRED: the state database {} was damaged ({}) and has been repaired",
                 db.dir(), r.corruption);
    if (!r.corrupt_copy.empty())
      spdlog::warn("STATE REPAIRED: the damaged database as found is kept in {}", r.corrupt_copy);
    else
      spdlog::warn("STATE REPAIRED: no copy of the damaged database could be kept: {}",
                   r.copy_error);
    if (r.repair_notes.empty()) spdlog::warn("STATE REPAIRED: LevelDB reported no dropped data");
    for (const auto& n : r.repair_notes) spdlog::warn("STATE REPAIRED: lost: {}", n);
    auto lost = orphan_dirs(containers_dir, loaded);
    std::string ids;
    for (const auto& id : lost) ids += (ids.empty() ? "" : ", ") + id.substr(0, 12);
    spdlog::warn(
        "STATE REPAIRED: {} containers recovered; {} container folders have no record "
        "any more{}{} (their folders are kept in {}; their processes, if any, are no "
        "longer supervised)",
        loaded.containers.size(), lost.size(), lost.empty() ? "" : ": ", ids, containers_dir);
  }
  if (!r.schema_note.empty()) spdlog::warn("state database {}: {}", db.dir(), r.schema_note);
  if (r.migrated_from > 0) {
    for (const auto& step : r.migration_steps) spdlog::info("{}", step);
    spdlog::warn(
        "state database {} migrated from schema {} to {}; the state as it was is kept "
        "in {} (for a downgrade)",
        db.dir(), r.migrated_from, ctrd::current_schema, r.migration_copy);
  }
}

// The free-space reserve and the log cap, resolved against the root's file system.
std::unique_ptr<ctrd::disk_space> make_disk_space(const ctrd::daemon_options& opt,
                                                  const std::string& root, bool logs_only) {
  ctrd::fs_usage u;
  if (int err = ctrd::statvfs_probe(root, u))
    spdlog::warn("cannot read the size of the file system of {}: {}", root, std::strerror(err));
  ctrd::disk_space_limits l;
  // The reserve keeps room for the state; a --log-dir of its own holds none (its logs are
  // held by the cap; a write that finds the file system full is dropped and counted).
  l.min_free = logs_only ? 0
                         : ctrd::resolve_space_option("--min-free-space", opt.min_free_space,
                                                      u.size, ctrd::default_min_free_space(u.size));
  l.logs_max_total = ctrd::resolve_space_option("--log-max-total", opt.log_max_total, u.size,
                                                ctrd::default_log_max_total(u.size));
  spdlog::info("file system of {}: {} bytes, {} free; {}, {}", root, u.size, u.avail,
               logs_only        ? std::string("no reserve (it holds logs only)")
               : l.min_free > 0 ? "reserve " + std::to_string(l.min_free) + " bytes"
                                : std::string("no reserve (--min-free-space 0)"),
               l.logs_max_total > 0
                   ? "container logs capped at " + std::to_string(l.logs_max_total) + " bytes"
                   : std::string("container logs not capped (--log-max-total 0)"));
  return std::make_unique<ctrd::disk_space>(root, l);
}

// The socket belongs to ctrd's user and the --socket-group (mode 0660); the same rule is
// checked again per connection with SO_PEERCRED (docs/security.md).
ctrd::access_policy socket_access(const ctrd::daemon_options& opt) {
  ctrd::access_policy p;
  p.owner = ::geteuid();
  if (opt.socket_group.empty()) return p;
  struct group gr, *found = nullptr;
  char buf[4096];
  bool numeric = opt.socket_group.find_first_not_of("0123456789") == std::string::npos;
  if (numeric) {
    p.gid = static_cast<gid_t>(std::stoul(opt.socket_group));
    p.has_group = true;
  } else if (::getgrnam_r(opt.socket_group.c_str(), &gr, buf, sizeof buf, &found) == 0 && found) {
    p.gid = gr.gr_gid;
    p.has_group = true;
  } else if (opt.socket_group_given) {
    throw ctrd::error(ctrd::ec::invalid_argument,
                      "--socket-group: no group named \"" + opt.socket_group + "\"");
  } else {
    spdlog::info("no group \"{}\": only root and ctrd's user may use the socket", opt.socket_group);
    return p;
  }
  spdlog::info("the control socket is usable by group {} (gid {})", opt.socket_group, p.gid);
  return p;
}

// PID 1 only: whatever is left in the namespace (daemons that escaped their container) is
// killed and reaped, so that ctrd's exit leaves no zombie and no orphan behind.
void reap_everything() {
  ::kill(-1, SIGTERM);
  for (int i = 0; i < 100 && ::waitpid(-1, nullptr, WNOHANG) >= 0; ++i) ::usleep(10000);
  ::kill(-1, SIGKILL);
  while (::waitpid(-1, nullptr, 0) > 0) {
  }
}

// Takes the descriptor the holder kept for (id, role) out of the hand-over; -1 if none.
int take_held(ctrd::holder_handover& h, const std::string& id, const std::string& role) {
  for (auto it = h.fds.begin(); it != h.fds.end(); ++it) {
    if (it->id == id && it->role == role) {
      int fd = it->fd;
      h.fds.erase(it);
      return fd;
    }
  }
  return -1;
}

// The containers' descriptors from the holder go where a respawned container actor finds
// its predecessor's (container_handover.hpp): its recovery reads on from them.
void hand_containers_pipes(ctrd::holder_handover& h) {
  std::map<std::string, ctrd::handed_pipes> by_id;
  for (auto& d : h.fds) {
    auto& p = by_id[d.id];
    int* slot = d.role == "stdout"   ? &p.out_fd
                : d.role == "stderr" ? &p.err_fd
                : d.role == "stdin"  ? &p.in_fd
                                     : nullptr;
    if (slot == nullptr || d.id.empty()) {
      ::close(d.fd);
      continue;
    }
    if (*slot >= 0) ::close(*slot);
    *slot = d.fd;
  }
  h.fds.clear();
  for (auto& [id, pipes] : by_id) ctrd::hand_over_pipes(id, pipes);
}

// Standard descriptors must exist: the spawner relies on fds 0-2 being taken.
void ensure_std_fds() {
  for (int fd = 0; fd < 3; ++fd)
    if (::fcntl(fd, F_GETFD) < 0) ::open("/dev/null", O_RDWR);
}

int run(const ctrd::daemon_options& opt, const ctrd::sd::notifier& notifier,
        ctrd::holder_client* holder) {
  auto root = std::filesystem::absolute(opt.root).lexically_normal().string();
  auto socket = std::filesystem::absolute(opt.socket).lexically_normal().string();
  auto containers_dir = root + "/containers";
  make_dir(root, 0700);
  make_dir(containers_dir, 0700);
  // --log-dir: container logs and the event log elsewhere (a tmpfs on a device with flash).
  auto log_dir = opt.log_dir.empty()
                     ? std::string()
                     : std::filesystem::absolute(opt.log_dir).lexically_normal().string();
  if (!log_dir.empty()) make_dir(log_dir, 0700);
  std::shared_ptr<ctrd::state_store> db;
  try {
    db = std::make_shared<ctrd::state_store>(root + "/state");
  } catch (const ctrd::error& e) {
    if (std::strstr(e.what(), "/LOCK") != nullptr)
      throw ctrd::error(ctrd::ec::internal, "another ctrd is already using the state in " + root +
                                                " (" + e.what() + ")");
    throw;
  }
  auto socket_dir = std::filesystem::path(socket).parent_path().string();
  make_dir(socket_dir, 0755);
  struct stat sd;
  if (::stat(socket_dir.c_str(), &sd) == 0 && (sd.st_mode & (S_IWGRP | S_IWOTH)))
    spdlog::warn(
        "the socket's directory {} is writable by other users: they can take the "
        "socket's name while ctrd is down; prefer a directory only root can write",
        socket_dir);
  // Under the holder (holder/holder.hpp), what it kept from a previous daemon comes first:
  // the lock and the listening socket (clients queued in its backlog meanwhile), the
  // containers' pipes.
  ctrd::holder_handover handover;
  if (holder != nullptr) {
    handover = holder->take_over();
    if (handover.daemon_starts > 1)
      spdlog::warn(
          "ctrd's daemon was started again by its holder (pid {}, start {}): {} descriptors "
          "and {} exit statuses were kept for it",
          handover.holder_pid, handover.daemon_starts, handover.fds.size(), handover.exits.size());
  }
  int lock_fd = take_held(handover, "", "lock");
  if (lock_fd < 0) {
    lock_fd = lock_socket(socket);
    if (holder != nullptr) holder->hold("", "lock", lock_fd);
  }
  auto policy = socket_access(opt);
  int listen_fd = take_held(handover, "", "listen");
  if (listen_fd >= 0 && ::access(socket.c_str(), F_OK) != 0) {
    // The last daemon removed the socket's name as it ended (a clean exit the holder took
    // for a failure): the held socket can no longer be reached, a new one replaces it.
    spdlog::warn("the control socket {} was removed: listening on a new one", socket);
    ::close(listen_fd);
    listen_fd = -1;
  }
  if (listen_fd < 0) {
    listen_fd = ctrd::open_control_socket(socket, policy);
    if (holder != nullptr) holder->hold("", "listen", listen_fd);
  } else {
    ctrd::give_control_socket(socket, policy);  // --socket-group may differ from the last start
  }
  hand_containers_pipes(handover);
  // Exit statuses the holder collected while no daemon ran: recovery reads them
  // (mark_ended_unseen), and each one taken is confirmed to the holder.
  for (const auto& e : handover.exits) ctrd::hand_over_exit(e.pid, e.exit_code);
  if (holder != nullptr) ctrd::on_exit_taken([holder](int64_t pid) { holder->forget(pid); });
  bool pid1 = ::getpid() == 1;
  if (opt.init && !pid1 && holder == nullptr)
    spdlog::warn("--init: not PID 1, running as a child subreaper instead");
  if (!pid1 && ::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
    spdlog::warn("cannot become a child subreaper: {}", std::strerror(errno));
  auto loaded = db->load_all();
  ctrd::prepare_daemon_limits(loaded.containers.size());
  report_state_open(*db, containers_dir, loaded);
  // After a repair, folders without a record belong to containers whose record was lost:
  // kept for the user (report_state_open named them).
  if (!db->report().repaired()) {
    remove_orphan_dirs(containers_dir, loaded);
    if (!log_dir.empty()) remove_orphan_dirs(log_dir, loaded);
  }
  auto space = make_disk_space(opt, root, false);
  // Logs on another file system get their own reserve and cap, sized by that one.
  std::unique_ptr<ctrd::disk_space> log_space;
  if (!log_dir.empty() && !same_file_system(log_dir, root))
    log_space = make_disk_space(opt, log_dir, true);
  ctrd::seccomp::cache filters;  // compiled seccomp programs, shared by every container
  (log_space ? log_space : space)->scan_logs(log_dir.empty() ? containers_dir : log_dir);

  ctrd::host_loop host;
  caf::actor_system_config cfg;
  cfg.load<caf::io::middleman>();
  cfg.set("logger.console", caf::atom("none"));
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  // Scheduler: one worker per core (CAF's default is at least 4), and idle workers sleep on
  // their condition variable right after a short spin instead of polling every 50 us
  // (CAF's "moderate" phase cost ~20-30 % of a core while ctrd was otherwise idle between
  // requests; profile in docs/benchmarks.md). Enqueueing from outside a worker wakes it;
  // the relaxed timeout only paces stealing from a busy worker, and at CAF's 10 ms it woke
  // every idle worker 100 times a second (an embedded host's idle power).
  cfg.set("scheduler.max-threads", std::max<size_t>(2, std::thread::hardware_concurrency()));
  cfg.set("work-stealing.moderate-poll-attempts", size_t{0});
  cfg.set("work-stealing.relaxed-sleep-duration", caf::timespan{std::chrono::milliseconds(100)});
  // Middleman: no threads for what ctrd does not use. Its workers deserialize messages from
  // remote CAF nodes (ctrd has none: its brokers run on the multiplexer's thread), and its
  // utility actor (publish/connect requests, never sent) runs on the scheduler instead of
  // a detached thread of its own.
  cfg.set("middleman.workers", size_t{0});
  cfg.set("middleman.attach-utility-actors", true);
  caf::actor_system sys{cfg};
  sys.await_actors_before_shutdown(false);
  auto store = ctrd::spawn_store(sys, db);
  ctrd::supervisor_options sopts;
  sopts.containers_dir = containers_dir;
  sopts.log_dir = log_dir;
  sopts.run_dir = std::filesystem::path(socket).parent_path().string();
  try {
    sopts.log_max_size = ctrd::parse_size(opt.log_max_size);
  } catch (const ctrd::error& e) {
    throw ctrd::error(ctrd::ec::invalid_argument, std::string("--log-max-size: ") + e.what());
  }
  sopts.log_max_files = opt.log_max_files;
  sopts.default_pids_limit = opt.default_pids_limit;
  sopts.subid_user = opt.subid_user;
  sopts.subuid_file = opt.subuid_file;
  sopts.subgid_file = opt.subgid_file;
  sopts.netns_dir = root + "/netns";
  sopts.network_config_dir = opt.network_config_dir;
  // 0: a shutdown (or none yet); 1: daemon-reexec; 2: the holder is gone.
  std::atomic<int> handing_over{0};
  if (holder != nullptr)
    sopts.on_handover = [&handing_over, &host](bool upgrade) {
      host.hand_over();
      handing_over = upgrade ? 1 : 2;
    };
  sopts.on_shutdown = [&notifier] {
    if (notifier.enabled() && !notifier.send("STOPPING=1"))
      spdlog::warn("sd_notify STOPPING=1: {}", std::strerror(errno));
  };
  sopts.space = space.get();
  sopts.log_space = log_space.get();
  sopts.default_caps = opt.default_capabilities;
  sopts.seccomp = &filters;
  sopts.config_dir = opt.config_dir.empty()
                         ? std::string()
                         : std::filesystem::absolute(opt.config_dir).lexically_normal().string();
  auto bus = ctrd::spawn_event_bus(sys, log_dir.empty() ? root : log_dir);
  auto cgroups = ctrd::cgroup::hierarchy::detect("ctrd");
  if (cgroups.kind() == ctrd::cgroup::layout::none)
    spdlog::warn("cgroups are not usable ({}): containers run without limits, pause or stats",
                 cgroups.unavailable_reason());
  else
    spdlog::info("containers get their own cgroups ({} layout)",
                 ctrd::cgroup::to_string(cgroups.kind()));
  // Before any container actor runs: recover() -> host_loop::adopt() reads the holder to
  // leave an adopted process's exit to it (else its pidfd, and a known exit becomes -1).
  host.set_holder(holder);
  auto sup = ctrd::spawn_supervisor(sys, store, bus, &host, &cgroups, sopts, std::move(loaded));
  host.start(caf::actor_cast<caf::actor>(sup));
  ctrd::json info = {{"daemon_version", CTRD_VERSION},
                     {"protocol_version", ctrd::protocol_version},
                     {"pid", ::getpid()},
                     {"root", root},
                     {"socket", socket}};
  if (holder != nullptr) info["holder_pid"] = handover.holder_pid;
  // For `ctrctl info`: where ctrd keeps things, its cgroup layout and what it is built on.
  info["config_dir"] = sopts.config_dir;
  info["cgroup_layout"] = ctrd::cgroup::to_string(cgroups.kind());
  info["caf_version"] = std::to_string(CAF_MAJOR_VERSION) + "." +
                        std::to_string(CAF_MINOR_VERSION) + "." + std::to_string(CAF_PATCH_VERSION);
  info["leveldb_version"] =
      std::to_string(leveldb::kMajorVersion) + "." + std::to_string(leveldb::kMinorVersion);
  auto ctl = ctrd::spawn_control(sys, listen_fd, sup, bus, info, policy);
  spdlog::info("ctrd {} ready: socket {}, root {} (reach it with: ctrctl --socket {} ps -a)",
               CTRD_VERSION, socket, root, socket);
  if (holder != nullptr) holder->ready();  // a later death of this daemon is a crash
  // Under a service manager: READY=1 once a real client gets its hello, then the watchdog.
  // Under a holder with --watchdog-device, each passing self-check also pets the hardware
  // watchdog (the link's `alive`), at the period the holder asked for in its hand-over.
  ctrd::hardware_pets pets;
  if (holder != nullptr && handover.alive_period_ms > 0) {
    pets.period = std::chrono::milliseconds(handover.alive_period_ms);
    pets.alive = [holder] { holder->alive(); };
  } else if (!opt.watchdog_device.empty() && holder == nullptr) {
    spdlog::warn(
        "--watchdog-device {}: ctrd-daemon runs without its holder (ctrd), which is "
        "what pets the device: ignored",
        opt.watchdog_device);
  }
  ctrd::service_watchdog watchdog{sys, notifier, {socket, sup, store}, std::move(pets)};
  watchdog.start();
  {
    caf::scoped_actor self{sys};
    self->monitor(sup);
    self->receive([](caf::down_msg&) {});
  }
  watchdog.stop();
  // Let sessions flush their last replies (the answer to `ctrctl shutdown`) before the
  // acceptor and its linked sessions go away.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  {
    // Sessions end before the actor system goes (they tell file jobs waiting for their
    // clients to stop; a job blocked on a client that never reads would hold ctrd open).
    caf::scoped_actor self{sys};
    self->monitor(ctl);
    caf::anon_send_exit(ctl, caf::exit_reason::user_shutdown);
    self->receive([](caf::down_msg&) {},
                  caf::after(std::chrono::seconds(5)) >>
                      [] { spdlog::warn("control sessions did not end within 5 s"); });
  }
  {
    // The last state changes (containers stopped by the shutdown) are on disk before the
    // store goes: it commits everything queued before this request.
    caf::scoped_actor self{sys};
    self->request(store, std::chrono::seconds(5), ctrd::flush_atom::value)
        .receive([] {},
                 [](caf::error& e) { spdlog::warn("store: final commit: {}", caf::to_string(e)); });
  }
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(bus, caf::exit_reason::user_shutdown);
  host.stop();
  if (handing_over != 0) {
    // The containers run on; the socket and its lock stay with the holder for the next
    // daemon (clients wait in the socket's backlog meanwhile).
    ::close(lock_fd);
    if (handing_over == 1) {
      holder->reexec();
      if (!holder->flush_all(5000))
        spdlog::error("daemon-reexec: the holder did not take the last messages in 5 s");
    }
    spdlog::info("ctrd's daemon exits; its containers keep running");
    return 0;
  }
  if (pid1) reap_everything();
  ::unlink(socket.c_str());
  ::close(lock_fd);
  spdlog::info("ctrd stopped");
  return 0;
}

}  // namespace

int ctrd::daemon_main(int argc, char** argv) {
  // First thing, before any thread exists: the host loop takes these through a signalfd.
  ctrd::block_daemon_signals();
  ::signal(SIGPIPE, SIG_IGN);
  ensure_std_fds();
  ctrd::daemon_options opt;
  int rc = 0;
  if (!ctrd::parse_daemon_options(argc, argv, opt, rc)) return rc;
  // Under the holder fd 2 already points there (it applied the same flag); alone, here.
  if (auto why = ctrd::redirect_own_log(opt.log_target); !why.empty()) {
    std::fprintf(stderr, "ctrd: %s\n", why.c_str());
    return 1;
  }
  setup_logging(opt.log_level);
  // Before any thread: the variables are removed so that no container inherits them.
  ctrd::sd::notifier notifier;
  std::string problem;
  notifier.from_environment(problem);
  if (!problem.empty()) spdlog::warn("{}", problem);
  try {
    // The link to the holder, when `ctrd` (the holder) runs this daemon; before any thread:
    // its variable is removed so that no container inherits it.
    auto holder = ctrd::holder_client::from_environment();
    if (holder != nullptr)  // the holder is the service manager's main process
      notifier.relay([h = holder.get()](const std::string& text) {
        h->notify(text);
        return true;
      });
    return run(opt, notifier, holder.get());
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
}
