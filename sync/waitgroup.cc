// sync.WaitGroup (Go 1.19's src/sync/waitgroup.go).
//
// One 64-bit word: the counter in the high half, the number of waiters in
// the low half, changed together atomically, so that an add that brings
// the counter to zero sees every waiter that will wait for it.
#include "gort/panic.h"
#include "gort/sync.h"
#include "sync_mutant.h"

namespace gort {

using sync_internal::mutant_active;

void WaitGroup::add(int delta) {
  const uint64_t state = state_.add(static_cast<uint64_t>(static_cast<int64_t>(delta)) << 32);
  const auto v = static_cast<int32_t>(state >> 32);  // the counter
  const auto w = static_cast<uint32_t>(state);       // the waiters
  detail::sync_trace(EventKind::kSyncAdd, this, v, delta);
  if (v < 0) panic("sync: negative WaitGroup counter");
  // Waiters exist but the counter was zero: an add racing a wait.
  // coverage-excluded-next: API misuse racing Wait: an Add from zero while a Wait is registered
  if (w != 0 && delta > 0 && v == delta) panic("sync: WaitGroup misuse: Add called concurrently with Wait");
  // Mutant waitgroup-wait-at-one: the waiters go when the counter reaches one.
  const int32_t release_at = mutant_active(Mutant::kWaitGroupReleasesAtOne) ? 1 : 0;
  if (v > release_at || w == 0) return;
  // The counter is zero with waiters: nobody may change the state now
  // (adds must happen before Wait, and waits cannot start at zero).
  // coverage-excluded-next: API misuse racing Wait: the state changed under the Add that reached zero
  if (state_.load() != state) panic("sync: WaitGroup misuse: Add called concurrently with Wait");
  // Reset the waiters to zero and wake them all.
  state_.store(0);
  for (uint32_t i = 0; i < w; i++) detail::semrelease(&sema_, /*handoff=*/false);
}

void WaitGroup::wait() {
  for (;;) {
    const uint64_t state = state_.load();
    const auto v = static_cast<int32_t>(state >> 32);
    detail::sync_trace(EventKind::kSyncWait, this, v, kWaitGroupWait);
    if (v == 0) break;
    // Count this G among the waiters.
    if (state_.cas(state, state + 1)) {
      detail::semacquire(&sema_, /*lifo=*/false);
      // The add that released it reset the state; anything else is reuse
      // before this wait returned.
      // coverage-excluded-next: API misuse: the WaitGroup reused before this Wait returned
      if (state_.load() != 0) panic("sync: WaitGroup is reused before previous Wait has returned");
      break;
    }
  }
  detail::sync_trace(EventKind::kSyncWake, this, 0, kWaitGroupWait);
}

}  // namespace gort
