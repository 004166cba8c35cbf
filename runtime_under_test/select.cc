// select (Go's select.go selectgo).
//
// Pass 1 polls the cases in a random order (drawn from the Decider, so sim
// runs choose it) with every channel locked, in one global order so that
// two selects can never deadlock each other. If no case can proceed and the
// select may block, pass 2 enqueues a sudog on every channel and parks; the
// first partner to claim the G (select_done 0 -> 1) wins. Pass 3, after the
// wake-up, takes the other sudogs off their queues.
#include "gort/select.h"

#include <cassert>
#include <cstdio>

#include "context.h"
#include "hchan.h"
#include "mutant.h"
#include "proc.h"

namespace gort::rt {
namespace {

// The three functions below take or release an array of channel locks,
// which the thread-safety analysis cannot name: it is off for them; lock
// ranking checks the order at run time instead.
void sellock(const SelectCase* cases, const uint16_t* lockorder, int n) GORT_NO_THREAD_SAFETY_ANALYSIS {
  hchan* last = nullptr;
  for (int i = 0; i < n; i++) {
    hchan* c = cases[lockorder[i]].c;
    if (c != last) chan_lock(c);  // duplicates are adjacent in lock order
    last = c;
  }
}

void selunlock(const SelectCase* cases, const uint16_t* lockorder, int n) GORT_NO_THREAD_SAFETY_ANALYSIS {
  // Backwards, like Go: the last unlock may free the select's own frame in
  // Go; here it keeps the order symmetric with sellock.
  for (int i = n - 1; i >= 0; i--) {
    hchan* c = cases[lockorder[i]].c;
    if (i > 0 && c == cases[lockorder[i - 1]].c) continue;  // unlock once
    chan_unlock(c);
  }
}

// gopark's commit for a select: all the channels unlock only once the G is
// waiting, so that no partner can find it half-parked.
bool selparkcommit(G* gp, void*) GORT_NO_THREAD_SAFETY_ANALYSIS {
  hchan* last = nullptr;
  for (sudog* sg = gp->waiting; sg != nullptr; sg = sg->waitlink) {
    if (sg->c != last && last != nullptr) chan_unlock(last);
    last = sg->c;
  }
  if (last != nullptr) chan_unlock(last);
  return true;
}

// Heap sort of lockorder by channel id (Go sorts by address, with the same
// heap sort: O(n log n) and no allocation).
void sort_lockorder(const SelectCase* cases, uint16_t* order, int n) {
  auto key = [&](int i) { return cases[order[i]].c->id; };
  auto sift_down = [&](int root, int end) {
    for (;;) {
      int child = 2 * root + 1;
      if (child >= end) return;
      if (child + 1 < end && key(child + 1) > key(child)) child++;
      if (key(root) >= key(child)) return;
      uint16_t t = order[root];
      order[root] = order[child];
      order[child] = t;
      root = child;
    }
  };
  for (int i = n / 2 - 1; i >= 0; i--) sift_down(i, n);
  for (int end = n - 1; end > 0; end--) {
    uint16_t t = order[0];
    order[0] = order[end];
    order[end] = t;
    sift_down(0, end);
  }
}

}  // namespace

int selectgo(Runtime& rt, const SelectCase* cases, size_t ncases, bool block, bool* recv_ok) {
  G* gp = getg();
  if (ncases > kMaxSelectCases) fatal(rt, "select: too many cases (Go allows 65536)");
  // pollorder and lockorder: on the stack for small selects, in the G's
  // scratch for big ones (no allocation per select once it has grown).
  constexpr size_t kInline = 32;
  uint16_t inline_orders[2 * kInline];
  uint16_t* pollorder = inline_orders;
  if (ncases > kInline) {
    if (gp->select_scratch.size() < 2 * ncases) gp->select_scratch.resize(2 * ncases);
    pollorder = gp->select_scratch.data();
  }

  // A uniformly random permutation of the cases with a channel (Fisher-Yates
  // as Go does it); nil-channel cases are left out and never proceed.
  int norder = 0;
  for (size_t i = 0; i < ncases; i++) {
    if (cases[i].c == nullptr) continue;
    // Mutant select-poll-order-fixed: every case keeps its place (j = norder).
    uint32_t j = mutant_active(rt, Mutant::kSelectPollOrderFixed)
                     // coverage-excluded-next: the mutants build only: mutant select-poll-order-fixed
                     ? static_cast<uint32_t>(norder)
                     : rt.decider.choose(Choice::kSelectOrder, static_cast<uint32_t>(norder + 1));
    pollorder[norder] = pollorder[j];
    pollorder[j] = static_cast<uint16_t>(i);
    norder++;
  }
  if (norder == 0 && block) {
    // No cases (or only nil channels): block forever.
    gopark(nullptr, nullptr, ncases == 0 ? WaitReason::kSelectNoCases : WaitReason::kSelect);
    __builtin_unreachable();
  }
  uint16_t* lockorder = pollorder + (ncases > kInline ? ncases : kInline);
  for (int i = 0; i < norder; i++) lockorder[i] = pollorder[i];
  // Mutant select-lock-arrival-order: channels are locked in poll order.
  if (!mutant_active(rt, Mutant::kSelectLocksInPollOrder)) sort_lockorder(cases, lockorder, norder);
  sellock(cases, lockorder, norder);

  // Pass 1: the first ready case in poll order.
  int casi = -1;
  sudog* sg = nullptr;
  enum { kNone, kSend, kBufSend, kSendClosed, kRecv, kBufRecv, kRecvClosed } how = kNone;
  for (int k = 0; k < norder && how == kNone; k++) {
    casi = pollorder[k];
    hchan* c = cases[casi].c;
    if (cases[casi].is_send) {
      if (c->closed)
        how = kSendClosed;
      else if ((sg = c->recvq.dequeue()) != nullptr)
        how = kSend;
      else if (c->qcount < c->dataqsiz)
        how = kBufSend;
    } else {
      if ((sg = c->sendq.dequeue()) != nullptr)
        how = kRecv;
      else if (c->qcount > 0)
        how = kBufRecv;
      else if (c->closed)
        how = kRecvClosed;
    }
  }

  if (how == kNone) {
    if (!block) {
      selunlock(cases, lockorder, norder);
      return -1;
    }
    // Pass 2: a sudog on every channel, in lock order, then park.
    P* const parked_on = getm()->p;  // the wake-up may come back on another M and P
    sudog** nextp = &gp->waiting;
    for (int k = 0; k < norder; k++) {
      int i = lockorder[k];
      sudog* s = acquire_sudog(rt, parked_on);
      s->g = gp;
      s->is_select = true;
      s->elem = cases[i].elem;
      s->c = cases[i].c;
      *nextp = s;
      nextp = &s->waitlink;
      if (cases[i].is_send)
        cases[i].c->sendq.enqueue(s);
      else
        cases[i].c->recvq.enqueue(s);
    }
    gp->param = nullptr;
    gopark(selparkcommit, nullptr, WaitReason::kSelect);

    // Pass 3: the winner is the sudog the waker handed over in param; every
    // other sudog comes off its queue (unless a partner dropped it already).
    sellock(cases, lockorder, norder);
    gp->select_done.store(0);
    auto* won = static_cast<sudog*>(gp->param);
    gp->param = nullptr;
    casi = -1;
    bool success = false;
    sudog* s = gp->waiting;
    gp->waiting = nullptr;
    P* const pp = getm()->p;  // this M's P now: the sudogs go to its cache
    for (int k = 0; k < norder; k++) {
      int i = lockorder[k];
      if (s == won) {
        casi = i;
        success = s->success;
        if constexpr (platform::kSteerable) gp->chan_order = s->chan_order;
      } else if (mutant_active(rt, Mutant::kSelectKeepsLosingSudogs)) {
        // Mutant select-keeps-losing-sudogs: the loser stays on its channel's queue.
      } else if (cases[i].is_send) {
        cases[i].c->sendq.remove(s);
      } else {
        cases[i].c->recvq.remove(s);
      }
      sudog* next = s->waitlink;
      s->waitlink = nullptr;
      s->elem = nullptr;
      s->c = nullptr;
      release_sudog(pp, s);
      s = next;
    }
    // coverage-excluded-next: a broken runtime: a select woken with no winning case
    if (casi < 0) fatal(rt, "selectgo: bad wakeup");
    selunlock(cases, lockorder, norder);
    if (cases[casi].is_send) {
      if (!success) panic_runtime_error(rt, "send on closed channel");
    } else {
      if (cases[casi].ok != nullptr) *cases[casi].ok = success;
      *recv_ok = success;
    }
    return casi;
  }

  // A case of pass 1 proceeds, with every channel locked.
  const SelectCase& cas = cases[casi];
  hchan* c = cas.c;
  switch (how) {
    case kSend:
      give_to_receiver(c, sg, cas.elem);
      took_effect(c, sg);
      break;
    case kBufSend:
      buf_put(c, cas.elem);
      took_effect(c, nullptr);
      break;
    case kRecv:
      take_from_sender(c, sg, cas.elem);
      took_effect(c, sg);
      break;
    case kBufRecv:
      buf_take(c, cas.elem);
      took_effect(c, nullptr);
      break;
    case kRecvClosed:
      if (cas.elem != nullptr) c->ops->assign_zero(cas.elem);
      took_no_effect(c);
      break;
    case kSendClosed:
    case kNone:
      break;
  }
  selunlock(cases, lockorder, norder);
  if (how == kSendClosed) panic_runtime_error(rt, "send on closed channel");
  if (!cas.is_send) {
    *recv_ok = how != kRecvClosed;
    if (cas.ok != nullptr) *cas.ok = *recv_ok;
  }
  if (how == kSend || how == kRecv) hand_off(sg);
  return casi;
}

}  // namespace gort::rt
