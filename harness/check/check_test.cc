// Tests of the invariant checker, the channel oracle and CheckingChooser.
//
// Each invariant and each oracle rule has a hand-built case that breaks it
// (and, where the rules allow, nothing else), checked for the rule's name,
// the objects it names and the step it blames; the consistent cases yield
// nothing. The end-to-end tests run real goroutine programs on the sim
// runtime under CheckingChooser and expect silence, and show that a
// corrupted snapshot or trace is caught.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "check/checker.h"
#include "check/end_state.h"
#include "check/invariants.h"
#include "check/oracle.h"
#include "gort/gort.h"
#include "gort/introspect.h"
#include "gtest/gtest.h"
#include "scenario/scenario.h"
#include "strategy/seeded_chooser.h"

namespace gort::harness {
namespace {

using introspect::Channel;
using introspect::Goroutine;
using introspect::GStatus;
using introspect::Snapshot;
using introspect::Waiter;

// ---------------------------------------------------------------------------
// Snapshots

Goroutine goroutine(uint64_t goid, GStatus status) {
  Goroutine g;
  g.goid = goid;
  g.status = status;
  switch (status) {
    case GStatus::kRunning:
      g.on_m = 1;
      break;
    case GStatus::kRunnable:
      g.in_local_runq = 1;
      break;
    case GStatus::kDead:
      g.in_gfree = 1;
      break;
    default:
      break;
  }
  return g;
}

Goroutine waiting_on(uint64_t goid, std::vector<uint64_t> chans, bool in_select) {
  Goroutine g = goroutine(goid, GStatus::kWaiting);
  g.waiting_on = std::move(chans);
  g.in_select = in_select;
  g.wait_reason = in_select ? "select" : "chan receive";
  return g;
}

Waiter waiter(uint64_t goid, bool is_select = false, bool select_done = false) {
  Waiter w;
  w.goid = goid;
  w.is_select = is_select;
  w.owned_by_g = true;
  w.select_done = select_done;
  return w;
}

Channel channel(uint64_t id, uint32_t dataqsiz, uint32_t qcount = 0, uint32_t recvx = 0) {
  Channel c;
  c.id = id;
  c.dataqsiz = dataqsiz;
  c.qcount = qcount;
  c.recvx = recvx;
  c.sendx = dataqsiz == 0 ? 0 : (recvx + qcount) % dataqsiz;
  return c;
}

// A consistent state with a bit of everything:
//   g1 running (the M's current G), g2 runnable in runnext, g3 parked
//   receiving on c1 (unbuffered), g4 parked in a select sending on c2 (full)
//   and receiving on c3, g5 dead, g6 runnable after its select won (its
//   stale sudog still on c5), g7 selecting on both sides of c6, g8 runnable
//   on the global queue; c4 closed with a value left.
Snapshot consistent() {
  Snapshot s;
  s.current_goid = 1;
  s.goroutines.push_back(goroutine(1, GStatus::kRunning));
  Goroutine g2 = goroutine(2, GStatus::kRunnable);
  g2.in_local_runq = 0;
  g2.in_runnext = 1;
  s.goroutines.push_back(g2);
  s.goroutines.push_back(waiting_on(3, {1}, false));
  s.goroutines.push_back(waiting_on(4, {2, 3}, true));
  s.goroutines.push_back(goroutine(5, GStatus::kDead));
  Goroutine g6 = goroutine(6, GStatus::kRunnable);
  g6.waiting_on = {5};
  g6.in_select = true;
  s.goroutines.push_back(g6);
  s.goroutines.push_back(waiting_on(7, {6, 6}, true));
  Goroutine g8 = goroutine(8, GStatus::kRunnable);
  g8.in_local_runq = 0;
  g8.in_global_runq = 1;
  s.goroutines.push_back(g8);

  Channel c1 = channel(1, 0);
  c1.recvq = {waiter(3)};
  Channel c2 = channel(2, 2, 2, 1);
  c2.sendq = {waiter(4, true)};
  Channel c3 = channel(3, 0);
  c3.recvq = {waiter(4, true)};
  Channel c4 = channel(4, 3, 1, 2);
  c4.closed = true;
  Channel c5 = channel(5, 0);
  c5.recvq = {waiter(6, true, true)};
  Channel c6 = channel(6, 0);
  c6.sendq = {waiter(7, true)};
  c6.recvq = {waiter(7, true)};
  s.channels = {c1, c2, c3, c4, c5, c6};
  return s;
}

Goroutine& g_of(Snapshot& s, uint64_t goid) {
  for (Goroutine& g : s.goroutines) {
    if (g.goid == goid) return g;
  }
  ADD_FAILURE() << "no g" << goid;
  return s.goroutines.front();
}

Channel& c_of(Snapshot& s, uint64_t id) {
  for (Channel& c : s.channels) {
    if (c.id == id) return c;
  }
  ADD_FAILURE() << "no c" << id;
  return s.channels.front();
}

std::vector<std::string> names(const std::vector<Violation>& vs) {
  std::vector<std::string> out;
  for (const Violation& v : vs) out.push_back(v.invariant);
  return out;
}

std::string all_details(const std::vector<Violation>& vs) {
  std::string out;
  for (const Violation& v : vs) out += v.invariant + ": " + v.detail + "\n";
  return out;
}

// Exactly one violation, of invariant, whose detail mentions every word.
void expect_only(const Snapshot& s, const std::string& invariant, std::vector<std::string> words) {
  std::vector<Violation> vs = check_invariants(s);
  ASSERT_EQ(names(vs), std::vector<std::string>{invariant}) << all_details(vs);
  for (const std::string& w : words) EXPECT_NE(vs[0].detail.find(w), std::string::npos) << w << " in " << vs[0].detail;
}

TEST(Invariants, ConsistentSnapshotYieldsNothing) {
  std::vector<Violation> vs = check_invariants(consistent());
  EXPECT_TRUE(vs.empty()) << all_details(vs);
}

TEST(Invariants, EmptySnapshotYieldsNothing) { EXPECT_TRUE(check_invariants(Snapshot{}).empty()); }

TEST(Invariants, QcountAboveCapacity) {
  Snapshot s = consistent();
  Channel& c2 = c_of(s, 2);
  c2.qcount = 3;
  c2.sendx = (c2.recvx + c2.qcount) % c2.dataqsiz;
  expect_only(s, "chan.qcount-range", {"c2", "qcount 3", "dataqsiz 2"});
}

TEST(Invariants, RingIndicesInconsistentWithQcount) {
  Snapshot s = consistent();
  c_of(s, 4).sendx = 1;  // want (2 + 1) % 3 == 0
  expect_only(s, "chan.ring-indices", {"c4", "sendx 1", "recvx 2"});
}

TEST(Invariants, RingIndicesOfUnbufferedChannelAreZero) {
  Snapshot s = consistent();
  c_of(s, 3).recvx = 1;
  expect_only(s, "chan.ring-indices", {"c3", "unbuffered"});
}

TEST(Invariants, BothQueuesWaitedOn) {
  // A select sender on c1 while g3 waits to receive there: they should
  // have met. (A select waiter: the lost-wake-up rule is for plain ones.)
  Snapshot s = consistent();
  s.goroutines.push_back(waiting_on(9, {1}, true));
  c_of(s, 1).sendq = {waiter(9, true)};
  expect_only(s, "chan.one-queue-nonempty", {"c1", "sendq [g9]", "recvq [g3]"});
}

TEST(Invariants, OneSelectOnBothSidesIsAllowedButNotTwo) {
  Snapshot s = consistent();
  EXPECT_TRUE(check_invariants(s).empty());  // g7 on both sides of c6
  s.goroutines.push_back(waiting_on(9, {6}, true));
  c_of(s, 6).recvq.push_back(waiter(9, true));
  expect_only(s, "chan.one-queue-nonempty", {"c6", "sendq [g7]", "recvq [g7 g9]"});
}

TEST(Invariants, DoneSelectWaitersDoNotCountForOneQueue) {
  // c5's recvq holds only g6's stale sudog: a sender may wait there.
  Snapshot s = consistent();
  s.goroutines.push_back(waiting_on(9, {5}, false));
  c_of(s, 5).sendq = {waiter(9)};
  std::vector<Violation> vs = check_invariants(s);
  EXPECT_TRUE(vs.empty()) << all_details(vs);
}

TEST(Invariants, BufferedValuesWhileReceiversWait) {
  Snapshot s = consistent();
  Channel& c3 = c_of(s, 3);  // make it buffered, with a value, g4's select still receiving
  c3.dataqsiz = 2;
  c3.qcount = 1;
  c3.sendx = 1;
  expect_only(s, "chan.buffered-with-receivers", {"c3", "recvq [g4]"});
}

TEST(Invariants, RoomWhileSendersWait) {
  Snapshot s = consistent();
  Channel& c2 = c_of(s, 2);
  c2.qcount = 1;
  c2.recvx = 0;
  c2.sendx = 1;
  expect_only(s, "chan.room-with-senders", {"c2", "qcount 1", "sendq [g4]"});
}

TEST(Invariants, ClosedWithSenders) {
  Snapshot s = consistent();
  c_of(s, 2).closed = true;
  expect_only(s, "chan.closed-with-senders", {"c2", "sendq [g4]"});
}

TEST(Invariants, DuplicateGoid) {
  Snapshot s = consistent();
  s.goroutines.push_back(goroutine(5, GStatus::kDead));
  expect_only(s, "g.duplicate-goid", {"g5"});
}

TEST(Invariants, RunningGoroutineAlsoQueued) {
  Snapshot s = consistent();
  g_of(s, 1).in_local_runq = 1;
  expect_only(s, "g.running-placement", {"g1", "running", "local runq 1"});
}

TEST(Invariants, RunningOnTwoMs) {
  Snapshot s = consistent();
  g_of(s, 1).on_m = 2;
  expect_only(s, "g.on-two-ms", {"g1", "2 Ms"});
}

TEST(Invariants, RunnableInTwoRunQueues) {
  Snapshot s = consistent();
  g_of(s, 2).in_global_runq = 1;
  expect_only(s, "g.runnable-placement", {"g2", "runnext 1", "global runq 1"});
}

TEST(Invariants, RunnableInNoRunQueue) {
  Snapshot s = consistent();
  g_of(s, 8).in_global_runq = 0;
  expect_only(s, "g.runnable-placement", {"g8", "global runq 0"});
}

TEST(Invariants, WaitingGoroutineInARunQueue) {
  Snapshot s = consistent();
  g_of(s, 3).in_global_runq = 1;
  expect_only(s, "g.waiting-placement", {"g3", "waiting", "global runq 1"});
}

TEST(Invariants, DeadGoroutineFreedTwice) {
  Snapshot s = consistent();
  g_of(s, 5).in_gfree = 2;
  expect_only(s, "g.dead-placement", {"g5", "gfree 2"});
}

TEST(Invariants, DeadGoroutineOnTheRunQueue) {
  Snapshot s = consistent();
  g_of(s, 5).in_runnext = 1;
  expect_only(s, "g.dead-placement", {"g5", "runnext 1"});
}

TEST(Invariants, IdleGoroutineQueued) {
  Snapshot s = consistent();
  Goroutine g9 = goroutine(9, GStatus::kIdle);
  g9.in_local_runq = 1;
  s.goroutines.push_back(g9);
  expect_only(s, "g.other-placement", {"g9", "idle"});
}

TEST(Invariants, CurrentGoroutineNotRunning) {
  Snapshot s = consistent();
  s.current_goid = 0;  // the M says it runs its scheduler, yet g1 is running
  expect_only(s, "m.current-g", {"g1", "scheduler"});
  s.current_goid = 2;  // the M runs g2, which is runnable, and g1 runs too
  std::vector<Violation> vs = check_invariants(s);
  EXPECT_EQ(names(vs), (std::vector<std::string>{"m.current-g", "m.current-g"})) << all_details(vs);
}

TEST(Invariants, LiveWaiterWhoseGoroutineIsNotWaiting) {
  Snapshot s = consistent();
  Goroutine& g3 = g_of(s, 3);  // readied but still queued on c1
  g3.status = GStatus::kRunnable;
  g3.in_local_runq = 1;
  expect_only(s, "sudog.owner-waiting", {"c1 recvq", "g3", "runnable"});
}

TEST(Invariants, WaiterOfAnUnknownGoroutine) {
  Snapshot s = consistent();
  c_of(s, 6).sendq.push_back(waiter(42, true));
  std::vector<Violation> vs = check_invariants(s);
  // g42 is not in the snapshot, and c6 now has two Gs on its two sides.
  EXPECT_EQ(names(vs), (std::vector<std::string>{"chan.one-queue-nonempty", "sudog.owner-waiting"})) << all_details(vs);
}

TEST(Invariants, SudogNotOwnedByItsGoroutine) {
  Snapshot s = consistent();
  c_of(s, 1).recvq[0].owned_by_g = false;
  expect_only(s, "sudog.owned-by-g", {"c1 recvq", "g3"});
}

TEST(Invariants, WaitingGoroutineMissingFromItsQueue) {
  Snapshot s = consistent();
  c_of(s, 1).recvq.clear();  // dequeued, never readied: g3 is lost
  expect_only(s, "sudog.wait-queues", {"g3", "c1", "0 time"});
}

TEST(Invariants, PlainWaiterQueuedTwice) {
  Snapshot s = consistent();
  c_of(s, 1).recvq.push_back(waiter(3));
  expect_only(s, "sudog.wait-queues", {"g3", "c1", "2 time"});
}

TEST(Invariants, SelectWaiterQueuedOnAChannelItDoesNotName) {
  Snapshot s = consistent();
  Channel& c4 = c_of(s, 4);  // open it and empty it so that g4 may wait there
  c4.closed = false;
  c4.qcount = 0;
  c4.sendx = c4.recvx;
  c4.recvq = {waiter(4, true)};
  expect_only(s, "sudog.wait-queues", {"g4", "c4", "do not name"});
}

TEST(Invariants, PlainWaiterOnTwoChannels) {
  Snapshot s = consistent();
  g_of(s, 3).waiting_on = {1, 4};
  expect_only(s, "sudog.wait-queues", {"g3", "2 channels"});
}

TEST(Invariants, SelectWonButGoroutineStillWaits) {
  Snapshot s = consistent();
  c_of(s, 2).sendq[0].select_done = true;  // g4's send case won, nobody readied g4
  expect_only(s, "wakeup.select-won-not-readied", {"c2", "g4"});
}

TEST(Invariants, ReceiverLeftParkedOnClosedChannel) {
  Snapshot s = consistent();
  c_of(s, 1).closed = true;
  expect_only(s, "wakeup.lost", {"g3", "c1", "closed"});
}

TEST(Invariants, PlainReceiverParkedBesideBufferedValuesIsAlsoALostWakeup) {
  Snapshot s = consistent();
  Channel& c1 = c_of(s, 1);
  c1.dataqsiz = 1;
  c1.qcount = 1;
  std::vector<Violation> vs = check_invariants(s);
  EXPECT_EQ(names(vs), (std::vector<std::string>{"chan.buffered-with-receivers", "wakeup.lost"})) << all_details(vs);
  EXPECT_NE(vs[1].detail.find("g3"), std::string::npos);
}

TEST(Invariants, PlainSenderParkedWhileAReceiverWaits) {
  Snapshot s = consistent();
  s.goroutines.push_back(waiting_on(9, {1}, false));
  c_of(s, 1).sendq = {waiter(9)};
  std::vector<Violation> vs = check_invariants(s);
  EXPECT_EQ(names(vs), (std::vector<std::string>{"chan.one-queue-nonempty", "wakeup.lost"})) << all_details(vs);
  EXPECT_NE(vs[1].detail.find("g9 waits to send on c1 while g3"), std::string::npos) << vs[1].detail;
}

TEST(Invariants, PlainSenderParkedWithRoom) {
  Snapshot s = consistent();
  s.goroutines.push_back(waiting_on(9, {4}, false));
  Channel& c4 = c_of(s, 4);
  c4.closed = false;
  c4.sendq = {waiter(9)};
  std::vector<Violation> vs = check_invariants(s);
  EXPECT_EQ(names(vs), (std::vector<std::string>{"chan.room-with-senders", "wakeup.lost"})) << all_details(vs);
  EXPECT_NE(vs[1].detail.find("room (1 of 3)"), std::string::npos) << vs[1].detail;
}

// An idle P or M: on its idle list once; off it: on none.
void set_idle(introspect::Processor& p, bool idle) {
  p.idle = idle;
  p.idle_count = idle ? 1 : 0;
}
void set_idle(introspect::Machine& m, bool idle) {
  m.idle = idle;
  m.idle_count = idle ? 1 : 0;
}

// Several Ms: consistent() on two Ps and two Ms. M0 (taking the snapshot)
// holds P0 and runs g1; M1 holds P1 and runs g9, which is running too; a
// third M idles on the idle M list, P2 on the idle P list.
Snapshot consistent_on_three_ms() {
  Snapshot s = consistent();
  s.current_m = 0;
  s.goroutines.push_back(goroutine(9, GStatus::kRunning));
  introspect::Processor p0, p1, p2;
  p0.id = 0;
  p0.m = 0;
  p1.id = 1;
  p1.m = 1;
  p2.id = 2;
  set_idle(p2, true);
  s.procs = {p0, p1, p2};
  introspect::Machine m0, m1, m2;
  m0.id = 0;
  m0.p = 0;
  m0.curg = 1;
  m0.on_stack_of = 1;
  m1.id = 1;
  m1.p = 1;
  m1.curg = 9;
  m1.on_stack_of = 9;
  m2.id = 2;
  set_idle(m2, true);
  s.ms = {m0, m1, m2};
  return s;
}

// consistent() on one P held by the one M, which runs g1.
Snapshot consistent_on_one_p() {
  Snapshot s = consistent();
  s.current_m = 0;
  introspect::Processor p0;
  p0.id = 0;
  p0.m = 0;
  s.procs = {p0};
  introspect::Machine m0;
  m0.id = 0;
  m0.p = 0;
  m0.curg = 1;
  m0.on_stack_of = 1;
  s.ms = {m0};
  return s;
}

TEST(InvariantsTimers, AHeapOutOfOrderIsReported) {
  Snapshot s = consistent_on_one_p();
  s.procs[0].timers = 3;
  s.procs[0].next_timer = 5;
  EXPECT_TRUE(check_invariants(s, true).empty()) << all_details(check_invariants(s, true));
  s.procs[0].timers_misplaced = 1;
  expect_only(s, "timer.heap-order", {"P0", "1 timer(s)"});
}

TEST(InvariantsTimers, ADueTimerAsAGoroutineResumesOnOneP) {
  Snapshot s = consistent_on_one_p();
  s.now = 1'000;
  s.procs[0].timers = 1;
  s.procs[0].next_timer = 1'001;  // still to come: fine
  EXPECT_TRUE(check_invariants(s, true).empty()) << all_details(check_invariants(s, true));
  s.procs[0].next_timer = 1'000;  // due now, yet g1 resumes
  std::vector<Violation> vs = check_invariants(s, true);
  ASSERT_EQ(names(vs), std::vector<std::string>{"timer.due-at-resume"}) << all_details(vs);
  EXPECT_NE(vs[0].detail.find("g1"), std::string::npos) << vs[0].detail;
  // Not at a resumption (a goroutine between operations, after a clock
  // jump), or with several Ps: not decided.
  EXPECT_TRUE(check_invariants(s, false).empty());
  Snapshot several = consistent_on_three_ms();
  several.now = 1'000;
  several.procs[0].timers = 1;
  several.procs[0].next_timer = 10;
  EXPECT_TRUE(check_invariants(several, true).empty()) << all_details(check_invariants(several, true));
}

TEST(InvariantsSeveralMs, ConsistentSnapshotYieldsNothing) {
  std::vector<Violation> vs = check_invariants(consistent_on_three_ms());
  EXPECT_TRUE(vs.empty()) << all_details(vs);
}

TEST(InvariantsSeveralMs, ARunningGoroutineNoMRuns) {
  Snapshot s = consistent_on_three_ms();
  s.ms[1].curg = 0;
  s.ms[1].on_stack_of = 0;
  expect_only(s, "m.current-g", {"g9 is running, but no M runs it"});
}

TEST(InvariantsSeveralMs, AnotherMsCurrentGoroutineIsNotRunning) {
  Snapshot s = consistent_on_three_ms();
  s.ms[1].curg = 2;  // g2 is runnable, in runnext
  s.ms[1].on_stack_of = 2;
  std::vector<Violation> vs = check_invariants(s);
  EXPECT_EQ(names(vs), (std::vector<std::string>{"m.current-g", "m.current-g"})) << all_details(vs);
  EXPECT_NE(all_details(vs).find("M1 runs g2, which is runnable"), std::string::npos) << all_details(vs);
}

TEST(InvariantsSeveralMs, APHeldAndIdleAtOnce) {
  Snapshot s = consistent_on_three_ms();
  set_idle(s.procs[1], true);
  expect_only(s, "sched.p-placement", {"P1 is idle, yet held by M1"});
}

TEST(InvariantsSeveralMs, APNeitherIdleNorHeld) {
  Snapshot s = consistent_on_three_ms();
  set_idle(s.procs[2], false);
  expect_only(s, "sched.p-placement", {"P2 is neither idle nor held"});
}

TEST(InvariantsSeveralMs, APOnTheIdleListTwice) {
  Snapshot s = consistent_on_three_ms();
  s.procs[2].idle_count = 2;
  expect_only(s, "sched.p-placement", {"P2 is on the idle P list 2 times"});
}

TEST(InvariantsSeveralMs, TwoMsHoldingOneP) {
  Snapshot s = consistent_on_three_ms();
  set_idle(s.ms[2], false);
  s.ms[2].p = 1;
  expect_only(s, "sched.p-placement", {"P1", "2 M(s) name it"});
}

TEST(InvariantsSeveralMs, AnIdleMHoldingAP) {
  Snapshot s = consistent_on_three_ms();
  s.ms[2].p = 2;
  set_idle(s.procs[2], false);
  s.procs[2].m = 2;
  expect_only(s, "sched.m-holds-p", {"M2 is idle, yet holds P2"});
}

TEST(InvariantsSeveralMs, AnMRunningAGoroutineWithoutAP) {
  Snapshot s = consistent_on_three_ms();
  s.ms[1].p = -1;
  s.procs[1].m = -1;
  set_idle(s.procs[1], true);
  expect_only(s, "sched.m-holds-p", {"M1 runs g9 without a P"});
}

TEST(InvariantsSeveralMs, NmspinningDisagreesWithTheSpinningMs) {
  Snapshot s = consistent_on_three_ms();
  set_idle(s.ms[2], false);
  s.ms[2].spinning = true;
  expect_only(s, "sched.nmspinning", {"nmspinning is 0, but 1 M(s) spin"});
}

TEST(InvariantsSeveralMs, TwoMsOnOneGoroutinesStack) {
  Snapshot s = consistent_on_three_ms();
  s.ms[1].on_stack_of = 1;
  expect_only(s, "sched.stack-two-ms", {"M0 and M1 both run on g1's stack"});
}

TEST(InvariantsSeveralMs, WhileAnotherMIsMidOperationOnlyUnlockedChannelsAreChecked) {
  // M1 is switched out inside an operation: g9's placement and the locked
  // c2 may be half done, and are not judged; the free c1 still is.
  Snapshot s = consistent_on_three_ms();
  s.quiescent = false;
  s.ms[1].curg = 0;  // would be m.current-g at a quiescent point
  Channel& c2 = c_of(s, 2);
  c2.locked = true;
  c2.qcount = 7;  // would be chan.qcount-range if it were free
  EXPECT_TRUE(check_invariants(s).empty()) << all_details(check_invariants(s));
  Channel& c1 = c_of(s, 1);
  c1.sendx = 1;  // c1's lock is free: judged
  expect_only(s, "chan.ring-indices", {"c1"});
}

TEST(EndState, NotKnownWhileAnotherMIsMidOperation) {
  Snapshot s = consistent();
  s.quiescent = false;
  EndState end = end_state_from_snapshot(s);
  EXPECT_TRUE(end.blocked.empty());
  EXPECT_TRUE(end.channels.empty());
}

TEST(EndState, FromSnapshotListsLiveWaitersAndChannels) {
  EndState end = end_state_from_snapshot(consistent());
  ASSERT_EQ(end.channels.size(), 6u);
  EXPECT_EQ(end.channels[3].chan, 4u);
  EXPECT_EQ(end.channels[3].qcount, 1u);
  EXPECT_TRUE(end.channels[3].closed);
  // g3 on c1, g4 on c2 and c3, g7 twice on c6; g6's stale sudog is left out.
  std::vector<std::string> got;
  for (const BlockedAtEnd& b : end.blocked) {
    got.push_back("g" + std::to_string(b.goid) + (b.dir == Direction::kSend ? " send c" : " recv c") +
                  std::to_string(b.chan) + (b.in_select ? " select" : ""));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"g3 recv c1", "g4 send c2 select", "g4 recv c3 select", "g7 send c6 select",
                                           "g7 recv c6 select"}));
}

// ---------------------------------------------------------------------------
// Traces

Event e_make(uint64_t g, uint64_t c, int64_t cap) { return {EventKind::kChanMake, g, c, 0, cap, false}; }
Event e_send(uint64_t g, uint64_t c, int64_t v) { return {EventKind::kChanSend, g, c, v, 0, true}; }
Event e_recv(uint64_t g, uint64_t c, int64_t v, bool ok = true) { return {EventKind::kChanRecv, g, c, v, ok, true}; }
Event e_close(uint64_t g, uint64_t c) { return {EventKind::kChanClose, g, c, 0, 0, false}; }
Event e_go(uint64_t g, uint64_t newg) { return {EventKind::kGoCreate, g, newg, 0, 0, false}; }
Event e_park(uint64_t g) { return {EventKind::kGoPark, g, 0, 0, 0, false}; }
Event e_ready(uint64_t waker, uint64_t g) { return {EventKind::kGoReady, waker, g, 0, 0, false}; }
Event e_run(uint64_t g) { return {EventKind::kGoRun, g, 0, 0, 0, false}; }
Event e_select(uint64_t g, int64_t c) { return {EventKind::kSelect, g, 0, 0, c, false}; }
Event e_preempt(uint64_t g) { return {EventKind::kGoPreempt, g, 0, 0, 0, false}; }

std::string verdict_text(const OracleVerdict& v) {
  std::string out;
  for (const TraceViolation& t : v.violations) {
    out += "step " + std::to_string(t.step) + " " + t.rule + ": " + t.explanation + "\n";
  }
  return out;
}

// The first violation of rule, or null.
const TraceViolation* find_rule(const OracleVerdict& v, const std::string& rule) {
  for (const TraceViolation& t : v.violations) {
    if (t.rule == rule) return &t;
  }
  return nullptr;
}

// Exactly one violation, of rule, at step, whose explanation has every word.
void expect_one(const OracleVerdict& v, const std::string& rule, size_t step, std::vector<std::string> words = {}) {
  ASSERT_EQ(v.violations.size(), 1u) << verdict_text(v);
  EXPECT_EQ(v.violations[0].rule, rule) << verdict_text(v);
  EXPECT_EQ(v.violations[0].step, step) << verdict_text(v);
  for (const std::string& w : words) {
    EXPECT_NE(v.violations[0].explanation.find(w), std::string::npos) << w << " in " << verdict_text(v);
  }
}

TEST(Oracle, BufferedFifoTracePasses) {
  std::vector<Event> t = {e_make(1, 1, 2),  e_send(1, 1, 10), e_send(1, 1, 11), e_recv(1, 1, 10),
                          e_send(1, 1, 12), e_recv(1, 1, 11), e_recv(1, 1, 12)};
  OracleVerdict v = judge_trace(t);
  EXPECT_TRUE(v.ok()) << verdict_text(v);
}

// g1 receives twice from unbuffered c1; g2 sends 10 and 11. The first
// receive parks and g2's send hands it over; the second send parks and g1's
// receive takes it, and g1 closes c1 before g2 runs again: g2's kChanSend
// comes after the close in the trace, yet it took effect before.
std::vector<Event> unbuffered_with_parks() {
  return {
      e_make(1, 1, 0),   // 0
      e_go(1, 2),        // 1
      e_park(1),         // 2  g1 parks in recv
      e_run(2),          // 3
      e_ready(2, 1),     // 4  g2's send hands 10 to g1
      e_send(2, 1, 10),  // 5
      e_park(2),         // 6  g2 parks in its second send
      e_run(1),          // 7
      e_recv(1, 1, 10),  // 8  g1's parked receive completes
      e_ready(1, 2),     // 9  g1's second receive takes 11 from g2
      e_recv(1, 1, 11),  // 10
      e_close(1, 1),     // 11
      e_run(2),          // 12
      e_send(2, 1, 11),  // 13 g2's parked send completes
      {EventKind::kGoExit, 2, 0, 0, 0, false},
  };
}

TEST(Oracle, UnbufferedTraceWithParkedPartnersPasses) {
  OracleVerdict v = judge_trace(unbuffered_with_parks());
  EXPECT_TRUE(v.ok()) << verdict_text(v);
}

TEST(Oracle, FullBufferRefilledFromAParkedSenderPasses) {
  // cap 1 holds 1; g2 parks sending 2; g1's receive takes 1 and moves 2 in;
  // g1 receives 2 before g2 even runs again.
  std::vector<Event> t = {e_make(1, 1, 1), e_send(1, 1, 1), e_go(1, 2), e_preempt(1),
                          e_run(2),        e_park(2),       e_run(1),   e_ready(1, 2),
                          e_recv(1, 1, 1), e_recv(1, 1, 2), e_run(2),   e_send(2, 1, 2)};
  OracleVerdict v = judge_trace(t);
  EXPECT_TRUE(v.ok()) << verdict_text(v);
}

TEST(Oracle, WokenGoroutineTheTraceNeverShowsStillCounts) {
  // g2 parked receiving on unbuffered c1; g1's send hands it 5 and the run
  // ends before g2 runs: the send was paired all the same.
  std::vector<Event> t = {e_make(1, 1, 0), e_go(1, 2), e_preempt(1),  e_run(2),
                          e_park(2),       e_run(1),   e_ready(1, 2), e_send(1, 1, 5)};
  EndState end;
  end.channels = {{1, 0, false}};
  OracleVerdict v = judge_trace(t, end);
  EXPECT_TRUE(v.ok()) << verdict_text(v);
}

// Several Ms: events of M0 and M1 interleave. Each channel event carries
// its place in the channel's order (Event::order), the runtime's ready
// names the channel (aux).
Event on_m(Event e, int32_t m, uint64_t order = 0) {
  e.m = m;
  e.order = order;
  return e;
}
Event e_ready_by(uint64_t waker, uint64_t g, uint64_t chan) {
  Event e = e_ready(waker, g);
  e.aux = static_cast<int64_t>(chan);
  return e;
}

TEST(OracleSeveralMs, APartnersReadyAndItsOperationAreLinkedAcrossAnotherMsEvents) {
  // g2 (M1) parked receiving on unbuffered c1; g1 (M0) hands it 5, and M1's
  // events for g3 come between g1's ready and g1's send.
  std::vector<Event> t = {on_m(e_make(1, 1, 0), 0), on_m(e_park(2), 1),         on_m(e_ready_by(1, 2, 1), 0),
                          on_m(e_run(3), 1),        on_m(e_go(3, 4), 1),        on_m(e_send(1, 1, 5), 0, 1),
                          on_m(e_run(2), 1),        on_m(e_recv(2, 1, 5), 1, 1)};
  OracleVerdict v = judge_trace(t);
  EXPECT_TRUE(v.ok()) << verdict_text(v);
}

TEST(OracleSeveralMs, ChannelOrderNotTraceOrderDecidesFifo) {
  // g1 (M0) sends 1 then 2 on c1 (cap 2); g2 (M1) receives both. g2's first
  // receive took effect (order 2) before g1's second send (order 3), yet
  // its event comes later in the trace: judged by the channel's order.
  std::vector<Event> t = {on_m(e_make(1, 1, 2), 0), on_m(e_send(1, 1, 1), 0, 1), on_m(e_send(1, 1, 2), 0, 3),
                          on_m(e_recv(2, 1, 1), 1, 2), on_m(e_recv(2, 1, 2), 1, 4)};
  OracleVerdict v = judge_trace(t);
  EXPECT_TRUE(v.ok()) << verdict_text(v);
  // Both sends first in the channel's order, then the receives out of it.
  t[2].order = 2;
  t[3].order = 3;
  t[3].value = 2;
  t[4].value = 1;
  EXPECT_NE(find_rule(judge_trace(t), "chan.fifo"), nullptr) << verdict_text(judge_trace(t));
}

TEST(OracleSeveralMs, AReceiveInTheChannelsOrderBeforeItsSendIsStillCaught) {
  // The receive's number comes before the send's: it took a value nobody
  // had sent yet, whatever the trace's order.
  std::vector<Event> t = {on_m(e_make(1, 1, 1), 0), on_m(e_send(1, 1, 4), 0, 2), on_m(e_recv(2, 1, 4), 1, 1)};
  expect_one(judge_trace(t), "chan.recv-before-send", 2);
}

TEST(OracleSeveralMs, AnOperationWhoseEventNeverCameEndsTheChannelsJudgement) {
  // Order 1 (g1's send, on M0) took effect, but the run ended before its
  // event: g2's receive of it (order 2) is not a receive of a value never
  // sent, and the end state of c1 is not judged either.
  std::vector<Event> t = {on_m(e_make(1, 1, 1), 0), on_m(e_recv(2, 1, 4), 1, 2)};
  EndState end;
  end.channels = {{1, 0, false}};
  OracleVerdict v = judge_trace(t, end);
  EXPECT_TRUE(v.ok()) << verdict_text(v);
  // With every number accounted for, the same receive is judged.
  t.push_back(on_m(e_send(1, 1, 3), 0, 1));
  EXPECT_NE(find_rule(judge_trace(t, end), "chan.recv-never-sent"), nullptr) << verdict_text(judge_trace(t, end));
}

TEST(OracleSeveralMs, AWokenSenderWhosePartnersEventNeverCameIsStillPaired) {
  // g2 parked sending 6 on unbuffered c1; g1's receive (order 1) took it
  // and readied g2, but the run ended before g1's kChanRecv: g2's send is
  // not unpaired, its partner's number says where it took effect.
  std::vector<Event> t = {on_m(e_make(1, 1, 0), 0), on_m(e_park(2), 1), on_m(e_ready_by(1, 2, 1), 0), on_m(e_run(2), 1),
                          on_m(e_send(2, 1, 6), 1, 1)};
  OracleVerdict v = judge_trace(t);
  EXPECT_TRUE(v.ok()) << verdict_text(v);
}

TEST(OracleSeveralMs, ATimersReadyIsNotAChannelWake) {
  // The scheduler (goid 0) readies g2 for its sleep, then sends on c1 for
  // an after() timer: g2's next operation, a send on c2, is its own.
  std::vector<Event> t = {on_m(e_make(1, 1, 1), 1),   on_m(e_make(1, 2, 1), 1),    on_m(e_park(2), 1),
                          on_m(e_ready(0, 2), 0),     on_m(e_send(0, 1, 9), 0, 1), on_m(e_run(2), 1),
                          on_m(e_send(2, 2, 3), 1, 1)};
  OracleVerdict v = judge_trace(t);
  EXPECT_TRUE(v.ok()) << verdict_text(v);
}

TEST(Oracle, DuplicatedReceive) {
  std::vector<Event> t = {e_make(1, 1, 1), e_send(1, 1, 7), e_recv(1, 1, 7), e_recv(1, 1, 7)};
  expect_one(judge_trace(t), "chan.recv-duplicate", 3, {"g1", "7", "c1"});
}

TEST(Oracle, ReceiveOfAValueNeverSent) {
  std::vector<Event> t = {e_make(1, 1, 1), e_send(1, 1, 7), e_recv(1, 1, 8)};
  expect_one(judge_trace(t), "chan.recv-never-sent", 2, {"8", "c1"});
}

TEST(Oracle, ReceiveWithNothingInFlight) {
  std::vector<Event> t = {e_make(1, 1, 1), e_recv(1, 1, 7), e_send(1, 1, 7)};
  OracleVerdict v = judge_trace(t);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.violations[0].rule, "chan.recv-before-send") << verdict_text(v);
  EXPECT_EQ(v.violations[0].step, 1u);
}

TEST(Oracle, ReorderedValues) {
  std::vector<Event> t = {e_make(1, 1, 2), e_send(1, 1, 1), e_send(1, 1, 2), e_recv(1, 1, 2), e_recv(1, 1, 1)};
  expect_one(judge_trace(t), "chan.fifo", 3, {"received 2", "1, sent earlier at step 1"});
}

TEST(Oracle, ReorderedValuesOnAnUnbufferedChannel) {
  // Two senders park (g2 then g3); g1's receives take g3's value first.
  std::vector<Event> t = {e_make(1, 1, 0), e_go(1, 2), e_go(1, 3),      e_preempt(1),  e_run(2),        e_park(2),
                          e_run(3),        e_park(3),  e_run(1),        e_ready(1, 2), e_recv(1, 1, 3), e_ready(1, 3),
                          e_recv(1, 1, 2), e_run(2),   e_send(2, 1, 2), e_run(3),      e_send(3, 1, 3)};
  // g1's first receive woke g2, so g2's 2 was the value it had to take;
  // it got 3, which g3 had not handed over yet: blamed is that receive.
  OracleVerdict v = judge_trace(t);
  ASSERT_FALSE(v.ok()) << verdict_text(v);
  EXPECT_EQ(v.violations[0].step, 10u) << verdict_text(v);
  EXPECT_EQ(v.violations[0].rule, "chan.recv-before-send") << verdict_text(v);
}

TEST(Oracle, SendAfterClose) {
  std::vector<Event> t = {e_make(1, 1, 1), e_close(1, 1), e_send(1, 1, 5)};
  expect_one(judge_trace(t), "chan.send-after-close", 2, {"5", "c1", "step 1"});
}

TEST(Oracle, NotOkBeforeTheBufferIsDrained) {
  std::vector<Event> t = {e_make(1, 1, 2), e_send(1, 1, 5), e_close(1, 1), e_recv(1, 1, 0, false)};
  expect_one(judge_trace(t), "chan.recv-not-ok-undrained", 3, {"c1", "oldest 5"});
}

TEST(Oracle, NotOkFromAnOpenChannel) {
  std::vector<Event> t = {e_make(1, 1, 0), e_recv(1, 1, 0, false)};
  expect_one(judge_trace(t), "chan.recv-not-ok-while-open", 1, {"c1"});
}

TEST(Oracle, OkAfterCloseAndDrain) {
  std::vector<Event> t = {e_make(1, 1, 2), e_send(1, 1, 5), e_close(1, 1), e_recv(1, 1, 5), e_recv(1, 1, 0)};
  expect_one(judge_trace(t), "chan.recv-ok-after-drain", 4, {"c1", "closed at step 2"});
}

TEST(Oracle, CloseWakesParkedReceiversBeforeItsOwnEvent) {
  // closechan readies its waiters, then emits kChanClose: their ok = false
  // receives take effect after the close all the same.
  std::vector<Event> t = {e_make(1, 1, 0),
                          e_go(1, 2),
                          e_go(1, 3),
                          e_run(2),
                          e_park(2),
                          e_run(3),
                          e_park(3),
                          e_run(1),
                          e_ready(1, 2),
                          e_ready(1, 3),
                          e_close(1, 1),
                          e_run(2),
                          e_recv(2, 1, 0, false),
                          e_run(3),
                          e_recv(3, 1, 0, false)};
  OracleVerdict v = judge_trace(t);
  EXPECT_TRUE(v.ok()) << verdict_text(v);
}

TEST(Oracle, OverCapacity) {
  std::vector<Event> t = {e_make(1, 1, 1), e_send(1, 1, 1), e_send(1, 1, 2)};
  expect_one(judge_trace(t), "chan.over-capacity", 2, {"2 values", "capacity 1"});
}

TEST(Oracle, UnbufferedSendWithNoReceiver) {
  std::vector<Event> t = {e_make(1, 1, 0), e_send(1, 1, 4)};
  expect_one(judge_trace(t), "chan.unbuffered-unpaired", 1, {"c1", "4"});
}

TEST(Oracle, DoubleClose) {
  std::vector<Event> t = {e_make(1, 1, 0), e_close(1, 1), e_close(1, 1)};
  expect_one(judge_trace(t), "chan.double-close", 2, {"c1"});
}

TEST(Oracle, OperationOnAChannelNeverMade) {
  std::vector<Event> t = {e_make(1, 1, 1), e_send(1, 1, 1), e_recv(1, 1, 1), e_close(1, 9)};
  expect_one(judge_trace(t), "chan.not-made", 3, {"c9"});
}

TEST(Oracle, WokenByOneChannelCompletingOnAnother) {
  std::vector<Event> t = {e_make(1, 1, 0), e_make(1, 2, 1), e_go(1, 2),      e_run(2), e_park(2),
                          e_run(1),        e_ready(1, 2),   e_send(1, 1, 3), e_run(2), e_recv(2, 2, 3)};
  // g2 was woken by a send on c1 but completed a receive on c2 (and c1's
  // send lost its receiver, c2's receive its sender).
  OracleVerdict v = judge_trace(t);
  const TraceViolation* mismatch = find_rule(v, "wake.mismatch");
  ASSERT_NE(mismatch, nullptr) << verdict_text(v);
  EXPECT_EQ(mismatch->step, 9u);
  EXPECT_NE(mismatch->explanation.find("g2 was woken by g1's send on c1 (step 7)"), std::string::npos)
      << verdict_text(v);
}

TEST(Oracle, SelectCaseBelowDefault) {
  std::vector<Event> t = {e_select(1, -2)};
  expect_one(judge_trace(t), "select.bad-case", 0, {"-2"});
}

TEST(Oracle, ParkedSelectTakingDefault) {
  std::vector<Event> t = {e_make(1, 1, 0), e_go(1, 2),      e_run(2), e_park(2),      e_run(1),
                          e_ready(1, 2),   e_send(1, 1, 3), e_run(2), e_select(2, -1)};
  OracleVerdict v = judge_trace(t);
  const TraceViolation* bad = find_rule(v, "select.default-after-park");
  ASSERT_NE(bad, nullptr) << verdict_text(v);
  EXPECT_EQ(bad->step, 8u);
}

TEST(Oracle, SelectCasesAreChannelOperations) {
  // g2's select parks on c1; g1's send wakes it; g2 emits its case's
  // receive, then kSelect.
  std::vector<Event> t = {e_make(1, 1, 0), e_go(1, 2),      e_run(2), e_park(2),       e_run(1),
                          e_ready(1, 2),   e_send(1, 1, 3), e_run(2), e_recv(2, 1, 3), e_select(2, 0)};
  OracleVerdict v = judge_trace(t);
  EXPECT_TRUE(v.ok()) << verdict_text(v);
}

TEST(Oracle, ReceiverLeftBlockedOnBufferedValues) {
  // g2 parks receiving on c1 (cap 1); g1 then buffers 7: g2 should have
  // got it. Blamed: the send, from which g2 could have received.
  std::vector<Event> t = {e_make(1, 1, 1), e_go(1, 2), e_run(2), e_park(2), e_run(1), e_send(1, 1, 7)};
  EndState end;
  end.blocked = {{2, 1, Direction::kRecv, false}};
  end.channels = {{1, 1, false}};
  expect_one(judge_trace(t, end), "blocked.recv-with-values", 5, {"g2", "c1", "oldest 7"});
}

TEST(Oracle, ReceiverParkingBesideBufferedValues) {
  // The value was there first: blamed is g2's park.
  std::vector<Event> t = {e_make(1, 1, 1), e_send(1, 1, 7), e_go(1, 2), e_run(2), e_park(2)};
  EndState end;
  end.blocked = {{2, 1, Direction::kRecv, false}};
  expect_one(judge_trace(t, end), "blocked.recv-with-values", 4, {"g2"});
}

TEST(Oracle, SenderLeftBlockedWithRoom) {
  std::vector<Event> t = {e_make(1, 1, 1), e_send(1, 1, 7), e_go(1, 2), e_run(2), e_park(2), e_run(1), e_recv(1, 1, 7)};
  EndState end;
  end.blocked = {{2, 1, Direction::kSend, false}};
  expect_one(judge_trace(t, end), "blocked.send-with-room", 6, {"g2", "0 of 1"});
}

TEST(Oracle, GoroutineLeftBlockedOnClosedChannel) {
  std::vector<Event> t = {e_make(1, 1, 0), e_go(1, 2), e_run(2), e_park(2), e_run(1), e_close(1, 1)};
  EndState end;
  end.blocked = {{2, 1, Direction::kRecv, false}};
  expect_one(judge_trace(t, end), "blocked.on-closed", 5, {"g2", "c1"});
}

TEST(Oracle, UnpairedPartnersLeftBlocked) {
  std::vector<Event> t = {e_make(1, 1, 0), e_go(1, 2), e_go(1, 3), e_run(2), e_park(2), e_run(3), e_park(3)};
  EndState end;
  end.blocked = {{2, 1, Direction::kSend, false}, {3, 1, Direction::kRecv, true}};
  expect_one(judge_trace(t, end), "blocked.partners", 6, {"g2", "g3", "c1"});
}

TEST(Oracle, OneSelectOnBothSidesLeftBlockedIsNoPartnerForItself) {
  std::vector<Event> t = {e_make(1, 1, 0), e_go(1, 2), e_run(2), e_park(2)};
  EndState end;
  end.blocked = {{2, 1, Direction::kSend, true}, {2, 1, Direction::kRecv, true}};
  OracleVerdict v = judge_trace(t, end);
  EXPECT_TRUE(v.ok()) << verdict_text(v);
}

TEST(Oracle, ConservationAgainstTheRuntimeBuffer) {
  std::vector<Event> t = {e_make(1, 1, 2), e_send(1, 1, 1), e_send(1, 1, 2), e_recv(1, 1, 1)};
  EndState good;
  good.channels = {{1, 1, false}};
  EXPECT_TRUE(judge_trace(t, good).ok()) << verdict_text(judge_trace(t, good));
  EndState lost;  // the runtime lost a value
  lost.channels = {{1, 0, false}};
  expect_one(judge_trace(t, lost), "chan.conservation", 4, {"2 sent - 1 received = 1", "buffers 0"});
  EndState closed;
  closed.channels = {{1, 1, true}};
  expect_one(judge_trace(t, closed), "chan.end-closed", 4, {"c1"});
}

TEST(Oracle, IncrementalOracleJudgesAPrefix) {
  ChannelOracle oracle;
  for (const Event& e : {e_make(1, 1, 1), e_send(1, 1, 1), e_recv(1, 1, 1), e_recv(1, 1, 1)}) oracle.on_event(e);
  EXPECT_EQ(oracle.steps(), 4u);
  EXPECT_TRUE(oracle.finish(3).ok());
  expect_one(oracle.finish(), "chan.recv-duplicate", 3);
}

// ---------------------------------------------------------------------------
// API-boundary events: what each operation handed its caller

Event a_send(uint64_t g, uint64_t c, int64_t v, int64_t aux = kApiDone) {
  return {EventKind::kApiSend, g, c, v, aux, true};
}
Event a_recv(uint64_t g, uint64_t c, int64_t v, int64_t aux = 1) { return {EventKind::kApiRecv, g, c, v, aux, true}; }
Event a_select(uint64_t g, int64_t chosen) { return {EventKind::kApiSelect, g, 0, 0, chosen, false}; }
Event e_fault(uint64_t g, FaultSite site) { return {EventKind::kFault, g, 0, 0, static_cast<int64_t>(site), false}; }

TEST(OracleApi, AgreeingRuntimeAndCallerPass) {
  // c1 (cap 1): a send, a receive, a try_recv finding nothing, a select
  // taking its receive case (its ok unseen), a select taking default, a
  // receive whose caller got an injected panic instead of the result.
  std::vector<Event> t = {e_make(1, 1, 1),
                          e_send(1, 1, 5),
                          a_send(1, 1, 5),
                          e_recv(1, 1, 5),
                          a_recv(1, 1, 5),
                          a_recv(1, 1, 0, kApiNotReady),
                          e_send(1, 1, 6),
                          a_send(1, 1, 6),
                          e_recv(1, 1, 6),
                          e_select(1, 0),
                          a_recv(1, 1, 6, kApiOkUnseen),
                          a_select(1, 0),
                          e_select(1, -1),
                          a_select(1, -1),
                          e_send(1, 1, 7),
                          a_send(1, 1, 7),
                          e_recv(1, 1, 7),
                          e_fault(1, FaultSite::kPanicAfterChanOp),
                          {EventKind::kPanic, 1, 0, 0, 0, false}};
  OracleVerdict v = judge_trace(t);
  EXPECT_TRUE(v.ok()) << verdict_text(v);
}

TEST(OracleApi, RuntimeEventLyingAboutOkIsCaughtAndTheCallersViewJudged) {
  // The runtime's event says ok = false from an open channel holding 5;
  // the caller got 5 with ok = true, which the channel model accepts.
  std::vector<Event> t = {e_make(1, 1, 1), e_send(1, 1, 5), a_send(1, 1, 5), e_recv(1, 1, 5, false), a_recv(1, 1, 5)};
  expect_one(judge_trace(t), "api.mismatch", 4, {"g1", "c1", "ok = false", "caller got ok = true"});
  // Without the API events the same runtime event breaks the model instead.
  std::vector<Event> runtime_only = {t[0], t[1], t[3]};
  EXPECT_NE(find_rule(judge_trace(runtime_only), "chan.recv-not-ok-while-open"), nullptr);
}

TEST(OracleApi, OkNeverWrittenIntoTheCallersVariableIsCaught) {
  // The bug the runtime's events alone could not show: a closed, drained
  // channel; the runtime reports ok = false, but the caller's ok still
  // says true. Both the disagreement and the caller's impossible view fail.
  std::vector<Event> t = {e_make(1, 1, 0), e_close(1, 1), e_recv(1, 1, 0, false), a_recv(1, 1, 0, 1)};
  OracleVerdict v = judge_trace(t);
  const TraceViolation* mismatch = find_rule(v, "api.mismatch");
  ASSERT_NE(mismatch, nullptr) << verdict_text(v);
  EXPECT_EQ(mismatch->step, 3u);
  EXPECT_NE(find_rule(v, "chan.recv-ok-after-drain"), nullptr) << verdict_text(v);
}

TEST(OracleApi, ValueOtherThanTheRuntimeReportedIsCaught) {
  std::vector<Event> t = {e_make(1, 1, 1), e_send(1, 1, 5), a_send(1, 1, 5), e_recv(1, 1, 5), a_recv(1, 1, 7)};
  OracleVerdict v = judge_trace(t);
  const TraceViolation* mismatch = find_rule(v, "api.mismatch");
  ASSERT_NE(mismatch, nullptr) << verdict_text(v);
  EXPECT_NE(mismatch->explanation.find("carries 5, the caller's variable holds 7"), std::string::npos);
  // The model judges the 7 the program saw.
  EXPECT_NE(find_rule(v, "chan.recv-never-sent"), nullptr) << verdict_text(v);
}

TEST(OracleApi, SelectCaseOtherThanTheRuntimeChoseIsCaught) {
  std::vector<Event> t = {e_make(1, 1, 1), e_send(1, 1, 5), a_send(1, 1, 5),
                          e_recv(1, 1, 5), e_select(1, 0),  a_recv(1, 1, 5, kApiOkUnseen),
                          a_select(1, 1)};
  expect_one(judge_trace(t), "api.mismatch", 6, {"chose 0", "caller got 1"});
}

TEST(OracleApi, CompletedOperationTheCallerWasToldWasNotReadyIsCaught) {
  std::vector<Event> t = {e_make(1, 1, 1), e_send(1, 1, 5), a_send(1, 1, 5), e_recv(1, 1, 5),
                          a_recv(1, 1, 0, kApiNotReady)};
  expect_one(judge_trace(t), "api.mismatch", 4, {"nothing was ready", "step 3"});
}

TEST(OracleApi, OperationsWithoutTheirOtherHalfAreCaught) {
  // A receive the runtime completed whose caller never got it (g1 goes
  // on to close), and a send the caller was told of with no runtime event.
  std::vector<Event> lost = {e_make(1, 1, 1), e_send(1, 1, 5), a_send(1, 1, 5), e_recv(1, 1, 5), e_close(1, 1)};
  expect_one(judge_trace(lost), "api.mismatch", 3, {"never got the result", "step 4"});
  std::vector<Event> invented = {e_make(1, 1, 1), a_send(1, 1, 5), e_send(1, 1, 6), a_send(1, 1, 6)};
  OracleVerdict v = judge_trace(invented);
  const TraceViolation* mismatch = find_rule(v, "api.mismatch");
  ASSERT_NE(mismatch, nullptr) << verdict_text(v);
  EXPECT_EQ(mismatch->step, 1u);
  EXPECT_NE(mismatch->explanation.find("no such operation"), std::string::npos);
}

// ---------------------------------------------------------------------------
// CheckingChooser, with snapshots from plain functions

// Answers n - 1 and counts what it hears.
class CountingChooser final : public Chooser {
 public:
  uint32_t choose(Choice, uint32_t n) override {
    chooses++;
    return n - 1;
  }
  bool fire(FaultSite) override {
    fires++;
    return true;
  }
  void event(const Event&) override { events++; }
  int chooses = 0;
  int fires = 0;
  int events = 0;
};

// A snapshot source for CheckOptions out of a function that returns one.
template <Snapshot (*Make)()>
void into(Snapshot& s) {
  s = Make();
}

Snapshot broken_snapshot() {
  Snapshot s = consistent();
  c_of(s, 1).closed = true;  // g3 left on a closed channel
  return s;
}

// A kGoRun event: the scheduler resumes goid (a quiescent point).
Event go_run(uint64_t goid) {
  Event e{};
  e.kind = EventKind::kGoRun;
  e.goid = goid;
  return e;
}

TEST(CheckingChooser, ForwardsEverythingAndChecksWhenAGoroutineResumes) {
  CountingChooser inner;
  CheckingChooser checker(inner, {.check_every = 1, .snapshot = &into<consistent>});
  EXPECT_EQ(checker.choose(Choice::kRunqPut, 2), 1u);
  EXPECT_EQ(checker.choose(Choice::kPickRunnable, 3), 2u);
  EXPECT_EQ(checker.choose(Choice::kPreempt, 2), 1u);
  EXPECT_TRUE(checker.fire(FaultSite::kClockJump));
  checker.event(e_make(1, 1, 0));
  EXPECT_EQ(checker.quiescent_points(), 0u);  // decisions and other events are not quiescent
  checker.event(go_run(1));
  EXPECT_EQ(inner.chooses, 3);
  EXPECT_EQ(inner.fires, 1);
  EXPECT_EQ(inner.events, 2);
  EXPECT_EQ(checker.quiescent_points(), 1u);
  EXPECT_EQ(checker.checks_run(), 1u);
  EXPECT_FALSE(checker.first_violation().has_value());
  EXPECT_EQ(checker.trace().size(), 2u);
}

TEST(CheckingChooser, ChecksEveryNthQuiescentPoint) {
  CountingChooser inner;
  CheckingChooser checker(inner, {.check_every = 2, .snapshot = &into<consistent>});
  for (int i = 0; i < 5; i++) checker.event(go_run(1));
  EXPECT_EQ(checker.quiescent_points(), 5u);
  EXPECT_EQ(checker.checks_run(), 3u);  // points 0, 2, 4
}

TEST(CheckingChooser, RecordsTheFirstViolationWithItsStepAndStops) {
  CountingChooser inner;
  CheckingChooser checker(inner, {.check_every = 1, .snapshot = &into<broken_snapshot>});
  for (const Event& e : {e_make(1, 1, 0), e_go(1, 2), e_run(2)}) checker.event(e);
  EXPECT_EQ(checker.choose(Choice::kPickRunnable, 2), 1u);
  ASSERT_TRUE(checker.first_violation().has_value());
  const CheckFailure& f = *checker.first_violation();
  EXPECT_EQ(f.step, 3u);
  EXPECT_EQ(f.check, 0u);
  EXPECT_EQ(f.first().invariant, "wakeup.lost");
  checker.event(e_park(2));
  EXPECT_EQ(checker.choose(Choice::kPickRunnable, 2), 1u);  // still forwarded
  EXPECT_EQ(checker.checks_run(), 1u);                      // but no longer checked
  EXPECT_EQ(checker.first_violation()->step, 3u);
  EXPECT_EQ(inner.chooses, 2);
}

TEST(CheckingChooser, JudgesUpToTheCapturedEndState) {
  CountingChooser inner;
  CheckingChooser checker(inner, {.check_every = 1, .snapshot = &into<consistent>});
  for (const Event& e : {e_make(1, 1, 1), e_send(1, 1, 1)}) checker.event(e);
  EXPECT_TRUE(checker.oracle_verdict().ok());
  // In consistent(), g3 waits to receive on c1, which by this trace holds
  // a value: judged with the end state, that is a receiver with a partner.
  checker.capture_end_state();
  checker.event(e_recv(1, 1, 5));  // after the capture: not judged
  OracleVerdict v = checker.oracle_verdict();
  ASSERT_NE(find_rule(v, "blocked.recv-with-values"), nullptr) << verdict_text(v);
  EXPECT_EQ(find_rule(v, "chan.recv-never-sent"), nullptr) << verdict_text(v);
}

// ---------------------------------------------------------------------------
// End to end: the sim runtime under CheckingChooser

// A uniformly random chooser from a seed, preempting at a yield point one
// time in four, firing no fault.
SeededChooser seeded_random(uint64_t seed) { return SeededChooser(seed, 4); }

// Channels of every kind at once: an unbuffered pipeline stage, a buffered
// fan-in closed by its last producer, a select over both directions, a
// close that wakes receivers, non-blocking operations, and goroutines
// left blocked when main returns.
// What main received, for the test to check after the run.
struct WorkloadResult {
  int received = 0;
  int64_t sum = 0;
  int64_t want = 0;
};

void workload(CheckingChooser& checker, WorkloadResult& out) {
  constexpr int kProducers = 3;
  constexpr int kPerProducer = 4;
  Chan<int64_t> unbuffered = make_chan<int64_t>(0);
  Chan<int64_t> buffered = make_chan<int64_t>(2);
  Chan<int64_t> done = make_chan<int64_t>(kProducers);
  for (int p = 0; p < kProducers; p++) {
    gort::go([=] {
      for (int i = 0; i < kPerProducer; i++) {
        int64_t v = p * 100 + i;
        if (i % 2 == 0)
          unbuffered.send(v);
        else
          buffered.send(v);
        yield_point();
      }
      done.send(p);
    });
  }
  // A relay: drains both channels through one select until all is in.
  Chan<int64_t> relayed = make_chan<int64_t>(1);
  gort::go([=] {
    int got = 0;
    while (got < kProducers * kPerProducer) {
      int64_t a = 0;
      int64_t b = 0;
      int c = gort::select({recv_case(unbuffered, a), recv_case(buffered, b)});
      relayed.send(c == 0 ? a : b);
      got++;
    }
    relayed.close();
  });
  // Receivers woken by a close.
  Chan<int64_t> gate = make_chan<int64_t>(0);
  Chan<int64_t> gate_done = make_chan<int64_t>(2);
  for (int i = 0; i < 2; i++) {
    gort::go([=] {
      auto r = gate.recv_ok();
      gate_done.send(r.ok ? 1 : 0);
    });
  }
  // Left blocked at the end: a sender nobody receives from, and a select
  // on both sides of one unbuffered channel.
  Chan<int64_t> orphan = make_chan<int64_t>(0);
  gort::go([=] { orphan.send(99); });
  Chan<int64_t> both = make_chan<int64_t>(0);
  gort::go([=] {
    int64_t in = 0;
    int64_t out = 1;
    gort::select({send_case(both, out), recv_case(both, in)});
  });

  int64_t sum = 0;
  int received = 0;
  for (;;) {
    int64_t v = 0;
    bool ok = false;
    int64_t extra = 0;
    // Sometimes non-blocking, sometimes a select with a send case that can
    // never proceed (nobody receives from orphan).
    if (received % 3 == 0) {
      auto t = relayed.try_recv();
      if (!t.ready) {
        gosched();
        continue;
      }
      v = t.value;
      ok = t.ok;
    } else {
      int c = gort::select({recv_case(relayed, v, &ok), send_case(orphan, extra)});
      if (c != 0) break;  // never: orphan has no receiver
    }
    if (!ok) break;
    sum += v;
    received++;
  }
  gate.close();
  for (int i = 0; i < kProducers; i++) done.recv();
  for (int i = 0; i < 2; i++) gate_done.recv();
  int64_t want = 0;
  for (int p = 0; p < kProducers; p++) {
    for (int i = 0; i < kPerProducer; i++) want += p * 100 + i;
  }
  out = {received, sum, want};
  checker.capture_end_state();
}

TEST(EndToEnd, RealRunsOverFiftySeedsAreClean) {
  uint64_t checks = 0;
  uint64_t events = 0;
  for (uint64_t seed = 1; seed <= 50; seed++) {
    SeededChooser random = seeded_random(seed);
    CheckingChooser checker(random);
    Config config;
    config.seed = seed;
    config.chooser = &checker;
    WorkloadResult got;
    Result r = gort::run(config, [&] { workload(checker, got); });
    ASSERT_TRUE(r.ok()) << "seed " << seed << ": " << r.output;
    ASSERT_EQ(got.received, 12) << "seed " << seed;
    ASSERT_EQ(got.sum, got.want) << "seed " << seed;
    // The end state was captured: the orphan sender and the select on both
    // sides of one channel are still blocked.
    ASSERT_TRUE(checker.end_state().has_value()) << "seed " << seed;
    EXPECT_EQ(checker.end_state()->blocked.size(), 3u) << "seed " << seed;
    if (checker.first_violation()) {
      const CheckFailure& f = *checker.first_violation();
      FAIL() << "seed " << seed << ": at step " << f.step << " " << all_details(f.violations);
    }
    OracleVerdict v = checker.oracle_verdict();
    ASSERT_TRUE(v.ok()) << "seed " << seed << ":\n" << verdict_text(v);
    checks += checker.checks_run();
    events += checker.trace().size();
  }
  // The runs were really checked.
  EXPECT_GT(checks, 50u);
  EXPECT_GT(events, 50u * 100u);
}

// Every registered scenario (harness/scenario/) under the checker: the
// invariants hold at every quiescent point, and the oracle accepts the
// trace of every run (timer sends are traced as the scheduler's, goid 0).
// Scenarios that end in a fatal error are judged too: their trace up to
// the end.
TEST(EndToEnd, ScenariosAreClean) {
  uint64_t checks = 0;
  for (const Scenario& s : all_scenarios()) {
    for (uint64_t seed = 1; seed <= 20; seed++) {
      SeededChooser random = seeded_random(seed);
      CheckingChooser checker(random);
      Config config;
      config.seed = seed;
      config.chooser = &checker;
      config.stack_size = s.stack_size;
      Result r = gort::run(config, s.program);
      ASSERT_EQ(judge(s, r), "") << s.name << " seed " << seed;
      if (checker.first_violation()) {
        const CheckFailure& f = *checker.first_violation();
        FAIL() << s.name << " seed " << seed << ": at step " << f.step << " " << all_details(f.violations);
      }
      OracleVerdict v = checker.oracle_verdict();
      ASSERT_TRUE(v.ok()) << s.name << " seed " << seed << ":\n" << verdict_text(v);
      checks += checker.checks_run();
    }
  }
  EXPECT_GT(checks, 0u);
}

// The checker as a run sees it when the runtime misplaces a goroutine:
// the real snapshot with the running or first runnable G also on the
// global queue.
Snapshot misplacing_snapshot() {
  Snapshot s = introspect::snapshot();
  for (Goroutine& g : s.goroutines) {
    if (g.status == GStatus::kRunnable) {
      g.in_global_runq++;
      break;
    }
  }
  return s;
}

TEST(EndToEnd, CorruptedSnapshotIsCaughtAtTheFirstCheck) {
  SeededChooser random = seeded_random(7);
  CheckingChooser checker(random, {.check_every = 1, .snapshot = &into<misplacing_snapshot>});
  Config config;
  config.chooser = &checker;
  WorkloadResult got;
  Result r = gort::run(config, [&] { workload(checker, got); });
  EXPECT_TRUE(r.ok()) << r.output;  // the run itself is not disturbed
  ASSERT_TRUE(checker.first_violation().has_value());
  EXPECT_EQ(checker.first_violation()->first().invariant, "g.runnable-placement");
  // Caught at the first check that saw a runnable G, and checking stopped there.
  EXPECT_EQ(checker.checks_run(), checker.first_violation()->check + 1);
}

// A runtime that lies in its events: every completed receive's kChanRecv
// reaches the checker with its ok flipped (the callers got the truth).
class LyingAboutOk final : public Chooser {
 public:
  explicit LyingAboutOk(Chooser& inner) : inner_(inner) {}
  uint32_t choose(Choice what, uint32_t n) override { return inner_.choose(what, n); }
  bool fire(FaultSite site) override { return inner_.fire(site); }
  uint32_t armed_faults() const override { return inner_.armed_faults(); }
  void event(const Event& e) override {
    Event told = e;
    if (told.kind == EventKind::kChanRecv) {
      told.aux = told.aux != 0 ? 0 : 1;
      lies++;
    }
    inner_.event(told);
  }
  int lies = 0;

 private:
  Chooser& inner_;
};

TEST(EndToEnd, EveryOperationOfARealRunIsReportedAtTheApiToo) {
  SeededChooser random = seeded_random(5);
  CheckingChooser checker(random);
  Config config;
  config.chooser = &checker;
  WorkloadResult got;
  ASSERT_TRUE(gort::run(config, [&] { workload(checker, got); }).ok());
  ASSERT_TRUE(checker.oracle_verdict().ok()) << verdict_text(checker.oracle_verdict());
  size_t runtime_ops = 0, api_ops = 0, not_ready = 0, selects = 0, api_selects = 0;
  for (const Event& e : checker.trace()) {
    if (e.goid == 0) continue;  // timers' sends have no caller
    runtime_ops += e.kind == EventKind::kChanSend || e.kind == EventKind::kChanRecv;
    selects += e.kind == EventKind::kSelect;
    api_selects += e.kind == EventKind::kApiSelect;
    if (e.kind == EventKind::kApiSend || e.kind == EventKind::kApiRecv) (e.aux == kApiNotReady ? not_ready : api_ops)++;
  }
  EXPECT_GT(runtime_ops, 20u);
  // A receive interrupted by an injected fault would have no API event; the
  // seeded chooser injects none.
  EXPECT_EQ(api_ops, runtime_ops);
  EXPECT_EQ(api_selects, selects);
  EXPECT_GT(selects, 0u);
  EXPECT_GT(not_ready, 0u) << "the workload's try_recv finds nothing at times";
}

TEST(EndToEnd, RuntimeLyingInItsEventsIsCaught) {
  SeededChooser random = seeded_random(5);
  CheckingChooser checker(random);
  LyingAboutOk liar(checker);
  Config config;
  config.chooser = &liar;
  WorkloadResult got;
  ASSERT_TRUE(gort::run(config, [&] { workload(checker, got); }).ok());
  ASSERT_GT(liar.lies, 0);
  EXPECT_EQ(got.sum, got.want) << "the program itself saw the truth";
  OracleVerdict v = checker.oracle_verdict();
  ASSERT_FALSE(v.ok());
  // Where the caller holds an ok (recv_ok, try_recv, a case with one) the
  // lie disagrees with it; the relay's select cases have no ok variable,
  // so there the model judges the runtime's word, and rejects it.
  const TraceViolation* mismatch = find_rule(v, "api.mismatch");
  ASSERT_NE(mismatch, nullptr) << verdict_text(v);
  EXPECT_NE(mismatch->explanation.find("caller got ok = true"), std::string::npos) << verdict_text(v);
  EXPECT_NE(find_rule(v, "chan.recv-not-ok-while-open"), nullptr) << verdict_text(v);
}

TEST(EndToEnd, TamperedRealTraceIsRejected) {
  SeededChooser random = seeded_random(3);
  CheckingChooser checker(random);
  Config config;
  config.chooser = &checker;
  WorkloadResult got;
  ASSERT_TRUE(gort::run(config, [&] { workload(checker, got); }).ok());
  ASSERT_TRUE(checker.oracle_verdict().ok()) << verdict_text(checker.oracle_verdict());
  std::vector<Event> trace = checker.trace();
  // Swap the values of the first two receives on one buffered channel.
  for (size_t i = 0; i < trace.size(); i++) {
    if (trace[i].kind != EventKind::kChanRecv || !trace[i].aux) continue;
    for (size_t j = i + 1; j < trace.size(); j++) {
      if (trace[j].kind == EventKind::kChanRecv && trace[j].obj == trace[i].obj && trace[j].aux &&
          trace[j].value != trace[i].value) {
        std::swap(trace[i].value, trace[j].value);
        OracleVerdict v = judge_trace(trace);
        ASSERT_FALSE(v.ok());
        EXPECT_LE(v.violations[0].step, j) << verdict_text(v);
        return;
      }
    }
  }
  FAIL() << "no two receives to swap";
}

}  // namespace
}  // namespace gort::harness
