// Tests of the semaphore invariants and the sync oracle: each rule has a
// hand-built case that breaks it (and nothing else), checked for the
// rule's name and the step it blames, next to the consistent case that
// yields nothing.
#include <string>
#include <vector>

#include "check/invariants.h"
#include "check/oracle.h"
#include "gort/hooks.h"
#include "gort/introspect.h"
#include "gtest/gtest.h"

namespace gort::harness {
namespace {

using introspect::Goroutine;
using introspect::GStatus;
using introspect::SemaRootView;
using introspect::SemaWaiter;
using introspect::Snapshot;

Goroutine g(uint64_t goid, GStatus status, const char* reason = "") {
  Goroutine out;
  out.goid = goid;
  out.status = status;
  out.wait_reason = reason;
  if (status == GStatus::kRunning) out.on_m = 1;
  if (status == GStatus::kRunnable) out.in_local_runq = 1;
  return out;
}

// g1 running; g2 and g3 waiting in semacquire on one semaphore (count 0)
// of root 7, which counts both.
Snapshot semaphores() {
  Snapshot s;
  s.current_goid = 1;
  s.goroutines = {g(1, GStatus::kRunning), g(2, GStatus::kWaiting, "semacquire"),
                  g(3, GStatus::kWaiting, "semacquire")};
  s.sema_waiters = {SemaWaiter{2, 0x1000, 0, 7}, SemaWaiter{3, 0x1000, 0, 7}};
  s.sema_roots = {SemaRootView{7, 2, 2, false}};
  return s;
}

std::vector<std::string> rules(const std::vector<Violation>& vs) {
  std::vector<std::string> out;
  for (const Violation& v : vs) out.push_back(v.invariant);
  return out;
}

TEST(SemaInvariants, ConsistentWaitersYieldNothing) { EXPECT_TRUE(check_invariants(semaphores()).empty()); }

TEST(SemaInvariants, NwaitDiffersFromTheQueue) {
  Snapshot s = semaphores();
  s.sema_roots[0].nwait = 3;
  EXPECT_EQ(rules(check_invariants(s)), std::vector<std::string>{"sema.nwait"});
  // Mid-operation (its lock held) the two may differ.
  s.sema_roots[0].locked = true;
  EXPECT_TRUE(check_invariants(s).empty());
}

TEST(SemaInvariants, AWaiterThatIsNotParkedInSemacquire) {
  Snapshot s = semaphores();
  s.goroutines[2] = g(3, GStatus::kWaiting, "chan receive");
  EXPECT_EQ(rules(check_invariants(s)), std::vector<std::string>{"sema.waiter-waiting"});
}

TEST(SemaInvariants, AGoroutineQueuedTwice) {
  Snapshot s = semaphores();
  s.sema_waiters[1].goid = 2;
  s.goroutines.pop_back();
  EXPECT_EQ(rules(check_invariants(s)), std::vector<std::string>{"sema.waiter-once"});
}

TEST(SemaInvariants, APositiveCountWithAWaiterAndNobodyToRunIsALostWakeup) {
  Snapshot s = semaphores();
  for (SemaWaiter& w : s.sema_waiters) w.count = 1;
  // g1 can still run (and may be the one about to take it): not yet lost.
  EXPECT_TRUE(check_invariants(s).empty());
  s.goroutines[0] = g(1, GStatus::kWaiting, "chan receive");
  s.goroutines[0].waiting_on.clear();
  s.current_goid = 0;
  const std::vector<Violation> vs = check_invariants(s);
  size_t lost = 0;
  for (const Violation& v : vs) lost += v.invariant == "sema.lost-wakeup" ? 1 : 0;
  EXPECT_EQ(lost, 2u) << vs.size();
}

Event ev(EventKind kind, uint64_t goid, uint64_t obj, int64_t value = 0, int64_t aux = 0) {
  Event e{kind, goid, obj, value, aux, false};
  return e;
}

// The sync rules' violations of a trace: (rule, step).
std::vector<std::pair<std::string, size_t>> judged(const std::vector<Event>& t) {
  std::vector<std::pair<std::string, size_t>> out;
  for (const TraceViolation& v : judge_trace(t).violations) out.emplace_back(v.rule, v.step);
  return out;
}

using Found = std::vector<std::pair<std::string, size_t>>;

TEST(SyncOracle, MutexHoldersTakeTurns) {
  std::vector<Event> t = {ev(EventKind::kSyncAcquire, 1, 1, 0, kSyncMutex),
                          ev(EventKind::kSyncRelease, 1, 1, 0, kSyncMutex),
                          ev(EventKind::kSyncAcquire, 2, 1, 0, kSyncMutex)};
  EXPECT_TRUE(judged(t).empty());
  // g2 barges in while g1 holds it; and once g1 releases, g2 (still
  // holding it) is a holder its next acquire collides with.
  t.insert(t.begin() + 1, ev(EventKind::kSyncAcquire, 2, 1, 0, kSyncMutex));
  EXPECT_EQ(judged(t), (Found{{"sync.mutex-exclusion", 1}, {"sync.mutex-exclusion", 3}}));
}

TEST(SyncOracle, ReadersShareAndWritersExclude) {
  std::vector<Event> t = {ev(EventKind::kSyncAcquire, 1, 1, 0, kSyncRead),
                          ev(EventKind::kSyncAcquire, 2, 1, 0, kSyncRead),
                          ev(EventKind::kSyncAcquire, 3, 1, 0, kSyncWrite)};
  EXPECT_EQ(judged(t), (Found{{"sync.rwmutex-exclusion", 2}}));
  t = {ev(EventKind::kSyncAcquire, 3, 1, 0, kSyncWrite), ev(EventKind::kSyncAcquire, 1, 1, 0, kSyncRead)};
  EXPECT_EQ(judged(t), (Found{{"sync.rwmutex-exclusion", 1}}));
}

TEST(SyncOracle, AWaitGroupWaitReturnsOnlyAfterTheCounterWasZero) {
  std::vector<Event> t = {ev(EventKind::kSyncAdd, 1, 1, 2, 2), ev(EventKind::kSyncWait, 1, 1, 2, kWaitGroupWait),
                          ev(EventKind::kSyncAdd, 2, 1, 1, -1), ev(EventKind::kSyncWake, 1, 1, 0, kWaitGroupWait)};
  EXPECT_EQ(judged(t), (Found{{"sync.waitgroup-early", 3}}));
  t.insert(t.begin() + 3, ev(EventKind::kSyncAdd, 3, 1, 0, -1));
  EXPECT_TRUE(judged(t).empty());
}

TEST(SyncOracle, OnceRunsItsFunctionOnceAndReturnsAfterIt) {
  std::vector<Event> t = {ev(EventKind::kSyncOnce, 1, 1, 0, kOnceBegin), ev(EventKind::kSyncOnce, 2, 1, 0, kOnceDone),
                          ev(EventKind::kSyncOnce, 1, 1, 0, kOnceEnd), ev(EventKind::kSyncOnce, 3, 1, 0, kOnceBegin)};
  EXPECT_EQ(judged(t), (Found{{"sync.once-early", 1}, {"sync.once-twice", 3}}));
}

TEST(SyncOracle, ACondWaiterWakesOnlyOnceItsTicketWasNotified) {
  std::vector<Event> t = {ev(EventKind::kSyncWait, 2, 1, 0, kCondWait), ev(EventKind::kSyncWait, 3, 1, 1, kCondWait),
                          ev(EventKind::kSyncNotify, 1, 1, 0, 0), ev(EventKind::kSyncWake, 3, 1, 1, kCondWait)};
  EXPECT_EQ(judged(t), (Found{{"sync.cond-unsignalled", 3}}));
  // A Broadcast reaches every ticket taken before it.
  t.insert(t.begin() + 3, ev(EventKind::kSyncNotify, 1, 1, 2, 1));
  EXPECT_TRUE(judged(t).empty());
}

TEST(SyncOracle, ASemaphoreWakesTheHeadOfItsQueue) {
  std::vector<Event> t = {ev(EventKind::kSemaQueue, 2, 1, 0, 0),   ev(EventKind::kSemaQueue, 3, 1, 0, 0),
                          ev(EventKind::kSemaQueue, 4, 1, 0, 1),  // waited before: at the head
                          ev(EventKind::kSemaDequeue, 1, 1, 4, 0), ev(EventKind::kSemaDequeue, 1, 1, 2, 0),
                          ev(EventKind::kSemaDequeue, 1, 1, 3, 1)};
  EXPECT_TRUE(judged(t).empty());
  std::swap(t[4], t[5]);
  EXPECT_EQ(judged(t), (Found{{"sema.fifo", 4}}));
}

}  // namespace
}  // namespace gort::harness
