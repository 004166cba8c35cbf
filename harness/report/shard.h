// Splitting gort check's seeds across machines without overlap: shard i
// of n runs the seeds first + k*n + i (k = 0, 1, ...), so n machines
// together run exactly the seeds one machine would, each once.
#ifndef GORT_HARNESS_REPORT_SHARD_H
#define GORT_HARNESS_REPORT_SHARD_H

#include <cstdint>
#include <string>

namespace gort::harness {

// Invariant: total >= 1 and index < total.
struct Shard {
  uint32_t index = 0;
  uint32_t total = 1;
  uint64_t seed(uint64_t first_seed, uint64_t k) const { return first_seed + k * total + index; }
};

// "i/n" (from --shard). Returns "" and fills out, or a one-line error.
std::string parse_shard(const std::string& text, Shard* out);
// GoogleTest's GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX, if both are set.
// Returns "" (out untouched when unset), or a one-line error.
std::string shard_from_environment(Shard* out);

}  // namespace gort::harness

#endif  // GORT_HARNESS_REPORT_SHARD_H
