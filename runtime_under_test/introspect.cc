// gort::introspect::snapshot: the run's state as the invariant checkers
// see it (include/gort/introspect.h). Reads only; writes only the copy.
#include "gort/introspect.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "context.h"
#include "hchan.h"
#include "proc.h"

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
      w.select_done = sg->is_select && sg->g->select_done.load() != 0;
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

void snapshot(Snapshot& snap) {
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
  const rt::M& m0 = r.m0;
  if (m0.curg != nullptr) count(m0.curg, &Goroutine::on_m);
  snap.current_goid = m0.curg != nullptr ? m0.curg->goid : 0;
  const rt::P& p = r.p0;
  if (p.runnext != nullptr) count(p.runnext, &Goroutine::in_runnext);
  for (uint32_t i = p.runqhead.load(); i != p.runqtail.load(); i++) {
    count(p.runq[i % rt::kLocalRunqSize], &Goroutine::in_local_runq);
  }
  size_t n = 0;
  for (const rt::G* gp = r.sched.runq.head; gp != nullptr && n < kMaxWalk; gp = gp->schedlink, n++) {
    count(gp, &Goroutine::in_global_runq);
  }
  n = 0;
  for (const rt::G* gp = p.gfree; gp != nullptr && n < kMaxWalk; gp = gp->schedlink, n++) {
    count(gp, &Goroutine::in_gfree);
  }
  n = 0;
  for (const rt::G* gp = r.sched.gfree.head; gp != nullptr && n < kMaxWalk; gp = gp->schedlink, n++) {
    count(gp, &Goroutine::in_gfree);
  }
  size_t count_chans = 0;
  n = 0;
  for (const rt::hchan* c = r.live_chans; c != nullptr && n < kMaxWalk; c = c->live_next, n++) {
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
  }
  snap.channels.resize(count_chans);
  // The runtime links a new channel at the head of live_chans, so the walk
  // yields them newest (largest id) first: reversed, they are by id.
  // Swaps keep each channel's queue storage with some element.
  auto by_id = [](const Channel& a, const Channel& b) { return a.id < b.id; };
  std::reverse(snap.channels.begin(), snap.channels.end());
  if (!std::is_sorted(snap.channels.begin(), snap.channels.end(), by_id)) {
    std::sort(snap.channels.begin(), snap.channels.end(), by_id);
  }
}

std::string goroutine_dump() { return rt::goroutine_dump(current_runtime("goroutine_dump")); }

}  // namespace gort::introspect
