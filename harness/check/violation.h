// A broken runtime invariant, as an invariant checker reports it.
#ifndef GORT_HARNESS_CHECK_VIOLATION_H
#define GORT_HARNESS_CHECK_VIOLATION_H

#include <string>

namespace gort::harness {

// Invariants: invariant is a short, stable name ("chan.one-queue-nonempty")
// that tests and reports may match on; detail names every object involved
// ("c3: sendq [g5] and recvq [g7] both non-empty") and is for people.
struct Violation {
  std::string invariant;
  std::string detail;
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_CHECK_VIOLATION_H
