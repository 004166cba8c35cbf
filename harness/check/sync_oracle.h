// The sync oracle: a model of Go's sync contracts that judges a run's
// sync and semaphore events (gort/hooks.h kSema*, kSync*) on their own,
// without the runtime's or the sync package's code.
//
// How it reads the trace: each kSync event is emitted right after the
// atomic operation that made it true, or right before the one that ends
// it, with no scheduling point in between, so the trace's order is the
// order in which they took effect; the semaphore and notify-list events
// are emitted under the lock that orders them. Objects are numbered per
// run (obj); a Mutex, an RWMutex, a WaitGroup, a Once and a Cond's notify
// list each have their own number.
//
// Rules (stable names):
//   sync.mutex-exclusion     a Mutex acquired while another goroutine holds it
//   sync.rwmutex-exclusion   an RWMutex write-locked while held, or read-locked while write-locked
//   sync.waitgroup-early     a WaitGroup.Wait returned though the counter was not zero at any
//                            moment since the wait began
//   sync.once-twice          a Once ran its function a second time
//   sync.once-early          a Once call returned before the function had returned
//   sync.cond-unsignalled    a Cond waiter woke with a ticket no Signal or Broadcast had reached
//   sema.fifo                a semaphore release woke a goroutine other than the one at the head of
//                            its queue (arrivals at the tail, re-queued waiters at the head)
#ifndef GORT_HARNESS_CHECK_SYNC_ORACLE_H
#define GORT_HARNESS_CHECK_SYNC_ORACLE_H

#include <span>
#include <vector>

#include "check/oracle.h"
#include "gort/hooks.h"

namespace gort::harness {

// Appends the sync rules' violations of trace to out (in trace order).
void judge_sync(std::span<const Event> trace, std::vector<TraceViolation>& out);

}  // namespace gort::harness

#endif  // GORT_HARNESS_CHECK_SYNC_ORACLE_H
