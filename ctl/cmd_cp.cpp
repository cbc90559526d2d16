// `ctrctl cp` (podman cp), built into ctrctl-cp (cp_launcher.cpp). cp copies between the host and
// one container: the path rules are copy_paths.hpp's; the container side is ctrd's `stat`,
// `copy_out` and `copy_in` (docs/protocol.md, "Files"); the host side runs here, with the user's
// own permissions, through the same root-confined tar code ctrd uses (runtime/tar_stream.hpp, the
// host's "/" as root). "-" as the host side is a tar on stdout / stdin.
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/copy_paths.hpp"
#include "ctl/file_io.hpp"
#include "ctl/io.hpp"
#include "runtime/fs_root.hpp"
#include "runtime/tar_stream.hpp"

namespace ctl {
namespace {

constexpr std::size_t chunk_size = 256 * 1024;        // bytes per `data` notification
constexpr uint64_t max_unacked = 4ull * 1024 * 1024;  // protocol: at most 4 MiB in flight

// strerror in Go's (podman's) lower-case style: "no such file or directory".
std::string error_text(int e) {
  std::string s = std::strerror(e);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

node_kind kind_of(uint32_t mode) {
  if (S_ISDIR(mode)) return node_kind::directory;
  if (S_ISREG(mode)) return node_kind::file;
  return node_kind::other;
}

// A host path with symlinks resolved (podman's ResolveHostPath).
path_state host_state(const std::string& path) {
  path_state s;
  s.resolved = path;
  char* real = ::realpath(path.c_str(), nullptr);
  if (real == nullptr) {
    s.error = error_text(errno);
    return s;
  }
  s.resolved = real;
  std::free(real);
  struct stat st {};
  if (::stat(s.resolved.c_str(), &st) != 0) {
    s.error = error_text(errno);
    return s;
  }
  s.kind = kind_of(st.st_mode);
  return s;
}

// `stat` of a container path, following a final symlink once as podman does (ctrd's
// link_target is already resolved inside the root). A missing path is a path_state; other
// errors (no such container, ...) throw with ctrd's code and message.
path_state container_state(client& c, const std::string& container, const std::string& path,
                           int depth = 0) {
  path_state s;
  s.resolved = path;
  response r = c.call("stat", json{{"container", container}, {"path", path}});
  if (!r.ok() && r.code() == ctrd::ec::no_such_file) {
    s.error = r.message();
    return s;
  }
  if (!r.ok()) throw ctrd::error(r.code(), r.message());
  auto mode = r.result.is_object() ? r.result.value("mode", 0u) : 0u;
  std::string target = r.result.is_object() ? r.result.value("link_target", std::string()) : "";
  if (S_ISLNK(mode) && !target.empty() && target != path && depth < 8) {
    path_state t = container_state(c, container, target, depth + 1);
    if (t.kind == node_kind::missing) t.resolved = target;  // a dangling link: create its target
    return t;
  }
  s.kind = kind_of(mode);
  return s;
}

// Thrown out of a tar_out sink to stop archiving once ctrd has answered early.
struct copy_aborted {};

// Sends a tar to a `copy_in` request as `data` notifications, keeping at most 4 MiB
// unacknowledged (ctrd's `ack` notifications report what it consumed).
class tar_sender {
 public:
  tar_sender(client& c, const json& params) : c_(c) {
    id_ = c_.send_raw("copy_in", params, [this](const std::string& method, const json& p) {
      if (method != "ack") return;
      auto b = p.find("bytes");
      if (b != p.end() && b->is_number_unsigned()) acked_ = std::max(acked_, b->get<uint64_t>());
    });
    c_.flush();
  }

  /// Queues bytes, sending full chunks.
  void push(const char* data, std::size_t size) {
    buf_.append(data, size);
    while (buf_.size() >= chunk_size) send_chunk(chunk_size);
  }

  /// Sends the rest and the end of the archive, then waits for ctrd's answer.
  response finish() {
    if (!buf_.empty()) send_chunk(buf_.size());
    if (!done_) {
      c_.notify("data", json{{"msgid", id_}, {"eof", true}});
      response r = c_.wait(id_);
      done_ = true;
      result_ = std::move(r);
    }
    return result_;
  }

  /// ctrd's answer if it came early (an error while the archive was still being sent):
  /// reads what is left on the connection without blocking for long.
  bool early_answer(response& out) {
    try {
      while (!done_) {
        if (c_.try_take(id_, result_)) {
          done_ = true;
          break;
        }
        pollfd p{c_.fd(), POLLIN, 0};
        if (::poll(&p, 1, 1000) <= 0) break;
        c_.receive();
      }
    } catch (const ctrd::error&) {
      try {  // the connection closed: the answer may still be among the bytes received
        done_ = done_ || c_.try_take(id_, result_);
      } catch (const ctrd::error&) {
      }
    }
    if (!done_) return false;
    out = result_;
    return true;
  }

 private:
  void send_chunk(std::size_t n) {
    while (!done_ && sent_ - acked_ + n > max_unacked) {
      pollfd p{c_.fd(), POLLIN, 0};
      if (::poll(&p, 1, -1) < 0 && errno != EINTR)
        throw ctrd::error(ctrd::ec::internal, "poll failed");
      if (p.revents != 0) c_.receive();
      if (c_.try_take(id_, result_)) done_ = true;
    }
    if (!done_ && c_.try_take(id_, result_)) done_ = true;
    if (done_) throw copy_aborted{};
    c_.notify("data", json{{"msgid", id_}, {"data", binary_value(buf_.data(), n)}});
    c_.flush();
    sent_ += n;
    buf_.erase(0, n);
  }

  client& c_;
  uint32_t id_ = 0;
  uint64_t sent_ = 0;
  uint64_t acked_ = 0;
  bool done_ = false;
  response result_;
  std::string buf_;
};

// Host -> container.
int copy_into_container(client& c, const cp_args& a, bool overwrite, bool archive) {
  const std::string& container = a.dst.container;
  path_state src;
  if (a.src.path != "-") src = host_state(a.src.path);
  path_state dest = container_state(c, container, a.dst.path);
  path_state parent;
  if (dest.kind == node_kind::missing)
    parent =
        container_state(c, container, path_dir(dest.resolved.empty() ? a.dst.path : dest.resolved));
  copy_in_plan plan = plan_copy_in(a.src.path, src, container, a.dst.path, dest, parent);

  tar_sender sender(c, json{{"container", container},
                            {"path", plan.dest_dir},
                            {"overwrite", overwrite},
                            {"chown", archive}});
  response r;
  try {
    if (plan.from_stdin) {
      char buf[65536];
      for (;;) {
        ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw ctrd::error(ctrd::ec::internal, "cannot read stdin: " + error_text(errno));
        if (n == 0) break;
        sender.push(buf, static_cast<std::size_t>(n));
      }
    } else {
      ctrd::fs::unique_fd root = ctrd::fs::open_root("/");
      ctrd::fs::tar_out_options opt;
      opt.top_name = plan.top_name;
      ctrd::fs::tar_out(
          root.get(), src.resolved, [&](const char* d, std::size_t n) { sender.push(d, n); }, opt);
    }
    r = sender.finish();
  } catch (const copy_aborted&) {
    sender.early_answer(r);
  } catch (const ctrd::error& e) {
    if (!sender.early_answer(r) || r.ok()) {
      print_error(e.what());
      return ctrd::exit_code_for(e.code());
    }
  }
  if (!r.ok()) {
    print_error(r.message());
    return exit_code_of(r.error);
  }
  return 0;
}

// Container -> host.
int copy_from_container(client& c, const cp_args& a, bool overwrite) {
  const std::string& container = a.src.container;
  path_state src = container_state(c, container, a.src.path);
  if (src.kind == node_kind::missing)
    throw ctrd::error(
        ctrd::ec::no_such_file,
        "\"" + a.src.path + "\" could not be found on container " + container + ": " + src.error);
  path_state dest, parent;
  if (a.dst.path != "-") {
    dest = host_state(a.dst.path);
    if (dest.kind == node_kind::missing) parent = host_state(path_dir(a.dst.path));
  }
  copy_out_plan plan =
      plan_copy_out(a.src.path, src.kind == node_kind::directory, a.dst.path, dest, parent);
  // A path given with "/." keeps it: the `name` "." already says "contents".
  json params{{"container", container}, {"path", src.resolved}, {"name", plan.name}};

  if (plan.to_stdout) {
    output_target target("-");
    return stream_into(c, "copy_out", params, target);
  }

  std::string pending;
  std::size_t offset = 0;
  bool done = false;
  response r;
  uint32_t id = c.send_raw("copy_out", params, [&](const std::string& method, const json& p) {
    const char* d = nullptr;
    std::size_t n = 0;
    if (method != "data" || !data_of(p, d, n)) return;
    if (offset == pending.size()) {
      pending.clear();
      offset = 0;
    }
    pending.append(d, n);
  });
  c.flush();
  auto source = [&](char* buf, std::size_t cap) -> std::size_t {
    while (offset == pending.size() && !done) {
      if (c.try_take(id, r)) {
        done = true;
        break;
      }
      if (offset == pending.size()) c.receive();
    }
    std::size_t n = std::min(cap, pending.size() - offset);
    // NOLINTNEXTLINE(bugprone-not-null-terminated-result): tar bytes, not a string
    std::memcpy(buf, pending.data() + offset, n);
    offset += n;
    return n;
  };
  try {
    ctrd::fs::unique_fd root = ctrd::fs::open_root("/");
    ctrd::fs::tar_in_options opt;
    opt.owner = std::make_pair(::getuid(), ::getgid());
    opt.overwrite = overwrite;
    ctrd::fs::tar_in(root.get(), plan.extract_dir, source, opt);
    while (!done) {  // the tar's end may come before ctrd's answer
      offset = pending.size();
      if (c.try_take(id, r))
        done = true;
      else
        c.receive();
    }
  } catch (const ctrd::error& e) {
    if (!done || r.ok()) {
      print_error(e.what());
      return ctrd::exit_code_for(e.code());
    }
  }
  if (!r.ok()) {
    print_error(r.message());
    return exit_code_of(r.error);
  }
  return 0;
}

}  // namespace

runner add_cp(CLI::App& app) {
  struct options {
    std::string src;
    std::string dst;
    bool overwrite = false;
    bool archive = true;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("cp", "Copy files between a container and the host");
  sub->add_flag("--overwrite", o->overwrite,
                "Allow replacing a directory with a non-directory and the reverse");
  sub->add_flag("-a,--archive", o->archive,
                "Chown copied files to the container's user (default true; --archive=false "
                "keeps the owners from the host)");
  sub->add_option("SRC", o->src, "[CONTAINER:]PATH, or - for a tar on stdin")->required();
  sub->add_option("DST", o->dst, "[CONTAINER:]PATH, or - for a tar on stdout")->required();
  sub->footer(
      "Exactly one of SRC and DST is CONTAINER:PATH. An existing directory as DST receives "
      "the source under its name (its contents for SRC ending in /.); a missing DST is "
      "created with that name.");
  return [o](context& ctx) {
    cp_args a = parse_cp_args(o->src, o->dst);
    client c;
    connect_waiting(c, ctx);
    if (a.into_container) return copy_into_container(c, a, o->overwrite, o->archive);
    return copy_from_container(c, a, o->overwrite);
  };
}

}  // namespace ctl
