#include "runtime/seccomp_filter.hpp"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "messages/capabilities.hpp"
#include "messages/error.hpp"

namespace ctrd::seccomp {
namespace {

[[noreturn]] void fail(const std::string& origin, const std::string& what) {
  throw error(ec::invalid_argument, "invalid seccomp profile " + origin + ": " + what);
}

uint32_t action_value(action a, int errno_ret, int default_errno) {
  int e = errno_ret >= 0 ? errno_ret : default_errno;
  switch (a) {
    case action::allow:
      return SCMP_ACT_ALLOW;
    case action::errno_ret:
      return SCMP_ACT_ERRNO(static_cast<uint16_t>(e));
    case action::kill_thread:
      return SCMP_ACT_KILL_THREAD;
    case action::kill_process:
      return SCMP_ACT_KILL_PROCESS;
    case action::trap:
      return SCMP_ACT_TRAP;
    case action::trace:
      return SCMP_ACT_TRACE(static_cast<uint16_t>(e));
    case action::log:
      return SCMP_ACT_LOG;
  }
  return SCMP_ACT_KILL_PROCESS;
}

scmp_compare compare_value(compare c) {
  switch (c) {
    case compare::ne:
      return SCMP_CMP_NE;
    case compare::lt:
      return SCMP_CMP_LT;
    case compare::le:
      return SCMP_CMP_LE;
    case compare::eq:
      return SCMP_CMP_EQ;
    case compare::ge:
      return SCMP_CMP_GE;
    case compare::gt:
      return SCMP_CMP_GT;
    case compare::masked_eq:
      return SCMP_CMP_MASKED_EQ;
  }
  return SCMP_CMP_EQ;
}

/// "SCMP_ARCH_X86_64" -> libseccomp's token, 0 if unknown.
uint32_t arch_token(const std::string& name) {
  std::string n = name.rfind("SCMP_ARCH_", 0) == 0 ? name.substr(10) : name;
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  return seccomp_arch_resolve_name(n.c_str());
}

/// The Go name of this machine's architecture, as includes/excludes.arches spell it.
const char* go_arch() {
  switch (seccomp_arch_native()) {
    case SCMP_ARCH_X86_64:
      return "amd64";
    case SCMP_ARCH_AARCH64:
      return "arm64";
    case SCMP_ARCH_X86:
      return "386";
    case SCMP_ARCH_ARM:
      return "arm";
    default:
      return "";
  }
}

/// (major, minor) of the running kernel.
std::pair<int, int> kernel_version() {
  static const std::pair<int, int> v = [] {
    struct utsname u;
    int major = 0, minor = 0;
    if (::uname(&u) == 0) std::sscanf(u.release, "%d.%d", &major, &minor);
    return std::make_pair(major, minor);
  }();
  return v;
}

bool has_all(const std::vector<std::string>& caps, uint64_t set) {
  for (const auto& c : caps) {
    int n = capability_number(c);
    if (n < 0 || !(set & (uint64_t{1} << n))) return false;
  }
  return true;
}

bool has_any(const std::vector<std::string>& caps, uint64_t set) {
  for (const auto& c : caps) {
    int n = capability_number(c);
    if (n >= 0 && (set & (uint64_t{1} << n))) return true;
  }
  return false;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

/// Whether `r` applies on this machine to a container with `caps`.
bool applies(const rule& r, uint64_t caps, const std::string& origin) {
  if (!r.include_caps.empty() && !has_all(r.include_caps, caps)) return false;
  if (has_any(r.exclude_caps, caps)) return false;
  std::string arch = go_arch();
  if (!r.include_arches.empty() && !contains(r.include_arches, arch)) return false;
  if (contains(r.exclude_arches, arch)) return false;
  if (!r.min_kernel.empty()) {
    int major = 0, minor = 0;
    if (std::sscanf(r.min_kernel.c_str(), "%d.%d", &major, &minor) < 1)
      fail(origin, "minKernel \"" + r.min_kernel + "\" is not a version like 5.8");
    if (kernel_version() < std::make_pair(major, minor)) return false;
  }
  return true;
}

struct filter_ctx {
  scmp_filter_ctx ctx;
  explicit filter_ctx(uint32_t def) : ctx(seccomp_init(def)) {}
  ~filter_ctx() {
    if (ctx) seccomp_release(ctx);
  }
};

void add_arches(scmp_filter_ctx ctx, const profile& p) {
  auto add = [&](const std::string& name) {
    uint32_t t = arch_token(name);
    if (t != 0) seccomp_arch_add(ctx, t);  // -EEXIST for the native one: fine
  };
  for (const auto& a : p.architectures) add(a);
  for (const auto& e : p.arch_map) {
    if (arch_token(e.arch) != seccomp_arch_native()) continue;
    for (const auto& s : e.sub_arches) add(s);
  }
}

void add_rule(scmp_filter_ctx ctx, const rule& r, uint32_t act, const std::string& origin) {
  std::vector<scmp_arg_cmp> conds;
  bool repeated = false;
  for (const auto& a : r.args) {
    for (const auto& c : conds)
      if (c.arg == a.index) repeated = true;
    conds.push_back({a.index, compare_value(a.op), a.value, a.value_two});
  }
  for (const auto& name : r.names) {
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) continue;  // unknown here: skipped, as podman does
    auto add = [&](unsigned n, const scmp_arg_cmp* c) {
      int rc = seccomp_rule_add_array(ctx, act, nr, n, c);
      if (rc < 0 && rc != -EEXIST)
        fail(origin, "libseccomp refuses the rule for " + name + ": " + std::strerror(-rc));
    };
    if (!repeated) {
      add(static_cast<unsigned>(conds.size()), conds.data());
    } else {
      // One argument compared more than once: each comparison a rule of its own (runc's
      // and podman's reading; libseccomp cannot compare an argument twice in one rule).
      for (const auto& c : conds) add(1, &c);
    }
  }
}

/// The BPF program of `ctx`, exported through a memory file.
std::vector<sock_filter> export_program(scmp_filter_ctx ctx, const std::string& origin) {
  int fd = ::memfd_create("ctrd-seccomp", MFD_CLOEXEC);
  if (fd < 0) throw error(ec::internal, std::string("memfd_create: ") + std::strerror(errno));
  std::vector<char> bytes;
  int rc = seccomp_export_bpf(ctx, fd);
  if (rc == 0) {
    off_t size = ::lseek(fd, 0, SEEK_END);
    bytes.resize(size > 0 ? static_cast<std::size_t>(size) : 0);
    if (size <= 0 || ::pread(fd, bytes.data(), bytes.size(), 0) != size) rc = -EIO;
  }
  ::close(fd);
  if (rc < 0) fail(origin, std::string("cannot export the filter: ") + std::strerror(-rc));
  std::vector<sock_filter> code(bytes.size() / sizeof(sock_filter));
  std::memcpy(code.data(), bytes.data(), code.size() * sizeof(sock_filter));
  if (code.empty() || code.size() > BPF_MAXINSNS)
    fail(origin, "the filter has " + std::to_string(code.size()) +
                     " instructions: the kernel takes at most " + std::to_string(BPF_MAXINSNS));
  return code;
}

}  // namespace

program compile(const profile& p, uint64_t caps, const std::string& origin) {
  uint32_t def = action_value(p.default_action, -1, p.default_errno);
  filter_ctx f(def);
  if (!f.ctx) fail(origin, "libseccomp cannot create a filter with its default action");
  // ctrd sets no_new_privs itself when asked (confinement.hpp); the filter is loaded
  // while CAP_SYS_ADMIN is effective otherwise.
  seccomp_attr_set(f.ctx, SCMP_FLTATR_CTL_NNP, 0);
  // A binary tree of system call numbers instead of a linear list: each call takes
  // O(log n) comparisons, and so does the kernel's emulation of the filter for every
  // system call number when it is attached (its allow cache), the main cost of loading it.
  seccomp_attr_set(f.ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  add_arches(f.ctx, p);
  for (const auto& r : p.rules) {
    if (!applies(r, caps, origin)) continue;
    uint32_t act = action_value(r.act, r.errno_ret, EPERM);
    if (act == def) continue;  // libseccomp refuses rules that repeat the default
    add_rule(f.ctx, r, act, origin);
  }
  program out;
  out.code = export_program(f.ctx, origin);
  return out;
}

profile load_profile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw error(ec::invalid_argument,
                "seccomp profile \"" + path + "\" cannot be read: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > (16u << 20))
    throw error(ec::invalid_argument, "seccomp profile \"" + path + "\" is larger than 16 MiB");
  return parse_profile(text.str(), "\"" + path + "\"");
}

std::shared_ptr<const program> cache::get(const std::string& ref, uint64_t caps) {
  key k{ref, 0, 0, 0, 0, caps};
  if (!ref.empty()) {
    struct stat st;
    if (::stat(ref.c_str(), &st) != 0)
      throw error(ec::invalid_argument,
                  "seccomp profile \"" + ref + "\" cannot be read: " + std::strerror(errno));
    k = key{ref,
            static_cast<uint64_t>(st.st_dev),
            static_cast<uint64_t>(st.st_ino),
            static_cast<int64_t>(st.st_size),
            static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
            caps};
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = programs_.find(k); it != programs_.end()) return it->second;
  auto prog = std::make_shared<const program>(
      ref.empty() ? compile(default_profile(), caps, "(ctrd's default)")
                  : compile(load_profile(ref), caps, "\"" + ref + "\""));
  if (programs_.size() >= 256) programs_.clear();  // bounded: changed files, many cap sets
  programs_.emplace(k, prog);
  ++compilations_;
  return prog;
}

uint64_t cache::compilations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return compilations_;
}

}  // namespace ctrd::seccomp
