// The harness' levers on a sim run (hooks.h, yield.h): preemption at yield
// points, each fault site, the event trace, and introspect::snapshot. In
// os builds none of this exists, and the tests say so when they skip.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "gort/gort.h"
#include "gort/introspect.h"
#include "test_support.h"

namespace gort {
namespace {

#if defined(GORT_PLATFORM_SIM)
constexpr bool kSim = true;
#else
constexpr bool kSim = false;
#endif

#define SKIP_UNLESS_SIM() \
  if (!kSim) GTEST_SKIP() << "os platform: yield points, faults and events exist only in sim builds"

// Go's policy for every choice, except what the test asks for.
class Steer : public Chooser {
 public:
  uint32_t choose(Choice what, uint32_t) override { return what == Choice::kPreempt ? preempt : 0; }
  bool fire(FaultSite site) override {
    if (site != fault || fired >= fire_times) return false;
    fired++;
    return true;
  }
  void event(const Event& e) override { events.push_back(e); }
  uint32_t preempt = 0;
  FaultSite fault = FaultSite::kClockJump;
  int fire_times = 0;
  int fired = 0;
  std::vector<Event> events;
};

Config with(Steer& s) {
  Config cfg = testing_support::one_p();
  cfg.chooser = &s;
  return cfg;
}

TEST(YieldPoint, PreemptionLetsTheOtherGoroutineRunThere) {
  SKIP_UNLESS_SIM();
  for (uint32_t preempt : {0u, 1u}) {
    Steer s;
    s.preempt = preempt;
    bool other_ran_at_yield = false;
    Result r = run(with(s), [&] {
      bool ran = false;
      s.preempt = 0;  // not at the go statement itself
      go([&] { ran = true; });
      s.preempt = preempt;
      yield_point();
      other_ran_at_yield = ran;
    });
    ASSERT_EQ(r.exit_status, 0) << r.output;
    EXPECT_EQ(other_ran_at_yield, preempt == 1) << "preempt=" << preempt;
  }
}

// Which panic an injected fault raised, if any, and what the program saw.
struct Injected {
  std::string value;
  int len_after = -1;
  bool deferred_body_ran = false;
  int received = -1;
};

template <class Body>
Injected inject_at(FaultSite site, Body body) {
  Steer s;
  s.fault = site;
  s.fire_times = 1;
  Injected got;
  Result r = run(with(s), [&] {
    func([&](Frame& f) {
      f.defer([&] {
        if (PanicValue v = recover()) got.value = v.to_string();
      });
      body(got);
    });
  });
  EXPECT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(s.fired, 1) << fault_site_name(site) << " never fired";
  return got;
}

TEST(FaultSites, EachPanicSiteRaisesAnInjectedPanicWhereItSays) {
  SKIP_UNLESS_SIM();
  Injected at_yield = inject_at(FaultSite::kPanicAtYield, [](Injected&) { yield_point(); });
  EXPECT_EQ(at_yield.value, "injected panic at panic-at-yield");

  Chan<int> before;
  Injected b = inject_at(FaultSite::kPanicBeforeChanOp, [&](Injected& g) {
    before = make_chan<int>(1);
    func([&](Frame& f) {
      f.defer([&] { g.len_after = before.len(); });
      before.send(1);
    });
  });
  EXPECT_EQ(b.value, "injected panic at panic-before-chan-op");
  EXPECT_EQ(b.len_after, 0) << "the send happened before the injected panic";

  Injected a = inject_at(FaultSite::kPanicAfterChanOp, [&](Injected& g) {
    Chan<int> ch = make_chan<int>(1);
    func([&](Frame& f) {
      f.defer([&g, ch] { g.len_after = ch.len(); });
      ch.send(1);
    });
  });
  EXPECT_EQ(a.value, "injected panic at panic-after-chan-op");
  EXPECT_EQ(a.len_after, 1) << "the send did not complete before the injected panic";

  Injected d = inject_at(FaultSite::kPanicInDeferredCall,
                         [&](Injected& g) { func([&](Frame& f) { f.defer([&g] { g.deferred_body_ran = true; }); }); });
  EXPECT_EQ(d.value, "injected panic at panic-in-deferred-call");
  EXPECT_FALSE(d.deferred_body_ran);

  Injected w = inject_at(FaultSite::kPanicAfterWakeup, [&](Injected& g) {
    Chan<int> ch = make_chan<int>(0);
    go([ch] { ch.send(42); });
    func([&](Frame& f) {
      int v = -1;
      f.defer([&g, &v] { g.received = v; });
      v = ch.recv();  // parks: main runs again only once the sender hands 42 over
    });
  });
  EXPECT_EQ(w.value, "injected panic at panic-after-wakeup");
}

TEST(FaultSites, ClockJumpAdvancesVirtualTime) {
  SKIP_UNLESS_SIM();
  Steer s;
  s.fault = FaultSite::kClockJump;
  s.fire_times = 1;
  int64_t before = -1, after = -1;
  Result r = run(with(s), [&] {
    before = nanotime();
    yield_point();
    after = nanotime();
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(after - before, 1'000'000);
}

// Go's policy for every choice, but time passing early
// (Choice::kAdvanceClock) answered 1 at the questions listed in advance_at
// (1-based); counts the questions.
class Advance : public Chooser {
 public:
  uint32_t choose(Choice what, uint32_t n) override {
    if (what != Choice::kAdvanceClock) return 0;
    EXPECT_EQ(n, 2u);
    asked++;
    return std::find(advance_at.begin(), advance_at.end(), asked) != advance_at.end() ? 1 : 0;
  }
  std::vector<int> advance_at;
  int asked = 0;
};

TEST(AdvanceClock, AskedOnlyWhileATimerIsStillToCome) {
  SKIP_UNLESS_SIM();
  Advance a;
  Config cfg = testing_support::one_p();
  cfg.chooser = &a;
  int without = -1, with_timer = -1, fired = -1, after_it_fired = -1;
  Result r = run(cfg, [&] {
    yield_point();
    // A timer over a minute away stands for "never": not offered either.
    auto far = after(std::chrono::minutes(2));
    (void)far;
    yield_point();
    without = a.asked;
    auto c = after(std::chrono::milliseconds(5));
    yield_point();
    with_timer = a.asked;
    c.recv();  // a yield point too, asked before it blocks
    fired = a.asked;
    yield_point();
    after_it_fired = a.asked;
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(without, 0) << "asked with no timer pending within a minute";
  EXPECT_GE(with_timer, 1) << "never asked while a timer was pending";
  EXPECT_EQ(after_it_fired, fired) << "asked once every timer had fired";
}

TEST(AdvanceClock, MovesTheClockToTheNextTimerWhichFiresBeforeTheGoroutineGoesOn) {
  SKIP_UNLESS_SIM();
  for (bool advance : {false, true}) {
    Advance a;
    Config cfg = testing_support::one_p();
    cfg.chooser = &a;
    int64_t waited = -1;
    bool first_fired = false, second_fired = true;
    Result r = run(cfg, [&] {
      const int64_t t0 = nanotime();
      auto first = after(std::chrono::milliseconds(5));
      auto second = after(std::chrono::milliseconds(9));
      if (advance) a.advance_at = {a.asked + 1};  // the next question: the yield point's
      yield_point();
      waited = nanotime() - t0;
      first_fired = first.try_recv().ready;
      second_fired = second.try_recv().ready;
    });
    ASSERT_EQ(r.exit_status, 0) << r.output;
    EXPECT_EQ(waited, advance ? 5'000'000 : 0) << "advance=" << advance;
    EXPECT_EQ(first_fired, advance) << "the timer due after the advance did not fire before main went on";
    EXPECT_FALSE(second_fired) << "the advance went past the earliest timer";
  }
}

// A runnable worker races a timeout: without a Chooser (a seed alone) the
// clock stands still while it runs, as Go's policy, so the timeout never
// wins; a chooser that advances the clock at the first question makes it.
TEST(AdvanceClock, OnlyAChooserLetsATimeoutBeatARunnableGoroutine) {
  SKIP_UNLESS_SIM();
  auto race = [](Config cfg) {
    int which = -1;
    Result r = run(cfg, [&] {
      auto reply = make_chan<int>(1);
      go([reply] {
        for (int i = 0; i < 5; i++) yield_point();
        reply.send(1);
      });
      int v = 0;
      int64_t at = 0;
      which = select({recv_case(reply, v), recv_case(after(std::chrono::seconds(1)), at)});
    });
    EXPECT_EQ(r.exit_status, 0) << r.output;
    return which;
  };
  for (uint64_t seed = 1; seed <= 100; seed++) {
    Config cfg;
    cfg.seed = seed;
    EXPECT_EQ(race(cfg), 0) << "seed " << seed << ": the timeout won with no chooser";
  }
  Advance a;
  a.advance_at = {1};
  Config cfg = testing_support::one_p();
  cfg.chooser = &a;
  EXPECT_EQ(race(cfg), 1) << "an advance at the first question did not let the timeout win";
}

TEST(FaultSites, SpuriousWakeupsOfAnIdleMAreTolerated) {
  SKIP_UNLESS_SIM();
  Steer s;
  s.fault = FaultSite::kSpuriousWakeup;
  s.fire_times = 5;
  int64_t slept = -1;
  Result r = run(with(s), [&] {
    int64_t t0 = nanotime();
    sleep(std::chrono::milliseconds(10));
    slept = nanotime() - t0;
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(s.fired, 5);
  EXPECT_EQ(slept, 10'000'000) << "woke at the wrong virtual time";
}

TEST(Events, AChannelHandoffIsTracedInOrderWithItsValues) {
  SKIP_UNLESS_SIM();
  Steer s;
  Result r = run(with(s), [&] {
    Chan<int> c = make_chan<int>(0);
    go([c] { c.send(7); });
    int v = c.recv();
    (void)v;
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  // The subsequence that must appear, in this order.
  std::vector<EventKind> want = {EventKind::kGoRun,    EventKind::kChanMake, EventKind::kGoCreate,
                                 EventKind::kGoPark,   EventKind::kGoRun,    EventKind::kGoReady,
                                 EventKind::kChanSend, EventKind::kGoExit,   EventKind::kChanRecv};
  size_t at = 0;
  for (const Event& e : s.events) {
    if (at < want.size() && e.kind == want[at]) at++;
  }
  EXPECT_EQ(at, want.size()) << "stopped matching at step " << at;
  int sends = 0, recvs = 0;
  for (const Event& e : s.events) {
    if (e.kind == EventKind::kChanSend) {
      sends++;
      EXPECT_TRUE(e.has_value);
      EXPECT_EQ(e.value, 7);
      EXPECT_EQ(e.goid, 2u);
    }
    if (e.kind == EventKind::kChanRecv) {
      recvs++;
      EXPECT_EQ(e.value, 7);
      EXPECT_EQ(e.aux, 1);  // ok
      EXPECT_EQ(e.goid, 1u);
    }
  }
  EXPECT_EQ(sends, 1);
  EXPECT_EQ(recvs, 1);
}

// Each channel operation's event carries its place in the channel's order;
// a parked one the number of the partner that completed it; a ready by a
// channel operation names the channel, a ready by a timer none.
TEST(Events, ChannelEventsCarryTheChannelsOrder) {
  SKIP_UNLESS_SIM();
  Steer s;
  Result r = run(with(s), [&] {
    Chan<int> c = make_chan<int>(1);
    c.send(1);               // 1
    c.recv();                // 2
    go([c] { c.send(2); });  // into the buffer: 3
    gosched();
    Chan<int> u = make_chan<int>(0);
    go([u] { u.send(3); });  // one of the two parks; the other completes both: u's 1
    u.recv();
    sleep(std::chrono::milliseconds(1));  // a timer readies main
    c.close();                            // 4
    c.recv();                             // 5: the buffered 2
    c.recv();                             // closed and drained: no number of its own, 5 (after it)
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  std::vector<std::pair<EventKind, uint64_t>> c_ops, u_ops;
  int chan_readies = 0, timer_readies = 0;
  for (const Event& e : s.events) {
    if (e.kind == EventKind::kChanSend || e.kind == EventKind::kChanRecv || e.kind == EventKind::kChanClose) {
      (e.obj == 1 ? c_ops : u_ops).emplace_back(e.kind, e.order);
    }
    if (e.kind == EventKind::kGoReady && e.aux == 2) chan_readies++;
    if (e.kind == EventKind::kGoReady && e.aux == 0) timer_readies++;
  }
  using K = EventKind;
  EXPECT_EQ(c_ops, (std::vector<std::pair<EventKind, uint64_t>>{{K::kChanSend, 1},
                                                                {K::kChanRecv, 2},
                                                                {K::kChanSend, 3},
                                                                {K::kChanClose, 4},
                                                                {K::kChanRecv, 5},
                                                                {K::kChanRecv, 5}}));
  // The parked operation and its partner share number 1 (whichever parked).
  std::sort(u_ops.begin(), u_ops.end());
  EXPECT_EQ(u_ops, (std::vector<std::pair<EventKind, uint64_t>>{{K::kChanSend, 1}, {K::kChanRecv, 1}}));
  EXPECT_EQ(chan_readies, 1);   // the parked one, by u (c2)
  EXPECT_EQ(timer_readies, 1);  // main, by its sleep's timer
}

// A chooser that counts what it is asked and says which sites are armed
// and whether it listens: the runtime reads both once per run and skips
// the calls they rule out.
class Counting : public Steer {
 public:
  bool fire(FaultSite site) override {
    fire_calls++;
    return Steer::fire(site);
  }
  uint32_t armed_faults() const override { return armed; }
  bool listens() const override { return listening; }
  uint32_t armed = ~0u;
  bool listening = true;
  int fire_calls = 0;
};

// The program every run of these two tests makes: a send and a receive on
// an unbuffered channel, a few yield points.
void small_program() {
  auto c = make_chan<int>();
  go([c] { c.send(1); });
  (void)c.recv();
  yield_point();
}

TEST(Seam, UnarmedFaultSitesAreNeverAsked) {
  SKIP_UNLESS_SIM();
  Counting all, none, clock_only;
  none.armed = 0;
  clock_only.armed = 1u << static_cast<unsigned>(FaultSite::kClockJump);
  for (Counting* c : {&all, &none, &clock_only}) {
    Config cfg = testing_support::one_p();
    cfg.chooser = c;
    ASSERT_TRUE(run(cfg, small_program).ok());
  }
  EXPECT_GT(all.fire_calls, clock_only.fire_calls);  // every site of every yield point
  EXPECT_GT(clock_only.fire_calls, 0);               // one per yield point
  EXPECT_EQ(none.fire_calls, 0);
}

TEST(Seam, AChooserThatDoesNotListenHearsNoEventsAndDecidesTheSame) {
  SKIP_UNLESS_SIM();
  Counting listening, deaf;
  deaf.listening = false;
  listening.preempt = deaf.preempt = 1;  // preempt at every yield point: many decisions
  std::vector<Result> results;
  for (Counting* c : {&listening, &deaf}) {
    Config cfg = testing_support::one_p();
    cfg.chooser = c;
    results.push_back(run(cfg, small_program));
    ASSERT_TRUE(results.back().ok()) << results.back().output;
  }
  EXPECT_FALSE(listening.events.empty());
  EXPECT_TRUE(deaf.events.empty());
  EXPECT_EQ(listening.fire_calls, deaf.fire_calls);  // the same questions were asked
  EXPECT_EQ(results[0].switches, results[1].switches);
}

TEST(Introspect, SnapshotShowsWhereEachGoroutineIs) {
  introspect::Snapshot snap;
  Chan<int> c;
  Result r = run(testing_support::one_p(), [&] {
    c = make_chan<int>(0);
    go([c] { c.recv(); });  // will park in c's recvq
    while (goroutine_state(2).wait_reason != std::string("chan receive")) gosched();
    go([] {});  // runnable, not yet run
    snap = introspect::snapshot();
    c.send(1);
    c = Chan<int>();
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  ASSERT_GE(snap.goroutines.size(), 3u);
  const introspect::Goroutine& main_g = snap.goroutines[0];
  EXPECT_EQ(main_g.goid, 1u);
  EXPECT_EQ(main_g.status, introspect::GStatus::kRunning);
  EXPECT_EQ(main_g.on_m, 1u);
  const introspect::Goroutine& receiver = snap.goroutines[1];
  EXPECT_EQ(receiver.status, introspect::GStatus::kWaiting);
  EXPECT_STREQ(receiver.wait_reason, "chan receive");
  ASSERT_EQ(receiver.waiting_on.size(), 1u);
  const introspect::Goroutine& fresh = snap.goroutines[2];
  EXPECT_EQ(fresh.status, introspect::GStatus::kRunnable);
  EXPECT_EQ(fresh.in_runnext + fresh.in_local_runq + fresh.in_global_runq, 1u);
  ASSERT_EQ(snap.channels.size(), 1u);
  EXPECT_EQ(snap.channels[0].id, receiver.waiting_on[0]);
  ASSERT_EQ(snap.channels[0].recvq.size(), 1u);
  EXPECT_EQ(snap.channels[0].recvq[0].goid, 2u);
  EXPECT_TRUE(snap.channels[0].recvq[0].owned_by_g);
  EXPECT_TRUE(snap.channels[0].sendq.empty());
  EXPECT_EQ(snap.current_goid, 1u);
}

}  // namespace
}  // namespace gort
