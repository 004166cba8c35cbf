// Channel internals: invariants under random programs, lifetimes, sudog
// reuse, select's clean-up, timer order. (Go's own channel tests are ported
// in spec_tests/, against the public API.)
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "context.h"
#include "gort/gort.h"
#include "hchan.h"
#include "proc.h"
#include "test_support.h"

namespace gort::rt {
namespace {

Runtime& current() { return *getg()->rt; }

int live_channels(Runtime& rt) {
  int n = 0;
  for (auto& pp : rt.allp) {
    pp->chans.lock.lock();
    for (hchan* c = pp->chans.live; c != nullptr; c = c->live_next) n++;
    pp->chans.lock.unlock();
  }
  return n;
}

// A value that counts the live (not moved-from) copies of itself.
struct Counted {
  int* live = nullptr;
  Counted() = default;
  explicit Counted(int* l) : live(l) { ++*live; }
  Counted(Counted&& o) noexcept : live(o.live) { o.live = nullptr; }
  Counted& operator=(Counted&& o) noexcept {
    if (live != nullptr) --*live;
    live = o.live;
    o.live = nullptr;
    return *this;
  }
  ~Counted() {
    if (live != nullptr) --*live;
  }
};

TEST(Chan, RandomProgramsKeepTheInvariantsUnderEverySchedule) {
  // Four goroutines do random sends, receives, non-blocking ops and selects
  // on three channels of capacities 0, 1 and 3; every channel operation
  // asserts the hchan invariants as it unlocks (chan_check), and
  // conservation is checked at the end: every value sent is received once.
  for (uint64_t seed = 1; seed <= 200; seed++) {
    Config cfg = testing_support::one_p();
    cfg.seed = seed;
    cfg.procs = seed % 4 == 0 ? 2 : 1;  // a quarter of the seeds on two Ms
    // Atomic: at 2 Ps the goroutines run on two Ms at once.
    std::atomic<int64_t> sent_sum{0}, recv_sum{0};
    Result r = run(cfg, [&] {
      std::vector<Chan<int>> cs = {make_chan<int>(0), make_chan<int>(1), make_chan<int>(3)};
      auto done = make_chan<int>(4);
      for (int w = 0; w < 4; w++) {
        go([&, w] {
          platform::Wyrand rnd(seed * 31 + w);
          for (int k = 0; k < 30; k++) {
            Chan<int>& c = cs[rnd.below(3)];
            int v = static_cast<int>(rnd.below(1000)) + 1;
            switch (rnd.below(4)) {
              case 0:
                if (c.try_send(v)) sent_sum += v;
                break;
              case 1: {
                auto t = c.try_recv();
                if (t.ready) recv_sum += t.value;
                break;
              }
              case 2: {
                int in = 0, out = v;
                int i = try_select({recv_case(c, in), send_case(cs[(rnd.below(3))], out)});
                if (i == 0) recv_sum += in;
                if (i == 1) sent_sum += v;
                break;
              }
              default:
                gosched();
            }
          }
          done.send(w);
        });
      }
      for (int w = 0; w < 4; w++) done.recv();
      // Drain what is buffered: conservation.
      for (auto& c : cs) {
        for (auto t = c.try_recv(); t.ready; t = c.try_recv()) recv_sum += t.value;
      }
    });
    ASSERT_EQ(r.exit_status, 0) << "seed " << seed << ": " << r.output;
    ASSERT_EQ(sent_sum.load(), recv_sum.load()) << "seed " << seed << ": a value was lost or duplicated";
  }
}

TEST(Chan, LastHandleFreesTheChannelAndDestroysBufferedValuesOnce) {
  int live = 0;
  int channels_after = -1;
  Result r = run(testing_support::one_p(), [&] {
    {
      auto c = make_chan<Counted>(4);
      c.send(Counted(&live));
      c.send(Counted(&live));
      EXPECT_EQ(live, 2);
      EXPECT_EQ(live_channels(current()), 1);
    }
    EXPECT_EQ(live, 0) << "buffered values outlived their channel";
    channels_after = live_channels(current());
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(channels_after, 0);
}

TEST(Chan, TheRunFreesWhatAbandonedGoroutinesStillHold) {
  int live = 0;
  Chan<Counted> escaped;
  Result r = run(testing_support::one_p(), [&] {
    auto c = make_chan<Counted>(2);
    c.send(Counted(&live));
    escaped = c;  // a handle that outlives the run
    go([c] {
      c.send(Counted());
      c.send(Counted());
    });  // parks forever
    gosched();
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(live, 0) << "the run's end did not destroy the buffered value";
  // escaped is destroyed after this, outside any run: it must touch nothing.
}

// Issue 10 section 6: a handle kept from one run and dropped in the next
// was a heap-use-after-free in chan_release (ASan). Every handle from an
// ended run, and every copy of it, must be inert in a later run: copies and
// destructions do nothing, uses are a fatal error of the run using it.
TEST(ChanHandles, AHandleFromAnEndedRunIsInertWhenCopiedOrDroppedInTheNext) {
  Chan<int> kept;
  Chan<int> kept_unbuffered;
  ASSERT_EQ(run(testing_support::one_p(),
                [&] {
                  kept = make_chan<int>(3);
                  kept.send(1);
                  kept_unbuffered = make_chan<int>();
                })
                .exit_status,
            0);
  // The next run: a channel of its own first, so that the allocator may
  // hand it the block the kept handle still points at.
  int got = -1;
  Result r = run(testing_support::one_p(), [&] {
    auto mine = make_chan<int>(3);
    Chan<int> copy = kept;  // a copy made in the wrong run
    kept = Chan<int>{};     // the original dropped here
    copy = Chan<int>{};
    kept_unbuffered = Chan<int>{};
    mine.send(7);
    got = mine.recv();
    EXPECT_EQ(live_channels(current()), 1) << "a foreign handle freed or counted a channel of this run";
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(got, 7);
}

TEST(ChanHandles, UsingAHandleFromAnEndedRunIsAFatalErrorOfTheRunUsingIt) {
  Chan<int> kept;
  ASSERT_EQ(run(testing_support::one_p(), [&] { kept = make_chan<int>(1); }).exit_status, 0);
  struct Use {
    const char* what;
    std::function<void(Chan<int>&)> f;
  };
  const Use uses[] = {
      {"send", [](Chan<int>& c) { c.send(1); }},
      {"try_send", [](Chan<int>& c) { c.try_send(1); }},
      {"recv", [](Chan<int>& c) { (void)c.recv(); }},
      {"try_recv", [](Chan<int>& c) { (void)c.try_recv(); }},
      {"close", [](Chan<int>& c) { c.close(); }},
      {"len", [](Chan<int>& c) { (void)c.len(); }},
      {"cap", [](Chan<int>& c) { (void)c.cap(); }},
      {"select",
       [](Chan<int>& c) {
         int v = 0;
         (void)try_select({recv_case(c, v)});
       }},
  };
  for (const Use& use : uses) {
    bool after_use = false;
    Result r = run(testing_support::one_p(), [&] {
      use.f(kept);
      after_use = true;
    });
    EXPECT_EQ(r.exit_status, 2) << use.what;
    EXPECT_EQ(r.fatal_error, "channel used outside the run that made it") << use.what;
    EXPECT_NE(r.output.find("goroutine 1 [running]:"), std::string::npos) << use.what << "\n" << r.output;
    EXPECT_FALSE(after_use) << use.what;
    // And the run after it is unaffected.
    Result next = run(testing_support::one_p(), [] {
      auto c = make_chan<int>(1);
      c.send(5);
      if (c.recv() != 5) panic("lost value");
    });
    EXPECT_EQ(next.exit_status, 0) << use.what << "\n" << next.output;
  }
  // The nil channel belongs to no run: len and cap are 0 anywhere.
  Chan<int> nil;
  EXPECT_EQ(nil.len(), 0);
  EXPECT_EQ(nil.cap(), 0);
}

TEST(ChanHandlesDeathTest, UsingAHandleOutsideAnyRunAbortsWithAMessage) {
  Chan<int> kept;
  ASSERT_EQ(run(testing_support::one_p(), [&] { kept = make_chan<int>(1); }).exit_status, 0);
  EXPECT_DEATH((void)kept.len(), "Chan::len called outside gort::run");
  EXPECT_DEATH(kept.send(1), "Chan::send called outside gort::run");
}

TEST(ChanHandles, AfterChannelsFromAnEndedRunAreInertToo) {
  // time.After's channel is a Chan like any other; its pending timer held a
  // reference that the run's end dropped with the timer.
  Chan<int64_t> kept;
  ASSERT_EQ(run(testing_support::one_p(), [&] { kept = after(std::chrono::hours(1)); }).exit_status, 0);
  Result r = run(testing_support::one_p(), [&] { kept = Chan<int64_t>{}; });
  EXPECT_EQ(r.exit_status, 0) << r.output;
}

TEST(Chan, SudogsAreReusedNotLeaked) {
  size_t sudogs = 0;
  Result r = run(testing_support::one_p(), [&] {
    auto c = make_chan<int>();
    go([c] {
      for (int i = 0; i < 10'000; i++) c.send(i);
    });
    for (int i = 0; i < 10'000; i++) c.recv();
    current().heaplock.lock();
    sudogs = current().sudogs.size();
    current().heaplock.unlock();
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_LE(sudogs, 2u);
}

TEST(Select, TheWinnerLeavesNoSudogOnTheOtherChannels) {
  Result r = run(testing_support::one_p(), [] {
    auto a = make_chan<int>(), b = make_chan<int>(), c = make_chan<int>();
    uint64_t selector = 0;
    go([&] {
      selector = goid();
      int x = 0, y = 0, z = 0;
      int i = select({recv_case(a, x), recv_case(b, y), recv_case(c, z)});
      if (i != 1 || y != 42) throw std::logic_error("wrong case won");
      // After the wake-up, the losing cases' sudogs are off their queues.
      if (!a.raw()->recvq.empty() || !c.raw()->recvq.empty()) throw std::logic_error("stale sudog left queued");
    });
    while (!goroutine_state(selector).waiting) gosched();
    b.send(42);
    while (num_goroutine() > 1) gosched();
  });
  EXPECT_EQ(r.exit_status, 0) << r.output;
}

TEST(Select, ChannelsAreLockedInCreationOrderWhateverTheCaseOrder) {
  // Lock order is by channel id; with the ids known, a select lists its
  // cases in any order and locks a, b, c. (Observed through the ids the
  // sudogs of a parked select carry, which pass 2 enqueues in lock order.)
  Result r = run(testing_support::one_p(), [] {
    auto a = make_chan<int>(), b = make_chan<int>(), c = make_chan<int>();
    uint64_t selector = 0;
    std::vector<uint64_t> ids;
    G* sg_owner = nullptr;
    go([&] {
      selector = goid();
      sg_owner = getg();
      int x = 0;
      select({recv_case(c, x), recv_case(a, x), recv_case(b, x)});
    });
    while (!goroutine_state(selector).waiting) gosched();
    for (sudog* s = sg_owner->waiting; s != nullptr; s = s->waitlink) ids.push_back(s->c->id);
    if (ids != std::vector<uint64_t>{a.raw()->id, b.raw()->id, c.raw()->id}) throw std::logic_error("lock order");
    a.send(1);
    while (num_goroutine() > 1) gosched();
  });
  EXPECT_EQ(r.exit_status, 0) << r.output;
}

TEST(Timers, SleepersWakeInDeadlineOrderUnderGosPolicy) {
  testing_support::GoPolicyChooser c;
  std::vector<int> order;
  Result r = run(testing_support::go_policy(c), [&] {
    auto done = make_chan<int>(5);
    for (int ms : {50, 10, 40, 10, 30}) {
      go([&, ms] {
        sleep(std::chrono::milliseconds(ms));
        order.push_back(ms);
        done.send(ms);
      });
    }
    for (int i = 0; i < 5; i++) done.recv();
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(order, (std::vector<int>{10, 10, 30, 40, 50}));
}

TEST(Timers, NoDeadlockWhileATimerIsPending) {
  Result r = run(testing_support::one_p(), [] {
    auto c = make_chan<int>();
    go([c] {
      // A day of virtual time in sim; in os, real time, so a short nap.
      sleep(platform::kSimulated ? std::chrono::nanoseconds(std::chrono::hours(24))
                                 : std::chrono::nanoseconds(std::chrono::milliseconds(20)));
      c.send(1);
    });
    c.recv();  // everyone is blocked, but a timer will fire
  });
  EXPECT_EQ(r.exit_status, 0) << r.output;
}

TEST(Timers, SimTimeIsVirtual) {
  if (!platform::kSimulated) GTEST_SKIP() << "os platform: real time, a day of sleep would take a day";
  int64_t slept = 0;
  Result r = run(testing_support::one_p(), [&] {
    int64_t t0 = nanotime();
    sleep(std::chrono::hours(24));
    slept = nanotime() - t0;
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(slept, int64_t{24} * 3600 * 1'000'000'000);
}

TEST(Timers, AfterChannelsFreeWithTheirTimers) {
  int channels_after = -1;
  Result r = run(testing_support::one_p(), [&] {
    for (int i = 0; i < 100; i++) after(std::chrono::milliseconds(i)).recv();
    channels_after = live_channels(current());
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(channels_after, 0) << "a fired timer kept its channel alive";
}

}  // namespace
}  // namespace gort::rt
