// sync.Mutex (Go 1.19's src/sync/mutex.go): the slow paths.
//
// The state word: kLocked, kWoken (a waiter has been woken, or a spinner
// is about to take the lock: unlock need not wake another), kStarving, and
// the number of waiters above kWaiterShift. In normal mode waiters queue
// FIFO but a woken waiter competes with arriving goroutines, which usually
// win (they are already running); a waiter that fails for longer than
// kStarvationThresholdNs switches the mutex to starvation mode, where
// unlock hands it straight to the first waiter and arrivals queue at the
// tail. The last waiter, or one that waited under 1 ms, switches back.
#include <cassert>

#include "gort/sync.h"
#include "sync_mutant.h"

namespace gort {

using sync_internal::mutant_active;

bool Mutex::try_lock() {
  const int32_t old = state_.load();
  if ((old & (kLocked | kStarving)) != 0) return false;
  // A contended mutex may be free for a moment, but a starving waiter is
  // owed it: TryLock does not barge.
  if (!state_.cas(old, old | kLocked)) return false;
  detail::sync_trace(EventKind::kSyncAcquire, this, 0, kSyncMutex);
  return true;
}

void Mutex::lock_slow() {
  int64_t wait_start = 0;
  bool starving = false;
  bool awoke = false;
  int iter = 0;
  int32_t old = state_.load();
  for (;;) {
    // Spin only in normal mode while it is locked: in starvation mode the
    // lock goes to a waiter anyway.
    if ((old & (kLocked | kStarving)) == kLocked && detail::sync_can_spin(iter)) {
      // Tell unlock not to wake a waiter while this G is about to take it.
      if (!awoke && (old & kWoken) == 0 && (old >> kWaiterShift) != 0 && state_.cas(old, old | kWoken)) awoke = true;
      detail::sync_do_spin();
      iter++;
      old = state_.load();
      continue;
    }
    int32_t want = old;
    // A starving mutex is not for the taking: it is handed off.
    if ((old & kStarving) == 0) want |= kLocked;
    if ((old & (kLocked | kStarving)) != 0) want += 1 << kWaiterShift;
    // Mutant mutex-never-starves: a waiter never switches to starvation mode.
    if (starving && (old & kLocked) != 0 && !mutant_active(Mutant::kMutexNeverStarves)) want |= kStarving;
    if (awoke) {
      // This G was woken (or set kWoken itself): the flag is its to clear.
      // coverage-excluded-next: a broken sync package or runtime: the woken flag lost
      if ((want & kWoken) == 0) detail::sync_fatal("sync: inconsistent mutex state");
      want &= ~kWoken;
    }
    if (!state_.cas(old, want)) {
      old = state_.load();
      continue;
    }
    if ((old & (kLocked | kStarving)) == 0) break;  // took it with the CAS
    // Waited before: back to the head of the queue.
    const bool lifo = wait_start != 0;
    if (wait_start == 0) wait_start = detail::sync_nanotime();
    detail::semacquire(&sema_, lifo);
    starving = starving || detail::sync_nanotime() - wait_start > kStarvationThresholdNs;
    old = state_.load();
    if ((old & kStarving) != 0) {
      // Handed off: the mutex is this G's, though the state does not say so
      // yet (unlock left kLocked clear and counted this G as a waiter).
      // coverage-excluded-begin: a broken sync package or runtime: a hand-off to a mutex that is not starving
      if ((old & (kLocked | kWoken)) != 0 || (old >> kWaiterShift) == 0)
        detail::sync_fatal("sync: inconsistent mutex state");
      // coverage-excluded-end
      int32_t delta = kLocked - (1 << kWaiterShift);
      // Back to normal mode if this G did not starve, or is the last waiter:
      // staying starving would hand the lock to nobody.
      if (!starving || (old >> kWaiterShift) == 1) delta -= kStarving;
      state_.add(delta);
      break;
    }
    awoke = true;
    iter = 0;
  }
}

void Mutex::unlock_slow(int32_t now) {
  if (((now + kLocked) & kLocked) == 0) detail::sync_fatal("sync: unlock of unlocked mutex");
  // Mutant mutex-starving-unlock-no-handoff: starvation mode unlocks as normal mode does.
  if ((now & kStarving) == 0 || mutant_active(Mutant::kMutexStarvingUnlockNoHandoff)) {
    int32_t old = now;
    for (;;) {
      // Nobody to wake, or somebody already holds it, was woken or is owed
      // it: nothing to do.
      if ((old >> kWaiterShift) == 0 || (old & (kLocked | kWoken | kStarving)) != 0) return;
      // One waiter fewer, and it is the woken one.
      if (state_.cas(old, (old - (1 << kWaiterShift)) | kWoken)) {
        detail::semrelease(&sema_, /*handoff=*/false);
        return;
      }
      old = state_.load();
    }
  }
  // Starvation mode: hand the mutex to the first waiter and let it run now.
  // kLocked stays clear: the waiter sets it; meanwhile arrivals still see
  // kStarving and queue.
  detail::semrelease(&sema_, /*handoff=*/true);
}

}  // namespace gort
