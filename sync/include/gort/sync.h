// Go's sync package for gort programs: Mutex, RWMutex, WaitGroup, Once,
// Cond, and Atomic<T> for the program's own atomics.
//
//   gort::Mutex mu;           // var mu sync.Mutex
//   mu.lock();                // mu.Lock()
//   mu.unlock();              // mu.Unlock()
//   gort::WaitGroup wg;       // var wg sync.WaitGroup
//   wg.add(1); gort::go([&] { ...; wg.done(); }); wg.wait();
//   gort::Once once; once.call([] { ... });   // once.Do(f)
//
// The semantics are Go 1.19's (src/sync), on the runtime's semaphores and
// notify lists (gort/sema.h, the only part of the runtime this layer uses).
// Like Go's, every type is ready at its zero value, must not be copied
// once used (copying is deleted here), and may be used only by goroutines
// of a run: the slow paths abort the process with a message outside one.
// An object holds no reference to its run: one left locked, or with
// waiters, when its run ended stays that way (Go's process would have
// exited); a Cond's waiters of an ended run are forgotten.
//
// Mutex and RWMutex meet the standard's Lockable requirements (lock,
// unlock, try_lock), so std::lock_guard and std::unique_lock work with
// them. Misuse is reported as Go reports it: unlocking an unlocked Mutex
// or RWMutex is the fatal error "sync: unlock of unlocked mutex" (and its
// RWMutex variants), which no recover stops; WaitGroup misuse panics.
//
// In sim builds every operation on an object's state is a place where the
// harness may preempt the goroutine (and, with several Ps, let another M
// run), so the goroutines of a program interleave inside the sync code as
// they could on real hardware; each acquire, release and wait is reported
// to the harness (hooks.h kSync*). In os builds the fast paths are inline
// atomics, as Go's.
#ifndef GORT_SYNC_H
#define GORT_SYNC_H

#include <atomic>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "gort/chan.h"
#include "gort/hooks.h"
#include "gort/sema.h"

namespace gort {

namespace detail {

// Whether sync operations are scheduling points and traced: sim builds
// (the sim runtime's library defines GORT_SIM_RUNTIME for what links it).
#if defined(GORT_SIM_RUNTIME)
inline constexpr bool kSyncPoints = true;
#else
inline constexpr bool kSyncPoints = false;
#endif

// A word of a sync object's state: a std::atomic whose every operation is,
// in sim builds, first a sync point (gort/sema.h sync_point).
template <class T>
class SyncWord {
 public:
  constexpr SyncWord() = default;
  T load() const {
    point();
    return v_.load(std::memory_order_seq_cst);
  }
  void store(T v) {
    point();
    v_.store(v, std::memory_order_seq_cst);
  }
  // Go's atomic.Add*: returns the new value.
  T add(T d) {
    point();
    return v_.fetch_add(d, std::memory_order_seq_cst) + d;
  }
  bool cas(T expected, T desired) {
    point();
    return v_.compare_exchange_strong(expected, desired, std::memory_order_seq_cst);
  }
  // The value without a sync point, for the runtime-free checks.
  T peek() const { return v_.load(std::memory_order_relaxed); }

 private:
  static void point() {
    if constexpr (kSyncPoints) sync_point();
  }
  std::atomic<T> v_{0};
};

// A sync event for the harness (sim builds only; nothing in os builds).
inline void sync_trace(EventKind kind, const void* obj, int64_t value = 0, int64_t aux = 0) {
  if constexpr (kSyncPoints) sync_event(kind, obj, value, aux);
}

}  // namespace detail

// Go's sync.Locker.
class Locker {
 public:
  virtual void lock() = 0;
  virtual void unlock() = 0;

 protected:
  ~Locker() = default;
};

// Go's sync.Mutex: normal mode (a woken waiter competes with new
// arrivals, which may spin briefly when several Ps run) and starvation
// mode (a waiter that has waited more than 1 ms on the runtime's clock,
// virtual in sim, makes every unlock hand the mutex to the first waiter).
// Not reentrant; any goroutine may unlock it.
class Mutex final : public Locker {
 public:
  constexpr Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() override {
    if (!state_.cas(0, kLocked)) lock_slow();
    detail::sync_trace(EventKind::kSyncAcquire, this, 0, kSyncMutex);
  }
  // Go's TryLock: takes the mutex if it is free and nobody is starving.
  bool try_lock();
  void unlock() override {
    detail::sync_trace(EventKind::kSyncRelease, this, 0, kSyncMutex);
    const int32_t now = state_.add(-kLocked);
    if (now != 0) unlock_slow(now);
  }

  // The state word's bits (Go's mutexLocked, mutexWoken, mutexStarving;
  // waiters counted from bit kWaiterShift).
  static constexpr int32_t kLocked = 1;
  static constexpr int32_t kWoken = 2;
  static constexpr int32_t kStarving = 4;
  static constexpr int kWaiterShift = 3;
  static constexpr int64_t kStarvationThresholdNs = 1'000'000;

 private:
  void lock_slow();
  void unlock_slow(int32_t now);
  detail::SyncWord<int32_t> state_;
  uint32_t sema_ = 0;
};

// Go's sync.RWMutex: any number of readers or one writer. A writer that
// called lock() keeps new readers out until it has had its turn (a pending
// writer blocks rlock), so readers cannot starve writers; recursive read
// locking can therefore deadlock, as in Go.
class RWMutex final : public Locker {
 public:
  constexpr RWMutex() = default;
  RWMutex(const RWMutex&) = delete;
  RWMutex& operator=(const RWMutex&) = delete;

  void lock() override;
  bool try_lock();
  void unlock() override;
  // rlock and runlock's fast paths (one atomic add) are inline, as Go's.
  void rlock() {
    if (reader_count_.add(1) < 0) rlock_slow();
    detail::sync_trace(EventKind::kSyncAcquire, this, 0, kSyncRead);
  }
  bool try_rlock();
  void runlock() {
    detail::sync_trace(EventKind::kSyncRelease, this, 0, kSyncRead);
    const int32_t r = reader_count_.add(-1);
    if (r < 0) runlock_slow(r);
  }
  // Go's RLocker: a Locker whose lock and unlock are rlock and runlock.
  Locker& rlocker() { return rlocker_; }

  static constexpr int32_t kMaxReaders = 1 << 30;  // Go's rwmutexMaxReaders

 private:
  class ReadLocker final : public Locker {
   public:
    explicit constexpr ReadLocker(RWMutex* rw) : rw_(rw) {}
    void lock() override { rw_->rlock(); }
    void unlock() override { rw_->runlock(); }

   private:
    RWMutex* rw_;
  };
  void rlock_slow();
  void runlock_slow(int32_t r);

  Mutex w_;                                 // held by a writer while it writes or waits for readers
  uint32_t writer_sem_ = 0;                 // a writer waits here for the readers to leave
  uint32_t reader_sem_ = 0;                 // readers wait here for the writer to leave
  detail::SyncWord<int32_t> reader_count_;  // readers; minus kMaxReaders while a writer is pending
  detail::SyncWord<int32_t> reader_wait_;   // readers a pending writer still waits for
  ReadLocker rlocker_{this};
};

// Go's sync.WaitGroup: add(n), done() (add(-1)) and wait() until the
// counter is zero. Misuse panics with Go's messages: a negative counter,
// an add that starts from zero while wait() runs, and reusing the group
// before a previous wait() has returned.
class WaitGroup {
 public:
  constexpr WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  void add(int delta);
  void done() { add(-1); }
  void wait();

 private:
  // The counter in the high 32 bits, the waiters in the low 32 (Go's state1).
  detail::SyncWord<uint64_t> state_;
  uint32_t sema_ = 0;
};

// Go's sync.Once: call(f) runs f if and only if no call of this Once has
// run one before; every call returns only once f has returned. A panicking
// f counts as done (later calls do not run f), and the panic goes on.
class Once {
 public:
  constexpr Once() = default;
  Once(const Once&) = delete;
  Once& operator=(const Once&) = delete;

  template <class F>
  void call(F&& f) {
    if (done_.load() != 0) [[likely]] {
      detail::sync_trace(EventKind::kSyncOnce, this, 0, kOnceDone);
      return;
    }
    call_first<F>(f);
  }

 private:
  // Out of line, so that the fast path (one load) does not materialise f's
  // closure for the slow one on every call.
  template <class F>
  [[gnu::noinline]] void call_first(F& f) {
    auto run_f = [&f] { std::forward<F>(f)(); };
    call_slow([](void* p) { (*static_cast<decltype(run_f)*>(p))(); }, &run_f);
  }
  void call_slow(void (*fn)(void*), void* arg);
  detail::SyncWord<uint32_t> done_;
  Mutex m_;
};

// Go's sync.Cond: wait() atomically unlocks L and parks until a signal()
// or broadcast() that happens after it started, then locks L again before
// it returns. signal() wakes the goroutine that has waited longest;
// broadcast() wakes all of them.
class Cond {
 public:
  explicit Cond(Locker& l) : L(l) {}
  Cond(const Cond&) = delete;
  Cond& operator=(const Cond&) = delete;

  void wait();
  void signal();
  void broadcast();

  Locker& L;  // Go's c.L

 private:
  detail::NotifyList notify_;
};

// Go's sync/atomic for the program's own shared variables: an integer,
// bool or pointer whose every operation is, in sim builds, a yield point
// (the harness may preempt there or inject a fault) and a scheduling point
// between Ms, so unsynchronised logic built on atomics is explored as it
// would interleave on hardware. In os builds, a std::atomic.
template <class T>
class Atomic {
  static_assert(std::is_integral_v<T> || std::is_pointer_v<T>, "gort::Atomic<T>: T is an integer, bool or pointer");

 public:
  constexpr Atomic() = default;
  constexpr explicit Atomic(T v) : v_(v) {}
  Atomic(const Atomic&) = delete;
  Atomic& operator=(const Atomic&) = delete;

  T load() const {
    point();
    return v_.load();
  }
  void store(T v) {
    point();
    v_.store(v);
  }
  T swap(T v) {
    point();
    return v_.exchange(v);
  }
  // Go's CompareAndSwap.
  bool compare_and_swap(T old_value, T new_value) {
    point();
    return v_.compare_exchange_strong(old_value, new_value);
  }
  // Go's Add: returns the new value.
  template <class U = T, std::enable_if_t<std::is_integral_v<U> && !std::is_same_v<U, bool>, int> = 0>
  T add(T delta) {
    point();
    return static_cast<T>(v_.fetch_add(delta) + delta);
  }

 private:
  static void point() {
    if constexpr (detail::kSyncPoints) detail::atomic_point();
  }
  std::atomic<T> v_{};
};

}  // namespace gort

#endif  // GORT_SYNC_H
