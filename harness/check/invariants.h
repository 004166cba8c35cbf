// The runtime's invariants that one snapshot can decide
// (gort/introspect.h): channels, where each goroutine is kept, where each
// P and M is, sudog ownership, and lost wake-ups.
//
// Call it at a quiescent point of the M taking the snapshot: it holds no
// runtime lock and has no goroutine half-moved (the scheduler about to
// resume a G, or a goroutine between operations). Elsewhere (inside an
// event() callback, say, between a partner's dequeue and its goready) a
// correct runtime may look broken. With several Ms the others may be in
// the middle of something: unless the snapshot says every other M is
// quiescent (Snapshot::quiescent), only the channel rules and lost
// wake-ups of channels whose lock is free are checked.
//
// Names, by family (each rule is stated where it is checked):
//   chan.qcount-range         0 <= qcount <= dataqsiz
//   chan.ring-indices         sendx == (recvx + qcount) % dataqsiz, both < dataqsiz; unbuffered: both 0
//   chan.one-queue-nonempty   not both queues waited on, except by one G selecting on both sides
//   chan.buffered-with-receivers  qcount > 0 implies recvq empty
//   chan.room-with-senders    qcount < dataqsiz implies sendq empty
//   chan.closed-with-senders  closed implies sendq empty
//   g.duplicate-goid          each goid once in the snapshot
//   g.running-placement       running: current G of an M, in no queue, not free
//   g.on-two-ms               no G is the current G of two Ms
//   g.runnable-placement      runnable: in exactly one of runnext / local / global queue
//   g.waiting-placement       waiting: on no M, in no run queue, not free
//   g.dead-placement          dead: on exactly one free list, nowhere else
//   g.other-placement         idle / syscall / preempted: in no run queue, not free
//   m.current-g               each M's curg is running, and every running G is some M's curg
//   sched.p-placement         each P is idle (once) or held by exactly one M, never both
//   sched.m-holds-p           an idle M holds no P and runs no G; an M running a G holds a P
//   sched.nmspinning          nmspinning == the number of Ms flagged spinning
//   sched.stack-two-ms        no two Ms run on one goroutine's stack
//   sudog.owner-waiting       a live waiter's G exists and is waiting
//   sudog.owned-by-g          a waiter's G lists that sudog among its own
//   sudog.wait-queues         a waiting G is queued on exactly the channels its sudogs name
//   wakeup.select-won-not-readied  a select case won, yet its G still waits
//   wakeup.lost               a non-select G waits on a channel where its op could complete
//   sema.nwait                a semaphore root's nwait differs from its queued waiters (root unlocked)
//   sema.waiter-waiting       a semaphore waiter's G is not waiting in [semacquire]
//   sema.waiter-once          a G is queued on semaphores more than once
//   sema.lost-wakeup          nobody can run, yet a waiter's semaphore has a positive count
//   timer.heap-order          each P's timer heap is ordered by (when, creation order), each timer in the slot it
//   records timer.due-at-resume       (one P, as the scheduler resumes a goroutine) no timer is due: findrunnable ran
//   them
#ifndef GORT_HARNESS_CHECK_INVARIANTS_H
#define GORT_HARNESS_CHECK_INVARIANTS_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "check/violation.h"
#include "gort/introspect.h"

namespace gort::harness {

// Every broken invariant of snap, in a fixed order (channels by id, then
// goroutines in creation order); empty when the state is consistent.
// resuming: snap was taken as the scheduler resumes a goroutine (a kGoRun
// event), where timer.due-at-resume applies.
std::vector<Violation> check_invariants(const introspect::Snapshot& snap, bool resuming = false);

// check_invariants with its indexes kept from one check to the next, for
// checking at every quiescent point of many runs without allocating.
// Invariant: between checks, by_goid_ holds the last snapshot's goroutines
// sorted by goid; out_ its violations.
class InvariantChecker {
 public:
  // As check_invariants; the result stays valid until the next check.
  const std::vector<Violation>& check(const introspect::Snapshot& snap, bool resuming = false);

 private:
  void report(const char* invariant, std::string detail);
  const introspect::Goroutine* find(uint64_t goid) const;
  void check_channel(const introspect::Channel& c);
  static bool one_select_on_both_sides(const introspect::Channel& c);
  void check_placement(const introspect::Goroutine& g);
  void check_current_g();
  void check_ms_and_ps();
  void check_waiters(const introspect::Channel& c);
  void check_wait_queues(const introspect::Goroutine& g);
  void check_lost_wakeups(const introspect::Channel& c);
  void check_semaphores();
  void check_timers(bool resuming);

  const introspect::Snapshot* snap_ = nullptr;
  std::vector<std::pair<uint64_t, const introspect::Goroutine*>> by_goid_;
  std::vector<std::pair<uint64_t, uint64_t>> queue_slots_;  // (goid, channel) of every queue slot, sorted
  std::vector<uint64_t> sema_goids_;                        // goids of every semaphore waiter, sorted
  std::vector<uint64_t> named_, queued_;                    // check_wait_queues' scratch
  std::vector<Violation> out_;
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_CHECK_INVARIANTS_H
