// Property: every random program (harness/program/) under every random
// schedule -- RandomWalk or PCT, with small probabilities of injected
// panics, clock jumps and spurious wake-ups -- keeps the runtime's
// invariants at every quiescent point, gives an event trace the channel
// oracle accepts (with the end state captured when the run is quiet), and
// ends as Go lets it (program_check.h).
//
// A failure shrinks twice. RapidCheck shrinks the program (goroutines and
// ops removed, channels unbuffered, ...) and the schedule's parameters
// (towards RandomWalk, seed 0, no faults). Then, once, the smallest
// failing case's decision list is shrunk towards Go's default schedule
// (harness/strategy/shrink.h), and the decisions that still matter are
// printed next to the program.
#include <rapidcheck.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "decisions_then_go.h"
#include "program/program_check.h"
#include "program/program_gen.h"
#include "property.h"
#include "schedule_gen.h"
#include "strategy/decision.h"
#include "strategy/recorder.h"
#include "strategy/shrink.h"

namespace gort::properties {
namespace {

using harness::CheckedRun;
using harness::Decision;
using harness::Program;

// The last failing case RapidCheck tried. Shrinking tries candidates and
// keeps each one that fails, so once check() returns, this is the minimal
// counterexample it reported.
struct Failure {
  Program program;
  ScheduleParams schedule;
  std::vector<Decision> decisions;
};
std::optional<Failure> last_failure;

const char* outcome_tag(const harness::ProgramRun& run) {
  const Result& r = run.result;
  if (r.exit_status == 0) return run.parked_when_quiet > 0 ? "exit, goroutines left parked" : "exit";
  if (r.fatal_error == harness::kDeadlock) return "deadlock";
  if (r.panic.starts_with("injected panic")) return "injected panic";
  if (!r.panic.empty()) return "runtime panic";
  return "other";
}

CheckedRun replay_checked(const Failure& f, const std::vector<Decision>& decisions) {
  DecisionsThenGo schedule(decisions, f.schedule.fault_plan());
  return harness::run_checked(f.program, schedule, f.schedule.injects_panics());
}

// Shrinks the smallest failing case's decisions towards Go's schedule and
// prints the ones that still matter.
void report_minimal_schedule(const Failure& f) {
  if (replay_checked(f, f.decisions).failure.empty()) {
    fprintf(stderr, "\nThe smallest failing case passes when its decisions are replayed: nondeterministic?\n");
    return;
  }
  const harness::ShrinkResult shrunk = harness::shrink(
      f.decisions, [&](const std::vector<Decision>& d) { return !replay_checked(f, d).failure.empty(); }, 500);
  fprintf(stderr, "\nThe smallest failing program above fails under Go's own schedule but for these decisions\n");
  fprintf(stderr, "(shrunk from %zu decisions, %zu not Go's, in %u replays; index: kind chosen/n):\n",
          shrunk.stats.entries_before, shrunk.stats.nonzero_before, shrunk.stats.calls);
  for (size_t i = 0; i < shrunk.decisions.size(); i++) {
    const Decision& d = shrunk.decisions[i];
    if (d.chosen != 0) {
      fprintf(stderr, "  %zu: %s %u/%u\n", i, harness::decision_kind_name(d.kind).c_str(), d.chosen, d.n);
    }
  }
  if (shrunk.stats.nonzero_after == 0) fprintf(stderr, "  (none: Go's schedule itself fails)\n");
  fprintf(stderr, "%s\n", harness::describe_run(f.program, replay_checked(f, shrunk.decisions)).c_str());
}

}  // namespace

bool random_programs_property() {
  last_failure.reset();
  const bool ok = rc::check("random programs keep the invariants, satisfy the oracle and end as Go lets them", [] {
    const Program program = *harness::gen_program();
    const ScheduleParams schedule = *gen_schedule();
    const auto strategy = schedule.strategy();
    harness::Recorder recorder(*strategy);
    const CheckedRun r = harness::run_checked(program, recorder, schedule.injects_panics());
    RC_TAG(outcome_tag(r.run), r.run.quiesced ? "quiet" : "", r.run.recovered.empty() ? "" : "recovered a panic");
    if (!r.failure.empty()) {
      last_failure = Failure{program, schedule, recorder.decisions()};
      RC_FAIL(harness::describe_run(program, r));  // RapidCheck shows the program itself
    }
  });
  if (!ok && last_failure) report_minimal_schedule(*last_failure);
  return ok;
}

}  // namespace gort::properties
