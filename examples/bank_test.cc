// The bank's tests: gort explores the schedules of bank_program and finds
// the planted check-then-act race; the fixed transfer survives the same
// exploration.
#include "bank.h"

#include <gtest/gtest.h>

#include "gort/check.h"
#include "gort/check_gtest.h"

TEST(Bank, GortFindsTheOverdraftOfACheckOutsideTheLock) {
  gort::check::Options o;
  o.name = "bank-check-outside-lock";
  o.runs = 500;
  o.out_dir = "gort-failures";
  gort::check::Report r = gort::check::explore([] { bank_program(2, /*checked_outside_lock=*/true); }, o);
  ASSERT_FALSE(r.ok()) << "500 runs did not find the planted overdraft";
  const gort::check::Failure& f = r.failures.front();
  EXPECT_NE(f.verdict.find("overdrawn: an account holds -20"), std::string::npos) << f.report;
  EXPECT_FALSE(f.replay_file.empty()) << f.report;
  // The replay file reproduces it; the fixed program passes that schedule.
  EXPECT_FALSE(gort::check::replay([] { bank_program(2, true); }, f.replay_file, o).ok());
  EXPECT_TRUE(gort::check::replay([] { bank_program(2, false); }, f.replay_file, o).ok());
}

TEST(Bank, ATransferCheckedUnderTheLockNeverOverdraws) {
  gort::check::Options o;
  o.runs = 500;
  o.procs = {1, 2};
  EXPECT_GORT_OK([] { bank_program(3, /*checked_outside_lock=*/false); }, o);
}
