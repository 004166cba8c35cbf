// A RunOutcome as bytes: how a forked child hands its run's outcome to the
// parent through a pipe. The format is private to one gort binary (parent
// and child are the same program), so it has no version: fields in a fixed
// order, integers in host order, strings and vectors length-prefixed.
// Decoding checks every length against what is left, so a truncated
// message (a child that died while writing) is rejected, never overread.
#ifndef GORT_HARNESS_ISOLATION_OUTCOME_WIRE_H
#define GORT_HARNESS_ISOLATION_OUTCOME_WIRE_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "session/scenario_run.h"

namespace gort::harness {

// Appends outcome's encoding to out.
void encode_outcome(const RunOutcome& outcome, std::string* out);
// Whether bytes held one whole outcome (and nothing else); fills *outcome.
bool decode_outcome(std::string_view bytes, RunOutcome* outcome);

// The little writer and reader the worker protocol shares with this format.
class WireWriter {
 public:
  explicit WireWriter(std::string* out) : out_(out) {}
  void u8(uint8_t v) { raw(&v, 1); }
  void u32(uint32_t v) { raw(&v, sizeof v); }
  void u64(uint64_t v) { raw(&v, sizeof v); }
  void str(std::string_view s);
  template <class T>
  void pods(const std::vector<T>& v);

 private:
  void raw(const void* p, size_t n) {
    if (n > 0) out_->append(static_cast<const char*>(p), n);  // an empty vector's data() may be null
  }
  std::string* out_;
};

// Invariant: pos_ <= bytes_.size(); ok_ turns false at the first read past
// the end (or a length that cannot fit) and every later read yields zeros.
class WireReader {
 public:
  explicit WireReader(std::string_view bytes) : bytes_(bytes) {}
  uint8_t u8();
  uint32_t u32();
  uint64_t u64();
  std::string str();
  template <class T>
  std::vector<T> pods();
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == bytes_.size(); }

 private:
  bool take(void* p, size_t n);
  std::string_view bytes_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_ISOLATION_OUTCOME_WIRE_H
