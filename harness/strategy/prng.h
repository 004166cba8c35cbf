// The harness' pseudo-random numbers: splitmix64 (Steele, Lea, Flood,
// OOPSLA 2014). Tiny, fast, and a pure function of its seed on every
// platform and compiler, which is all a reproducible schedule needs.
#ifndef GORT_HARNESS_STRATEGY_PRNG_H
#define GORT_HARNESS_STRATEGY_PRNG_H

#include <cassert>
#include <cstdint>

namespace gort::harness {

// Invariant: the sequence of outputs is a function of the seed alone.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  // Uniform in [0, n) (Lemire's multiply-shift; the bias, below n / 2^32,
  // does not matter for schedules). Precondition: n > 0.
  uint32_t below(uint32_t n) {
    assert(n > 0);
    return static_cast<uint32_t>(((next() & 0xffffffffull) * n) >> 32);
  }

 private:
  uint64_t state_;
};

// Derives an independent stream's seed from a seed (so that the fault
// stream does not shift the schedule stream, and vice versa).
inline uint64_t derive_seed(uint64_t seed, uint64_t stream) {
  SplitMix64 mix(seed ^ (stream * 0xd1b54a32d192ed03ull));
  return mix.next();
}

}  // namespace gort::harness

#endif  // GORT_HARNESS_STRATEGY_PRNG_H
