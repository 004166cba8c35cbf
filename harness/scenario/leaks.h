// The goroutine-leak oracle's verdict on a run (gort/scenario.h's
// LeakPolicy; the census itself is the runtime's: Config::drain_at_exit,
// Result::leftover).
#ifndef GORT_HARNESS_SCENARIO_LEAKS_H
#define GORT_HARNESS_SCENARIO_LEAKS_H

#include <cstdint>
#include <string>

#include "gort/gort.h"
#include "gort/scenario.h"

namespace gort::harness {

// How many of a run's leftover goroutines are leaks of each kind.
struct LeakCount {
  uint32_t definite = 0;
  uint32_t possible = 0;
  uint32_t expected = 0;  // declared with gort::expect_leak: not leaks
};
LeakCount count_leaks(const Result& r);

// One line naming a leftover goroutine, what it waits on and why it is
// judged so: "goroutine 5 [chan receive] on chan 3: definite leak: ...".
std::string describe_leak(const Leftover& l);

// The verdict of the leak oracle under policy ("" when the run passes):
// "goroutine leak: ..." naming the first leak that fails it and how many
// more there are. dump (when not null) gets the dumps of the failing leaks.
std::string leak_verdict(const Result& r, LeakPolicy policy, std::string* dump);

}  // namespace gort::harness

#endif  // GORT_HARNESS_SCENARIO_LEAKS_H
