// gort::introspect::snapshot: the run's state as the invariant checkers
// see it (include/gort/introspect.h). Reads only; writes only the copy.
#include "gort/introspect.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "context.h"
#include "hchan.h"
#include "platform/symbolize.h"
#include "proc.h"
#include "vthreads.h"

namespace gort::introspect {
namespace {

// Bounds every walk: a corrupted list (a cycle) must not hang the checker.
constexpr size_t kMaxWalk = 1u << 22;

GStatus status_of(rt::Gstatus s) {
  switch (s) {
    // coverage-excluded-next: a snapshot never meets an idle G: malg makes it dead at once
    case rt::Gstatus::kIdle:
      return GStatus::kIdle;
    case rt::Gstatus::kRunnable:
      return GStatus::kRunnable;
    case rt::Gstatus::kRunning:
      return GStatus::kRunning;
    // coverage-excluded-next: statuses the sim never enters (no syscalls)
    case rt::Gstatus::kSyscall:
      return GStatus::kSyscall;
    case rt::Gstatus::kWaiting:
      return GStatus::kWaiting;
    // coverage-excluded-next: statuses the sim never enters (no async preemption)
    case rt::Gstatus::kPreempted:
      return GStatus::kPreempted;
    case rt::Gstatus::kDead:
      return GStatus::kDead;
  }
  // coverage-excluded-next: not reached: the switch covers every status
  return GStatus::kIdle;
}

// Overwrites out with q's waiters (out's capacity is kept).
void walk_waitq(const rt::waitq& q, std::vector<Waiter>& out) {
  out.clear();
  size_t n = 0;
  for (const rt::sudog* sg = q.first; sg != nullptr && n < kMaxWalk; sg = sg->next, n++) {
    Waiter w;
    w.goid = sg->g != nullptr ? sg->g->goid : 0;
    w.is_select = sg->is_select;
    if (sg->g != nullptr) {
      size_t m = 0;
      for (const rt::sudog* own = sg->g->waiting; own != nullptr && m < kMaxWalk; own = own->waitlink, m++) {
        if (own == sg) w.owned_by_g = true;
      }
      w.select_done = sg->is_select && sg->g->select_done.load(std::memory_order_relaxed) != 0;
    }
    out.push_back(w);
  }
}

rt::Runtime& current_runtime(const char* what) {
  rt::G* cur = rt::getg();
  if (cur == nullptr) {
    fprintf(stderr, "gort: introspect::%s called outside gort::run\n", what);
    abort();
  }
  return *cur->rt;
}

}  // namespace

Snapshot snapshot() {
  Snapshot snap;
  snapshot(snap);
  return snap;
}

// A snapshot reads the whole runtime without its locks: it is taken in sim,
// where the other virtual Ms are switched out (some holding those locks),
// so nothing changes while it reads. The analysis is off for it.
void snapshot(Snapshot& snap) GORT_NO_THREAD_SAFETY_ANALYSIS {
  rt::Runtime& r = current_runtime("snapshot");
  // Elements are overwritten in place, so their vectors keep their storage.
  size_t count_gs = 0;
  auto& index = snap.scratch_index;
  index.clear();
  for (const auto& g : r.allgs) {
    if (g->is_g0) continue;
    if (count_gs == snap.goroutines.size()) snap.goroutines.emplace_back();
    Goroutine& info = snap.goroutines[count_gs];
    index.emplace_back(g.get(), static_cast<uint32_t>(count_gs));
    count_gs++;
    info.goid = g->goid;
    info.status = status_of(g->status);
    info.wait_reason = g->status == rt::Gstatus::kWaiting ? rt::waitreason_string(g->waitreason) : "";
    info.on_m = info.in_runnext = info.in_local_runq = info.in_global_runq = info.in_gfree = 0;
    info.waiting_on.clear();
    info.in_select = false;
    size_t m = 0;
    for (const rt::sudog* sg = g->waiting; sg != nullptr && m < kMaxWalk; sg = sg->waitlink, m++) {
      if (sg->c != nullptr) info.waiting_on.push_back(sg->c->id);
      if (sg->is_select) info.in_select = true;
    }
  }
  snap.goroutines.resize(count_gs);
  std::sort(index.begin(), index.end());
  auto count = [&](const rt::G* gp, uint32_t Goroutine::*field) {
    auto it = std::lower_bound(index.begin(), index.end(), std::pair<const void*, uint32_t>(gp, 0));
    if (it != index.end() && it->first == gp) snap.goroutines[it->second].*field += 1;
  };
  const rt::M* self = rt::getm();
  snap.current_goid = self != nullptr && self->curg != nullptr ? self->curg->goid : 0;
  snap.current_m = self != nullptr ? self->id : 0;
  snap.quiescent = true;
  snap.ms.resize(r.allm.size());
  for (size_t i = 0; i < r.allm.size(); i++) {
    const rt::M& mp = *r.allm[i];
    Machine& info = snap.ms[i];
    info.id = mp.id;
    const rt::P* held = mp.p != nullptr ? mp.p : mp.nextp;
    info.p = held != nullptr ? held->id : -1;
    info.curg = mp.curg != nullptr ? mp.curg->goid : 0;
    info.spinning = mp.spinning;
    info.idle_count = 0;
    info.quiescent = &mp == self || mp.quiescent;
    // The running M is on the stack of getg(); a switched-out one on its vg.
    const rt::G* on = &mp == self ? rt::getg() : (mp.vstarted ? mp.vg : mp.g0);
    info.on_stack_of = on != nullptr && !on->is_g0 ? on->goid : 0;
    if (!info.quiescent) snap.quiescent = false;
    if (mp.curg != nullptr) count(mp.curg, &Goroutine::on_m);
  }
  size_t n = 0;
  for (const rt::M* mp = r.sched.midle; mp != nullptr && n < kMaxWalk; mp = mp->schedlink, n++) {
    if (static_cast<size_t>(mp->id) < snap.ms.size()) snap.ms[mp->id].idle_count++;
  }
  for (Machine& info : snap.ms) info.idle = info.idle_count > 0;
  snap.nmspinning = r.sched.nmspinning.load(std::memory_order_relaxed);
  snap.now = r.clock.now();
  snap.procs.resize(r.allp.size());
  for (size_t i = 0; i < r.allp.size(); i++) {
    const rt::P& p = *r.allp[i];
    Processor& info = snap.procs[i];
    info.id = p.id;
    info.m = -1;
    if (p.m != nullptr) info.m = p.m->id;
    for (const auto& mp : r.allm) {
      if (mp->nextp == &p) info.m = mp->id;
    }
    info.idle_count = 0;
    info.runq = rt::runqlen(&p);
    const rt::G* next = p.runnext.load(std::memory_order_relaxed);
    info.has_runnext = next != nullptr;
    info.timers = static_cast<uint32_t>(p.timers.heap.size());
    info.next_timer = p.timers.empty() ? INT64_MAX : p.timers.next_when();
    info.timers_misplaced = 0;
    const std::vector<rt::Timer*>& heap = p.timers.heap;
    for (size_t k = 0; k < heap.size(); k++) {
      const rt::Timer* t = heap[k];
      bool misplaced = t->heap_index != static_cast<int32_t>(k);
      if (k > 0) {
        const rt::Timer* parent = heap[(k - 1) / 2];
        misplaced |= t->when < parent->when || (t->when == parent->when && t->seq < parent->seq);
      }
      if (misplaced) info.timers_misplaced++;
    }
    if (next != nullptr) count(next, &Goroutine::in_runnext);
    for (uint32_t i = p.runqhead.load(std::memory_order_relaxed); i != p.runqtail.load(std::memory_order_relaxed);
         i++) {
      count(p.runq[i % rt::kLocalRunqSize].load(std::memory_order_relaxed), &Goroutine::in_local_runq);
    }
    size_t walked = 0;
    for (const rt::G* gp = p.gfree; gp != nullptr && walked < kMaxWalk; gp = gp->schedlink, walked++) {
      count(gp, &Goroutine::in_gfree);
    }
  }
  n = 0;
  for (const rt::P* pp = r.sched.pidle; pp != nullptr && n < kMaxWalk; pp = pp->link, n++) {
    if (static_cast<size_t>(pp->id) < snap.procs.size()) snap.procs[pp->id].idle_count++;
  }
  for (Processor& info : snap.procs) info.idle = info.idle_count > 0;
  n = 0;
  for (const rt::G* gp = r.sched.runq.head; gp != nullptr && n < kMaxWalk; gp = gp->schedlink, n++) {
    count(gp, &Goroutine::in_global_runq);
  }
  n = 0;
  for (const rt::G* gp = r.sched.gfree.head; gp != nullptr && n < kMaxWalk; gp = gp->schedlink, n++) {
    count(gp, &Goroutine::in_gfree);
  }
  size_t count_chans = 0;
  n = 0;
  for (const auto& pp : r.allp) {
    for (const rt::hchan* c = pp->chans.live; c != nullptr && n < kMaxWalk; c = c->live_next, n++) {
      if (count_chans == snap.channels.size()) snap.channels.emplace_back();
      Channel& ch = snap.channels[count_chans++];
      ch.id = c->id;
      ch.qcount = c->qcount;
      ch.dataqsiz = c->dataqsiz;
      ch.sendx = c->sendx;
      ch.recvx = c->recvx;
      ch.closed = c->closed;
      walk_waitq(c->sendq, ch.sendq);
      walk_waitq(c->recvq, ch.recvq);
      ch.locked = c->lock.held();
    }
  }
  snap.channels.resize(count_chans);
  // The runtime links a new channel at the head of its P's list, so with
  // one P the walk yields them newest (largest id) first: reversed, they
  // are by id; with several, they are sorted.
  // Swaps keep each channel's queue storage with some element.
  auto by_id = [](const Channel& a, const Channel& b) { return a.id < b.id; };
  std::reverse(snap.channels.begin(), snap.channels.end());
  if (!std::is_sorted(snap.channels.begin(), snap.channels.end(), by_id)) {
    std::sort(snap.channels.begin(), snap.channels.end(), by_id);
  }
  snap.sema_waiters.clear();
  snap.sema_roots.clear();
  for (uint32_t i = 0; i < rt::kSemTabSize; i++) {
    rt::SemaRoot& root = r.semtable.roots[i];
    const uint32_t nwait = root.nwait.load(std::memory_order_relaxed);
    if (root.treap == nullptr && nwait == 0) continue;
    snap.sema_roots.push_back(SemaRootView{i, nwait, 0, root.lock.held()});
  }
  rt::for_each_sema_waiter(r.semtable, [&](rt::SemaRoot& root, const rt::sudog& w) {
    const auto index = static_cast<uint32_t>(&root - r.semtable.roots);
    const auto* addr = static_cast<const uint32_t*>(w.elem);
    snap.sema_waiters.push_back(SemaWaiter{w.g != nullptr ? w.g->goid : 0, reinterpret_cast<uintptr_t>(addr),
                                           __atomic_load_n(addr, __ATOMIC_RELAXED), index});
    for (SemaRootView& v : snap.sema_roots) {
      if (v.index == index) v.queued++;
    }
  });
}

void run_m_question(RunMQuestion& into) {
  rt::Runtime& r = current_runtime("run_m_question");
  into = RunMQuestion{};
#if defined(GORT_PLATFORM_SIM)
  r.vms->question(into);
#else
  // coverage-excluded-next: os builds never ask kRunM
  into.current_m = rt::getm() != nullptr ? rt::getm()->id : 0;
  (void)r;
#endif
}

std::string goroutine_dump() { return rt::goroutine_dump(current_runtime("goroutine_dump")); }

void prepare_dumps() { platform::symbolizer_warm_up(); }

}  // namespace gort::introspect
