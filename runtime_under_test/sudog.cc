// Wait queues and the sudog cache (Go's chan.go waitq, proc.go acquireSudog).
#include <cassert>

#include "g.h"
#include "mutant.h"
#include "proc.h"

namespace gort::rt {

void waitq::enqueue(sudog* sg) {
  if (first != nullptr && mutant_active(*sg->g->rt, Mutant::kWaitqLifo)) {
    // Mutant waitq-lifo: the newest waiter goes to the front.
    sg->prev = nullptr;
    sg->next = first;
    first->prev = sg;
    set_relaxed(first, sg);
    return;
  }
  sg->next = nullptr;
  sg->prev = last;
  if (last == nullptr)
    set_relaxed(first, sg);
  else
    last->next = sg;
  last = sg;
}

void waitq::remove(sudog* sg) {
  // Not queued (a waker already popped it): nothing to do.
  if (sg->prev == nullptr && first != sg) return;
  if (sg->prev != nullptr)
    sg->prev->next = sg->next;
  else
    set_relaxed(first, sg->next);
  if (sg->next != nullptr)
    sg->next->prev = sg->prev;
  else
    last = sg->prev;
  sg->next = sg->prev = nullptr;
}

sudog* waitq::dequeue() {
  for (;;) {
    sudog* sg = first;
    if (sg == nullptr) return nullptr;
    set_relaxed(first, sg->next);
    if (first == nullptr)
      last = nullptr;
    else
      first->prev = nullptr;
    sg->next = nullptr;
    // A select's other case already won: its G is or will be runnable and
    // will find this sudog gone when it cleans up. Skip it.
    if (sg->is_select) {
      uint32_t expected = 0;
      bool won = false;
      // coverage-excluded-begin: the mutants build only: mutant select-claim-not-atomic
      if (mutant_active(*sg->g->rt, Mutant::kSelectClaimNotAtomic)) {
        won = sg->g->select_done.load(std::memory_order_acquire) == 0;
        if (won) sg->g->select_done.store(1);
      } else {
        won = sg->g->select_done.compare_exchange_strong(expected, 1);
      }
      // coverage-excluded-end
      // Mutant dequeue-takes-won-select: the lost race is ignored.
      if (!won && !mutant_active(*sg->g->rt, Mutant::kDequeueTakesWonSelect)) continue;
    }
    return sg;
  }
}

sudog* acquire_sudog(Runtime& rt, P* pp) {
  sudog* sg = pp->sudogcache;
  if (sg != nullptr) {
    pp->sudogcache = sg->waitlink;
    sg->waitlink = nullptr;
    return sg;
  }
  auto owned = std::make_unique<sudog>();
  sg = owned.get();
  rt.heaplock.lock();
  rt.sudogs.push_back(std::move(owned));
  rt.heaplock.unlock();
  return sg;
}

void release_sudog(P* pp, sudog* sg) {
  assert(sg->elem == nullptr && sg->c == nullptr && sg->next == nullptr && sg->prev == nullptr &&
         sg->waitlink == nullptr && "release_sudog: sudog still in use");
  *sg = sudog{};
  sg->waitlink = pp->sudogcache;
  pp->sudogcache = sg;
}

}  // namespace gort::rt
