// Ports of Go 1.19's sync tests (src/sync/mutex_test.go, rwmutex_test.go,
// waitgroup_test.go, once_test.go, cond_test.go) and of
// src/runtime/sema_test.go, against gort/sync.h and the runtime's
// semaphores (gort/sema.h). Named after the Go tests.
//
// Where Go sleeps or races to mean "the other goroutine is parked by now",
// these ask the runtime (spec::wait_blocked: Go 1.19's wait reasons are
// "semacquire" for Mutex.Lock, RWMutex and WaitGroup.Wait, and
// "sync.Cond.Wait" for Cond.Wait), which turns several of Go's racy checks
// ("not asleep", "released too soon") into exact ones. Where Go's
// iteration counts would make the sim runs slow, the sim runs fewer and
// each test says so. A goroutine reports a broken contract with
// spec::require (a panic that ends the run), except under a recovering
// deferred call, where Go's *testing.T (spec::T) records it instead.
// None of these needs Ms that really run at once (every wait blocks or
// yields), so all of them run in sim too.
//
// Every program waits for its goroutines to exit before its frame, which
// they reference, goes away (spec::wait_only_main): a run's end does not
// unwind an abandoned goroutine.
#include "gort/sync.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gort/gort.h"
#include "gort/sema.h"
#include "spec_defer.h"
#include "spec_run.h"

namespace {

using gort::Chan;
using gort::Frame;
using gort::make_chan;
using gort::PanicValue;
using gort::recv_case;
using spec::is;
using spec::require;
using spec::show;
using spec::str;
using spec::T;

using namespace std::chrono_literals;

// ThreadSanitizer builds (spec::kTsan): the os runs of the tests that
// start thousands of goroutines do a tenth of Go's rounds (os_rounds).
constexpr int kTsanDivisor = spec::kTsan ? 10 : 1;
constexpr int os_rounds(int go_rounds) { return go_rounds / kTsanDivisor; }

// Go's own scheduling policy for every decision (option 0 of each Choice,
// no faults): a sim run that pins what Go's scheduler does, where the
// default chooser's random schedules pin only what every schedule must do.
class GoPolicy final : public gort::Chooser {
 public:
  uint32_t choose(gort::Choice, uint32_t) override { return 0; }
  bool fire(gort::FaultSite) override { return false; }
  uint32_t armed_faults() const override { return 0; }
  bool listens() const override { return false; }
};

// One run of program at GOMAXPROCS procs (Go's tests that set their own),
// with the runner's stack pool and mutant.
template <class F>
spec::Run run_at(uint32_t procs, uint64_t seed, const F& program, gort::Chooser* chooser = nullptr) {
  gort::Config cfg;
  cfg.seed = seed;
  cfg.procs = procs;
  cfg.stack_pool = &spec::stack_pool();
  cfg.mutant = gort::mutant_from_environment();
  cfg.chooser = chooser;
  std::string label = chooser != nullptr ? str("sim procs ", procs, " Go's policy")
                      : spec::kSim       ? str("sim procs ", procs, " seed ", seed)
                                         : str("os procs ", procs);
  return spec::Run{std::move(label), gort::run(cfg, program)};
}

void expect_run_ok(const spec::Run& run) {
  EXPECT_EQ(run.result.exit_status, 0) << spec::describe(run);
  EXPECT_EQ(run.result.panic, "") << spec::describe(run);
  EXPECT_EQ(run.result.fatal_error, "") << spec::describe(run);
}

// Runs program at procs only: under seeds 1..seeds in sim (once in os).
template <class F>
void expect_ok_at(uint32_t procs, const F& program, int seeds = spec::kSeeds) {
  for (int seed = 1; seed <= (spec::kSim ? seeds : 1); seed++) expect_run_ok(run_at(procs, seed, program));
}

// In sim, one more run at one P under Go's policy (os runs follow it
// already).
template <class F>
void expect_ok_go_policy(const F& program) {
  if (!spec::kSim) return;
  GoPolicy go_policy;
  expect_run_ok(run_at(1, 1, program, &go_policy));
}

// ---- runtime/sema_test.go ------------------------------------------------

// Go's testSemaHandoff, one iteration: a waiter W parks in semacquire;
// main releases with hand-off while `busy` goroutines (one per P) keep
// the Ps busy (so main cannot just migrate and win), and both then race a
// CAS on res.
// Returns whether W's CAS came first (a direct hand-off). Beyond Go's
// statistic, main then tries to take the semaphore itself: the hand-off
// gave the count to W before semrelease returned, so main (a barging
// goroutine) must find it taken and wait until W has had it -- exact on
// every schedule, where the CAS race is only likely.
bool sema_handoff_once(int busy) {
  uint32_t sema = 0;
  std::atomic<uint32_t> res{0};
  std::atomic<bool> waiter_had_it{false};
  Chan<bool> done = make_chan<bool>();
  gort::WaitGroup wg;
  for (int i = 0; i < busy; i++) {
    wg.add(1);
    gort::go([&] {
      // Bounded, so that a lost wake-up fails the run instead of spinning
      // on forever.
      for (long k = 0; !done.try_recv().ready; k++) {
        require(k < spec::kMaxYields, "the woken waiter never finished");
        gort::gosched();
      }
      wg.done();
    });
  }
  wg.add(1);
  const uint64_t w = spec::go_id([&] {
    gort::detail::semacquire(&sema, /*lifo=*/false);
    waiter_had_it = true;
    uint32_t zero = 0;
    res.compare_exchange_strong(zero, 1);
    gort::detail::semrelease(&sema, /*handoff=*/true);
    done.close();
    wg.done();
  });
  spec::wait_blocked(w, "semacquire");  // Go: for SemNwait(&sema) == 0 { Gosched() }

  // The crux: release with hand-off, then CAS at once, here and in W.
  gort::detail::semrelease(&sema, /*handoff=*/true);
  uint32_t zero = 0;
  res.compare_exchange_strong(zero, 2);
  // Barge: without the hand-off the count would still be 1 here (at one P W
  // has not run yet) and main would take it first.
  gort::detail::semacquire(&sema, /*lifo=*/false);
  require(waiter_had_it.load(), "semrelease with hand-off: the releaser took the semaphore before the woken waiter");

  wg.wait();
  spec::wait_only_main();
  return res.load() == 1;
}

// Go's TestSemaHandoff loop: iters hand-offs; direct ones counted.
// min_direct_per_mille: how many in a thousand must be direct (Go: 2/3);
// 0: none need be.
void sema_handoff_program(int busy, int iters, int min_direct_per_mille) {
  int ok = 0;
  for (int i = 0; i < iters; i++) {
    if (sema_handoff_once(busy)) ok++;
  }
  require(ok * 1000 >= iters * min_direct_per_mille, str("direct handoff ", ok, " of ", iters));
}

// Go 10000 hand-offs (os too, but for TSan); the sim runs 200. In sim
// the default chooser picks among the runnable Gs at random, not as Go's
// scheduler does, so Go's 2/3 statistic (a property of Go's policy) is
// checked in os only; in sim every schedule checks the barging rule, and
// a run under Go's own policy at one P checks that every hand-off is
// direct: the waiter runs next.
constexpr int kHandoffItersOs = os_rounds(10000);
constexpr int kHandoffItersSim = 200;
constexpr int kGoTwoThirds = 667;

// Ports TestSemaHandoff (src/runtime/sema_test.go): semrelease with
// hand-off gives the semaphore to the first waiter, which runs before the
// releaser goes on (in at least two thirds of the tries, Go's measure, at
// the default GOMAXPROCS: here each of spec::kProcs).
TEST(SemaTest, TestSemaHandoff) {
  for (uint32_t procs : spec::kProcs) {
    const int busy = static_cast<int>(procs);
    expect_ok_at(
        procs,
        [busy] {
          sema_handoff_program(busy, spec::kSim ? kHandoffItersSim : kHandoffItersOs, spec::kSim ? 0 : kGoTwoThirds);
        },
        spec::seeds_at(procs, spec::kSeeds));
  }
}

// Ports TestSemaHandoff1 (src/runtime/sema_test.go): the same at
// GOMAXPROCS 1, where Go's policy makes every hand-off direct (the woken
// waiter is in runnext, the releaser yields to the tail of the queue).
TEST(SemaTest, TestSemaHandoff1) {
  expect_ok_at(1, [] {
    sema_handoff_program(1, spec::kSim ? kHandoffItersSim : kHandoffItersOs, spec::kSim ? 0 : kGoTwoThirds);
  });
  expect_ok_go_policy([] { sema_handoff_program(1, kHandoffItersSim, 1000); });
}

// Ports TestSemaHandoff2 (src/runtime/sema_test.go): the same at
// GOMAXPROCS 2, where another M could run the releaser while the waiter
// waits for its turn.
TEST(SemaTest, TestSemaHandoff2) {
  expect_ok_at(2, [] {
    sema_handoff_program(2, spec::kSim ? kHandoffItersSim : kHandoffItersOs, spec::kSim ? 0 : kGoTwoThirds);
  });
}

// ---- sync/mutex_test.go --------------------------------------------------

// Ports TestSemaphore (src/sync/mutex_test.go, HammerSemaphore): ten
// goroutines acquire and release a semaphore of count 1 in a loop; all
// finish (no lost wake-up). Beyond Go's test: a count of 1 admits one
// goroutine at a time (the count is taken atomically). 1000 loops each, as
// Go.
TEST(MutexTest, TestSemaphore) {
  spec::expect_ok([] {
    uint32_t s = 1;
    int inside = 0;
    constexpr int loops = 1000;
    Chan<bool> c = make_chan<bool>();
    for (int i = 0; i < 10; i++) {
      gort::go([&] {
        for (int j = 0; j < loops; j++) {
          gort::detail::semacquire(&s, /*lifo=*/false);
          require(++inside == 1, "two goroutines hold a semaphore of count 1");
          gort::yield_point();
          inside--;
          gort::detail::semrelease(&s, /*handoff=*/false);
        }
        c.send(true);
      });
    }
    for (int i = 0; i < 10; i++) c.recv();
    spec::wait_only_main();
  });
}

// Ports TestMutex (src/sync/mutex_test.go): TryLock fails on a locked
// Mutex and succeeds on an unlocked one; then ten goroutines hammer it
// (HammerMutex: every third try is a TryLock) and the critical sections
// never overlap, nor is an increment made inside one lost. 1000 loops
// each, as Go.
void mutex_program() {
  gort::Mutex m;
  m.lock();
  require(!m.try_lock(), "TryLock succeeded with mutex locked");
  m.unlock();
  require(m.try_lock(), "TryLock failed with mutex unlocked");
  m.unlock();

  gort::WaitGroup wg;
  int inside = 0;
  int total = 0;                // under m
  std::atomic<int> entered{0};  // each goroutine's own count, added at its end
  constexpr int kGoroutines = 10;
  constexpr int kIters = 1000;
  wg.add(kGoroutines);
  for (int i = 0; i < kGoroutines; i++) {
    gort::go([&] {
      int mine = 0;
      for (int j = 0; j < kIters; j++) {
        if (j % 3 == 0) {
          if (!m.try_lock()) continue;
        } else {
          m.lock();
        }
        require(++inside == 1, "two goroutines inside the mutex");
        gort::yield_point();
        total++;
        inside--;
        m.unlock();
        mine++;
      }
      entered += mine;
      wg.done();
    });
  }
  wg.wait();
  require(total == entered.load(), str("total ", total, ", but the goroutines entered ", entered.load(), " times"));
  require(total >= kGoroutines * (kIters - (kIters + 2) / 3), str("total ", total, ": a Lock did not lock"));
  spec::wait_only_main();
}

TEST(MutexTest, TestMutex) { spec::expect_ok(mutex_program); }

// Go's misuseTests (src/sync/mutex_test.go): each unlocks what is not
// locked (as it is locked), and the fatal error Go reports.
struct Misuse {
  const char* name;
  void (*f)();
  const char* fatal;
};

constexpr const char* kMutexMsg = "sync: unlock of unlocked mutex";
constexpr const char* kRWUnlockMsg = "sync: Unlock of unlocked RWMutex";
constexpr const char* kRWRUnlockMsg = "sync: RUnlock of unlocked RWMutex";

const Misuse kMisuses[] = {
    {"Mutex.Unlock",
     [] {
       gort::Mutex mu;
       mu.unlock();
     },
     kMutexMsg},
    {"Mutex.Unlock2",
     [] {
       gort::Mutex mu;
       mu.lock();
       mu.unlock();
       mu.unlock();
     },
     kMutexMsg},
    {"RWMutex.Unlock",
     [] {
       gort::RWMutex mu;
       mu.unlock();
     },
     kRWUnlockMsg},
    {"RWMutex.Unlock2",
     [] {
       gort::RWMutex mu;
       mu.rlock();
       mu.unlock();
     },
     kRWUnlockMsg},
    {"RWMutex.Unlock3",
     [] {
       gort::RWMutex mu;
       mu.lock();
       mu.unlock();
       mu.unlock();
     },
     kRWUnlockMsg},
    {"RWMutex.RUnlock",
     [] {
       gort::RWMutex mu;
       mu.runlock();
     },
     kRWRUnlockMsg},
    {"RWMutex.RUnlock2",
     [] {
       gort::RWMutex mu;
       mu.lock();
       mu.runlock();
     },
     kRWRUnlockMsg},
    {"RWMutex.RUnlock3",
     [] {
       gort::RWMutex mu;
       mu.rlock();
       mu.runlock();
       mu.runlock();
     },
     kRWRUnlockMsg},
};

// Ports TestMutexMisuse (src/sync/mutex_test.go): unlocking an unlocked
// Mutex or RWMutex (never locked, unlocked twice, or read-unlocked when
// write-locked and the reverse) is a fatal error with Go's message -- exit
// status 2 -- which a recover in a deferred call does not stop (Go runs
// each case under `defer func() { recover() }()` and expects the process
// to fail; here the deferred call recovers too, and the run must still end
// in the fatal error rather than return).
TEST(MutexTest, TestMutexMisuse) {
  for (const Misuse& test : kMisuses) {
    for (const spec::Run& run : spec::run_all([f = test.f] {
           gort::func([f](Frame& frame) {
             frame.defer([] { (void)gort::recover(); });
             f();
           });
         })) {
      EXPECT_EQ(run.result.exit_status, 2) << test.name << " " << spec::describe(run);
      EXPECT_EQ(run.result.fatal_error, test.fatal) << test.name << " " << spec::describe(run);
      EXPECT_EQ(run.result.panic, "") << test.name << " " << spec::describe(run);
      EXPECT_NE(run.result.output.find(str("fatal error: ", test.fatal)), std::string::npos)
          << test.name << " " << spec::describe(run);
    }
  }
}

// Ports TestMutexFairness (src/sync/mutex_test.go): a goroutine that
// holds the Mutex almost all the time (lock, sleep 100 us, unlock, lock
// again at once) cannot keep another out: it gets the lock 10 times within
// 10 s of the runtime's clock (virtual in sim). Starvation mode is what
// makes it so: a waiter that has waited over 1 ms gets the mutex handed
// over. The sim's random schedules often preempt the hog right after its
// unlock anyway; the run under Go's policy at one P never does, so there
// only starvation mode lets the other in.
void mutex_fairness_program() {
  gort::Mutex mu;
  Chan<bool> stop = make_chan<bool>();
  Chan<bool> hog_exited = make_chan<bool>();
  gort::go([&] {
    for (;;) {
      mu.lock();
      gort::sleep(100us);
      mu.unlock();
      if (stop.try_recv().ready) break;
    }
    hog_exited.send(true);
  });
  Chan<bool> done = make_chan<bool>(1);
  gort::go([&] {
    for (int i = 0; i < 10; i++) {
      gort::sleep(100us);
      mu.lock();
      mu.unlock();
    }
    done.send(true);
  });
  bool got = false;
  int64_t when = 0;
  Chan<int64_t> timeout = gort::after(10s);
  const int64_t start = gort::nanotime();
  const int which = gort::select({recv_case(done, got), recv_case(timeout, when)});
  require(which == 0, str("can't acquire Mutex in 10 seconds (", (gort::nanotime() - start) / 1000000, " ms)"));
  stop.close();
  hog_exited.recv();
  spec::wait_only_main();
}

TEST(MutexTest, TestMutexFairness) {
  spec::expect_ok(mutex_fairness_program);
  expect_ok_go_policy(mutex_fairness_program);
}

// ---- sync/rwmutex_test.go ------------------------------------------------

// Go's doTestParallelReaders: numReaders goroutines all hold the read lock
// at once (each reports it holds it, and none lets go until all have):
// with readers excluding each other it deadlocks.
void parallel_readers(int num_readers) {
  gort::RWMutex m;
  Chan<bool> clocked = make_chan<bool>();
  Chan<bool> cunlock = make_chan<bool>();
  Chan<bool> cdone = make_chan<bool>();
  for (int i = 0; i < num_readers; i++) {
    gort::go([&] {
      m.rlock();
      clocked.send(true);
      cunlock.recv();
      m.runlock();
      cdone.send(true);
    });
  }
  for (int i = 0; i < num_readers; i++) clocked.recv();
  for (int i = 0; i < num_readers; i++) cunlock.send(true);
  for (int i = 0; i < num_readers; i++) cdone.recv();
  spec::wait_only_main();
}

// Ports TestParallelReaders (src/sync/rwmutex_test.go): 1, 3 and 4 readers
// hold an RWMutex's read lock together. Go sets GOMAXPROCS 4, 4 and 2 for
// them; here every run does all three at each of spec::kProcs.
TEST(RWMutexTest, TestParallelReaders) {
  spec::expect_ok([] {
    parallel_readers(1);
    parallel_readers(3);
    parallel_readers(4);
  });
}

// Go's HammerRWMutex: two writers and numReaders readers take the lock
// iters times each; activity counts the readers inside plus 10000 per
// writer inside. A writer must be alone (10000), a reader among readers
// only (1..9999). Go's empty busy loop in the critical section is a yield
// point here, where the sim may switch.
void hammer_rwmutex(int num_readers, int iters) {
  gort::Atomic<int32_t> activity;
  gort::RWMutex rwm;
  Chan<bool> cdone = make_chan<bool>();
  auto writer = [&] {
    for (int i = 0; i < iters; i++) {
      rwm.lock();
      const int32_t n = activity.add(10000);
      require(n == 10000, str("wlock(", n, "): a writer is not alone"));
      gort::yield_point();
      activity.add(-10000);
      rwm.unlock();
    }
    cdone.send(true);
  };
  auto reader = [&] {
    for (int i = 0; i < iters; i++) {
      rwm.rlock();
      const int32_t n = activity.add(1);
      require(n >= 1 && n < 10000, str("rlock(", n, "): a reader is in with a writer"));
      gort::yield_point();
      activity.add(-1);
      rwm.runlock();
    }
    cdone.send(true);
  };
  gort::go(writer);
  int i = 0;
  for (; i < num_readers / 2; i++) gort::go(reader);
  gort::go(writer);
  for (; i < num_readers; i++) gort::go(reader);
  for (int j = 0; j < 2 + num_readers; j++) cdone.recv();
  spec::wait_only_main();
}

// Ports TestRWMutex (src/sync/rwmutex_test.go): TryLock and TryRLock fail
// on a write-locked RWMutex; TryLock succeeds on an unlocked one and fails
// on a read-locked one, where TryRLock succeeds (twice); then writers and
// readers hammer it and never meet. Go hammers 1000 times each (5 with
// -short) with 1, 3, 10 and 5 readers at GOMAXPROCS 1, 4 and 10; here each
// run hammers with 1, 3, 10 and 5 readers at its own procs (spec::kProcs,
// and 10 in os), 1000 times in os (but for TSan) and 100 in sim.
TEST(RWMutexTest, TestRWMutex) {
  spec::expect_ok(
      [] {
        gort::RWMutex m;
        m.lock();
        require(!m.try_lock(), "TryLock succeeded with mutex locked");
        require(!m.try_rlock(), "TryRLock succeeded with mutex locked");
        m.unlock();

        require(m.try_lock(), "TryLock failed with mutex unlocked");
        m.unlock();

        require(m.try_rlock(), "TryRLock failed with mutex unlocked");
        require(m.try_rlock(), "TryRLock failed with mutex rlocked");
        require(!m.try_lock(), "TryLock succeeded with mutex rlocked");
        m.runlock();
        m.runlock();

        const int n = spec::kSim ? 100 : os_rounds(1000);
        for (int readers : {1, 3, 10, 5}) hammer_rwmutex(readers, n);
      },
      {.os_extra_procs = 10});
}

// Ports TestRLocker (src/sync/rwmutex_test.go): RLocker's lock read-locks
// (a goroutine holding it twice keeps a writer out until both are
// released) and respects the write lock (a reader waits while the writer
// holds it). Go checks with a select that whatever should wait has not
// got there yet; here main first waits until the goroutine is parked
// (wait reason "semacquire"), so a lock that let it through would have
// been seen.
TEST(RWMutexTest, TestRLocker) {
  spec::expect_ok([] {
    gort::RWMutex wl;
    gort::Locker& rl = wl.rlocker();
    Chan<bool> wlocked = make_chan<bool>(1);
    Chan<bool> rlocked = make_chan<bool>(1);
    constexpr int n = 10;
    const uint64_t g = spec::go_id([&] {
      for (int i = 0; i < n; i++) {
        rl.lock();
        rl.lock();
        rlocked.send(true);
        wl.lock();
        wlocked.send(true);
      }
    });
    for (int i = 0; i < n; i++) {
      rlocked.recv();
      rl.unlock();
      spec::wait_blocked(g, "semacquire");  // in wl.lock(), one read lock still held
      require(!wlocked.try_recv().ready, "RLocker() didn't read-lock it");
      rl.unlock();
      wlocked.recv();
      if (i + 1 < n) spec::wait_blocked(g, "semacquire");  // in rl.lock(), the write lock held
      require(!rlocked.try_recv().ready, "RLocker() didn't respect the write lock");
      wl.unlock();
    }
    spec::wait_only_main();
  });
}

// ---- sync/waitgroup_test.go ----------------------------------------------

// Go's testWaitGroup: n goroutines each call wg1.Done and then wait on
// wg2; main waits on wg1, then calls wg2.Done n times: nobody may leave
// wg2.Wait before the last Done, and all must leave after it. Go checks
// with a select on `exited` before each Done; here main first waits until
// all n are parked in wg2.Wait and then checks, before each Done, that
// every one of them is still parked there.
void wait_group_round(gort::WaitGroup& wg1, gort::WaitGroup& wg2) {
  constexpr int n = 16;
  wg1.add(n);
  wg2.add(n);
  Chan<bool> exited = make_chan<bool>(n);
  std::vector<uint64_t> ids;
  for (int i = 0; i != n; i++) {
    ids.push_back(spec::go_id([&] {
      wg1.done();
      wg2.wait();
      exited.send(true);
    }));
  }
  wg1.wait();
  for (uint64_t id : ids) spec::wait_blocked(id, "semacquire");
  for (int i = 0; i != n; i++) {
    require(!exited.try_recv().ready, "WaitGroup released group too soon");
    for (uint64_t id : ids) {
      require(gort::goroutine_state(id).waiting,
              str("WaitGroup released goroutine ", id, " after ", i, " of ", n, " Dones"));
    }
    wg2.done();
  }
  for (int i = 0; i != n; i++) exited.recv();  // blocks if the barrier fails to let someone go
  spec::wait_only_main();
}

// Ports TestWaitGroup (src/sync/waitgroup_test.go): a WaitGroup is a
// barrier, reusable once its Wait has returned (eight rounds on the same
// two).
TEST(WaitGroupTest, TestWaitGroup) {
  spec::expect_ok([] {
    gort::WaitGroup wg1;
    gort::WaitGroup wg2;
    for (int i = 0; i != 8; i++) wait_group_round(wg1, wg2);
  });
}

// Ports TestWaitGroupMisuse (src/sync/waitgroup_test.go): Done below zero
// panics with "sync: negative WaitGroup counter", an ordinary panic that a
// deferred call recovers; unrecovered, it ends the run as Go's process.
TEST(WaitGroupTest, TestWaitGroupMisuse) {
  spec::run_go_test([](T& t, Frame& f) {
    f.defer([&t] {
      const PanicValue err = gort::recover();
      if (!is(err, "sync: negative WaitGroup counter")) t.fatal(str("Unexpected panic: ", show(err)));
    });
    gort::WaitGroup wg;
    wg.add(1);
    wg.done();
    wg.done();
    t.fatal("Should panic");
  });
  spec::expect_panic(
      [] {
        gort::WaitGroup wg;
        wg.add(1);
        wg.done();
        wg.done();
      },
      "sync: negative WaitGroup counter");
}

// Ports TestWaitGroupRace (src/sync/waitgroup_test.go): Wait returns only
// after both goroutines' Done, so it sees both their increments (no
// spurious wake-up). 1000 rounds, as Go (but for TSan).
TEST(WaitGroupTest, TestWaitGroupRace) {
  spec::expect_ok([] {
    const int rounds = spec::kSim ? 1000 : os_rounds(1000);
    for (int i = 0; i < rounds; i++) {
      gort::WaitGroup wg;
      gort::Atomic<int32_t> n;
      wg.add(1);
      gort::go([&] {
        n.add(1);
        wg.done();
      });
      wg.add(1);
      gort::go([&] {
        n.add(1);
        wg.done();
      });
      wg.wait();
      require(n.load() == 2, "Spurious wakeup from Wait");
      spec::wait_only_main();  // both are done with wg and n before they go
    }
  });
}

// Ports TestWaitGroupAlign (src/sync/waitgroup_test.go): a WaitGroup
// placed after a byte in a struct works (Go's concern is the alignment of
// its 64-bit state on 32-bit platforms).
TEST(WaitGroupTest, TestWaitGroupAlign) {
  spec::expect_ok([] {
    struct X {
      char x;
      gort::WaitGroup wg;
    };
    X x;
    x.wg.add(1);
    gort::go([p = &x] { p->wg.done(); });
    x.wg.wait();
    spec::wait_only_main();
  });
}

// ---- sync/once_test.go ---------------------------------------------------

// Ports TestOnce (src/sync/once_test.go): ten goroutines call Do with an
// incrementing f; f runs once, and every call returns only after it has
// (each caller sees 1). Beyond Go's f, this one yields a few times, so that
// the other callers arrive while it runs.
TEST(OnceTest, TestOnce) {
  spec::expect_ok([] {
    int o = 0;
    gort::Once once;
    Chan<bool> c = make_chan<bool>();
    constexpr int N = 10;
    for (int i = 0; i < N; i++) {
      gort::go([&] {
        once.call([&] {
          for (int k = 0; k < 3; k++) gort::gosched();
          o++;
        });
        const int v = o;
        require(v == 1, str("once failed inside run: ", v, " is not 1"));
        c.send(true);
      });
    }
    for (int i = 0; i < N; i++) c.recv();
    require(o == 1, str("once failed outside run: ", o, " is not 1"));
    spec::wait_only_main();
  });
}

// Ports TestOncePanic (src/sync/once_test.go): a panicking f counts as
// done -- the panic goes on to Do's caller (recovered there, with f's
// value), and a second Do does not run its f. And, as in Go, f counts as
// done by the time the caller's deferred calls run: Do's own deferred
// calls (done = 1, m.Unlock) are newer on the goroutine's defer chain, so
// a Do from the recovering deferred call returns at once without running
// its f.
TEST(OnceTest, TestOncePanic) {
  spec::run_go_test([](T& t) {
    gort::Once once;
    gort::func([&](Frame& f) {
      f.defer([&t] {
        const PanicValue r = gort::recover();
        if (!r) t.fatal("Once.Do did not panic");
        if (r && !is(r, "failed")) t.fatal(str("Once.Do's panic is ", show(r), ", want failed"));
      });
      once.call([] { gort::panic("failed"); });
    });
    once.call([&t] { t.fatal("Once.Do called twice"); });
  });
  spec::run_go_test([](T& t) {
    gort::Once once;
    gort::func([&](Frame& f) {
      f.defer([&t, &once] {
        if (!gort::recover()) t.fatal("Once.Do did not panic");
        once.call([&t] { t.fatal("Once.Do called again from a deferred call of its panicking caller"); });
      });
      once.call([] { gort::panic("failed"); });
    });
  });
}

// ---- sync/cond_test.go ---------------------------------------------------

// Ports TestCondSignal (src/sync/cond_test.go): each Signal wakes exactly
// one of two waiters. Go checks with selects on `awake`; here main first
// waits until both are parked in Cond.Wait ("sync.Cond.Wait"), and after
// each wake-up checks that the other is still parked there. Beyond Go's
// test: the one woken is the one that has waited longest (gort/sync.h's
// contract, and Go's notify list's ticket order), which is the first to
// report running, since each reports while holding the lock that its Wait
// releases.
TEST(CondTest, TestCondSignal) {
  spec::expect_ok([] {
    gort::Mutex m;
    gort::Cond c(m);
    int n = 2;
    Chan<uint64_t> running = make_chan<uint64_t>(n);
    Chan<uint64_t> awake = make_chan<uint64_t>(n);
    for (int i = 0; i < n; i++) {
      gort::go([&] {
        m.lock();
        running.send(gort::goid());
        c.wait();
        awake.send(gort::goid());
        m.unlock();
      });
    }
    std::vector<uint64_t> waiting;                                  // oldest first
    for (int i = 0; i < n; i++) waiting.push_back(running.recv());  // wait for everyone to run
    for (uint64_t id : waiting) spec::wait_blocked(id, "sync.Cond.Wait");
    while (n > 0) {
      require(!awake.try_recv().ready, "goroutine not asleep");
      m.lock();
      c.signal();
      m.unlock();
      const uint64_t woken = awake.recv();  // deadlocks if no goroutine wakes up
      require(!awake.try_recv().ready, "too many goroutines awake");
      require(woken == waiting.front(),
              str("Signal woke goroutine ", woken, ", not goroutine ", waiting.front(), ", which waited longer"));
      waiting.erase(waiting.begin());
      for (uint64_t id : waiting) {
        const gort::GoroutineState st = gort::goroutine_state(id);
        require(st.waiting && std::string(st.wait_reason) == "sync.Cond.Wait",
                str("too many goroutines awake: goroutine ", id, " left Cond.Wait"));
      }
      n--;
    }
    c.signal();
    spec::wait_only_main();
  });
}

// Ports TestCondSignalGenerations (src/sync/cond_test.go): waiters start
// one after another, each signalled once it waits; the i-th Signal wakes
// the i-th waiter, the one waiting longest. Go 100 waiters; here too.
TEST(CondTest, TestCondSignalGenerations) {
  spec::expect_ok([] {
    gort::Mutex m;
    gort::Cond c(m);
    constexpr int n = 100;
    Chan<bool> running = make_chan<bool>(n);
    Chan<int> awake = make_chan<int>(n);
    for (int i = 0; i < n; i++) {
      gort::go([&, i] {
        m.lock();
        running.send(true);
        c.wait();
        awake.send(i);
        m.unlock();
      });
      if (i > 0) {
        const int a = awake.recv();
        require(a == i - 1, str("wrong goroutine woke up: want ", i - 1, ", got ", a));
      }
      running.recv();
      m.lock();
      c.signal();
      m.unlock();
    }
    const int last = awake.recv();
    require(last == n - 1, str("wrong goroutine woke up: want ", n - 1, ", got ", last));
    spec::wait_only_main();
  });
}

// Ports TestCondBroadcast (src/sync/cond_test.go): n goroutines wait in a
// loop; each Broadcast wakes every one of them exactly once, and none
// wakes without one. Go 200 goroutines and 200 rounds (os too, but for
// TSan); the sim runs 60 and 60.
TEST(CondTest, TestCondBroadcast) {
  spec::expect_ok([] {
    gort::Mutex m;
    gort::Cond c(m);
    const int n = spec::kSim ? 60 : os_rounds(200);
    Chan<int> running = make_chan<int>(n);
    Chan<int> awake = make_chan<int>(n);
    bool exit = false;
    for (int i = 0; i < n; i++) {
      gort::go([&, g = i] {
        m.lock();
        while (!exit) {
          running.send(g);
          c.wait();
          awake.send(g);
        }
        m.unlock();
      });
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) running.recv();  // deadlocks unless n are running
      if (i == n - 1) {
        m.lock();
        exit = true;
        m.unlock();
      }
      require(!awake.try_recv().ready, "goroutine not asleep");
      m.lock();
      c.broadcast();
      m.unlock();
      std::vector<bool> seen(n, false);
      for (int j = 0; j < n; j++) {
        const int g = awake.recv();
        require(!seen[g], "goroutine woke up twice");
        seen[g] = true;
      }
    }
    spec::wait_only_main();
    require(!running.try_recv().ready, "goroutine did not exit");
    c.broadcast();
  });
}

// Ports TestRace (src/sync/cond_test.go): three goroutines hand x on under
// the Cond's lock with Wait and Signal; a waiter sees the value its
// signaller set before signalling (the lock is held again when Wait
// returns).
TEST(CondTest, TestRace) {
  spec::expect_ok([] {
    int x = 0;
    gort::Mutex mu;
    gort::Cond c(mu);
    Chan<bool> done = make_chan<bool>();
    gort::go([&] {
      c.L.lock();
      x = 1;
      c.wait();
      require(x == 2, str("want 2, got ", x));
      x = 3;
      c.signal();
      c.L.unlock();
      done.send(true);
    });
    gort::go([&] {
      c.L.lock();
      for (;;) {
        if (x == 1) {
          x = 2;
          c.signal();
          break;
        }
        c.L.unlock();
        gort::gosched();
        c.L.lock();
      }
      c.L.unlock();
      done.send(true);
    });
    gort::go([&] {
      c.L.lock();
      for (;;) {
        if (x == 2) {
          c.wait();
          require(x == 3, str("want 3, got ", x));
          break;
        }
        if (x == 3) break;
        c.L.unlock();
        gort::gosched();
        c.L.lock();
      }
      c.L.unlock();
      done.send(true);
    });
    done.recv();
    done.recv();
    done.recv();
    spec::wait_only_main();
  });
}

// Ports TestCondSignalStealing (src/sync/cond_test.go): a Broadcast that
// races with a new waiter still wakes the waiter that was waiting before
// it (the new one may or may not be woken): the old waiter must wake
// within 2 s of the runtime's clock (virtual in sim, where a lost wake-up
// leaves everything parked and the clock jumps to the timeout). 1000
// rounds, as Go (but for TSan).
TEST(CondTest, TestCondSignalStealing) {
  spec::expect_ok([] {
    const int rounds = spec::kSim ? 1000 : os_rounds(1000);
    for (int iters = 0; iters < rounds; iters++) {
      gort::Mutex m;
      gort::Cond cond(m);
      // Start a waiter.
      Chan<bool> ch = make_chan<bool>();
      gort::go([&] {
        m.lock();
        ch.send(true);
        cond.wait();
        m.unlock();
        ch.send(true);
      });
      ch.recv();
      m.lock();
      m.unlock();
      // The waiter is in cond.wait() (it held m when it sent). Two
      // goroutines now race: one broadcasts, the other starts waiting.
      bool done = false;
      gort::go([&] { cond.broadcast(); });
      gort::go([&] {
        m.lock();
        while (!done) cond.wait();
        m.unlock();
      });
      // The first waiter must be woken.
      bool v = false;
      int64_t when = 0;
      Chan<int64_t> timeout = gort::after(2s);
      require(gort::select({recv_case(ch, v), recv_case(timeout, when)}) == 0, "First waiter didn't get broadcast.");
      // Release the second waiter in case it didn't get the broadcast.
      m.lock();
      done = true;
      m.unlock();
      cond.broadcast();
      spec::wait_only_main();
    }
  });
}

}  // namespace
