// sync.Once (Go 1.19's src/sync/once.go): the slow path.
//
// done_ turns 1 only after f has returned (or panicked), so a caller that
// sees it 1 on the fast path knows f's effects are visible; callers that
// see 0 serialise on m_, and the first to get it runs f.
#include "gort/sync.h"
#include "sync_mutant.h"

namespace gort {

using sync_internal::mutant_active;

void Once::call_slow(void (*fn)(void*), void* arg) {
  m_.lock();
  // Runs as call_slow returns or unwinds (a panicking f counts as done):
  // done first, then the mutex, as Go's two defers.
  struct Finish {
    Once* once;
    bool ran_f;
    ~Finish() {
      if (ran_f) {
        detail::sync_trace(EventKind::kSyncOnce, once, 0, kOnceEnd);
        once->done_.store(1);
      }
      once->m_.unlock();
      detail::sync_trace(EventKind::kSyncOnce, once, 0, kOnceDone);
    }
  } finish{this, false};
  if (done_.load() == 0) {
    // Mutant once-done-before-f: done is published before f runs.
    if (mutant_active(Mutant::kOnceDoneBeforeF)) done_.store(1);
    finish.ran_f = true;
    detail::sync_trace(EventKind::kSyncOnce, this, 0, kOnceBegin);
    fn(arg);
  }
}

}  // namespace gort
