// Where the runtime asks whether a seeded bug is on (gort/mutants.h has
// the catalogue).
//
// Every mutant site reads
//
//   if (mutant_active(rt, Mutant::kX)) {  // mutant x-name
//     ...broken behaviour...
//   } else {
//     ...real code...
//   }
//
// In builds without GORT_MUTANTS, mutant_active is a constant false that
// the compiler folds: the broken branches are compiled away (the default
// preset's objects are byte-for-byte those of the same code without the
// sites) and Config::mutant is ignored. The static_assert below holds the
// constant-false half of that promise.
#ifndef GORT_MUTANT_H
#define GORT_MUTANT_H

#include <cstdint>

#include "gort/mutants.h"
#include "runtime.h"

#if defined(GORT_MUTANTS) && GORT_MUTANTS
#define GORT_MUTANTS_BUILT 1
#else
#define GORT_MUTANTS_BUILT 0
#endif

namespace gort::rt {

// Whether a run configured with `configured` (Config::mutant) runs mutant m.
constexpr bool mutant_selected(uint32_t configured, Mutant m) {
  if constexpr (!GORT_MUTANTS_BUILT) {
    (void)configured;
    (void)m;
    return false;
    // coverage-excluded-begin: the mutants build only (GORT_MUTANTS)
  } else {
    return configured == static_cast<uint32_t>(m);
  }
  // coverage-excluded-end
}

constexpr bool mutant_active(const Runtime& rt, Mutant m) { return mutant_selected(rt.config.mutant, m); }

// Normal builds: no configuration turns a mutant on.
static_assert(GORT_MUTANTS_BUILT ||
                  !mutant_selected(static_cast<uint32_t>(Mutant::kRunnextIgnored), Mutant::kRunnextIgnored),
              "without GORT_MUTANTS, mutant_active must be a constant false");

}  // namespace gort::rt

#endif  // GORT_MUTANT_H
