// Several Ms to the end of a run: whatever ends it (main returning, a
// fatal error or a panic on any M, a deadlock), every M stops, the world
// is torn down and the next run starts clean; sysmon preempts a goroutine
// that keeps its M. Written for os builds, where the Ms are OS threads;
// they hold in sim too, on virtual Ms.
#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "context.h"
#include "gort/gort.h"
#include "proc.h"
#include "test_support.h"

namespace gort::rt {
namespace {

Config at_procs(uint32_t procs) {
  Config cfg;
  cfg.procs = procs;
  // A run that never ends fails instead of hanging the suite. Generous: a
  // goroutine spinning at yield points takes about a step a nanosecond,
  // and in os it yields only when sysmon asks, every 10 ms.
  cfg.max_steps = 4'000'000'000;
  return cfg;
}

// The process's threads (os: /proc/self/task).
int thread_count() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
  }
  return n;
}

// The thread count once the threads that have just been joined are gone.
// pthread_join returns when the kernel clears the thread's tid, a moment
// before the task leaves /proc/self/task (under qemu-user, a longer
// moment), so a joined thread may still be counted: wait until the count
// is down to `at_most`, for at most 5 s, and return what it is then. A
// thread that was never joined never leaves, so a leak still shows.
int settled_thread_count(int at_most) {
  int n = thread_count();
  for (int waited_ms = 0; n > at_most && waited_ms < 5000; waited_ms++) {
    usleep(1000);
    n = thread_count();
  }
  return n;
}

// 1 KiB a frame, never inlined: deep enough, it runs into the guard page.
[[gnu::noinline]] int deep(int n) {
  volatile char frame[1024];
  frame[0] = static_cast<char>(n);
  return n == 0 ? frame[0] : deep(n - 1) + frame[0];
}

TEST(Threads, MainReturningStopsEveryMWhateverItIsDoing) {
  for (uint32_t procs : {2u, 4u}) {
    std::atomic<int> started{0};
    Result r = run(at_procs(procs), [&] {
      Chan<int> never = make_chan<int>();
      for (int i = 0; i < 8; i++) {
        go([&started, never, i] {
          started.fetch_add(1);
          if (i % 2 == 0) never.recv();  // parked for ever
          for (;;) gort::yield_point();  // runnable for ever
        });
      }
      while (started.load() < 8) gosched();
    });
    EXPECT_EQ(r.exit_status, 0) << "procs " << procs << ": " << r.output;
    EXPECT_EQ(r.procs, procs);
    EXPECT_GE(r.ms, 2u) << "procs " << procs << ": the spinners never got an M of their own";
  }
}

TEST(Threads, RunsBackToBackLeaveNoThreadBehind) {
  // At most: a thread of an earlier test may be on its way out, too.
  const int before = thread_count();
  for (int i = 0; i < 100; i++) {
    Result r = run(at_procs(4), [] {
      Chan<int> done = make_chan<int>(4);
      for (int k = 0; k < 4; k++) {
        go([done] {
          for (int j = 0; j < 10; j++) gosched();
          done.send(1);
        });
      }
      for (int k = 0; k < 4; k++) done.recv();
    });
    ASSERT_EQ(r.exit_status, 0) << r.output;
  }
  // 100 runs at 4 Ps start at least 100 threads: one left per run would
  // leave 100 more.
  EXPECT_LE(settled_thread_count(before), before) << "a run left threads running";
}

TEST(Threads, AFatalErrorOnAnotherMDumpsEveryGoroutineAndEndsTheRun) {
  Config cfg = at_procs(2);
  cfg.stack_size = 64 * 1024;
  for (int attempt = 0; attempt < 5; attempt++) {
    std::atomic<uint64_t> spinner{0};
    Result r = run(cfg, [&] {
      go([&spinner] {
        spinner.store(goid());
        for (;;) gort::yield_point();
      });
      while (spinner.load() == 0) gosched();
      go([] { deep(1 << 20); });
      Chan<int> never = make_chan<int>();
      never.recv();
    });
    ASSERT_EQ(r.exit_status, 2) << r.output;
    EXPECT_EQ(r.fatal_error, "stack overflow") << r.output;
    // Go's dump: the failing goroutine first, then every other one once:
    // main (parked, or not yet), the spinner (running on the other M, or
    // preempted there).
    EXPECT_NE(r.output.find("\ngoroutine 1 ["), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("\ngoroutine 1 ["), r.output.rfind("\ngoroutine 1 [")) << r.output;
    const std::string spinner_header = "goroutine " + std::to_string(spinner.load()) + " [";
    EXPECT_NE(r.output.find(spinner_header), std::string::npos) << r.output;
  }
}

TEST(Threads, APanicOnAnotherMEndsTheRunWithGosOutput) {
  for (uint32_t procs : {2u, 4u}) {
    Result r = run(at_procs(procs), [] {
      Chan<int> never = make_chan<int>();
      for (int i = 0; i < 4; i++) {
        go([i] {
          for (int j = 0; j < 100; j++) gosched();
          if (i == 3) gort::panic("boom on another M");
          for (;;) gort::yield_point();
        });
      }
      never.recv();
    });
    EXPECT_EQ(r.exit_status, 2) << r.output;
    EXPECT_EQ(r.panic, "boom on another M") << r.output;
    EXPECT_EQ(r.output.rfind("panic: boom on another M\n", 0), 0u) << r.output;
  }
}

TEST(Threads, TwoPanicsAtOnceReportOne) {
  // Every goroutine panics at once, on every M: the first to claim the
  // run's end reports; the others stop where they are (Go's second panic
  // waits for the first to exit the process).
  for (int attempt = 0; attempt < 20; attempt++) {
    Result r = run(at_procs(4), [] {
      std::atomic<int> go_now{0};
      for (int i = 0; i < 4; i++) {
        go([&go_now, i] {
          go_now.fetch_add(1);
          while (go_now.load() < 5) gort::yield_point();
          gort::panic(std::string("panic ") + std::to_string(i));
        });
      }
      go_now.fetch_add(1);
      Chan<int> never = make_chan<int>();
      never.recv();
    });
    ASSERT_EQ(r.exit_status, 2) << r.output;
    ASSERT_EQ(r.output.find("panic: "), r.output.rfind("panic: ")) << "two reports in one output:\n" << r.output;
    EXPECT_EQ(r.output.rfind("panic: " + r.panic + "\n", 0), 0u) << r.output;
  }
}

TEST(Threads, SysmonPreemptsAGoroutineThatNeverBlocksOnOneP) {
  // One P, and main spins at yield points until another goroutine runs:
  // only preemption lets it (sysmon's request in os, the chooser in sim).
  Config cfg = at_procs(1);
  std::atomic<bool> ran{false};
  Result r = run(cfg, [&] {
    go([&ran] { ran.store(true); });
    while (!ran.load()) gort::yield_point();
  });
  EXPECT_EQ(r.exit_status, 0) << r.output;
  EXPECT_TRUE(ran.load());
}

TEST(Threads, DeadlockOnEveryMIsGosVerdict) {
  for (uint32_t procs : {2u, 4u}) {
    Result r = run(at_procs(procs), [] {
      Chan<int> never = make_chan<int>();
      for (int i = 0; i < 6; i++) go([never] { never.recv(); });
      never.recv();
    });
    EXPECT_EQ(r.exit_status, 2) << r.output;
    EXPECT_EQ(r.fatal_error, "all goroutines are asleep - deadlock!") << r.output;
    // Every goroutine, parked (goids come from per-P batches: not 1..7).
    int parked = 0;
    for (size_t at = r.output.find("[chan receive]:"); at != std::string::npos;
         at = r.output.find("[chan receive]:", at + 1)) {
      parked++;
    }
    EXPECT_EQ(parked, 7) << r.output;
  }
}

// The runtime's lock on threads (Go's lock_futex.go): spinning, then
// sleeping on the futex, it still lets one thread in at a time. Four
// threads on this machine's CPUs contend hard enough to take every path:
// the fast exchange, the spin that sees the key free, and the futex sleep
// that the unlocker must wake (a lost wake-up hangs here, and the test
// times out in ctest).
TEST(Threads, ARuntimeLockLetsOneThreadInAtATimeUnderContention) {
#if defined(GORT_PLATFORM_SIM)
  GTEST_SKIP() << "sim: a platform::Lock is taken by virtual Ms only; the os build tests real threads";
#else
  constexpr int kThreads = 4;
  constexpr int kRounds = 200'000;
  platform::Lock lock{platform::LockRank::kHchan};
  int64_t counter = 0;  // plain: only the lock keeps the increments whole
  int inside = 0;
  std::atomic<int> overlaps{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&]() GORT_NO_THREAD_SAFETY_ANALYSIS {
      for (int i = 0; i < kRounds; i++) {
        lock.lock();
        if (++inside != 1) overlaps.fetch_add(1);
        counter = counter + 1;
        inside--;
        lock.unlock();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(counter, int64_t{kThreads} * kRounds);
  EXPECT_FALSE(lock.held());
#endif
}

}  // namespace
}  // namespace gort::rt
