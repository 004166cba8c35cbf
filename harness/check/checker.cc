// CheckingChooser (checker.h).
#include "check/checker.h"

#include <cassert>
#include <utility>

namespace gort::harness {

CheckingChooser::CheckingChooser(Chooser& inner, CheckOptions options) { begin_run(inner, options); }

void CheckingChooser::begin_run(Chooser& inner, CheckOptions options) {
  assert(options.check_every >= 1 && "CheckOptions: check_every >= 1");
  assert(options.snapshot != nullptr && "CheckOptions: a snapshot source");
  inner_ = &inner;
  options_ = options;
  oracle_.clear();
  oracle_.set_limit(options.max_events > SIZE_MAX ? SIZE_MAX : static_cast<size_t>(options.max_events));
  failure_.reset();
  quiescent_points_ = 0;
  checks_run_ = 0;
  end_.reset();
  end_step_ = 0;
}

uint32_t CheckingChooser::choose(Choice what, uint32_t n) { return inner_->choose(what, n); }

bool CheckingChooser::fire(FaultSite site) { return inner_->fire(site); }

void CheckingChooser::event(const Event& e) {
  oracle_.on_event(e);
  // A drain after main's return is over (Config::drain_at_exit): the run's
  // real end, later than main's own (capture_end_state's caller).
  if (e.kind == EventKind::kDrainEnd) capture_end_state();
  // The scheduler is about to resume a goroutine (execute): no channel lock
  // is held and no G is between two places, so the state must be whole.
  if (e.kind == EventKind::kGoRun) {
    const uint64_t point = quiescent_points_++;
    if (!failure_ && point % options_.check_every == 0) {
      checks_run_++;
      options_.snapshot(snap_);
      const std::vector<Violation>& found = invariants_.check(snap_, /*resuming=*/true);
      if (!found.empty()) {
        failure_ = CheckFailure{oracle_.steps(), point, found, {}};
        if (options_.dump != nullptr) failure_->dump = options_.dump();
      }
    }
  }
  inner_->event(e);
}

void CheckingChooser::capture_end_state() {
  options_.snapshot(snap_);
  end_ = end_state_from_snapshot(snap_);
  end_step_ = oracle_.steps();
}

OracleVerdict CheckingChooser::oracle_verdict() const {
  if (end_ && !oracle_.truncated()) return oracle_.finish(end_step_, *end_);
  return oracle_.finish();
}

}  // namespace gort::harness
