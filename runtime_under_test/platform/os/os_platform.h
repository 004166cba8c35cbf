// The os platform: real threads, futexes, CLOCK_MONOTONIC, std::atomic.
#ifndef GORT_PLATFORM_OS_PLATFORM_H
#define GORT_PLATFORM_OS_PLATFORM_H

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cassert>
#include <cstdint>

#include "gort/hooks.h"
#include "platform/lockrank.h"
#include "platform/random.h"

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

// A runtime-internal mutex (Go's lock_futex.go): 0 unlocked, 1 locked,
// 2 locked with sleepers. Never held across a goroutine switch.
class Lock {
 public:
  // The rank is checked in sim builds (platform/lockrank.h).
  explicit Lock(LockRank rank) : rank_(rank) {}
  void lock() {
    // Go's lock2: a speculative exchange (cheaper than a compare-exchange).
    // If it clobbered "locked with sleepers" (2) with 1, the slow path puts
    // 2 back before sleeping, and a holder that unlocked in between left the
    // lock free for us, so whoever holds it next wakes the sleepers.
    if (key_.exchange(1, std::memory_order_acquire) == 0) return;
    while (key_.exchange(2, std::memory_order_acquire) != 0) futex_wait(&key_, 2);
  }
  void unlock() {
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
  std::atomic<uint32_t> key_{0};
  LockRank rank_;
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
// the kinds Go randomises itself (select's poll order) draw from rand_.
class Decider {
 public:
  Decider(Chooser*, uint64_t seed) : rand_(seed) {}
  uint32_t choose(Choice what, uint32_t n) {
    assert(n > 0);
    // Go draws both of these from its fastrand.
    return what == Choice::kSelectOrder || what == Choice::kStealOrder ? rand_.below(n) : 0;
  }
  // No faults, no tracing: both compile away.
  static constexpr bool fire(FaultSite) { return false; }
  static constexpr bool tracing() { return false; }
  static void event(const Event&) {}

 private:
  Wyrand rand_;
};

}  // namespace gort::platform

#endif  // GORT_PLATFORM_OS_PLATFORM_H
