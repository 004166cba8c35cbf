// The drain after main's return and the goroutine-leak census
// (Config::drain_at_exit, Result::leftover). Go has no such mode: its exit
// abandons every goroutine. These pin gort's contract for it: main's
// return lets the others run until none can, the run still exits 0, and
// every goroutine left is listed with what it waits on and judged definite
// (nothing that can still run reaches what it waits on), possible, or
// expected (gort::expect_leak). The leak rule is Go 1.26's goroutine-leak
// profile's (runtime/pprof goroutineleak: blocked on a concurrency object
// unreachable from any runnable goroutine).
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "gort/sync.h"
#include "spec_run.h"

namespace {

using gort::Leftover;
using spec::Options;

using spec::run_all;

Options drained(uint64_t drain_steps = 0) {
  Options o;
  o.drain = true;
  o.drain_steps = drain_steps;
  return o;
}

std::string leftovers(const spec::Run& run) {
  std::string out = spec::describe(run) + "--- leftover ---\n";
  for (const Leftover& l : run.result.leftover) {
    out += spec::str("goroutine ", l.goid, " [", l.wait_reason, "] on ", l.waits_on, " kind ", static_cast<int>(l.kind),
                     ": ", l.why, "\n", l.dump);
  }
  return out;
}

// A goroutine that main's return would abandon before it ran runs under a
// drain: what it does is seen, and a run with nothing left is clean.
TEST(LeakTest, MainsReturnLetsTheOthersFinish) {
  auto program = [] {
    auto done = gort::make_chan<int>(1);
    gort::go([done]() mutable { done.send(7); });
    // main returns at once: under Go's exit the sender may never run.
  };
  for (const spec::Run& run : run_all(program, drained())) {
    EXPECT_EQ(run.result.exit_status, 0) << leftovers(run);
    EXPECT_TRUE(run.result.drained) << leftovers(run);
    EXPECT_TRUE(run.result.leftover.empty()) << leftovers(run);
    EXPECT_EQ(run.result.goroutines_created, 2u) << leftovers(run);
  }
  // Without a drain nothing is listed, whatever was left.
  for (const spec::Run& run : run_all([] { gort::go([] { gort::Chan<int>().recv(); }); })) {
    EXPECT_EQ(run.result.exit_status, 0) << leftovers(run);
    EXPECT_FALSE(run.result.drained) << leftovers(run);
    EXPECT_TRUE(run.result.leftover.empty()) << leftovers(run);
  }
}

// The classic leak: a worker waits on a channel nobody will send on.
// After a quiescent drain every blocked goroutine is definite, and its
// dump names it and where it waits.
TEST(LeakTest, AGoroutineBlockedOnAnAbandonedChannelIsADefiniteLeak) {
  auto program = [] {
    auto jobs = gort::make_chan<int>();
    auto results = gort::make_chan<int>(1);
    gort::go(gort::named("main.worker", [jobs, results]() mutable {
      for (;;) results.send(jobs.recv() * 2);
    }));
    jobs.send(1);
    spec::require(results.recv() == 2, "the worker doubles");
  };
  for (const spec::Run& run : run_all(program, drained())) {
    ASSERT_EQ(run.result.exit_status, 0) << leftovers(run);
    EXPECT_TRUE(run.result.drained) << leftovers(run);
    ASSERT_EQ(run.result.leftover.size(), 1u) << leftovers(run);
    const Leftover& l = run.result.leftover[0];
    EXPECT_NE(l.goid, 1u) << "main has returned: it is not left\n" << leftovers(run);
    EXPECT_EQ(l.kind, Leftover::Kind::kDefinite) << leftovers(run);
    EXPECT_EQ(l.wait_reason, "chan receive") << leftovers(run);
    EXPECT_EQ(l.waits_on, "chan 1") << leftovers(run);
    EXPECT_NE(l.dump.find(spec::str("goroutine ", l.goid, " [chan receive]:")), std::string::npos) << leftovers(run);
    EXPECT_NE(l.dump.find("main.worker"), std::string::npos) << leftovers(run);
  }
}

// A nil channel, a select with no cases, a mutex nobody unlocks and a
// WaitGroup nobody finishes: all definite once nothing can run.
TEST(LeakTest, EveryKindOfForeverBlockIsDefiniteAfterAQuiescentDrain) {
  struct Shared {
    gort::Mutex mu;
    gort::WaitGroup wg;
  };
  // Each run's sync objects outlive its main (the goroutines keep using
  // them) and its run (they are abandoned there): the test owns them.
  std::vector<std::unique_ptr<Shared>> owned;
  auto program = [&owned] {
    Shared* shared = owned.emplace_back(std::make_unique<Shared>()).get();
    shared->mu.lock();
    shared->wg.add(1);
    gort::go([] { gort::Chan<int>().recv(); });
    gort::go([] { gort::select({}); });
    gort::go([shared] { shared->mu.lock(); });
    gort::go([shared] { shared->wg.wait(); });
  };
  for (const spec::Run& run : run_all(program, drained())) {
    ASSERT_EQ(run.result.exit_status, 0) << leftovers(run);
    EXPECT_TRUE(run.result.drained) << leftovers(run);
    ASSERT_EQ(run.result.leftover.size(), 4u) << leftovers(run);
    for (const Leftover& l : run.result.leftover) EXPECT_EQ(l.kind, Leftover::Kind::kDefinite) << leftovers(run);
    EXPECT_EQ(run.result.leftover[0].waits_on, "a nil chan") << leftovers(run);
    EXPECT_EQ(run.result.leftover[1].waits_on, "a select with no cases") << leftovers(run);
    EXPECT_EQ(run.result.leftover[2].wait_reason, "semacquire") << leftovers(run);
    EXPECT_EQ(run.result.leftover[3].wait_reason, "semacquire") << leftovers(run);
  }
}

// A goroutine that said it may outlive main is not a leak.
TEST(LeakTest, ExpectLeakExemptsTheGoroutine) {
  auto program = [] {
    gort::go([] {
      gort::expect_leak();
      gort::Chan<int>().recv();
    });
    gort::go([] { gort::Chan<int>().recv(); });
  };
  for (const spec::Run& run : run_all(program, drained())) {
    ASSERT_EQ(run.result.leftover.size(), 2u) << leftovers(run);
    EXPECT_EQ(run.result.leftover[0].kind, Leftover::Kind::kExpected) << leftovers(run);
    EXPECT_EQ(run.result.leftover[1].kind, Leftover::Kind::kDefinite) << leftovers(run);
  }
}

// A goroutine that would fail if main were slower fails the drained run:
// under another schedule it runs before main returns.
TEST(LeakTest, APanicDuringTheDrainEndsTheRun) {
  auto program = [] { gort::go([] { throw std::logic_error("late failure"); }); };
  for (const spec::Run& run : run_all(program, drained())) {
    EXPECT_EQ(run.result.exit_status, 2) << leftovers(run);
    EXPECT_EQ(run.result.panic, "late failure") << leftovers(run);
  }
}

// Sim only: the drain's step budget, and reachability through handles.
// A ticker-like goroutine never lets the drain become quiescent, so the
// drain ends on its steps; then a goroutine blocked on a channel whose
// every handle is on blocked goroutines' stacks is definite, and one whose
// channel the still-running goroutine holds is only possible.
TEST(LeakTest, ACutShortDrainTellsDefiniteFromPossibleByHandles) {
  if (!spec::kSim) GTEST_SKIP() << "os: the drain's step budget is drawn in batches per M, so where it ends varies";
  auto program = [] {
    auto orphan = gort::make_chan<int>();  // only the blocked receiver keeps a handle
    auto shared = gort::make_chan<int>();  // the ticker keeps one too
    gort::go([o = std::move(orphan)]() mutable { o.recv(); });
    gort::go([s = shared]() mutable { s.recv(); });
    gort::go([s = std::move(shared)]() mutable {
      // Never blocks for good, and could send on s one day.
      for (;;) {
        gort::sleep(std::chrono::milliseconds(1));
        if (s.len() > 1) s.send(1);
      }
    });
  };
  for (const spec::Run& run : run_all(program, drained(2000))) {
    ASSERT_EQ(run.result.exit_status, 0) << leftovers(run);
    EXPECT_FALSE(run.result.drained) << leftovers(run);
    ASSERT_EQ(run.result.leftover.size(), 3u) << leftovers(run);
    EXPECT_EQ(run.result.leftover[0].kind, Leftover::Kind::kDefinite) << leftovers(run);
    EXPECT_EQ(run.result.leftover[0].waits_on, "chan 1") << leftovers(run);
    EXPECT_EQ(run.result.leftover[1].kind, Leftover::Kind::kPossible) << leftovers(run);
    EXPECT_EQ(run.result.leftover[1].waits_on, "chan 2") << leftovers(run);
    EXPECT_EQ(run.result.leftover[2].kind, Leftover::Kind::kPossible) << leftovers(run);
    EXPECT_LE(run.result.steps, 2000u + 64u) << leftovers(run);
  }
}

}  // namespace
