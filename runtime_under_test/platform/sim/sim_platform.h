// The sim platform: a deterministic simulation on one OS thread.
//
// Every M is a virtual thread on the caller's OS thread (one M for now), so
// locks and atomics need no hardware synchronisation; they keep their
// contracts (asserted) and are where scheduling points go when several Ms
// arrive. Time is virtual: it moves only when the runtime advances it.
// Every decision goes to the Chooser, so a run is a pure function of
// (program, seed, config, chooser).
#ifndef GORT_PLATFORM_SIM_PLATFORM_H
#define GORT_PLATFORM_SIM_PLATFORM_H

#include <atomic>
#include <cassert>
#include <cstdint>

#include "gort/hooks.h"
#include "platform/random.h"

namespace gort::platform {

inline constexpr bool kSimulated = true;

// An atomic on a single OS thread: the std::atomic interface the runtime
// uses, with plain loads and stores underneath.
template <class T>
class Atomic {
 public:
  constexpr Atomic() = default;
  constexpr Atomic(T v) : v_(v) {}  // NOLINT: mirrors std::atomic
  T load(std::memory_order = std::memory_order_seq_cst) const { return v_; }
  void store(T v, std::memory_order = std::memory_order_seq_cst) { v_ = v; }
  T exchange(T v, std::memory_order = std::memory_order_seq_cst) {
    T old = v_;
    v_ = v;
    return old;
  }
  bool compare_exchange_strong(T& expected, T desired, std::memory_order = std::memory_order_seq_cst) {
    if (v_ != expected) {
      expected = v_;
      return false;
    }
    v_ = desired;
    return true;
  }
  T fetch_add(T d, std::memory_order = std::memory_order_seq_cst) {
    T old = v_;
    v_ += d;
    return old;
  }

 private:
  T v_{};
};

class Lock {
 public:
  void lock() {
    assert(!held_ && "sim: runtime lock already held (self-deadlock)");
    held_ = true;
  }
  void unlock() {
    assert(held_ && "unlock of unlocked runtime lock");
    held_ = false;
  }
  bool held() const { return held_; }

 private:
  bool held_ = false;
};

// With one virtual thread, a sleep nobody has woken could never end: the
// runtime never sleeps an M in sim without a pending wakeup (its scheduler
// advances virtual time instead), and this asserts it.
class Note {
 public:
  void clear() { woken_ = false; }
  void wakeup() { woken_ = true; }
  void sleep() { assert(woken_ && "sim: M sleeps with no other virtual thread to wake it"); }

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
    uint32_t c = chooser_ != nullptr ? chooser_->choose(what, n) : rand_.below(n);
    assert(c < n && "Chooser returned an option out of range");
    return c;
  }
  // Faults fire only when a chooser says so: a seed alone injects none.
  bool fire(FaultSite site) { return ((armed_ >> static_cast<unsigned>(site)) & 1) != 0 && chooser_->fire(site); }
  bool tracing() const { return listens_; }
  void event(const Event& e) {
    if (listens_) chooser_->event(e);
  }

 private:
  Chooser* chooser_;
  uint32_t armed_;  // chooser_'s armed_faults() (0 without a chooser)
  bool listens_;    // chooser_'s listens() (false without a chooser)
  Wyrand rand_;
};

}  // namespace gort::platform

#endif  // GORT_PLATFORM_SIM_PLATFORM_H
