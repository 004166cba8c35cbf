// Decisions from a byte string: the libFuzzer strategy. The fuzzer's
// mutations of the bytes become mutations of the schedule.
//
// Every question consumes bytes in order: a Choice with n <= 256 options
// takes one byte and answers byte % n; with more options it takes four
// (little-endian) and answers value % n. An armed fault site's question
// takes one byte and fires iff its low bit is 1 (the plan's probabilities
// and occurrence lists are not consulted: the bytes are the plan, and a
// fuzz target arms only the sites it explores). Once the bytes run out
// every answer is 0 (Go's default, no fault), so a short input is Go's
// schedule with a prefix of perturbations, and every input is valid.
#ifndef GORT_HARNESS_STRATEGY_FUZZ_BYTES_H
#define GORT_HARNESS_STRATEGY_FUZZ_BYTES_H

#include <cstddef>
#include <cstdint>

#include "strategy/strategy.h"

namespace gort::harness {

// Invariant: pos_ <= size_. Does not own data: it must outlive the strategy.
class FuzzBytes final : public Strategy {
 public:
  FuzzBytes(const uint8_t* data, size_t size, FaultPlan plan = {})
      : Strategy(std::move(plan), 0), data_(data), size_(data == nullptr ? 0 : size) {}

  uint32_t choose(Choice, uint32_t n) override {
    if (n <= 256) return pos_ < size_ ? data_[pos_++] % n : 0;
    uint32_t v = 0;
    for (int i = 0; i < 4 && pos_ < size_; i++) v |= uint32_t{data_[pos_++]} << (8 * i);
    return v % n;
  }

  bool fire(FaultSite site) override {
    if (!armed(site) || pos_ == size_) return false;
    return (data_[pos_++] & 1) != 0;
  }

  size_t consumed() const { return pos_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_STRATEGY_FUZZ_BYTES_H
