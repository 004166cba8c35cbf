// How the built-in scenario files register with all_scenarios(): one
// function per file, called once, in a fixed order (the order of
// `gort list` and of `gort check`'s table).
#ifndef GORT_HARNESS_SCENARIO_REGISTRY_H
#define GORT_HARNESS_SCENARIO_REGISTRY_H

#include <vector>

#include "scenario/scenario.h"

namespace gort::harness {

void add_goroutine_scenarios(std::vector<Scenario>& s);   // builtin.cc
void add_channel_scenarios(std::vector<Scenario>& s);     // channel_scenarios.cc
void add_panic_scenarios(std::vector<Scenario>& s);       // panic_scenarios.cc
void add_go_test_scenarios(std::vector<Scenario>& s);     // go_test_scenarios.cc
void add_chan_kinds_scenarios(std::vector<Scenario>& s);  // chan_kinds_scenarios.cc
void add_select_scenarios(std::vector<Scenario>& s);      // select_scenarios.cc
void add_timer_scenarios(std::vector<Scenario>& s);       // timer_scenarios.cc
void add_recover_scenarios(std::vector<Scenario>& s);     // recover_scenarios.cc
void add_fp_scenarios(std::vector<Scenario>& s);          // fp_scenarios.cc
void add_fatal_scenarios(std::vector<Scenario>& s);       // fatal_scenarios.cc
void add_sync_scenarios(std::vector<Scenario>& s);        // sync_scenarios.cc
void add_context_scenarios(std::vector<Scenario>& s);     // context_scenarios.cc

}  // namespace gort::harness

#endif  // GORT_HARNESS_SCENARIO_REGISTRY_H
