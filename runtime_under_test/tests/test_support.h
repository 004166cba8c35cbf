// Helpers shared by the runtime's own tests.
#ifndef GORT_TESTS_TEST_SUPPORT_H
#define GORT_TESTS_TEST_SUPPORT_H

#include <cstdint>
#include <vector>

#include "gort/gort.h"
#include "gort/hooks.h"

namespace gort::testing_support {

// Always answers 0: Go's own policy, exactly (sim builds).
class GoPolicyChooser : public Chooser {
 public:
  uint32_t choose(Choice, uint32_t) override {
    asked++;
    return 0;
  }
  uint64_t asked = 0;
};

// A config that makes sim runs follow Go's policy (os runs do anyway), on
// one P: the tests of one P's mechanics (run queues, the
// order goroutines start in, stacks reused run after run) pin procs to 1,
// since in os the default is every CPU.
inline Config go_policy(GoPolicyChooser& c) {
  Config cfg;
  cfg.chooser = &c;
  cfg.procs = 1;
  cfg.sysmon = false;  // no preemption: Go's policy exactly, in os too
  return cfg;
}

// One P, for the same tests without a chooser.
inline Config one_p() {
  Config cfg;
  cfg.procs = 1;
  return cfg;
}

}  // namespace gort::testing_support

#endif  // GORT_TESTS_TEST_SUPPORT_H
