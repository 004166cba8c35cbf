// Run queues (Go's proc.go runqput/runqget/globrunqput/globrunqget).
#include <cassert>

#include "mutant.h"
#include "proc.h"

namespace gort::rt {

bool runqempty(const P* pp) {
  return pp->runqhead.load(std::memory_order_relaxed) == pp->runqtail.load(std::memory_order_relaxed) &&
         pp->runnext == nullptr;
}

uint32_t runqlen(const P* pp) {
  return pp->runqtail.load(std::memory_order_relaxed) - pp->runqhead.load(std::memory_order_relaxed);
}

// Moves half the local queue plus gp to the global queue, in order, under
// one lock acquisition (Go's runqputslow).
static void runqputslow(Runtime& rt, P* pp, G* gp) {
  constexpr uint32_t n = kLocalRunqSize / 2;
  uint32_t h = pp->runqhead.load(std::memory_order_acquire);
  assert(pp->runqtail.load(std::memory_order_relaxed) - h == kLocalRunqSize && "runqputslow: queue is not full");
  G* batch[n + 1];
  for (uint32_t i = 0; i < n; i++) batch[i] = pp->runq[(h + i) % kLocalRunqSize];
  pp->runqhead.store(h + n, std::memory_order_release);
  batch[n] = gp;
  rt.sched.lock.lock();
  if (mutant_active(rt, Mutant::kRunqSpillDropsG)) {
    // coverage-excluded-next: the mutants build only: mutant runqputslow-drops-g
    for (uint32_t i = 0; i < n; i++) rt.sched.runq.push_back(batch[i]);  // mutant runqputslow-drops-g: not gp
  } else {
    for (G* g : batch) rt.sched.runq.push_back(g);
  }
  rt.sched.lock.unlock();
}

void runqput(Runtime& rt, P* pp, G* gp, bool next) {
  assert(gp->status == Gstatus::kRunnable);
  // Go's randomizeScheduler (race builds) puts a "next" G at the tail half
  // the time; in sim the chooser makes that call, in os it never happens.
  if (next && rt.decider.choose(Choice::kRunqPut, 2) == 1) next = false;
  if (next) {
    G* old = pp->runnext;
    pp->runnext = gp;
    if (old == nullptr) return;
    gp = old;  // the kicked-out runnext goes to the tail
  }
  uint32_t h = pp->runqhead.load(std::memory_order_acquire);
  uint32_t t = pp->runqtail.load(std::memory_order_relaxed);
  if (t - h < kLocalRunqSize) {
    pp->runq[t % kLocalRunqSize] = gp;
    pp->runqtail.store(t + 1, std::memory_order_release);
    return;
  }
  runqputslow(rt, pp, gp);
}

G* runqget_head(P* pp) {
  uint32_t h = pp->runqhead.load(std::memory_order_acquire);
  uint32_t t = pp->runqtail.load(std::memory_order_relaxed);
  if (t == h) return nullptr;
  G* gp = pp->runq[h % kLocalRunqSize];
  pp->runqhead.store(h + 1, std::memory_order_release);
  return gp;
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
