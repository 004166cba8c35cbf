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

// A config that makes sim runs follow Go's policy (os runs do anyway).
inline Config go_policy(GoPolicyChooser& c) {
  Config cfg;
  cfg.chooser = &c;
  return cfg;
}

}  // namespace gort::testing_support

#endif  // GORT_TESTS_TEST_SUPPORT_H
