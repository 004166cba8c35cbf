// Lock ranking (Go's lockrank.go): the runtime's locks in one static order,
// an out-of-order acquisition a fatal error naming both locks (sim builds,
// and os builds with assertions on).
#include <gtest/gtest.h>

#include "context.h"
#include "hchan.h"
#include "proc.h"

namespace gort::rt {
namespace {

#if defined(NDEBUG) && !defined(GORT_PLATFORM_SIM)
#define SKIP_UNLESS_RANKED() GTEST_SKIP() << "lock ranks are checked in sim builds and in os builds with assertions on"
#else
#define SKIP_UNLESS_RANKED() (void)0
#endif

TEST(LockRank, TakingAChannelLockWhileHoldingTheSchedulersIsAFatalErrorNamingBoth) {
  SKIP_UNLESS_RANKED();
  Result r = run(Config{}, []() GORT_NO_THREAD_SAFETY_ANALYSIS {
    Chan<int> c = make_chan<int>(1);
    Runtime& rt = *getg()->rt;
    rt.sched.lock.lock();
    c.raw()->lock.lock();  // hchan ranks below sched: out of order
  });
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_EQ(r.fatal_error, "lock ordering problem");
  EXPECT_NE(r.output.find("runtime: lock ordering problem: taking hchan while holding sched"), std::string::npos)
      << r.output;
}

TEST(LockRank, ALockOfTheSameRankTwiceIsOutOfOrderButChannelLocksMayNest) {
  SKIP_UNLESS_RANKED();
  // Two P timer heaps at once: no path does it, and the ranking says so.
  Result timers = run(Config{.procs = 2}, []() GORT_NO_THREAD_SAFETY_ANALYSIS {
    Runtime& rt = *getg()->rt;
    rt.allp[0]->timers_lock.lock();
    rt.allp[1]->timers_lock.lock();
  });
  EXPECT_EQ(timers.fatal_error, "lock ordering problem") << timers.output;
  EXPECT_NE(timers.output.find("taking timers while holding timers"), std::string::npos) << timers.output;
  // Several channel locks, then the scheduler's: select's order, allowed.
  Result chans = run(Config{}, []() GORT_NO_THREAD_SAFETY_ANALYSIS {
    Chan<int> a = make_chan<int>(1), b = make_chan<int>(1);
    Runtime& rt = *getg()->rt;
    a.raw()->lock.lock();
    b.raw()->lock.lock();
    rt.sched.lock.lock();
    rt.sched.lock.unlock();
    b.raw()->lock.unlock();
    a.raw()->lock.unlock();
  });
  EXPECT_EQ(chans.exit_status, 0) << chans.output;
}

}  // namespace
}  // namespace gort::rt
