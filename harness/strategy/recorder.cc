#include "strategy/recorder.h"

#include <cassert>

namespace gort::harness {

Recorder::Recorder(Strategy& inner, RecorderLimits limits, TraceRecorder* trace) : Recorder(limits, trace) {
  inner_ = &inner;
}

Recorder::Recorder(RecorderLimits limits, TraceRecorder* trace)
    : limits_(limits), budget_(limits.step_budget), trace_(trace) {
  assert(limits_.step_budget > 0);
  decisions_.reserve(limits_.reserve);
  if (trace_ != nullptr) trace_->clear();
}

void Recorder::begin_run(Strategy& inner) { begin_run(inner, limits_.step_budget); }

void Recorder::begin_run(Strategy& inner, uint64_t step_budget) {
  assert(step_budget > 0);
  inner_ = &inner;
  budget_ = step_budget;
  decisions_.clear();
  faults_fired_.clear();
  steps_ = 0;
  budget_exceeded_ = false;
  if (trace_ != nullptr) trace_->clear();
}

bool Recorder::within_budget() {
  if (steps_ >= budget_) budget_exceeded_ = true;
  return !budget_exceeded_;
}

uint32_t Recorder::choose(Choice what, uint32_t n) {
  assert(n >= 2 && "the runtime asks only decisions with two options or more");
  uint32_t chosen = 0;
  if (within_budget()) {
    chosen = inner_->choose(what, n);
    assert(chosen < n && "strategy answered an option out of range");
    decisions_.push_back(Decision::choice(what, n, chosen));
  }
  if (trace_ != nullptr) trace_->record(steps_, Decision::choice(what, n, chosen));
  steps_++;
  return chosen;
}

bool Recorder::fire(FaultSite site) {
  assert(static_cast<int>(site) < kFaultSites);
  if (!inner_->armed(site)) return false;  // not a decision: unarmed sites never fire
  bool fired = false;
  if (within_budget()) {
    fired = inner_->fire(site);
    decisions_.push_back(Decision::fault(site, fired));
    if (fired) faults_fired_.push_back({site, steps_});
  }
  if (trace_ != nullptr) trace_->record(steps_, Decision::fault(site, fired));
  steps_++;
  return fired;
}

void Recorder::event(const Event& e) {
  within_budget();
  inner_->event(e);
  if (trace_ != nullptr) trace_->record(steps_, e);
  steps_++;
}

}  // namespace gort::harness
