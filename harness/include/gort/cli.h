// The gort command line over your own scenarios: a binary of yours links
// gort::cli and hands its scenario list to cli_main, and gets gort's
// subcommands over them (list, run, check with -j, JUnit XML and shards,
// replay; see `gort --help`). gort's own binary is exactly this, over the
// built-in scenarios. A replay file written by your binary names one of
// your scenarios, and replays with your binary.
//
//   int main(int argc, char** argv) {
//     static const std::vector<gort::Scenario> scenarios = {
//         {"transfer", "bank", "two transfers from one account", [] { bank_program(2); }, {}},
//     };
//     return gort::cli_main(argc, argv, scenarios);
//   }
#ifndef GORT_CLI_H
#define GORT_CLI_H

#include <vector>

#include "gort/scenario.h"

namespace gort {

// Parses argv as the gort command does and runs the subcommand over
// scenarios (which must outlive the call; names unique). Returns the exit
// status: 0 ok, 1 a failure found, 2 bad input (one line on stderr).
int cli_main(int argc, char** argv, const std::vector<Scenario>& scenarios);

}  // namespace gort

#endif  // GORT_CLI_H
