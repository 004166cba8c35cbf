// libFuzzer target: bytes are the schedule. The first byte picks a built-in
// scenario; every later byte answers one of the runtime's decisions (which
// G runs next, runnext or tail, preempt or not), through FuzzBytes. Past
// the end of the input every answer is 0, Go's own policy. The run is
// checked three ways: it must meet its scenario's expectation, keep the
// runtime's invariants at every quiescent point (CheckingChooser), and give
// an event trace the channel oracle accepts. A run that fails aborts, with
// the verdict and Go-style output, so libFuzzer keeps the input as a crash.
//
// A snapshot costs as much as the run has goroutines, and there is a
// quiescent point per goroutine switch: checking every one would make the
// big scenarios (1000 goroutines) quadratic, a few inputs per second.
// So a scenario is checked at every check_every-th point, chosen (once, on
// Go's schedule) to keep a run's snapshots within kSnapshotBudget
// goroutines and channels in all: the small scenarios, where the channel
// and select races live, are checked at every point.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "check/checker.h"
#include "gort/gort.h"
#include "program/driver_config.h"
#include "scenario/scenario.h"
#include "strategy/fuzz_bytes.h"

namespace {

using gort::harness::Scenario;

constexpr uint64_t kSnapshotBudget = 4096;

// Counts what a run's snapshots would cost: quiescent points, and the
// goroutines and channels each of them would copy (at most).
class SnapshotCost final : public gort::Chooser {
 public:
  uint32_t choose(gort::Choice, uint32_t) override { return 0; }  // Go's schedule
  void event(const gort::Event& e) override {
    points_ += e.kind == gort::EventKind::kGoRun;
    objects_ += e.kind == gort::EventKind::kGoCreate || e.kind == gort::EventKind::kChanMake;
  }
  uint64_t cost() const { return points_ * (objects_ + 1); }

 private:
  uint64_t points_ = 0;
  uint64_t objects_ = 0;
};

uint32_t check_every(const Scenario& s) {
  static std::map<const Scenario*, uint32_t> known;
  auto it = known.find(&s);
  if (it != known.end()) return it->second;
  SnapshotCost cost;
  gort::Config cfg = gort::harness::driver_config(&cost);
  cfg.stack_size = s.stack_size;
  gort::run(cfg, s.program);
  const auto every = static_cast<uint32_t>(1 + cost.cost() / kSnapshotBudget);
  known.emplace(&s, every);
  return every;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gort::harness;
  if (size == 0) return 0;
  const auto& scenarios = all_scenarios();
  const Scenario& s = scenarios[data[0] % scenarios.size()];
  FuzzBytes bytes(data + 1, size - 1);
  // One checker for the whole fuzzing session: its buffers (the oracle's
  // events, the snapshot, the checker's indexes) keep their capacity.
  static CheckingChooser checker;
  checker.begin_run(bytes, {.check_every = check_every(s)});
  gort::Config cfg = driver_config(&checker);
  cfg.stack_size = s.stack_size;
  const gort::Result r = gort::run(cfg, s.program);
  std::string verdict = judge(s, r);
  if (const auto& v = checker.first_violation()) {
    verdict +=
        "\ninvariant " + v->first().invariant + " at event " + std::to_string(v->step) + ": " + v->first().detail;
  }
  for (const TraceViolation& v : checker.oracle_verdict().violations) {
    verdict += "\noracle " + v.rule + " at event " + std::to_string(v.step) + ": " + v.explanation;
  }
  if (!verdict.empty()) {
    fprintf(stderr, "scenario %s: %s\n%s", s.name, verdict.c_str(), r.output.c_str());
    abort();
  }
  return 0;
}
