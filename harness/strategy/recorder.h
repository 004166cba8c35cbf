// The Recorder: the Chooser a harness run hands to the runtime. It
// forwards every question to a strategy and keeps what was answered: the
// decision list (Choice questions and armed fault sites' questions), the
// faults that fired with their step, and the step count (decisions +
// events). Events go to the strategy (PCT needs them) and to an optional
// TraceRecorder.
//
// Its budget (decisions + events) bounds what a run accumulates: past it,
// budget_exceeded() is set, every question is answered 0 (Go's default,
// for faults: no fault) without asking the strategy or recording it, so
// the decision list holds the decisions up to the budget and no more. The
// runtime's own step budget (Config::max_steps) is what ends the run; a
// harness run sets this one from it (session/scenario_run.h).
#ifndef GORT_HARNESS_STRATEGY_RECORDER_H
#define GORT_HARNESS_STRATEGY_RECORDER_H

#include <cstddef>
#include <cstdint>
#include <vector>

#include "gort/hooks.h"
#include "strategy/decision.h"
#include "strategy/strategy.h"
#include "strategy/trace.h"

namespace gort::harness {

struct RecorderLimits {
  uint64_t step_budget = uint64_t{1} << 22;  // decisions + events per run (begin_run may set another)
  size_t reserve = 4096;                     // decisions reserved up front (growth past it is amortised)
};

// Invariants: steps_ counts every decision and event since begin_run;
// decisions_.size() <= budget_;
// decisions_ holds, in order, each decision answered before the budget was
// exceeded; faults_fired_ lists those of them that are fired faults;
// budget_exceeded_ once set stays set until begin_run.
class Recorder final : public Chooser {
 public:
  explicit Recorder(Strategy& inner, RecorderLimits limits = {}, TraceRecorder* trace = nullptr);
  // Without a strategy yet: begin_run must come before the run.
  explicit Recorder(RecorderLimits limits, TraceRecorder* trace = nullptr);

  // Starts another run with the same buffers (capacity kept) and trace,
  // within limits.step_budget, or within step_budget (>= 1).
  void begin_run(Strategy& inner);
  void begin_run(Strategy& inner, uint64_t step_budget);

  uint32_t choose(Choice what, uint32_t n) override;
  bool fire(FaultSite site) override;
  uint32_t armed_faults() const override { return inner_->armed_faults(); }
  // listens(): yes (the default), for the trace and the step count.
  void event(const Event& e) override;

  const std::vector<Decision>& decisions() const { return decisions_; }
  const std::vector<FiredFault>& faults_fired() const { return faults_fired_; }
  uint64_t steps() const { return steps_; }
  bool budget_exceeded() const { return budget_exceeded_; }

 private:
  // Whether this step is still within the budget (sets the flag if not).
  bool within_budget();

  Strategy* inner_ = nullptr;
  RecorderLimits limits_;
  uint64_t budget_;  // this run's: limits_.step_budget unless begin_run said otherwise
  TraceRecorder* trace_;
  std::vector<Decision> decisions_;
  std::vector<FiredFault> faults_fired_;
  uint64_t steps_ = 0;
  bool budget_exceeded_ = false;
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_STRATEGY_RECORDER_H
