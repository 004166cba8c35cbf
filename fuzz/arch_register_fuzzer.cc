// libFuzzer target: bytes are callee-saved register contents for the arch
// trampolines (harness/archcheck/register_round_trip.h).
//
//   byte 0                   the trampoline: swap, mcall+gogo, systemstack (b % 3)
//   8 bytes per register     the crossing context's values (little-endian;
//                            missing bytes read as 0)
//   8 bytes per register     mixed into the other side's values: theirs =
//                            mine ^ (word | 1), so the two always differ and
//                            a register the trampoline forgets shows
//
// A register that does not survive its trip aborts, naming the trampoline,
// the register and both values.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "archcheck/register_round_trip.h"

namespace {

uint64_t word(const uint8_t* data, size_t size, size_t& pos) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++, pos++) {
    if (pos < size) v |= uint64_t{data[pos]} << (8 * i);
  }
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gort::archcheck;
  if (size == 0) return 0;
  const auto trampoline = static_cast<Trampoline>(data[0] % kTrampolines);
  size_t pos = 1;
  RegisterValues v;
  for (uint64_t& r : v.mine) r = word(data, size, pos);
  for (int i = 0; i < kCalleeSaved; i++) v.theirs[i] = v.mine[i] ^ (word(data, size, pos) | 1);
  const std::string bad = register_round_trip(trampoline, v);
  if (!bad.empty()) {
    fprintf(stderr, "arch register fuzzer: %s\n", bad.c_str());
    abort();
  }
  return 0;
}
