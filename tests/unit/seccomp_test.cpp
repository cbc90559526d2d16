// Seccomp profiles: the OCI JSON parser's errors, ctrd's default profile and Debian's
// containers profile compiled with libseccomp, the cache, and the compiled programs
// loaded in a forked child to check what they refuse (runtime/seccomp_*.hpp).
#include <catch2/catch.hpp>

#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <functional>

#include "messages/capabilities.hpp"
#include "messages/error.hpp"
#include "runtime/confinement.hpp"
#include "runtime/seccomp_filter.hpp"
#include "runtime/seccomp_profile.hpp"
#include "tests/support/emulation.hpp"
#include "tests/support/temp_dir.hpp"

namespace seccomp_test {

using namespace ctrd::seccomp;

namespace {

const char* const debian_profile = "/usr/share/containers/seccomp.json";

std::string parse_error(const std::string& text) {
  try {
    parse_profile(text, "\"t.json\"");
  } catch (const ctrd::error& e) {
    CHECK(e.code() == ctrd::ec::invalid_argument);
    return e.what();
  }
  return "";
}

/// Runs `check` in a forked child under `prog` (with no_new_privs); returns its exit code:
/// `check` returns the errno of its call (0 when it succeeded).
int under_filter(const program& prog, const std::function<int()>& check) {
  pid_t pid = ::fork();
  if (pid == 0) {
    auto fp = prog.fprog();
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) != 0)
      ::_exit(255);
    ::_exit(check());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int errno_of(long r) {
  return r < 0 ? errno : 0;
}

int bad_settime() {
  struct timeval tv {
    0, 2000000  // invalid: the clock never changes
  };
  return errno_of(::syscall(SYS_settimeofday, &tv, nullptr));  // glibc would check tv itself
}

int personality(unsigned long v) {
  return errno_of(::syscall(SYS_personality, v));
}

}  // namespace

TEST_CASE("seccomp profiles: parse errors name the file and the field", "[seccomp]") {
  CHECK(parse_error("{").find("\"t.json\": not valid JSON") != std::string::npos);
  CHECK(parse_error("[]").find("defaultAction") != std::string::npos);
  CHECK(parse_error("{}").find("no \"defaultAction\"") != std::string::npos);
  CHECK(parse_error(R"({"defaultAction":"SCMP_ACT_MAYBE"})").find("SCMP_ACT_MAYBE") !=
        std::string::npos);
  CHECK(parse_error(R"({"defaultAction":"SCMP_ACT_NOTIFY"})").find("not supported") !=
        std::string::npos);
  CHECK(parse_error(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":{}})")
            .find("syscalls must be an array") != std::string::npos);
  CHECK(
      parse_error(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ERRNO"}]})")
          .find("syscalls[0] has no \"names\"") != std::string::npos);
  CHECK(parse_error(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],
      "action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]})")
            .find("syscalls[0].args[0].index must be 0-5") != std::string::npos);
  CHECK(parse_error(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],
      "action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_ABOUT"}]}]})")
            .find("SCMP_CMP_ABOUT") != std::string::npos);
  CHECK(parse_error(R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":-1})")
            .find("defaultErrnoRet") != std::string::npos);
}

TEST_CASE("seccomp profiles: the OCI fields are read", "[seccomp]") {
  auto p = parse_profile(R"({
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
    "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
    "syscalls": [{"names": ["clone"], "action": "SCMP_ACT_ALLOW",
                  "args": [{"index": 0, "value": 2114060288, "valueTwo": 0,
                            "op": "SCMP_CMP_MASKED_EQ"}],
                  "includes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["amd64"],
                               "minKernel": "4.8"},
                  "excludes": {"caps": ["CAP_BPF"]}, "errnoRet": 1, "comment": "c"}]})",
                         "x");
  CHECK(p.default_action == action::errno_ret);
  CHECK(p.default_errno == 38);
  REQUIRE(p.arch_map.size() == 1);
  CHECK(p.arch_map[0].sub_arches == std::vector<std::string>{"SCMP_ARCH_X86"});
  REQUIRE(p.rules.size() == 1);
  const auto& r = p.rules[0];
  CHECK(r.names == std::vector<std::string>{"clone"});
  CHECK(r.act == action::allow);
  CHECK(r.errno_ret == 1);
  REQUIRE(r.args.size() == 1);
  CHECK(r.args[0].op == compare::masked_eq);
  CHECK(r.args[0].value == 2114060288u);
  CHECK(r.include_caps == std::vector<std::string>{"CAP_SYS_ADMIN"});
  CHECK(r.include_arches == std::vector<std::string>{"amd64"});
  CHECK(r.min_kernel == "4.8");
  CHECK(r.exclude_caps == std::vector<std::string>{"CAP_BPF"});
}

TEST_CASE("seccomp: ctrd's default profile refuses its groups unless a capability re-opens them",
          "[seccomp]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_seccomp());
  auto def = compile(default_profile(), ctrd::default_capabilities, "default");
  CHECK(!def.code.empty());
  CHECK(under_filter(def, [] { return errno_of(::getpid()); }) == 0);
  CHECK(under_filter(def, bad_settime) == EPERM);
  CHECK(under_filter(def, [] { return errno_of(::unshare(CLONE_NEWUSER)); }) == EPERM);
  CHECK(under_filter(def, [] {
          return errno_of(::syscall(SYS_keyctl, 0 /*KEYCTL_GET_KEYRING_ID*/, -3, 0));
        }) == EPERM);
  CHECK(under_filter(def, [] { return errno_of(::syscall(SYS_clone3, nullptr, 0)); }) == ENOSYS);
  CHECK(under_filter(def, [] {
          return errno_of(::syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0));
        }) == EPERM);
  // personality: the safe values and the query pass, weakening ones do not.
  for (unsigned long ok : {0x0ul, 0x8ul, 0x20000ul, 0x20008ul, 0xfffffffful})
    CHECK(under_filter(def, [=] { return personality(ok); }) == 0);
  for (unsigned long bad : {0x0040000ul, 0x0400000ul, 0x80400000ul, 0xfffffffeul,
                            0x100400000ul /* upper bits ignored by the kernel */})
    CHECK(under_filter(def, [=] { return personality(bad); }) == EPERM);

  // A capability re-opens its group: the kernel decides again (EINVAL: invalid time).
  auto sys_time = compile(default_profile(),
                          ctrd::default_capabilities | (uint64_t{1} << 25 /*CAP_SYS_TIME*/), "t");
  CHECK(under_filter(sys_time, bad_settime) == EINVAL);
}

TEST_CASE("seccomp: Debian's containers profile compiles and applies its rules", "[seccomp]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_seccomp());
  if (::access(debian_profile, R_OK) != 0) {
    WARN("skipped: no " << debian_profile);
    return;
  }
  auto p = load_profile(debian_profile);
  CHECK(p.default_action == action::errno_ret);
  CHECK(p.default_errno == ENOSYS);
  auto prog = compile(p, ctrd::default_capabilities, debian_profile);
  CHECK(under_filter(prog, [] { return errno_of(::getpid()); }) == 0);
  CHECK(under_filter(prog, bad_settime) == EPERM);
  CHECK(under_filter(prog, [] {
          return errno_of(::syscall(SYS_move_pages, 0, 0, nullptr, nullptr, nullptr, 0));
        }) == EPERM);
  auto with_time =
      compile(p, ctrd::default_capabilities | (uint64_t{1} << 25 /*CAP_SYS_TIME*/), "x");
  CHECK(under_filter(with_time, bad_settime) == EINVAL);
}

TEST_CASE("seccomp: errnoRet, defaultErrnoRet and capability includes as runc reads them",
          "[seccomp]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_seccomp());
  auto p = parse_profile(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
    "syscalls": [
      {"names": ["getpid", "exit", "exit_group", "rt_sigreturn", "mmap", "munmap", "mprotect",
                 "madvise", "brk", "write", "read", "openat", "close", "futex", "rt_sigprocmask",
                 "rt_sigaction", "sigaltstack", "getrandom", "sched_yield", "gettid", "prctl"],
       "action": "SCMP_ACT_ALLOW", "comment": "what the sanitizers' runtime may call"},
      {"names": ["getppid"], "action": "SCMP_ACT_ERRNO"},
      {"names": ["getuid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22},
      {"names": ["getgid"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_TIME"]}},
      {"names": ["geteuid"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_SYS_TIME"]}},
      {"names": ["no_such_call_here"], "action": "SCMP_ACT_ALLOW"}]})",
                         "t");
  auto check = [](const program& prog, long nr) {
    return under_filter(prog, [=] { return errno_of(::syscall(nr)); });
  };
  auto plain = compile(p, 0, "t");
  CHECK(check(plain, SYS_getpid) == 0);
  CHECK(check(plain, SYS_getppid) == EPERM);  // no errnoRet: EPERM, not the default's
  CHECK(check(plain, SYS_getuid) == EINVAL);
  CHECK(check(plain, SYS_getgid) == ENOSYS);  // the default action
  CHECK(check(plain, SYS_geteuid) == 0);
  auto with_time = compile(p, uint64_t{1} << 25, "t");
  CHECK(check(with_time, SYS_getgid) == 0);
  CHECK(check(with_time, SYS_geteuid) == ENOSYS);
}

TEST_CASE("seccomp: the cache compiles a profile once per file version and capability set",
          "[seccomp]") {
  ctrd::test::temp_dir dir;
  auto path = dir / "p.json";
  std::ofstream(path) << R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
      {"names":["settimeofday"],"action":"SCMP_ACT_ERRNO"}]})";
  cache c;
  auto a = c.get(path, 1);
  CHECK(c.get(path, 1) == a);
  CHECK(c.compilations() == 1);
  c.get(path, 3);
  CHECK(c.compilations() == 2);
  auto d1 = c.get("", ctrd::default_capabilities);
  CHECK(c.get("", ctrd::default_capabilities) == d1);
  CHECK(c.compilations() == 3);
  // A changed file is read again.
  std::filesystem::last_write_time(
      path, std::filesystem::last_write_time(path) + std::chrono::seconds(5));
  CHECK(c.get(path, 1) != a);
  CHECK(c.compilations() == 4);
  // Missing and invalid files: clear errors.
  try {
    c.get(dir / "missing.json", 1);
    FAIL("no error");
  } catch (const ctrd::error& e) {
    CHECK(std::string(e.what()).find("missing.json\" cannot be read") != std::string::npos);
  }
  std::ofstream(path, std::ios::trunc) << "{}";
  std::filesystem::last_write_time(
      path, std::filesystem::last_write_time(path) + std::chrono::seconds(10));
  CHECK_THROWS_WITH(c.get(path, 1), Catch::Contains("no \"defaultAction\""));
}

// ctrd itself under an outer filter (systemd-nspawn's, Docker's default) that refuses keyctl:
// a container's process cannot join a keyring of its own, and must start all the same (the
// container inherits the outer filter, so no keyring is reachable to isolate). Any other
// refusal still stops the start with its reason.
TEST_CASE("confinement: keyctl refused by an outer filter with EPERM does not stop a start",
          "[seccomp][confinement]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_seccomp());
  ctrd::child_confinement c;
  c.new_keyring = true;
  auto joins = [&c] { return ctrd::confine_before_user(c) == nullptr ? 0 : 1; };
  auto refusing = [](int errno_ret) {
    return compile(parse_profile(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [)"
                                 R"({"names": ["keyctl"], "action": "SCMP_ACT_ERRNO",)"
                                 R"( "errnoRet": )" +
                                     std::to_string(errno_ret) + "}]}",
                                 "outer.json"),
                   0, "outer");
  };
  CHECK(under_filter(refusing(EPERM), joins) == 0);
  CHECK(under_filter(refusing(ENOSYS), joins) == 0);  // a kernel without keys
  CHECK(under_filter(refusing(EACCES), joins) == 1);
  CHECK(under_filter(refusing(EACCES), [&c] {
          const char* why = ctrd::confine_before_user(c);
          return why != nullptr && std::string(why) == "join a session keyring of its own" ? 0 : 1;
        }) == 0);
}

}  // namespace seccomp_test
