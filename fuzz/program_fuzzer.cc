// libFuzzer target: bytes are a program and its schedule.
//
//   byte 0     which fault sites the schedule may fire (bit i: kFaultSites[i])
//   then       a Program (harness/program/program_bytes.h)
//   the rest   the schedule: FuzzBytes answers every decision, and every
//              armed fault site's question, from these bytes (past their
//              end: Go's default, no fault)
//
// The run is checked as the random-program property checks it
// (program_check.h): runtime invariants at every quiescent point, the
// channel oracle over the trace with the end state captured when the run
// is quiet, and an outcome Go allows. A violation prints the program and
// what broke, then aborts, so libFuzzer keeps the input as a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "program/program.h"
#include "program/program_bytes.h"
#include "program/program_check.h"
#include "strategy/fault_plan.h"
#include "strategy/fuzz_bytes.h"

namespace {

// The sites byte 0 may arm. Injected panics land in the program's recover
// blocks or end the run (an outcome the checks accept as injected).
constexpr gort::FaultSite kFaultSites[] = {
    gort::FaultSite::kPanicAtYield,      gort::FaultSite::kClockJump,        gort::FaultSite::kSpuriousWakeup,
    gort::FaultSite::kPanicBeforeChanOp, gort::FaultSite::kPanicAfterChanOp, gort::FaultSite::kPanicAfterWakeup,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gort::harness;
  ByteReader in(data, size);
  const uint8_t armed = in.next();
  const Program program = decode_program(in);
  FaultPlan plan;
  bool panics = false;
  for (size_t i = 0; i < std::size(kFaultSites); i++) {
    if ((armed >> i & 1) == 0) continue;
    // FuzzBytes reads the plan's bytes, not its probability: any rule arms.
    plan.set(kFaultSites[i], FaultRule::probability(1000));
    panics |= kFaultSites[i] != gort::FaultSite::kClockJump && kFaultSites[i] != gort::FaultSite::kSpuriousWakeup;
  }
  FuzzBytes schedule(in.rest(), in.rest_size(), plan);
  const CheckedRun r = run_checked(program, schedule, panics);
  if (!r.failure.empty()) {
    fprintf(stderr, "program fuzzer: faults %s\n%s", plan.empty() ? "none" : plan.to_string().c_str(),
            describe_failure(program, r).c_str());
    abort();
  }
  return 0;
}
