// The device build's one executable for the daemon and the client (CTRD_MULTICALL, as
// busybox does): installed as ctrd-daemon with ctrctl a hard link to it, so that what both
// use (the wire protocol, json, msgpack, CLI11, the C++ runtime) is on the device once.
// The name it is run by chooses the program: `ctrctl` is the client, any other name (the
// holder runs `ctrd-daemon`) the daemon.
#include <cstring>

#include "ctl/ctrctl_main.hpp"
#include "supervisor/daemon_main.hpp"

int main(int argc, char** argv) {
  const char* name = argc > 0 && argv[0] != nullptr ? argv[0] : "";
  if (const char* slash = std::strrchr(name, '/'); slash != nullptr) name = slash + 1;
  if (std::strcmp(name, "ctrctl") == 0) return ctrctl_main(argc, argv);
  return ctrd::daemon_main(argc, argv);
}
