// The os platform: real threads, futexes, CLOCK_MONOTONIC, std::atomic.
#ifndef GORT_PLATFORM_OS_PLATFORM_H
#define GORT_PLATFORM_OS_PLATFORM_H

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cassert>
#include <cstdint>

#include "gort/hooks.h"
#include "platform/lockrank.h"
#include "platform/random.h"
#include "platform/thread_safety.h"

namespace gort::platform {

inline constexpr bool kSimulated = false;

template <class T>
using Atomic = std::atomic<T>;

inline void futex_wait(std::atomic<uint32_t>* addr, uint32_t val) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(addr), FUTEX_WAIT_PRIVATE, val, nullptr, nullptr, 0);
}

// Waits while *addr == val, at most until the monotonic time deadline (ns).
inline void futex_wait_until(std::atomic<uint32_t>* addr, uint32_t val, int64_t deadline) {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  int64_t left = deadline - (static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec);
  if (left <= 0) return;
  timespec rel{static_cast<time_t>(left / 1'000'000'000), static_cast<long>(left % 1'000'000'000)};
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(addr), FUTEX_WAIT_PRIVATE, val, &rel, nullptr, 0);
}

inline void futex_wake(std::atomic<uint32_t>* addr, int n) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(addr), FUTEX_WAKE_PRIVATE, n, nullptr, nullptr, 0);
}

// Waits while *addr == val, at most ns nanoseconds.
inline void futex_wait_for(std::atomic<uint32_t>* addr, uint32_t val, int64_t ns) {
  timespec rel{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(addr), FUTEX_WAIT_PRIVATE, val, &rel, nullptr, 0);
}

// What an M's OS thread knows of its run's end, for the waits that could
// otherwise outlive it: while a run is on the thread, ending points at the
// run's flag (non-zero once the run is ending). Set for the duration of a
// run on each M's thread.
struct OsThreadState {
  const std::atomic<uint32_t>* ending = nullptr;
};
constinit inline thread_local OsThreadState tls_os{};

// The runtime locks this thread holds, for lock ranking in debug builds
// (platform/lockrank.h); reset when a run starts on the thread, since a
// run that ended by a fatal error abandons whatever its Ms held.
#if !defined(NDEBUG)
constinit inline thread_local HeldLocks tls_held_locks{};
inline void reset_held_locks() { tls_held_locks = HeldLocks{}; }
// This thread's table, found afresh on every call: a goroutine that parks
// between two lock operations may resume on another thread, and a caller
// must not reuse the address it computed before (arm64 and riscv64
// compilers keep a thread_local's address in a register across calls).
// Out of line, and the asm says the address may come from anywhere.
[[gnu::noinline]] inline HeldLocks& this_thread_held_locks() {
  HeldLocks* h = &tls_held_locks;
  asm volatile("" : "+r"(h));
  return *h;
}
#else
inline void reset_held_locks() {}
#endif

// The run this thread's M belongs to is ending: the M stops here, never to
// return (defined by the runtime, fatal.cc, which owns how a run ends).
// Returns only on the M that is ending the run.
void stop_requested();

inline void check_stop_requested() {
  if (tls_os.ending != nullptr && tls_os.ending->load(std::memory_order_acquire) != 0) [[unlikely]]
    stop_requested();
}

// A runtime-internal mutex (Go's lock_futex.go): 0 unlocked, 1 locked,
// 2 locked with sleepers. Never held across a goroutine switch.
class GORT_CAPABILITY("mutex") Lock {
 public:
  // The rank is checked in debug builds (platform/lockrank.h).
  explicit Lock(LockRank rank) : rank_(rank) {}
  void lock() GORT_ACQUIRE() {
#if !defined(NDEBUG)
    lock_rank_acquire(this_thread_held_locks(), rank_);
#endif
    // Go's lock2: a speculative exchange (cheaper than a compare-exchange).
    // If it clobbered "locked with sleepers" (2) with 1, the slow path puts
    // 2 back before sleeping, and a holder that unlocked in between left the
    // lock free for us, so whoever holds it next wakes the sleepers.
    uint32_t clobbered = key_.exchange(1, std::memory_order_acquire);
    if (clobbered != 0) lock_slow(clobbered);
  }
  void unlock() GORT_RELEASE() {
#if !defined(NDEBUG)
    lock_rank_release(this_thread_held_locks(), rank_);
#endif
    uint32_t prev = key_.exchange(0, std::memory_order_release);
    assert(prev != 0 && "unlock of unlocked runtime lock");
    if (prev == 2) futex_wake(&key_, 1);
  }
  bool held() const { return key_.load(std::memory_order_relaxed) != 0; }
  static constexpr int32_t kFree = -1;
  // Which M holds it is not tracked on real threads.
  int32_t owner() const { return held() ? 0 : kFree; }
  LockRank rank() const { return rank_; }

 private:
  static constexpr int64_t kStopCheckNs = 1'000'000;
  // Go's lock2 spins before it sleeps: a runtime lock is held for far less
  // time than a futex sleep and wake-up cost. Go spins actively first (4
  // rounds of 30 PAUSEs on several CPUs), then yields the CPU once; gort
  // only yields, kPassiveSpin times. On the 2-vCPU AMD EPYC VM gort is
  // measured on (bench/README), Go's active spin doubled ChanProdCons0 at
  // 2 Ps (PAUSE is dear on recent AMD cores), while yielding matched or
  // beat it on every contended channel benchmark and, unlike a spin,
  // lets a holder that shares this CPU run.
  static constexpr int kPassiveSpin = 2;

  // The key is taken; `wait` is what our exchange clobbered (1, or 2 when
  // there are sleepers, which we must put back when we take the lock).
  [[gnu::noinline]] void lock_slow(uint32_t wait) {
    assert(wait == 1 || wait == 2);
    for (;;) {
      for (int i = 0; i < kPassiveSpin; i++) {
        if (take_if_free(wait)) return;
        sched_yield();
      }
      // Sleep, marking the key "sleepers" so that the unlocker wakes us.
      if (key_.exchange(2, std::memory_order_acquire) == 0) return;
      wait = 2;
      // Bounded, so that a holder that will never unlock (its M stopped
      // because the run is ending) does not keep this M from stopping too.
      futex_wait_for(&key_, 2, kStopCheckNs);
      check_stop_requested();
    }
  }

  // Takes the key, setting it to `wait`, while it is seen free.
  bool take_if_free(uint32_t wait) {
    while (key_.load(std::memory_order_relaxed) == 0) {
      uint32_t expected = 0;
      if (key_.compare_exchange_weak(expected, wait, std::memory_order_acquire)) return true;
    }
    return false;
  }

  std::atomic<uint32_t> key_{0};
  LockRank rank_;
};

// A lock that only real threads need: it guards runtime bookkeeping (the
// list of Gs, channel memory) whose critical sections hold no platform
// operation, so virtual Ms, which switch only at those, never interleave
// inside them. Always a leaf: nothing else is taken while it is held.
using OsOnlyLock = Lock;

// An OS thread for an M (Go's newosproc). The thread's own stack only
// starts the M: the M runs on its g0's stack.
class OsThread {
 public:
  // Starts fn(arg) on a new thread; false if the OS refused.
  bool start(void (*fn)(void*), void* arg) {
    assert(!started_);
    fn_ = fn;
    arg_ = arg;
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) return false;
    pthread_attr_setstacksize(&attr, kThreadStack);
    started_ = pthread_create(&thread_, &attr, trampoline, this) == 0;
    pthread_attr_destroy(&attr);
    return started_;
  }
  // Waits for the thread to end (no-op if it never started).
  void join() {
    if (!started_) return;
    pthread_join(thread_, nullptr);
    started_ = false;
  }
  bool started() const { return started_; }

 private:
  // The thread stack runs only the start and the end of an M (and the
  // sanitizers' own frames): 256 KiB is plenty.
  static constexpr size_t kThreadStack = 256 * 1024;
  static void* trampoline(void* self) {
    auto* t = static_cast<OsThread*>(self);
    t->fn_(t->arg_);
    return nullptr;
  }
  pthread_t thread_{};
  void (*fn_)(void*) = nullptr;
  void* arg_ = nullptr;
  bool started_ = false;
};

// Park/unpark of an M (Go's note): one sleeper, one waker, one-shot until
// cleared. An M sleeps on its note when it has nothing to run.
class Note {
 public:
  void clear() { key_.store(0, std::memory_order_relaxed); }
  void wakeup() {
    key_.store(1, std::memory_order_release);
    futex_wake(&key_, 1);
  }
  void sleep() {
    while (key_.load(std::memory_order_acquire) == 0) futex_wait(&key_, 0);
  }
  // Sleeps until woken or until the monotonic clock reaches deadline (ns);
  // returns whether it was woken.
  bool sleep_until(int64_t deadline) {
    for (;;) {
      if (key_.load(std::memory_order_acquire) != 0) return true;
      timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      if (static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec >= deadline) return false;
      futex_wait_until(&key_, 0, deadline);
    }
  }

 private:
  std::atomic<uint32_t> key_{0};
};

// Monotonic time in nanoseconds.
class Clock {
 public:
  int64_t now() const {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
  }
  // Clock jumps are injected faults: sim only.
  void jump(int64_t /*ns*/) {}
  // An M with nothing to run but a timer sleeps until it is due. Faults
  // are sim-only: spurious is ignored (a real early return is retried).
  void wait_until(int64_t t, bool /*spurious*/ = false) {
    timespec ts{static_cast<time_t>(t / 1'000'000'000), static_cast<long>(t % 1'000'000'000)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
    }
  }
};

// Decisions: Go's own policy. Option 0 of every Choice is what Go does;
// the kinds Go randomises itself (select's poll order, a thief's victim
// order) draw from the calling thread's own generator, as Go's fastrand
// is per M: the Ms never share one.
class Decider {
 public:
  Decider(Chooser*, uint64_t seed) : seed_(seed) {}
  uint32_t choose(Choice what, uint32_t n) {
    assert(n > 0);
    if (what != Choice::kSelectOrder && what != Choice::kStealOrder) return 0;
    thread_local Wyrand rand{0};
    thread_local const Decider* seeded_by = nullptr;
    if (seeded_by != this) {
      // First draw of this run on this thread: the run's seed, told apart
      // per thread by the thread's own address.
      rand = Wyrand(seed_ ^ reinterpret_cast<uintptr_t>(&rand));
      seeded_by = this;
    }
    return rand.below(n);
  }
  // No faults, no tracing: both compile away.
  static constexpr bool fire(FaultSite) { return false; }
  static constexpr bool tracing() { return false; }
  static void event(const Event&) {}

 private:
  uint64_t seed_;
};

}  // namespace gort::platform

#endif  // GORT_PLATFORM_OS_PLATFORM_H
