// Semaphores and notify lists (Go's sema.go), the runtime half of the sync
// package (gort/sema.h is the whole interface between them).
//
// semacquire: take the semaphore if *addr > 0; otherwise announce a waiter
// (nwait), look again under the root's lock, and park on addr's queue.
// semrelease: increment *addr; if the root has waiters, dequeue addr's
// first and ready it. The order of those steps is what keeps a wake-up
// from being lost between Ms: the acquirer counts itself in nwait before
// its last look at *addr, and the releaser increments *addr before it
// reads nwait, so at least one of them sees the other.
#include "sema.h"

#include <cassert>
#include <cstdio>
#include <cstdlib>

#include "context.h"
#include "mutant.h"
#include "proc.h"
#include "yield.h"

namespace gort::rt {
namespace {

// The program's semaphore words are plain uint32_t in its memory: atomic
// here through the builtins (and, in sim, each a scheduling point like any
// platform atomic, so another virtual M may act between two of them).
inline void word_point() {
#if defined(GORT_PLATFORM_SIM)
  platform::sim_point();
#endif
}
uint32_t word_load(const uint32_t* p) {
  word_point();
  return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}
uint32_t word_add(uint32_t* p, uint32_t d) {
  word_point();
  return __atomic_add_fetch(p, d, __ATOMIC_SEQ_CST);
}
void word_store(uint32_t* p, uint32_t v) {
  word_point();
  __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

// Go's cansemacquire: decrements *addr if it is positive.
bool cansemacquire(Runtime& rt, uint32_t* addr) {
  for (;;) {
    uint32_t v = word_load(addr);
    if (v == 0) return false;
    // Mutant sema-acquire-not-atomic: a load and a store, not a CAS.
    if (mutant_active(rt, Mutant::kSemaAcquireNotAtomic)) {
      // coverage-excluded-begin: the mutants build only: mutant sema-acquire-not-atomic
      word_store(addr, v - 1);
      return true;
      // coverage-excluded-end
    }
    word_point();
    if (__atomic_compare_exchange_n(addr, &v, v - 1, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return true;
  }
}

uint64_t sema_trace_id(Runtime& rt, const void* addr) {
#if defined(GORT_PLATFORM_SIM)
  return sync_object_id(rt, addr);
#else
  (void)rt;
  (void)addr;
  return 0;
#endif
}

// --- the treap (root.lock held) ---

// Replaces child `from` of parent (or the root) with `to`.
void replace_child(SemaRoot& root, sudog* parent, sudog* from, sudog* to) GORT_REQUIRES(root.lock) {
  if (parent == nullptr) {
    root.treap = to;
  } else if (parent->prev == from) {
    parent->prev = to;
  } else {
    assert(parent->next == from && "sema: a node is not its parent's child");
    parent->next = to;
  }
}

// x's left child y takes x's place; x becomes y's right child.
void rotate_right(SemaRoot& root, sudog* x) GORT_REQUIRES(root.lock) {
  sudog* y = x->prev;
  assert(y != nullptr);
  sudog* b = y->next;
  replace_child(root, x->parent, x, y);
  y->parent = x->parent;
  y->next = x;
  x->parent = y;
  x->prev = b;
  if (b != nullptr) b->parent = x;
}

// x's right child y takes x's place; x becomes y's left child.
void rotate_left(SemaRoot& root, sudog* x) GORT_REQUIRES(root.lock) {
  sudog* y = x->next;
  assert(y != nullptr);
  sudog* b = y->prev;
  replace_child(root, x->parent, x, y);
  y->parent = x->parent;
  y->prev = x;
  x->parent = y;
  x->next = b;
  if (b != nullptr) b->parent = x;
}

// s takes t's place in the tree (children, parent, priority); t leaves it.
void take_tree_place(SemaRoot& root, sudog* s, sudog* t) GORT_REQUIRES(root.lock) {
  replace_child(root, t->parent, t, s);
  s->ticket = t->ticket;
  s->parent = t->parent;
  s->prev = t->prev;
  s->next = t->next;
  if (s->prev != nullptr) s->prev->parent = s;
  if (s->next != nullptr) s->next->parent = s;
  t->parent = t->prev = t->next = nullptr;
}

// Go's semaRoot.queue: s waits on addr, at the tail of addr's waiters (at
// the head with lifo).
void queue(SemaRoot& root, uint32_t* addr, sudog* s, bool lifo) GORT_REQUIRES(root.lock) {
  s->elem = addr;
  s->next = s->prev = s->parent = nullptr;
  s->waitlink = s->waittail = nullptr;
  sudog* last = nullptr;
  sudog** link = &root.treap;
  while (sudog* t = *link) {
    if (t->elem == addr) {
      // Mutant sema-queue-lifo: every waiter goes to the head.
      if (lifo || mutant_active(*s->g->rt, Mutant::kSemaQueueLifo)) {
        take_tree_place(root, s, t);
        s->waitlink = t;
        s->waittail = t->waittail != nullptr ? t->waittail : t;
        t->waittail = nullptr;
      } else {
        if (t->waittail == nullptr)
          t->waitlink = s;
        else
          t->waittail->waitlink = s;
        t->waittail = s;
      }
      return;
    }
    last = t;
    link = reinterpret_cast<uintptr_t>(addr) < reinterpret_cast<uintptr_t>(t->elem) ? &t->prev : &t->next;
  }
  // A new address: a leaf, then up while its priority beats its parent's.
  s->ticket = static_cast<uint32_t>(root.priorities.next()) | 1;
  s->parent = last;
  *link = s;
  while (s->parent != nullptr && s->parent->ticket > s->ticket) {
    if (s->parent->prev == s)
      rotate_right(root, s->parent);
    else
      rotate_left(root, s->parent);
  }
}

// Go's semaRoot.dequeue: addr's first waiter, off the queue (null: none).
sudog* dequeue(SemaRoot& root, const uint32_t* addr) GORT_REQUIRES(root.lock) {
  sudog* s = root.treap;
  while (s != nullptr && s->elem != addr)
    s = reinterpret_cast<uintptr_t>(addr) < reinterpret_cast<uintptr_t>(s->elem) ? s->prev : s->next;
  if (s == nullptr) return nullptr;
  if (sudog* t = s->waitlink) {
    // The next waiter of addr takes s's place in the tree.
    sudog* tail = s->waittail;
    take_tree_place(root, t, s);
    t->waittail = t->waitlink != nullptr ? tail : nullptr;
    s->waitlink = s->waittail = nullptr;
  } else {
    // The last waiter of addr: rotate it down to a leaf, then cut it off.
    while (s->prev != nullptr || s->next != nullptr) {
      if (s->next == nullptr || (s->prev != nullptr && s->prev->ticket < s->next->ticket))
        rotate_right(root, s);
      else
        rotate_left(root, s);
    }
    replace_child(root, s->parent, s, nullptr);
  }
  s->parent = nullptr;
  s->elem = nullptr;
  s->ticket = 0;
  return s;
}

bool semaparkcommit(G*, void* lock) GORT_NO_THREAD_SAFETY_ANALYSIS {
  static_cast<platform::Lock*>(lock)->unlock();
  return true;
}

}  // namespace

#if defined(GORT_PLATFORM_SIM)
uint64_t sync_object_id(Runtime& rt, const void* addr) {
  auto [it, added] = rt.sync_ids.try_emplace(addr, rt.sync_ids.size() + 1);
  (void)added;
  return it->second;
}
#endif

namespace {

// The slow halves of semacquire and semrelease are out of line: their
// frames (six saved registers) would otherwise be paid by every fast path,
// which is one atomic.

// semacquire when the count was 0: queue and park until a release.
// The analysis cannot follow the lock into gopark, whose commit releases it.
[[gnu::noinline]] void semacquire_slow(Runtime& rt, uint32_t* addr, bool lifo) GORT_NO_THREAD_SAFETY_ANALYSIS {
  assert(addr != nullptr);
  G* gp = getg();
  sudog* s = acquire_sudog(rt, getm()->p);
  s->g = gp;
  SemaRoot& root = semroot(rt.semtable, addr);
  for (;;) {
    root.lock.lock();
    // Counted before the last look, so a release that increments *addr
    // after that look sees a waiter and takes the lock.
    root.nwait.fetch_add(1);
    if (cansemacquire(rt, addr)) {
      root.nwait.fetch_sub(1);
      root.lock.unlock();
      break;
    }
    queue(root, addr, s, lifo);
    trace_event(rt, EventKind::kSemaQueue, gp->goid, sema_trace_id(rt, addr), lifo ? 1 : 0);
    gopark(semaparkcommit, &root.lock, WaitReason::kSemacquire);
    if (s->handoff || cansemacquire(rt, addr)) break;
    lifo = true;  // waited before: back to the head of the queue
  }
  s->handoff = false;
  s->g = nullptr;
  release_sudog(getm()->p, s);
}

// semrelease when root had waiters after the increment: wake the first
// waiter on addr, if it is still there.
[[gnu::noinline]] void semrelease_slow(Runtime& rt, SemaRoot& root, uint32_t* addr, bool handoff) {
  assert(addr != nullptr);
  root.lock.lock();
  if (root.nwait.load() == 0) {
    // Somebody else took the semaphore and decremented nwait.
    root.lock.unlock();
    return;
  }
  sudog* s = dequeue(root, addr);
  if (s != nullptr) {
    root.nwait.fetch_sub(1);
    if (rt.decider.tracing()) {
      Event e{EventKind::kSemaDequeue,          getg()->goid,    sema_trace_id(rt, addr),
              static_cast<int64_t>(s->g->goid), handoff ? 1 : 0, true};
      stamp_where(e);
      rt.decider.event(e);
    }
  }
  root.lock.unlock();
  if (s == nullptr) return;
  assert(!s->handoff && "sema: a dequeued waiter already holds a hand-off");
  // Hand-off: take the semaphore for the woken G, so nobody can barge in
  // before it runs; it runs next and this G yields to it.
  if (handoff && cansemacquire(rt, addr)) s->handoff = true;
  const bool yield = s->handoff;
  goready(s->g, 0);
  if (yield) goyield();
}

}  // namespace

void semacquire(Runtime& rt, uint32_t* addr, bool lifo) {
  assert(addr != nullptr);
  if (cansemacquire(rt, addr)) return;
  semacquire_slow(rt, addr, lifo);
}

void semrelease(Runtime& rt, uint32_t* addr, bool handoff) {
  assert(addr != nullptr);
  SemaRoot& root = semroot(rt.semtable, addr);
  // Mutant sema-release-reads-nwait-first: nwait is read before the
  // increment, so an acquirer on another M that looked at *addr in
  // between parks unseen: a lost wake-up.
  const bool nwait_first = mutant_active(rt, Mutant::kSemaReleaseReadsNwaitFirst);
  // coverage-excluded-next: the mutants build only: mutant sema-release-reads-nwait-first
  const uint32_t early_nwait = nwait_first ? root.nwait.load() : 0;
  word_add(addr, 1);
  if ((nwait_first ? early_nwait : root.nwait.load()) == 0) return;
  semrelease_slow(rt, root, addr, handoff);
}

// --- notify lists (Go's notifyList*): the list's lock is the semaphore
// root its address hashes to; head..tail are the parked waiters' sudogs in
// ticket order, linked by next ---

namespace {

// Go's less: a before b in wrapping ticket order.
bool ticket_less(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }

// A list last used by an ended run has waiters that died with it: it
// starts afresh in this one.
void adopt_list(Runtime& rt, detail::NotifyList* l, SemaRoot& root) {
  if (__atomic_load_n(&l->run, __ATOMIC_ACQUIRE) == rt.run_id) return;
  root.lock.lock();
  if (l->run != rt.run_id) {
    l->wait = 0;
    l->notify = 0;
    l->head = nullptr;
    l->tail = nullptr;
    __atomic_store_n(&l->run, rt.run_id, __ATOMIC_RELEASE);
  }
  root.lock.unlock();
}

void trace_notify(Runtime& rt, const detail::NotifyList* l, int64_t ticket, int64_t all) {
#if defined(GORT_PLATFORM_SIM)
  if (!rt.decider.tracing()) return;
  Event e{EventKind::kSyncNotify, getg()->goid, sync_object_id(rt, l), ticket, all, false};
  stamp_where(e);
  rt.decider.event(e);
#else
  (void)rt;
  (void)l;
  (void)ticket;
  (void)all;
#endif
}

}  // namespace

uint32_t notify_list_add(Runtime& rt, detail::NotifyList* l) {
  adopt_list(rt, l, semroot(rt.semtable, l));
  return word_add(&l->wait, 1) - 1;
}

// The lock is released by gopark's commit, as in semacquire.
void notify_list_wait(Runtime& rt, detail::NotifyList* l, uint32_t t) GORT_NO_THREAD_SAFETY_ANALYSIS {
  SemaRoot& root = semroot(rt.semtable, l);
  adopt_list(rt, l, root);
  root.lock.lock();
  // Notified already (between the ticket and now): no need to park.
  if (ticket_less(t, l->notify)) {
    root.lock.unlock();
    return;
  }
  G* gp = getg();
  sudog* s = acquire_sudog(rt, getm()->p);
  s->g = gp;
  s->ticket = t;
  if (l->tail == nullptr)
    l->head = s;
  else
    static_cast<sudog*>(l->tail)->next = s;
  l->tail = s;
  gopark(semaparkcommit, &root.lock, WaitReason::kSyncCondWait);
  s->g = nullptr;
  s->ticket = 0;
  release_sudog(getm()->p, s);
}

void notify_list_notify_all(Runtime& rt, detail::NotifyList* l) {
  SemaRoot& root = semroot(rt.semtable, l);
  adopt_list(rt, l, root);
  // Nobody waiting since the last notification: no lock needed.
  if (word_load(&l->wait) == word_load(&l->notify)) return;
  root.lock.lock();
  auto* s = static_cast<sudog*>(l->head);
  l->head = nullptr;
  l->tail = nullptr;
  const uint32_t all = word_load(&l->wait);
  word_store(&l->notify, all);
  trace_notify(rt, l, all, 1);
  root.lock.unlock();
  while (s != nullptr) {
    sudog* next = s->next;
    s->next = nullptr;
    goready(s->g, 0);
    s = next;
  }
}

void notify_list_notify_one(Runtime& rt, detail::NotifyList* l) {
  SemaRoot& root = semroot(rt.semtable, l);
  adopt_list(rt, l, root);
  if (word_load(&l->wait) == word_load(&l->notify)) return;
  root.lock.lock();
  const uint32_t t = l->notify;
  if (t == word_load(&l->wait)) {
    root.lock.unlock();
    return;
  }
  // Ticket t is notified whether or not its waiter has parked yet: one that
  // has not will see it in notify_list_wait and not park.
  word_store(&l->notify, t + 1);
  // Mutant cond-signal-wakes-newest: the last parked waiter, not ticket t's.
  const bool newest = mutant_active(rt, Mutant::kCondSignalWakesNewest);
  sudog* prev = nullptr;
  for (auto* s = static_cast<sudog*>(l->head); s != nullptr; prev = s, s = s->next) {
    if (newest ? s->next == nullptr : s->ticket == t) {
      sudog* after = s->next;
      if (prev != nullptr)
        prev->next = after;
      else
        l->head = after;
      if (after == nullptr) l->tail = prev;
      trace_notify(rt, l, s->ticket, 0);
      root.lock.unlock();
      s->next = nullptr;
      goready(s->g, 0);
      return;
    }
  }
  trace_notify(rt, l, newest ? -1 : t, 0);
  root.lock.unlock();
}

}  // namespace gort::rt

// The public entry points (gort/sema.h).
namespace gort::detail {
namespace {

rt::G* sync_goroutine(const char* what) { return rt::goroutine_or_abort(what, "use sync objects only inside a run"); }

// A semaphore operation's entry. In sim builds it is a step, as the sync
// package's every atomic is (sync_point). In os builds the sync package's
// operations are plain atomics, as Go's, and count no steps (a goroutine
// that parks on a semaphore counts at its switch); but it honours sysmon's
// request to yield, as Go's semacquire1 and semrelease1 do at their
// prologue: a loop of releases and acquires that never parks must not
// keep a runnable goroutine off its P for the whole run.
inline void sema_entry(rt::G* gp) {
  if constexpr (platform::kSimulated) {
    rt::count_step(*gp->rt);
  } else {
    rt::check_preempt(gp);
  }
}

}  // namespace

void semacquire(uint32_t* addr, bool lifo) {
  rt::G* gp = sync_goroutine("a semaphore acquire");
  sema_entry(gp);
  rt::semacquire(*gp->rt, addr, lifo);
}

void semrelease(uint32_t* addr, bool handoff) {
  rt::G* gp = sync_goroutine("a semaphore release");
  if constexpr (platform::kSimulated) rt::count_step(*gp->rt);
  rt::semrelease(*gp->rt, addr, handoff);
}

bool sync_can_spin(int iter) {
  constexpr int kActiveSpin = 4;  // Go's active_spin
  rt::G* gp = sync_goroutine("Mutex spinning");
  rt::Runtime& rt = *gp->rt;
  if (iter >= kActiveSpin) return false;
  // Spinning is worth it only if another P runs the holder right now.
  const int32_t procs = rt.sched.gomaxprocs;
  if (rt.ncpu <= 1 || procs <= 1) return false;
  const int32_t idle_or_spinning =
      rt.sched.npidle.load(std::memory_order_relaxed) + rt.sched.nmspinning.load(std::memory_order_relaxed);
  if (procs <= idle_or_spinning + 1) return false;
  return rt::runqempty(gp->m->p);
}

void sync_do_spin() {
  rt::G* gp = sync_goroutine("Mutex spinning");
  rt::count_step(*gp->rt);
#if defined(GORT_PLATFORM_SIM)
  // In sim a spin is a scheduling point: another M may release the lock.
  platform::sim_point();
#else
  for (int i = 0; i < 30; i++) platform::cpu_relax();  // Go's procyield(30)
#endif
}

void sync_fatal(const char* msg) {
  rt::G* gp = sync_goroutine("a sync fatal error");
  rt::fatal(*gp->rt, msg);
}

void sync_point() {
  rt::G* gp = sync_goroutine("a sync or atomic operation");
  rt::count_step(*gp->rt);
  rt::preempt_point(gp);
#if defined(GORT_PLATFORM_SIM)
  platform::sim_point();
#endif
}

void sync_event(EventKind kind, const void* obj, int64_t value, int64_t aux) {
#if defined(GORT_PLATFORM_SIM)
  rt::G* gp = sync_goroutine("a sync operation");
  rt::Runtime& rt = *gp->rt;
  if (!rt.decider.tracing()) return;
  Event e{kind, gp->goid, rt::sync_object_id(rt, obj), value, aux, false};
  rt::stamp_where(e);
  rt.decider.event(e);
#else
  (void)kind;
  (void)obj;
  (void)value;
  (void)aux;
#endif
}

uint32_t notify_list_add(NotifyList* l) {
  rt::G* gp = sync_goroutine("Cond.Wait");
  rt::count_step(*gp->rt);
  return rt::notify_list_add(*gp->rt, l);
}

void notify_list_wait(NotifyList* l, uint32_t t) {
  rt::G* gp = sync_goroutine("Cond.Wait");
  rt::count_step(*gp->rt);
  rt::notify_list_wait(*gp->rt, l, t);
}

void notify_list_notify_one(NotifyList* l) {
  rt::G* gp = sync_goroutine("Cond.Signal");
  rt::count_step(*gp->rt);
  rt::preempt_point(gp);
  rt::notify_list_notify_one(*gp->rt, l);
}

void notify_list_notify_all(NotifyList* l) {
  rt::G* gp = sync_goroutine("Cond.Broadcast");
  rt::count_step(*gp->rt);
  rt::preempt_point(gp);
  rt::notify_list_notify_all(*gp->rt, l);
}

void atomic_point() {
  rt::G* gp = sync_goroutine("gort::Atomic");
  rt::count_step(*gp->rt);
  rt::yield_point(gp, FaultSite::kPanicAtYield);
#if defined(GORT_PLATFORM_SIM)
  platform::sim_point();
#endif
}

uint32_t sync_mutant() {
  rt::G* gp = rt::getg();
  return gp != nullptr ? gp->rt->config.mutant : 0;
}

int64_t sync_nanotime() {
  rt::G* gp = sync_goroutine("the sync clock");
  return gp->rt->clock.now();
}

}  // namespace gort::detail
