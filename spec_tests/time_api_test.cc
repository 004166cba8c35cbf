// Ports of Go 1.19's src/time/sleep_test.go and src/time/tick_test.go:
// Timer (Stop and Reset with their return values), Ticker (dropped ticks,
// Stop, Reset), AfterFunc, Tick, Sleep and After at the edges of time.
//
// In sim the clock is virtual (exact; an hour costs nothing), so each
// timing bound Go's tests allow slack for holds at the first try; in os the
// tests use Go's units and Go's retries (timing on a loaded machine).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gort/gort.h"
#include "spec_defer.h"
#include "spec_run.h"

namespace {

using namespace std::chrono_literals;
using gort::Chan;
using gort::Frame;
using spec::fail;
using spec::require;
using spec::str;
using Dur = std::chrono::nanoseconds;

// Go's seconds in sim (free there); a tenth of that in os, where the
// tests below sleep for real.
constexpr Dur kSecond = spec::kSim ? Dur(1s) : Dur(100ms);

// Ports TestAfterFunc (src/time/sleep_test.go): an AfterFunc(0) function
// that starts the next one and then sleeps; the eleventh ends the test.
// Each runs on a goroutine of its own (else the sleep would hold up the
// next).
TEST(GoTestTime, TestAfterFunc) {
  spec::expect_ok([] {
    struct State {
      std::atomic<int> i{10};
      Chan<bool> c = gort::make_chan<bool>(0);
      std::function<void()> f;
    } s;
    State* sp = &s;
    // Reached only while main waits on c: s outlives every call.
    s.f = [sp] {
      if (sp->i.fetch_sub(1) - 1 >= 0) {
        gort::after_func(0ns, sp->f);
        gort::sleep(kSecond);
      } else {
        sp->c.send(true);
      }
    };
    gort::after_func(0ns, s.f);
    s.c.recv();
  });
}

// Ports TestAfterStress (src/time/sleep_test.go): 100 ticks of a 1ns
// ticker while another goroutine sleeps 1ns in a loop.
TEST(GoTestTime, TestAfterStress) {
  spec::expect_ok([] {
    std::atomic<bool> stop{false};
    std::atomic<bool>* sp = &stop;
    Chan<bool> done = gort::make_chan<bool>(0);
    gort::go([sp, done] {
      while (!sp->load()) gort::sleep(1ns);
      done.send(true);
    });
    gort::Ticker ticker = gort::new_ticker(1ns);
    for (int i = 0; i < 100; i++) ticker.C.recv();
    ticker.stop();
    stop.store(true);
    done.recv();  // gort: stop lives in this frame
  });
}

// sleep_test.go's testAfterQueuing: Afters made out of order arrive in
// order, each near its time. Returns "" or what went wrong.
std::string test_after_queuing(Dur delta) {
  static constexpr int kSlots[] = {5, 3, 6, 6, 6, 1, 1, 2, 7, 9, 4, 8, 0};
  constexpr int n = sizeof kSlots / sizeof kSlots[0];
  struct Result {
    int slot;
    int64_t t;
  };
  Chan<Result> result = gort::make_chan<Result>(n);
  const int64_t t0 = gort::nanotime();
  for (int slot : kSlots) {
    Chan<int64_t> ac = gort::after(slot * delta);
    gort::go([slot, result, ac] { result.send(Result{slot, ac.recv()}); });
  }
  std::vector<Result> got;
  for (int i = 0; i < n; i++) got.push_back(result.recv());
  for (int i = 1; i < n; i++) {
    if (got[i].slot < got[i - 1].slot) return str("After calls returned out of order at ", i);
  }
  for (const Result& r : got) {
    const int64_t dt = r.t - t0;
    const int64_t target = r.slot * delta.count();
    if (dt < target - delta.count() / 2 || dt > target + delta.count() * 10) {
      return str("After(", target, "ns) arrived at ", dt, "ns");
    }
  }
  return "";
}

// Ports TestAfterQueuing (src/time/sleep_test.go); in sim the first
// attempt must pass.
TEST(GoTestTime, TestAfterQueuing) {
  spec::expect_ok([] {
    const int attempts = spec::kSim ? 1 : 5;
    std::string err = "!=nil";
    for (int i = 0; i < attempts && !err.empty(); i++) err = test_after_queuing((20 + i * 50) * Dur(1ms));
    require(err.empty(), err);
  });
}

// Ports TestTimerStopStress (src/time/sleep_test.go): 100 AfterFuncs, each
// stopped halfway to its time, never run. gort: and each Stop says it
// stopped the timer. Go's own seconds in os too: a goroutine late by half
// the margin would fail it (under qemu, say).
TEST(GoTestTime, TestTimerStopStress) {
  spec::expect_ok([] {
    for (int i = 0; i < 100; i++) {
      gort::go([i] {
        gort::Timer timer = gort::after_func(2s, [i] { fail(str("timer ", i, " was not stopped")); });
        gort::sleep(1s);
        if (!timer.stop()) fail(str("timer ", i, ": Stop of a pending timer returned false"));
      });
    }
    gort::sleep(3s);
  });
}

// Ports TestSleepZeroDeadlock (src/time/sleep_test.go): Sleep(0) returns
// at once and leaves the goroutine running (it used to be left waiting).
TEST(GoTestTime, TestSleepZeroDeadlock) {
  spec::expect_ok([] {
    Chan<bool> c = gort::make_chan<bool>(0);
    gort::go([c] {
      for (int i = 0; i < 100; i++) gort::gosched();  // Go's runtime.GC()
      c.send(true);
    });
    for (int i = 0; i < 100; i++) {
      gort::sleep(0ns);
      Chan<bool> tmp = gort::make_chan<bool>(1);
      tmp.send(true);
      tmp.recv();
    }
    c.recv();
  });
}

// sleep_test.go's testReset: Reset of a pending timer returns true and
// moves its time; of a fired one, false.
std::string test_reset(Dur d) {
  gort::Timer t0 = gort::new_timer(2 * d);
  gort::sleep(d);
  if (!t0.reset(3 * d)) return "resetting unfired timer returned false";
  gort::sleep(2 * d);
  if (t0.C.try_recv().ready) return "timer fired early";
  gort::sleep(2 * d);
  if (!t0.C.try_recv().ready) return "reset timer did not fire";
  if (t0.reset(50ms)) return "resetting expired timer returned true";
  return "";
}

// Ports TestReset (src/time/sleep_test.go); in sim the first try passes.
TEST(GoTestTime, TestReset) {
  spec::expect_ok([] {
    const Dur unit = 25ms;
    std::string err;
    for (int mult : {1, 3, 7, 15}) {
      err = test_reset(mult * unit);
      if (err.empty() || spec::kSim) break;
    }
    require(err.empty(), err);
  });
}

// Ports TestOverflowSleep (src/time/sleep_test.go): the longest Sleep and
// After never end; the most negative ones end at once.
TEST(GoTestTime, TestOverflowSleep) {
  spec::expect_ok([] {
    const Dur big = Dur::max();
    gort::go([big] {
      gort::sleep(big);
      fail("big sleep returned");
    });
    int64_t v = 0;
    Chan<int64_t> big_after = gort::after(big);
    Chan<int64_t> short_after = gort::after(25ms);
    require(gort::select({gort::recv_case(big_after, v), gort::recv_case(short_after, v)}) == 1, "big timeout fired");
    const Dur neg = Dur::min();
    gort::sleep(neg);  // returns at once
    Chan<int64_t> neg_after = gort::after(neg);
    Chan<int64_t> second = gort::after(1s);
    require(gort::select({gort::recv_case(neg_after, v), gort::recv_case(second, v)}) == 0,
            "negative timeout didn't fire");
  });
}

// Ports TestIssue5745 (src/time/sleep_test.go): Stop of a nil Timer panics
// (gort: with Go's text for an uninitialised Timer), and a deferred
// Ticker.Stop still runs and the panic is recovered.
TEST(GoTestTime, TestIssue5745) {
  spec::run_go_test([](spec::T& t, Frame& f) {
    gort::Ticker ticker = gort::new_ticker(1h);
    f.defer([&t, ticker] {
      ticker.stop();
      gort::PanicValue r = gort::recover();
      if (!r) t.fatal("Expected panic, but none happened.");
      if (r.to_string() != "time: Stop called on uninitialized Timer") t.fatal("panic value " + r.to_string());
    });
    gort::Timer timer;
    timer.stop();
    t.fatal("Should be unreachable.");
  });
}

// Ports TestAdjustTimers (src/time/sleep_test.go): 100 timers walked
// through fire, drain, Reset to long durations, Stop, Reset(0), in a
// pseudo-random interleaving; Reset of an idle timer returns false.
TEST(GoTestTime, TestAdjustTimers) {
  spec::expect_ok([] {
    constexpr int kTimers = 100;
    std::vector<gort::Timer> timers(kTimers);
    std::vector<int> states(kTimers, 0);
    std::vector<int> indices;
    for (int i = 0; i < kTimers; i++) indices.push_back(i);
    uint64_t rnd = 0x9E3779B97F4A7C15ull;  // the test's own generator: same walk every run
    auto next = [&rnd](size_t n) {
      rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
      return static_cast<size_t>((rnd >> 33) % n);
    };
    while (!indices.empty()) {
      const size_t ii = next(indices.size());
      const int i = indices[ii];
      const int state = states[i]++;
      gort::Timer& timer = timers[i];
      switch (state) {
        case 0:
          timer = gort::new_timer(0ns);
          break;
        case 1:
          timer.C.recv();  // now idle
          break;
        case 2:
          require(!timer.reset(1min), "shouldn't be active (1)");
          break;
        case 4:
          require(!timer.reset(3min), "shouldn't be active (3)");
          break;
        case 6:
          require(!timer.reset(2min), "shouldn't be active (2)");
          break;
        case 3:
        case 5:
        case 7:
          if (!timer.stop()) timer.C.recv();
          break;
        case 8:
          require(!timer.reset(0ns), "timer.Reset returned true");
          break;
        case 9:
          timer.C.recv();
          break;
        case 10:
          indices[ii] = indices.back();
          indices.pop_back();
          break;
      }
    }
  });
}

// Ports TestTicker (src/time/tick_test.go): count/2 ticks of delta, Reset
// to 2*delta, count/2 more take 3*delta*count/2 (30% slop); once stopped,
// no tick comes.
TEST(GoTestTime, TestTicker) {
  spec::expect_ok([] {
    struct Test {
      int count;
      Dur delta;
    };
    std::vector<std::string> errs;
    for (Test test : {Test{10, 20ms}, Test{8, 1s}}) {
      gort::Ticker ticker = gort::new_ticker(test.delta);
      const int64_t t0 = gort::nanotime();
      for (int i = 0; i < test.count / 2; i++) ticker.C.recv();
      ticker.reset(test.delta * 2);
      for (int i = test.count / 2; i < test.count; i++) ticker.C.recv();
      ticker.stop();
      const int64_t dt = gort::nanotime() - t0;
      const int64_t target = 3 * test.delta.count() * (test.count / 2);
      const int64_t slop = target * 3 / 10;
      if (dt < target - slop || dt > target + slop) {
        errs.push_back(str(test.count / 2, " ticks then ", test.count / 2, " ticks took ", dt, "ns, want ", target));
        if (spec::kSim) break;  // exact in sim: a miss is the runtime's
        continue;
      }
      gort::sleep(2 * test.delta);
      if (ticker.C.try_recv().ready) {
        errs.push_back("Ticker did not shut down");
        if (spec::kSim) break;
        continue;
      }
      return;
    }
    fail(str("saw ", errs.size(), " errors: ", errs.empty() ? "" : errs.front()));
  });
}

// Ports TestTickerStopWithDirectInitialization (src/time/tick_test.go):
// Stop of a Ticker not made by NewTicker does nothing.
TEST(GoTestTime, TestTickerStopWithDirectInitialization) {
  spec::expect_ok([] {
    gort::Ticker tk;
    tk.C = gort::make_chan<int64_t>(0);
    tk.stop();
  });
}

// Ports TestTeardown (src/time/tick_test.go): tickers made, ticked once
// and stopped, three times over.
TEST(GoTestTime, TestTeardown) {
  spec::expect_ok([] {
    for (int i = 0; i < 3; i++) {
      gort::Ticker ticker = gort::new_ticker(20ms);
      ticker.C.recv();
      ticker.stop();
    }
  });
}

// Ports TestTickerResetLtZeroDuration (src/time/tick_test.go), with Go's
// panic value.
TEST(GoTestTime, TestTickerResetLtZeroDuration) {
  spec::expect_panic(
      [] {
        gort::Ticker tk = gort::new_ticker(1s);
        tk.reset(0ns);
      },
      "non-positive interval for Ticker.Reset");
}

// Ports TestNewTickerLtZeroDuration (src/time/tick_test.go): Go's panic
// value is an error.
TEST(GoTestTime, TestNewTickerLtZeroDuration) {
  spec::run_go_test([](spec::T& t, Frame& f) {
    f.defer([&t] {
      gort::PanicValue r = gort::recover();
      if (r.error() == nullptr) t.fatal("NewTicker(-1) should have panicked with an error");
      if (r.to_string() != "non-positive interval for NewTicker") t.fatal("panic value " + r.to_string());
    });
    gort::new_ticker(-1ns);
  });
}

// Ports TestTick (src/time/tick_test.go): Tick of a negative duration is nil.
TEST(GoTestTime, TestTick) {
  spec::expect_ok([] { require(gort::tick(-1ns).is_nil(), "Tick(-1) is not nil"); });
}

// gort: Stop's and Reset's return values (Go 1.19's Timer.Stop: "true if
// the call stops the timer"; Timer.Reset: "true if the timer had been
// active").
TEST(GortTime, TimerStopResetReturnValues) {
  spec::expect_ok([] {
    gort::Timer t = gort::new_timer(1h);
    require(t.stop(), "Stop of a pending timer returned false");
    require(!t.stop(), "a second Stop returned true");
    require(!t.reset(1ms), "Reset of a stopped timer returned true");
    require(t.reset(1ms), "Reset of a pending timer returned false");
    t.C.recv();
    require(!t.stop(), "Stop of a fired timer returned true");
    require(!t.C.try_recv().ready, "a timer sent twice");
  });
}

// gort: a slow receiver of a Ticker finds one tick buffered (capacity 1);
// the ticks it missed are dropped, never queued (in os a new tick may come
// between the two receives; its time tells it apart).
TEST(GortTime, TickerDropsTicksForSlowReceiver) {
  spec::expect_ok([] {
    const Dur period = 10ms;
    gort::Ticker ticker = gort::new_ticker(period);
    require(ticker.C.cap() == 1, "a ticker's channel has capacity 1");
    gort::sleep(10 * period + period / 2);
    // Ticks carry their firing time: one fired after the buffered tick was
    // taken is a new tick (legal), an older one was queued.
    const int64_t before_take = gort::nanotime();
    require(ticker.C.try_recv().ready, "no tick after ten periods");
    auto late = ticker.C.try_recv();
    require(!late.ready || late.value >= before_take, "missed ticks were queued");
    ticker.stop();
  });
}

// gort: AfterFunc's function runs on a goroutine of its own: it may block
// without holding up the caller or other timers.
TEST(GortTime, AfterFuncRunsOnItsOwnGoroutine) {
  spec::expect_ok([] {
    Chan<uint64_t> ran = gort::make_chan<uint64_t>(1);
    Chan<bool> release = gort::make_chan<bool>(0);
    gort::Timer t = gort::after_func(1ms, [ran, release] {
      ran.send(gort::goid());
      release.recv();  // blocks its own goroutine only
    });
    require(t.C.is_nil(), "AfterFunc's C is not nil");
    const uint64_t id = ran.recv();
    require(id != gort::goid(), "AfterFunc's function ran on the caller's goroutine");
    gort::new_timer(1ms).C.recv();  // timers still fire
    release.send(true);
    spec::wait_exited(id);
  });
}

// gort: a stopped timer holds nothing up for long: a goroutine waiting on
// its channel alone is Go's deadlock. Go 1.19's deltimer does not wake an M
// sleeping until the stopped timer's time (neither does gort's), so the
// verdict may wait until then: the timer is short, so that in os it comes.
TEST(GortTime, StoppedTimerIsNoWakeup) {
  spec::expect_deadlock(
      [] {
        gort::Timer t = gort::new_timer(50ms);
        if (!t.stop()) fail("Stop of a pending timer returned false");
        t.C.recv();
      },
      {"goroutine 1 [chan receive]:"});
}

}  // namespace
