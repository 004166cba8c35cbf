// The runtime's semaphores and notify lists: the narrow interface the sync
// package (gort/sync.h) stands on, as Go's sync package stands on
// runtime_Semacquire, runtime_Semrelease and runtime_notifyList*. Nothing
// else of the runtime is visible to sync.
//
// Every call must be made from a goroutine of a run (anywhere else it
// aborts the process with a message saying so).
#ifndef GORT_SEMA_H_PUBLIC
#define GORT_SEMA_H_PUBLIC

#include <cstdint>

#include "gort/frame.h"
#include "gort/hooks.h"

namespace gort::detail {

// Go's semacquire1: waits until *addr > 0, then decrements it. lifo: the
// caller has waited before, so it queues at the head of addr's waiters
// (Go's SemacquireMutex with lifo). Parks with Go 1.19's wait reason
// "semacquire".
void semacquire(uint32_t* addr, bool lifo);
// Go's semrelease1: increments *addr and wakes addr's first waiter.
// handoff: the woken waiter gets the semaphore directly and runs next, and
// the caller yields its time slice to it (starvation mode).
void semrelease(uint32_t* addr, bool handoff);

// Go's notifyList: the ticket scheme of sync.Cond. wait and notify are
// tickets (the next waiter's, the next to be notified); the rest is the
// runtime's, valid only in the run named by run (a list kept from another
// run is treated as empty: its waiters died with their run). The list's
// lock is the semaphore root its address hashes to.
struct NotifyList {
  uint32_t wait = 0;    // atomic
  uint32_t notify = 0;  // under the lock; read atomically by the fast paths
  uint64_t run = 0;
  void* head = nullptr;
  void* tail = nullptr;
};
// Takes the next ticket (Go's notifyListAdd).
uint32_t notify_list_add(NotifyList* l);
// Parks until ticket t is notified (at once if it already was).
void notify_list_wait(NotifyList* l, uint32_t t);
// Wakes the waiter holding the oldest unnotified ticket, if any.
void notify_list_notify_one(NotifyList* l);
// Wakes every waiter.
void notify_list_notify_all(NotifyList* l);

// Go's sync_runtime_canSpin: whether a Mutex waiter may spin (iteration
// iter): several CPUs and Ps, another P running, and nothing queued on the
// caller's own P. doSpin: one spin (sim: a scheduling point).
bool sync_can_spin(int iter);
void sync_do_spin();
// Go's fatal (sync.fatal): ends the run with "fatal error: msg"; cannot be
// recovered.
[[noreturn]] void sync_fatal(const char* msg);
// Before every operation on a sync word in sim builds: one step, a place
// where the harness may preempt the goroutine or jump the clock, and a
// scheduling point between Ms. No panic is injected there (Go's sync
// code never panics between its atomics).
void sync_point();
// The sync events of hooks.h (sim builds; nobody listens in os builds):
// obj is the object's address, numbered per run in the trace.
void sync_event(EventKind kind, const void* obj, int64_t value, int64_t aux);
// Before every operation of a program's gort::Atomic in sim builds: a
// user yield point (preemption and injected faults) and a scheduling point.
void atomic_point();
// Frame::defer for the sync package's own deferred calls (Once's): the
// harness injects no panic into them (fault site panic-in-deferred-call),
// as Go's sync code never panics there.
void defer_sync_call(Frame* frame, const ClosureOps* ops, void* fn);
// The mutant the current run selected (Config::mutant; 0: none).
uint32_t sync_mutant();
// The runtime's clock (gort::nanotime), for starvation.
int64_t sync_nanotime();

}  // namespace gort::detail

#endif  // GORT_SEMA_H_PUBLIC
