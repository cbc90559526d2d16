// Directory helpers shared by tar_out and tar_in: both work on directory descriptors only
// (never on host path strings), so these take a descriptor and a name relative to it.
#pragma once

#include <string>
#include <vector>

namespace ctrd::fs {

/// The names in the directory open as `dir`, other than "." and "..", in readdir order.
/// Throws ctrd::error{ec::internal} naming `what` on failure.
std::vector<std::string> list_dir(int dir, const std::string& what);

/// Removes `name` in the directory `parent`: a non-directory is unlinked, a directory is
/// emptied recursively through descriptors opened with O_NOFOLLOW (symlinks inside are
/// removed, never followed) and then removed. Throws ctrd::error{ec::internal} naming `what`.
void remove_tree(int parent, const std::string& name, const std::string& what);

}  // namespace ctrd::fs
