// ctest's view of the arch conformance suite: one GoogleTest case per check,
// on every architecture the build targets (natively or under qemu-user).
#include "archcheck/archcheck.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace {

class ArchCheck : public testing::TestWithParam<gort::archcheck::Check> {};

TEST_P(ArchCheck, Passes) {
  const auto& check = GetParam();
  gort::archcheck::Options opt;
  gort::archcheck::Outcome o = check.run(opt);
  if (o.skipped) GTEST_SKIP() << check.name << " skipped: " << o.detail;
  EXPECT_TRUE(o.passed) << check.name << " (" << check.what << "): " << o.detail;
  // A pass with a note (e.g. FP control states this CPU does not implement).
  if (o.passed && !o.detail.empty()) printf("  %s: %s\n", check.name, o.detail.c_str());
}

INSTANTIATE_TEST_SUITE_P(Port, ArchCheck, testing::ValuesIn(gort::archcheck::all_checks()),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
