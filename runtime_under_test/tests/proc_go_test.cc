// Ports of the tests in Go's runtime/proc_test.go that reach into the
// scheduler (Go runs them through export_test.go: RunSchedLocalQueueTest,
// RunSchedLocalQueueStealTest, RunSchedLocalQueueEmptyTest,
// RunStealOrderTest). Each pins the contract of the Go test it names.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "context.h"
#include "gort/gort.h"
#include "p.h"
#include "proc.h"
#include "test_support.h"

namespace gort::rt {
namespace {

std::vector<G> runnable_gs(size_t n) {
  std::vector<G> gs(n);
  for (auto& g : gs) g.status = Gstatus::kRunnable;
  return gs;
}

// Go's runqget: runnext first, then the local queue's head.
G* runqget(Runtime& rt, P* pp) {
  if (G* gp = runqget_next(pp)) return gp;
  return runqget_head(rt, pp);
}

// Go's TestSchedLocalQueue: at every fill level up to the ring's size, a
// P's local queue gives back exactly what was put, in order, and is empty
// before and after.
TEST(GoProcTest, SchedLocalQueue) {
  Runtime rt{testing_support::one_p()};
  P p;
  std::vector<G> gs = runnable_gs(kLocalRunqSize);
  for (uint32_t i = 0; i < kLocalRunqSize; i++) {
    ASSERT_EQ(runqget(rt, &p), nullptr) << "runq is not empty initially, iteration " << i;
    for (uint32_t j = 0; j < i; j++) runqput(rt, &p, &gs[j], /*next=*/false);
    for (uint32_t j = 0; j < i; j++) ASSERT_EQ(runqget(rt, &p), &gs[j]) << "bad element at iteration " << i;
    ASSERT_EQ(runqget(rt, &p), nullptr) << "runq is not empty afterwards, iteration " << i;
  }
}

// Go's TestSchedLocalQueueSteal: a thief takes half of a victim's queue
// (rounded up), and every G ends up in exactly one of the two queues.
TEST(GoProcTest, SchedLocalQueueSteal) {
  Runtime rt{testing_support::one_p()};
  P victim, thief;
  victim.id = 0;
  thief.id = 1;
  std::vector<G> gs = runnable_gs(kLocalRunqSize);
  std::vector<int> seen(kLocalRunqSize);
  for (uint32_t i = 0; i < kLocalRunqSize; i++) {
    std::fill(seen.begin(), seen.end(), 0);
    for (uint32_t j = 0; j < i; j++) runqput(rt, &victim, &gs[j], /*next=*/false);
    uint32_t stolen = 0;
    auto note = [&](G* gp) { seen[static_cast<size_t>(gp - gs.data())]++; };
    if (G* gp = runqsteal(rt, &thief, &victim, /*steal_runnext=*/true)) {
      stolen++;
      note(gp);
    }
    while (G* gp = runqget(rt, &thief)) {
      stolen++;
      note(gp);
    }
    while (G* gp = runqget(rt, &victim)) note(gp);
    for (uint32_t j = 0; j < i; j++) ASSERT_EQ(seen[j], 1) << "bad element " << j << " at iteration " << i;
    ASSERT_TRUE(stolen == i / 2 || stolen == i / 2 + 1) << "bad steal: " << stolen << " of " << i;
  }
}

// Go's TestSchedLocalQueueEmpty: runqempty never reports a queue empty
// while another M moves a G between runnext and the queue (a spurious
// "empty" leaves runnable Gs beside idle Ps). Go's test spins two
// goroutines against each other, so it needs several Ms: at 2 and 4 Ps,
// on threads in os, on virtual Ms in sim (whose atomics are the points
// where the Ms interleave). The spins are yield points: Go's test leans on
// sysmon's asynchronous preemption when the other M went idle before the
// goroutine was there to steal; here the spinning G yields at the next
// one instead (os: when sysmon asks; sim: when the chooser says).
TEST(GoProcTest, SchedLocalQueueEmpty) {
  // A virtual M's spin is a scheduling point per load: fewer rounds in sim.
  constexpr int kIters = platform::kSimulated ? 30 : 1000;
  for (uint32_t procs : {2u, 4u}) {
    Config cfg;
    cfg.procs = procs;
    cfg.seed = procs;
    Result r = run(cfg, [] {
      Runtime& rt = *getg()->rt;
      auto p = std::make_unique<P>();  // a P no M holds
      std::vector<G> gs = runnable_gs(2);
      platform::Atomic<uint32_t> ready{0};
      Chan<bool> done = make_chan<bool>(1);
      for (int i = 0; i < kIters; i++) {
        ready.store(0);
        const bool next0 = (i & 1) == 0;
        const bool next1 = (i & 2) == 0;
        runqput(rt, p.get(), &gs[0], next0);
        go([&ready, &p, done] {
          ready.fetch_add(1);
          while (ready.load() != 2) gort::yield_point();
          if (runqempty(p.get())) gort::panic("queue is empty");
          done.send(true);
        });
        ready.fetch_add(1);
        while (ready.load() != 2) gort::yield_point();
        runqput(rt, p.get(), &gs[1], next1);
        runqget(rt, p.get());
        done.recv();
        runqget(rt, p.get());
      }
    });
    EXPECT_EQ(r.exit_status, 0) << "procs " << procs << ": " << r.output;
  }
}

// Go's TestStealOrder: for every count of Ps up to the limit, the victim
// order of each (start, coprime stride) visits every P exactly once, and
// from 3 Ps on there are at least two strides to choose from.
TEST(GoProcTest, StealOrder) {
  for (uint32_t procs = 1; procs <= kMaxProcs; procs++) {
    uint32_t strides[kMaxProcs];
    const uint32_t n = coprimes(procs, strides);
    if (procs >= 3) {
      ASSERT_GE(n, 2u) << "too few coprimes for " << procs;
    }
    for (uint32_t i = 0; i < procs * n; i++) {
      std::vector<int> visits(procs);
      uint32_t pos = i % procs;
      const uint32_t inc = strides[i / procs];
      for (uint32_t k = 0; k < procs; k++, pos = (pos + inc) % procs) visits[pos]++;
      for (uint32_t j = 0; j < procs; j++) ASSERT_EQ(visits[j], 1) << "P " << j << " of " << procs << ", order " << i;
    }
  }
}

}  // namespace
}  // namespace gort::rt
