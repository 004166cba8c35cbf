// Channels (Go's chan.go): make, send, receive, close.
//
// The paths are Go's: a send first hands its value straight to a parked
// receiver, then buffers, then parks; a receive first takes from a parked
// sender (through the buffer's head when it is full, so FIFO holds), then
// from the buffer, then parks. A parked G's sudog points at its own variable,
// and the partner moves the value in or out of it directly.
#include <cassert>
#include <cstdlib>
#include <new>

#include "context.h"
#include "hchan.h"
#include "proc.h"

namespace gort::rt {
namespace {

// Go's maxAlloc on 64-bit Linux: a bigger buffer can never be allocated.
constexpr uint64_t kMaxAlloc = uint64_t{1} << 48;

bool chanparkcommit(G*, void* lock) {
  static_cast<platform::Lock*>(lock)->unlock();
  return true;
}

// A send to a parked receiver: the value goes straight into its variable.
// Called with c locked; unlocks it.
void send_direct(hchan* c, sudog* sg, void* ep) {
  if (sg->elem != nullptr) c->ops->assign_from(sg->elem, ep);
  sg->elem = nullptr;
  G* gp = sg->g;
  chan_unlock(c);
  gp->param = sg;
  sg->success = true;
  goready(gp);
}

// A receive from a parked sender. Unbuffered: straight from its variable.
// Full buffer: take the head, put the sender's value at the tail (the slot
// just freed), so the queue stays FIFO. Called with c locked; unlocks it.
void recv_direct(hchan* c, sudog* sg, void* ep) {
  if (c->dataqsiz == 0) {
    if (ep != nullptr) c->ops->assign_from(ep, sg->elem);
  } else {
    void* qp = c->slot(c->recvx);
    if (ep != nullptr) c->ops->assign_from(ep, qp);
    c->ops->assign_from(qp, sg->elem);
    c->recvx = (c->recvx + 1) % c->dataqsiz;
    c->sendx = c->recvx;
  }
  sg->elem = nullptr;
  G* gp = sg->g;
  chan_unlock(c);
  gp->param = sg;
  sg->success = true;
  goready(gp);
}

bool full(const hchan* c) {
  if (c->dataqsiz == 0) return c->recvq.empty();
  return c->qcount == c->dataqsiz;
}

bool empty(const hchan* c) {
  if (c->dataqsiz == 0) return c->sendq.empty();
  return c->qcount == 0;
}

// Parks the current G on q of c (c locked) until a partner or close wakes
// it. Returns whether a value was passed (false: c was closed).
bool park_on(hchan* c, waitq& q, void* ep, WaitReason reason) {
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
  assert(gp->waiting == sg && "chan: woken with a different sudog");
  gp->waiting = nullptr;
  gp->param = nullptr;
  bool success = sg->success;
  sg->elem = nullptr;
  sg->c = nullptr;
  release_sudog(getm()->p, sg);
  return success;
}

}  // namespace

void chan_lock(hchan* c) { c->lock.lock(); }

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

hchan* makechan(Runtime& rt, const detail::ElemOps* ops, int64_t size) {
  assert(ops != nullptr && ops->size > 0);
  if (size < 0 || static_cast<uint64_t>(size) > kMaxAlloc / ops->size ||
      static_cast<uint64_t>(size) * ops->size > kMaxAlloc - sizeof(hchan)) {
    panic_runtime_error(rt, "makechan: size out of range");
  }
  // One block: the hchan, then the buffer at the element's alignment.
  size_t align = ops->align > alignof(hchan) ? ops->align : alignof(hchan);
  size_t header = (sizeof(hchan) + align - 1) / align * align;
  size_t bytes = header + static_cast<size_t>(size) * ops->size;
  void* mem = ::operator new(bytes, std::align_val_t(align), std::nothrow);
  if (mem == nullptr) fatal(rt, "out of memory", "runtime: cannot allocate a channel buffer\n");
  auto* c = new (mem) hchan;
  c->buf = static_cast<unsigned char*>(mem) + header;
  c->dataqsiz = static_cast<uint32_t>(size);
  c->ops = ops;
  c->rt = &rt;
  c->refs = 1;
  c->id = rt.next_chan_id++;
  c->live_next = rt.live_chans;
  if (rt.live_chans != nullptr) rt.live_chans->live_prev = c;
  rt.live_chans = c;
  return c;
}

void chan_free(hchan* c) {
  Runtime& rt = *c->rt;
  for (uint32_t i = 0; i < c->qcount; i++) c->ops->destroy(c->slot((c->recvx + i) % c->dataqsiz));
  if (c->live_prev != nullptr)
    c->live_prev->live_next = c->live_next;
  else
    rt.live_chans = c->live_next;
  if (c->live_next != nullptr) c->live_next->live_prev = c->live_prev;
  size_t align = c->ops->align > alignof(hchan) ? c->ops->align : alignof(hchan);
  c->~hchan();
  ::operator delete(static_cast<void*>(c), std::align_val_t(align));
}

bool chansend(hchan* c, void* ep, bool block) {
  if (c == nullptr) {
    if (!block) return false;
    gopark(nullptr, nullptr, WaitReason::kChanSendNilChan);
    __builtin_unreachable();  // nobody can ready a G parked on nothing
  }
  // Fast path: a non-blocking send that cannot proceed fails without the lock.
  if (!block && !c->closed && full(c)) return false;

  chan_lock(c);
  if (c->closed) {
    chan_unlock(c);
    panic_runtime_error(*c->rt, "send on closed channel");
  }
  if (sudog* sg = c->recvq.dequeue()) {
    send_direct(c, sg, ep);
    return true;
  }
  if (c->qcount < c->dataqsiz) {
    c->ops->construct_from(c->slot(c->sendx), ep);
    c->sendx = (c->sendx + 1) % c->dataqsiz;
    c->qcount++;
    chan_unlock(c);
    return true;
  }
  if (!block) {
    chan_unlock(c);
    return false;
  }
  if (!park_on(c, c->sendq, ep, WaitReason::kChanSend)) {
    // Woken by close.
    panic_runtime_error(*c->rt, "send on closed channel");
  }
  return true;
}

bool chanrecv(hchan* c, void* ep, bool block, bool* received) {
  *received = false;
  if (c == nullptr) {
    if (!block) return false;
    gopark(nullptr, nullptr, WaitReason::kChanReceiveNilChan);
    __builtin_unreachable();
  }
  // Fast path: an empty channel fails a non-blocking receive, unless it is
  // closed (then it is drained: the zero value, not ok).
  if (!block && empty(c)) {
    if (!c->closed) return false;
    if (empty(c)) {
      if (ep != nullptr) c->ops->assign_zero(ep);
      return true;
    }
  }

  chan_lock(c);
  if (c->closed) {
    if (c->qcount == 0) {
      chan_unlock(c);
      if (ep != nullptr) c->ops->assign_zero(ep);
      return true;
    }
    // Closed with values buffered: they are received first.
  } else if (sudog* sg = c->sendq.dequeue()) {
    recv_direct(c, sg, ep);
    *received = true;
    return true;
  }
  if (c->qcount > 0) {
    void* qp = c->slot(c->recvx);
    if (ep != nullptr) c->ops->assign_from(ep, qp);
    c->ops->destroy(qp);
    c->recvx = (c->recvx + 1) % c->dataqsiz;
    c->qcount--;
    chan_unlock(c);
    *received = true;
    return true;
  }
  if (!block) {
    chan_unlock(c);
    return false;
  }
  *received = park_on(c, c->recvq, ep, WaitReason::kChanReceive);
  return true;
}

void closechan(hchan* c) {
  if (c == nullptr) panic_runtime_error(*getg()->rt, "close of nil channel");
  chan_lock(c);
  if (c->closed) {
    chan_unlock(c);
    panic_runtime_error(*c->rt, "close of closed channel");
  }
  c->closed = true;

  // Every receiver gets the zero value, every sender a panic (once it runs).
  // They are readied after the lock is released, in queue order, receivers
  // first, as Go does.
  G* ready_head = nullptr;
  G** ready_tail = &ready_head;
  for (waitq* q : {&c->recvq, &c->sendq}) {
    while (sudog* sg = q->dequeue()) {
      if (q == &c->recvq && sg->elem != nullptr) c->ops->assign_zero(sg->elem);
      sg->elem = nullptr;
      sg->success = false;
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
    goready(gp);
  }
}

void chansend_from_timer(hchan* c, void* ep) {
  chan_lock(c);
  bool closed = c->closed;
  chan_unlock(c);
  if (!closed) chansend(c, ep, /*block=*/false);
}

}  // namespace gort::rt
