// hchan: a channel (Go's chan.go hchan).
#ifndef GORT_HCHAN_H
#define GORT_HCHAN_H

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "context.h"
#include "gort/chan.h"
#include "platform/platform.h"
#include "sudog.h"

namespace gort::rt {

class Runtime;
struct P;

// Invariants (Go's chan.go header), hold whenever
// `lock` is free; chan_check asserts them at every unlock in builds with
// assertions:
//   0 <= qcount <= dataqsiz; slots [recvx, recvx + qcount) mod dataqsiz
//   hold live values, every other slot is raw storage;
//   dataqsiz > 0: sendx == (recvx + qcount) % dataqsiz; else all three 0;
//   qcount > 0 implies recvq is empty (a receiver would have taken it);
//   qcount < dataqsiz implies sendq is empty (a sender would have buffered);
//   closed implies sendq is empty (close woke every sender).
// Both queues are non-empty at once only for one G selecting on both sides.
// lock protects every field but the lifetime ones, which belong to the run:
// refs changes in whichever goroutine copies or drops a handle (see
// chan_ref_add); id and live_p are set by makechan and never change;
// live_prev and live_next belong to live_p->chans.lock.
struct hchan {
  uint32_t qcount = 0;
  uint32_t dataqsiz = 0;
  unsigned char* buf = nullptr;  // dataqsiz slots of ops->size bytes
  const detail::ElemOps* ops = nullptr;
  bool closed = false;
  uint32_t sendx = 0;
  uint32_t recvx = 0;
  waitq recvq;
  waitq sendq;
  platform::Lock lock{platform::LockRank::kHchan};

  // Lifetime: handles (Chan<T>) count references; the run frees the rest.
  Runtime* rt = nullptr;
#if defined(GORT_PLATFORM_SIM)
  // Exact without an atomic: virtual Ms switch only at platform
  // operations, and none comes between a handle's read and write of it.
  int64_t refs = 0;
#else
  platform::Atomic<int64_t> refs{0};
#endif
  // Creation order within the run: select locks channels in this order
  // (Go sorts by address; an order that no allocator can perturb keeps sim
  // runs a pure function of their seed).
  uint64_t id = 0;
  P* live_p = nullptr;         // the P that made it: it is on that P's list
  hchan* live_prev = nullptr;  // of live channels (PChans::live)
  hchan* live_next = nullptr;
  // Operations that took effect on it (under lock), numbering them for the
  // trace (Event::order); sim builds only.
  uint64_t ops_done = 0;

  void* slot(uint32_t i) const { return buf + static_cast<size_t>(i) * ops->size; }
};

// A handle to c was copied.
inline void chan_ref_add(hchan* c) {
#if defined(GORT_PLATFORM_SIM)
  c->refs++;
#else
  c->refs.fetch_add(1, std::memory_order_relaxed);
#endif
}

// A handle to c was dropped; true if it was the last (the caller frees c).
// On threads, as any reference count: the drop releases this thread's
// uses of the channel, and the last one acquires every other thread's
// before the channel is freed (acq_rel on the decrement rather than a
// separate fence, which ThreadSanitizer does not model; on x86 the same
// instruction).
inline bool chan_ref_drop(hchan* c) {
#if defined(GORT_PLATFORM_SIM)
  return --c->refs == 0;
#else
  return c->refs.fetch_sub(1, std::memory_order_acq_rel) == 1;
#endif
}

// A trivially copyable element's bytes: the common sizes as fixed-size
// copies the compiler turns into plain moves, no call (Go's typedmemmove).
inline void elem_copy(void* dst, const void* src, size_t n) {
  switch (n) {
    case 0:
      return;
    case 1:
      std::memcpy(dst, src, 1);
      return;
    case 2:
      std::memcpy(dst, src, 2);
      return;
    case 4:
      std::memcpy(dst, src, 4);
      return;
    case 8:
      std::memcpy(dst, src, 8);
      return;
    case 16:
      std::memcpy(dst, src, 16);
      return;
    default:
      std::memcpy(dst, src, n);
      return;
  }
}

// Element moves: bytes for trivially copyable types, the type's own
// operations otherwise, nothing for zero-size types.
inline void elem_construct(const detail::ElemOps* o, void* dst, void* src) {
  if (o->trivial)
    elem_copy(dst, src, o->size);
  else
    o->construct_from(dst, src);
}
inline void elem_assign(const detail::ElemOps* o, void* dst, void* src) {
  if (o->trivial)
    elem_copy(dst, src, o->size);
  else
    o->assign_from(dst, src);
}
inline void elem_destroy(const detail::ElemOps* o, void* p) {
  if (!o->trivial) o->destroy(p);
}

// The next ring index (no division on the hot path).
inline uint32_t ring_next(const hchan* c, uint32_t i) { return i + 1 == c->dataqsiz ? 0 : i + 1; }

// Would a send block / would a receive block, read without the lock: the
// fast paths of non-blocking operations (Go's full/empty).
// qcount and closed are stored through set_relaxed for these readers.
inline bool chan_full(const hchan* c) {
  return c->dataqsiz == 0 ? c->recvq.empty() : load_relaxed(c->qcount) == c->dataqsiz;
}
inline bool chan_empty(const hchan* c) { return c->dataqsiz == 0 ? c->sendq.empty() : load_relaxed(c->qcount) == 0; }
inline bool chan_closed_unlocked(const hchan* c) { return load_relaxed(c->closed); }
// A non-blocking receive's fast path (Go's chanrecv) reads empty first,
// then closed, then empty again, and each read must stay after the one
// before: read in another order, a buffered channel that was open and not
// empty, then closed, then drained (by other critical sections of the same
// lock) can look open and empty, and the receive fails although the
// channel was ready at every moment. The acquire loads keep the reads
// after them in order (on ppc64le and arm64 the CPU would reorder plain
// loads; the compiler may anywhere). Unbuffered channels read the send
// queue, as Go's do: there the race needs a close with a blocked sender,
// which panics that sender anyway.
inline bool chan_empty_acquire(const hchan* c) {
  return c->dataqsiz == 0 ? c->sendq.empty() : load_acquire(c->qcount) == 0;
}
inline bool chan_closed_acquire(const hchan* c) { return load_acquire(c->closed); }

// The moves of a channel operation, shared by chan.cc and select.cc; each
// is called with c locked.

// Into the buffer's tail (qcount < dataqsiz).
inline void buf_put(hchan* c, void* ep) {
  elem_construct(c->ops, c->slot(c->sendx), ep);
  c->sendx = ring_next(c, c->sendx);
  set_relaxed(c->qcount, c->qcount + 1);
}

// Out of the buffer's head (qcount > 0); ep may be null (value dropped).
inline void buf_take(hchan* c, void* ep) {
  void* qp = c->slot(c->recvx);
  if (ep != nullptr) elem_assign(c->ops, ep, qp);
  elem_destroy(c->ops, qp);
  c->recvx = ring_next(c, c->recvx);
  set_relaxed(c->qcount, c->qcount - 1);
}

// A send meeting a parked receiver: straight into its variable.
inline void give_to_receiver(hchan* c, sudog* sg, void* ep) {
  if (sg->elem != nullptr) elem_assign(c->ops, sg->elem, ep);
}

// A receive meeting a parked sender. Unbuffered: straight from its
// variable. Full buffer: take the head and put the sender's value in the
// slot just freed (the tail), so the queue stays FIFO.
inline void take_from_sender(hchan* c, sudog* sg, void* ep) {
  if (c->dataqsiz == 0) {
    if (ep != nullptr) elem_assign(c->ops, ep, sg->elem);
    return;
  }
  void* qp = c->slot(c->recvx);
  if (ep != nullptr) elem_assign(c->ops, ep, qp);
  elem_assign(c->ops, qp, sg->elem);
  c->recvx = ring_next(c, c->recvx);
  c->sendx = c->recvx;
}

// An operation of the current G took effect on c (c locked), completing
// partner's too if there is one: both get its number in c's order, for the
// trace (Event::order). Sim builds only: os traces nothing.
inline void took_effect(hchan* c, sudog* partner) {
  if constexpr (platform::kSteerable) {
    const uint64_t n = ++c->ops_done;
    getg()->chan_order = n;
    if (partner != nullptr) partner->chan_order = n;
  }
}

// A receive from a closed, drained channel: it changes nothing, so it sits
// just after the last operation that did. Read unlocked on the fast path,
// which is fine in sim (virtual Ms switch only at platform operations).
inline void took_no_effect(const hchan* c) {
  if constexpr (platform::kSteerable) getg()->chan_order = c->ops_done;
}

// After the partner's value moved and the channel is unlocked: hand the
// sudog back to its G and make it runnable. (Safe unlocked: nobody else
// touches a sudog that has left its queue until its G runs.)
void hand_off(sudog* sg);

// Runtime-internal channel operations (chan.cc); the public wrappers are in
// api.cc. Each returns as Go's does.
hchan* makechan(Runtime& rt, const detail::ElemOps* ops, int64_t size);
void chan_free(hchan* c);  // destroys buffered values, frees the memory
// At the run's end, once every M has stopped: frees the channels still
// live and the Ps' cached channel memory.
void free_live_chans(Runtime& rt);
// (chansend and chanrecv themselves are internal to chan.cc, inlined into
// the public entry points; everything else goes through those.)
void closechan(hchan* c);
// For timers (run on g0): a non-blocking send that never panics, dropping
// the value when c is closed or full.
void chansend_from_timer(hchan* c, void* ep);

// Asserts the invariants above (no-op without assertions).
void chan_check(const hchan* c);

// The wait/wake hand-off both chan.cc and select.cc use.
void chan_lock(hchan* c) GORT_ACQUIRE(c->lock);
void chan_unlock(hchan* c) GORT_RELEASE(c->lock);
// A G parked with c's lock as gopark's lock: park_m released it on g0,
// after the switch, where the analysis cannot follow. This tells it so.
inline void chan_lock_released_by_park(hchan* c) GORT_RELEASE(c->lock) GORT_NO_THREAD_SAFETY_ANALYSIS { (void)c; }

}  // namespace gort::rt

#endif  // GORT_HCHAN_H
