// Internal to the arch conformance suite: how its two halves register.
#ifndef GORT_HARNESS_ARCHCHECK_CHECKS_H
#define GORT_HARNESS_ARCHCHECK_CHECKS_H

#include <cstdint>
#include <string>
#include <vector>

#include "archcheck/archcheck.h"

namespace gort::archcheck {

// What the C++ unwinder saw walking the current stack.
struct BacktraceSummary {
  int frames = 0;
  uintptr_t last_pc = 0;
  bool ended_at_end_of_stack = false;
};

BacktraceSummary unwind_here();

// Empty when the backtrace ended cleanly in the entry trampoline, else why not.
std::string judge_backtrace(const BacktraceSummary& s);

void add_trampoline_checks(std::vector<Check>& checks);
void add_runtime_checks(std::vector<Check>& checks);

}  // namespace gort::archcheck

#endif  // GORT_HARNESS_ARCHCHECK_CHECKS_H
