// Ports of Go 1.19's src/runtime/proc_test.go tests that need only the
// public API (the ones that reach into the scheduler are in
// runtime_under_test/tests/proc_go_test.cc). Named after the Go tests.
//
// Some of Go's tests spin on an atomic with no yield point, which needs
// several Ms really running at once: those run in os only. Some wait on
// the clock while other goroutines stay busy; the sim's virtual time moves
// only when no M can run, so they run in os only too. Each says why.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "gort/gort.h"
#include "spec_run.h"

namespace {

using gort::Chan;
using gort::make_chan;
using gort::recv_case;
using gort::send_case;
using spec::require;
using spec::str;

#define SKIP_IN_SIM(why) \
  if (spec::kSim) GTEST_SKIP() << why

constexpr const char* kNeedsParallelMs =
    "spins with no yield point: needs Ms that really run at once (os); a sim M switches only at runtime operations";
constexpr const char* kNeedsRealTime =
    "waits on the clock while other goroutines stay runnable: the sim's virtual time moves only when no M can run";

// One os run at GOMAXPROCS procs (Go's tests set their own).
gort::Result run_at(uint32_t procs, void (*program)()) {
  gort::Config cfg;
  cfg.procs = procs;
  return gort::run(cfg, program);
}

// Spins (no yield point) until x is `expected`. Preemptible, as Go's loop
// is: if a goroutine that must take its turn is queued behind a spinner
// on that spinner's P, sysmon's preemption lets it run (without it, the
// turns wait for some other M to steal it, which on a loaded machine
// may never happen).
GORT_PREEMPTIBLE void spin_until_equal(const std::atomic<uint32_t>& x, uint32_t expected) {
  while (x.load() != expected) {
  }
}

// Goroutine `slot` of P takes its three turns on x: it spins until x is
// its number, then hands on to the next; done when done.
void take_turns(std::atomic<uint32_t>& x, uint32_t P, uint32_t slot, const Chan<bool>& done) {
  for (uint32_t i = 0; i < 3; i++) {
    const uint32_t expected = P * i + slot;
    spin_until_equal(x, expected);
    x.store(expected + 1);
  }
  done.send(true);
}

// Go's TestGoroutineParallelism: P goroutines take turns on one atomic,
// each spinning until it is its turn: they finish only if all P run at
// the same time, on P Ms.
void parallelism_program() {
  constexpr uint32_t P = 4;
  constexpr int N = 10;
  for (int attempt = 0; attempt < N; attempt++) {
    Chan<bool> done = make_chan<bool>();
    auto x = std::make_shared<std::atomic<uint32_t>>(0);
    for (uint32_t p = 0; p < P; p++) {
      gort::go([x, done, p] { take_turns(*x, P, p, done); });
    }
    for (uint32_t p = 0; p < P; p++) done.recv();
  }
}

TEST(ProcTest, TestGoroutineParallelism) {
  SKIP_IN_SIM(kNeedsParallelMs);
  gort::Result r = run_at(4, parallelism_program);
  EXPECT_EQ(r.exit_status, 0) << r.output;
  EXPECT_GE(r.ms, 4u) << "four goroutines spun at once on fewer Ms";
}

// Go's TestGoroutineParallelism2 (the load variant; gort has no netpoller):
// first P goroutines that all run until the last arrives, so that the Ms
// running them park afterwards; then P goroutines, started two levels
// deep, take turns on an atomic as above.
void parallelism2_program() {
  constexpr uint32_t P = 4;
  constexpr int N = 10;
  for (int attempt = 0; attempt < N; attempt++) {
    {
      Chan<bool> done = make_chan<bool>();
      auto x = std::make_shared<std::atomic<uint32_t>>(0);
      for (uint32_t p = 0; p < P; p++) {
        gort::go([x, done] {
          if (x->fetch_add(1) + 1 == P) {
            done.send(true);
            return;
          }
          spin_until_equal(*x, P);
        });
      }
      done.recv();
    }
    Chan<bool> done = make_chan<bool>();
    auto x = std::make_shared<std::atomic<uint32_t>>(0);
    for (uint32_t p = 0; p < P / 2; p++) {
      gort::go([x, done, p] {
        for (uint32_t p2 = 0; p2 < 2; p2++) {
          gort::go([x, done, p, p2] { take_turns(*x, P, p * 2 + p2, done); });
        }
      });
    }
    for (uint32_t p = 0; p < P; p++) done.recv();
  }
}

TEST(ProcTest, TestGoroutineParallelism2) {
  SKIP_IN_SIM(kNeedsParallelMs);
  gort::Result r = run_at(4, parallelism2_program);
  EXPECT_EQ(r.exit_status, 0) << r.output;
}

// Go's TestYieldProgress: a goroutine that polls a channel and yields in
// between lets main, asleep meanwhile, wake and reach it.
TEST(ProcTest, TestYieldProgress) {
  SKIP_IN_SIM(kNeedsRealTime);
  spec::expect_ok([] {
    Chan<bool> c = make_chan<bool>();
    Chan<bool> cack = make_chan<bool>();
    gort::go([c, cack] {
      for (;;) {
        bool v = false;
        if (gort::try_select({recv_case(c, v)}) == 0) {
          cack.send(true);
          return;
        }
        gort::gosched();
      }
    });
    gort::sleep(std::chrono::milliseconds(10));
    c.send(true);
    cack.recv();
  });
}

// Go's TestTimerFairness: two goroutines keep a channel busy; main's
// select between that channel and a 20 ms timer still sees the timer.
TEST(ProcTest, TestTimerFairness) {
  SKIP_IN_SIM(kNeedsRealTime);
  spec::expect_ok([] {
    Chan<bool> done = make_chan<bool>();
    Chan<bool> c = make_chan<bool>();
    for (int i = 0; i < 2; i++) {
      gort::go([c, done] {
        for (;;) {
          bool t = true, ignored = false;
          if (gort::select({send_case(c, t), recv_case(done, ignored)}) == 1) return;
        }
      });
    }
    Chan<int64_t> timer = gort::after(std::chrono::milliseconds(20));
    for (;;) {
      bool v = false;
      int64_t when = 0;
      if (gort::select({recv_case(c, v), recv_case(timer, when)}) == 1) {
        done.close();
        return;
      }
    }
  });
}

// Go's TestTimerFairness2: two goroutines busy sending to and receiving
// from each other each see their own 20 ms timer fire.
TEST(ProcTest, TestTimerFairness2) {
  SKIP_IN_SIM(kNeedsRealTime);
  spec::expect_ok([] {
    Chan<bool> done = make_chan<bool>();
    Chan<bool> c = make_chan<bool>();
    for (int i = 0; i < 2; i++) {
      gort::go([c, done] {
        Chan<int64_t> timer = gort::after(std::chrono::milliseconds(20));
        for (;;) {
          bool t = true, in = false;
          int64_t when = 0;
          if (gort::select({send_case(c, t), recv_case(c, in), recv_case(timer, when)}) == 2) {
            done.send(true);
            return;
          }
        }
      });
    }
    done.recv();
    done.recv();
  });
}

// Go's TestNumGoroutine (its testprog prints NumGoroutine at the start of
// main: 1); and the count follows goroutines as they start and exit, on
// every M.
TEST(ProcTest, TestNumGoroutine) {
  spec::expect_ok([] {
    require(gort::num_goroutine() == 1, str("NumGoroutine at start: ", gort::num_goroutine(), ", want 1"));
    Chan<int> release = make_chan<int>();
    Chan<int> started = make_chan<int>(8);
    for (int i = 0; i < 8; i++) {
      gort::go([release, started] {
        started.send(1);
        release.recv();
      });
    }
    for (int i = 0; i < 8; i++) started.recv();
    require(gort::num_goroutine() == 9, str("NumGoroutine with 8 parked: ", gort::num_goroutine(), ", want 9"));
    release.close();
    spec::wait_only_main();
  });
}

// Go's TestPingPongHog is ported with async preemption:
// async_preempt_test.cc, AsyncPreempt.PingPongHogSharesTheP (os).

}  // namespace
