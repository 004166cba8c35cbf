// sync.RWMutex (Go 1.19's src/sync/rwmutex.go).
//
// reader_count_ counts the readers; a writer subtracts kMaxReaders from
// it, so a negative count tells arriving readers to wait on reader_sem_,
// and moves the readers still inside into reader_wait_, for which it waits
// on writer_sem_. Writers exclude each other with w_.
#include "gort/sync.h"
#include "sync_mutant.h"

namespace gort {

using sync_internal::mutant_active;

// rlock found a writer pending (the count negative): wait until it
// unlocks (it counted this reader in).
void RWMutex::rlock_slow() {
  // Mutant rwmutex-reader-ignores-writer: a pending writer does not keep new readers out.
  if (mutant_active(Mutant::kRWMutexReaderIgnoresWriter)) return;
  detail::semacquire(&reader_sem_, /*lifo=*/false);
}

bool RWMutex::try_rlock() {
  for (;;) {
    const int32_t c = reader_count_.load();
    if (c < 0) return false;
    if (reader_count_.cas(c, c + 1)) {
      detail::sync_trace(EventKind::kSyncAcquire, this, 0, kSyncRead);
      return true;
    }
  }
}

void RWMutex::runlock_slow(int32_t r) {
  if (r + 1 == 0 || r + 1 == -kMaxReaders) detail::sync_fatal("sync: RUnlock of unlocked RWMutex");
  // A writer is pending: the last reader it waits for lets it in.
  if (reader_wait_.add(-1) == 0) detail::semrelease(&writer_sem_, /*handoff=*/false);
}

void RWMutex::lock() {
  w_.lock();
  // Announce the writer to readers; r: the readers still inside.
  const int32_t r = reader_count_.add(-kMaxReaders) + kMaxReaders;
  if (r != 0 && reader_wait_.add(r) != 0) detail::semacquire(&writer_sem_, /*lifo=*/false);
  detail::sync_trace(EventKind::kSyncAcquire, this, 0, kSyncWrite);
}

bool RWMutex::try_lock() {
  if (!w_.try_lock()) return false;
  if (!reader_count_.cas(0, -kMaxReaders)) {
    w_.unlock();
    return false;
  }
  detail::sync_trace(EventKind::kSyncAcquire, this, 0, kSyncWrite);
  return true;
}

void RWMutex::unlock() {
  detail::sync_trace(EventKind::kSyncRelease, this, 0, kSyncWrite);
  // Announce to readers there is no active writer.
  const int32_t r = reader_count_.add(kMaxReaders);
  if (r >= kMaxReaders) detail::sync_fatal("sync: Unlock of unlocked RWMutex");
  // Let in the readers that arrived while the writer held it.
  for (int32_t i = 0; i < r; i++) detail::semrelease(&reader_sem_, /*handoff=*/false);
  w_.unlock();
}

}  // namespace gort
