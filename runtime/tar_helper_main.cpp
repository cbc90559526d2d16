// ctrd-tar: the tar streams of `export` and `cp`, in a process of their own so that ctrd
// does not link libarchive (and its libxml2 and ICU). ctrd runs one per job through its
// spawner; the protocol is in runtime/tar_job.hpp. The work is the same code ctrd ran in
// a thread before: fs::tar_out / fs::tar_in confined to the root on descriptor 3, as the
// host ids of an idmapped root when the job says so.
#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "runtime/fs_root.hpp"
#include "runtime/tar_job.hpp"
#include "runtime/tar_stream.hpp"
#include "runtime/userns.hpp"

namespace {

using namespace ctrd;

/// Writes all of `data` to `fd`; false when the reader went away.
bool write_all(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

/// The client (through ctrd) stopped reading: nothing is left to report to.
struct reader_gone {};

tarjob::tar_status run(const tarjob::tar_job_spec& spec) {
  tarjob::tar_status st;
  int root = tarjob::root_fd;
  if (!spec.in) {
    fs::tar_out_options opt;
    opt.top_name = spec.top_name;
    opt.skip_virtual_fs = spec.skip_virtual_fs;
    if (spec.owner) opt.owner = spec.owner;
    fs::tar_out(
        root, spec.path,
        [&](const char* d, std::size_t n) {
          if (!write_all(1, d, n)) throw reader_gone{};
          st.bytes += n;
        },
        opt);
    st.ok = true;
    return st;
  }
  fs::tar_in_options opt;
  opt.overwrite = spec.overwrite;
  if (spec.owner) opt.owner = spec.owner;
  if (!spec.uid_map.empty())
    opt.map_ids = [&](uid_t& uid, gid_t& gid) {
      uint32_t hu, hg;
      if (!map_to_host(spec.uid_map, uid, hu) || !map_to_host(spec.gid_map, gid, hg)) return false;
      uid = hu;
      gid = hg;
      return true;
    };
  auto source = [](char* buf, std::size_t cap) -> std::size_t {
    for (;;) {
      ssize_t n = ::read(0, buf, cap);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR)
        throw error(ec::internal, std::string("cannot read the archive: ") + std::strerror(errno));
    }
  };
  std::optional<fs_ids_scope> mapped;  // ctrd's root is not mapped in an idmapped root
  if (!spec.uid_map.empty()) mapped.emplace(spec.fs_uid, spec.fs_gid);
  auto r = fs::tar_in(root, spec.path, source, opt);
  st.ok = true;
  st.entries = r.entries;
  st.bytes = r.bytes;
  return st;
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);  // a reader that went away is an EPIPE, handled above
  tarjob::tar_status st;
  int code = 0;
  try {
    auto spec = tarjob::from_args(std::vector<std::string>(argv + 1, argv + argc));
    if (::fcntl(tarjob::root_fd, F_GETFD) < 0)
      throw error(ec::internal, "ctrd-tar: no root directory on descriptor 3 (run by ctrd only)");
    st = run(spec);
  } catch (const reader_gone&) {
    st.code = ec::internal;
    st.message = "the archive's reader went away";
    code = 1;
  } catch (const error& e) {
    st.code = e.code();
    st.message = e.what();
    code = 1;
  } catch (const std::exception& e) {
    st.code = ec::internal;
    st.message = e.what();
    code = 1;
  }
  ::close(1);  // the end of the archive before the status
  auto line = tarjob::encode_status(st);
  write_all(2, line.data(), line.size());
  return code;
}
