// wyrand: the runtime's cheap random source, seeded explicitly so that the
// same seed gives the same numbers (Go's cheaprand is the same generator).
#ifndef GORT_PLATFORM_RANDOM_H
#define GORT_PLATFORM_RANDOM_H

#include <cstdint>

namespace gort::platform {

class Wyrand {
 public:
  explicit Wyrand(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    state_ += 0xa0761d6478bd642full;
    __uint128_t m = static_cast<__uint128_t>(state_) * (state_ ^ 0xe7037ed1a0b428dbull);
    return static_cast<uint64_t>(m >> 64) ^ static_cast<uint64_t>(m);
  }

  // Uniform in [0, n), n > 0 (Lemire's multiply-shift; the bias is below
  // 2^-32 for the n the runtime uses, and it is deterministic either way).
  uint32_t below(uint32_t n) {
    return static_cast<uint32_t>((static_cast<uint64_t>(static_cast<uint32_t>(next())) * n) >> 32);
  }

 private:
  uint64_t state_;
};

}  // namespace gort::platform

#endif  // GORT_PLATFORM_RANDOM_H
