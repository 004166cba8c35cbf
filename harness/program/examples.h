// Hand-written programs with known outcomes: the program fuzz target's
// seed corpus (fuzz/seeds/program/, written by program_seeds) and the
// program module's tests.
#ifndef GORT_HARNESS_PROGRAM_EXAMPLES_H
#define GORT_HARNESS_PROGRAM_EXAMPLES_H

#include <string>
#include <vector>

#include "program/program.h"

namespace gort::harness {

enum class Outcome : uint8_t { kExit, kDeadlock, kPanic };

struct Example {
  const char* name;
  Program program;
  Outcome outcome;           // under every schedule
  const char* panic = "";    // kPanic: the value
  size_t parked_when_quiet;  // under every schedule that reaches quiet
};

const std::vector<Example>& examples();

// Op builders, for examples and tests.
Op send_op(int chan);
Op recv_op(int chan);
Op try_send_op(int chan);
Op try_recv_op(int chan);
Op close_op(int chan);
Op yield_op();
Op select_op(std::vector<Case> cases, bool has_default);
Op recover_op(std::vector<Op> body);

}  // namespace gort::harness

#endif  // GORT_HARNESS_PROGRAM_EXAMPLES_H
