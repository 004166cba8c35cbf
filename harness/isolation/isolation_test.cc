// The harness survives the runtime it tests: a run that aborts its process
// or never ends is a failing run (kind crash or timeout) with its
// schedule, in an isolated child and in gort check's reused workers, and
// the runs around it go on with the same verdicts whatever the number of
// workers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "isolation/isolated_run.h"
#include "isolation/outcome_wire.h"
#include "isolation/test_scenarios.h"
#include "isolation/worker_pool.h"
#include "session/failure_report.h"
#include "strategy/replay_file.h"

namespace gort::harness {
namespace {

const Scenario& scenario(const char* name) {
  for (const Scenario& s : isolation_test_scenarios()) {
    if (std::string(s.name) == name) return s;
  }
  ADD_FAILURE() << "no test scenario " << name;
  return isolation_test_scenarios().front();
}

RunSpec spec_of(const Scenario& s, uint64_t seed) {
  RunSpec spec;
  spec.scenario = &s;
  spec.seed = seed;
  spec.strategy = seed % 2 == 0 ? StrategyKind::kPct : StrategyKind::kRandom;
  return spec;
}

// ---- the wire

TEST(OutcomeWire, EveryFieldCrossesAndATruncatedMessageIsRejected) {
  RunOutcome o;
  o.result.exit_status = 2;
  o.result.fatal_error = "all goroutines are asleep - deadlock!";
  o.result.panic = "boom";
  o.result.output = "goroutine 1 [chan receive]:\n";
  o.result.goroutines_created = 7;
  o.result.switches = 99;
  o.result.steps = 123;
  o.verdict = "expected exit status 0";
  o.failure_kind = "outcome";
  o.decisions = {Decision::choice(Choice::kPreempt, 2, 1), Decision::fault(FaultSite::kClockJump, true)};
  o.faults_fired = {{FaultSite::kClockJump, 12}};
  o.trace_hash = 0x1234567890abcdefull;
  TraceEntry e;
  e.step = 5;
  e.event.kind = EventKind::kChanSend;
  e.event.goid = 3;
  o.trace_tail = {e};
  o.dump = "dump";
  Divergence d;
  d.index = 4;
  d.asked_n = 3;
  o.divergence = d;
  o.checks = 11;
  std::string bytes;
  encode_outcome(o, &bytes);
  RunOutcome back;
  ASSERT_TRUE(decode_outcome(bytes, &back));
  EXPECT_EQ(back.result.exit_status, 2);
  EXPECT_EQ(back.result.fatal_error, o.result.fatal_error);
  EXPECT_EQ(back.result.panic, "boom");
  EXPECT_EQ(back.result.output, o.result.output);
  EXPECT_EQ(back.result.goroutines_created, 7u);
  EXPECT_EQ(back.result.switches, 99u);
  EXPECT_EQ(back.result.steps, 123u);
  EXPECT_EQ(back.verdict, o.verdict);
  EXPECT_EQ(back.failure_kind, "outcome");
  EXPECT_EQ(back.decisions, o.decisions);
  EXPECT_EQ(back.faults_fired, o.faults_fired);
  EXPECT_EQ(back.trace_hash, o.trace_hash);
  ASSERT_EQ(back.trace_tail.size(), 1u);
  EXPECT_EQ(back.trace_tail[0].step, 5u);
  EXPECT_EQ(back.trace_tail[0].event.goid, 3u);
  EXPECT_EQ(back.dump, "dump");
  ASSERT_TRUE(back.divergence.has_value());
  EXPECT_EQ(back.divergence->index, 4u);
  EXPECT_EQ(back.divergence->asked_n, 3u);
  EXPECT_EQ(back.checks, 11u);
  // A child that died while writing leaves a prefix: never decoded.
  for (size_t cut : {size_t{0}, size_t{3}, bytes.size() / 2, bytes.size() - 1}) {
    RunOutcome partial;
    EXPECT_FALSE(decode_outcome(std::string_view(bytes).substr(0, cut), &partial)) << "cut at " << cut;
  }
  EXPECT_FALSE(decode_outcome(bytes + "x", &back)) << "trailing bytes";
}

// ---- one run in a child

TEST(IsolatedRunner, AHealthyRunComesBackAsIfItHadRunHere) {
  IsolatedRunner runner;
  for (uint64_t seed = 1; seed <= 4; seed++) {
    RunSpec spec = spec_of(scenario("well-behaved"), seed);
    spec.keep_trace = true;
    RunOutcome here = run_scenario_once(spec);
    RunOutcome there = runner.run(spec);
    ASSERT_TRUE(here.ok()) << here.verdict;
    EXPECT_TRUE(there.ok()) << there.verdict;
    EXPECT_EQ(there.decisions, here.decisions);
    EXPECT_EQ(there.trace_hash, here.trace_hash);
    EXPECT_EQ(there.trace_tail.size(), here.trace_tail.size());
    EXPECT_EQ(there.result.switches, here.result.switches);
    EXPECT_EQ(there.result.steps, here.result.steps);
  }
}

// The first seed in 1..64 whose run of crash-on-order aborts (in a child).
uint64_t crashing_seed(IsolatedRunner& runner, RunOutcome* out) {
  for (uint64_t seed = 1; seed <= 64; seed++) {
    *out = runner.run(spec_of(scenario("crash-on-order"), seed));
    if (!out->ok()) return seed;
  }
  return 0;
}

TEST(IsolatedRunner, ACrashIsAFailingRunWithItsScheduleAndLastWords) {
  IsolatedRunner runner;
  RunOutcome out;
  uint64_t seed = crashing_seed(runner, &out);
  ASSERT_NE(seed, 0u) << "no seed in 1..64 made the second sender win";
  EXPECT_EQ(out.failure_kind, "crash");
  EXPECT_NE(out.verdict.find("crash (SIGABRT)"), std::string::npos) << out.verdict;
  EXPECT_NE(out.verdict.find("the second sender won"), std::string::npos) << out.verdict;
  EXPECT_NE(out.dump.find("crash-on-order: the second sender won; aborting"), std::string::npos) << out.dump;
  EXPECT_EQ(out.result.exit_status, 128 + 6);
  // Logged before the process died: the run's decisions and its last steps.
  ASSERT_FALSE(out.decisions.empty());
  ASSERT_FALSE(out.trace_tail.empty());
  EXPECT_TRUE(std::any_of(out.trace_tail.begin(), out.trace_tail.end(),
                          [](const TraceEntry& e) { return !e.is_decision && e.event.kind == EventKind::kChanRecv; }));
  // The logged decisions are the schedule: replayed, they crash again.
  RunSpec again = spec_of(scenario("crash-on-order"), seed);
  again.strategy = StrategyKind::kReplay;
  again.replay = &out.decisions;
  again.replay_fallback = ReplayFallback::kDefaults;
  RunOutcome replayed = runner.run(again);
  EXPECT_EQ(replayed.failure_kind, "crash") << replayed.verdict;
  EXPECT_FALSE(replayed.divergence.has_value() && !replayed.divergence->past_end);
}

TEST(IsolatedRunner, ARunThatNeverEndsIsKilledAndReportedAsATimeout) {
  IsolationOptions options;
  options.run_timeout_seconds = 0.3;
  IsolatedRunner runner(options);
  auto start = std::chrono::steady_clock::now();
  RunOutcome out = runner.run(spec_of(scenario("spin-forever"), 1));
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(out.failure_kind, "timeout");
  EXPECT_NE(out.verdict.find("still going after 0.3 s"), std::string::npos) << out.verdict;
  EXPECT_GE(took, 0.3);
  EXPECT_LT(took, 30.0) << "the limit did not end the run";
}

// ---- reports of crashed runs

TEST(FailureReport, ACrashIsShrunkInFreshProcessesAndItsReplayFileCrashesAgain) {
  IsolatedRunner runner;
  RunOutcome out;
  uint64_t seed = crashing_seed(runner, &out);
  ASSERT_NE(seed, 0u);
  RunSpec spec = spec_of(scenario("crash-on-order"), seed);
  ReportOptions options;
  options.out_dir = ::testing::TempDir() + "gort_isolation_" + std::to_string(getpid());
  options.runner = runner.as_function();
  std::string path = report_failure(spec, out, options);
  ASSERT_FALSE(path.empty());
  ReplayRead read = read_replay(path);
  ASSERT_TRUE(read.ok()) << read.error;
  EXPECT_EQ(read.file.scenario, "crash-on-order");
  EXPECT_EQ(read.file.seed, seed);
  EXPECT_NE(read.file.failure.find("crash (SIGABRT)"), std::string::npos);
  // The shrunk schedule is no longer than the crash's and still crashes.
  EXPECT_LE(count_nonzero(read.file.decisions), count_nonzero(out.decisions));
  RunSpec again = spec;
  again.strategy = StrategyKind::kReplay;
  again.replay = &read.file.decisions;
  again.replay_fallback = ReplayFallback::kDefaults;
  EXPECT_EQ(runner.run(again).failure_kind, "crash");
}

// ---- gort check's workers

struct Key {
  uint32_t scenario;
  uint64_t k;
  bool operator<(const Key& o) const { return std::tie(scenario, k) < std::tie(o.scenario, o.k); }
};

// The records of `runs` runs of each named scenario, by (scenario, k).
std::map<Key, RunRecord> run_pool(unsigned workers, const std::vector<const Scenario*>& scenarios, uint64_t runs,
                                  double timeout, uint64_t* restarts) {
  WorkerPool pool(
      workers, [&](uint32_t i, uint64_t k) { return spec_of(*scenarios[i], k + 1); }, nullptr, timeout);
  for (uint32_t i = 0; i < scenarios.size(); i++) {
    for (uint64_t k = 0; k < runs; k += 7) pool.submit({i, k, static_cast<uint32_t>(std::min<uint64_t>(7, runs - k))});
  }
  std::map<Key, RunRecord> records;
  std::vector<RunRecord> got;
  auto start = std::chrono::steady_clock::now();
  while (pool.outstanding() > 0) {
    got.clear();
    pool.poll(&got, 50);
    for (const RunRecord& r : got) {
      EXPECT_TRUE(records.emplace(Key{r.scenario, r.k}, r).second) << "run " << r.k << " recorded twice";
    }
    if (std::chrono::steady_clock::now() - start > std::chrono::seconds(120)) {
      ADD_FAILURE() << "the pool did not finish: " << pool.outstanding() << " runs outstanding";
      break;
    }
  }
  *restarts = pool.restarts();
  return records;
}

TEST(WorkerPool, ACrashingRunIsRecordedAndEveryOtherRunGoesOn) {
  std::vector<const Scenario*> scenarios = {&scenario("crash-on-order"), &scenario("well-behaved")};
  const uint64_t runs = 40;
  uint64_t restarts = 0;
  std::map<Key, RunRecord> records = run_pool(2, scenarios, runs, 10, &restarts);
  ASSERT_EQ(records.size(), 2 * runs);
  // The verdicts a fresh process gives each run, one child per run.
  IsolatedRunner runner;
  uint64_t crashes = 0;
  for (uint64_t k = 0; k < runs; k++) {
    const RunRecord& crashy = records.at({0, k});
    RunOutcome fresh = runner.run(spec_of(*scenarios[0], k + 1));
    EXPECT_EQ(crashy.ok, fresh.ok()) << "run " << k;
    EXPECT_EQ(crashy.failure_kind, fresh.failure_kind) << "run " << k;
    crashes += !crashy.ok;
    EXPECT_TRUE(records.at({1, k}).ok) << "well-behaved run " << k << ": " << records.at({1, k}).verdict;
  }
  EXPECT_GT(crashes, 0u) << "no run crashed: the test proves nothing";
  EXPECT_LT(crashes, runs) << "every run crashed: the test proves little";
  EXPECT_EQ(restarts, crashes) << "one fresh worker per crash";
}

TEST(WorkerPool, TheRecordsAreTheSameForOneWorkerAndForTwo) {
  std::vector<const Scenario*> scenarios = {&scenario("crash-on-order"), &scenario("well-behaved")};
  uint64_t r1 = 0, r2 = 0;
  std::map<Key, RunRecord> one = run_pool(1, scenarios, 30, 10, &r1);
  std::map<Key, RunRecord> two = run_pool(2, scenarios, 30, 10, &r2);
  ASSERT_EQ(one.size(), two.size());
  for (const auto& [key, a] : one) {
    const RunRecord& b = two.at(key);
    EXPECT_EQ(a.ok, b.ok) << key.k;
    EXPECT_EQ(a.failure_kind, b.failure_kind) << key.k;
    EXPECT_EQ(a.faults, b.faults) << key.k;
    EXPECT_EQ(a.strategy, b.strategy) << key.k;
  }
  EXPECT_EQ(r1, r2);
}

TEST(WorkerPool, AHungRunIsKilledReportedAsATimeoutAndItsWorkerReplaced) {
  std::vector<const Scenario*> scenarios = {&scenario("spin-forever"), &scenario("well-behaved")};
  uint64_t restarts = 0;
  std::map<Key, RunRecord> records = run_pool(2, scenarios, 3, 0.3, &restarts);
  ASSERT_EQ(records.size(), 6u);
  for (uint64_t k = 0; k < 3; k++) {
    EXPECT_EQ(records.at({0, k}).failure_kind, "timeout") << records.at({0, k}).verdict;
    EXPECT_TRUE(records.at({1, k}).ok);
  }
  EXPECT_EQ(restarts, 3u);
}

}  // namespace
}  // namespace gort::harness
