// gort/check.h and gort/check_gtest.h: a user's program, not a built-in
// scenario, explored, shrunk, replayed; bad options and files refused in
// one line; a crashing program a failing run the caller survives.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "gort/check.h"
#include "gort/check_gtest.h"
#include "gort/gort.h"
#include "gort/sync.h"

namespace {

namespace fs = std::filesystem;
using gort::check::Options;
using gort::check::Report;
using gort::check::Strategy;

// Two goroutines each add one to a counter; `atomic_add` picks a correct
// add or the planted bug (a load and a store: a lost update when the other
// goroutine's add falls in between).
void counter_program(bool atomic_add) {
  gort::Atomic<int> counter;
  gort::WaitGroup wg;
  for (int i = 0; i < 2; i++) {
    wg.add(1);
    gort::go([&counter, &wg, atomic_add] {
      if (atomic_add) {
        counter.add(1);
      } else {
        counter.store(counter.load() + 1);
      }
      wg.done();
    });
  }
  wg.wait();
  if (counter.load() != 2) gort::panic(std::string("lost update: counter is ") + std::to_string(counter.load()));
}

// Options for these tests: a fresh directory of replay files each.
Options test_options(const std::string& name) {
  Options o;
  o.name = name;
  o.runs = 300;
  o.isolate = false;
  o.out_dir = (fs::temp_directory_path() / ("gort-check-api-" + std::to_string(getpid()))).string();
  o.shrink_seconds = 10;
  return o;
}

TEST(CheckApi, FindsAPlantedLostUpdateAndItsReplayFileReproducesIt) {
  Options o = test_options("lost-update");
  Report r = gort::check::explore([] { counter_program(false); }, o);
  ASSERT_EQ(r.failures.size(), 1u) << r.text();
  const gort::check::Failure& f = r.failures.front();
  EXPECT_EQ(f.kind, "outcome") << f.report;
  EXPECT_NE(f.verdict.find("lost update: counter is 1"), std::string::npos) << f.verdict;
  EXPECT_NE(f.dump.find("goroutine "), std::string::npos) << f.dump;
  EXPECT_FALSE(f.schedule.empty()) << "a lost update needs at least one non-default decision\n" << f.report;
  ASSERT_TRUE(fs::exists(f.replay_file)) << f.report;
  EXPECT_LE(r.runs, o.runs);
  EXPECT_EQ(r.runs, f.run + 1) << "the exploration stops at its first failure (max_failures 1)";

  Report again = gort::check::replay([] { counter_program(false); }, f.replay_file, o);
  EXPECT_EQ(again.runs, 1u);
  ASSERT_EQ(again.failures.size(), 1u) << "the recorded schedule no longer loses the update";
  EXPECT_EQ(again.failures.front().verdict, f.verdict);

  // The fixed program passes the same schedule.
  Report fixed = gort::check::replay([] { counter_program(true); }, f.replay_file, o);
  EXPECT_TRUE(fixed.ok()) << fixed.text();
}

// Go's classic leak: main takes the first of two results and returns; the
// other sender blocks forever on an unbuffered channel (a buffer of two
// is the fix).
void first_of_two(bool buffered) {
  gort::Chan<int> results = gort::make_chan<int>(buffered ? 2 : 0);
  for (int i = 0; i < 2; i++) {
    gort::go(gort::named("main.search", [results, i]() mutable { results.send(i); }));
  }
  (void)results.recv();
}

TEST(CheckApi, ADefiniteLeakFailsTheRunByDefaultAndItsReplayReproducesIt) {
  Options o = test_options("first-of-two");
  o.runs = 20;
  Report r = gort::check::explore([] { first_of_two(false); }, o);
  ASSERT_EQ(r.failures.size(), 1u) << r.text();
  const gort::check::Failure& f = r.failures.front();
  EXPECT_EQ(f.kind, "leak") << f.report;
  EXPECT_NE(f.verdict.find("goroutine leak after main returned"), std::string::npos) << f.verdict;
  EXPECT_NE(f.verdict.find("[chan send] on chan 1: definite leak"), std::string::npos) << f.verdict;
  EXPECT_NE(f.dump.find("main.search"), std::string::npos) << "the dump names the leaked goroutine\n" << f.dump;
  Report again = gort::check::replay([] { first_of_two(false); }, f.replay_file, o);
  ASSERT_EQ(again.failures.size(), 1u) << again.text();
  EXPECT_EQ(again.failures.front().verdict, f.verdict);

  // The fix passes; so does the bug when leaks are only reported, or off.
  EXPECT_TRUE(gort::check::explore([] { first_of_two(true); }, o).ok());
  o.leaks = gort::LeakPolicy::kReport;
  EXPECT_TRUE(gort::check::explore([] { first_of_two(false); }, o).ok());
  o.leaks = gort::LeakPolicy::kOff;
  EXPECT_TRUE(gort::check::explore([] { first_of_two(false); }, o).ok());
}

// A goroutine that may be reached by one that still runs is a possible
// leak: the default lets it pass, kFailAll fails it.
TEST(CheckApi, APossibleLeakFailsOnlyUnderFailAll) {
  auto program = [] {
    gort::Chan<int> c = gort::make_chan<int>();
    gort::go([c]() mutable { (void)c.recv(); });
    gort::go([c]() mutable {
      for (;;) {
        gort::sleep(std::chrono::milliseconds(1));
        if (c.len() > 0) c.send(1);  // holds c: could wake the receiver
      }
    });
  };
  Options o = test_options("possible-leak");
  o.runs = 10;
  o.max_steps = 5'000;  // the run's budget ends the drain before the drain's own 10,000 steps
  EXPECT_TRUE(gort::check::explore(program, o).ok());
  o.leaks = gort::LeakPolicy::kFailAll;
  Report r = gort::check::explore(program, o);
  ASSERT_EQ(r.failures.size(), 1u) << r.text();
  EXPECT_NE(r.failures.front().verdict.find("possible leak"), std::string::npos) << r.failures.front().verdict;
}

// The sleep-and-hope race of real Go code: main waits for a worker's reply
// with a timeout and, on the timeout, closes the reply channel to "tell
// the worker it gave up" (the planted bug: the worker, still runnable,
// then sends on a closed channel). The worker never blocks before its
// send, so the timeout can win only if time passes while it is runnable
// (Choice::kAdvanceClock). `fixed`: the reply channel has room for a late
// reply and nobody closes it.
void sleep_and_hope(bool fixed) {
  auto reply = gort::make_chan<int>(fixed ? 1 : 0);
  gort::go([reply] {
    for (int i = 0; i < 3; i++) gort::yield_point();  // a slow computation
    reply.send(42);
  });
  int v = 0;
  int64_t at = 0;
  if (gort::select({gort::recv_case(reply, v), gort::recv_case(gort::after(std::chrono::seconds(1)), at)}) == 1) {
    if (!fixed) reply.close();
  }
  gort::sleep(std::chrono::milliseconds(10));  // main goes on with other work
}

// Every question answered uniformly from a seed, but time passing early,
// answered 1 one time in advance_one_in (0: never, Go's timing).
class UniformChooser final : public gort::Chooser {
 public:
  UniformChooser(uint64_t seed, uint32_t advance_one_in) : state_(seed), advance_one_in_(advance_one_in) {}
  uint32_t choose(gort::Choice what, uint32_t n) override {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    const uint64_t r = state_ >> 33;
    if (what == gort::Choice::kAdvanceClock) return advance_one_in_ != 0 && r % advance_one_in_ == 0 ? 1 : 0;
    return static_cast<uint32_t>(r % n);
  }
  bool listens() const override { return false; }

 private:
  uint64_t state_;
  uint32_t advance_one_in_;
};

// How many of `seeds` runs of the buggy program panic.
int sleep_and_hope_failures(uint64_t seeds, uint32_t advance_one_in) {
  int failed = 0;
  for (uint64_t seed = 1; seed <= seeds; seed++) {
    UniformChooser c(seed, advance_one_in);
    gort::Config cfg;
    cfg.chooser = &c;
    cfg.max_steps = 100'000;
    gort::Result r = gort::run(cfg, [] { sleep_and_hope(false); });
    if (r.exit_status != 0) {
      EXPECT_EQ(r.panic, "send on closed channel") << r.output;
      failed++;
    }
  }
  return failed;
}

TEST(CheckApi, ASleepAndHopeRaceNeedsTimeToPassWhileAGoroutineIsRunnable) {
  // Every other decision at random, the clock kept still while anything
  // can run (Go's policy in sim before the advance existed): never found.
  EXPECT_EQ(sleep_and_hope_failures(300, 0), 0) << "the timeout beat a runnable worker without an advance";
  // The same schedules with time passing one yield point in 16: found.
  EXPECT_GT(sleep_and_hope_failures(300, 16), 0) << "the advance never let the timeout win";
}

TEST(CheckApi, FindsASleepAndHopeRaceShrinksToTheAdvanceAndReplaysIt) {
  Options o = test_options("sleep-and-hope");
  o.strategies = {Strategy::kRandom};
  o.runs = 400;
  Report r = gort::check::explore([] { sleep_and_hope(false); }, o);
  ASSERT_EQ(r.failures.size(), 1u) << "the random walk did not find the race in 400 runs\n" << r.text();
  const gort::check::Failure& f = r.failures.front();
  EXPECT_EQ(f.kind, "outcome") << f.report;
  EXPECT_NE(f.verdict.find("send on closed channel"), std::string::npos) << f.verdict;
  // The bug needs the advance: shrinking (towards Go's defaults) keeps it.
  EXPECT_NE(f.schedule.find("advance-clock 1/2"), std::string::npos) << f.schedule;

  Report again = gort::check::replay([] { sleep_and_hope(false); }, f.replay_file, o);
  ASSERT_EQ(again.failures.size(), 1u) << "the recorded schedule no longer times out";
  EXPECT_EQ(again.failures.front().verdict, f.verdict);

  // The fixed program passes the schedule that broke the buggy one, and a
  // whole exploration.
  Report fixed = gort::check::replay([] { sleep_and_hope(true); }, f.replay_file, o);
  EXPECT_TRUE(fixed.ok()) << fixed.text();
  Report fixed_all = gort::check::explore([] { sleep_and_hope(true); }, o);
  EXPECT_TRUE(fixed_all.ok()) << fixed_all.text();
}

TEST(CheckApi, TheSameOptionsFindTheSameFailure) {
  Options o = test_options("lost-update-twice");
  o.shrink = false;
  // One callable for both: the dump names its frames (two lambdas, two names).
  const auto program = [] { counter_program(false); };
  Report a = gort::check::explore(program, o);
  Report b = gort::check::explore(program, o);
  ASSERT_FALSE(a.ok());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(a.failures.front().run, b.failures.front().run);
  EXPECT_EQ(a.failures.front().seed, b.failures.front().seed);
  EXPECT_EQ(a.failures.front().dump, b.failures.front().dump);
}

// Two goroutines add to a counter in a preemptible loop with no yield
// point (plain memory, not gort::Atomic, whose operations are scheduling
// points in sim), non-atomically unless `atomic_add`: only an async
// preemption between a load and its store loses an update. The empty asm
// keeps the load and the store two instructions (a compiler may fuse them
// into one add to memory, volatile or not, which no preemption splits).
GORT_PREEMPTIBLE void add_in_a_loop(volatile int* counter, bool atomic_add) {
  for (int i = 0; i < 50; i++) {
    if (atomic_add) {
      __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
    } else {
      int v = *counter;
      asm volatile("" : "+r"(v));
      *counter = v + 1;
    }
  }
}

void loop_counter_program(bool atomic_add) {
  volatile int counter = 0;
  gort::WaitGroup wg;
  for (int i = 0; i < 2; i++) {
    wg.add(1);
    gort::go([&counter, &wg, atomic_add] {
      add_in_a_loop(&counter, atomic_add);
      wg.done();
    });
  }
  wg.wait();
  if (counter != 100) gort::panic(std::string("lost update: counter is ") + std::to_string(counter));
}

TEST(CheckApi, AnAsyncPreemptionInsideALoopIsFoundReplayedAndShrunk) {
#if !defined(__x86_64__)
  GTEST_SKIP() << "sim's async preemption single-steps, which only amd64 can do from user mode";
#endif
  Options o = test_options("loop-lost-update");
  // Yield points alone never split the loop: every schedule adds 100.
  Report without = gort::check::explore([] { loop_counter_program(false); }, o);
  EXPECT_TRUE(without.ok()) << without.text();
  o.faults = "async-preempt:p=0.2";
  Report r = gort::check::explore([] { loop_counter_program(false); }, o);
  ASSERT_EQ(r.failures.size(), 1u) << "no async preemption split a load from its store\n" << r.text();
  const gort::check::Failure& f = r.failures.front();
  EXPECT_NE(f.verdict.find("lost update"), std::string::npos) << f.verdict;
  // Shrunk to what it needs: the firing and where it landed stay.
  EXPECT_NE(f.schedule.find("fault:async-preempt 1/2"), std::string::npos) << f.schedule;
  EXPECT_NE(f.schedule.find("async-preempt-at "), std::string::npos) << f.schedule;

  // The replay file holds the shrunk schedule, whose count may differ from
  // the first failing run's; replayed twice, it loses the same updates.
  Report again = gort::check::replay([] { loop_counter_program(false); }, f.replay_file, o);
  ASSERT_EQ(again.failures.size(), 1u) << "the recorded preemption no longer lands between the load and the store";
  EXPECT_NE(again.failures.front().verdict.find("lost update"), std::string::npos) << again.failures.front().verdict;
  Report twice = gort::check::replay([] { loop_counter_program(false); }, f.replay_file, o);
  ASSERT_EQ(twice.failures.size(), 1u);
  EXPECT_EQ(twice.failures.front().verdict, again.failures.front().verdict);
  Report fixed = gort::check::replay([] { loop_counter_program(true); }, f.replay_file, o);
  EXPECT_TRUE(fixed.ok()) << fixed.text();
  Report fixed_all = gort::check::explore([] { loop_counter_program(true); }, o);
  EXPECT_TRUE(fixed_all.ok()) << fixed_all.text();
}

TEST(CheckApi, ACorrectProgramPassesEveryRunAtEveryProcs) {
  Options o = test_options("counter");
  o.runs = 200;
  o.procs = {1, 2};
  Report r = gort::check::explore([] { counter_program(true); }, o);
  EXPECT_TRUE(r.ok()) << r.text();
  EXPECT_EQ(r.runs, 200u);
}

TEST(CheckApi, DfsEnumeratesASmallProgramToTheEnd) {
  Options o = test_options("dfs-counter");
  o.strategies = {Strategy::kDfs};
  o.dfs_preemptions = 1;
  o.runs = 100'000;
  Report ok = gort::check::explore([] { counter_program(true); }, o);
  EXPECT_TRUE(ok.ok()) << ok.text();
  EXPECT_TRUE(ok.exhausted) << ok.text();
  EXPECT_GT(ok.runs, 1u);
  Report bug = gort::check::explore([] { counter_program(false); }, o);
  ASSERT_EQ(bug.failures.size(), 1u) << "one preemption is enough to lose the update\n" << bug.text();
  EXPECT_EQ(bug.failures.front().strategy, Strategy::kDfs);
}

TEST(CheckApi, ACrashingProgramIsAFailingRunAndTheCallerGoesOn) {
  Options o = test_options("crash");
  o.isolate = true;
  o.runs = 3;
  o.shrink = false;
  Report r = gort::check::explore([] { abort(); }, o);
  ASSERT_EQ(r.failures.size(), 1u) << r.text();
  EXPECT_EQ(r.failures.front().kind, "crash") << r.text();
  EXPECT_NE(r.failures.front().verdict.find("SIGABRT"), std::string::npos) << r.failures.front().verdict;
}

TEST(CheckApi, AnExpectedFatalErrorIsNotAFailure) {
  Options o = test_options("deadlock");
  o.runs = 20;
  o.expect_exit_status = 2;
  o.expect_fatal_error = "all goroutines are asleep - deadlock!";
  Report r = gort::check::explore(
      [] {
        gort::Chan<int> c = gort::make_chan<int>();
        c.recv();
      },
      o);
  EXPECT_TRUE(r.ok()) << r.text();
}

TEST(CheckApi, BadOptionsAreOneLineErrorsNamingTheOption) {
  auto message = [](Options o) {
    try {
      gort::check::explore([] {}, o);
    } catch (const gort::check::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  Options o;
  o.runs = 0;
  EXPECT_NE(message(o).find("Options::runs and seconds"), std::string::npos) << message(o);
  o = Options{};
  o.procs = {0};
  EXPECT_NE(message(o).find("Options::procs"), std::string::npos) << message(o);
  o = Options{};
  o.faults = "panic-at-yield:p=2";
  EXPECT_NE(message(o).find("Options::faults"), std::string::npos) << message(o);
  o = Options{};
  o.name = "a/b";
  EXPECT_NE(message(o).find("Options::name"), std::string::npos) << message(o);
  o = Options{};
  o.strategies = {Strategy::kRandom, Strategy::kDfs};
  EXPECT_NE(message(o).find("kDfs"), std::string::npos) << message(o);
  for (const std::string& m : {message(o)}) EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_THROW(gort::check::explore(nullptr, Options{}), gort::check::Error);
}

TEST(CheckApi, AReplayFileOfAnotherProgramOrNoneIsAnError) {
  Options o = test_options("lost-update-other");
  o.shrink = false;
  Report r = gort::check::explore([] { counter_program(false); }, o);
  ASSERT_FALSE(r.ok());
  Options other = o;
  other.name = "someone-else";
  try {
    gort::check::replay([] { counter_program(false); }, r.failures.front().replay_file, other);
    FAIL() << "replayed another program's file";
  } catch (const gort::check::Error& e) {
    EXPECT_NE(std::string(e.what()).find("records program 'lost-update-other'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(gort::check::replay([] {}, o.out_dir + "/no-such.replay.json", o), gort::check::Error);
}

TEST(CheckApi, GortReplayInTheEnvironmentReplaysInsteadOfExploring) {
  Options o = test_options("lost-update-env");
  o.shrink = false;
  Report r = gort::check::explore([] { counter_program(false); }, o);
  ASSERT_FALSE(r.ok());
  setenv("GORT_REPLAY", r.failures.front().replay_file.c_str(), 1);
  Report again = gort::check::explore([] { counter_program(false); }, o);
  unsetenv("GORT_REPLAY");
  EXPECT_EQ(again.runs, 1u);
  ASSERT_EQ(again.failures.size(), 1u);
  EXPECT_EQ(again.failures.front().verdict, r.failures.front().verdict);
}

// The GoogleTest helper: a failing exploration fails the test with the
// report and the command that replays the run.
void expect_buggy_counter_ok() {
  Options o = test_options("unused");
  o.name = "program";  // the helper names it after the test
  o.shrink = false;
  EXPECT_GORT_OK([] { counter_program(false); }, o);
}

TEST(CheckGtest, AFailingExplorationFailsTheTestWithTheReplayCommand) {
  EXPECT_NONFATAL_FAILURE(expect_buggy_counter_ok(),
                          "GORT_REPLAY=" + (fs::temp_directory_path() / "gort-check-api-").string());
  EXPECT_NONFATAL_FAILURE(expect_buggy_counter_ok(),
                          "CheckGtest.AFailingExplorationFailsTheTestWithTheReplayCommand-seed");
  EXPECT_NONFATAL_FAILURE(expect_buggy_counter_ok(), "lost update: counter is 1");
}

TEST(CheckGtest, APassingExplorationPasses) {
  Options o = test_options("unused");
  o.name = "program";
  o.runs = 50;
  int runs_seen = 0;  // captured: the callable may capture (isolate false: same process)
  EXPECT_GORT_OK(
      [&runs_seen] {
        runs_seen++;
        counter_program(true);
      },
      o);
  EXPECT_EQ(runs_seen, 50);
}

}  // namespace
