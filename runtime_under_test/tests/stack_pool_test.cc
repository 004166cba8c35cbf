// gort::StackPool: stacks outlive a run and serve the next one.
#include <gtest/gtest.h>

#include "context.h"
#include "gort/gort.h"
#include "proc.h"
#include "test_support.h"

namespace gort::rt {
namespace {

// Under Go's policy (no preemption at the go statements, which could let a
// goroutine exit and its stack serve the next one): exactly ten at once.
Result ten_goroutines(StackPool* pool) {
  static testing_support::GoPolicyChooser go_policy;
  Config cfg = testing_support::go_policy(go_policy);
  cfg.stack_pool = pool;
  return run(cfg, [] {
    for (int i = 0; i < 10; i++) go([] { gosched(); });
    while (num_goroutine() > 1) gosched();
  });
}

TEST(StackPool, RunsBackToBackReuseTheSameStacks) {
  StackPool pool;
  ASSERT_EQ(ten_goroutines(&pool).exit_status, 0);
  EXPECT_EQ(pool.cached(), 12u);  // g0, main and ten goroutines
  for (int i = 0; i < 100; i++) ASSERT_EQ(ten_goroutines(&pool).exit_status, 0);
  EXPECT_EQ(pool.cached(), 12u) << "a run mapped stacks the pool already had";
}

TEST(StackPool, KeepsNoMoreThanItsLimit) {
  StackPool pool(5);
  ASSERT_EQ(ten_goroutines(&pool).exit_status, 0);
  EXPECT_EQ(pool.cached(), 5u);
}

TEST(StackPool, DifferentStackSizesAreNotMixedUp) {
  StackPool pool;
  Config small = testing_support::one_p();
  small.stack_pool = &pool;
  small.stack_size = 32 * 1024;
  Config big = small;
  big.stack_size = 128 * 1024;
  size_t seen_small = 0, seen_big = 0;
  for (int i = 0; i < 3; i++) {
    ASSERT_EQ(run(small, [&] { seen_small = getg()->stack.usable(); }).exit_status, 0);
    ASSERT_EQ(run(big, [&] { seen_big = getg()->stack.usable(); }).exit_status, 0);
    EXPECT_EQ(seen_small, 32u * 1024);
    EXPECT_EQ(seen_big, 128u * 1024);
  }
}

TEST(StackPool, AFatalRunReturnsItsStacksToo) {
  StackPool pool;
  Config cfg = testing_support::one_p();
  cfg.stack_pool = &pool;
  for (int i = 0; i < 3; i++) {
    Result r = run(cfg, [] { gopark(nullptr, nullptr, WaitReason::kTest); });
    ASSERT_EQ(r.exit_status, 2);
  }
  EXPECT_EQ(pool.cached(), 2u);  // g0 and main, reused by every run
}

}  // namespace
}  // namespace gort::rt
