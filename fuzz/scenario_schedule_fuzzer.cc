// libFuzzer target: bytes are the schedule. The first byte picks a built-in
// scenario; every later byte answers one of the runtime's decisions (which
// G runs next, runnext or tail, preempt or not), through FuzzBytes. Past
// the end of the input every answer is 0, Go's own policy. The run is
// checked three ways: it must meet its scenario's expectation, keep the
// runtime's invariants at every quiescent point (CheckingChooser), and give
// an event trace the channel oracle accepts. A run that fails aborts, with
// the verdict and Go-style output, so libFuzzer keeps the input as a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "check/checker.h"
#include "gort/gort.h"
#include "program/driver_config.h"
#include "scenario/scenario.h"
#include "strategy/fuzz_bytes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gort::harness;
  if (size == 0) return 0;
  const auto& scenarios = all_scenarios();
  const Scenario& s = scenarios[data[0] % scenarios.size()];
  FuzzBytes bytes(data + 1, size - 1);
  CheckingChooser checker(bytes);
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
