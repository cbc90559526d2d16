// Property: no sequence of client frames makes ctrd stop answering. Seeded random batches
// of well-framed requests (every method, wrong types, empty/huge/unicode strings, id
// prefixes, extreme integers, nested values), notifications on any route, garbage frames,
// half frames, abrupt disconnects and pipelined requests are sent to a live ctrd with real
// containers; after every batch a fresh connection's hello + list must be answered and no
// actor may have died of an exception.
//
// CTRD_PROPERTY_SEED=<n> replays a run, CTRD_PROPERTY_BATCHES=<n> makes it longer (CI runs
// the default). Every container lives in a busybox root of the test's own, and every
// command sent is harmless inside it.
#include <catch2/catch.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/frame.hpp"
#include "messages/rpc.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/rpc_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace protocol_property_test {

using ctrd::test::live_daemon;
using ctrd::test::rpc_client;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> methods = {
    "hello",           "version",       "create",  "list",         "init",
    "start",           "stop",          "kill",    "restart",      "remove",
    "inspect",         "wait",          "logs",    "healthcheck",  "reload",
    "attach",          "detach",        "resize",  "events",       "pause",
    "unpause",         "stats",         "mount",   "unmount",      "stat",
    "export",          "copy_out",      "copy_in", "artifact_add", "artifact_get",
    "artifact_remove", "artifact_list", "exec",    "frobnicate",   ""};

const std::vector<std::string> keys = {
    "container", "all",       "sync",       "signal",  "timeout", "command",     "name",
    "path",      "data",      "follow",     "since",   "until",   "tail",        "msgid",
    "rows",      "cols",      "conditions", "filters", "stream",  "interactive", "tty",
    "attach",    "logs",      "force",      "version", "chunked", "env",         "labels",
    "eof",       "overwrite", "timestamps", "restart", "workdir", "user"};

const std::vector<std::vector<std::string>> safe_commands = {
    {"/bin/true"},
    {"/bin/sleep", "1000"},
    {"/bin/cat"},
    {"/bin/sh", "-c", "echo hi; exit 3"},
    {"/bin/sh", "-c", "yes | head -c 300000"},
    {"/bin/nonexistent"}};

struct generator {
  std::mt19937_64 rng;
  std::vector<std::string> refs;  // names and ids (and prefixes) of real containers

  explicit generator(uint64_t seed) : rng(seed) {}

  uint64_t below(uint64_t n) { return n == 0 ? 0 : rng() % n; }
  bool chance(int percent) { return below(100) < static_cast<uint64_t>(percent); }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }

  std::string text() {
    switch (below(7)) {
      case 0:
        return "";
      case 1:
        return std::string(below(2) ? 1u << 20 : 70000, 'x');
      case 2:
        return "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x90\xb3";
      case 3:
        return "\xff\xfe invalid utf-8";
      case 4:
        return refs.empty() ? "nope" : pick(refs);
      case 5:
        return refs.empty() ? "a" : pick(refs).substr(0, 1 + below(4));
      default:
        return "../../etc/passwd";
    }
  }

  json integer() {
    switch (below(6)) {
      case 0:
        return 0;
      case 1:
        return -1;
      case 2:
        return std::numeric_limits<int64_t>::min();
      case 3:
        return std::numeric_limits<uint64_t>::max();
      case 4:
        return 1u << 31;
      default:
        return below(40);
    }
  }

  json value(int depth = 0) {
    switch (below(depth > 2 ? 5 : 8)) {
      case 0:
        return nullptr;
      case 1:
        return chance(50);
      case 2:
        return integer();
      case 3:
        return text();
      case 4:
        return 1.5;
      case 5: {
        json a = json::array();
        for (auto n = below(4); n > 0; --n) a.push_back(value(depth + 1));
        return a;
      }
      case 6: {
        json m = json::object();
        for (auto n = below(4); n > 0; --n) m[pick(keys)] = value(depth + 1);
        return m;
      }
      default: {
        std::vector<uint8_t> b(below(300));
        for (auto& x : b) x = static_cast<uint8_t>(rng());
        return json::binary(b);
      }
    }
  }

  /// Parameters for `method`: mostly plausible, often wrong.
  json params(const std::string& method, const std::string& root) {
    json p = json::object();
    if (chance(80)) p["container"] = refs.empty() || chance(20) ? json(text()) : json(pick(refs));
    for (auto n = below(5); n > 0; --n) p[pick(keys)] = value();
    if (method == "hello" && chance(70)) p["version"] = ctrd::protocol_version;
    if (method == "create" || method == "exec") {
      // Keep whatever runs harmless: a command from the list, inside the test's root.
      p["command"] = pick(safe_commands);
      if (method == "create") {
        p["rootfs"] = root;
        p["stop_timeout"] = 1;
        p.erase("restart");
        p.erase("workdir");
        p.erase("user");
        if (chance(50)) p["name"] = "p" + std::to_string(below(30));
      }
    }
    if ((method == "stop" || method == "restart") && p.contains("timeout") &&
        p["timeout"].is_number_unsigned())
      p["timeout"] = below(3);  // a container ignoring SIGTERM must not hold teardown
    return p;
  }
};

/// A client connection that may misbehave; writes never block the test.
struct conn {
  std::unique_ptr<rpc_client> c;
  std::vector<uint32_t> msgids;

  void send(const std::string& bytes) {
    if (!c || !c->connected()) return;
    std::size_t off = 0;
    for (int tries = 0; off < bytes.size() && tries < 50; ++tries) {
      auto n = ::send(c->fd(), bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        off += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EINTR) return c->close();
      drain();
      std::this_thread::sleep_for(2ms);
    }
  }

  /// Reads and discards what ctrd sent so far.
  void drain() {
    if (!c || !c->connected()) return;
    char buf[65536];
    for (;;) {
      auto n = ::recv(c->fd(), buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) continue;
      if (n == 0) c->close();
      return;
    }
  }
};

std::string framed(const std::string& body) {
  std::string out;
  ctrd::append_frame(out, body);
  return out;
}

/// One random action on one of the connections.
void act(generator& g, std::vector<conn>& conns, const std::string& socket,
         const std::string& root) {
  auto& k = conns[g.below(conns.size())];
  if (!k.c || !k.c->connected() || g.chance(5)) {
    k = conn{std::make_unique<rpc_client>(socket), {}};
    if (g.chance(85))
      k.send(ctrd::encode_request(1, "hello", json{{"version", ctrd::protocol_version}}));
    return;
  }
  auto msgid = static_cast<uint32_t>(g.chance(10) ? g.rng() : 2 + g.below(200));
  switch (g.below(10)) {
    case 0: {  // a notification, on a route of this connection or anywhere
      static const std::vector<std::string> notes = {"stdin", "resize", "data", "detach", "bogus"};
      json p = json::object();
      for (auto n = g.below(4); n > 0; --n) p[g.pick(keys)] = g.value();
      if (!k.msgids.empty() && g.chance(70)) p["msgid"] = g.pick(k.msgids);
      k.send(ctrd::encode_notification(g.pick(notes), p));
      break;
    }
    case 1: {  // garbage inside a frame, or a body that is not an RPC envelope
      std::string body(g.below(64), '\0');
      for (auto& ch : body) ch = static_cast<char>(g.rng());
      if (g.chance(50)) body = ctrd::encode_msgpack(g.value());
      k.send(framed(body));
      break;
    }
    case 2:  // half a frame, then (maybe) hang up
      k.send(ctrd::encode_request(msgid, "list", json{{"all", true}}).substr(0, 3 + g.below(10)));
      if (g.chance(50)) k.c->close();
      break;
    case 3:  // an unframeable header: this connection ends
      k.send(std::string("\x7f\xff\xff\xff", 4));
      break;
    case 4: {  // pipelined requests, not read
      std::string batch;
      for (auto n = 10 + g.below(400); n > 0; --n)
        batch += ctrd::encode_request(msgid++, g.chance(50) ? "list" : "inspect",
                                      g.params("inspect", root));
      k.send(batch);
      break;
    }
    case 5:
      k.drain();
      break;
    case 6:
      if (g.chance(30)) k.c->close();
      break;
    default: {  // a request
      auto method = g.pick(methods);
      auto p = g.params(method, root);
      if (g.chance(10)) {
        k.send(framed(
            ctrd::encode_msgpack(json::array({0, msgid, method, p}))));  // params not in an array
      } else {
        k.send(ctrd::encode_request(msgid, method, p));
      }
      k.msgids.push_back(msgid);
    }
  }
}

uint64_t env_number(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

}  // namespace

TEST_CASE("property: no sequence of client frames stops ctrd from answering", "[property]") {
  uint64_t seed = env_number("CTRD_PROPERTY_SEED", static_cast<uint64_t>(std::time(nullptr)));
  uint64_t batches = env_number("CTRD_PROPERTY_BATCHES", 12);
  std::string replay = "replay: CTRD_PROPERTY_SEED=" + std::to_string(seed) +
                       " CTRD_PROPERTY_BATCHES=" + std::to_string(batches) +
                       " tests/ctrd_integration_tests '[property]'";
  WARN("protocol property test, " << replay);
  ctrd::test::temp_dir rootdir;
  auto root = rootdir.path() + "/bb";
  std::filesystem::create_directories(root + "/bin");
  std::filesystem::copy_file("/bin/busybox", root + "/bin/busybox");
  for (const char* a : {"sh", "sleep", "true", "cat", "yes", "head", "echo", "ls"})
    std::filesystem::create_symlink("busybox", root + "/bin/" + a);
  live_daemon d;
  generator g(seed);
  for (const char* name : {"run1", "tty1"}) {
    d.ok({"run", "-d", "--name", name, "--rootfs", root, "--stop-timeout", "1", "-t", "-i",
          "/bin/sleep", "1000"});
    auto id = ctrd::test::inspect(d, name)["Id"].get<std::string>();
    g.refs.insert(g.refs.end(), {name, id, id.substr(0, 6)});
  }
  d.ok({"create", "--name", "made", "--rootfs", root, "/bin/true"});
  g.refs.push_back("made");
  for (uint64_t b = 0; b < batches; ++b) {
    std::vector<conn> conns(1 + g.below(4));
    for (int i = 0; i < 40; ++i) act(g, conns, d.socket(), root);
    for (auto& k : conns)
      if (g.chance(50)) k.drain();
    conns.clear();  // abrupt disconnects of whatever is still open
    INFO(replay << " (batch " << b << ")");
    REQUIRE(::kill(d.ctrd_pid(), 0) == 0);
    REQUIRE(ctrd::test::daemon_answers(d.socket(), 10s));
    auto log = d.log();
    REQUIRE(log.find("unhandled exception") == std::string::npos);
    REQUIRE(log.find("exception escaped") == std::string::npos);
  }
  // Exceptions that were contained are bugs too, if not fatal ones: show them.
  auto log = d.log();
  for (auto pos = log.find("a handler failed"); pos != std::string::npos;
       pos = log.find("a handler failed", pos + 1))
    WARN(log.substr(log.rfind('\n', pos) + 1, log.find('\n', pos) - log.rfind('\n', pos)));
  // Whatever the batches created is removed by the daemon's teardown (SIGTERM stops all).
}

}  // namespace protocol_property_test
