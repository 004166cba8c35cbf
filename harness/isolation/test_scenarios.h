// Scenarios that break the process they run in, for the isolation tests
// and the self-test CLI (never in gort's built-in list): a runtime that
// aborts on some schedules, a run that never ends without ever passing
// through the runtime, and a well-behaved one to compare against.
#ifndef GORT_HARNESS_ISOLATION_TEST_SCENARIOS_H
#define GORT_HARNESS_ISOLATION_TEST_SCENARIOS_H

#include <vector>

#include "scenario/scenario.h"

namespace gort::harness {

// "crash-on-order": two senders on a buffered channel; the process aborts
// (SIGABRT, after one line on stderr) when the second sender's value
// arrives first, which the schedule decides: some seeds crash, others pass.
// "spin-forever": main loops without a yield point: only a wall-clock limit ends it.
// "spin-on-try-recv": main spins on a non-blocking receive: a livelock
// only the step budget ends.
// "well-behaved": a ping-pong that always passes.
// "yields-once": one yield point, where its fault plan injects a panic.
const std::vector<Scenario>& isolation_test_scenarios();

}  // namespace gort::harness

#endif  // GORT_HARNESS_ISOLATION_TEST_SCENARIOS_H
