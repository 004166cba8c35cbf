// The sim platform: a deterministic simulation on one OS thread.
//
// Every M is a virtual thread on the caller's OS thread, so locks and
// atomics need no hardware synchronisation: they keep their contracts
// (asserted), and each is a scheduling point where the Chooser decides
// which virtual thread runs next (Choice::kRunM). Time is virtual: it
// moves only when no virtual thread can run (or a fault jumps it). Every
// decision goes to the Chooser, so a run is a pure function of (program,
// seed, config, chooser).
#ifndef GORT_PLATFORM_SIM_PLATFORM_H
#define GORT_PLATFORM_SIM_PLATFORM_H

#include <atomic>
#include <cassert>
#include <cstdint>

#include "gort/hooks.h"
#include "platform/lockrank.h"
#include "platform/random.h"
#include "platform/thread_safety.h"

namespace gort::platform {

inline constexpr bool kSimulated = true;

// The virtual threads a run's Ms are, as the platform's synchronisation
// sees them. The runtime implements it (vthreads.cc) and installs it for
// the duration of a run; every call below happens on the run's one OS
// thread. Keys are addresses of the lock or Note waited on.
class VirtualThreads {
 public:
  // A scheduling point: another runnable virtual thread may run now.
  virtual void point() = 0;
  // The running thread cannot go on until wake(key) or, with
  // deadline >= 0, until virtual time reaches deadline. Returns when it
  // runs again: true if woken, false if the deadline passed.
  virtual bool block(const void* key, int64_t deadline) = 0;
  // Every thread blocked on key can run again.
  virtual void wake(const void* key) = 0;
  // The running thread's id (a lock's owner).
  virtual int32_t current() const = 0;
  // The locks the running thread holds (lock ranking).
  virtual HeldLocks& held_locks() = 0;

 protected:
  ~VirtualThreads() = default;
};

// The virtual threads of the run on this OS thread (null outside runs).
// With points_off > 0 (while a Chooser is called back, which may read the
// runtime's atomics) no scheduling point switches threads.
struct SimThreadState {
  VirtualThreads* threads = nullptr;
  int points_off = 0;
};
constinit inline thread_local SimThreadState tls_sim{};

inline void sim_point() {
  if (tls_sim.threads != nullptr && tls_sim.points_off == 0) [[unlikely]]
    tls_sim.threads->point();
}
inline int32_t sim_thread_id() { return tls_sim.threads != nullptr ? tls_sim.threads->current() : 0; }

// Turns scheduling points off while a Chooser runs (RAII).
class NoSimPoints {
 public:
  NoSimPoints() { tls_sim.points_off++; }
  ~NoSimPoints() { tls_sim.points_off--; }
  NoSimPoints(const NoSimPoints&) = delete;
  NoSimPoints& operator=(const NoSimPoints&) = delete;
};

// An atomic on a single OS thread: the std::atomic interface the runtime
// uses, with plain loads and stores underneath. Every operation another
// virtual thread could race with is a scheduling point before it takes
// effect: read-modify-writes, and loads and stores that order memory
// (acquire, release, seq_cst). Relaxed ones are not: they publish nothing.
template <class T>
class Atomic {
 public:
  constexpr Atomic() = default;
  constexpr Atomic(T v) : v_(v) {}  // NOLINT: mirrors std::atomic
  T load(std::memory_order o = std::memory_order_seq_cst) const {
    if (o != std::memory_order_relaxed) sim_point();
    return v_;
  }
  void store(T v, std::memory_order o = std::memory_order_seq_cst) {
    if (o != std::memory_order_relaxed) sim_point();
    v_ = v;
  }
  T exchange(T v, std::memory_order = std::memory_order_seq_cst) {
    sim_point();
    T old = v_;
    v_ = v;
    return old;
  }
  bool compare_exchange_strong(T& expected, T desired, std::memory_order = std::memory_order_seq_cst) {
    sim_point();
    if (v_ != expected) {
      expected = v_;
      return false;
    }
    v_ = desired;
    return true;
  }
  T fetch_add(T d, std::memory_order = std::memory_order_seq_cst) {
    sim_point();
    T old = v_;
    v_ += d;
    return old;
  }
  T fetch_sub(T d, std::memory_order = std::memory_order_seq_cst) {
    sim_point();
    T old = v_;
    v_ -= d;
    return old;
  }

 private:
  T v_{};
};

// A runtime-internal mutex. Taking it and releasing it are scheduling
// points; a virtual thread that finds it held by another blocks until it
// is released. Never held across a goroutine switch.
class GORT_CAPABILITY("mutex") Lock {
 public:
  explicit Lock(LockRank rank) : rank_(rank) {}
  void lock() GORT_ACQUIRE() {
    if (tls_sim.threads != nullptr) lock_rank_acquire(tls_sim.threads->held_locks(), rank_);
    sim_point();
    const int32_t self = sim_thread_id();
    while (owner_ != kFree) {
      // coverage-excluded-next: a broken runtime: a lock taken twice by one M
      assert(owner_ != self && "sim: runtime lock already held by this M (self-deadlock)");
      // coverage-excluded-next: unreachable: with one virtual thread the assertion above fires first
      if (tls_sim.threads == nullptr) return;
      tls_sim.threads->block(this, -1);
    }
    owner_ = self;
  }
  void unlock() GORT_RELEASE() {
    assert(owner_ != kFree && "unlock of unlocked runtime lock");
    owner_ = kFree;
    if (tls_sim.threads != nullptr) {
      lock_rank_release(tls_sim.threads->held_locks(), rank_);
      tls_sim.threads->wake(this);
      sim_point();
    }
  }
  bool held() const { return owner_ != kFree; }
  // The virtual thread holding it (kFree: nobody), for snapshots.
  int32_t owner() const { return owner_; }
  static constexpr int32_t kFree = -1;
  LockRank rank() const { return rank_; }

 private:
  int32_t owner_ = kFree;
  LockRank rank_;
};

// A lock that only real threads need (the os build's guards runtime
// bookkeeping whose critical sections hold no platform operation). Virtual
// Ms switch only at platform operations, so they never interleave inside
// such a section: here it is free, and adds no scheduling point.
class GORT_CAPABILITY("mutex") OsOnlyLock {
 public:
  explicit OsOnlyLock(LockRank) {}
  void lock() GORT_ACQUIRE() {}
  void unlock() GORT_RELEASE() {}
};

// Park/unpark of an M: one sleeper, one waker, one-shot until cleared. A
// virtual thread sleeping on a Note nobody has woken blocks; when no
// virtual thread can run and no deadline is pending, the runtime itself is
// deadlocked (vthreads.cc reports it).
class Note {
 public:
  void clear() { woken_ = false; }
  void wakeup() {
    sim_point();
    woken_ = true;
    if (tls_sim.threads != nullptr) tls_sim.threads->wake(this);
  }
  void sleep() {
    while (!woken_) {
      // coverage-excluded-next: a broken runtime: an M sleeps with no virtual thread to wake it
      assert(tls_sim.threads != nullptr && "sim: M sleeps with no other virtual thread to wake it");
      tls_sim.threads->block(this, -1);
    }
  }
  // Sleeps until woken or until virtual time reaches deadline; returns
  // whether it was woken.
  bool sleep_until(int64_t deadline) {
    while (!woken_) {
      assert(tls_sim.threads != nullptr && "sim: timed sleep outside a run");
      if (!tls_sim.threads->block(this, deadline)) return woken_;
    }
    return true;
  }

 private:
  bool woken_ = false;
};

// Virtual monotonic time in nanoseconds; starts at 0 for every run.
class Clock {
 public:
  int64_t now() const { return now_; }
  // Nothing can run until t: virtual time jumps there at once. A spurious
  // wake-up (an injected fault) returns halfway there instead, as a futex
  // or nanosleep may return early; the caller must re-check and wait again.
  void wait_until(int64_t t, bool spurious = false) {
    assert(t >= now_ && "sim: virtual time never goes backwards");
    now_ = spurious ? now_ + (t - now_) / 2 : t;
  }
  // An injected clock jump: virtual time leaps forward by ns.
  void jump(int64_t ns) {
    assert(ns >= 0);
    now_ += ns;
  }
  // The chooser let time pass while goroutines were runnable
  // (Choice::kAdvanceClock): virtual time moves to t, the next timer's when.
  void advance_to(int64_t t) {
    assert(t >= now_ && "sim: virtual time never goes backwards");
    now_ = t;
  }

 private:
  int64_t now_ = 0;
};

// Every decision goes to the Chooser; without one, a chooser seeded from the
// run's seed picks uniformly, so a seed alone reproduces a run.
class Decider {
 public:
  Decider(Chooser* chooser, uint64_t seed)
      : chooser_(chooser),
        armed_(chooser != nullptr ? chooser->armed_faults() : 0),
        listens_(chooser != nullptr && chooser->listens()),
        rand_(seed) {}
  uint32_t choose(Choice what, uint32_t n) {
    assert(n > 0);
    if (n == 1) return 0;
    // A seed alone never lets time pass early: without a Chooser the clock
    // moves as Go's does (only when nothing can run), and no draw is taken,
    // so a seed's other decisions are what they were before the question.
    if (chooser_ == nullptr && what == Choice::kAdvanceClock) return 0;
    NoSimPoints quiet;
    uint32_t c = chooser_ != nullptr ? chooser_->choose(what, n) : rand_.below(n);
    assert(c < n && "Chooser returned an option out of range");
    return c;
  }
  // Faults fire only when a chooser says so: a seed alone injects none.
  bool fire(FaultSite site) {
    if (!armed(site)) return false;
    NoSimPoints quiet;
    return chooser_->fire(site);
  }
  // Whether fire(site) may say yes this run.
  bool armed(FaultSite site) const { return ((armed_ >> static_cast<unsigned>(site)) & 1) != 0; }
  bool tracing() const { return listens_; }
  void event(const Event& e) {
    if (!listens_) return;
    NoSimPoints quiet;
    chooser_->event(e);
  }

 private:
  Chooser* chooser_;
  uint32_t armed_;  // chooser_'s armed_faults() (0 without a chooser)
  bool listens_;    // chooser_'s listens() (false without a chooser)
  Wyrand rand_;
};

}  // namespace gort::platform

#endif  // GORT_PLATFORM_SIM_PLATFORM_H
