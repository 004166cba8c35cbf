// CheckingChooser: a Chooser decorator that checks a run while it happens.
//
// It forwards every decision (choose, fire) and every event to the inner
// chooser unchanged, so the run is the one the inner chooser alone would
// make. Meanwhile it keeps the event trace for the channel oracle and, at
// quiescent points, checks the runtime invariants on an introspect
// snapshot: a quiescent point is a kGoRun event (the scheduler's execute
// is about to resume a G: no channel lock is held, no hand-off is half
// done, the G is already on its M), every check_every-th of them. Other
// callbacks are not quiescent: kRunqPut and most events come from inside
// goready or a channel operation, between a partner's dequeue and the G's
// wake-up.
//
// A callback cannot stop the runtime, so the first broken invariant is
// recorded (with the number of events that came before it) and checking
// stops there; the run carries on with decisions forwarded as before.
// After the run, first_violation() says what broke and oracle_verdict()
// judges the trace.
#ifndef GORT_HARNESS_CHECK_CHECKER_H
#define GORT_HARNESS_CHECK_CHECKER_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "check/end_state.h"
#include "check/invariants.h"
#include "check/oracle.h"
#include "check/violation.h"
#include "gort/hooks.h"
#include "gort/introspect.h"

namespace gort::harness {

struct CheckOptions {
  // Check at every check_every-th quiescent point (1: all of them); >= 1.
  uint32_t check_every = 1;
  // Where snapshots come from: the running runtime by default; tests may
  // hand in their own (a plain function: no state hides in it). It
  // overwrites its argument, which the checker keeps from check to check.
  void (*snapshot)(introspect::Snapshot& into) = &introspect::snapshot;
  // Where the goroutine dump at a violation comes from (null: none taken;
  // the harness passes &introspect::goroutine_dump).
  std::string (*dump)() = nullptr;
  // The oracle keeps at most this many events (ChannelOracle::set_limit):
  // a harness run sets it from its step budget.
  uint64_t max_events = UINT64_MAX;
};

// The first check that found broken invariants. step: events heard before
// it (the check ran between event step - 1 and event step); check: which
// quiescent check it was (0-based, counting those skipped by
// check_every too); violations: all it found, the first one first.
struct CheckFailure {
  size_t step = 0;
  uint64_t check = 0;
  std::vector<Violation> violations;
  std::string dump;  // Go-style goroutine dump at that moment (CheckOptions::dump)
  const Violation& first() const { return violations.front(); }
};

// Invariants: inner outlives the run; failure_, once set, never changes
// until begin_run; snap_, invariants_ and the oracle's trace are buffers
// reused from run to run.
class CheckingChooser final : public Chooser {
 public:
  explicit CheckingChooser(Chooser& inner, CheckOptions options = {});
  // Without an inner chooser: begin_run must come before the run.
  CheckingChooser() = default;
  // Starts another run, keeping the buffers' storage.
  void begin_run(Chooser& inner, CheckOptions options = {});

  uint32_t choose(Choice what, uint32_t n) override;
  bool fire(FaultSite site) override;
  uint32_t armed_faults() const override { return inner_->armed_faults(); }
  void event(const Event& e) override;

  // The invariant check that failed first, if any did.
  const std::optional<CheckFailure>& first_violation() const { return failure_; }
  // Quiescent points seen, and how many of them were checked.
  uint64_t quiescent_points() const { return quiescent_points_; }
  uint64_t checks_run() const { return checks_run_; }
  const std::vector<Event>& trace() const { return oracle_.trace(); }
  // Whether the oracle dropped events past CheckOptions::max_events.
  bool oracle_truncated() const { return oracle_.truncated(); }

  // Called inside the run, as the last thing main does: records the end
  // state (who is blocked, what each channel holds) for the oracle. The
  // runtime must be at a point where snapshot() may be called.
  void capture_end_state();
  const std::optional<EndState>& end_state() const { return end_; }
  // Judges the trace: up to capture_end_state() together with that end
  // state if it was captured, else the whole trace without one (and
  // without one if the trace was truncated).
  OracleVerdict oracle_verdict() const;

 private:
  Chooser* inner_ = nullptr;
  CheckOptions options_;
  ChannelOracle oracle_;
  introspect::Snapshot snap_;
  InvariantChecker invariants_;
  std::optional<CheckFailure> failure_;
  uint64_t quiescent_points_ = 0;
  uint64_t checks_run_ = 0;
  std::optional<EndState> end_;
  size_t end_step_ = 0;
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_CHECK_CHECKER_H
