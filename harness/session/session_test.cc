// The harness' run session (scenario_run.h, failure_report.h) against
// programs that only a step budget can end: mains that spin forever on a
// non-blocking operation and never switch goroutines. Under Go's default
// schedule nothing ever preempts them, so a budget that counted only
// switches would never trip; these pin that run, check, replay and the
// shrinker each end them as a livelock within the budget, with bounded
// memory. The programs live here, not in the built-in list, which the CLI
// serves: so the CLI's own budget contract (cli_contract_test.sh) is
// tested with a budget too small for a built-in scenario instead.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "gort/gort.h"
#include "session/failure_report.h"
#include "session/scenario_run.h"
#include "strategy/replay_file.h"
#include "strategy/shrink.h"

namespace gort::harness {
namespace {

// A receive that never finds anything, forever.
void spin_on_try_recv() {
  Chan<int> c = make_chan<int>(0);
  for (;;) c.try_recv();
}

// A select with a default case, none of whose cases is ever ready.
void spin_on_try_select() {
  Chan<int> c = make_chan<int>(1);
  int v = 0;
  for (;;) try_select({recv_case(c, v)});
}

// The bug report's program: a select whose closed-channel case is always
// ready. Every step is a completed channel operation with its events, so
// the oracle hears two events a step for as long as the run lasts.
void spin_on_closed_select() {
  Chan<int> c = make_chan<int>(0);
  c.close();
  int v = 0;
  bool ok = true;
  for (;;) select({recv_case(c, v, &ok)});
}

// Their fault plan injects no panics: an injected panic would end the
// spin (a run every scenario tolerates) before the budget does.
const Scenario kSpinners[] = {
    {"spin-try-recv",
     "test livelock",
     "try_recv on an empty channel, forever",
     spin_on_try_recv,
     {},
     64 * 1024,
     kNoPanicFaults},
    {"spin-try-select",
     "test livelock",
     "a select with default, forever",
     spin_on_try_select,
     {},
     64 * 1024,
     kNoPanicFaults},
    {"spin-closed-select",
     "test livelock",
     "a select on a closed channel, forever",
     spin_on_closed_select,
     {},
     64 * 1024,
     kNoPanicFaults},
};

constexpr uint64_t kSmallBudget = 20'000;

RunSpec spec_for(const Scenario& s, StrategyKind strategy, uint64_t seed, uint64_t max_steps) {
  RunSpec spec;
  spec.scenario = &s;
  spec.seed = seed;
  spec.strategy = strategy;
  spec.max_steps = max_steps;
  FaultPlanParse plan = FaultPlan::parse(s.faults != nullptr ? s.faults : kDefaultScenarioFaults);
  EXPECT_TRUE(plan.ok()) << plan.error;
  spec.faults = plan.plan;
  return spec;
}

// Everything a budget failure must show: the kind, the step count at the
// budget, and memory bounded by it.
void expect_livelock(const RunOutcome& out, uint64_t max_steps, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(out.failure_kind, "budget") << out.verdict;
  EXPECT_EQ(out.verdict.rfind("step budget exceeded after " + std::to_string(max_steps) + " steps", 0), 0u)
      << out.verdict;
  EXPECT_EQ(out.result.steps, max_steps + 1);
  EXPECT_LE(out.decisions.size(), kEntriesPerStep * max_steps);
  EXPECT_LE(out.oracle_events, kEntriesPerStep * max_steps);
  EXPECT_LE(out.trace_tail.size(), TraceOptions{}.ring_capacity);
  EXPECT_NE(out.dump.find("goroutine 1 [running]:"), std::string::npos) << out.dump;
}

TEST(StepBudget, EachSpinnerEndsAsALivelockUnderEveryStrategy) {
  for (const Scenario& s : kSpinners) {
    for (StrategyKind k : {StrategyKind::kRandom, StrategyKind::kPct}) {
      RunOutcome out = run_scenario_once(spec_for(s, k, 1, kSmallBudget));
      expect_livelock(out, kSmallBudget, std::string(s.name) + " " + strategy_name(k));
    }
  }
}

TEST(StepBudget, TheDefaultBudgetIsFiniteAndEndsTheSpin) {
  RunSpec spec;
  spec.scenario = &kSpinners[2];
  ASSERT_GT(spec.max_steps, 0u);
  RunOutcome out = run_scenario_once(spec);
  expect_livelock(out, kDefaultMaxSteps, "default budget");
  // The closed-channel select completes an operation every step: the
  // oracle hears it (so it is fed), within the bound.
  EXPECT_GT(out.oracle_events, kDefaultMaxSteps);
}

TEST(StepBudget, ReplayWithGoDefaultsPastTheEndStillEnds) {
  // The bug report's path: a replay whose recording ends at once, going on
  // under Go's defaults (no preemption, no faults), and one with a
  // random walk past the end.
  const std::vector<Decision> none;
  for (const Scenario& s : kSpinners) {
    for (ReplayFallback fallback : {ReplayFallback::kDefaults, ReplayFallback::kRandom}) {
      RunSpec spec = spec_for(s, StrategyKind::kReplay, 1, kSmallBudget);
      spec.replay = &none;
      spec.replay_fallback = fallback;
      expect_livelock(run_scenario_once(spec), kSmallBudget, s.name);
    }
  }
}

TEST(StepBudget, TheCheckLoopEndsEveryRunAndReusesItsWorkspace) {
  // gort check's loop (cli/cmd_check.cc) at the session level: random walk
  // and PCT alternating, seeds in turn, one workspace for every run.
  RunWorkspace workspace;
  StackPool pool;
  for (const Scenario& s : kSpinners) {
    for (uint64_t k = 0; k < 6; k++) {
      RunSpec spec = spec_for(s, k % 2 == 0 ? StrategyKind::kRandom : StrategyKind::kPct, 1 + k, kSmallBudget);
      spec.workspace = &workspace;
      spec.pool = &pool;
      expect_livelock(run_scenario_once(spec), kSmallBudget, std::string(s.name) + " run " + std::to_string(k));
    }
  }
}

// 200 selects over 64 closed channels, then main returns: about 470
// steps, each select asking 63 poll-order decisions.
void wide_selects() {
  constexpr int kCases = 64;
  std::vector<Chan<int>> chans;
  for (int i = 0; i < kCases; i++) {
    chans.push_back(make_chan<int>(0));
    chans.back().close();
  }
  int v = 0;
  std::vector<SelectCase> cases;
  for (const Chan<int>& c : chans) cases.push_back(recv_case(c, v));
  for (int i = 0; i < 200; i++) select(cases.data(), cases.size());
}

TEST(StepBudget, ARunThatRecordsMoreThanItsBudgetAllowsFailsAsBudget) {
  const Scenario wide{"wide-selects", "test", "selects over 64 closed channels", wide_selects, {}};
  RunSpec spec = spec_for(wide, StrategyKind::kRandom, 1, 100'000);
  spec.faults = FaultPlan{};
  ASSERT_TRUE(run_scenario_once(spec).ok()) << "within a large budget the program is fine";
  // Within 1000 steps, but not within 8000 decisions and events.
  spec.max_steps = 1000;
  RunOutcome out = run_scenario_once(spec);
  EXPECT_TRUE(out.result.ok()) << "the run itself ended: " << out.result.output;
  EXPECT_LE(out.result.steps, 1000u);
  EXPECT_EQ(out.failure_kind, "budget") << out.verdict;
  EXPECT_NE(out.verdict.find("more than 8000 decisions and events"), std::string::npos) << out.verdict;
  EXPECT_LE(out.decisions.size(), 8000u);
  EXPECT_LE(out.oracle_events, 8000u);
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/gort-session-test-XXXXXX";
    const char* made = mkdtemp(tmpl);
    EXPECT_NE(made, nullptr);
    path_ = made != nullptr ? made : "/tmp";
  }
  ~TempDir() {
    std::string cmd = "rm -rf '" + path_ + "'";
    if (system(cmd.c_str()) != 0) fprintf(stderr, "could not remove %s\n", path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(StepBudget, TheShrinkerEndsItsReplaysAndWritesAReplayThatReproduces) {
  TempDir dir;
  for (const Scenario& s : kSpinners) {
    RunSpec spec = spec_for(s, StrategyKind::kRandom, 3, kSmallBudget);
    RunOutcome out = run_scenario_once(spec);
    ASSERT_EQ(out.failure_kind, "budget");
    ASSERT_FALSE(out.decisions.empty());
    // The shrinker's predicate, as report_failure uses it: every candidate
    // replayed under Go's defaults past its end, within the budget.
    uint32_t replays = 0;
    ShrinkResult shrunk = shrink(out.decisions, [&](const std::vector<Decision>& candidate) {
      RunSpec again = spec;
      again.strategy = StrategyKind::kReplay;
      again.replay = &candidate;
      again.replay_fallback = ReplayFallback::kDefaults;
      RunOutcome r = run_scenario_once(again);
      replays++;
      EXPECT_LE(r.result.steps, kSmallBudget + 1);
      return r.failure_kind == "budget";
    });
    EXPECT_TRUE(shrunk.stats.input_failed);
    EXPECT_EQ(shrunk.stats.nonzero_after, 0u) << s.name << ": Go's own schedule spins too";
    EXPECT_EQ(shrunk.stats.calls, replays);

    // The whole report: shrunk, written, and the file replays to the same livelock.
    ReportOptions options;
    options.out_dir = dir.path();
    std::string path = report_failure(spec, out, options);
    ASSERT_FALSE(path.empty());
    ReplayRead read = read_replay(path);
    ASSERT_TRUE(read.ok()) << read.error;
    RunSpec replay = spec;
    replay.strategy = StrategyKind::kReplay;
    replay.replay = &read.file.decisions;
    expect_livelock(run_scenario_once(replay), kSmallBudget, std::string(s.name) + " replayed from its file");
  }
}

// A clock the test moves: one second per reading.
double ticking_seconds() {
  static double now = 0;
  return now += 1;
}

TEST(Shrink, StopsAtItsWallClockLimitWithTheBestScheduleSoFar) {
  // Fails while entry 3 is non-zero; every other entry is noise.
  std::vector<Decision> failing;
  for (int i = 0; i < 64; i++) failing.push_back(Decision::choice(Choice::kPreempt, 2, 1));
  auto still_fails = [](const std::vector<Decision>& d) { return d.size() > 3 && d[3].chosen != 0; };
  ShrinkLimits limits;
  limits.max_seconds = 4.5;  // the start, then one reading before each call
  limits.now_seconds = &ticking_seconds;
  ShrinkResult r = shrink(failing, still_fails, limits);
  EXPECT_TRUE(r.stats.input_failed);
  EXPECT_TRUE(r.stats.time_limit_reached);
  EXPECT_FALSE(r.stats.call_limit_reached);
  EXPECT_EQ(r.stats.calls, 5u) << "the input, then the calls at 1, 2, 3 and 4 ticks";
  EXPECT_TRUE(still_fails(r.decisions)) << "the best so far still fails";
  EXPECT_LT(r.stats.nonzero_after, r.stats.nonzero_before) << "some progress was kept";

  // Without the limit, the same shrink goes all the way.
  limits.max_seconds = 0;
  ShrinkResult full = shrink(failing, still_fails, limits);
  EXPECT_FALSE(full.stats.time_limit_reached);
  EXPECT_EQ(full.stats.nonzero_after, 1u);
}

// Go's own policy for every decision: nothing is ever preempted.
class GoDefaults final : public Chooser {
 public:
  uint32_t choose(Choice, uint32_t) override { return 0; }
};

TEST(StepBudget, TheRuntimeCountsStepsWithoutSwitches) {
  // At the library level: a budget of steps ends a main that never
  // switches; without a budget (0) a run that ends counts its steps.
  GoDefaults go_defaults;
  Config cfg;
  cfg.chooser = &go_defaults;
  cfg.max_steps = 1000;
  Result r = run(cfg, [] { spin_on_try_recv(); });
  EXPECT_EQ(r.fatal_error.rfind("step budget exceeded", 0), 0u) << r.fatal_error;
  EXPECT_EQ(r.steps, 1001u);
  EXPECT_EQ(r.switches, 1u) << "main ran once and never switched";
  EXPECT_NE(r.output.find("more than 1000 steps (Config::max_steps)"), std::string::npos) << r.output;

  cfg.max_steps = 0;
  Result unbounded = run(cfg, [] {
    Chan<int> c = make_chan<int>(1);  // a step
    for (int i = 0; i < 100; i++) c.try_recv();
  });
  EXPECT_TRUE(unbounded.ok()) << unbounded.output;
  EXPECT_EQ(unbounded.steps, unbounded.switches + 101);
}

// Each kind of pass through the runtime is a step: a main that repeats
// only that one, never switching, ends at the budget (kForever bounds the
// loops so that a pass that is not counted fails the test, not hangs it).
constexpr int kForever = 100'000;

TEST(StepBudget, EveryKindOfRuntimePassIsAStep) {
  struct Spin {
    const char* what;
    void (*main)();
  };
  const Spin spins[] = {
      {"yield_point",
       [] {
         for (int i = 0; i < kForever; i++) yield_point();
       }},
      {"try_send on a full channel",
       [] {
         Chan<int> c = make_chan<int>(0);
         for (int i = 0; i < kForever; i++) c.try_send(1);
       }},
      {"make_chan",
       [] {
         for (int i = 0; i < kForever; i++) make_chan<int>(1);
       }},
      {"make_chan and close",
       [] {
         for (int i = 0; i < kForever; i++) make_chan<int>(0).close();
       }},
      {"go",
       [] {
         for (int i = 0; i < kForever; i++) go([] {});
       }},
      {"defer",
       [] {
         for (int i = 0; i < kForever; i++) func([](Frame& f) { f.defer([] {}); });
       }},
      {"panic and recover",
       [] {
         for (int i = 0; i < kForever; i++) {
           func([](Frame& f) {
             f.defer([] { recover(); });
             panic(1);
           });
         }
       }},
      {"nanotime",
       [] {
         for (int i = 0; i < kForever; i++) nanotime();
       }},
      {"sleep(0)",
       [] {
         for (int i = 0; i < kForever; i++) sleep(std::chrono::nanoseconds(0));
       }},
  };
  GoDefaults go_defaults;
  for (const Spin& s : spins) {
    Config cfg;
    cfg.chooser = &go_defaults;
    cfg.max_steps = 1000;
    Result r = run(cfg, s.main);
    EXPECT_EQ(r.fatal_error.rfind("step budget exceeded", 0), 0u) << s.what << ": " << r.output;
    EXPECT_EQ(r.steps, 1001u) << s.what;
  }
}

// Go's dump ends goroutine 1 at main.main in the user's file. A harness
// run's main is the scenario's program wrapped by the session (which then
// takes the end state): the wrapper's frame is hidden like gort's own, so
// the program's frame is the last one shown, under the name main.main.
constexpr int kMainWaitLine = __LINE__ + 3;
void main_waits() {
  Chan<int> never = make_chan<int>(0);
  (void)never.recv();
}
const Scenario kMainWaits{
    "main-waits", "test deadlock", "main waits for ever", main_waits, {2, "all goroutines are asleep - deadlock!"}};

TEST(Dump, MainsLastFrameIsTheProgramsOwnNotTheSessionsWrapper) {
  RunSpec spec;
  spec.scenario = &kMainWaits;
  spec.seed = 1;
  RunOutcome out = run_scenario_once(spec);
  ASSERT_TRUE(out.ok()) << out.verdict;
  const std::string& dump = out.result.output;
  if (dump.find(__FILE__) == std::string::npos) {
    GTEST_SKIP() << "this build has no symboliser (sanitizers, GORT_SYMBOLIZE=OFF or no libbacktrace): dumps have no "
                    "file:line";
  }
  const size_t g1 = dump.find("goroutine 1 [chan receive]:\n");
  ASSERT_NE(g1, std::string::npos) << dump;
  const size_t end = dump.find("\n\n", g1);
  const std::string frames = dump.substr(g1, end == std::string::npos ? std::string::npos : end + 1 - g1);
  // The last frame: "main.main()\n\t<this file>:<line> +0x..\n".
  const size_t last = frames.rfind("\n", frames.size() - 2);
  const size_t last_name = frames.rfind("\n", last - 1);
  ASSERT_NE(last_name, std::string::npos) << frames;
  EXPECT_EQ(frames.substr(last_name + 1, last - last_name), "main.main()\n") << frames;
  EXPECT_EQ(frames.rfind("\t" + std::string(__FILE__) + ":" + std::to_string(kMainWaitLine) + " +0x", last + 1),
            last + 1)
      << frames;
  EXPECT_EQ(dump.find("scenario_run.cc"), std::string::npos) << dump;
}

}  // namespace
}  // namespace gort::harness
