// Run queues and the scheduler's choice of the next G, under Go's policy
// (sim with a chooser that always answers 0).
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "context.h"
#include "proc.h"
#include "test_support.h"

namespace gort::rt {
namespace {

using testing_support::go_policy;
using testing_support::GoPolicyChooser;

Runtime& current() { return *getg()->rt; }

TEST(Runq, NewGoroutineGoesToRunnextAndKicksThePreviousToTheTail) {
  GoPolicyChooser c;
  std::vector<int> order;
  Result r = run(go_policy(c), [&] {
    for (int i = 1; i <= 10; i++) go([&order, i] { order.push_back(i); });
    P* pp = current().m0().p;
    EXPECT_NE(pp->runnext.load(), nullptr);
    EXPECT_EQ(runqlen(pp), 9u);
    gosched();  // main goes to the global queue, behind all ten
    order.push_back(0);
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  // Go with one P prints 10 first, then 1..9: runnext, then the local queue.
  EXPECT_EQ(order, (std::vector<int>{10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0}));
}

TEST(Runq, FullLocalQueueSpillsHalfPlusOneToTheGlobalQueue) {
  GoPolicyChooser c;
  int ran = 0;
  Result r = run(go_policy(c), [&] {
    Runtime& rt = current();
    P* pp = rt.m0().p;
    for (int i = 0; i < 257; i++) go([&] { ran++; });
    EXPECT_EQ(runqlen(pp), kLocalRunqSize);  // 256 in the queue, the 257th in runnext
    EXPECT_EQ(rt.sched.runq.size, 0);
    go([&] { ran++; });  // kicks #257 into a full queue
    EXPECT_EQ(rt.sched.runq.size, static_cast<int32_t>(kLocalRunqSize / 2 + 1));
    EXPECT_EQ(runqlen(pp), kLocalRunqSize / 2);
    EXPECT_NE(pp->runnext.load(), nullptr);
    for (int i = 0; i < 300 && ran < 258; i++) gosched();
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(ran, 258);  // every goroutine ran exactly once
}

TEST(Runq, GlobalQueueIsCheckedEvery61Schedticks) {
  GoPolicyChooser c;
  int ran_before_main = -1;
  int ran = 0;
  Result r = run(go_policy(c), [&] {
    // Two hundred local goroutines would keep main (on the global queue)
    // waiting for all of them, but for the fairness tick.
    for (int i = 0; i < 200; i++) go([&] { ran++; });
    gosched();
    ran_before_main = ran;
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  // main ran on tick 1; runnext inherits it; 60 more local Gs bring the
  // tick to 61, where the global queue goes first.
  EXPECT_EQ(ran_before_main, 61);
}

// globrunqget's fair share, driven directly on a Runtime that is not running.
TEST(Runq, GlobalBatchTakesAFairShareCappedAtHalfTheLocalQueue) {
  Runtime rt{testing_support::one_p()};
  std::vector<G> gs(300);
  for (auto& g : gs) {
    g.status = Gstatus::kRunnable;
    rt.sched.runq.push_back(&g);
  }
  rt.sched.lock.lock();
  G* first = globrunqget(rt, rt.allp[0].get(), 0);
  rt.sched.lock.unlock();
  // One P: the share is size/1+1, capped at the global size and at 128.
  EXPECT_EQ(first, &gs[0]);
  EXPECT_EQ(runqlen(rt.allp[0].get()), kLocalRunqSize / 2 - 1);
  EXPECT_EQ(rt.sched.runq.size, 300 - static_cast<int32_t>(kLocalRunqSize / 2));
  EXPECT_EQ(runqget_head(rt, rt.allp[0].get()), &gs[1]);  // order kept

  rt.sched.lock.lock();
  G* one = globrunqget(rt, rt.allp[0].get(), 1);
  rt.sched.lock.unlock();
  EXPECT_EQ(one, &gs[128]);
  EXPECT_EQ(rt.sched.runq.size, 300 - 129);
}

TEST(Sched, ChooserIsAskedInSimAndNeverInOs) {
  GoPolicyChooser c;
  Result r = run(go_policy(c), [] {
    for (int i = 0; i < 4; i++) go([] { gosched(); });
    gosched();
  });
  ASSERT_EQ(r.exit_status, 0);
  if (platform::kSimulated) {
    EXPECT_GT(c.asked, 0u);
  } else {
    EXPECT_EQ(c.asked, 0u) << "the os platform follows Go's policy and asks nobody";
  }
}

// In sim, a run is a function of its seed: the same seed gives the same
// interleaving, and the seed really steers it.
std::vector<uint64_t> interleaving(uint64_t seed) {
  std::vector<uint64_t> order;
  Config cfg = testing_support::one_p();
  cfg.seed = seed;
  Result r = run(cfg, [&] {
    for (int i = 0; i < 6; i++) {
      go([&] {
        for (int k = 0; k < 3; k++) {
          order.push_back(goid());
          gosched();
        }
      });
    }
    while (num_goroutine() > 1) gosched();
  });
  EXPECT_EQ(r.exit_status, 0) << r.output;
  return order;
}

TEST(Sched, SameSeedSameScheduleDifferentSeedsExploreOthers) {
  if (!platform::kSimulated) GTEST_SKIP() << "os platform: schedules follow Go's policy, not a seed";
  EXPECT_EQ(interleaving(42), interleaving(42));
  std::set<std::vector<uint64_t>> seen;
  for (uint64_t seed = 1; seed <= 20; seed++) seen.insert(interleaving(seed));
  EXPECT_GE(seen.size(), 5u) << "the seed barely changes the schedule";
}

}  // namespace
}  // namespace gort::rt
