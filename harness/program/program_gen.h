// RapidCheck generators for Program (program.h): what the random-program
// properties draw from, and how a failing program shrinks.
//
// Shrinking comes from RapidCheck's own shrinkers for what the generator
// builds: goroutines and ops are elements of containers (removed first),
// capacities shrink towards 0, select cases and recover bodies shrink like
// op lists, and the ending shrinks towards kReturn. Channel operands are
// drawn among 4 and mapped into range by normalize(), so removing a
// channel never has to regenerate the ops that name it.
#ifndef GORT_HARNESS_PROGRAM_PROGRAM_GEN_H
#define GORT_HARNESS_PROGRAM_PROGRAM_GEN_H

#include <rapidcheck.h>

#include <ostream>

#include "program/program.h"

namespace gort::harness {

// Every generated Program is valid().
rc::Gen<Program> gen_program();

// RapidCheck shows a counterexample with showValue (found by ADL): the
// program's source.
void showValue(const Program& p, std::ostream& os);

}  // namespace gort::harness

namespace rc {

template <>
struct Arbitrary<gort::harness::Program> {
  static Gen<gort::harness::Program> arbitrary() { return gort::harness::gen_program(); }
};

}  // namespace rc

#endif  // GORT_HARNESS_PROGRAM_PROGRAM_GEN_H
