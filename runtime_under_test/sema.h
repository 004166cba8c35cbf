// Semaphores (Go's sema.go): the table of roots the runtime keeps for the
// sync package's semaphores and notify lists.
//
// A semaphore is a uint32_t in the program's memory; the runtime keeps
// only its waiters. An address hashes to one of kSemTabSize roots; each
// root holds a tree of the addresses that have waiters, ordered by
// address and balanced as a treap (heap-ordered by a random priority,
// from the run's seeded random source), and each address in the tree
// heads the FIFO of its own waiters. nwait lets a release skip the lock
// when nobody waits on the root.
#ifndef GORT_SEMA_H
#define GORT_SEMA_H

#include <cstdint>

#include "platform/platform.h"
#include "platform/random.h"
#include "sudog.h"

namespace gort::rt {

class Runtime;

// Invariants, under lock: every sudog reachable from treap (through
// prev/next, then waitlink) is the sudog of a Gwaiting G parked with the
// semacquire reason, queued on exactly one address (elem); the tree is
// ordered by elem (prev: lower, next: higher) and each node's ticket is no
// greater than its children's; nwait counts the Gs that announced they
// may park here (queued ones, and ones about to look again).
struct alignas(64) SemaRoot {
  platform::Lock lock{platform::LockRank::kSemaRoot};
  sudog* treap GORT_GUARDED_BY(lock) = nullptr;
  platform::Atomic<uint32_t> nwait{0};
  // The treap's priorities (Go: fastrand); seeded per run, so a run's
  // trees are a pure function of its seed.
  platform::Wyrand priorities GORT_GUARDED_BY(lock){0x5e3a};
};

inline constexpr uint32_t kSemTabSize = 251;  // Go's semTabSize: a prime

struct SemTable {
  SemaRoot roots[kSemTabSize];
};

// The root of addr (Go's semroot: the address over 8, modulo the size).
inline SemaRoot& semroot(SemTable& t, const void* addr) {
  return t.roots[(reinterpret_cast<uintptr_t>(addr) >> 3) % kSemTabSize];
}

// Visits every queued waiter of every root (the tree in preorder, each
// address's waiters in queue order), for the runtime's introspection.
// Walks by parent links: no recursion, no allocation. Caller makes sure
// no M changes the roots meanwhile (a snapshot: every M stopped).
template <class F>
void for_each_sema_waiter(SemTable& t, F&& f) GORT_NO_THREAD_SAFETY_ANALYSIS {
  for (SemaRoot& root : t.roots) {
    sudog* n = root.treap;
    const sudog* came_from = nullptr;
    while (n != nullptr) {
      if (came_from == n->parent) {  // first arrival, from above
        for (sudog* w = n; w != nullptr; w = w->waitlink) f(root, *w);
        if (n->prev != nullptr || n->next != nullptr) {
          came_from = n;
          n = n->prev != nullptr ? n->prev : n->next;
          continue;
        }
      } else if (came_from == n->prev && n->next != nullptr) {  // back from the left subtree
        came_from = n;
        n = n->next;
        continue;
      }
      came_from = n;
      n = n->parent;
    }
  }
}

}  // namespace gort::rt

#endif  // GORT_SEMA_H
