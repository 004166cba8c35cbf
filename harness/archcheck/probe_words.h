// What the register probe (arch.h: gort_arch_probe_callee_saved) loads and
// finds back, word by word: every check that judges its arrays goes
// through these, so a new kind of callee-saved state (vector registers,
// condition-register fields, VRSAVE on ppc64le) is compared and named the
// same way everywhere.
#ifndef GORT_HARNESS_ARCHCHECK_PROBE_WORDS_H
#define GORT_HARNESS_ARCHCHECK_PROBE_WORDS_H

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>

#include "arch/arch.h"

namespace gort::archcheck {

// What probe word i must read back as when `put` was loaded into it: the
// callee-saved bits of put (all of them, for a register word).
constexpr uint64_t probe_expected(int i, uint64_t put) { return put & gort_arch_probe_mask(i); }

// Whether probe word i survived: it reads back as its callee-saved bits.
constexpr bool probe_word_survived(int i, uint64_t put, uint64_t got) { return probe_expected(i, put) == got; }

// The first word of in/out[0..GORT_ARCH_CALLEE_SAVED) that did not
// survive, or -1.
inline int probe_first_mismatch(const uint64_t* in, const uint64_t* out) {
  for (int i = 0; i < GORT_ARCH_CALLEE_SAVED; i++) {
    if (!probe_word_survived(i, in[i], out[i])) return i;
  }
  return -1;
}

// "integer register #3", "vector register #2 (word 1)", "other state #0
// (CR fields cr2-cr4)".
inline std::string probe_word_name(int i) {
  char buf[64];
  const int k = gort_arch_probe_index(i);
  if (i >= GORT_ARCH_PROBE_VEC_FIRST && i < GORT_ARCH_PROBE_OTHER_FIRST) {
    snprintf(buf, sizeof buf, "vector register #%d (word %d)", k / 2, k % 2);
  } else if (i >= GORT_ARCH_PROBE_OTHER_FIRST) {
#if defined(__powerpc64__)
    snprintf(buf, sizeof buf, "other state #%d (%s)", k, k == GORT_ARCH_OTHER_CR ? "CR fields cr2-cr4" : "VRSAVE");
#else
    snprintf(buf, sizeof buf, "other state #%d", k);
#endif
  } else {
    snprintf(buf, sizeof buf, "%s register #%d", gort_arch_probe_kind(i), k);
  }
  return buf;
}

// "callee-saved <name>: put 0x..., got 0x..." for word i (put: its
// callee-saved bits).
inline std::string probe_word_mismatch(int i, uint64_t put, uint64_t got) {
  char buf[160];
  snprintf(buf, sizeof buf, "callee-saved %s: put 0x%016" PRIx64 ", got 0x%016" PRIx64, probe_word_name(i).c_str(),
           probe_expected(i, put), got);
  return buf;
}

}  // namespace gort::archcheck

#endif  // GORT_HARNESS_ARCHCHECK_PROBE_WORDS_H
