#include "session/scenario_run.h"

#include <cassert>
#include <memory>

#include "check/checker.h"
#include "gort/introspect.h"
#include "gort/mutants.h"
#include "scenario/leaks.h"
#include "session/run_log.h"
#include "strategy/pct.h"
#include "strategy/random_walk.h"
#include "strategy/recorder.h"

namespace gort::harness {
namespace {

// PCT's estimate of a run's length in yield points (k of the paper): the
// change points are drawn over it. Scenarios run a few hundred to a few
// thousand yield points.
constexpr uint64_t kPctEstimatedSteps = 2000;

// Non-owning handle on the caller's DFS, so that one path serves both.
class Borrowed final : public Strategy {
 public:
  // Its fault plan is the DFS's, so that the Recorder forwards the armed
  // sites' questions to it.
  explicit Borrowed(Strategy& s) : Strategy(s.fault_plan(), 0), s_(s) {}
  uint32_t choose(Choice what, uint32_t n) override { return s_.choose(what, n); }
  bool fire(FaultSite site) override { return s_.fire(site); }
  uint32_t armed_faults() const override { return s_.armed_faults(); }
  void event(const Event& e) override { s_.event(e); }

 private:
  Strategy& s_;
};

std::unique_ptr<Strategy> make_strategy(const RunSpec& spec) {
  switch (spec.strategy) {
    case StrategyKind::kDfs:
      return std::make_unique<Borrowed>(*spec.dfs);
    case StrategyKind::kRandom:
      return std::make_unique<RandomWalk>(spec.seed, spec.faults);
    case StrategyKind::kPct:
      return std::make_unique<Pct>(spec.seed, spec.depth, kPctEstimatedSteps, spec.faults);
    case StrategyKind::kReplay:
      return std::make_unique<Replay>(*spec.replay, spec.seed, spec.faults, spec.replay_fallback);
  }
  return nullptr;
}

}  // namespace

bool ended_in_injected_panic(const Result& r) { return r.panic.rfind("injected panic at ", 0) == 0; }

const char* strategy_name(StrategyKind k) {
  switch (k) {
    case StrategyKind::kRandom:
      return "random";
    case StrategyKind::kPct:
      return "pct";
    case StrategyKind::kReplay:
      return "replay";
    case StrategyKind::kDfs:
      return "dfs";
  }
  return "?";
}

bool parse_strategy(const std::string& text, StrategyKind* out) {
  for (StrategyKind k : {StrategyKind::kRandom, StrategyKind::kPct, StrategyKind::kReplay, StrategyKind::kDfs}) {
    if (text == strategy_name(k)) {
      *out = k;
      return true;
    }
  }
  return false;
}

std::string scenario_fingerprint(const Scenario& s) {
  return std::string(s.name) + "|exit=" + std::to_string(s.expect.exit_status) + "|fatal=" + s.expect.fatal_error +
         "|panic=" + s.expect.panic + "|stack=" + std::to_string(s.stack_size);
}

RunOutcome run_scenario_once(const RunSpec& spec) {
  assert(spec.max_steps >= 1 && "RunSpec: a harness run has a finite step budget");
  std::unique_ptr<Strategy> strategy = make_strategy(spec);
  std::unique_ptr<Strategy> tee;
  if (spec.log != nullptr) {
    tee = std::make_unique<RunLogTee>(*strategy, *spec.log);
  }
  Strategy& decides = tee != nullptr ? *tee : *strategy;
  std::unique_ptr<RunWorkspace> own_workspace;
  RunWorkspace* ws = spec.workspace;
  if (ws == nullptr) ws = (own_workspace = std::make_unique<RunWorkspace>()).get();
  const TraceRecorder& trace = ws->trace_;
  Recorder& recorder = ws->recorder_;
  const uint64_t entry_limit = spec.max_steps * kEntriesPerStep;
  recorder.begin_run(decides, entry_limit);  // clears the trace too
  CheckOptions check_options;
  check_options.max_events = entry_limit;
  check_options.check_every = spec.check_invariants ? spec.check_every : ~0u;
  check_options.dump = &introspect::goroutine_dump;
  CheckingChooser& checker = ws->checker_;
  checker.begin_run(recorder, check_options);

  Config cfg;
  cfg.seed = spec.seed;
  cfg.chooser = &checker;
  cfg.stack_size = spec.scenario->stack_size;
  cfg.stack_pool = spec.pool;
  cfg.max_steps = spec.max_steps;
  cfg.procs = spec.procs;
  cfg.drain_at_exit = spec.leaks != LeakPolicy::kOff;
  // A mutants build's CLI runs the mutant GORT_MUTANT names (how a catch by
  // `gort-mutants` is seen as a user sees a failing run); elsewhere
  // Config::mutant is ignored.
  cfg.mutant = mutant_from_environment();
  RunOutcome out;
  // Main returned: who is still blocked, on what. (A ScenarioMain, not a
  // lambda here, so that dumps end goroutine 1 at the program's frame.)
  auto capture_end_state = [](void* c) { static_cast<CheckingChooser*>(c)->capture_end_state(); };
  out.result = run(cfg, detail::ScenarioMain{&spec.scenario->program, capture_end_state, &checker});

  out.decisions = recorder.decisions();
  out.faults_fired = recorder.faults_fired();
  out.trace_hash = trace.hash();
  out.checks = checker.checks_run();
  out.oracle_events = checker.trace().size();
  if (spec.strategy == StrategyKind::kReplay) out.divergence = static_cast<Replay&>(*strategy).divergence();

  const Result& r = out.result;
  if (r.fatal_error.rfind("step budget exceeded", 0) == 0) {
    out.failure_kind = "budget";
    out.verdict = "step budget exceeded after " + std::to_string(spec.max_steps) + " steps (" +
                  std::to_string(r.switches) + " goroutine switches): a livelock, or a run too long for --max-steps";
    out.dump = r.output;
  } else if (recorder.budget_exceeded() || checker.oracle_truncated()) {
    out.failure_kind = "budget";
    out.verdict = "step budget exceeded: more than " + std::to_string(entry_limit) + " decisions and events in " +
                  std::to_string(r.steps) + " steps (" + std::to_string(kEntriesPerStep) +
                  " per step of --max-steps): a run too long for its budget";
    out.dump = r.output;
  } else if (checker.first_violation()) {
    const CheckFailure& f = *checker.first_violation();
    out.failure_kind = "invariant";
    out.verdict =
        "invariant " + f.first().invariant + " broken at step " + std::to_string(f.step) + ": " + f.first().detail;
    out.dump = f.dump;
  } else if (OracleVerdict v = checker.oracle_verdict(); !v.ok()) {
    const auto& first = v.violations.front();
    out.failure_kind = "oracle";
    // The sync oracle's rules are sync.* and sema.* (check/sync_oracle.h).
    const bool sync_rule = first.rule.starts_with("sync.") || first.rule.starts_with("sema.");
    out.verdict = std::string(sync_rule ? "sync oracle: " : "channel oracle: ") + first.rule + " at step " +
                  std::to_string(first.step) + ": " + first.explanation;
    out.dump = r.output;
  } else if (std::string why = judge(*spec.scenario, r); !why.empty() && !ended_in_injected_panic(r)) {
    out.failure_kind = "outcome";
    out.verdict = why;
    out.dump = r.output;
  } else if (std::string leak = leak_verdict(r, spec.leaks, &out.dump); !leak.empty()) {
    out.failure_kind = "leak";
    out.verdict = leak;
  }
  if (!out.ok() || spec.keep_trace) out.trace_tail = trace.entries();
  return out;
}

}  // namespace gort::harness
