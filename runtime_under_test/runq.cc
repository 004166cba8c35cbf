// Run queues (Go's proc.go runqput/runqget/runqgrab/globrunqput/
// globrunqget): the local queue is a lock-free ring its owner puts into at
// the tail and anybody (the owner, a thief) takes from at the head by
// compare-exchange; runnext is claimed by compare-exchange too.
#include <cassert>

#include "m.h"
#include "mutant.h"
#include "proc.h"

namespace gort::rt {

bool runqempty(const P* pp) {
  // Go's loop: head, tail and runnext read consistently (a G moving from
  // runnext to the queue is never missed).
  for (;;) {
    uint32_t head = pp->runqhead.load(std::memory_order_acquire);
    uint32_t tail = pp->runqtail.load(std::memory_order_acquire);
    G* next = pp->runnext.load(std::memory_order_acquire);
    if (tail == pp->runqtail.load(std::memory_order_acquire)) return head == tail && next == nullptr;
  }
}

uint32_t runqlen(const P* pp) {
  return pp->runqtail.load(std::memory_order_relaxed) - pp->runqhead.load(std::memory_order_relaxed);
}

// Moves half the local queue plus gp to the global queue, in order, under
// one lock acquisition (Go's runqputslow). False if a thief took from the
// queue meanwhile: the caller tries the fast path again.
static bool runqputslow(Runtime& rt, P* pp, G* gp, uint32_t h, [[maybe_unused]] uint32_t t) {
  constexpr uint32_t n = kLocalRunqSize / 2;
  assert(t - h == kLocalRunqSize && "runqputslow: queue is not full");
  G* batch[n + 1];
  for (uint32_t i = 0; i < n; i++) batch[i] = pp->runq[(h + i) % kLocalRunqSize].load(std::memory_order_relaxed);
  if (!pp->runqhead.compare_exchange_strong(h, h + n, std::memory_order_release)) return false;
  batch[n] = gp;
  rt.sched.lock.lock();
  if (mutant_active(rt, Mutant::kRunqSpillDropsG)) {
    // coverage-excluded-next: the mutants build only: mutant runqputslow-drops-g
    for (uint32_t i = 0; i < n; i++) rt.sched.runq.push_back(batch[i]);  // mutant runqputslow-drops-g: not gp
  } else {
    for (G* g : batch) rt.sched.runq.push_back(g);
  }
  rt.sched.lock.unlock();
  return true;
}

void runqput(Runtime& rt, P* pp, G* gp, bool next) {
  assert(gp->status == Gstatus::kRunnable);
  assert(pp != nullptr);
  // Go's randomizeScheduler (race builds) puts a "next" G at the tail half
  // the time; in sim the chooser makes that call, in os it never happens.
  if (next && rt.decider.choose(Choice::kRunqPut, 2) == 1) next = false;
  if (next) {
    G* old = pp->runnext.load(std::memory_order_relaxed);
    // A thief may take the old runnext meanwhile: claim the slot by CAS.
    while (!pp->runnext.compare_exchange_strong(old, gp)) {
    }
    if (old == nullptr) return;
    gp = old;  // the kicked-out runnext goes to the tail
  }
  for (;;) {
    uint32_t h = pp->runqhead.load(std::memory_order_acquire);
    uint32_t t = pp->runqtail.load(std::memory_order_relaxed);
    if (t - h < kLocalRunqSize) {
      // coverage-excluded-begin: the mutants build only: mutant runqput-publishes-tail-first
      if (mutant_active(rt, Mutant::kRunqputTailBeforeSlot)) {
        pp->runqtail.store(t + 1, std::memory_order_release);
        pp->runq[t % kLocalRunqSize].store(gp, std::memory_order_release);
        return;
      }
      // coverage-excluded-end
      pp->runq[t % kLocalRunqSize].store(gp, std::memory_order_relaxed);
      pp->runqtail.store(t + 1, std::memory_order_release);
      return;
    }
    if (runqputslow(rt, pp, gp, h, t)) return;
  }
}

G* runqget_next(P* pp) {
  assert(pp != nullptr);
  G* next = pp->runnext.load(std::memory_order_relaxed);
  while (next != nullptr && !pp->runnext.compare_exchange_strong(next, nullptr)) {
  }
  return next;
}

G* runqget_head(Runtime& rt, P* pp) {
  for (;;) {
    uint32_t h = pp->runqhead.load(std::memory_order_acquire);
    uint32_t t = pp->runqtail.load(std::memory_order_relaxed);
    if (t == h) return nullptr;
    G* gp = pp->runq[h % kLocalRunqSize].load(std::memory_order_relaxed);
    // coverage-excluded-begin: the mutants build only: mutant runqget-no-cas
    if (mutant_active(rt, Mutant::kRunqgetNoCas)) {
      pp->runqhead.store(h + 1, std::memory_order_release);
      return gp;
    }
    // coverage-excluded-end
    if (pp->runqhead.compare_exchange_strong(h, h + 1, std::memory_order_release)) return gp;
  }
}

void globrunqput(Runtime& rt, G* gp) {
  rt.sched.lock.lock();
  rt.sched.runq.push_back(gp);
  rt.sched.lock.unlock();
}

G* globrunqget(Runtime& rt, P* pp, int32_t max) {
  assert(rt.sched.lock.held());
  int32_t size = rt.sched.runq.size;
  if (size == 0) return nullptr;
  int32_t n = size / rt.sched.gomaxprocs + 1;
  // Mutant globrunqget-one-too-many: the share is not capped at the queue's size.
  if (n > size && !mutant_active(rt, Mutant::kGlobrunqgetOneTooMany)) n = size;
  if (max > 0 && n > max) n = max;
  if (n > static_cast<int32_t>(kLocalRunqSize / 2)) n = kLocalRunqSize / 2;
  G* gp = rt.sched.runq.pop_front();
  for (n--; n > 0; n--) runqput(rt, pp, rt.sched.runq.pop_front(), false);
  return gp;
}

}  // namespace gort::rt
