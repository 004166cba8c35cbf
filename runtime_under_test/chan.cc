// Channels (Go's chan.go): make, send, receive, close.
//
// The paths are Go's: a send first hands its value straight to a parked
// receiver, then buffers, then parks; a receive first takes from a parked
// sender (through the buffer's head when it is full, so FIFO holds), then
// from the buffer, then parks. A parked G's sudog points at its own variable,
// and the partner moves the value in or out of it directly.
#include <cassert>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "context.h"
#include "hchan.h"
#include "mutant.h"
#include "proc.h"
#include "yield.h"

namespace gort::rt {
namespace {

// Go's maxAlloc on 64-bit Linux: a bigger buffer can never be allocated.
constexpr uint64_t kMaxAlloc = uint64_t{1} << 48;

// Releases, on g0, the lock the parking G held (chan_lock_released_by_park).
bool chanparkcommit(G*, void* lock) GORT_NO_THREAD_SAFETY_ANALYSIS {
  static_cast<platform::Lock*>(lock)->unlock();
  return true;
}

// Parks the current G on q of c (c locked) until a partner or close wakes
// it. Returns whether a value was passed (false: c was closed).
bool park_on(hchan* c, waitq& q, void* ep, WaitReason reason) GORT_RELEASE(c->lock) {
  Runtime& rt = *c->rt;
  G* gp = getg();
  sudog* sg = acquire_sudog(rt, getm()->p);
  sg->elem = ep;
  sg->g = gp;
  sg->is_select = false;
  sg->c = c;
  gp->waiting = sg;
  gp->param = nullptr;
  q.enqueue(sg);
  chan_check(c);
  gopark(chanparkcommit, &c->lock, reason);
  chan_lock_released_by_park(c);
  assert(gp->waiting == sg && "chan: woken with a different sudog");
  gp->waiting = nullptr;
  gp->param = nullptr;
  bool success = sg->success;
  if constexpr (platform::kSteerable) gp->chan_order = sg->chan_order;
  sg->elem = nullptr;
  sg->c = nullptr;
  release_sudog(getm()->p, sg);
  return success;
}

}  // namespace

void chan_lock(hchan* c) { c->lock.lock(); }

void hand_off(sudog* sg) {
  G* gp = sg->g;
  sg->elem = nullptr;
  gp->param = sg;
  sg->success = true;
  goready(gp, sg->c != nullptr ? sg->c->id : 0);
}

void chan_unlock(hchan* c) {
  chan_check(c);
  c->lock.unlock();
}

void chan_check(const hchan* c) {
  (void)c;
  assert(c->qcount <= c->dataqsiz && "chan: qcount out of range");
  assert((c->dataqsiz == 0 ? c->sendx == 0 && c->recvx == 0 : c->sendx == (c->recvx + c->qcount) % c->dataqsiz) &&
         "chan: sendx/recvx inconsistent with qcount");
  assert((c->qcount == 0 || c->recvq.empty()) && "chan: buffered values while receivers wait");
  assert((c->qcount == c->dataqsiz || c->sendq.empty() || c->dataqsiz == 0) &&
         "chan: room in the buffer while senders wait");
  assert((!c->closed || c->sendq.empty()) && "chan: closed with senders waiting");
}

namespace {

// Channel memory is one block: the hchan, then the buffer at the element's
// alignment. Blocks of up to kChanBlockClasses * kClassBytes bytes are kept
// on the P that frees them (PChans), so a program that makes channels in a
// loop, as Go's BenchmarkChanCreation does, reuses them without malloc and
// without a lock another M contends for.
constexpr size_t kClassBytes = 64;

size_t block_align(const detail::ElemOps* ops) { return ops->align > alignof(hchan) ? ops->align : alignof(hchan); }

size_t block_header(size_t align) { return (sizeof(hchan) + align - 1) & ~(align - 1); }

// The P of the M running this code, if it holds one (not when the run is
// torn down on the caller's thread).
P* current_p() {
  M* mp = getm();
  return mp != nullptr ? mp->p : nullptr;
}

void* alloc_block(PChans& pc, size_t bytes, size_t align) {
  if (align > alignof(std::max_align_t)) return ::operator new(bytes, std::align_val_t(align), std::nothrow);
  size_t cls = (bytes + kClassBytes - 1) / kClassBytes;
  if (cls > kChanBlockClasses) return std::malloc(bytes);
  void*& head = pc.blocks[cls - 1];
  if (void* b = head) {
    assert(pc.cached[cls - 1] > 0);
    head = *static_cast<void**>(b);
    pc.cached[cls - 1]--;
    return b;
  }
  return std::malloc(cls * kClassBytes);
}

// pp: where to keep the block for reuse; null: give it back now.
void free_block(P* pp, void* b, size_t bytes, size_t align) {
  if (align > alignof(std::max_align_t)) {
    ::operator delete(b, std::align_val_t(align));
    return;
  }
  size_t cls = (bytes + kClassBytes - 1) / kClassBytes;
  if (pp != nullptr && cls <= kChanBlockClasses && pp->chans.cached[cls - 1] < kChanBlocksPerClass) {
    *static_cast<void**>(b) = pp->chans.blocks[cls - 1];
    pp->chans.blocks[cls - 1] = b;
    pp->chans.cached[cls - 1]++;
    return;
  }
  std::free(b);
}

// The next channel id (Go's goid cache, for channels): unique in the run,
// increasing on each P.
uint64_t next_chan_id(Runtime& rt, PChans& pc) {
  if (pc.idcache == pc.idcacheend) {
    pc.idcache = rt.chanidgen.fetch_add(kChanIdCacheBatch) + 1;
    pc.idcacheend = pc.idcache + kChanIdCacheBatch;
  }
  assert(pc.idcache < pc.idcacheend);
  return pc.idcache++;
}

}  // namespace

void free_live_chans(Runtime& rt) {
  assert(getm() == nullptr && "free_live_chans: the run's Ms have all stopped");
  for (auto& pp : rt.allp) {
    for (;;) {
      pp->chans.lock.lock();
      hchan* c = pp->chans.live;
      pp->chans.lock.unlock();
      if (c == nullptr) break;
      chan_free(c);
    }
    for (size_t i = 0; i < kChanBlockClasses; i++) {
      while (void* b = pp->chans.blocks[i]) {
        pp->chans.blocks[i] = *static_cast<void**>(b);
        std::free(b);
      }
      pp->chans.cached[i] = 0;
    }
  }
}

hchan* makechan(Runtime& rt, const detail::ElemOps* ops, int64_t size) {
  assert(ops != nullptr);
  // Go's check: the buffer must fit below maxAlloc (math.MulUintptr).
  uint64_t mem = 0;
  if (size < 0 || __builtin_mul_overflow(static_cast<uint64_t>(size), uint64_t{ops->size}, &mem) ||
      mem > kMaxAlloc - sizeof(hchan)) {
    panic_runtime_error(rt, "makechan: size out of range");
  }
  P* pp = current_p();
  assert(pp != nullptr && "makechan: called on an M without a P");
  size_t align = block_align(ops);
  size_t header = block_header(align);
  void* block = alloc_block(pp->chans, header + mem, align);
  // coverage-excluded-next: malloc failed: the machine is out of memory
  if (block == nullptr) fatal(rt, "out of memory", "runtime: cannot allocate a channel buffer\n");
  auto* c = new (block) hchan;
  // Zero-size elements take no buffer; buf still points inside the block.
  c->buf = static_cast<unsigned char*>(block) + header;
  c->dataqsiz = static_cast<uint32_t>(size);
  c->ops = ops;
  c->rt = &rt;
  c->id = next_chan_id(rt, pp->chans);
  c->live_p = pp;
  chan_ref_add(c);
  pp->chans.lock.lock();
  c->live_next = pp->chans.live;
  if (pp->chans.live != nullptr) pp->chans.live->live_prev = c;
  pp->chans.live = c;
  pp->chans.lock.unlock();
  return c;
}

void chan_free(hchan* c) {
  uint32_t i = c->recvx;
  // The elements go first, outside the lock: one may be the last handle
  // to another channel, freed right here.
  for (uint32_t n = 0; n < c->qcount; n++, i = ring_next(c, i)) elem_destroy(c->ops, c->slot(i));
  PChans& owner = c->live_p->chans;
  owner.lock.lock();
  if (c->live_prev != nullptr)
    c->live_prev->live_next = c->live_next;
  else
    owner.live = c->live_next;
  if (c->live_next != nullptr) c->live_next->live_prev = c->live_prev;
  owner.lock.unlock();
  size_t align = block_align(c->ops);
  size_t bytes = block_header(align) + static_cast<size_t>(c->dataqsiz) * c->ops->size;
  c->~hchan();
  free_block(current_p(), c, bytes, align);
}

// Inlined into the public entry points below (the only callers outside
// this file go through them): one call per channel operation, not two.
[[gnu::always_inline]] inline bool chansend(hchan* c, void* ep, bool block) {
  if (c == nullptr) {
    if (!block) return false;
    gopark(nullptr, nullptr, WaitReason::kChanSendNilChan);
    __builtin_unreachable();  // nobody can ready a G parked on nothing
  }
  // Fast path: a non-blocking send that cannot proceed fails without the lock.
  // coverage-excluded-next: dead here: chansend_nonblocking makes this check first; a timer's channel is never full
  if (!block && !chan_closed_unlocked(c) && chan_full(c)) return false;

  chan_lock(c);
  if (c->closed) {
    chan_unlock(c);
    panic_runtime_error(*c->rt, "send on closed channel");
  }
  if (sudog* sg = c->recvq.dequeue()) {
    give_to_receiver(c, sg, ep);
    took_effect(c, sg);
    chan_unlock(c);
    hand_off(sg);
    return true;
  }
  if (c->qcount < c->dataqsiz) {
    buf_put(c, ep);
    took_effect(c, nullptr);
    chan_unlock(c);
    return true;
  }
  // coverage-excluded-next: a non-blocking op that passed the unlocked fast path but cannot proceed under the lock:
  // another M raced it (several Ms only)
  if (!block) {
    chan_unlock(c);
    return false;
  }
  if (c->dataqsiz == 0 && mutant_active(*c->rt, Mutant::kUnbufferedSendWithoutReceiver)) {
    // Mutant unbuffered-send-no-rendezvous: done, with nobody to take the value.
    took_effect(c, nullptr);
    chan_unlock(c);
    return true;
  }
  if (!park_on(c, c->sendq, ep, WaitReason::kChanSend)) {
    // Woken by close.
    panic_runtime_error(*c->rt, "send on closed channel");
  }
  return true;
}

// Returns selected; *received is false when c is closed and drained.
[[gnu::always_inline]] inline bool chanrecv(hchan* c, void* ep, bool block, bool* received) {
  *received = false;
  if (c == nullptr) {
    if (!block) return false;
    gopark(nullptr, nullptr, WaitReason::kChanReceiveNilChan);
    __builtin_unreachable();
  }
  // Fast path: an empty channel fails a non-blocking receive, unless it is
  // closed (then it is drained: the zero value, not ok).
  if (!block && chan_empty_acquire(c)) {
    // coverage-excluded-next: dead here: chanrecv_nonblocking makes this check first, and only it calls with !block
    if (!chan_closed_acquire(c)) return false;
    if (chan_empty(c)) {
      if (ep != nullptr) c->ops->assign_zero(ep);
      took_no_effect(c);
      return true;
    }
  }

  chan_lock(c);
  if (c->closed) {
    // Mutant closed-recv-drops-buffer: closed means drained, buffered values or not.
    if (c->qcount == 0 || mutant_active(*c->rt, Mutant::kClosedRecvDropsBuffer)) {
      took_no_effect(c);
      chan_unlock(c);
      if (ep != nullptr) c->ops->assign_zero(ep);
      // Mutant closed-recv-ok: the zero value comes with ok = true.
      if (mutant_active(*c->rt, Mutant::kClosedRecvReportsOk)) *received = true;
      return true;
    }
    // Closed with values buffered: they are received first.
  } else if (sudog* sg = c->sendq.dequeue()) {
    if (c->dataqsiz > 0 && mutant_active(*c->rt, Mutant::kBufferedRecvNoRefill)) {
      // Mutant buffered-recv-no-refill: the head is taken, the sender's value never reaches the tail.
      buf_take(c, ep);
    } else {
      take_from_sender(c, sg, ep);
    }
    took_effect(c, sg);
    chan_unlock(c);
    hand_off(sg);
    *received = true;
    return true;
  }
  if (c->qcount > 0) {
    buf_take(c, ep);
    took_effect(c, nullptr);
    chan_unlock(c);
    *received = true;
    return true;
  }
  // coverage-excluded-next: a non-blocking op that passed the unlocked fast path but cannot proceed under the lock:
  // another M raced it (several Ms only)
  if (!block) {
    chan_unlock(c);
    return false;
  }
  *received = park_on(c, c->recvq, ep, WaitReason::kChanReceive);
  return true;
}

void closechan(hchan* c) {
  if (c == nullptr) panic_runtime_error(*getg()->rt, "close of nil channel");
  // Mutant close-reads-queues-unlocked: whether anyone waits is decided
  // before the lock, a window in which a G on another M can park.
  const bool queues_seen_empty =
      mutant_active(*c->rt, Mutant::kCloseReadsQueuesUnlocked) && c->recvq.empty() && c->sendq.empty();
  chan_lock(c);
  if (c->closed) {
    chan_unlock(c);
    panic_runtime_error(*c->rt, "close of closed channel");
  }
  set_relaxed(c->closed, true);
  took_effect(c, nullptr);

  // Every receiver gets the zero value, every sender a panic (once it runs).
  // They are readied after the lock is released, in queue order, receivers
  // first, as Go does.
  G* ready_head = nullptr;
  G** ready_tail = &ready_head;
  for (waitq* q : {&c->recvq, &c->sendq}) {
    // Mutant close-no-wake-senders: the senders stay parked on the closed channel.
    if (q == &c->sendq && mutant_active(*c->rt, Mutant::kCloseLeavesSendersParked)) break;
    if (queues_seen_empty) break;  // coverage-excluded: the mutants build only: mutant close-reads-queues-unlocked
    while (sudog* sg = q->dequeue()) {
      if (q == &c->recvq && sg->elem != nullptr) c->ops->assign_zero(sg->elem);
      sg->elem = nullptr;
      sg->success = false;
      if constexpr (platform::kSteerable) sg->chan_order = c->ops_done;
      G* gp = sg->g;
      gp->param = sg;
      gp->schedlink = nullptr;
      *ready_tail = gp;
      ready_tail = &gp->schedlink;
    }
  }
  chan_unlock(c);
  while (G* gp = ready_head) {
    ready_head = gp->schedlink;
    gp->schedlink = nullptr;
    goready(gp, c->id);
  }
}

void chansend_from_timer(hchan* c, void* ep) {
  chan_lock(c);
  bool closed = c->closed;
  chan_unlock(c);
  // The scheduler sends (goid 0 in the trace), as Go's sendTime does.
  if (!closed && chansend(c, ep, /*block=*/false)) {
    trace_chan_value(*c->rt, EventKind::kChanSend, 0, c->id, ep, c->ops->size, c->ops->trivial, 0, getg()->chan_order);
  }
}

}  // namespace gort::rt

// The public entry points (include/gort/chan.h), here rather than in api.cc
// so that the compiler can inline the paths above into them.
namespace gort::detail {
namespace {

rt::G* goroutine_or_abort(const char* what) {
  return rt::goroutine_or_abort(what, "use a channel inside the run that made it");
}

// Whether ref's channel belongs to the current run: the one question asked
// of a handle before its channel is read, answered from the handle alone.
bool of_current_run(ChanRef ref) {
  rt::G* gp = rt::getg();
  return gp != nullptr && ref.run == gp->rt->run_id;
}

// The channel of a handle used by gp: nil, or one of gp's run. A handle
// kept from another run points at memory that run freed; it is never read.
rt::hchan* chan_of(rt::G* gp, ChanRef ref) {
  if (ref.c != nullptr && ref.run != gp->rt->run_id) rt::fatal_foreign_chan(*gp->rt);
  return ref.c;
}

// A completed operation, for the tracer and the after-op fault site.
void op_done(rt::G* gp, EventKind kind, rt::hchan* c, void* elem, int64_t aux) {
  rt::trace_chan_value(*gp->rt, kind, gp->goid, c->id, elem, c->ops->size, c->ops->trivial, aux, gp->chan_order);
  rt::after_op_fault_points(gp);
}

}  // namespace

ChanRef makechan(const ElemOps* ops, int64_t size) {
  rt::G* gp = goroutine_or_abort("gort::make_chan");
  rt::count_step(*gp->rt);
  rt::hchan* c = rt::makechan(*gp->rt, ops, size);
  rt::trace_event(*gp->rt, EventKind::kChanMake, gp->goid, c->id, size);
  return ChanRef{c, gp->rt->run_id};
}

// References count only within the channel's run: anywhere else (outside
// any run, or in a later one) the channel is gone, or will be freed by its
// own run's end, so a copy or a destruction there does nothing.
void chan_retain(ChanRef ref) {
  if (of_current_run(ref)) rt::chan_ref_add(ref.c);
}

void chan_release(ChanRef ref) {
  if (of_current_run(ref) && rt::chan_ref_drop(ref.c)) rt::chan_free(ref.c);
}

void chansend(ChanRef ref, void* elem) {
  rt::G* gp = goroutine_or_abort("Chan::send");
  rt::count_step(*gp->rt);
  rt::hchan* c = chan_of(gp, ref);
  rt::yield_point(gp, FaultSite::kPanicBeforeChanOp);
  rt::chansend(c, elem, /*block=*/true);
  op_done(gp, EventKind::kChanSend, c, elem, 0);
}

bool chansend_nonblocking(ChanRef ref, void* elem) {
  rt::G* gp = goroutine_or_abort("Chan::try_send");
  rt::count_step(*gp->rt);
  rt::hchan* c = chan_of(gp, ref);
  rt::yield_point(gp, FaultSite::kPanicBeforeChanOp);
  // Go's fast path: an open channel that would block fails at once, unlocked.
  if (c != nullptr && !rt::chan_closed_unlocked(c) && rt::chan_full(c)) return false;
  if (!rt::chansend(c, elem, /*block=*/false)) return false;
  op_done(gp, EventKind::kChanSend, c, elem, 0);
  return true;
}

bool chanrecv(ChanRef ref, void* elem) {
  rt::G* gp = goroutine_or_abort("Chan::recv");
  rt::count_step(*gp->rt);
  rt::hchan* c = chan_of(gp, ref);
  rt::yield_point(gp, FaultSite::kPanicBeforeChanOp);
  bool received = false;
  rt::chanrecv(c, elem, /*block=*/true, &received);
  op_done(gp, EventKind::kChanRecv, c, elem, received);
  return received;
}

bool chanrecv_nonblocking(ChanRef ref, void* elem, bool* ok) {
  rt::G* gp = goroutine_or_abort("Chan::try_recv");
  rt::count_step(*gp->rt);
  rt::hchan* c = chan_of(gp, ref);
  rt::yield_point(gp, FaultSite::kPanicBeforeChanOp);
  // Empty first, then closed (hchan.h, chan_empty_acquire): the other
  // order fails a receive on a channel that is closed and drained between
  // the two reads although it was ready all along (Go's TestNonblockRecvRace).
  if (c != nullptr && rt::chan_empty_acquire(c) && !rt::chan_closed_unlocked(c)) {
    *ok = false;
    return false;
  }
  if (!rt::chanrecv(c, elem, /*block=*/false, ok)) return false;
  op_done(gp, EventKind::kChanRecv, c, elem, *ok);
  return true;
}

void closechan(ChanRef ref) {
  rt::G* gp = goroutine_or_abort("Chan::close");
  rt::count_step(*gp->rt);
  rt::hchan* c = chan_of(gp, ref);
  rt::yield_point(gp, FaultSite::kPanicBeforeChanOp);
  rt::closechan(c);
  rt::trace_chan_value(*gp->rt, EventKind::kChanClose, gp->goid, c->id, nullptr, 0, false, 0, gp->chan_order);
}

void observe_chan_op(EventKind kind, const rt::hchan* c, const void* elem, uint8_t elem_size, int64_t aux) {
  rt::G* gp = goroutine_or_abort("a channel operation's observation");
  // A nil channel's operations block forever or panic: none returns here.
  rt::trace_chan_value(*gp->rt, kind, gp->goid, c != nullptr ? c->id : 0, elem, elem_size, /*trivial=*/true, aux, 0);
}

// len and cap of the nil channel are 0 anywhere; of any other channel only
// inside its run.
int chanlen(ChanRef ref) {
  if (ref.c == nullptr) return 0;
  return static_cast<int>(chan_of(goroutine_or_abort("Chan::len"), ref)->qcount);
}
int chancap(ChanRef ref) {
  if (ref.c == nullptr) return 0;
  return static_cast<int>(chan_of(goroutine_or_abort("Chan::cap"), ref)->dataqsiz);
}

}  // namespace gort::detail
