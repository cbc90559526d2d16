// Bridge networks end to end (issue 15, docs/network.md): the real ctrctl against a real
// ctrd driving Debian's netavark and aardvark-dns, with busybox containers. Every case runs
// ctrd inside a network sandbox the test creates (tests/support/net_sandbox.hpp: its own
// network namespace, a private mount namespace with a tmpfs on /run): bridges, addresses,
// firewall rules and aardvark-dns exist only there, and every client (nc, nslookup,
// iptables) runs inside it or inside a container. Nothing touches the host's network.
#include <catch2/catch.hpp>

#include <csignal>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/network_test_support.hpp"

namespace network_test {

using namespace ctrd::test::net;

TEST_CASE("network sandbox: ctrd runs inside its own network and mount namespaces", "[network]") {
  REQUIRE_NETWORK_SANDBOX();
  net_sandbox sb;
  auto& d = sb.daemon();
  CHECK(d.ctl({"version"}).code == 0);
  // ctrd (holder and daemon) is in the sandbox's network namespace, not the test's.
  auto daemon_ns = ns_inode_of(d.ctrd_pid());
  CHECK(daemon_ns == sb.netns_inode());
  CHECK(ns_inode_of(d.holder_pid()) == sb.netns_inode());
  CHECK(daemon_ns != ns_inode_of(::getpid()));
  // /run is the sandbox's own tmpfs.
  auto run = sb.sh("stat -f -c %T /run");
  CHECK(trim(run.out) == "tmpfs");
  // The baseline: only lo, up; no rules; ctrd's two processes.
  auto base = sb.snapshot();
  INFO(base.dump());
  CHECK(base.links.find("lo ") == 0);
  CHECK(base.links.find('\n') == base.links.size() - 1);  // one line
  CHECK(base.rules.empty());
  CHECK(base.processes.find("ctrd") != std::string::npos);
  CHECK(base.netns_mounts.empty());
  // A container with its own namespace holding only lo works in the sandbox.
  auto rootfs = make_net_rootfs(d.dir().path());
  auto out = d.ok({"run", "--rm", "--rootfs", rootfs, "--network", "none", "cat", "/proc/net/dev"});
  CHECK(out.find("lo:") != std::string::npos);
  CHECK(out.find("eth0") == std::string::npos);
  // A kill -9 of ctrd leaves the sandbox (held by its own process); the next ctrd starts
  // in it again and adopts the containers.
  idle(d, rootfs, "box", {"--network", "none"});
  int pid = inspect(d, "box")["State"]["Pid"];
  d.kill9();
  CHECK(sb.sh("true").code == 0);
  d.start();
  CHECK(ns_inode_of(d.ctrd_pid()) == sb.netns_inode());
  auto box =
      await_inspect(d, "box", [](const json& j) { return j["State"]["Status"] == "running"; });
  CHECK(box["State"]["Pid"] == pid);
}

TEST_CASE("network: two containers on one bridge reach each other by address and by name",
          "[network]") {
  REQUIRE_NETWORK_SANDBOX();
  net_sandbox sb;
  auto& d = sb.daemon();
  auto rootfs = make_net_rootfs(d.dir().path());
  d.ok({"network", "create", "--subnet", "10.89.7.0/24", "n1"});
  serve(d, rootfs, "web", {"--network", "n1", "--network-alias", "www"}, "hi-from-web");
  idle(d, rootfs, "cli", {"--network", "n1"});

  auto web = inspect(d, "web")["NetworkSettings"];
  std::string ip = web["Networks"]["n1"]["IPAddress"];
  CHECK(ip.rfind("10.89.7.", 0) == 0);
  CHECK(web["IPAddress"] == ip);
  CHECK(web["Gateway"] == "10.89.7.1");
  // By address, from the other container.
  CHECK(await_exec(d, "cli", {"nc", "-w", "2", ip, "80"}, "hi-from-web").find("hi-from-web") !=
        std::string::npos);
  // By name and alias through aardvark-dns at the network's gateway.
  auto look = await_exec(d, "cli", {"nslookup", "web", "10.89.7.1"}, ip);
  CHECK(look.find(ip) != std::string::npos);
  CHECK(await_exec(d, "cli", {"nslookup", "www", "10.89.7.1"}, ip).find(ip) != std::string::npos);
  // By name through the container's own resolver configuration (podman's resolv.conf).
  CHECK(await_exec(d, "cli", {"nc", "-w", "2", "web", "80"}, "hi-from-web").find("hi-from-web") !=
        std::string::npos);
}

TEST_CASE("network: a published port answers on the namespace's loopback", "[network]") {
  REQUIRE_NETWORK_SANDBOX();
  net_sandbox sb;
  auto& d = sb.daemon();
  auto rootfs = make_net_rootfs(d.dir().path());
  d.ok({"network", "create", "n1"});
  serve(d, rootfs, "web", {"--network", "n1", "-p", "8080:80"}, "hi-from-web");
  CHECK(sb.await_tcp("127.0.0.1", 8080, "hi-from-web").find("hi-from-web") != std::string::npos);
  CHECK(d.ok({"port", "web"}) == "80/tcp -> 0.0.0.0:8080");
  auto ps = d.ok({"ps", "--format", "{{.Names}} {{.Ports}}"});
  CHECK(ps.find("web 0.0.0.0:8080->80/tcp") != std::string::npos);
  auto ports = inspect(d, "web")["NetworkSettings"]["Ports"];
  INFO(ports.dump());
  CHECK(ports["80/tcp"][0]["HostPort"] == "8080");
}

TEST_CASE("network: iptables -F breaks a published port and network reload restores it",
          "[network]") {
  REQUIRE_NETWORK_SANDBOX();
  net_sandbox sb;
  auto& d = sb.daemon();
  auto rootfs = make_net_rootfs(d.dir().path());
  d.ok({"network", "create", "n1"});
  serve(d, rootfs, "web", {"--network", "n1", "-p", "8080:80"}, "hi-from-web");
  REQUIRE(sb.await_tcp("127.0.0.1", 8080, "hi-from-web").find("hi-from-web") != std::string::npos);
  int pid = inspect(d, "web")["State"]["Pid"];
  auto settings = inspect(d, "web")["NetworkSettings"];

  // A firewall reload elsewhere (firewalld, an admin) wipes every rule in the sandbox.
  auto flush = sb.sh("iptables -F && iptables -t nat -F");
  INFO(flush.err);
  REQUIRE(flush.code == 0);
  CHECK(sb.tcp_get("127.0.0.1", 8080).empty());

  d.ok({"network", "reload", "web"});
  CHECK(sb.await_tcp("127.0.0.1", 8080, "hi-from-web").find("hi-from-web") != std::string::npos);
  auto after = inspect(d, "web");
  CHECK(after["State"]["Pid"] == pid);  // the same process: not restarted
  CHECK(after["State"]["Status"] == "running");
  CHECK(after["NetworkSettings"]["IPAddress"] == settings["IPAddress"]);

  // --all reloads every running container on a network, too.
  REQUIRE(sb.sh("iptables -F && iptables -t nat -F").code == 0);
  d.ok({"network", "reload", "--all"});
  CHECK(sb.await_tcp("127.0.0.1", 8080, "hi-from-web").find("hi-from-web") != std::string::npos);
  CHECK(inspect(d, "web")["State"]["Pid"] == pid);
}

TEST_CASE("network: connect and disconnect a running container", "[network]") {
  REQUIRE_NETWORK_SANDBOX();
  net_sandbox sb;
  auto& d = sb.daemon();
  auto rootfs = make_net_rootfs(d.dir().path());
  d.ok({"network", "create", "--subnet", "10.89.11.0/24", "n1"});
  d.ok({"network", "create", "--subnet", "10.89.12.0/24", "n2"});
  idle(d, rootfs, "c", {"--network", "n1"});
  int pid = inspect(d, "c")["State"]["Pid"];
  // Seen from outside (nsenter into its namespace) and from inside (exec joins it).
  CHECK(in_netns_of(pid, {"ls", "/sys/class/net"}).out.find("eth1") == std::string::npos);
  auto inside = d.ok({"exec", "c", "ip", "-4", "addr"});
  CHECK(inside.find("10.89.11.") != std::string::npos);
  CHECK(inside.find("ctrd0") == std::string::npos);  // not the sandbox's bridge

  d.ok({"network", "connect", "--ip", "10.89.12.9", "n2", "c"});
  CHECK(in_netns_of(pid, {"ip", "-4", "addr", "show", "eth1"}).out.find("10.89.12.9/24") !=
        std::string::npos);
  CHECK(d.ok({"exec", "c", "ip", "-4", "addr"}).find("10.89.12.9") != std::string::npos);
  auto nets = inspect(d, "c")["NetworkSettings"]["Networks"];
  INFO(nets.dump());
  CHECK(nets.contains("n1"));
  CHECK(nets.contains("n2"));
  CHECK(nets["n2"]["IPAddress"] == "10.89.12.9");
  // The network lists the container.
  auto n2 = nlohmann::json::parse(d.ok({"network", "inspect", "n2"}));
  INFO(n2.dump());
  REQUIRE(n2.is_array());
  CHECK(n2[0]["containers"].size() == 1);

  d.ok({"network", "disconnect", "n2", "c"});
  auto gone = in_netns_of(pid, {"ip", "-o", "link"}).out;
  CHECK(gone.find("eth1") == std::string::npos);
  CHECK(gone.find("eth0") != std::string::npos);
  CHECK(d.ok({"exec", "c", "ip", "-4", "addr"}).find("10.89.12.9") == std::string::npos);
  CHECK_FALSE(inspect(d, "c")["NetworkSettings"]["Networks"].contains("n2"));
  CHECK(inspect(d, "c")["State"]["Pid"] == pid);
}

TEST_CASE("network: a kill -9 of ctrd keeps the address and process and port of a container",
          "[network]") {
  REQUIRE_NETWORK_SANDBOX();
  net_sandbox sb;
  auto& d = sb.daemon();
  auto rootfs = make_net_rootfs(d.dir().path());
  d.ok({"network", "create", "n1"});
  serve(d, rootfs, "web", {"--network", "n1", "-p", "8080:80"}, "hi-from-web");
  idle(d, rootfs, "cli", {"--network", "n1"});
  REQUIRE(sb.await_tcp("127.0.0.1", 8080, "hi-from-web").find("hi-from-web") != std::string::npos);
  auto before = inspect(d, "web");
  std::string gateway = before["NetworkSettings"]["Gateway"];

  d.kill9();
  // Orphaned, the container still answers: the namespace and rules do not depend on ctrd.
  CHECK(sb.tcp_get("127.0.0.1", 8080).find("hi-from-web") != std::string::npos);
  d.start();
  auto after =
      await_inspect(d, "web", [](const json& j) { return j["State"]["Status"] == "running"; });
  CHECK(after["State"]["Pid"] == before["State"]["Pid"]);
  CHECK(after["NetworkSettings"] == before["NetworkSettings"]);
  CHECK(sb.await_tcp("127.0.0.1", 8080, "hi-from-web").find("hi-from-web") != std::string::npos);
  // Names still resolve (aardvark-dns kept running, the adopted ctrd knows it).
  std::string ip = before["NetworkSettings"]["IPAddress"];
  CHECK(await_exec(d, "cli", {"nslookup", "web", gateway}, ip).find(ip) != std::string::npos);
  // And the adopted container's teardown still works: a reload after a flush restores.
  REQUIRE(sb.sh("iptables -F && iptables -t nat -F").code == 0);
  d.ok({"network", "reload", "web"});
  CHECK(sb.await_tcp("127.0.0.1", 8080, "hi-from-web").find("hi-from-web") != std::string::npos);
}

TEST_CASE("network: an address pinned with --ip survives a restart by policy", "[network]") {
  REQUIRE_NETWORK_SANDBOX();
  net_sandbox sb;
  auto& d = sb.daemon();
  auto rootfs = make_net_rootfs(d.dir().path());
  d.ok({"network", "create", "--subnet", "10.89.9.0/24", "n1"});
  idle(d, rootfs, "p",
       {"--network", "n1", "--ip", "10.89.9.77", "--restart", "always", "--restart-delay", "0"});
  auto first = await_inspect(d, "p", [](const json& j) { return j["State"]["Pid"] != 0; });
  int pid = first["State"]["Pid"];
  CHECK(first["NetworkSettings"]["IPAddress"] == "10.89.9.77");
  ::kill(pid, SIGKILL);  // the process exits; the policy starts it again
  auto second = await_inspect(d, "p", [&](const json& j) {
    return j["State"]["Status"] == "running" && j["State"]["Pid"] != pid &&
           j["State"]["Pid"] != 0 && j["NetworkSettings"]["IPAddress"] != "";
  });
  CHECK(second["NetworkSettings"]["IPAddress"] == "10.89.9.77");
  int pid2 = second["State"]["Pid"];
  CHECK(in_netns_of(pid2, {"ip", "-4", "addr", "show", "eth0"}).out.find("10.89.9.77/24") !=
        std::string::npos);
}

TEST_CASE("network: removing every container and network leaves no interface rule or lease",
          "[network]") {
  REQUIRE_NETWORK_SANDBOX();
  net_sandbox sb;
  auto& d = sb.daemon();
  auto rootfs = make_net_rootfs(d.dir().path());
  // Baseline before any network: lo, no rules, no aardvark. netavark's first setup adds
  // global chains (NETAVARK_FORWARD, NETAVARK-HOSTPORT-DNAT/-MASQ/-SETMARK, their jumps)
  // and an empty aardvark.lock that it never removes, nor does podman: the comparison
  // leaves exactly those out (net_state::without_netavark_globals), and checks they are
  // the only difference (plus an empty, unreferenced NETAVARK-DN-<id> chain, which
  // netavark 1.4 itself leaves when the container with ports is not the last one on its
  // network, as here: web goes before cli). Everything per network (bridge, its address and route,
  // its NETAVARK-<id> chains, forward rules) and per container (veth, DNAT rules, aardvark entries,
  // the bound namespace) must be gone.
  auto baseline = sb.snapshot();
  d.ok({"network", "create", "n1"});
  d.ok({"network", "create", "n2"});
  serve(d, rootfs, "web", {"--network", "n1", "-p", "8080:80", "-p", "9090:90/udp"}, "hi");
  idle(d, rootfs, "cli", {"--network", "n1", "--network-alias", "client"});
  d.ok({"network", "connect", "n2", "cli"});
  REQUIRE(sb.await_tcp("127.0.0.1", 8080, "hi").find("hi") != std::string::npos);
  auto busy = sb.snapshot();
  INFO("while running:\n" << busy.dump());
  CHECK(busy.links.find("veth") != std::string::npos);
  CHECK(busy.processes.find("aardvark-dns") != std::string::npos);

  d.ok({"rm", "-f", "web", "cli"});
  // Once rm has answered, the containers no longer use the networks.
  auto rm = d.ctl({"network", "rm", "n1", "n2"});
  INFO("network rm right after rm -f: " << rm.err);
  CHECK(rm.code == 0);
  if (rm.code != 0) {  // still check the leaks once the removal has finished
    for (int i = 0; i < 100 && d.ctl({"network", "rm", "n1"}).code == 2; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    d.ctl({"network", "rm", "n2"});
  }
  auto after = sb.snapshot();
  INFO("baseline:\n" << baseline.dump() << "after:\n" << after.dump());
  CHECK(after.without_netavark_globals() == baseline.without_netavark_globals());
  CHECK(after.without_netavark_globals().rules == baseline.rules);  // only netavark's globals
  CHECK(after.links == baseline.links);
  CHECK(after.processes == baseline.processes);
  CHECK(after.netns_mounts.empty());
}

TEST_CASE("network: a host port published twice and removing a used network are refused",
          "[network]") {
  REQUIRE_NETWORK_SANDBOX();
  net_sandbox sb;
  auto& d = sb.daemon();
  auto rootfs = make_net_rootfs(d.dir().path());
  d.ok({"network", "create", "n1"});
  serve(d, rootfs, "a", {"--network", "n1", "-p", "8080:80"}, "hi");
  auto r = d.ctl({"run", "-d", "--name", "b", "--stop-signal", "KILL", "--network", "n1", "-p",
                  "8080:80", "--rootfs", rootfs, "sleep", "1000"});
  INFO(r.out << r.err);
  CHECK(r.code == 125);
  CHECK(r.err.find("8080") != std::string::npos);
  // The first one still serves.
  CHECK(sb.await_tcp("127.0.0.1", 8080, "hi").find("hi") != std::string::npos);

  auto rm = d.ctl({"network", "rm", "n1"});
  INFO(rm.out << rm.err);
  CHECK(rm.code == 2);
  CHECK(rm.err.find("n1") != std::string::npos);
  CHECK(rm.err.find("used") != std::string::npos);  // "network n1 is used by containers a"
  CHECK(rm.err.find(" a") != std::string::npos);
  CHECK(d.ok({"network", "ls", "--format", "{{.Name}}"}).find("n1") != std::string::npos);

  auto unknown =
      d.ctl({"run", "-d", "--name", "u", "--network", "nope", "--rootfs", rootfs, "sleep", "1000"});
  CHECK(unknown.code == 125);
  CHECK(unknown.err.find("nope") != std::string::npos);

  // With -f the network goes, and its containers with it (b exists: podman's run leaves a
  // container whose start failed created).
  auto forced = d.ctl({"network", "rm", "-f", "n1"});
  INFO(forced.err);
  CHECK(forced.code == 0);
  CHECK(d.ctl({"inspect", "a"}).code != 0);
  CHECK(d.ctl({"network", "exists", "n1"}).code == 1);
}

}  // namespace network_test
