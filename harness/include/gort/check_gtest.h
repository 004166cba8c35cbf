// GoogleTest face of gort/check.h: a test fails with gort's report (the
// verdict, the goroutine dump, the shrunk schedule) and the command that
// replays the failing run.
//
//   TEST(Bank, TransfersConserveMoney) {
//     EXPECT_GORT_OK([] { bank_program(); });
//   }
//
//   gort::check::Options o;
//   o.runs = 5000;
//   o.procs = {1, 2};
//   ASSERT_GORT_OK([&] { server(config); }, o);
//
// The helper names the program after the test (Suite.Test), so replay
// files are told apart, and tells the user how to rerun the failure:
//   GORT_REPLAY=gort-failures/Suite.Test-seed7.replay.json ./my_test --gtest_filter=Suite.Test
// The first run's seed is Options::seed; GoogleTest's --gtest_random_seed
// (when not 0) or the environment's GORT_SEED replaces the default one.
#ifndef GORT_CHECK_GTEST_H
#define GORT_CHECK_GTEST_H

#include <gtest/gtest.h>
#include <unistd.h>

#include <climits>
#include <functional>
#include <string>

#include "gort/check.h"
#include "gort/gort.h"  // the programs under test use the runtime API

namespace gort::testing {

// The test binary's path, for the replay command.
inline std::string self_executable() {
  char path[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return "./TEST_BINARY";
  return std::string(path, static_cast<size_t>(n));
}

// Options for a run inside the current test: named after it, with the
// command that replays a failure.
inline check::Options options_for_current_test(check::Options options) {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  if (test == nullptr) return options;
  const std::string full = std::string(test->test_suite_name()) + "." + test->name();
  if (options.name == "program") {
    // Parameterised tests' names carry '/': not in a file name.
    std::string name = full;
    for (char& c : name) {
      if (c == '/') c = '.';
    }
    options.name = name;
  }
  if (options.reproduce.empty()) {
    options.reproduce = "GORT_REPLAY={replay} " + self_executable() + " --gtest_filter=" + full;
  }
  const int gtest_seed = GTEST_FLAG_GET(random_seed);
  if (gtest_seed != 0 && options.seed == check::kDefaultSeed) options.seed = static_cast<uint64_t>(gtest_seed);
  return options;
}

// Success, or a failure whose message is gort's report.
inline ::testing::AssertionResult explore_ok(std::function<void()> program, check::Options options = {}) {
  const check::Report report = check::explore(std::move(program), options_for_current_test(std::move(options)));
  if (report.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "gort found a failing run of the program\n" << report.text();
}

}  // namespace gort::testing

// EXPECT_GORT_OK(program[, options]): every run of program (a callable)
// that gort explores ends as expected and breaks no invariant or oracle
// rule. ASSERT_GORT_OK ends the test on a failure. (Variadic, so that a
// lambda's commas need no parentheses.)
// The failure's message is gort's report alone (no echo of the program's
// source, as EXPECT_TRUE would print).
#define GORT_CHECK_OK_(on_failure, ...)                                                           \
  switch (0)                                                                                      \
  case 0:                                                                                         \
  default:                                                                                        \
    if (const ::testing::AssertionResult gort_result_ = ::gort::testing::explore_ok(__VA_ARGS__)) \
      ;                                                                                           \
    else                                                                                          \
      on_failure() << gort_result_.message()
#define EXPECT_GORT_OK(...) GORT_CHECK_OK_(ADD_FAILURE, __VA_ARGS__)
#define ASSERT_GORT_OK(...) GORT_CHECK_OK_(GTEST_FAIL, __VA_ARGS__)

#endif  // GORT_CHECK_GTEST_H
