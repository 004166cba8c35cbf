// Where the sync package asks whether a seeded bug is on (gort/mutants.h
// has the catalogue; runtime_under_test/mutant.h says how sites read). In
// builds without GORT_MUTANTS the answer is a constant false and the broken
// branches are compiled away.
#ifndef GORT_SYNC_MUTANT_H
#define GORT_SYNC_MUTANT_H

#include "gort/mutants.h"
#include "gort/sema.h"

namespace gort::sync_internal {

inline bool mutant_active(Mutant m) {
#if defined(GORT_MUTANTS) && GORT_MUTANTS
  return detail::sync_mutant() == static_cast<uint32_t>(m);
#else
  (void)m;
  return false;
#endif
}

}  // namespace gort::sync_internal

#endif  // GORT_SYNC_MUTANT_H
