// Work stealing (Go's proc.go stealWork, runqsteal, runqgrab, randomOrder):
// an M with nothing to run takes half of another P's local queue.
#include <cassert>

#include "mutant.h"
#include "proc.h"

namespace gort::rt {
namespace {

constexpr uint32_t kStealTries = 4;

uint32_t gcd(uint32_t a, uint32_t b) {
  while (b != 0) {
    uint32_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

}  // namespace

uint32_t coprimes(uint32_t count, uint32_t* out) {
  assert(count >= 1 && count <= kMaxProcs);
  uint32_t n = 0;
  for (uint32_t i = 1; i <= count; i++) {
    if (gcd(i, count) == 1) out[n++] = i;
  }
  assert(n >= 1);
  return n;
}

namespace {

// Copies half of victim's local queue (at least one G, or its runnext when
// steal_runnext and the queue is empty) into thief's ring from slot
// batch_head on, and claims them by compare-exchange on victim's head.
// Returns how many it took.
uint32_t runqgrab(Runtime& rt, P* victim, P* thief, uint32_t batch_head, bool steal_runnext) {
  assert(victim != thief);
  for (;;) {
    uint32_t h = victim->runqhead.load(std::memory_order_acquire);
    uint32_t t = victim->runqtail.load(std::memory_order_acquire);
    uint32_t n = t - h;
    n = n - n / 2;
    if (n == 0) {
      if (!steal_runnext) return 0;
      G* next = victim->runnext.load(std::memory_order_relaxed);
      if (next == nullptr) return 0;
      // The owner may be about to run it (it readied it and is about to
      // park): give it its chance before taking it, as Go does.
      if (p_status(victim) == Pstatus::kRunning) owner_chance();
      // coverage-excluded-begin: the mutants build only: mutant runnext-steal-no-cas
      if (mutant_active(rt, Mutant::kRunnextStealNoCas)) {
        next = victim->runnext.load(std::memory_order_acquire);
        if (next == nullptr) return 0;
        victim->runnext.store(nullptr);
        thief->runq[batch_head % kLocalRunqSize].store(next, std::memory_order_relaxed);
        return 1;
      }
      // coverage-excluded-end
      if (!victim->runnext.compare_exchange_strong(next, nullptr)) continue;
      thief->runq[batch_head % kLocalRunqSize].store(next, std::memory_order_relaxed);
      return 1;
    }
    // Read head and tail at different moments: inconsistent, try again.
    if (n > kLocalRunqSize / 2) continue;
    for (uint32_t i = 0; i < n; i++) {
      G* gp = victim->runq[(h + i) % kLocalRunqSize].load(std::memory_order_relaxed);
      thief->runq[(batch_head + i) % kLocalRunqSize].store(gp, std::memory_order_relaxed);
    }
    // coverage-excluded-begin: the mutants build only: mutant runqsteal-no-cas
    if (mutant_active(rt, Mutant::kRunqstealNoCas)) {
      victim->runqhead.store(h + n, std::memory_order_release);
      return n;
    }
    // coverage-excluded-end
    if (victim->runqhead.compare_exchange_strong(h, h + n, std::memory_order_release)) return n;
  }
}

}  // namespace

G* runqsteal(Runtime& rt, P* pp, P* victim, bool steal_runnext) {
  uint32_t t = pp->runqtail.load(std::memory_order_relaxed);
  uint32_t n = runqgrab(rt, victim, pp, t, steal_runnext);
  if (n == 0) return nullptr;
  n--;
  G* gp = pp->runq[(t + n) % kLocalRunqSize].load(std::memory_order_relaxed);
  if (n == 0) return gp;
  uint32_t h = pp->runqhead.load(std::memory_order_acquire);
  // coverage-excluded-next: a broken runtime: a thief's own queue was not empty
  assert(t - h + n < kLocalRunqSize && "runqsteal: runq overflow");
  (void)h;
  pp->runqtail.store(t + n, std::memory_order_release);
  return gp;
}

G* steal_work(Runtime& rt, P* pp, bool* ran_timers) {
  const uint32_t count = static_cast<uint32_t>(rt.sched.gomaxprocs);
  assert(count >= 2 && count == rt.allp.size());
  uint32_t strides[kMaxProcs];
  const uint32_t nstrides = coprimes(count, strides);
  *ran_timers = false;
  for (uint32_t i = 0; i < kStealTries; i++) {
    const bool last = i == kStealTries - 1;
    uint32_t r = rt.decider.choose(Choice::kStealOrder, count * nstrides);
    uint32_t pos = r % count;
    const uint32_t inc = strides[r / count];
    for (uint32_t k = 0; k < count; k++, pos = (pos + inc) % count) {
      P* victim = rt.allp[pos].get();
      if (victim == pp) continue;
      // Timers of another P run on the thief's M (Go's checkTimers in
      // stealWork), on the last pass only: what they ready comes here.
      if (last && runtimers(rt, victim, rt.clock.now()) > 0) {
        *ran_timers = true;
        if (G* gp = runqget_next(pp)) return gp;
        if (G* gp = runqget_head(rt, pp)) return gp;
      }
      // An idle P has nothing to steal (its queue emptied as it went idle).
      if (p_status(victim) == Pstatus::kIdle) continue;
      if (G* gp = runqsteal(rt, pp, victim, last)) return gp;
    }
  }
  return nullptr;
}

}  // namespace gort::rt
