// Issue 14's verbs through the real ctrctl against a real ctrd: top, rename, update, diff,
// container exists|prune|cleanup, info, system df|prune.
#include <catch2/catch.hpp>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/daemon.hpp"
#include "tests/support/rootfs.hpp"

namespace verbs_test {

using ctrd::test::inspect;
using ctrd::test::live_daemon;
using ctrd::test::proc_result;
using ctrd::test::trim;
using json = nlohmann::json;
namespace fsys = std::filesystem;

namespace {

/// `ctrctl container VERB ...` (exists, prune and cleanup exist only in the group).
proc_result container_verb(const live_daemon& d, std::vector<std::string> args,
                           const std::string& input = "") {
  std::vector<std::string> grouped{"container"};
  grouped.insert(grouped.end(), args.begin(), args.end());
  return d.ctl(grouped, input);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) out.push_back(l);
  return out;
}

/// The whitespace-separated cells of a table line.
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  std::string c;
  while (in >> c) out.push_back(c);
  return out;
}

std::string events_of(const live_daemon& d, const std::string& name) {
  return d.ok({"events", "--since", "1m", "--until", std::to_string(std::time(nullptr) + 1),
               "--filter", "container=" + name, "--format", "json"});
}

}  // namespace

TEST_CASE("top lists a running container's processes with podman's descriptors", "[verbs]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "t", "sh", "-c", "sleep 101 & exec sleep 102"});
  // `run -d` returns once sh runs; the fork and the exec follow a moment later.
  auto r = d.ctl({"top", "t"});
  for (int i = 0; i < 200 && r.code == 0 &&
                  (r.out.find("sleep 101") == std::string::npos ||
                   r.out.find("sleep 102") == std::string::npos);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    r = d.ctl({"top", "t"});
  }
  REQUIRE(r.code == 0);
  auto ls = lines_of(r.out);
  REQUIRE(ls.size() >= 3);
  CHECK(cells(ls[0]) == std::vector<std::string>{"USER", "PID", "PPID", "%CPU", "ELAPSED", "TTY",
                                                 "TIME", "COMMAND"});
  CHECK(r.out.find("sleep 101") != std::string::npos);
  CHECK(r.out.find("sleep 102") != std::string::npos);
  int pid = inspect(d, "t")["State"]["Pid"];
  CHECK(r.out.find(" " + std::to_string(pid) + " ") != std::string::npos);

  // Descriptors as separate arguments, comma lists and code forms.
  auto two = d.ok({"top", "t", "pid,comm", "%U"});
  auto tl = lines_of(two);
  CHECK(cells(tl[0]) == std::vector<std::string>{"PID", "COMMAND", "USER"});
  CHECK(two.find(std::to_string(pid) + " ") != std::string::npos);
  CHECK(two.find("sleep") != std::string::npos);

  auto bad = d.ctl({"top", "t", "pid", "bogus"});
  CHECK(bad.code == 125);
  CHECK(bad.err == "Error: 'bogus': unknown descriptor\n");

  d.ok({"stop", "-t", "0", "t"});
  auto stopped = d.ctl({"top", "t"});
  CHECK(stopped.code == 125);
  CHECK(stopped.err.find("top can only be used on running containers") != std::string::npos);
  CHECK(d.ctl({"top", "nothere"}).code == 125);
}

TEST_CASE("top shows pids as a container with its own PID namespace sees them", "[verbs]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  d.ok({"run", "-d", "--name", "ns", "--rootfs", rootfs, "--pid", "private", "/bin/sh", "-c",
        "sleep 103 & wait"});
  auto out = d.ok({"top", "ns", "pid", "ppid", "hpid", "args"});
  auto ls = lines_of(out);
  REQUIRE(ls.size() >= 3);
  int host_pid = inspect(d, "ns")["State"]["Pid"];
  std::set<std::string> pids;
  std::string init_ppid, init_hpid, sleep_ppid;
  for (std::size_t i = 1; i < ls.size(); ++i) {
    auto c = cells(ls[i]);
    REQUIRE(c.size() >= 4);
    pids.insert(c[0]);
    if (c[0] == "1") {
      init_ppid = c[1];
      init_hpid = c[2];
    } else if (c[3] == "sleep") {
      sleep_ppid = c[1];
    }
  }
  CHECK(init_ppid == "0");  // its parent is outside the container
  CHECK(init_hpid == std::to_string(host_pid));
  CHECK(pids.count(sleep_ppid) == 1);  // the parent as the container sees it
}

TEST_CASE("rename changes a container's name in every state and keeps it across a restart",
          "[verbs]") {
  live_daemon d;
  auto id = d.ok({"create", "--name", "old", "sleep", "100"});
  auto r = d.ctl({"rename", "old", "new"});
  CHECK(r.code == 0);
  CHECK(r.out.empty());  // podman prints nothing
  CHECK(inspect(d, "new")["Id"] == id);
  CHECK(d.ctl({"inspect", "old"}).code == 125);
  CHECK(events_of(d, "new").find("\"rename\"") != std::string::npos);

  d.ok({"start", "new"});
  d.ok({"rename", id.substr(0, 12), "running-one"});
  auto j = inspect(d, "running-one");
  CHECK(j["State"]["Status"] == "running");
  CHECK(d.ok({"ps", "--format", "json"}).find("running-one") != std::string::npos);

  d.ok({"create", "--name", "other", "true"});
  auto taken = d.ctl({"rename", "running-one", "other"});
  CHECK(taken.code == 125);
  CHECK(taken.err.find("already in use") != std::string::npos);
  auto invalid = d.ctl({"rename", "other", "-bad"});
  CHECK(invalid.code == 125);
  auto bad_name = d.ctl({"rename", "other", "bad/name"});
  CHECK(bad_name.code == 125);
  CHECK(bad_name.err.find("invalid container name") != std::string::npos);
  auto missing = d.ctl({"rename", "nothere", "x"});
  CHECK(missing.code == 125);
  CHECK(missing.err.find("nothere") != std::string::npos);

  // A container others require keeps its name (their --requires names it).
  d.ok({"create", "--name", "db", "sleep", "100"});
  d.ok({"create", "--name", "app", "--requires", "db", "sleep", "100"});
  auto req = d.ctl({"rename", "db", "db2"});
  CHECK(req.code == 125);
  CHECK(req.err.find("required by app") != std::string::npos);

  // The new name is stored: a restarted ctrd knows it.
  d.ok({"stop", "-t", "0", "running-one"});
  CHECK(d.terminate() == 0);
  d.start();
  CHECK(inspect(d, "running-one")["Id"] == id);
  CHECK(d.ctl({"inspect", "new"}).code == 125);
  // The old name is free again.
  d.ok({"create", "--name", "old", "true"});
}

TEST_CASE("update changes resources and the restart policy and applies limits live", "[verbs]") {
  live_daemon d;
  auto id = d.ok({"create", "--name", "u", "sleep", "100"});
  CHECK(d.ok({"update", "--restart", "on-failure:3", "--cpu-shares", "512", "u"}) == id);
  auto j = inspect(d, "u");
  CHECK(j["HostConfig"]["RestartPolicy"]["Name"] == "on-failure");
  CHECK(j["HostConfig"]["RestartPolicy"]["MaximumRetryCount"] == 3);
  CHECK(j["HostConfig"]["CpuShares"] == 512);
  CHECK(events_of(d, "u").find("\"update\"") != std::string::npos);

  auto none = d.ctl({"update", "u"});
  CHECK(none.code == 125);
  CHECK(none.err.find("nothing to update") != std::string::npos);
  auto unsupported = d.ctl({"update", "--blkio-weight", "300", "u"});
  CHECK(unsupported.code == 125);
  CHECK(unsupported.err.find("--blkio-weight is not supported") != std::string::npos);
  auto small = d.ctl({"update", "--memory", "1m", "u"});
  CHECK(small.code == 125);
  CHECK(small.err.find("6MB") != std::string::npos);
  auto missing = d.ctl({"update", "--memory", "64m", "nothere"});
  CHECK(missing.code == 125);
  d.ok({"create", "--name", "once", "--rm", "true"});
  auto conflict = d.ctl({"update", "--restart", "always", "once"});
  CHECK(conflict.code == 125);
  CHECK(conflict.err.find("--rm") != std::string::npos);
  CHECK(inspect(d, "once")["HostConfig"]["RestartPolicy"]["Name"] == "");

  d.ok({"start", "u"});
  j = inspect(d, "u");
  std::string cg = j["CgroupPath"];
  auto live = d.ctl({"update", "--memory", "64m", "--pids-limit", "77", "u"});
  if (cg.empty()) {
    WARN("no cgroup for containers here: the live part is skipped (" << live.err << ")");
    return;
  }
  REQUIRE(live.code == 0);
  j = inspect(d, "u");
  CHECK(j["HostConfig"]["Memory"] == 64u << 20);
  CHECK(j["HostConfig"]["PidsLimit"] == 77);
  auto read = [](const std::string& path) {
    std::ifstream f(path);
    std::string v;
    f >> v;
    return v;
  };
  if (fsys::exists(cg + "/memory.max")) {
    CHECK(read(cg + "/memory.max") == std::to_string(64u << 20));
    CHECK(read(cg + "/pids.max") == "77");
  } else {  // v1 controllers (hybrid, legacy): the groups of the main process
    int pid = j["State"]["Pid"];
    std::ifstream f("/proc/" + std::to_string(pid) + "/cgroup");
    std::string line, memory, pids;
    while (std::getline(f, line)) {
      auto a = line.find(':'), b = line.find(':', a + 1);
      auto controllers = "," + line.substr(a + 1, b - a - 1) + ",";
      if (controllers.find(",memory,") != std::string::npos) memory = line.substr(b + 1);
      if (controllers.find(",pids,") != std::string::npos) pids = line.substr(b + 1);
    }
    REQUIRE_FALSE(memory.empty());
    CHECK(read("/sys/fs/cgroup/memory" + memory + "/memory.limit_in_bytes") ==
          std::to_string(64u << 20));
    REQUIRE_FALSE(pids.empty());
    CHECK(read("/sys/fs/cgroup/pids" + pids + "/pids.max") == "77");
  }
  // The limits are stored: the next start keeps them.
  d.ok({"restart", "-t", "0", "u"});
  CHECK(inspect(d, "u")["HostConfig"]["Memory"] == 64u << 20);
}

TEST_CASE("diff lists the changes of an overlay container like podman", "[verbs]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  auto r = d.ctl({"run", "--name", "ov", "--rootfs", rootfs, "--rootfs-overlay", "/bin/sh", "-c",
                  "mkdir /newdir && echo hi > /newdir/f && echo x >> /etc/passwd && "
                  "rm /bin/ls"});
  REQUIRE(r.code == 0);
  auto out = d.ok({"diff", "ov"});
  auto ls = lines_of(out);
  auto has = [&](const std::string& l) { return std::find(ls.begin(), ls.end(), l) != ls.end(); };
  CHECK(has("A /newdir"));
  CHECK(has("A /newdir/f"));
  CHECK(has("C /etc"));
  CHECK(has("C /etc/passwd"));
  CHECK(has("C /bin"));
  CHECK(has("D /bin/ls"));
  CHECK(std::is_sorted(ls.begin(), ls.end(), [](const std::string& a, const std::string& b) {
    return a.substr(2) < b.substr(2);
  }));
  auto j = json::parse(d.ok({"diff", "--format", "json", "ov"}));
  CHECK(j["deleted"] == json::array({"/bin/ls"}));
  CHECK(std::find(j["added"].begin(), j["added"].end(), "/newdir/f") != j["added"].end());
  CHECK(std::find(j["changed"].begin(), j["changed"].end(), "/etc/passwd") != j["changed"].end());

  d.ok({"create", "--name", "plain", "true"});
  auto none = d.ctl({"diff", "plain"});
  CHECK(none.code == 125);
  CHECK(none.err.find("has no layers") != std::string::npos);
}

TEST_CASE("container exists answers with its exit code only", "[verbs]") {
  live_daemon d;
  d.ok({"create", "--name", "here", "true"});
  auto yes = container_verb(d, {"exists", "here"});
  CHECK(yes.code == 0);
  CHECK(yes.out.empty());
  CHECK(yes.err.empty());
  auto no = container_verb(d, {"exists", "nothere"});
  CHECK(no.code == 1);
  CHECK(no.out.empty());
  CHECK(no.err.empty());
  // Container-only, as in podman: no top-level `ctrctl exists`.
  auto top = d.ctl({"exists", "here"});
  CHECK(top.code == 125);
  CHECK(top.err.find("unrecognized command 'ctrctl exists'") != std::string::npos);
}

TEST_CASE("container prune removes what is not running after a confirmation", "[verbs]") {
  live_daemon d;
  auto a = d.ok({"create", "--name", "a", "true"});
  d.ok({"run", "--name", "b", "--label", "keep=yes", "true"});
  std::string b = inspect(d, "b")["Id"];
  auto c = d.ok({"run", "-d", "--name", "c", "sleep", "100"});

  auto declined = container_verb(d, {"prune"}, "n\n");
  CHECK(declined.code == 0);
  CHECK(declined.out.find("Are you sure you want to continue? [y/N]") != std::string::npos);
  CHECK(lines_of(d.ok({"ps", "-a", "-q"})).size() == 3);

  auto filtered = container_verb(d, {"prune", "-f", "--filter", "label!=keep"});
  CHECK(filtered.code == 0);
  CHECK(filtered.out == a + "\n");
  auto bad = container_verb(d, {"prune", "-f", "--filter", "colour=red"});
  CHECK(bad.code == 125);
  CHECK(bad.err.find("invalid filter") != std::string::npos);

  auto yes = container_verb(d, {"prune"}, "y\n");
  CHECK(yes.code == 0);
  CHECK(yes.out.find(b + "\n") != std::string::npos);
  auto left = d.ok({"ps", "-a", "--format", "json"});
  CHECK(left.find("\"c\"") != std::string::npos);
  CHECK(lines_of(d.ok({"ps", "-a", "-q"})).size() == 1);
}

TEST_CASE("container cleanup releases a stopped container's mounts", "[verbs]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  auto id = d.ok({"create", "--name", "m", "--rootfs", rootfs, "--rootfs-overlay", "/bin/true"});
  d.ok({"mount", "m"});
  CHECK(inspect(d, "m")["MountCount"] == 1);
  auto r = container_verb(d, {"cleanup", "m"});
  CHECK(r.code == 0);
  CHECK(r.out == id + "\n");
  CHECK(inspect(d, "m")["MountCount"] == 0);

  d.ok({"run", "-d", "--name", "busy", "sleep", "100"});
  auto running = container_verb(d, {"cleanup", "busy"});
  CHECK(running.code == 125);
  CHECK(running.err.find("refusing to clean up") != std::string::npos);
  auto usage = container_verb(d, {"cleanup"});
  CHECK(usage.code == 125);

  auto all = container_verb(d, {"cleanup", "--all", "--rm"});
  CHECK(all.code == 0);
  CHECK(all.out == id + "\n");
  CHECK(d.ctl({"inspect", "m"}).code == 125);
}

TEST_CASE("info reports the host and ctrd's store and versions", "[verbs]") {
  live_daemon d;
  d.ok({"create", "--name", "i1", "true"});
  d.ok({"run", "-d", "--name", "i2", "sleep", "100"});
  auto text = d.ok({"info"});
  CHECK(text.find("host:\n") != std::string::npos);
  CHECK(text.find("\n  kernel: ") != std::string::npos);
  CHECK(text.find("\nstore:\n") != std::string::npos);
  CHECK(text.find("    number: 2\n") != std::string::npos);
  CHECK(text.find("    running: 1\n") != std::string::npos);
  CHECK(text.find("\nversion:\n") != std::string::npos);

  auto j = json::parse(d.ok({"info", "--format", "json"}));
  CHECK(j["store"]["containerStore"]["number"] == 2);
  CHECK(j["store"]["containerStore"]["stopped"] == 1);
  CHECK(j["store"]["graphRoot"] == d.root());
  CHECK(j["host"]["os"] == "linux");
  CHECK(j["host"]["cpus"].get<int>() > 0);
  CHECK(j["host"]["memTotal"].get<int64_t>() > 0);
  CHECK_FALSE(j["version"]["CAF"].get<std::string>().empty());
  CHECK_FALSE(j["version"]["LevelDB"].get<std::string>().empty());
  CHECK(json::parse(d.ok({"system", "info", "--format", "json"}))["store"]["graphRoot"] ==
        d.root());
  CHECK(d.ok({"info", "--format", "{{.Host.Arch}} {{.Store.GraphRoot}}"}) ==
        j["host"]["arch"].get<std::string>() + " " + j["store"]["graphRoot"].get<std::string>());
  auto bad = d.ctl({"info", "--format", "{{.Host.Nope}}"});
  CHECK(bad.code == 125);
  CHECK(bad.err.find("can't evaluate field Nope") != std::string::npos);
}

TEST_CASE("system df and system prune account for ctrd's containers", "[verbs]") {
  live_daemon d;
  d.ok({"run", "--name", "done", "sh", "-c", "seq 1 20000"});
  std::string a = inspect(d, "done")["Id"];
  d.ok({"run", "-d", "--name", "up", "sleep", "100"});
  auto table = lines_of(d.ok({"system", "df"}));
  REQUIRE(table.size() == 3);
  CHECK(cells(table[0]) ==
        std::vector<std::string>{"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"});
  auto row = cells(table[1]);
  REQUIRE(row.size() >= 5);
  CHECK(row[0] == "Containers");
  CHECK(row[1] == "2");
  CHECK(row[2] == "1");
  auto j = json::parse(d.ok({"system", "df", "--format", "json"}));
  CHECK(j[0]["Type"] == "Containers");
  CHECK(j[0]["RawReclaimable"].get<int64_t>() > 0);
  CHECK(j[1]["Type"] == "Logs");
  CHECK(j[1]["RawSize"].get<int64_t>() >= 100000);  // seq's output is in the log
  auto verbose = d.ok({"system", "df", "-v"});
  CHECK(verbose.find("Containers space usage:") != std::string::npos);
  CHECK(verbose.find("done") != std::string::npos);

  auto declined = d.ctl({"system", "prune"}, "\n");
  CHECK(declined.code == 0);
  CHECK(declined.out.find("all stopped containers") != std::string::npos);
  auto pruned = d.ctl({"system", "prune", "-f"});
  CHECK(pruned.code == 0);
  CHECK(pruned.out.find("Deleted Containers\n" + a + "\n") == 0);
  CHECK(pruned.out.find("Total reclaimed space: ") != std::string::npos);
  CHECK(pruned.out.find("Total reclaimed space: 0B") == std::string::npos);
  CHECK(d.ok({"ps", "-a", "-q"}).size() == 12);
  CHECK(d.ctl({"system"}).code == 125);
}

}  // namespace verbs_test
