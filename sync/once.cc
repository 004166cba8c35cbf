// sync.Once (Go 1.19's src/sync/once.go): the slow path.
//
// done_ turns 1 only after f has returned (or panicked), so a caller that
// sees it 1 on the fast path knows f's effects are visible; callers that
// see 0 serialise on m_, and the first to get it runs f. Done and the
// unlock are deferred calls (gort/frame.h), as in Go: a panicking f runs
// them first, before any deferred call of the caller's, so a caller that
// recovers sees the Once done and unlocked.
#include "gort/frame.h"
#include "gort/sync.h"
#include "sync_mutant.h"

namespace gort {

using sync_internal::mutant_active;

namespace {

template <class F>
void defer_quiet(Frame& frame, F f) {
  detail::defer_sync_call(&frame, &detail::kClosureOps<F>, &f);
}

}  // namespace

void Once::call_slow(void (*fn)(void*), void* arg) {
  func([this, fn, arg](Frame& frame) {
    m_.lock();
    defer_quiet(frame, [this] {
      m_.unlock();
      detail::sync_trace(EventKind::kSyncOnce, this, 0, kOnceDone);
    });
    if (done_.load() != 0) return;
    // Mutant once-done-before-f: done is published before f runs.
    if (mutant_active(Mutant::kOnceDoneBeforeF)) done_.store(1);
    defer_quiet(frame, [this] {
      detail::sync_trace(EventKind::kSyncOnce, this, 0, kOnceEnd);
      done_.store(1);
    });
    detail::sync_trace(EventKind::kSyncOnce, this, 0, kOnceBegin);
    fn(arg);
  });
}

}  // namespace gort
