// Strategies: determinism on the sim runtime, replay, bounded DFS on a
// synthetic decision tree, PCT on a synthetic program, fuzz bytes, and the
// recorder's fault decisions and step budget.
#include <gtest/gtest.h>

#include <deque>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "gort/gort.h"
#include "strategy/bounded_dfs.h"
#include "strategy/fuzz_bytes.h"
#include "strategy/pct.h"
#include "strategy/perfetto.h"
#include "strategy/random_walk.h"
#include "strategy/recorder.h"
#include "strategy/replay.h"
#include "strategy/trace.h"

namespace gort::harness {
namespace {

// Three goroutines pass a token around a ring of unbuffered channels while
// a fourth feeds a buffered channel that main drains through a select.
void ping_pong() {
  constexpr int kRounds = 20;
  auto ab = make_chan<int>(0), bc = make_chan<int>(0), ca = make_chan<int>(0);
  auto side = make_chan<int>(2), done = make_chan<int>(3);
  go([=] {
    for (int r = 0; r < kRounds; r++) {
      ab.send(r);
      ca.recv();
    }
    done.send(1);
  });
  go([=] {
    for (int r = 0; r < kRounds; r++) bc.send(ab.recv() + 1);
    done.send(1);
  });
  go([=] {
    for (int r = 0; r < kRounds; r++) ca.send(bc.recv() + 1);
    done.send(1);
  });
  go([=] {
    for (int r = 0; r < kRounds; r++) side.send(r);
  });
  int finished = 0, drained = 0;
  while (finished < 3 || drained < kRounds) {
    int v = 0;
    int got = select({recv_case(done, v), recv_case(side, v)});
    if (got == 0) finished++;
    if (got == 1) drained++;
  }
}

struct Recording {
  std::vector<Decision> decisions;
  uint64_t trace_hash = 0;
  uint64_t steps = 0;
  bool budget_exceeded = false;
  Result result;
};

Recording record_run(Strategy& strategy, RecorderLimits limits = {}) {
  TraceRecorder trace;
  Recorder recorder(strategy, limits, &trace);
  Config config;
  config.chooser = &recorder;
  Recording out;
  out.result = run(config, ping_pong);
  out.decisions = recorder.decisions();
  out.trace_hash = trace.hash();
  out.steps = recorder.steps();
  out.budget_exceeded = recorder.budget_exceeded();
  return out;
}

TEST(RandomWalk, SameSeedSameDecisionsAndTraceHash) {
  RandomWalk a(42), b(42);
  Recording x = record_run(a), y = record_run(b);
  ASSERT_TRUE(x.result.ok()) << x.result.output;
  ASSERT_TRUE(y.result.ok()) << y.result.output;
  EXPECT_GT(x.decisions.size(), 10u);
  EXPECT_EQ(x.decisions, y.decisions);
  EXPECT_EQ(x.trace_hash, y.trace_hash);
  EXPECT_EQ(x.steps, y.steps);
}

TEST(RandomWalk, DifferentSeedsExploreDifferentSchedules) {
  std::set<std::vector<uint32_t>> schedules;
  std::set<uint64_t> hashes;
  for (uint64_t seed = 1; seed <= 8; seed++) {
    RandomWalk s(seed);
    Recording r = record_run(s);
    ASSERT_TRUE(r.result.ok()) << "seed " << seed << ": " << r.result.output;
    std::vector<uint32_t> answers;
    for (const Decision& d : r.decisions) answers.push_back(d.chosen);
    schedules.insert(answers);
    hashes.insert(r.trace_hash);
  }
  EXPECT_GE(schedules.size(), 6u);
  EXPECT_EQ(hashes.size(), schedules.size());
}

TEST(Replay, ReproducesDecisionsAndTraceHash) {
  RandomWalk original(7);
  Recording x = record_run(original);
  ASSERT_TRUE(x.result.ok());
  Replay replay(x.decisions, 1234);
  Recording y = record_run(replay);
  EXPECT_FALSE(replay.diverged()) << replay.divergence()->describe();
  EXPECT_EQ(replay.replayed(), x.decisions.size());
  EXPECT_EQ(y.decisions, x.decisions);
  EXPECT_EQ(y.trace_hash, x.trace_hash);
}

TEST(Replay, TruncatedListDivergesAtItsEndAndContinues) {
  RandomWalk original(9);
  Recording x = record_run(original);
  size_t half = x.decisions.size() / 2;
  Replay replay(std::vector<Decision>(x.decisions.begin(), x.decisions.begin() + static_cast<ptrdiff_t>(half)), 5);
  Recording y = record_run(replay);
  ASSERT_TRUE(y.result.ok()) << y.result.output;
  ASSERT_TRUE(replay.diverged());
  EXPECT_EQ(replay.divergence()->index, half);
  EXPECT_TRUE(replay.divergence()->past_end);
  EXPECT_EQ(replay.replayed(), half);
  EXPECT_TRUE(std::equal(x.decisions.begin(), x.decisions.begin() + static_cast<ptrdiff_t>(half), y.decisions.begin()));
  EXPECT_NE(replay.divergence()->describe().find("the recording ended"), std::string::npos);
}

TEST(Replay, ModifiedListReportsTheMismatchAndContinues) {
  RandomWalk original(11);
  Recording x = record_run(original);
  ASSERT_GT(x.decisions.size(), 4u);
  std::vector<Decision> edited = x.decisions;
  edited[3].n += 1;  // the runtime will ask n, not n + 1
  Replay replay(edited, 5);
  Recording y = record_run(replay);
  ASSERT_TRUE(y.result.ok()) << y.result.output;
  ASSERT_TRUE(replay.diverged());
  const Divergence& d = *replay.divergence();
  EXPECT_EQ(d.index, 3u);
  EXPECT_FALSE(d.past_end);
  EXPECT_EQ(d.expected, edited[3]);
  EXPECT_EQ(d.asked_kind, x.decisions[3].kind);
  EXPECT_EQ(d.asked_n, x.decisions[3].n);
  EXPECT_TRUE(std::equal(x.decisions.begin(), x.decisions.begin() + 3, y.decisions.begin()));
}

TEST(Replay, ReproducesInjectedFaults) {
  FaultPlanParse plan = FaultPlan::parse("panic-before-chan-op:at=25,clock-jump:p=0.2");
  ASSERT_TRUE(plan.ok()) << plan.error;
  RandomWalk original(13, plan.plan);
  TraceRecorder trace;
  Recorder recorder(original, {}, &trace);
  Config config;
  config.chooser = &recorder;
  Result x = run(config, ping_pong);
  EXPECT_FALSE(x.ok());  // the injected panic ends the run
  ASSERT_FALSE(recorder.faults_fired().empty());
  EXPECT_EQ(recorder.faults_fired().back().site, FaultSite::kPanicBeforeChanOp);
  EXPECT_EQ(count_faults(recorder.decisions()), recorder.faults_fired().size());
  std::vector<Decision> decisions = recorder.decisions();
  uint64_t hash = trace.hash();

  Replay replay(decisions, 99, plan.plan);
  recorder.begin_run(replay);
  Result y = run(config, ping_pong);
  EXPECT_FALSE(replay.diverged()) << replay.divergence()->describe();
  EXPECT_EQ(recorder.decisions(), decisions);
  EXPECT_EQ(trace.hash(), hash);
  EXPECT_EQ(y.output, x.output);
  EXPECT_EQ(y.exit_status, x.exit_status);
}

TEST(Recorder, StepBudgetAnswersDefaultsAndFlags) {
  RandomWalk s(3);
  Recording r = record_run(s, RecorderLimits{.step_budget = 5, .reserve = 8});
  ASSERT_TRUE(r.result.ok()) << r.result.output;
  EXPECT_TRUE(r.budget_exceeded);
  EXPECT_LE(r.decisions.size(), 5u);
  EXPECT_GT(r.steps, 5u);
  RandomWalk t(3);
  EXPECT_FALSE(record_run(t).budget_exceeded);
}

TEST(Recorder, RecordsArmedFaultQuestionsOnly) {
  FaultPlanParse plan = FaultPlan::parse("clock-jump:at=2/3");
  ASSERT_TRUE(plan.ok()) << plan.error;
  RandomWalk s(1, plan.plan);
  Recorder rec(s);
  EXPECT_FALSE(rec.fire(FaultSite::kPanicAtYield));  // unarmed: not a decision
  EXPECT_FALSE(rec.fire(FaultSite::kClockJump));
  EXPECT_EQ(rec.choose(Choice::kRunqPut, 2) < 2, true);
  EXPECT_TRUE(rec.fire(FaultSite::kClockJump));
  EXPECT_TRUE(rec.fire(FaultSite::kClockJump));
  EXPECT_FALSE(rec.fire(FaultSite::kClockJump));
  ASSERT_EQ(rec.decisions().size(), 5u);
  EXPECT_EQ(rec.decisions()[0], Decision::fault(FaultSite::kClockJump, false));
  EXPECT_EQ(rec.decisions()[2], Decision::fault(FaultSite::kClockJump, true));
  EXPECT_EQ(count_faults(rec.decisions()), 2u);
  std::vector<FiredFault> expect = {{FaultSite::kClockJump, 2}, {FaultSite::kClockJump, 3}};
  EXPECT_EQ(rec.faults_fired(), expect);

  // Replay answers the fault questions as recorded, whatever the plan's occurrences.
  Replay replay(rec.decisions(), 0, FaultPlan::parse("clock-jump:at=1").plan);
  EXPECT_FALSE(replay.fire(FaultSite::kPanicAtYield));
  EXPECT_FALSE(replay.fire(FaultSite::kClockJump));
  EXPECT_EQ(replay.choose(Choice::kRunqPut, 2), rec.decisions()[1].chosen);
  EXPECT_TRUE(replay.fire(FaultSite::kClockJump));
  EXPECT_TRUE(replay.fire(FaultSite::kClockJump));
  EXPECT_FALSE(replay.fire(FaultSite::kClockJump));
  EXPECT_FALSE(replay.diverged());
}

// A synthetic program that asks the chooser known questions directly: the
// tree is pick(3), preempt, preempt, runqput(2), and when the pick was 1,
// one more select-order(3).
std::vector<uint32_t> synthetic_run(Chooser& c, size_t* preemptions) {
  std::vector<uint32_t> answers;
  answers.push_back(c.choose(Choice::kPickRunnable, 3));
  answers.push_back(c.choose(Choice::kPreempt, 2));
  answers.push_back(c.choose(Choice::kPreempt, 2));
  answers.push_back(c.choose(Choice::kRunqPut, 2));
  if (answers[0] == 1) answers.push_back(c.choose(Choice::kSelectOrder, 3));
  *preemptions = static_cast<size_t>(answers[1] + answers[2]);
  return answers;
}

TEST(BoundedDfs, EnumeratesExactlyTheBoundedTree) {
  // picks 0 and 2: (preempt combos) * 2; pick 1: (preempt combos) * 2 * 3.
  // Preempt combos with at most b preemptions: b=0: 1, b=1: 3, b=2: 4.
  const size_t expected[] = {2 * 1 * 2 + 1 * 2 * 3, 2 * 3 * 2 + 3 * 2 * 3, 2 * 4 * 2 + 4 * 2 * 3};
  for (uint32_t bound = 0; bound <= 2; bound++) {
    BoundedDfs dfs(bound);
    std::set<std::vector<uint32_t>> seen;
    size_t runs = 0;
    while (!dfs.exhausted()) {
      size_t preemptions = 0;
      seen.insert(synthetic_run(dfs, &preemptions));
      EXPECT_LE(preemptions, bound);
      dfs.next();
      ASSERT_LT(++runs, 1000u);
    }
    EXPECT_EQ(runs, expected[bound]) << "bound " << bound;
    EXPECT_EQ(seen.size(), runs) << "a schedule was run twice";
    EXPECT_EQ(dfs.runs_completed(), runs);
    EXPECT_FALSE(dfs.nondeterministic());
    EXPECT_FALSE(dfs.truncated());
  }
}

TEST(BoundedDfs, FlagsANondeterministicProgram) {
  BoundedDfs dfs(1);
  int run = 0;
  while (!dfs.exhausted() && run < 50) {
    dfs.choose(Choice::kRunqPut, 2);
    if (run++ % 2 == 0) dfs.choose(Choice::kPickRunnable, 3);  // asks differently every other run
    dfs.next();
  }
  EXPECT_TRUE(dfs.nondeterministic());
}

// Time passing early (kAdvanceClock) is a preemption for DFS's bound: with
// none allowed, a run of such questions is one schedule; with one, each
// question may advance once.
TEST(BoundedDfs, AnAdvanceOfTheClockCountsAgainstThePreemptionBound) {
  for (uint32_t bound : {0u, 1u}) {
    BoundedDfs dfs(bound);
    int runs = 0;
    std::set<std::vector<uint32_t>> seen;
    while (!dfs.exhausted() && runs < 50) {
      std::vector<uint32_t> answers;
      for (int i = 0; i < 3; i++) answers.push_back(dfs.choose(Choice::kAdvanceClock, 2));
      EXPECT_LE(count_preemptions(dfs.path()), bound);
      seen.insert(answers);
      runs++;
      dfs.next();
    }
    EXPECT_TRUE(dfs.exhausted());
    EXPECT_EQ(runs, bound == 0 ? 1 : 4) << "bound " << bound;  // 000, then 001, 010, 100
    EXPECT_EQ(seen.size(), static_cast<size_t>(runs));
  }
}

// The random strategies let time pass early about one question in
// kAdvanceClockOneIn, not uniformly (it would make most timeouts win).
TEST(RandomStrategies, LetTimePassEarlyRarely) {
  RandomWalk walk(11);
  Pct pct(11, 3, 100);
  int walk_ones = 0, pct_ones = 0;
  constexpr int kAsked = 16'000;
  for (int i = 0; i < kAsked; i++) {
    walk_ones += static_cast<int>(walk.choose(Choice::kAdvanceClock, 2));
    pct_ones += static_cast<int>(pct.choose(Choice::kAdvanceClock, 2));
  }
  for (int ones : {walk_ones, pct_ones}) {
    EXPECT_GT(ones, kAsked / static_cast<int>(kAdvanceClockOneIn) / 2);
    EXPECT_LT(ones, kAsked / static_cast<int>(kAdvanceClockOneIn) * 2);
  }
}

// A synthetic program for PCT: goroutines 1 and 2 with steps each, a FIFO
// run queue, a yield point (kPreempt) after every step but the last.
// Returns the execution order as (goid, step) pairs.
using History = std::vector<std::pair<uint64_t, int>>;
History toy_run(Chooser& c, int steps_a, int steps_b, Pct* check_depth1 = nullptr, int* preemptions = nullptr) {
  const int steps[3] = {0, steps_a, steps_b};
  int done[3] = {0, 0, 0};
  std::deque<uint64_t> runq = {1, 2};
  c.event(Event{.kind = EventKind::kGoCreate, .goid = 0, .obj = 1});
  c.event(Event{.kind = EventKind::kGoCreate, .goid = 0, .obj = 2});
  History h;
  while (!runq.empty()) {
    uint64_t g = runq.front();
    runq.pop_front();
    c.event(Event{.kind = EventKind::kGoRun, .goid = g});
    while (true) {
      h.emplace_back(g, done[g]++);
      if (done[g] == steps[g]) {
        c.event(Event{.kind = EventKind::kGoExit, .goid = g});
        break;
      }
      bool other_higher = false;
      if (check_depth1 != nullptr) {
        for (uint64_t o : runq) other_higher |= *check_depth1->priority(o) > *check_depth1->priority(g);
      }
      uint32_t answer = c.choose(Choice::kPreempt, 2);
      if (check_depth1 != nullptr) {
        EXPECT_EQ(answer == 1, other_higher) << "goroutine " << g << " step " << done[g];
      }
      if (answer == 1) {
        if (preemptions != nullptr) (*preemptions)++;
        c.event(Event{.kind = EventKind::kGoPreempt, .goid = g});
        runq.push_back(g);
        break;
      }
    }
  }
  return h;
}

// The depth-2 bug: goroutine 2 runs entirely between goroutine 1's steps 5 and 6.
bool has_ordering_bug(const History& h) {
  History bug;
  for (int i = 0; i <= 5; i++) bug.emplace_back(1, i);
  for (int i = 0; i < 10; i++) bug.emplace_back(2, i);
  for (int i = 6; i < 10; i++) bug.emplace_back(1, i);
  return h == bug;
}

TEST(Pct, DepthOnePreemptsOnlyPerPriority) {
  int preemptions = 0;
  for (uint64_t seed = 1; seed <= 50; seed++) {
    Pct pct(seed, 1, 20);
    EXPECT_TRUE(pct.change_points().empty());
    History h = toy_run(pct, 10, 10, &pct, &preemptions);
    EXPECT_FALSE(has_ordering_bug(h)) << "seed " << seed;
  }
  EXPECT_GT(preemptions, 0);  // some seeds rank goroutine 2 first
}

TEST(Pct, DepthTwoFindsTheOrderingBug) {
  int found_at = -1;
  for (int run = 0; run < 400 && found_at < 0; run++) {
    Pct pct(1000 + static_cast<uint64_t>(run), 2, 20);
    EXPECT_EQ(pct.change_points().size(), 1u);
    if (has_ordering_bug(toy_run(pct, 10, 10))) found_at = run;
  }
  EXPECT_GE(found_at, 0) << "PCT depth 2 missed a depth-2 bug in 400 runs (expected one in ~40)";
}

TEST(Pct, SameSeedSameSchedule) {
  Pct a(5, 3, 20), b(5, 3, 20);
  EXPECT_EQ(toy_run(a, 8, 8), toy_run(b, 8, 8));
  EXPECT_EQ(a.change_points(), b.change_points());
}

TEST(Pct, YieldingGoroutineIsLowered) {
  Pct pct(1, 1, 10);
  pct.event(Event{.kind = EventKind::kGoCreate, .obj = 1});
  pct.event(Event{.kind = EventKind::kGoCreate, .obj = 2});
  pct.event(Event{.kind = EventKind::kGoRun, .goid = 1});
  pct.event(Event{.kind = EventKind::kGoRun, .goid = 2});  // 1 yielded (gosched)
  ASSERT_TRUE(pct.priority(1) && pct.priority(2));
  EXPECT_LT(*pct.priority(1), *pct.priority(2));
  EXPECT_EQ(pct.choose(Choice::kPreempt, 2), 0u);
  pct.event(Event{.kind = EventKind::kGoExit, .goid = 2});
  EXPECT_FALSE(pct.priority(2).has_value());
}

TEST(Pct, RunsTheRuntimeProgram) {
  Pct pct(3, 3, 200);
  Recording r = record_run(pct);
  EXPECT_TRUE(r.result.ok()) << r.result.output;
}

TEST(Trace, RuntimeRunGivesOneTrackPerGoroutine) {
  RandomWalk s(21);
  TraceRecorder trace(TraceOptions{.keep_all = true});
  Recorder recorder(s, {}, &trace);
  Config config;
  config.chooser = &recorder;
  Result r = run(config, ping_pong);
  ASSERT_TRUE(r.ok()) << r.output;
  ASSERT_TRUE(trace.complete());
  EXPECT_EQ(trace.recorded(), recorder.steps());
  nlohmann::json j = nlohmann::json::parse(perfetto_json(trace.entries()));
  std::set<uint64_t> goroutine_tracks;
  for (const auto& e : j["traceEvents"]) {
    if (e["name"] == "thread_name" && e["tid"] != 0) {
      EXPECT_EQ(e["args"]["name"], "goroutine " + std::to_string(e["tid"].get<uint64_t>()));
      EXPECT_TRUE(goroutine_tracks.insert(e["tid"].get<uint64_t>()).second);
    }
  }
  EXPECT_EQ(goroutine_tracks.size(), r.goroutines_created);
}

TEST(FuzzBytes, BytesAreTheDecisions) {
  const uint8_t bytes[] = {5, 7, 255, 3, 1, 0x10, 0x00, 0x01, 0x00};
  FuzzBytes f(bytes, sizeof bytes, FaultPlan::parse("panic-at-yield:p=1").plan);
  EXPECT_EQ(f.choose(Choice::kPickRunnable, 3), 2u);  // 5 % 3
  EXPECT_EQ(f.choose(Choice::kPreempt, 2), 1u);       // 7 % 2
  EXPECT_EQ(f.choose(Choice::kSelectOrder, 4), 3u);   // 255 % 4
  EXPECT_FALSE(f.fire(FaultSite::kClockJump));        // unarmed: no byte taken
  EXPECT_TRUE(f.fire(FaultSite::kPanicAtYield));      // 3: low bit set
  EXPECT_TRUE(f.fire(FaultSite::kPanicAtYield));      // 1
  EXPECT_EQ(f.choose(Choice::kTimerOrder, 300), (0x10 + (0x01 << 16)) % 300u);
  EXPECT_EQ(f.consumed(), sizeof bytes);
  EXPECT_EQ(f.choose(Choice::kPickRunnable, 3), 0u);  // out of bytes: Go's default
  EXPECT_FALSE(f.fire(FaultSite::kPanicAtYield));
}

TEST(FuzzBytes, DrivesTheRuntimeDeterministically) {
  std::vector<uint8_t> bytes;
  for (int i = 0; i < 64; i++) bytes.push_back(static_cast<uint8_t>(i * 37 + 11));
  FuzzBytes a(bytes.data(), bytes.size()), b(bytes.data(), bytes.size());
  Recording x = record_run(a), y = record_run(b);
  EXPECT_TRUE(x.result.ok()) << x.result.output;
  EXPECT_EQ(x.decisions, y.decisions);
  EXPECT_EQ(x.trace_hash, y.trace_hash);
}

}  // namespace
}  // namespace gort::harness
