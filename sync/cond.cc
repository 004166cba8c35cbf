// sync.Cond (Go 1.19's src/sync/cond.go), on the runtime's notify list: a
// waiter takes a ticket before it unlocks L, so a signal that comes after
// the unlock but before the park is not lost (the ticket is notified, and
// the wait returns at once).
#include "gort/sync.h"

namespace gort {

void Cond::wait() {
  const uint32_t t = detail::notify_list_add(&notify_);
  detail::sync_trace(EventKind::kSyncWait, &notify_, t, kCondWait);
  L.unlock();
  detail::notify_list_wait(&notify_, t);
  detail::sync_trace(EventKind::kSyncWake, &notify_, t, kCondWait);
  L.lock();
}

void Cond::signal() { detail::notify_list_notify_one(&notify_); }

void Cond::broadcast() { detail::notify_list_notify_all(&notify_); }

}  // namespace gort
