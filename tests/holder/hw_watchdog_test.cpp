// The holder's hardware watchdog device (holder/hw_watchdog.hpp) against stand-ins of the
// test's own: a FIFO it reads (what a pet and the magic close write) and a plain file (a
// device that refuses the watchdog ioctls). The real kernel device is tested with softdog
// in tests/integration/watchdog_test.cpp.
#include <catch2/catch.hpp>

#include <cerrno>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "holder/holder.hpp"
#include "holder/hw_watchdog.hpp"
#include "tests/support/temp_dir.hpp"

using namespace ctrd::holder;
using ctrd::test::temp_dir;

namespace {

/// Everything readable from `fd` now (non-blocking).
std::string drain(int fd) {
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  return out;
}

}  // namespace

TEST_CASE("hw_watchdog: a FIFO device is petted and disarmed with the magic V", "[holder]") {
  temp_dir dir;
  auto fifo = dir / "watchdog";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  REQUIRE(reader >= 0);
  hw_watchdog w;
  std::string error, warning;
  REQUIRE(w.open(fifo, 4, error, warning));
  CHECK(error.empty());
  // A FIFO takes no WDIOC_SETTIMEOUT: said, and kept anyway with the timeout asked for.
  CHECK(warning.find("WDIOC_SETTIMEOUT") != std::string::npos);
  CHECK(warning.find(fifo) != std::string::npos);
  CHECK(w.is_open());
  CHECK(w.timeout() == 4);
  CHECK(::fcntl(w.fd(), F_GETFD) == FD_CLOEXEC);
  CHECK(drain(reader).size() == 1);  // open pets once
  CHECK(w.pet() == 0);
  CHECK(w.pet() == 0);
  auto pets = drain(reader);
  CHECK(pets.size() == 2);
  CHECK(pets.find('V') == std::string::npos);  // a pet never lets a close disarm
  w.keep_across_exec(true);
  CHECK(::fcntl(w.fd(), F_GETFD) == 0);
  w.keep_across_exec(false);
  CHECK(::fcntl(w.fd(), F_GETFD) == FD_CLOEXEC);
  CHECK(w.magic_close() == 0);
  CHECK_FALSE(w.is_open());
  CHECK(drain(reader) == "V");
  CHECK(w.pet() == EBADF);
  ::close(reader);
}

TEST_CASE("hw_watchdog: a plain file gets a warning and is still petted", "[holder]") {
  temp_dir dir;
  auto file = dir / "fake-watchdog";
  {
    int fd = ::open(file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    ::close(fd);
  }
  hw_watchdog w;
  std::string error, warning;
  REQUIRE(w.open(file, 0, error, warning));
  CHECK(warning.empty());   // no timeout asked: nothing refused
  CHECK(w.timeout() == 0);  // WDIOC_GETTIMEOUT gave nothing: unknown
  CHECK(w.pet() == 0);
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK(st.st_size == 2);
  CHECK(w.magic_close() == 0);
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK(st.st_size == 3);
}

TEST_CASE("hw_watchdog: a device that cannot be opened names the path and errno", "[holder]") {
  temp_dir dir;
  hw_watchdog w;
  std::string error, warning;
  auto missing = dir / "no-such-watchdog";
  CHECK_FALSE(w.open(missing, 10, error, warning));
  CHECK(error.find(missing) != std::string::npos);
  CHECK(error.find("No such file or directory") != std::string::npos);
  CHECK(error.find("errno 2") != std::string::npos);
  CHECK_FALSE(w.is_open());
  // A FIFO without a reader is refused instead of blocking the holder.
  auto fifo = dir / "lonely";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  error.clear();
  CHECK_FALSE(w.open(fifo, 10, error, warning));
  CHECK(error.find("errno 6") != std::string::npos);
}

TEST_CASE("hw_watchdog: adopt takes a descriptor across a re-exec", "[holder]") {
  temp_dir dir;
  auto fifo = dir / "watchdog";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);  // as the previous image left it
  REQUIRE(fd >= 0);
  hw_watchdog w;
  w.adopt(fifo, fd, 7);
  CHECK(w.fd() == fd);
  CHECK(w.timeout() == 7);
  CHECK(::fcntl(fd, F_GETFD) == FD_CLOEXEC);
  CHECK(w.pet() == 0);
  CHECK(w.magic_close() == 0);
  CHECK(drain(reader) == std::string("\0V", 2));
  ::close(reader);
}

TEST_CASE("hw_watchdog: the self-check period is half the timeout", "[holder]") {
  CHECK(alive_period_ms(2) == 1000);
  CHECK(alive_period_ms(60) == 30000);
  CHECK(alive_period_ms(0) == 30000);
  CHECK(parse_watchdog_timeout("1") == 1);
  CHECK(parse_watchdog_timeout("86400") == 86400);
  CHECK(parse_watchdog_timeout("0") == -1);
  CHECK(parse_watchdog_timeout("86401") == -1);
  CHECK(parse_watchdog_timeout("-5") == -1);
  CHECK(parse_watchdog_timeout("2s") == -1);
  CHECK(parse_watchdog_timeout("") == -1);
}

TEST_CASE("holder arguments: the watchdog flags in both spellings", "[holder]") {
  holder_options opt;
  CHECK(parse_holder_args({"--root", "/r", "--watchdog-device", "/dev/watchdog",
                           "--watchdog-timeout=20", "--init"},
                          opt)
            .empty());
  CHECK(opt.watchdog_device == "/dev/watchdog");
  CHECK(opt.watchdog_timeout == 20);
  CHECK(opt.init);
  CHECK_FALSE(opt.reboot);
  holder_options o2;
  CHECK(parse_holder_args({"--watchdog-device=/dev/watchdog1", "--watchdog-timeout", "5"}, o2)
            .empty());
  CHECK(o2.watchdog_device == "/dev/watchdog1");
  CHECK(o2.watchdog_timeout == 5);
  holder_options o3;
  CHECK(parse_holder_args({"--watchdog-device", "/w", "--watchdog-timeout", "0"}, o3)
            .find("invalid --watchdog-timeout \"0\"") != std::string::npos);
  holder_options o4;
  CHECK(parse_holder_args({"--watchdog-timeout", "5"}, o4).find("needs --watchdog-device") !=
        std::string::npos);
  holder_options o5;
  CHECK(parse_holder_args({"--watchdog-device"}, o5).find("needs a value") != std::string::npos);
  holder_options o6;
  CHECK(parse_holder_args({"--root", "/r"}, o6).empty());
  CHECK(o6.watchdog_device.empty());
  CHECK(o6.watchdog_timeout == 0);
}
