// The runtime's switch layer: systemstack, mcall, thread-local g/m.
#include "context.h"

#include <gtest/gtest.h>

#include "arch/arch.h"
#include "proc.h"
#include "test_support.h"

namespace gort::rt {
namespace {

bool on_stack_of(const G* gp, uintptr_t sp) { return sp > gp->stack.lo && sp <= gp->stack.hi; }

TEST(Context, SystemstackRunsOnG0ReturnsItsResultAndNests) {
  bool outer_on_g0 = false, inner_on_g0 = false, g_is_g0 = false, back_on_g = false;
  uintptr_t result = 0;
  Result r = run(testing_support::one_p(), [&] {
    G* gp = getg();
    M* mp = getm();
    struct Args {
      M* mp;
      bool* outer;
      bool* inner;
      bool* g_is_g0;
    } args{mp, &outer_on_g0, &inner_on_g0, &g_is_g0};
    result = systemstack(
        [](void* p) -> uintptr_t {
          auto* a = static_cast<Args*>(p);
          *a->outer = on_stack_of(a->mp->g0, gort_arch_probe_sp());
          *a->g_is_g0 = getg() == a->mp->g0;
          // Already on g0: a nested systemstack is a plain call.
          return systemstack(
                     [](void* q) -> uintptr_t {
                       auto* b = static_cast<Args*>(q);
                       *b->inner = on_stack_of(b->mp->g0, gort_arch_probe_sp());
                       return 40;
                     },
                     a) +
                 2;
        },
        &args);
    back_on_g = getg() == gp && on_stack_of(gp, gort_arch_probe_sp());
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(result, 42u);
  EXPECT_TRUE(outer_on_g0);
  EXPECT_TRUE(inner_on_g0);
  EXPECT_TRUE(g_is_g0) << "getg() on the system stack is g0, as in Go";
  EXPECT_TRUE(back_on_g);
}

TEST(Context, CurrentGAndMAreSetOnlyInsideARun) {
  EXPECT_EQ(getg(), nullptr);
  EXPECT_EQ(getm(), nullptr);
  G* seen = nullptr;
  Result r = run(testing_support::one_p(), [&] { seen = getg(); });
  ASSERT_EQ(r.exit_status, 0);
  EXPECT_NE(seen, nullptr);
  EXPECT_EQ(getg(), nullptr);
  EXPECT_EQ(getm(), nullptr);
}

TEST(Context, GoroutinesRunOnTheirOwnStacks) {
  int on_own = 0;
  Result r = run(testing_support::one_p(), [&] {
    for (int i = 0; i < 8; i++) {
      go([&] {
        gosched();
        on_own += on_stack_of(getg(), gort_arch_probe_sp());
      });
    }
    while (num_goroutine() > 1) gosched();
  });
  ASSERT_EQ(r.exit_status, 0);
  EXPECT_EQ(on_own, 8);
}

}  // namespace
}  // namespace gort::rt
