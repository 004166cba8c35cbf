// One harness run of a scenario: the strategy that decides, the recorder
// that keeps every decision (with a step budget), the checkers that watch
// (invariants at quiescent points, the channel oracle over the trace),
// and the verdict that puts it all together. gort run, check, replay and
// the shrinker all run scenarios through here, so a failure found by one
// is reproduced by the others exactly.
#ifndef GORT_HARNESS_SESSION_SCENARIO_RUN_H
#define GORT_HARNESS_SESSION_SCENARIO_RUN_H

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "check/checker.h"
#include "gort/gort.h"
#include "scenario/scenario.h"
#include "strategy/decision.h"
#include "strategy/fault_plan.h"
#include "strategy/recorder.h"
#include "strategy/replay.h"
#include "strategy/strategy.h"
#include "strategy/trace.h"

namespace gort::harness {

// kDfs: bounded-preemption depth-first enumeration; its strategy lives
// across runs, so the caller owns it (RunSpec::dfs).
enum class StrategyKind : uint8_t { kRandom, kPct, kReplay, kDfs };
const char* strategy_name(StrategyKind k);
// "random" | "pct" | "replay" | "dfs"; false if unknown.
bool parse_strategy(const std::string& text, StrategyKind* out);

class RunWorkspace;
class RunLog;

// What a run may accumulate per step of its budget: the recorder's
// decisions and events (so the decision list) and the oracle's events
// stop there, which bounds a run's memory by its budget. A step records
// two to four entries; a select over many cases asks one decision per
// case, so the margin is wide.
inline constexpr uint64_t kEntriesPerStep = 8;

// What to run. Invariant: scenario != null; replay != null iff strategy == kReplay.
struct RunSpec {
  const Scenario* scenario = nullptr;
  uint64_t seed = 1;
  StrategyKind strategy = StrategyKind::kRandom;
  uint32_t depth = 3;  // PCT's d
  FaultPlan faults;
  const std::vector<Decision>* replay = nullptr;             // the decisions to replay
  ReplayFallback replay_fallback = ReplayFallback::kRandom;  // past the recording's end
  Strategy* dfs = nullptr;                // the BoundedDfs, with kDfs (not owned; next() is the caller's)
  uint64_t max_steps = kDefaultMaxSteps;  // the step budget (Config::max_steps), >= 1
  uint32_t procs = 1;                     // GOMAXPROCS (Config::procs), 1..kMaxProcs
  bool check_invariants = true;
  uint32_t check_every = 1;  // at every N-th quiescent point
  StackPool* pool = nullptr;
  RunWorkspace* workspace = nullptr;  // reused buffers (null: the run makes its own)
  // Copy the kept trace into RunOutcome::trace_tail even when the run
  // passes (a failing run always has it).
  bool keep_trace = false;
  // Also log every decision and the trace's tail here as the run goes
  // (session/run_log.h): what survives the run's process if it dies.
  RunLog* log = nullptr;
  // The leak oracle (gort/scenario.h): off keeps Go's exit at main's
  // return; otherwise the run drains and its leftover goroutines are judged.
  LeakPolicy leaks = LeakPolicy::kOff;
};

// What happened. verdict is empty when the run did what the scenario
// promises (or ended in an injected panic, which every scenario tolerates),
// the invariants held and the oracle accepted the trace.
struct RunOutcome {
  Result result;
  std::string verdict;
  // What the verdict is about: "outcome" | "invariant" | "oracle" | "budget" | "leak",
  // or, for a run in a child process, "crash" (it died) | "timeout".
  // "budget": the run took more than max_steps steps, or recorded more
  // than kEntriesPerStep * max_steps decisions and events.
  std::string failure_kind;
  std::vector<Decision> decisions;
  std::vector<FiredFault> faults_fired;
  uint64_t trace_hash = 0;
  std::vector<TraceEntry> trace_tail;    // the last events and decisions (failing runs, or RunSpec::keep_trace)
  std::string dump;                      // goroutine dump where it failed (when known)
  std::optional<Divergence> divergence;  // replay only: where the recording stopped matching
  uint64_t checks = 0;                   // invariant checks run
  uint64_t oracle_events = 0;            // events the oracle kept (<= kEntriesPerStep * max_steps)
  bool ok() const { return verdict.empty(); }
};

// The buffers one thread's runs reuse, capacity kept from run to run
// (decisions, the trace ring, the oracle's events, snapshots): a session
// of thousands of runs then allocates per run little beyond what the
// runtime itself does. One run at a time; not shared between threads.
class RunWorkspace {
 public:
  RunWorkspace() : recorder_(RecorderLimits{}, &trace_) {}
  RunWorkspace(const RunWorkspace&) = delete;
  RunWorkspace& operator=(const RunWorkspace&) = delete;

 private:
  friend RunOutcome run_scenario_once(const RunSpec& spec);

  // How a run of a RunSpec is carried out: in this process
  // (run_scenario_once) or in a child that may die (isolation/).
  using RunFunction = std::function<RunOutcome(const RunSpec&)>;

  // Whether the run ended in a panic the fault plan injected (which every
  // scenario tolerates, once the checkers have passed everything before it).
  bool ended_in_injected_panic(const Result& r);
  TraceRecorder trace_;
  Recorder recorder_;  // records into trace_
  CheckingChooser checker_;
};

RunOutcome run_scenario_once(const RunSpec& spec);

// How a run of a RunSpec is carried out: in this process
// (run_scenario_once) or in a child that may die (isolation/).
using RunFunction = std::function<RunOutcome(const RunSpec&)>;

// Whether the run ended in a panic the fault plan injected (which every
// scenario tolerates, once the checkers have passed everything before it).
bool ended_in_injected_panic(const Result& r);

// The scenario's fingerprint for replay files: its name, expectation and
// stack size (a replay of a changed scenario says the file is stale).
std::string scenario_fingerprint(const Scenario& s);

}  // namespace gort::harness

#endif  // GORT_HARNESS_SESSION_SCENARIO_RUN_H
