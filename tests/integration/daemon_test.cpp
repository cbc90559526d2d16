// The daemon itself: crash recovery, durability, refusal of a second instance, shutdown,
// malformed frames, and the documented Python client.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <chrono>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "messages/frame.hpp"
#include "messages/rpc.hpp"
#include "tests/support/daemon.hpp"

namespace daemon_test {

using ctrd::test::inspect;
using ctrd::test::live_daemon;
using json = nlohmann::json;

namespace {}  // namespace

TEST_CASE("kill -9 of ctrd loses nothing acknowledged and nothing shows running falsely",
          "[daemon]") {
  live_daemon d;
  d.ok({"create", "--name", "configured", "true"});
  d.ok({"run", "-d", "--name", "survivor", "sleep", "100"});
  auto go = d.dir() / "go";
  d.ok({"run", "-d", "--name", "short", "sh", "-c",
        "while [ ! -e " + go + " ]; do sleep 0.01; done"});
  d.ok({"run", "-d", "--name", "gone", "true"});
  d.ok({"rm", "-f", "gone"});
  int survivor_pid = inspect(d, "survivor")["State"]["Pid"];
  int short_pid = inspect(d, "short")["State"]["Pid"];
  d.kill9();
  std::ofstream(go).put('x');  // "short" ends while ctrd is down
  for (int i = 0; i < 500 && ctrd::test::process_alive(short_pid); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(ctrd::test::process_alive(survivor_pid));
  d.start();
  auto all = json::parse(d.ok({"ps", "-a", "--format", "json"}));
  CHECK(all.size() == 3);
  CHECK(d.ctl({"inspect", "gone"}).code == 125);  // an acknowledged rm stays done
  CHECK(inspect(d, "configured")["State"]["Status"] == "created");
  auto s = inspect(d, "survivor");
  CHECK(s["State"]["Status"] == "running");
  CHECK(s["State"]["Pid"] == survivor_pid);
  auto sh = inspect(d, "short");
  CHECK(sh["State"]["Status"] == "exited");
  CHECK(sh["State"]["Error"].get<std::string>().find("unknown") != std::string::npos);
  // The adopted process can still be stopped.
  d.ok({"stop", "-t", "1", "survivor"});
  CHECK_FALSE(ctrd::test::process_alive(survivor_pid));
  CHECK(inspect(d, "survivor")["State"]["Status"] == "exited");
}

TEST_CASE("an id printed by create survives an immediate kill -9", "[daemon]") {
  live_daemon d;
  auto id = d.ok({"create", "--name", "durable", "true"});
  d.kill9();
  d.start();
  CHECK(inspect(d, id)["Name"] == "durable");
}

TEST_CASE("a second ctrd on the same root or socket is refused with a clear message", "[daemon]") {
  live_daemon d;
  auto same_root =
      ctrd::test::run_process({CTRD_BIN, "--root", d.root(), "--socket", d.dir() / "other.sock"},
                              "", std::chrono::seconds(10));
  CHECK(same_root.code == 1);
  CHECK(same_root.err.find("another ctrd") != std::string::npos);
  auto same_socket =
      ctrd::test::run_process({CTRD_BIN, "--root", d.dir() / "other-root", "--socket", d.socket()},
                              "", std::chrono::seconds(10));
  CHECK(same_socket.code == 1);
  CHECK(same_socket.err.find("another ctrd") != std::string::npos);
  d.ok({"ps"});  // the first one is unharmed
}

TEST_CASE("SIGTERM stops every container with its stop signal, then ctrd exits 0", "[daemon]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "a", "sleep", "100"});
  d.ok(
      {"run", "-d", "--name", "b", "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.05; done"});
  int a = inspect(d, "a")["State"]["Pid"];
  int b = inspect(d, "b")["State"]["Pid"];
  auto t0 = std::chrono::steady_clock::now();
  CHECK(d.terminate() == 0);
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(took < std::chrono::seconds(5));  // no fixed grace period when all exit promptly
  CHECK_FALSE(ctrd::test::process_alive(a));
  CHECK_FALSE(ctrd::test::process_alive(b));
}

TEST_CASE("ctrctl shutdown stops everything and ctrd exits 0", "[daemon]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "a", "sleep", "100"});
  int a = inspect(d, "a")["State"]["Pid"];
  CHECK(d.ctl({"shutdown"}).code == 0);
  CHECK(ctrd::test::wait_for_exit(d.pid(), std::chrono::seconds(10)) == 0);
  CHECK_FALSE(ctrd::test::process_alive(a));
  d.start();  // the state survives: "a" is exited, not lost
  CHECK(inspect(d, "a")["State"]["Status"] == "exited");
}

TEST_CASE("malformed frames get error replies and the daemon keeps serving", "[daemon]") {
  live_daemon d;
  int fd = ctrd::test::connect_unix(d.socket());
  REQUIRE(fd >= 0);
  std::string body;
  // A request before the handshake.
  ctrd::test::write_all(fd, ctrd::encode_request(1, "list", json::object()));
  REQUIRE(ctrd::test::read_frame(fd, body));
  auto m = ctrd::decode_rpc(body);
  CHECK(m.error["name"] == "protocol");
  CHECK(m.error["message"].get<std::string>().find("handshake") != std::string::npos);
  // Garbage inside a well-framed body.
  std::string bad = "\xc1\xc1\xc1";
  std::string frame;
  ctrd::append_frame(frame, bad);
  ctrd::test::write_all(fd, frame);
  REQUIRE(ctrd::test::read_frame(fd, body));
  CHECK(ctrd::decode_rpc(body).error["code"] == static_cast<int>(ctrd::ec::protocol));
  // Handshake, then an unknown method, then a good request on the same connection.
  ctrd::test::write_all(fd, ctrd::encode_request(2, "hello", json{{"version", 1}}));
  REQUIRE(ctrd::test::read_frame(fd, body));
  CHECK(ctrd::decode_rpc(body).error.is_null());
  ctrd::test::write_all(fd, ctrd::encode_request(3, "frobnicate", json::object()));
  REQUIRE(ctrd::test::read_frame(fd, body));
  CHECK(ctrd::decode_rpc(body).error["message"].get<std::string>().find("frobnicate") !=
        std::string::npos);
  ctrd::test::write_all(fd, ctrd::encode_request(4, "create", json{{"command", 5}}));
  REQUIRE(ctrd::test::read_frame(fd, body));
  CHECK(ctrd::decode_rpc(body).error["name"] == "invalid_argument");
  ctrd::test::write_all(fd, ctrd::encode_request(5, "list", json{{"all", true}}));
  REQUIRE(ctrd::test::read_frame(fd, body));
  m = ctrd::decode_rpc(body);
  CHECK(m.msgid == 5);
  CHECK(m.result.is_array());
  // An unframeable header closes this connection only.
  ctrd::test::write_all(fd, std::string("\x7f\xff\xff\xff", 4));
  CHECK_FALSE(ctrd::test::read_frame(fd, body));
  ::close(fd);
  d.ok({"ps", "-a"});
}

TEST_CASE("the documented Python client creates, starts and inspects a container", "[daemon]") {
  auto probe = ctrd::test::run_process({"/usr/bin/python3", "-c", "import msgpack"});
  if (probe.code != 0) {
    WARN("skipped: /usr/bin/python3 has no msgpack module (apt-get install python3-msgpack)");
    return;
  }
  live_daemon d;
  auto r = ctrd::test::run_process({"/usr/bin/python3",
                                    std::string(CTRD_SOURCE_DIR) + "/docs/examples/client.py",
                                    d.socket(), "sleep", "30"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  auto j = json::parse(r.out);
  CHECK(j["State"]["Status"] == "running");
  CHECK(j["Config"]["Labels"]["via"] == "client.py");
  d.ok({"rm", "-f", j["Id"].get<std::string>()});
}

TEST_CASE("security: the socket is 0660 for the socket group and everyone else is refused",
          "[daemon]") {
  if (::geteuid() != 0 || ::access("/usr/bin/setpriv", X_OK) != 0) {
    WARN("skipped: needs root and setpriv to act as other users");
    return;
  }
  live_daemon d({{"--socket-group", "4242"}});
  ::chmod(d.dir().path().c_str(), 0755);  // let other users reach the socket file
  struct stat st;
  REQUIRE(::stat(d.socket().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0660);
  CHECK(st.st_gid == 4242u);
  auto as = [&](const char* uid, const char* gid) {
    return ctrd::test::run_process({"/usr/bin/setpriv", "--reuid", uid, "--regid", gid,
                                    "--clear-groups", CTRCTL_BIN, "--socket", d.socket(), "ps"});
  };
  CHECK(as("65534", "4242").code == 0);  // a member of the socket group
  auto other = as("65534", "65534");
  CHECK(other.code == 125);  // the file mode keeps others out
  // Even with the mode loosened, SO_PEERCRED refuses a peer outside the group.
  ::chmod(d.socket().c_str(), 0666);
  auto loosened = as("65534", "65534");
  CHECK(loosened.code == 125);
  CHECK(loosened.err.find("permission denied") != std::string::npos);
  CHECK(d.log().find("refused client") != std::string::npos);
  CHECK(d.ok({"ps"}).find("CONTAINER ID") != std::string::npos);  // root still works
}

TEST_CASE("ctrd names the flag of a size it cannot read and refuses --reboot without --init",
          "[daemon]") {
  ctrd::test::temp_dir dir;
  auto ctrd_with = [&](std::vector<std::string> flags) {
    std::vector<std::string> argv{CTRD_BIN, "--root", dir / "root", "--socket", dir / "sock"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    return ctrd::test::run_process(argv, "", std::chrono::seconds(20));
  };
  for (const char* flag : {"--min-free-space", "--log-max-total", "--log-max-size"}) {
    for (const char* value : {"12x", "99999999999999999999"}) {
      auto r = ctrd_with({flag, value});
      INFO(flag << " " << value << ": " << r.err);
      CHECK(r.code == 1);
      CHECK(r.err.find(std::string(flag) + ": invalid size \"" + value + "\"") !=
            std::string::npos);
    }
  }
  auto reboot = ctrd_with({"--reboot"});
  CHECK(reboot.code == 2);
  CHECK(reboot.err.find("--reboot requires --init") != std::string::npos);
}

}  // namespace daemon_test
