#include "tests/support/rootfs.hpp"

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/process.hpp"

namespace ctrd::test {

std::string rootfs_prerequisite() {
  if (::geteuid() != 0) return "needs root (namespaces, pivot_root, cgroups)";
  if (::access(busybox_path, X_OK) != 0)
    return "needs busybox-static at /bin/busybox for the test rootfs";
  return "";
}

std::string make_busybox_rootfs(const std::string& dir, bool with_probe) {
  namespace fsys = std::filesystem;
  auto root = fsys::path(dir) / "rootfs";
  for (const char* d : {"bin", "etc", "proc", "sys", "dev", "tmp", "root"})
    fsys::create_directories(root / d);
  fsys::copy_file(busybox_path, root / "bin" / "busybox");
  auto list = run_process({busybox_path, "--list"});
  std::istringstream in(list.out);
  for (std::string applet; std::getline(in, applet);)
    if (!applet.empty() && applet != "busybox")
      fsys::create_symlink("busybox", root / "bin" / applet);
  std::ofstream(root / "etc" / "marker") << "inside-the-container\n";
  std::ofstream(root / "etc" / "passwd") << "root:x:0:0:root:/root:/bin/sh\n";
#ifdef CTRD_ESCAPE_PROBE
  if (with_probe) fsys::copy_file(CTRD_ESCAPE_PROBE, root / "bin" / "probe");
#else
  (void)with_probe;
#endif
  return root.string();
}

}  // namespace ctrd::test
