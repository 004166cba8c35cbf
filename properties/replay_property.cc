// Property: replay reproduces every run. A random program runs under a
// random schedule (schedule_gen.h) with a Recorder and a TraceRecorder;
// its decisions go through the replay file format (replay_json, then
// parse_replay) and are replayed with Replay. The replay must answer every
// question from the recording (no divergence, nothing left over), and give
// the same trace hash, the same decisions and fired faults, and the same
// Result (exit status, fatal error, panic, output, goroutines, switches, steps).
// A second run from a fresh strategy with the same parameters must give
// the same trace hash too (the determinism contract).
#include <rapidcheck.h>

#include <string>

#include "program/program_gen.h"
#include "program/program_run.h"
#include "property.h"
#include "schedule_gen.h"
#include "strategy/recorder.h"
#include "strategy/replay.h"
#include "strategy/replay_file.h"
#include "strategy/trace.h"

namespace gort::properties {
namespace {

struct Recorded {
  harness::ProgramRun run;
  std::vector<harness::Decision> decisions;
  std::vector<harness::FiredFault> faults_fired;
  uint64_t hash = 0;
  std::vector<harness::TraceEntry> entries;  // every one: a program's trace is short
};

Recorded record(const harness::Program& p, harness::Strategy& strategy) {
  harness::TraceRecorder trace({.keep_all = true});
  harness::Recorder recorder(strategy, {}, &trace);
  Recorded out;
  out.run = harness::run_program(p, &recorder);
  out.decisions = recorder.decisions();
  out.faults_fired = recorder.faults_fired();
  out.hash = trace.hash();
  out.entries = trace.entries();
  return out;
}

// Empty when b reproduces a, else what differs.
std::string difference(const Recorded& a, const Recorded& b) {
  const Result& x = a.run.result;
  const Result& y = b.run.result;
  if (a.hash != b.hash || a.entries.size() != b.entries.size()) {
    const auto first = harness::first_difference(a.entries, b.entries);
    return "the traces part at " + (first ? first->what : std::string("? (same entries, different hash)"));
  }
  if (a.decisions != b.decisions) return "the decisions differ";
  if (a.faults_fired != b.faults_fired) return "the fired faults differ";
  if (x.exit_status != y.exit_status || x.fatal_error != y.fatal_error || x.panic != y.panic || x.output != y.output) {
    return "result: exit " + std::to_string(x.exit_status) + " \"" + x.fatal_error + x.panic + "\" vs exit " +
           std::to_string(y.exit_status) + " \"" + y.fatal_error + y.panic + "\"\n--- output:\n" + x.output +
           "--- vs:\n" + y.output;
  }
  if (x.goroutines_created != y.goroutines_created || x.switches != y.switches || x.steps != y.steps) {
    return "result: " + std::to_string(x.goroutines_created) + " goroutines, " + std::to_string(x.switches) +
           " switches, " + std::to_string(x.steps) + " steps vs " + std::to_string(y.goroutines_created) + ", " +
           std::to_string(y.switches) + ", " + std::to_string(y.steps);
  }
  if (a.run.quiesced != b.run.quiesced || a.run.parked_when_quiet != b.run.parked_when_quiet ||
      a.run.recovered.size() != b.run.recovered.size()) {
    return "the program's own view of the run differs";
  }
  return "";
}

}  // namespace

bool replay_property() {
  return rc::check("replaying a run's recorded decisions reproduces it exactly", [] {
    const harness::Program program = *harness::gen_program();
    const ScheduleParams schedule = *gen_schedule();
    const Recorded original = record(program, *schedule.strategy());

    harness::ReplayFile file;
    file.scenario = "random-program";
    file.seed = schedule.seed;
    file.strategy = schedule.pct ? "pct" : "random";
    file.depth = schedule.pct ? schedule.depth : 0;
    file.fault_plan = schedule.fault_plan();
    file.decisions = original.decisions;
    file.faults_fired = original.faults_fired;
    const harness::ReplayRead back = harness::parse_replay(harness::replay_json(file), "the property's replay file");
    if (!back.ok()) RC_FAIL("the replay file does not read back: " + back.error);
    RC_ASSERT(back.file == file);

    // Past the recording the fallback would answer: a different seed, so
    // that reading past the end could not pass unnoticed.
    harness::Replay replay(back.file.decisions, ~schedule.seed, back.file.fault_plan);
    const Recorded replayed = record(program, replay);
    if (replay.diverged()) RC_FAIL("the replay diverged: " + replay.divergence()->describe());
    RC_ASSERT(replay.replayed() == file.decisions.size());
    const std::string diff = difference(original, replayed);
    if (!diff.empty()) RC_FAIL("the replay differs from the recording: " + diff);

    const Recorded again = record(program, *schedule.strategy());
    const std::string rerun = difference(original, again);
    if (!rerun.empty()) RC_FAIL("a second run with the same parameters differs: " + rerun);
    RC_TAG(original.faults_fired.empty() ? "no fault fired" : "faults fired");
  });
}

}  // namespace gort::properties
