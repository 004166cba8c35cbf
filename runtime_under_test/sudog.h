// sudog: a G waiting on a channel or a semaphore (Go's runtime2.go sudog), and waitq, the
// FIFO of them a channel keeps for its parked senders and receivers.
#ifndef GORT_SUDOG_H
#define GORT_SUDOG_H

#include <cstdint>

#include "relaxed.h"

namespace gort::rt {

struct G;
struct hchan;

// Invariants: a sudog in use belongs to exactly one G (g) and is on at most
// one waitq (that of c); g->waiting lists every sudog of g's current park
// through waitlink. elem points at the waiting G's own variable (the value
// to send, or where to receive), on its stack; it is only touched with c's
// lock held. A free sudog sits on a P's cache with every field cleared.
struct sudog {
  G* g = nullptr;
  sudog* next = nullptr;  // in c's waitq
  sudog* prev = nullptr;
  void* elem = nullptr;
  hchan* c = nullptr;
  sudog* waitlink = nullptr;  // g->waiting list; also the P's free list
  bool is_select = false;
  // Set by the waker: true when a value was passed over c, false when c was
  // closed. Meaningful once g runs again.
  bool success = false;
  // Set by the waker with success: the number of the operation that
  // completed this one in c's order (hchan::ops_done; sim builds only).
  uint64_t chan_order = 0;
  // A semaphore waiter (sema.cc), under its root's lock. elem is the
  // semaphore's address; prev/next are its children in the root's tree of
  // addresses and parent its parent (only the first waiter of each address
  // is in the tree); waitlink/waittail list the other waiters of the same
  // address in order. ticket: the tree's heap priority while queued, a
  // notify list's ticket for a Cond waiter. handoff: set by semrelease when
  // it took the semaphore on the woken G's behalf.
  sudog* parent = nullptr;
  sudog* waittail = nullptr;
  uint32_t ticket = 0;
  bool handoff = false;
};

// Invariant: first..last are linked both ways; a sudog not in a queue has
// prev == nullptr and is not first.
struct waitq {
  sudog* first = nullptr;
  sudog* last = nullptr;

  // Read without the lock by the non-blocking fast paths (chan_full):
  // first is stored through set_relaxed.
  bool empty() const { return load_relaxed(first) == nullptr; }
  void enqueue(sudog* sg);
  // Pops the first sudog whose G can still take it: a sudog of a select
  // that another case already won is dropped on the way (Go's dequeue).
  sudog* dequeue();
  // Removes sg if it is still queued (a losing case of a select).
  void remove(sudog* sg);
};

}  // namespace gort::rt

#endif  // GORT_SUDOG_H
