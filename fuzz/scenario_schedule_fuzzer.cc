// libFuzzer target: bytes are the schedule. The first byte picks a built-in
// scenario; every later byte answers one of the runtime's decisions (which
// G runs next, runnext or tail), as the sim platform's Chooser. Past the
// end of the input every answer is 0, Go's own policy. A run that does not
// meet its scenario's expectation aborts, with the scenario's verdict and
// Go-style output, so libFuzzer keeps the input as a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "gort/gort.h"
#include "scenario/scenario.h"

namespace {

class BytesChooser : public gort::Chooser {
 public:
  BytesChooser(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint32_t choose(gort::Choice, uint32_t n) override {
    if (next_ >= size_) return 0;
    return data_[next_++] % n;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t next_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The fuzzer's process runs one input after another on one thread: a
  // pool that outlives the runs spares each input its mmap calls.
  static gort::StackPool pool;
  const auto& scenarios = gort::harness::all_scenarios();
  const gort::harness::Scenario& s = scenarios[data[0] % scenarios.size()];
  BytesChooser chooser(data + 1, size - 1);
  gort::Config cfg;
  cfg.chooser = &chooser;
  cfg.stack_pool = &pool;
  cfg.stack_size = s.stack_size;
  gort::Result r = gort::run(cfg, s.program);
  std::string verdict = gort::harness::judge(s, r);
  if (!verdict.empty()) {
    fprintf(stderr, "scenario %s: %s\n%s", s.name, verdict.c_str(), r.output.c_str());
    abort();
  }
  return 0;
}
