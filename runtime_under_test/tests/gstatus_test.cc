// The G status machine: exactly Go's edges, and casgstatus enforcing them.
#include "gstatus.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "context.h"
#include "proc.h"
#include "test_support.h"

namespace gort::rt {
namespace {

using S = Gstatus;

// Go's edges that this runtime has code for: none into or out of Gsyscall,
// which arrives with system calls; async preemption goes through
// Gpreempted straight back to Grunnable (no suspendG claims it).
TEST(Gstatus, LegalEdgesAreGosThatHaveCode) {
  const std::set<std::pair<S, S>> legal = {
      {S::kIdle, S::kDead},        {S::kDead, S::kRunnable},     {S::kRunnable, S::kRunning},
      {S::kRunning, S::kRunnable}, {S::kRunning, S::kWaiting},   {S::kRunning, S::kDead},
      {S::kWaiting, S::kRunnable}, {S::kRunning, S::kPreempted}, {S::kPreempted, S::kRunnable},
  };
  for (int a = 0; a < kGstatusCount; a++) {
    for (int b = 0; b < kGstatusCount; b++) {
      auto from = static_cast<S>(a), to = static_cast<S>(b);
      EXPECT_EQ(gstatus_edge_legal(from, to), legal.count({from, to}) == 1)
          << gstatus_name(from) << " -> " << gstatus_name(to);
    }
  }
}

TEST(Gstatus, NamesAreGos) {
  EXPECT_STREQ(gstatus_name(S::kIdle), "Gidle");
  EXPECT_STREQ(gstatus_name(S::kRunnable), "Grunnable");
  EXPECT_STREQ(gstatus_name(S::kRunning), "Grunning");
  EXPECT_STREQ(gstatus_name(S::kSyscall), "Gsyscall");
  EXPECT_STREQ(gstatus_name(S::kWaiting), "Gwaiting");
  EXPECT_STREQ(gstatus_name(S::kPreempted), "Gpreempted");
  EXPECT_STREQ(gstatus_name(S::kDead), "Gdead");
}

TEST(Gstatus, IllegalEdgeIsAFatalErrorNamingBothStates) {
  Result r = run(testing_support::one_p(), [] { casgstatus(getg(), S::kRunning, S::kIdle); });
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_EQ(r.fatal_error, "casgstatus: illegal transition");
  EXPECT_NE(r.output.find("Grunning -> Gidle"), std::string::npos) << r.output;
}

TEST(Gstatus, WrongBeliefAboutCurrentStateIsAFatalError) {
  Result r = run(testing_support::one_p(), [] { casgstatus(getg(), S::kWaiting, S::kRunnable); });
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_EQ(r.fatal_error, "casgstatus: bad incoming values");
  EXPECT_NE(r.output.find("goroutine 1 is Grunning, wanted Gwaiting -> Grunnable"), std::string::npos) << r.output;
}

TEST(Gstatus, AfterAFatalErrorTheNextRunIsClean) {
  Result bad = run(testing_support::one_p(), [] { casgstatus(getg(), S::kRunning, S::kIdle); });
  ASSERT_EQ(bad.exit_status, 2);
  int ran = 0;
  Result good = run(testing_support::one_p(), [&] {
    go([&] { ran++; });
    gosched();
    ran++;
  });
  EXPECT_EQ(good.exit_status, 0) << good.output;
  EXPECT_EQ(ran, 2);
}

}  // namespace
}  // namespace gort::rt
