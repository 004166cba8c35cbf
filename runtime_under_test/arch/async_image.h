// What the torture probe's register image means (arch.h's
// GORT_ARCH_ASYNC_* layout): which words a probe at a given vector level
// loads and compares, under which mask, what each is called, and random
// contents every register accepts. Header-only and runtime-free: the
// register tortures (runtime_under_test/tests/async_regs_test.cc, with no
// runtime; spec_tests/async_preempt_test.cc, through gort::run) share it.
#ifndef GORT_ARCH_ASYNC_IMAGE_H
#define GORT_ARCH_ASYNC_IMAGE_H

#include <cassert>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "arch/arch.h"

namespace gort::arch_image {

// One compared word: its index in the image and the bits compared (the
// rest may differ legitimately: reserved flag bits, padding).
struct Word {
  int index;
  uint64_t mask;
};

// The words a probe at `level` (gort_arch_async_vector_level) loads.
inline std::vector<Word> compared_words(int level) {
  assert(level >= 0 && level <= 2);
  std::vector<Word> w;
  const uint64_t all = ~uint64_t{0};
  for (int i = 0; i < GORT_ARCH_ASYNC_WORDS; i++) {
    if (i < 64 && ((GORT_ARCH_ASYNC_IGNORED >> i) & 1) != 0) continue;
#if defined(__x86_64__)
    if (i >= GORT_ARCH_ASYNC_VEC && i < GORT_ARCH_ASYNC_OPMASK) {
      const int reg = (i - GORT_ARCH_ASYNC_VEC) / GORT_ARCH_ASYNC_VEC_WORDS;
      const int word = (i - GORT_ARCH_ASYNC_VEC) % GORT_ARCH_ASYNC_VEC_WORDS;
      const int regs = level == 2 ? 32 : 16;
      const int words = level == 2 ? 8 : level == 1 ? 4 : 2;
      if (reg >= regs || word >= words) continue;
    }
    if (i >= GORT_ARCH_ASYNC_OPMASK && i < GORT_ARCH_ASYNC_RED_ZONE && level != 2) continue;
    if (i >= GORT_ARCH_ASYNC_X87 && i < GORT_ARCH_ASYNC_VEC && (i - GORT_ARCH_ASYNC_X87) % 2 == 1) {
      w.push_back({i, 0xFFFF});  // the 80-bit value's sign and exponent
      continue;
    }
    if (i == GORT_ARCH_ASYNC_FP_CONTROL) {
      w.push_back({i, 0x0000FFFF0000FFFFull});  // MXCSR's defined bits, the x87 control word
      continue;
    }
#else
    (void)level;
#endif
#if defined(__powerpc64__)
    // The special registers' defined bits (arch.h): XER, FPSCR, VSCR,
    // 32-bit VRSAVE.
    const uint64_t mask = i == GORT_ARCH_ASYNC_XER          ? GORT_ARCH_ASYNC_XER_MASK
                          : i == GORT_ARCH_ASYNC_FP_CONTROL ? GORT_ARCH_ASYNC_FPSCR_MASK
                          : i == GORT_ARCH_ASYNC_VSCR       ? GORT_ARCH_ASYNC_VSCR_MASK
                          : i == GORT_ARCH_ASYNC_VRSAVE     ? 0xFFFFFFFFull
                                                            : 0;
    if (mask != 0) {
      w.push_back({i, mask});
      continue;
    }
#endif
#if defined(GORT_ARCH_ASYNC_FLAGS)
    if (i == GORT_ARCH_ASYNC_FLAGS) {
      w.push_back({i, GORT_ARCH_ASYNC_FLAGS_MASK});
      continue;
    }
#endif
    w.push_back({i, all});
  }
  return w;
}

// The register word i holds, by the CPU's names ("r12", "ymm3.word2").
inline std::string word_name(int i, int level) {
  assert(i >= 0 && i < GORT_ARCH_ASYNC_WORDS);
  auto n = [](const char* prefix, int k) { return prefix + std::to_string(k); };
#if defined(__x86_64__)
  static const char* const kGprs[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
                                      "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
  if (i < GORT_ARCH_ASYNC_GPRS) return kGprs[i];
  if (i == GORT_ARCH_ASYNC_FLAGS) return "rflags";
  if (i == GORT_ARCH_ASYNC_FP_CONTROL) return "mxcsr|x87cw";
  if (i < GORT_ARCH_ASYNC_VEC) {
    const int k = i - GORT_ARCH_ASYNC_X87;
    return n("st", k / 2) + (k % 2 == 0 ? ".mantissa" : ".sign_exponent");
  }
  if (i < GORT_ARCH_ASYNC_OPMASK) {
    const int k = i - GORT_ARCH_ASYNC_VEC;
    const char* prefix = level == 2 ? "zmm" : level == 1 ? "ymm" : "xmm";
    return n(prefix, k / GORT_ARCH_ASYNC_VEC_WORDS) + n(".word", k % GORT_ARCH_ASYNC_VEC_WORDS);
  }
  if (i < GORT_ARCH_ASYNC_RED_ZONE) return n("k", i - GORT_ARCH_ASYNC_OPMASK);
  return n("red zone word ", i - GORT_ARCH_ASYNC_RED_ZONE);
#elif defined(__aarch64__)
  (void)level;
  if (i < GORT_ARCH_ASYNC_GPRS) return n("x", i);
  if (i == GORT_ARCH_ASYNC_FLAGS) return "nzcv";
  if (i == GORT_ARCH_ASYNC_FP_CONTROL) return "fpcr";
  if (i == GORT_ARCH_ASYNC_FP_STATUS) return "fpsr";
  const int k = i - GORT_ARCH_ASYNC_VEC;
  return n("q", k / GORT_ARCH_ASYNC_VEC_WORDS) + (k % 2 == 0 ? ".low" : ".high");
#elif defined(__powerpc64__)
  (void)level;
  if (i < GORT_ARCH_ASYNC_GPRS) return n("r", i);
  if (i == GORT_ARCH_ASYNC_FLAGS) return "cr";
  if (i == GORT_ARCH_ASYNC_XER) return "xer";
  if (i == GORT_ARCH_ASYNC_LR) return "lr";
  if (i == GORT_ARCH_ASYNC_CTR) return "ctr";
  if (i == GORT_ARCH_ASYNC_FP_CONTROL) return "fpscr";
  if (i == GORT_ARCH_ASYNC_VRSAVE) return "vrsave";
  if (i == GORT_ARCH_ASYNC_VSCR) return "vscr";
  const int k = i - GORT_ARCH_ASYNC_VEC;
  const int reg = k / GORT_ARCH_ASYNC_VEC_WORDS;
  // vs0..vs31's first doubleword is f0..f31; vs32..vs63 are v0..v31.
  const std::string base = reg < 32 ? n("vs", reg) + (k % 2 == 0 ? n("(f", reg) + ")" : "") : n("v", reg - 32);
  return base + (k % 2 == 0 ? ".dw0" : ".dw1");
#else
  (void)level;
  if (i < GORT_ARCH_ASYNC_GPRS) return n("x", i + 1);
  if (i == GORT_ARCH_ASYNC_FP_CONTROL) return "fcsr";
  return n("f", i - GORT_ARCH_ASYNC_VEC);
#endif
}

inline uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A random image the probe can load: every value valid for its register
// (no FP exception unmasked, x87 values that load exactly). Rounds 0 and 1
// are all zeros and all ones, as far as each register allows.
inline void random_image(uint64_t* in, uint64_t& seed, int round) {
  assert(in != nullptr);
  for (int i = 0; i < GORT_ARCH_ASYNC_WORDS; i++) {
    in[i] = round == 0 ? 0 : round == 1 ? ~uint64_t{0} : splitmix(seed);
  }
#if defined(__x86_64__)
  in[GORT_ARCH_ASYNC_FLAGS] = (in[GORT_ARCH_ASYNC_FLAGS] & GORT_ARCH_ASYNC_FLAGS_MASK) | 0x2;
  // MXCSR: any status flags, DAZ, rounding and FTZ; every exception masked.
  const uint64_t mxcsr = (in[GORT_ARCH_ASYNC_FP_CONTROL] & 0xE07F) | 0x1F80;
  const uint64_t x87cw = 0x007F | (splitmix(seed) & 0x0F00);  // exceptions masked, any precision and rounding
  in[GORT_ARCH_ASYNC_FP_CONTROL] = mxcsr | x87cw << 32;
  for (int r = 0; r < 8; r++) {
    // A normal 80-bit number: explicit integer bit, exponent neither 0 nor all ones.
    in[GORT_ARCH_ASYNC_X87 + 2 * r] |= uint64_t{1} << 63;
    uint64_t se = splitmix(seed) & 0xFFFF;
    if ((se & 0x7FFF) == 0 || (se & 0x7FFF) == 0x7FFF) se ^= 0x4000;
    in[GORT_ARCH_ASYNC_X87 + 2 * r + 1] = se;
  }
#elif defined(__aarch64__)
  in[GORT_ARCH_ASYNC_FLAGS] &= GORT_ARCH_ASYNC_FLAGS_MASK;
  in[GORT_ARCH_ASYNC_FP_CONTROL] &= 0x07C00000;  // AHP DN FZ RMode: no trap enables
  in[GORT_ARCH_ASYNC_FP_STATUS] &= 0x0800009F;   // QC IDC IXC UFC OFC DZC IOC
#elif defined(__powerpc64__)
  in[GORT_ARCH_ASYNC_XER] &= GORT_ARCH_ASYNC_XER_MASK;
  in[GORT_ARCH_ASYNC_FP_CONTROL] &= GORT_ARCH_ASYNC_FPSCR_MASK;  // no exception enable (arch.h)
  in[GORT_ARCH_ASYNC_VSCR] &= GORT_ARCH_ASYNC_VSCR_MASK;
  in[GORT_ARCH_ASYNC_VRSAVE] &= 0xFFFFFFFFull;
  for (int i = 0; i < 64; i++) {
    if (((GORT_ARCH_ASYNC_IGNORED >> i) & 1) != 0) in[i] = 0;
  }
#elif defined(__riscv)
  const uint64_t frm = splitmix(seed) % 5;  // RNE RTZ RDN RUP RMM
  in[GORT_ARCH_ASYNC_FP_CONTROL] = frm << 5 | (in[GORT_ARCH_ASYNC_FP_CONTROL] & 0x1F);
  for (int i = 0; i < 64; i++) {
    if (((GORT_ARCH_ASYNC_IGNORED >> i) & 1) != 0) in[i] = 0;
  }
#endif
}

// Empty when out matches in on every compared word, else the first
// difference, named.
inline std::string compare(const std::vector<Word>& words, int level, const uint64_t* in, const uint64_t* out) {
  for (const Word& w : words) {
    if (((in[w.index] ^ out[w.index]) & w.mask) == 0) continue;
    char buf[200];
    snprintf(buf, sizeof buf, "%s (image word %d): put 0x%016" PRIx64 ", got 0x%016" PRIx64 " (mask 0x%" PRIx64 ")",
             word_name(w.index, level).c_str(), w.index, in[w.index], out[w.index], w.mask);
    return buf;
  }
  return "";
}

}  // namespace gort::arch_image

#endif  // GORT_ARCH_ASYNC_IMAGE_H
