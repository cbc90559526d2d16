// I/O and events end to end: logs with rotation, tail; stdin,
// terminals, detach keys, several attachers, the replay seam; events history and order;
// every wait condition. Real ctrd, real ctrctl, real pipes and pseudo-terminals.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "messages/frame.hpp"
#include "messages/rpc.hpp"
#include "tests/support/daemon.hpp"

namespace io_test {

using ctrd::test::inspect;
using ctrd::test::live_daemon;
using ctrd::test::trim;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

void await_state(const live_daemon& d, const std::string& name, const std::string& state) {
  for (int i = 0; i < 500; ++i) {
    if (inspect(d, name)["State"]["Status"] == state) return;
    std::this_thread::sleep_for(10ms);
  }
  FAIL(name << " never reached " << state);
}

/// A raw protocol connection (after hello) for what ctrctl does not expose.
struct raw_client {
  int fd;
  uint32_t next = 1;
  explicit raw_client(const live_daemon& d) : fd(ctrd::test::connect_unix(d.socket())) {
    REQUIRE(fd >= 0);
    call("hello", json{{"version", 1}});
  }
  ~raw_client() { ::close(fd); }
  uint32_t send(const std::string& method, const json& params) {
    auto id = next++;
    ctrd::test::write_all(fd, ctrd::encode_request(id, method, params));
    return id;
  }
  void notify(const std::string& method, const json& params) {
    ctrd::test::write_all(fd, ctrd::encode_notification(method, params));
  }
  /// Reads until the response to `id`; output notifications are appended to `out`.
  ctrd::rpc_message until_response(uint32_t id, std::string* out = nullptr) {
    std::string body;
    for (;;) {
      REQUIRE(ctrd::test::read_frame(fd, body));
      auto m = ctrd::decode_rpc(body);
      if (m.kind == ctrd::rpc_kind::notification) {
        if (out && m.params.contains("data")) {
          const auto& b = m.params["data"].get_binary();
          out->append(b.begin(), b.end());
        }
        continue;
      }
      if (m.msgid == id) return m;
    }
  }
  json call(const std::string& method, const json& params) {
    auto m = until_response(send(method, params));
    INFO(m.error.dump());
    REQUIRE(m.error.is_null());
    return m.result;
  }
};

std::string rfc3339_now() {
  auto t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace

TEST_CASE("logs rotate by size, keep the newest files and tail across them", "[io]") {
  live_daemon d;
  // Rotation happens between chunks (<= 64 KiB each): 290 kB of output is at least 5 chunks.
  d.ok({"run", "--name", "chatty", "--log-opt", "max-size=2k", "--log-opt", "max-file=2", "seq",
        "1", "50000"});
  auto dir = d.root() + "/containers/" + inspect(d, "chatty")["Id"].get<std::string>();
  CHECK(std::filesystem::exists(dir + "/ctr.log.1"));
  CHECK(std::filesystem::exists(dir + "/ctr.log.2"));
  CHECK_FALSE(std::filesystem::exists(dir + "/ctr.log.3"));
  uint64_t total = 0;
  for (const auto& f : {"/ctr.log", "/ctr.log.1", "/ctr.log.2"})
    total += std::filesystem::file_size(dir + f);
  CHECK(total < 1800000);  // all 50000 records would be ~2 MB: old ones were dropped
  CHECK(d.ok({"logs", "--tail", "3", "chatty"}) == "49998\n49999\n50000");
  auto ts = d.ok({"logs", "-t", "--tail", "1", "chatty"});
  CHECK(ts.size() > 31);
  CHECK(ts.substr(ts.size() - 6) == " 50000");
}

TEST_CASE("logs --tail on a 100 MiB log reads only its end", "[io]") {
  live_daemon d;
  d.ok({"run", "--name", "big", "--log-opt", "max-size=0", "sh", "-c",
        "yes 0123456789012345678901234567890123456789012345678901234567890123456789 | head -c "
        "104857600; echo; echo last-line"});
  auto dir = d.root() + "/containers/" + inspect(d, "big")["Id"].get<std::string>();
  CHECK(std::filesystem::file_size(dir + "/ctr.log") > (100u << 20));
  auto t0 = std::chrono::steady_clock::now();
  auto r = d.ctl({"logs", "--tail", "1", "big"});
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(r.code == 0);
  CHECK(r.out == "last-line\n");
  CHECK(took < 3s);  // a full read would be ~100 MiB of parsing; a tail is one block
}

TEST_CASE("stdin reaches the container, with and without a terminal", "[io]") {
  live_daemon d;
  auto r = d.ctl({"run", "-i", "--rm", "cat"}, "hello\nworld\n");
  CHECK(r.code == 0);
  CHECK(r.out == "hello\nworld\n");
  auto t = d.ctl({"run", "-i", "-t", "--rm", "sh", "-c", "read x; echo got $x; tty"}, "abc\n");
  CHECK(t.code == 0);
  CHECK(t.out.find("got abc") != std::string::npos);
  CHECK(t.out.find("/dev/pts/") != std::string::npos);  // a real terminal
}

TEST_CASE("a terminal resize reaches the container", "[io]") {
  live_daemon d;
  raw_client c(d);
  c.call("create", json{{"name", "term"},
                        {"tty", true},
                        {"interactive", true},
                        {"command", {"sh", "-c", "read x; stty size"}}});
  auto id = c.send("start", json{{"container", "term"}, {"attach", true}});
  c.notify("resize", json{{"msgid", id}, {"rows", 33}, {"cols", 77}});
  c.notify("stdin", json{{"msgid", id}, {"data", json::binary({'\n'})}});
  std::string out;
  auto m = c.until_response(id, &out);
  CHECK(m.error.is_null());
  CHECK(out.find("33 77") != std::string::npos);
}

TEST_CASE("detach keys leave the container running and ctrctl exits 0", "[io]") {
  live_daemon d;
  d.ok({"run", "-d", "-i", "--name", "bg", "cat"});
  auto r = d.ctl({"attach", "bg"}, std::string("\x10\x11", 2));  // ctrl-p ctrl-q
  CHECK(r.code == 0);
  CHECK(inspect(d, "bg")["State"]["Status"] == "running");
  auto custom = d.ctl({"attach", "--detach-keys", "ctrl-x", "bg"}, std::string("\x18", 1));
  CHECK(custom.code == 0);
  CHECK(d.ctl({"attach", "--detach-keys", "ctrl-", "bg"}).code == 125);
  CHECK(inspect(d, "bg")["State"]["Status"] == "running");
}

TEST_CASE("two attachers get the same output, and --logs replays with no gap at the seam", "[io]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "counter", "sh", "-c",
        "i=0; while [ $i -lt 60 ]; do i=$((i+1)); echo $i; sleep 0.01; done"});
  std::this_thread::sleep_for(200ms);
  raw_client a(d), b(d);
  auto ia = a.send("attach", json{{"container", "counter"}, {"logs", true}});
  auto ib = b.send("attach", json{{"container", "counter"}});
  std::string out_a, out_b;
  CHECK(a.until_response(ia, &out_a).error.is_null());
  CHECK(b.until_response(ib, &out_b).error.is_null());
  std::string all;
  for (int i = 1; i <= 60; ++i) all += std::to_string(i) + "\n";
  CHECK(out_a == all);  // history + live, each line exactly once
  CHECK_FALSE(out_b.empty());
  CHECK(all.size() >= out_b.size());
  CHECK(all.compare(all.size() - out_b.size(), out_b.size(), out_b) == 0);  // a suffix
}

TEST_CASE("events: a policy restart is died, restart, init, start, and history survives a restart",
          "[io]") {
  live_daemon d;
  auto since = rfc3339_now();
  std::this_thread::sleep_for(1100ms);  // --since has second resolution here
  d.ok({"run", "-d", "--name", "ev", "--restart", "on-failure:1", "--restart-delay", "0", "sh",
        "-c", "exit 3"});
  for (int i = 0; i < 300 && inspect(d, "ev")["RestartCount"] != 1; ++i)
    std::this_thread::sleep_for(10ms);
  await_state(d, "ev", "exited");
  auto until = std::to_string(std::time(nullptr) + 1);
  std::this_thread::sleep_for(1100ms);
  auto read = [&] {
    auto r = d.ok({"events", "--since", since, "--until", until, "--filter", "container=ev",
                   "--format", "json"});
    std::vector<std::string> statuses;
    std::istringstream in(r);
    std::string line;
    while (std::getline(in, line)) {
      auto ev = json::parse(line);
      statuses.push_back(ev["Status"]);
      if (ev["Status"] == "died") CHECK(ev["ContainerExitCode"] == 3);
    }
    return statuses;
  };
  auto s = read();
  std::vector<std::string> want = {"create",  "init", "start", "died", "cleanup",
                                   "restart", "init", "start", "died", "cleanup"};
  CHECK(s == want);
  d.kill9();
  d.start();
  CHECK(read() == want);  // from the history file
}

TEST_CASE("wait conditions: every podman state and health", "[io]") {
  live_daemon d;
  d.ok({"create", "--name", "w", "--stop-timeout", "1", "--health-cmd", "true", "--health-interval",
        "100ms", "sh", "-c", "trap '' TERM; while :; do sleep 0.05; done"});
  CHECK(d.ok({"wait", "--condition", "created", "w"}) == "-1");
  CHECK(d.ok({"wait", "w"}) == "0");  // never started: 0, as podman
  auto bad = d.ctl({"wait", "--condition", "bogus", "w"});
  CHECK(bad.code == 125);
  d.ok({"init", "w"});
  CHECK(d.ok({"wait", "--condition", "initialized", "w"}) == "-1");
  std::thread starter([&] {
    std::this_thread::sleep_for(100ms);
    d.ok({"start", "w"});
  });
  CHECK(d.ok({"wait", "--condition", "running", "w"}) == "-1");
  starter.join();
  CHECK(d.ok({"wait", "--condition", "healthy", "w"}) == "-1");
  std::thread stopper([&] { d.ok({"stop", "w"}); });
  CHECK(d.ok({"wait", "--condition", "stopping", "w"}) == "-1");
  CHECK(d.ok({"wait", "--condition", "exited", "w"}) == "137");
  stopper.join();
  d.ok({"run", "-d", "--name", "plain", "sleep", "100"});
  CHECK(d.ctl({"wait", "--condition", "healthy", "plain"}).code == 125);  // no healthcheck
  std::thread killer([&] {
    std::this_thread::sleep_for(100ms);
    d.ok({"rm", "-f", "plain"});
  });
  auto gone = d.ctl({"wait", "--condition", "exited", "--condition", "removing", "plain"});
  killer.join();
  CHECK((gone.code == 0 || gone.code == 125));
}

TEST_CASE("daemon-wide log limits apply to containers that set none", "[io]") {
  live_daemon d({{"--log-max-size", "3k", "--log-max-files", "1"}});
  d.ok({"create", "--name", "dflt", "true"});
  d.ok({"create", "--name", "own", "--log-opt", "max-size=1m", "true"});
  auto a = inspect(d, "dflt")["HostConfig"]["LogConfig"];
  CHECK(a["Size"] == 3000);  // decimal units, as podman's --log-opt max-size
  CHECK(a["MaxFiles"] == 1);
  CHECK(inspect(d, "own")["HostConfig"]["LogConfig"]["Size"] == 1000000);
}

}  // namespace io_test
