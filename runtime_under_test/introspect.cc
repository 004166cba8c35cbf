// gort::introspect::snapshot: the run's state as the invariant checkers
// see it (include/gort/introspect.h). Reads only; allocates the copy.
#include "gort/introspect.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "context.h"
#include "hchan.h"
#include "proc.h"

namespace gort::introspect {
namespace {

// Bounds every walk: a corrupted list (a cycle) must not hang the checker.
constexpr size_t kMaxWalk = 1u << 22;

GStatus status_of(rt::Gstatus s) {
  switch (s) {
    case rt::Gstatus::kIdle:
      return GStatus::kIdle;
    case rt::Gstatus::kRunnable:
      return GStatus::kRunnable;
    case rt::Gstatus::kRunning:
      return GStatus::kRunning;
    case rt::Gstatus::kSyscall:
      return GStatus::kSyscall;
    case rt::Gstatus::kWaiting:
      return GStatus::kWaiting;
    case rt::Gstatus::kPreempted:
      return GStatus::kPreempted;
    case rt::Gstatus::kDead:
      return GStatus::kDead;
  }
  return GStatus::kIdle;
}

void walk_waitq(const rt::waitq& q, std::vector<Waiter>& out) {
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

}  // namespace

Snapshot snapshot() {
  rt::G* cur = rt::getg();
  if (cur == nullptr) {
    fprintf(stderr, "gort: introspect::snapshot called outside gort::run\n");
    abort();
  }
  rt::Runtime& r = *cur->rt;
  Snapshot snap;
  std::unordered_map<const rt::G*, size_t> index;
  for (const auto& g : r.allgs) {
    if (g->is_g0) continue;
    index[g.get()] = snap.goroutines.size();
    Goroutine info;
    info.goid = g->goid;
    info.status = status_of(g->status);
    if (g->status == rt::Gstatus::kWaiting) info.wait_reason = rt::waitreason_string(g->waitreason);
    size_t m = 0;
    for (const rt::sudog* sg = g->waiting; sg != nullptr && m < kMaxWalk; sg = sg->waitlink, m++) {
      if (sg->c != nullptr) info.waiting_on.push_back(sg->c->id);
      if (sg->is_select) info.in_select = true;
    }
    snap.goroutines.push_back(std::move(info));
  }
  auto count = [&](const rt::G* gp, uint32_t Goroutine::*field) {
    auto it = index.find(gp);
    if (it != index.end()) snap.goroutines[it->second].*field += 1;
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
  n = 0;
  for (const rt::hchan* c = r.live_chans; c != nullptr && n < kMaxWalk; c = c->live_next, n++) {
    Channel ch;
    ch.id = c->id;
    ch.qcount = c->qcount;
    ch.dataqsiz = c->dataqsiz;
    ch.sendx = c->sendx;
    ch.recvx = c->recvx;
    ch.closed = c->closed;
    walk_waitq(c->sendq, ch.sendq);
    walk_waitq(c->recvq, ch.recvq);
    snap.channels.push_back(std::move(ch));
  }
  std::sort(snap.channels.begin(), snap.channels.end(), [](const Channel& a, const Channel& b) { return a.id < b.id; });
  return snap;
}

std::string goroutine_dump() {
  rt::G* cur = rt::getg();
  if (cur == nullptr) {
    fprintf(stderr, "gort: introspect::goroutine_dump called outside gort::run\n");
    abort();
  }
  return rt::goroutine_dump(*cur->rt);
}

}  // namespace gort::introspect
