#include "supervisor/service_watchdog.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>
#include <caf/scoped_actor.hpp>

#include "actors/atoms.hpp"
#include "messages/duration.hpp"
#include "messages/frame.hpp"
#include "messages/rpc.hpp"
#include "runtime/unix_address.hpp"

namespace ctrd {
namespace {

using clock = std::chrono::steady_clock;

std::string ms_text(std::chrono::milliseconds d) {
  return format_duration_ms(static_cast<uint64_t>(d.count()));
}

/// Milliseconds left until `deadline` (at least 0), for poll().
int left_ms(clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace

std::string hello_round_trip(const std::string& path, std::chrono::milliseconds budget) {
  auto deadline = clock::now() + budget;
  sockaddr_un addr;
  if (!unix_address(path, addr)) return "socket path " + path + " is too long";
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("cannot create a socket: ") + std::strerror(errno);
  struct closer {
    int fd;
    ~closer() { ::close(fd); }
  } guard{fd};
  // A full backlog (an acceptor that no longer accepts) makes connect wait: bound it.
  timeval tv{};
  tv.tv_sec = budget.count() / 1000;
  tv.tv_usec = static_cast<suseconds_t>((budget.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    return "cannot connect to " + path + ": " + std::strerror(errno);
  auto req = encode_request(1, "hello", json{{"version", protocol_version}, {"client", "ctrd"}});
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL | MSG_DONTWAIT) !=
      static_cast<ssize_t>(req.size()))
    return std::string("cannot send hello: ") + std::strerror(errno);
  frame_reader reader;
  std::string body;
  for (;;) {
    while (reader.next(body)) {
      auto m = decode_rpc(body);
      if (m.kind != rpc_kind::response || m.msgid != 1) continue;
      if (!m.error.is_null()) return "hello refused: " + m.error.dump();
      return {};
    }
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, left_ms(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return "no answer to hello within " + ms_text(budget);
    char buf[4096];
    auto got = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (got == 0) return "the connection was closed before the hello reply";
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return std::string("cannot read the hello reply: ") + std::strerror(errno);
    }
    reader.feed(buf, static_cast<std::size_t>(got));
  }
}

service_watchdog::service_watchdog(caf::actor_system& sys, const sd::notifier& n, targets t,
                                   hardware_pets hw)
    : sys_(sys), notifier_(n), targets_(std::move(t)), hw_(std::move(hw)) {}

service_watchdog::~service_watchdog() {
  stop();
}

void service_watchdog::start() {
  bool hardware = hw_.period.count() > 0 && hw_.alive;
  if ((!notifier_.enabled() && !hardware) || thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void service_watchdog::stop() {
  {
    std::lock_guard<std::mutex> g{mutex_};
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool service_watchdog::sleep_until(clock::time_point until) {
  std::unique_lock<std::mutex> g{mutex_};
  return !cv_.wait_until(g, until, [this] { return stopping_; });
}

bool service_watchdog::self_check(std::chrono::milliseconds budget, std::string& why) {
  auto deadline = clock::now() + budget;
  if (auto e = hello_round_trip(targets_.socket, budget); !e.empty()) {
    why = "control socket: " + e;
    return false;
  }
  auto left = [&] { return std::max(clock::duration::zero(), deadline - clock::now()); };
  auto failed = [&](const char* name, const caf::error& e) {
    why = std::string(name) + " did not answer within " + ms_text(budget) + " (" +
          caf::to_string(e) + ")";
  };
  bool ok = false;
  caf::scoped_actor self{sys_};
  self->request(targets_.supervisor, left(), ping_atom::value)
      .receive([&](bool) { ok = true; }, [&](const caf::error& e) { failed("the supervisor", e); });
  if (!ok) return false;
  ok = false;
  self->request(targets_.store, left(), flush_atom::value)
      .receive([&] { ok = true; }, [&](const caf::error& e) { failed("the store", e); });
  return ok;
}

void service_watchdog::run() {
  using std::chrono::milliseconds;
  const auto sd_period = notifier_.enabled()
                             ? std::chrono::duration_cast<milliseconds>(notifier_.watchdog_period())
                             : milliseconds(0);
  const bool hardware = hw_.period.count() > 0 && hw_.alive;
  // The self-check's period: the shorter of what the service manager and the hardware
  // watchdog need (either may be off).
  milliseconds period = sd_period;
  if (hardware && (period.count() <= 0 || hw_.period < period)) period = hw_.period;
  // Readiness: the first passing self-check (normally at once; retried every second).
  const milliseconds ready_budget =
      period.count() > 0 ? std::min(period / 2, milliseconds(5000)) : milliseconds(5000);
  for (;;) {
    std::string why;
    auto started = clock::now();
    if (self_check(ready_budget, why)) break;
    spdlog::warn("not ready{} yet: {}", notifier_.enabled() ? " for the service manager" : "", why);
    if (!sleep_until(started + std::chrono::seconds(1))) return;
  }
  // The check just passed: the first ping travels with READY=1.
  if (notifier_.enabled()) {
    std::string ready = "READY=1\nSTATUS=serving " + targets_.socket;
    if (sd_period.count() > 0) ready += "\nWATCHDOG=1";
    if (!notifier_.send(ready))
      spdlog::warn("sd_notify READY=1: {}", std::strerror(errno));
    else
      spdlog::info("told the service manager: READY=1");
  }
  if (hardware) hw_.alive();
  if (period.count() <= 0) return;
  if (sd_period.count() > 0)
    spdlog::info("watchdog: a self-check every {} (WATCHDOG_USEC/2)", ms_text(period));
  if (hardware)
    spdlog::info("hardware watchdog: a self-check every {}, each pass pets the device",
                 ms_text(period));
  bool failing = false;
  auto next = clock::now() + period;
  while (sleep_until(next)) {
    next += period;
    std::string why;
    if (self_check(period / 2, why)) {
      if (failing) spdlog::info("watchdog: the self-check passes again");
      failing = false;
      if (sd_period.count() > 0 && !notifier_.send("WATCHDOG=1"))
        spdlog::warn("sd_notify WATCHDOG=1: {}", std::strerror(errno));
      if (hardware) hw_.alive();
    } else if (!failing) {
      failing = true;
      spdlog::error("watchdog: self-check failed, no {}: {}",
                    hardware ? "pet of the hardware watchdog" : "WATCHDOG=1 sent", why);
    }
    if (next < clock::now()) next = clock::now() + period;  // a check that overran
  }
}

}  // namespace ctrd
