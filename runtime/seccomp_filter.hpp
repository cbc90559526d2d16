// Compiles seccomp profiles (seccomp_profile.hpp) into BPF programs with libseccomp, once:
// the cache keeps each program per profile file (its identity and modification time) and
// capability set, so a restart does not compile again. The child installs the program
// with the raw seccomp(2) call (runtime/confinement.hpp). CAF-free; thread-safe.
#pragma once

#include <linux/filter.h>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "runtime/seccomp_profile.hpp"

namespace ctrd::seccomp {

/// A compiled filter, ready for SECCOMP_SET_MODE_FILTER.
struct program {
  std::vector<sock_filter> code;
  sock_fprog fprog() const {
    return {static_cast<unsigned short>(code.size()), const_cast<sock_filter*>(code.data())};
  }
};

/// Compiles `p` for the capability set `caps` (bit n = capability n: decides includes and
/// excludes by capability) on this machine's architecture and kernel. System calls that
/// libseccomp does not know are skipped. Throws ctrd::error{ec::invalid_argument} naming
/// `origin` when libseccomp refuses the profile.
program compile(const profile& p, uint64_t caps, const std::string& origin);

/// Reads and parses a profile file (`path` absolute). Throws ctrd::error{invalid_argument}
/// with a clear message when it is missing, unreadable or invalid.
profile load_profile(const std::string& path);

/// Compiled programs by profile and capability set.
class cache {
 public:
  /// The program for `profile_ref`: "" = ctrd's default profile, else the path of a JSON
  /// profile (read and compiled when it is new or changed since). Throws ctrd::error as
  /// load_profile and compile do.
  std::shared_ptr<const program> get(const std::string& profile_ref, uint64_t caps);

  /// Number of compilations so far (tests: a restart must not compile again).
  uint64_t compilations() const;

 private:
  // path, device, inode, size, mtime (ns), capabilities
  using key = std::tuple<std::string, uint64_t, uint64_t, int64_t, int64_t, uint64_t>;
  mutable std::mutex mu_;
  std::map<key, std::shared_ptr<const program>> programs_;
  uint64_t compilations_ = 0;
};

}  // namespace ctrd::seccomp
