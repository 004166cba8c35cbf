// Async preemption (os builds): a goroutine in a loop with no yield point is
// stopped by the preemption signal, only at a safe point, and resumed with
// every register bit as it was. Ports Go's TestAsyncPreempt and
// TestPingPongHog (runtime/proc_test.go) and adds the register torture a
// CPU port must survive.
//
// spec_os_test only: sim builds preempt at yield points (the chooser), and
// these tests need real threads and signals.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "arch/async_image.h"
#include "gort/chan.h"
#include "gort/gort.h"
#include "gort/mutants.h"
#include "gort/select.h"
#include "gort/sync.h"
#include "gort/time.h"

namespace {

// Async preemption needs the CPU port's support (and, in a ThreadSanitizer
// build, is off: TSan delivers signals at its own safe points). Tests skip
// with this reason when it is missing.
bool async_preempt_available(std::string* why) {
#if defined(__SANITIZE_THREAD__)
  *why = "ThreadSanitizer defers signals to its own safe points: async preemption is off in tsan builds";
  return false;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
  *why = "ThreadSanitizer defers signals to its own safe points: async preemption is off in tsan builds";
  return false;
#endif
#endif
  if (gort_arch_async_preempt_supported() == 0) {
    *why = "this CPU port reports no async preemption (gort_arch_async_preempt_supported)";
    return false;
  }
  return true;
}

#define REQUIRE_ASYNC_PREEMPT()                                              \
  do {                                                                       \
    std::string why_skipped;                                                 \
    if (!async_preempt_available(&why_skipped)) GTEST_SKIP() << why_skipped; \
  } while (0)

gort::Config os_config(uint32_t procs) {
  gort::Config cfg;
  cfg.procs = procs;
  cfg.mutant = gort::mutant_from_environment();  // `gort mutants` runs this suite once per mutant
  return cfg;
}

// A loop with no yield point: only async preemption can take its M away.
// It spins until *stop is set (never, for some callers: the run's end
// abandons it). The relaxed load keeps the loop from being optimised away
// (an empty infinite loop is undefined behaviour in C++).
GORT_PREEMPTIBLE void spin_until(const std::atomic<bool>* stop) {
  while (!stop->load(std::memory_order_relaxed)) {
  }
}

// Go's TestAsyncPreempt (testprog/preempt.go AsyncPreempt): with one P, a
// goroutine spinning in a tight loop must not keep main from running again.
TEST(AsyncPreempt, ATightLoopIsPreemptedAndMainRunsAgain) {
  REQUIRE_ASYNC_PREEMPT();
  std::atomic<bool> never{false};
  std::atomic<bool> main_ran_again{false};
  gort::Result r = gort::run(os_config(1), [&] {
    gort::go([&] { spin_until(&never); });
    gort::gosched();  // the spinner runs, and only sysmon's signal brings main back
    main_ran_again = true;
  });
  ASSERT_TRUE(r.ok()) << r.output;
  EXPECT_TRUE(main_ran_again.load());
  EXPECT_GE(r.async_preemptions, 1u) << "main ran again without an async preemption";
}

// The run ends when main returns, even while a goroutine spins on another M:
// the M ending the run preempts it (before async preemption, run() never
// returned).
TEST(AsyncPreempt, MainReturningEndsTheRunWhileAnotherMSpins) {
  REQUIRE_ASYNC_PREEMPT();
  for (uint32_t procs : {2u, 4u}) {
    std::atomic<bool> never{false};
    gort::Config cfg = os_config(procs);
    cfg.sysmon = false;  // only the end of the run may preempt the spinners
    gort::Result r = gort::run(cfg, [&] {
      for (uint32_t i = 0; i + 1 < procs; i++) gort::go([&] { spin_until(&never); });
      gort::sleep(std::chrono::milliseconds(1));  // let them start on the other Ps
    });
    ASSERT_TRUE(r.ok()) << "procs " << procs << ": " << r.output;
    EXPECT_GE(r.async_preemptions, 1u) << "procs " << procs;
  }
}

// With asynchronous preemption off (Go's GODEBUG=asyncpreemptoff=1) a
// preemptible loop keeps the only P: main runs again only once the spinner
// has ended by itself, 50 ms (five of sysmon's time slices) later.
GORT_PREEMPTIBLE void spin_for(std::chrono::milliseconds d, std::atomic<int>* done) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
  }
  done->store(1);
}

TEST(AsyncPreempt, OffMeansOnlyYieldPointsPreempt) {
  REQUIRE_ASYNC_PREEMPT();
  std::atomic<int> spinner_done{0};
  int seen_by_main = -1;
  gort::Config cfg = os_config(1);
  cfg.async_preempt = false;
  gort::Result r = gort::run(cfg, [&] {
    gort::go([&] { spin_for(std::chrono::milliseconds(50), &spinner_done); });
    gort::gosched();
    seen_by_main = spinner_done.load();
  });
  ASSERT_TRUE(r.ok()) << r.output;
  EXPECT_EQ(seen_by_main, 1) << "main ran again while the spinner was still spinning";
  EXPECT_EQ(r.async_preemptions, 0u);
}

// Go's TestPingPongHog: two pairs of goroutines hand one P back and forth;
// one pair does a thousand times more work per turn (in preemptible code).
// Sysmon must preempt the hogs at the end of their time slice (inherited
// across their hand-offs), so both pairs get comparable CPU: Go accepts a
// factor of 20 (issue 52207), where a scheduler that let hogs run would
// show about 1000.
GORT_PREEMPTIBLE void count_to(int64_t limit, std::atomic<int64_t>* counter) {
  for (int64_t i = 0; i < limit; i++) counter->fetch_add(1, std::memory_order_relaxed);
}

TEST(AsyncPreempt, PingPongHogSharesTheP) {
  REQUIRE_ASYNC_PREEMPT();
  std::atomic<int64_t> hog_count{0};
  std::atomic<int64_t> light_count{0};
  gort::Result r = gort::run(os_config(1), [&] {
    gort::Chan<bool> done = gort::make_chan<bool>();
    gort::Chan<bool> hog = gort::make_chan<bool>();
    gort::Chan<bool> light = gort::make_chan<bool>();
    auto pair = [&](int64_t limit, std::atomic<int64_t>* counter, gort::Chan<bool> wake) {
      for (;;) {
        bool v = false;
        if (gort::select({gort::recv_case(done, v), gort::recv_case(wake, v)}) == 0) return;
        count_to(limit, counter);
        wake.send(true);
      }
    };
    for (int i = 0; i < 2; i++) gort::go([&, hog] { pair(1'000'000, &hog_count, hog); });
    for (int i = 0; i < 2; i++) gort::go([&, light] { pair(1'000, &light_count, light); });
    hog.send(true);
    light.send(true);
    gort::sleep(std::chrono::milliseconds(100));
    done.close();
    hog.recv();
    light.recv();
  });
  ASSERT_TRUE(r.ok()) << r.output;
  const int64_t h = hog_count.load();
  const int64_t l = light_count.load();
  constexpr int64_t kFactor = 20;
  EXPECT_FALSE(h / kFactor > l || l / kFactor > h)
      << "want hog/light in [1/20, 20]; got " << h << "/" << l << " (async preemptions " << r.async_preemptions << ")";
}

// ---- register torture -----------------------------------------------------

struct TortureTotals {
  std::atomic<uint64_t> rounds{0};
  std::atomic<uint64_t> words_checked{0};
  std::atomic<bool> stop{false};
};

// One goroutine of the torture: round after round, random registers through
// the probe, each round checked. Returns the first mismatch.
std::string torture_rounds(uint64_t seed, int level, TortureTotals* totals) {
  const std::vector<gort::arch_image::Word> words = gort::arch_image::compared_words(level);
  std::vector<uint64_t> in(GORT_ARCH_ASYNC_WORDS), out(GORT_ARCH_ASYNC_WORDS);
  uint64_t rng = seed;
  for (int round = 0; !totals->stop.load(std::memory_order_relaxed); round++) {
    gort::arch_image::random_image(in.data(), rng, round);
    gort_arch_probe_async_regs(in.data(), out.data(), level);
    std::string diff = gort::arch_image::compare(words, level, in.data(), out.data());
    if (!diff.empty()) return diff;
    totals->rounds.fetch_add(1, std::memory_order_relaxed);
    totals->words_checked.fetch_add(words.size(), std::memory_order_relaxed);
  }
  return "";
}

// Several goroutines per P, each with its own random registers, preempted
// thousands of times a second by the injector: every register bit the
// contract names must survive every preemption. Two goroutines share each
// P, so a register a preemption forgets to restore holds the other's
// value, not by luck its own.
void register_torture(uint32_t procs, int level) {
  TortureTotals totals;
  std::string failure;
  gort::Config cfg = os_config(procs);
  cfg.async_preempt_every_ns = 100'000;  // the injector: up to 10,000 a second
  const auto started = std::chrono::steady_clock::now();
  gort::Result r = gort::run(cfg, [&] {
    const uint32_t n = 2 * procs;
    gort::WaitGroup wg;
    gort::Mutex mu;
    wg.add(static_cast<int>(n));
    for (uint32_t i = 0; i < n; i++) {
      gort::go([&, i] {
        std::string diff = torture_rounds(i + 1, level, &totals);
        if (!diff.empty()) {
          mu.lock();
          if (failure.empty()) failure = "goroutine " + std::to_string(i) + ": " + diff;
          mu.unlock();
          totals.stop = true;
        }
        wg.done();
      });
    }
    gort::sleep(std::chrono::milliseconds(400));
    totals.stop = true;
    wg.wait();
  });
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_TRUE(r.ok()) << r.output;
  EXPECT_EQ(failure, "") << "procs " << procs << " level " << level << ": a register changed across "
                         << r.async_preemptions << " async preemptions";
  // Not a speed target: proof that the torture preempted at all (the
  // injector asks every 100 us; a handful of preemptions is the least any
  // machine manages in 400 ms).
  EXPECT_GE(r.async_preemptions, 10u) << "procs " << procs << ": too few preemptions to mean anything";
  std::printf("[ torture  ] procs %u level %d: %" PRIu64 " async preemptions in %.2f s (%.0f/s), %" PRIu64
              " rounds, %" PRIu64 " register words checked, %" PRIu64 " signals at no safe point\n",
              procs, level, r.async_preemptions, secs, static_cast<double>(r.async_preemptions) / secs,
              totals.rounds.load(), totals.words_checked.load(), r.async_preempt_declined);
}

TEST(AsyncPreempt, RegisterTortureEveryBitSurvives) {
  REQUIRE_ASYNC_PREEMPT();
  const int top = gort_arch_async_vector_level();
  for (int level = 0; level <= top; level++) register_torture(1, level);
  register_torture(2, top);
}

// Preemption never lands in the runtime, libc or while a runtime lock is
// held: preemptible code that keeps calling into the runtime (channel
// operations, a mutex) is signalled thousands of times a second; every
// preemption is re-checked where it lands (gort_rt_async_preempted ends
// the run on an unsafe one), and the signals that arrive inside the
// runtime are declined.
GORT_PREEMPTIBLE void send_and_spin(gort::Chan<int> c, int n, gort::Mutex* mu, std::atomic<int64_t>* shared) {
  for (int i = 0; i < n; i++) {
    mu->lock();
    shared->fetch_add(1, std::memory_order_relaxed);
    mu->unlock();
    c.send(i);
    for (int k = 0; k < 2000; k++) shared->fetch_add(1, std::memory_order_relaxed);
  }
}

TEST(AsyncPreempt, NeverInsideTheRuntimeOrHoldingALock) {
  REQUIRE_ASYNC_PREEMPT();
  for (uint32_t procs : {1u, 2u}) {
    std::atomic<int64_t> shared{0};
    int64_t received = 0;
    gort::Config cfg = os_config(procs);
    cfg.async_preempt_every_ns = 50'000;
    gort::Result r = gort::run(cfg, [&] {
      gort::Chan<int> c = gort::make_chan<int>(4);
      gort::Mutex mu;
      constexpr int kSenders = 3;
      constexpr int kEach = 4000;
      for (int s = 0; s < kSenders; s++) gort::go([&, c] { send_and_spin(c, kEach, &mu, &shared); });
      for (int i = 0; i < kSenders * kEach; i++) received += c.recv() >= 0 ? 1 : 0;
    });
    ASSERT_TRUE(r.ok()) << "procs " << procs << ": " << r.output;
    EXPECT_EQ(received, 3 * 4000);
    EXPECT_GE(r.async_preemptions, 1u) << "procs " << procs;
    std::printf("[ safety   ] procs %u: %" PRIu64 " async preemptions, %" PRIu64 " signals declined at no safe point\n",
                procs, r.async_preemptions, r.async_preempt_declined);
  }
}

// ---- FP control policies ----------------------------------------------------

// kPerGoroutine: a goroutine's rounding mode is its own across switches;
// kPerThread (Go's): it is the thread's, and whoever runs next on the M
// sees what the last one set.
TEST(FpControl, PerGoroutineKeepsItPerThreadSharesIt) {
  const uint64_t dflt = gort_arch_fp_control_default();
  const uint64_t alt = gort_arch_fp_control_alternate();
  for (auto policy : {gort::Config::FpControl::kPerGoroutine, gort::Config::FpControl::kPerThread}) {
    const bool shared = policy == gort::Config::FpControl::kPerThread;
    gort::Config cfg = os_config(1);
    cfg.fp_control = policy;
    cfg.sysmon = false;
    uint64_t seen_by_main = 0;
    uint64_t child_after = 0;
    gort::Result r = gort::run(cfg, [&] {
      gort::Chan<int> handoff = gort::make_chan<int>();
      gort::go([&, handoff] {
        gort_arch_fp_control_set(alt);
        handoff.send(1);  // main runs next on this M
        handoff.send(2);
        child_after = gort_arch_fp_control_get();
      });
      handoff.recv();
      seen_by_main = gort_arch_fp_control_get();
      gort_arch_fp_control_set(dflt);
      handoff.recv();
      gort::gosched();  // the child finishes
    });
    ASSERT_TRUE(r.ok()) << r.output;
    EXPECT_EQ(gort_arch_fp_control_get(), dflt) << "the caller's thread got a goroutine's rounding mode";
    if (shared) {
      EXPECT_EQ(seen_by_main, alt) << "per thread: main did not see the mode the child set";
      EXPECT_EQ(child_after, dflt) << "per thread: the child did not see the mode main set";
    } else {
      EXPECT_EQ(seen_by_main, dflt) << "per goroutine: main saw the child's mode";
      EXPECT_EQ(child_after, alt) << "per goroutine: the child lost its own mode";
    }
  }
}

}  // namespace
