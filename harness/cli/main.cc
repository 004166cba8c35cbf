// gort's own main: the CLI over the built-in scenarios.
#include "gort/cli.h"
#include "scenario/scenario.h"

int main(int argc, char** argv) { return gort::cli_main(argc, argv, gort::harness::all_scenarios()); }
