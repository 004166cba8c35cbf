// One trip through a context-switch trampoline with callee-saved register
// values chosen by the caller: what the arch register fuzz target drives
// (fuzz/arch_register_fuzzer.cc) with the fuzzer's bytes as the values.
//
// The checks in trampoline_checks.cc loop over random values; this is one
// iteration of each, with the values given, and no runtime involved.
#ifndef GORT_HARNESS_ARCHCHECK_REGISTER_ROUND_TRIP_H
#define GORT_HARNESS_ARCHCHECK_REGISTER_ROUND_TRIP_H

#include <cstdint>
#include <string>

#include "arch/arch.h"

namespace gort::archcheck {

// The probe's words: integer registers first, then FP, vector and other
// state (arch.h); other-state words keep only gort_arch_probe_mask's bits.
inline constexpr int kCalleeSaved = GORT_ARCH_CALLEE_SAVED;

enum class Trampoline : uint8_t {
  kSwap,         // A swaps to a fresh context B, B swaps back to A
  kMcall,        // a context mcalls onto a g0 stack; g0 resumes it with gogo
  kSystemstack,  // a call runs on another stack and returns
};
inline constexpr int kTrampolines = 3;
const char* trampoline_name(Trampoline t);

// One set of callee-saved values: mine holds the values the context that
// crosses the trampoline loads before it and must find after it; theirs,
// the values the other side (B, g0, the system stack) loads while it runs,
// so a register the trampoline forgets holds theirs, not mine, afterwards.
// The other side checks its own values survived too.
struct RegisterValues {
  uint64_t mine[kCalleeSaved];
  uint64_t theirs[kCalleeSaved];
};

// Empty when every register survived on both sides (its callee-saved bits:
// probe_words.h), else one line naming the trampoline, the side, the
// register and both values.
std::string register_round_trip(Trampoline t, const RegisterValues& v);

}  // namespace gort::archcheck

#endif  // GORT_HARNESS_ARCHCHECK_REGISTER_ROUND_TRIP_H
