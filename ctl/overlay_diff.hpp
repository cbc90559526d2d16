// `ctrctl diff`: the changes in an overlay container's upper layer against its rootfs (the
// lower layer), as podman reports them (containers/storage's overlay changes): "A" added,
// "C" changed, "D" deleted. Whiteouts are character devices 0/0; an opaque directory
// (xattr trusted.overlay.opaque or user.overlay.opaque = "y") hides the lower directory's
// contents: it is changed, each lower entry not in the upper one is deleted, and everything
// in it is added. Reads the two directories only; no CAF, no daemon.
#pragma once

#include <string>
#include <vector>

#include "messages/value_codec.hpp"

namespace ctl {

/// One change: kind 'A', 'C' or 'D' and the path inside the container ("/etc/hosts").
struct fs_change {
  char kind;
  std::string path;
  bool operator==(const fs_change& o) const { return kind == o.kind && path == o.path; }
};

/// The changes of `upper` over `lower`, sorted by path. Throws ctrd::error{internal}
/// naming the directory when `upper` cannot be read.
std::vector<fs_change> overlay_changes(const std::string& upper, const std::string& lower);

/// podman's text: one "K /path" line per change.
std::string changes_text(const std::vector<fs_change>& changes);

/// podman's `diff --format json`: {"changed": [...], "added": [...], "deleted": [...]}.
ctrd::json changes_json(const std::vector<fs_change>& changes);

}  // namespace ctl
