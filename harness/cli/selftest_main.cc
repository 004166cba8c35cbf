// gort-selftest: the gort CLI over scenarios that crash and hang
// (isolation/test_scenarios.h), so that the CLI's own tests can watch it
// survive them end to end. Not installed; built for the tests only.
#include "gort/cli.h"
#include "isolation/test_scenarios.h"

int main(int argc, char** argv) { return gort::cli_main(argc, argv, gort::harness::isolation_test_scenarios()); }
