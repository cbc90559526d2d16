// `ctrd`: the holder (holder.hpp). Takes the same command line as the daemon, which it
// runs as ctrd-daemon (next to this binary, or $CTRD_DAEMON) with every argument as given;
// it reads only --init, --reboot, --log-target, --watchdog-device, --watchdog-timeout and
// --shutdown-timeout itself. --help, --version and every error in the arguments are the
// daemon's answer (the first daemon's exit before it is ready is the holder's exit).
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <unistd.h>

#include "holder/holder.hpp"
#include "runtime/log_target.hpp"

namespace {

std::string own_path() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

int main(int argc, char** argv) {
  ctrd::holder::holder_options opt;
  if (argc > 0 && argv[0] != nullptr) opt.argv0 = argv[0];
  for (int i = 1; i < argc; ++i) opt.args.emplace_back(argv[i]);
  if (auto problem = ctrd::holder::parse_holder_args(opt.args, opt); !problem.empty()) {
    std::fprintf(stderr, "ctrd: %s\n", problem.c_str());
    return 2;
  }
  // ctrd's own log: every line from here on, the daemon's included, goes there.
  if (auto why = ctrd::redirect_own_log(opt.log_target); !why.empty()) {
    ctrd::holder::log_line("critical", why);
    return 1;
  }
  opt.self_path = own_path();
  if (const char* d = std::getenv(ctrd::holder::daemon_env); d != nullptr && *d != '\0') {
    opt.daemon_path = d;
  } else {
    auto slash = opt.self_path.rfind('/');
    opt.daemon_path =
        (slash == std::string::npos ? std::string(".") : opt.self_path.substr(0, slash)) +
        "/ctrd-daemon";
  }
  if (::access(opt.daemon_path.c_str(), X_OK) != 0) {
    ctrd::holder::log_line("critical", "cannot run the daemon " + opt.daemon_path + ": " +
                                           std::strerror(errno) + " (set " +
                                           ctrd::holder::daemon_env + " to its path)");
    return 1;
  }
  ctrd::holder::holder_process holder(std::move(opt));
  return holder.run();
}
