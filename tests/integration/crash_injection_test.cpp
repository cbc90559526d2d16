// Crash injection (issue 6, docs/reliability.md): a random but seeded workload of creates,
// starts, stops, kills, restarts and removals — services, short runs and crash-looping
// containers — interrupted by SIGKILLs of ctrd at random moments, some while a ctrctl
// command is in flight. After every restart the harness checks what ctrd shows against a
// model built only from what ctrd acknowledged (ctrctl exit code 0):
//   (1) an acknowledged create exists unless an acknowledged rm followed; an acknowledged
//       rm stays done; nothing unknown appears; an acknowledged stop/kill means not running
//       until a start or restart was issued (or ctrd's boot start of an `always` container);
//   (2) a container shown running/paused/stopping has a live, non-zombie main process that
//       really is that container's process;
//   (3) no process of a removed container survives, and no container process lives on that
//       ctrd does not account for;
//   (4) RestartCount never decreases unless a user start/restart/run could have reset it.
// Short by default (CI); CTRD_CRASH_ROUNDS, CTRD_CRASH_SEED and CTRD_CRASH_BUDGET_S make
// it long and reproducible (scripts/crash-soak.sh). CTRD_CRASH_MIN_DOWN_MS keeps ctrd down
// for a minimum time (docs/reliability.md, "Settings").
#include <catch2/catch.hpp>

#include <unistd.h>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "messages/rpc.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/workload.hpp"

namespace crash_injection_test {

using ctrd::test::await_inspect;
using ctrd::test::leftover_guard;
using ctrd::test::live_daemon;
using ctrd::test::prng;
using ctrd::test::proc_result;
using json = nlohmann::json;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

enum class tri { no, yes, maybe };

const char* tri_text(tri t) {
  return t == tri::yes ? "yes" : t == tri::no ? "no" : "maybe";
}

/// What the harness knows about one container, from acknowledged operations only.
struct model_ctr {
  std::string kind;        ///< service (sleep 1000), short (sleep 0.3), looper (sh -c 'exit 1')
  bool always = false;     ///< --restart always
  bool unlimited = false;  ///< --restart-limit 0
  tri exists = tri::yes;
  bool must_not_run = true;     ///< an acked create/stop/kill with no start/restart issued since
  bool maybe_started = false;   ///< a start may have happened (ctrd's boot start needs one)
  bool reset_possible = false;  ///< a user start/restart was issued since the last observation
  long last_rc = -1;            ///< RestartCount at the last observation
  std::set<std::pair<pid_t, uint64_t>> pids;  ///< main processes seen (pid, start time)
};

/// One container as `ps -a --format json` shows it.
struct shown {
  std::string state;
  pid_t pid = 0;
  long rc = 0;
};

bool claims_process(const std::string& state) {
  return state == "running" || state == "paused" || state == "stopping";
}

struct violation {
  bool hard;        ///< wrong at once (durability, phantom, counter); soft ones may settle
  std::string key;  ///< identity, to tell a persisting soft violation from churn
  std::string text;
};

struct op {
  std::string text;
  std::vector<std::string> args;
  std::function<void(bool acked)> apply;
};

class harness {
 public:
  harness(live_daemon& d, uint64_t seed)
      : d_(d),
        rng_(seed),
        seed_(seed),
        prefix_("ci" + std::to_string(::getpid()) + "x" + std::to_string(seed) + ".") {}

  const std::string& prefix() const { return prefix_; }
  int ops() const { return ops_; }
  int acked() const { return acked_; }
  int inflight_kills() const { return inflight_kills_; }
  int crashes() const { return crashes_; }
  int max_settle_ms() const { return max_settle_ms_; }

  void round(int r) {
    round_ = r;
    note("-- round " + std::to_string(r));
    int n = static_cast<int>(rng_.range(2, 7));
    for (int i = 0; i < n; ++i) {
      if (rng_.chance(12)) {
        check("mid-round observation", true);
        continue;
      }
      run(next_op());
    }
    int mode = static_cast<int>(rng_.below(100));
    if (mode < 45) {  // SIGKILL while a command is in flight: it may or may not have happened
      auto o = next_op();
      auto delay = std::chrono::milliseconds(rng_.range(0, 30));
      auto fut = std::async(std::launch::async, [this, args = o.args] { return d_.ctl(args); });
      std::this_thread::sleep_for(delay);
      crash("in flight: " + o.text + ", SIGKILL after " + std::to_string(delay.count()) + " ms");
      auto res = fut.get();
      ++ops_;
      ++inflight_kills_;
      if (res.code == -1)
        fail_now({{true, "hang", "ctrctl " + o.text + " still running 30 s after ctrd died"}});
      finish(o, res, true);
    } else {
      auto delay = std::chrono::milliseconds(rng_.range(0, 50));
      std::this_thread::sleep_for(delay);
      crash("idle, SIGKILL after " + std::to_string(delay.count()) + " ms");
      if (mode >= 80) kill_a_service_while_down();
    }
    restart();
    if (rng_.chance(15)) {  // and once more while it recovers
      auto delay = std::chrono::milliseconds(rng_.range(0, 30));
      std::this_thread::sleep_for(delay);
      crash("during recovery, SIGKILL after " + std::to_string(delay.count()) + " ms");
      restart();
    }
    check("after restart", true);
  }

  /// Stops ctrd cleanly and checks that no container process outlives it.
  void finish_run() {
    note("-- shutdown");
    int rc = d_.terminate();
    CHECK(rc == 0);
    std::vector<ctrd::test::marked_process> left;
    auto end = steady::now() + 2s;
    do {
      left = ctrd::test::find_marked(prefix_);
      if (left.empty()) break;
      std::this_thread::sleep_for(50ms);
    } while (steady::now() < end);
    std::string list;
    for (auto& p : left) list += " " + p.tag + "(pid " + std::to_string(p.pid) + ")";
    INFO(report("processes left after a clean shutdown:" + list));
    CHECK(left.empty());
  }

 private:
  void note(const std::string& s) { log_.push_back(s); }

  std::string report(const std::string& what) const {
    std::ostringstream o;
    o << what << "\n\nseed " << seed_ << " (repeat with CTRD_CRASH_SEED=" << seed_ << "); round "
      << round_ << "; operations (ack = ctrctl exit 0):\n";
    size_t from = log_.size() > 250 ? log_.size() - 250 : 0;
    for (size_t i = from; i < log_.size(); ++i) o << "  " << log_[i] << "\n";
    o << "model:\n";
    for (auto& [n, c] : model_)
      o << "  " << n << " " << c.kind << (c.always ? " always" : "")
        << (c.unlimited ? " unlimited" : "") << " exists=" << tri_text(c.exists)
        << " must_not_run=" << c.must_not_run << " last_rc=" << c.last_rc << "\n";
    auto log = d_.log();
    auto cut = log.size() > 6000 ? log.size() - 6000 : 0;
    auto saved =
        std::filesystem::temp_directory_path() / ("ctrd-crash-" + std::to_string(seed_) + ".log");
    std::ofstream(saved) << log;
    o << "ctrd log (whole log of every generation: " << saved.string() << "), tail:\n"
      << log.substr(cut);
    return o.str();
  }

  [[noreturn]] void fail_now(const std::vector<violation>& v) {
    std::string what = "invariant violated:";
    for (auto& x : v) what += "\n  " + x.text;
    FAIL(report(what));
    throw std::logic_error("unreachable");
  }

  /// Starts ctrd again after 0-100 ms down (at least CTRD_CRASH_MIN_DOWN_MS): an immediate
  /// restart, as a supervisor of ctrd would do, or one after processes ended meanwhile.
  void restart() {
    auto down = std::chrono::milliseconds(std::max<int64_t>(rng_.range(0, 100), min_down_ms_));
    std::this_thread::sleep_for(down);
    note("start ctrd (down " + std::to_string(down.count()) + " ms)");
    d_.start();
    boot_started();
  }

  void crash(const std::string& how) {
    ++crashes_;
    note("SIGKILL ctrd (" + how + ")");
    d_.kill9();
  }

  /// ctrd starts `always` containers that ran before (docs/supervision.md): a user stop or
  /// kill no longer keeps them down.
  void boot_started() {
    for (auto& [n, c] : model_) {
      if (!c.always || !c.maybe_started || c.exists == tri::no) continue;
      c.must_not_run = false;  // a boot start is no user start: RestartCount survives it
    }
  }

  /// As after a reboot: a service's process dies while ctrd is down.
  void kill_a_service_while_down() {
    std::vector<ctrd::test::marked_process> services;
    for (auto& p : ctrd::test::find_marked(prefix_))
      if (auto it = model_.find(p.tag); it != model_.end() && it->second.kind == "service")
        services.push_back(p);
    if (services.empty()) return;
    auto& p = services[rng_.below(services.size())];
    note("SIGKILL " + p.tag + "'s process " + std::to_string(p.pid) + " while ctrd is down");
    ::kill(p.pid, SIGKILL);
  }

  std::vector<std::string> live_names() const {
    std::vector<std::string> v;
    for (auto& [n, c] : model_)
      if (c.exists != tri::no) v.push_back(n);
    return v;
  }

  op create_op() {
    auto name = "c" + std::to_string(next_++);
    model_ctr c;
    int unlimited_loopers = 0;
    for (auto& [n, m] : model_)
      if (m.exists != tri::no && m.unlimited) ++unlimited_loopers;
    auto k = rng_.below(10);
    std::vector<std::string> policy, cmd;
    if (k < 4) {
      c.kind = "service";
      c.always = rng_.chance(50);
      if (c.always) policy = {"--restart", "always"};
      cmd = {"sleep", "1000"};
    } else if (k < 6) {
      c.kind = "short";
      c.always = rng_.chance(50);
      if (c.always) policy = {"--restart", "always", "--restart-delay", "0"};
      cmd = {"sleep", "0.3"};
    } else {
      c.kind = "looper";
      c.always = true;
      policy = {"--restart", "always", "--restart-delay", "0"};
      // A loop without a limit spins for ever; at most two at a time (2 cores under ASan).
      if (unlimited_loopers < 2 && rng_.chance(50)) {
        c.unlimited = true;
        policy.insert(policy.end(), {"--restart-limit", "0"});
      }
      cmd = {"sh", "-c", "exit 1"};
    }
    bool start = rng_.chance(60);
    std::vector<std::string> args;
    if (start)
      args = {"run", "-d"};
    else
      args = {"create"};
    args.insert(args.end(), {"--name", name, "-e",
                             std::string(ctrd::test::harness_marker) + "=" + prefix_ + name});
    args.insert(args.end(), policy.begin(), policy.end());
    args.insert(args.end(), cmd.begin(), cmd.end());
    std::string text = std::string(start ? "run -d " : "create ") + name + " (" + c.kind +
                       (c.always ? ", always" : "") + (c.unlimited ? ", no limit" : "") + ")";
    return {text, args, [this, name, c, start](bool acked) mutable {
              c.exists = acked ? tri::yes : tri::maybe;
              c.must_not_run = !start;
              c.maybe_started = start;
              c.reset_possible = true;
              model_[name] = c;
            }};
  }

  op next_op() {
    auto live = live_names();
    if (live.size() < 4 || (live.size() < 10 && rng_.chance(25))) return create_op();
    const auto& name = live[rng_.below(live.size())];
    auto w = rng_.below(100);
    if (live.size() > 10 && w < 30) w = 80;  // keep the population small: remove
    if (w < 25) {
      return {"start " + name, {"start", name}, [this, name](bool) {
                auto& c = model_[name];
                c.must_not_run = false;  // may have started even when not acknowledged
                c.maybe_started = true;
                c.reset_possible = true;
              }};
    }
    if (w < 45) {
      return {"stop -t 1 " + name, {"stop", "-t", "1", name}, [this, name](bool acked) {
                if (acked) model_[name].must_not_run = true;
              }};
    }
    if (w < 57) {
      return {"kill " + name, {"kill", name}, [this, name](bool acked) {
                if (acked) model_[name].must_not_run = true;
              }};
    }
    if (w < 67) {
      return {"restart -t 1 " + name, {"restart", "-t", "1", name}, [this, name](bool) {
                auto& c = model_[name];
                c.must_not_run = false;
                c.maybe_started = true;
                c.reset_possible = true;
              }};
    }
    return {"rm -f " + name, {"rm", "-f", name}, [this, name](bool acked) {
              auto& c = model_[name];
              if (acked)
                c.exists = tri::no;
              else if (c.exists == tri::yes)
                c.exists = tri::maybe;
            }};
  }

  void finish(const op& o, const proc_result& r, bool inflight) {
    bool acked = r.code == 0;
    if (acked) ++acked_;
    std::string line = o.text + " -> " + std::to_string(r.code) + (inflight ? " (in flight)" : "");
    if (!acked && !r.err.empty()) line += ": " + ctrd::test::trim(r.err);
    note(line);
    o.apply(acked);
  }

  void run(const op& o) {
    auto r = d_.ctl(o.args);
    ++ops_;
    finish(o, r, false);
  }

  /// The state ctrd shows now (`ps -a`: what users see).
  std::map<std::string, shown> observe() {
    auto r = d_.ctl({"ps", "-a", "--format", "json"});
    if (r.code != 0) {
      std::string why = "ps -a failed with " + std::to_string(r.code) + ": " + r.err;
      // A ctrd that refused to start exits soon. (Not reaped here: the daemon harness does.)
      auto end = steady::now() + 2s;
      while (ctrd::test::process_alive(d_.pid()) && steady::now() < end)
        std::this_thread::sleep_for(20ms);
      if (!ctrd::test::process_alive(d_.pid()))
        why += "\n  ctrd (pid " + std::to_string(d_.pid()) + ") has exited; see the end of its log";
      fail_now({{true, "ps", why}});
    }
    std::map<std::string, shown> out;
    for (auto& j : json::parse(r.out)) {
      shown s;
      s.state = j.value("State", "");
      s.pid = j.value("Pid", 0);
      s.rc = j.value("Restarts", 0L);
      out[j["Names"][0].get<std::string>()] = s;
    }
    return out;
  }

  /// Evaluates every invariant on one observation; updates the model's knowledge
  /// (resolved maybes, pids seen, last RestartCount).
  std::vector<violation> evaluate(const std::map<std::string, shown>& seen,
                                  const std::vector<ctrd::test::marked_process>& marked) {
    std::vector<violation> v;
    // Names ctrd shows that the model cannot explain.
    for (auto& [n, s] : seen)
      if (model_.find(n) == model_.end())
        v.push_back(
            {true, "unknown:" + n, "ctrd shows a container the workload never created: " + n});
    for (auto& [n, c] : model_) {
      auto it = seen.find(n);
      bool present = it != seen.end();
      // (1) acknowledged creates and removals are durable
      if (c.exists == tri::yes && !present)
        v.push_back({true, "lost:" + n,
                     n + ": acknowledged create, no acknowledged rm, but ctrd does not show it"});
      if (c.exists == tri::no && present)
        v.push_back({it->second.state != "removing", "back:" + n,
                     n + ": acknowledged rm, but ctrd shows it (" + it->second.state + ")"});
      if (!present) {
        if (c.exists == tri::maybe) c.exists = tri::no;  // now known, must stay so
        continue;
      }
      const auto& s = it->second;
      if (s.state == "removing") {  // a removal in progress (e.g. completed by recovery)
        if (c.exists == tri::yes)
          v.push_back({true, "removing:" + n, n + ": removing, but no rm was issued"});
        continue;  // a maybe stays open until it is gone or back; a "no" must go soon
      }
      if (c.exists == tri::maybe) c.exists = tri::yes;
      // (1) an acknowledged stop/kill keeps it down until a start
      if (c.must_not_run && claims_process(s.state))
        v.push_back(
            {false, "running:" + n,
             n + ": stopped/killed/created (acknowledged) and no start since, but " + s.state});
      // (2) running means a live process, and that process is this container's
      if (claims_process(s.state)) {
        auto start = ctrd::test::proc_start_time(s.pid);
        auto tag = s.pid > 0 ? ctrd::test::marker_of(s.pid, prefix_) : std::string();
        if (s.pid <= 0 || start == 0)
          v.push_back({false, "dead:" + n + ":" + std::to_string(s.pid),
                       n + ": " + s.state + " with pid " + std::to_string(s.pid) +
                           ", which is not a live process"});
        else if (tag != n)
          v.push_back({false, "foreign:" + n + ":" + std::to_string(s.pid),
                       n + ": " + s.state + " with pid " + std::to_string(s.pid) +
                           ", which is not its process (" +
                           (tag.empty() ? "no marker" : "marker of " + tag) + ")"});
        else
          c.pids.insert({s.pid, start});
      }
      // (4) RestartCount only goes up, unless a user start/restart reset it
      if (c.last_rc >= 0 && s.rc < c.last_rc && !c.reset_possible)
        v.push_back({true, "rc:" + n,
                     n + ": RestartCount went down from " + std::to_string(c.last_rc) + " to " +
                         std::to_string(s.rc) + " without a user start or restart"});
      c.last_rc = s.rc;
      c.reset_possible = false;
    }
    // (3) every live container process belongs to a container that accounts for it
    std::set<std::pair<pid_t, uint64_t>> reported;
    for (auto& p : marked) {
      if (!ctrd::test::same_process_alive(p.pid, p.start)) continue;  // ended since the scan
      reported.insert({p.pid, p.start});
      auto key = "proc:" + std::to_string(p.pid);
      auto m = model_.find(p.tag);
      auto it = seen.find(p.tag);
      if (m == model_.end()) {
        v.push_back(
            {false, key, "process " + std::to_string(p.pid) + " of unknown container " + p.tag});
      } else if (m->second.exists == tri::no || it == seen.end()) {
        v.push_back(
            {false, key,
             "process " + std::to_string(p.pid) + " of removed container " + p.tag + " survives"});
      } else if (!claims_process(it->second.state) || it->second.pid != p.pid) {
        v.push_back({false, key,
                     "process " + std::to_string(p.pid) + " of " + p.tag +
                         " lives, but ctrd shows " + it->second.state + " with pid " +
                         std::to_string(it->second.pid) +
                         " (a process ctrd does not account for)"});
      }
    }
    for (auto& [n, c] : model_) {
      if (c.exists != tri::no) continue;
      for (auto& p : c.pids)
        if (!reported.count(p) && ctrd::test::same_process_alive(p.first, p.second))
          v.push_back(
              {false, "proc:" + std::to_string(p.first),
               "process " + std::to_string(p.first) + " of removed container " + n + " survives"});
    }
    return v;
  }

  /// Observes until the soft invariants hold. Hard violations fail at once; a soft one fails
  /// when the same one persisted for 2 s (a kill's exit being processed, a looper between
  /// runs, recovery in progress are transient).
  void check(const char* when, bool settle) {
    auto t0 = steady::now();
    std::map<std::string, steady::time_point> first_seen;
    std::set<std::string> previous;
    int n = 0;
    for (;;) {
      auto marked = ctrd::test::find_marked(prefix_);  // before ps: ctrd knows these already
      auto seen = observe();
      auto v = evaluate(seen, marked);
      ++n;
      std::vector<violation> hard, soft;
      for (auto& x : v) (x.hard ? hard : soft).push_back(x);
      if (!hard.empty()) {
        note(std::string("check ") + when + ": hard violation");
        fail_now(hard);
      }
      std::set<std::string> now;
      bool persisting = false;
      std::vector<violation> failed;
      for (auto& x : soft) {
        now.insert(x.key);
        if (previous.count(x.key)) persisting = true;
        auto [it, fresh] = first_seen.emplace(x.key, steady::now());
        if (!fresh && steady::now() - it->second >= 2s) failed.push_back(x);
      }
      for (auto it = first_seen.begin(); it != first_seen.end();)
        it = now.count(it->first) ? std::next(it) : first_seen.erase(it);
      if (!failed.empty()) {
        note(std::string("check ") + when + ": violation persisted for 2 s");
        fail_now(failed);
      }
      // Done when nothing is wrong, or when nothing wrong lasted from one look to the next
      // (loopers churn: every look may catch a run that just ended).
      if (soft.empty() || (!settle && n >= 1) || (n >= 2 && !persisting)) break;
      previous = std::move(now);
      std::this_thread::sleep_for(100ms);
    }
    auto ms = static_cast<int>(ctrd::test::ms_since(t0));
    max_settle_ms_ = std::max(max_settle_ms_, ms);
    note(std::string("check ") + when + ": ok (" + std::to_string(n) + " looks, " +
         std::to_string(ms) + " ms)");
  }

  live_daemon& d_;
  prng rng_;
  uint64_t seed_;
  std::string prefix_;
  std::map<std::string, model_ctr> model_;
  std::vector<std::string> log_;
  int64_t min_down_ms_ = static_cast<int64_t>(ctrd::test::env_u64("CTRD_CRASH_MIN_DOWN_MS", 0));
  int next_ = 0, round_ = 0, ops_ = 0, acked_ = 0, inflight_kills_ = 0, crashes_ = 0,
      max_settle_ms_ = 0;
};

}  // namespace

TEST_CASE(
    "crash injection: SIGKILL of ctrd at random points keeps every acknowledged operation and no "
    "stray process",
    "[crash]") {
  const auto seed = ctrd::test::seed_from_env("CTRD_CRASH_SEED");
  const auto rounds = static_cast<int>(ctrd::test::env_u64("CTRD_CRASH_ROUNDS", 12));
  const auto budget = std::chrono::seconds(ctrd::test::env_u64("CTRD_CRASH_BUDGET_S", 40));
  WARN("crash injection: seed " << seed << ", " << rounds << " rounds, budget " << budget.count()
                                << " s (repeat: CTRD_CRASH_SEED=" << seed
                                << " CTRD_CRASH_ROUNDS=" << rounds << ")");
  leftover_guard guard;  // declared before the daemon: destroyed after it
  live_daemon d;
  harness h(d, seed);
  guard.prefix = h.prefix();
  auto t0 = steady::now();
  int done = 0;
  for (; done < rounds; ++done) {
    if (steady::now() - t0 > budget) {
      WARN("crash injection: time budget spent after " << done << " of " << rounds << " rounds");
      break;
    }
    h.round(done);
  }
  h.finish_run();
  WARN("crash injection: " << done << " rounds, " << h.crashes() << " crashes ("
                           << h.inflight_kills() << " with a command in flight), " << h.ops()
                           << " operations (" << h.acked() << " acknowledged), longest settle "
                           << h.max_settle_ms() << " ms, "
                           << static_cast<long>(ctrd::test::ms_since(t0)) << " ms in all");
  CHECK(done > 0);
}

}  // namespace crash_injection_test
