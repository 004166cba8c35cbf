// gopark/goready, deadlock detection and the goroutine dump.
#include <gtest/gtest.h>

#include "context.h"
#include "proc.h"
#include "test_support.h"

namespace gort::rt {
namespace {

TEST(Park, ReadyWakesAParkedGoroutine) {
  G* parked = nullptr;
  std::vector<int> steps;
  Result r = run(testing_support::one_p(), [&] {
    go([&] {
      parked = getg();
      steps.push_back(1);
      gopark(nullptr, nullptr, WaitReason::kTest);
      steps.push_back(3);
    });
    while (parked == nullptr || parked->status != Gstatus::kWaiting) gosched();
    steps.push_back(2);
    goready(parked, 0);
    while (num_goroutine() > 1) gosched();
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(steps, (std::vector<int>{1, 2, 3}));
}

struct Commit {
  Gstatus status_seen = Gstatus::kIdle;
  bool allow = true;
  int calls = 0;
};

bool commit(G* gp, void* arg) {
  auto* c = static_cast<Commit*>(arg);
  c->status_seen = gp->status;
  c->calls++;
  return c->allow;
}

TEST(Park, UnlockFunctionRunsAfterTheGoroutineIsWaiting) {
  Commit c;
  G* parked = nullptr;
  Result r = run(testing_support::one_p(), [&] {
    go([&] {
      parked = getg();
      gopark(commit, &c, WaitReason::kTest);
    });
    while (c.calls == 0) gosched();
    goready(parked, 0);
    gosched();
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(c.status_seen, Gstatus::kWaiting);
}

TEST(Park, UnlockFunctionSayingNoResumesAtOnce) {
  Commit c;
  c.allow = false;
  bool resumed = false;
  Result r = run(testing_support::one_p(), [&] {
    gopark(commit, &c, WaitReason::kTest);  // nobody else could wake main
    resumed = true;
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_TRUE(resumed);
  EXPECT_EQ(c.calls, 1);
}

TEST(Deadlock, AllAsleepIsGosFatalErrorWithADump) {
  Result r = run(testing_support::one_p(), [] {
    go([] { gopark(nullptr, nullptr, WaitReason::kChanReceive); });
    gosched();
    gopark(nullptr, nullptr, WaitReason::kChanSend);
  });
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_EQ(r.fatal_error, "all goroutines are asleep - deadlock!");
  EXPECT_EQ(r.output,
            "fatal error: all goroutines are asleep - deadlock!\n\n"
            "goroutine 1 [chan send]:\n"
            "main.main()\n\n"
            "goroutine 2 [chan receive]:\n"
            "func()\n");
}

TEST(Deadlock, NotDeclaredWhileSomethingCanRun) {
  int spins = 0;
  Result r = run(testing_support::one_p(), [&] {
    G* sleeper = nullptr;
    go([&] {
      sleeper = getg();
      gopark(nullptr, nullptr, WaitReason::kTest);
    });
    for (; spins < 100; spins++) gosched();  // main stays runnable throughout
    goready(sleeper, 0);
    gosched();
  });
  EXPECT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(spins, 100);
}

TEST(Deadlock, RunResultIsReportedNotPrintedUnlessAsked) {
  Result r = run(testing_support::one_p(), [] { gopark(nullptr, nullptr, WaitReason::kSelectNoCases); });
  EXPECT_EQ(r.output,
            "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [select (no cases)]:\nmain.main()\n");
}

}  // namespace
}  // namespace gort::rt
