// The dead-G cache (Go's gfput/gfget): a dead G keeps its stack, so the
// next newproc costs no mmap. Per-P list first, a global list behind it.
#include <cassert>

#include "proc.h"

namespace gort::rt {

void gfput(Runtime& rt, P* pp, G* gp) {
  assert(gp->status == Gstatus::kDead && gp->fn == nullptr);
  gp->schedlink = pp->gfree;
  pp->gfree = gp;
  pp->gfree_count++;
  if (pp->gfree_count < kGfreeLocalMax) return;
  // Spill to the global list until half remain, so other Ps can reuse them.
  rt.sched.lock.lock();
  while (pp->gfree_count > kGfreeLocalMax / 2) {
    G* g = pp->gfree;
    pp->gfree = g->schedlink;
    pp->gfree_count--;
    rt.sched.gfree.push_back(g);
  }
  rt.sched.lock.unlock();
}

G* gfget(Runtime& rt, P* pp) {
  if (pp->gfree == nullptr && rt.sched.gfree.size_unlocked() > 0) {
    rt.sched.lock.lock();
    while (pp->gfree_count < kGfreeLocalMax / 2 && rt.sched.gfree.size > 0) {
      G* g = rt.sched.gfree.pop_front();
      g->schedlink = pp->gfree;
      pp->gfree = g;
      pp->gfree_count++;
    }
    rt.sched.lock.unlock();
  }
  G* gp = pp->gfree;
  if (gp == nullptr) return nullptr;
  pp->gfree = gp->schedlink;
  pp->gfree_count--;
  gp->schedlink = nullptr;
  return gp;
}

}  // namespace gort::rt
