// Persistent network namespaces (docs/network.md): a container's namespace is a bind mount
// of an nsfs file at <root>/netns/<id>, so it outlives the container's processes (a policy
// restart joins it again) and a crash of ctrd (the next ctrd adopts it). Created in the
// calling thread (unshare + bind mount + setns back): microseconds, no fork. CAF-free.
#pragma once

#include <string>

namespace ctrd::netns {

/// Creates a new network namespace bound at `path` (its directory must exist). An existing
/// namespace at `path` is kept (true: it was there). Throws ctrd::error naming the step.
bool create(const std::string& path);

/// True if `path` is a bound network namespace (nsfs).
bool exists(const std::string& path);

/// Unmounts (MNT_DETACH) and unlinks `path`; nothing if it is absent. Throws ctrd::error
/// naming the step that failed (not for ENOENT/EINVAL).
void remove(const std::string& path);

/// Switches the calling thread into the namespace at `path` until destroyed, then back.
/// Used around the clone of a container's process. Throws ctrd::error if it cannot enter.
class scoped_enter {
 public:
  explicit scoped_enter(const std::string& path);
  ~scoped_enter();
  scoped_enter(const scoped_enter&) = delete;
  scoped_enter& operator=(const scoped_enter&) = delete;

 private:
  int home_ = -1;
};

}  // namespace ctrd::netns
