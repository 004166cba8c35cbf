// Checking a program run (program_check.h).
#include "program/program_check.h"

#include <string_view>

#include "check/checker.h"
#include "program/program_print.h"

namespace gort::harness {
namespace {

// Why the program cannot have panicked with value (empty: it can).
std::string judge_panic(const ProgramTraits& t, std::string_view value, bool injected, bool injected_panics) {
  if (injected) {
    if (injected_panics && value.starts_with("injected panic at ")) return "";
    return "a panic the fault plan could not inject: " + std::string(value);
  }
  if (value == "send on closed channel" && t.sends && t.closes) return "";
  if (value == "close of closed channel" && t.double_close) return "";
  if (value == "close of nil channel" && t.nil_close) return "";
  return "a panic no op of the program can provoke: " + std::string(value);
}

}  // namespace

std::string judge_outcome(const Program& p, const ProgramRun& run, bool injected_panics) {
  const Result& r = run.result;
  const ProgramTraits t = traits(p);
  if (run.starved) {
    return "main yielded " + std::to_string(kMaxQuietYields) + " times and the others never became quiet";
  }
  if (run.vanished > 0) {
    return std::to_string(run.vanished) + " goroutine(s) ended without running their deferred calls";
  }
  if (run.defer_order_broken > 0) {
    return std::to_string(run.defer_order_broken) + " recover block(s) ran their deferred calls oldest first";
  }
  for (const RecoveredPanic& rec : run.recovered) {
    const std::string why = !rec.injected && !rec.runtime_error
                                ? "recovered a panic that is not a runtime error: " + rec.value
                                : judge_panic(t, rec.value, rec.injected, injected_panics);
    if (!why.empty()) return "g" + std::to_string(rec.goroutine) + " " + why;
  }
  if (r.exit_status == 0) {
    if (!r.fatal_error.empty() || !r.panic.empty()) {
      return "exit 0, yet a fatal error or panic: " + r.fatal_error + r.panic;
    }
    if (!run.quiesced) return "main returned without seeing the run quiet";
    if (p.ending == Ending::kJoin && run.parked_when_quiet > 0) {
      return "main's join returned, yet " + std::to_string(run.parked_when_quiet) +
             " goroutine(s) were parked for good";
    }
    return "";
  }
  if (r.exit_status == 2 && r.fatal_error == kDeadlock) {
    if (run.quiesced && p.ending == Ending::kReturn) return "deadlock after quiet, yet main was to return";
    if (run.quiesced && run.parked_when_quiet == 0) return "deadlock in main's join, yet every goroutine had finished";
    return "";
  }
  if (r.exit_status == 2 && r.fatal_error.empty() && !r.panic.empty()) {
    const bool injected = std::string_view(r.panic).starts_with("injected panic at ");
    return judge_panic(t, r.panic, injected, injected_panics);
  }
  return "an outcome no program may have: exit " + std::to_string(r.exit_status) + ", fatal error \"" + r.fatal_error +
         "\", panic \"" + r.panic + "\"";
}

CheckedRun run_checked(const Program& p, Chooser& schedule, bool injected_panics) {
  CheckingChooser checker(schedule);
  CheckedRun out;
  out.run = run_program(p, &checker, [&checker] { checker.capture_end_state(); });
  std::string failure;
  if (const auto& v = checker.first_violation()) {
    for (const Violation& x : v->violations) {
      failure += "invariant " + x.invariant + " at event " + std::to_string(v->step) + ": " + x.detail + "\n";
    }
  }
  const OracleVerdict verdict = checker.oracle_verdict();
  for (const TraceViolation& x : verdict.violations) {
    failure += "oracle " + x.rule + " at event " + std::to_string(x.step) + ": " + x.explanation + "\n";
  }
  const std::string outcome = judge_outcome(p, out.run, injected_panics);
  if (!outcome.empty()) failure += "outcome: " + outcome + "\n";
  out.failure = std::move(failure);
  out.checks = checker.checks_run();
  out.events = checker.trace().size();
  return out;
}

std::string describe_run(const Program& p, const CheckedRun& r) {
  std::string s = "failure:\n" + r.failure;
  s += "run: exit " + std::to_string(r.run.result.exit_status);
  if (r.run.quiesced) s += ", quiet with " + std::to_string(r.run.parked_when_quiet) + " parked";
  // The checkers name goroutines by goid and channels by trace id.
  s += "\nids in the messages above:";
  for (size_t g = 0; g < r.run.goids.size(); g++) {
    if (r.run.goids[g] == 0) continue;
    s +=
        " g" + std::to_string(r.run.goids[g]) + " is " + (g == 0 ? std::string("main") : "g" + std::to_string(g)) + ",";
  }
  for (size_t c = 0; c < p.capacities.size(); c++) {
    s += " c" + std::to_string(c + 1) + " is c" + std::to_string(c) + ",";
  }
  s += " c" + std::to_string(p.capacities.size() + 1) + " is done\n" + r.run.result.output;
  return s;
}

std::string describe_failure(const Program& p, const CheckedRun& r) {
  return "program:\n" + to_string(p) + describe_run(p, r);
}

}  // namespace gort::harness
