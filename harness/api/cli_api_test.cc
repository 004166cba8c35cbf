// gort/cli.h: the CLI over a user's own scenario list, refusing a list it
// cannot name runs by.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gort/cli.h"

namespace {

int run_cli(std::vector<std::string> args, const std::vector<gort::Scenario>& scenarios) {
  args.insert(args.begin(), "my-gort");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return gort::cli_main(static_cast<int>(args.size()), argv.data(), scenarios);
}

void passes() {}
void panics() { gort::panic(std::string("the user's bug")); }

TEST(CliApi, RunsTheUsersOwnScenarios) {
  const std::vector<gort::Scenario> scenarios = {{"fine", "user", "returns", passes, {}},
                                                 {"broken", "user", "panics", panics, {}}};
  EXPECT_EQ(run_cli({"list"}, scenarios), 0);
  EXPECT_EQ(run_cli({"run", "fine", "--in-process"}, scenarios), 0);
  EXPECT_EQ(run_cli({"run", "broken", "--in-process", "--out", testing::TempDir() + "cli-api"}, scenarios), 1);
  EXPECT_EQ(run_cli({"run", "no-such-scenario"}, scenarios), 2);
}

TEST(CliApi, AListWithTwoScenariosOfOneNameIsBadInput) {
  const std::vector<gort::Scenario> scenarios = {{"twin", "", "", passes, {}}, {"twin", "", "", passes, {}}};
  testing::internal::CaptureStderr();
  EXPECT_EQ(run_cli({"list"}, scenarios), 2);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("two scenarios are named 'twin'"), std::string::npos) << err;
}

TEST(CliApi, AScenarioWithoutAProgramIsBadInput) {
  const std::vector<gort::Scenario> scenarios = {{"empty", "", "", nullptr, {}}};
  testing::internal::CaptureStderr();
  EXPECT_EQ(run_cli({"list"}, scenarios), 2);
  EXPECT_NE(testing::internal::GetCapturedStderr().find("no name or no program"), std::string::npos);
}

}  // namespace
