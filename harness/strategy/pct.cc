#include "strategy/pct.h"

#include <algorithm>
#include <cassert>

namespace gort::harness {
namespace {

// Initial priorities lie in [kInitialBand, 2 kInitialBand); voluntary
// yields count down from kInitialBand; change points use [1, depth).
constexpr uint64_t kInitialBand = uint64_t{1} << 62;

bool higher(uint64_t pa, uint64_t goid_a, uint64_t pb, uint64_t goid_b) { return pa != pb ? pa > pb : goid_a < goid_b; }

}  // namespace

Pct::Pct(uint64_t seed, uint32_t depth, uint64_t estimated_steps, FaultPlan plan)
    : Strategy(std::move(plan), seed), rng_(seed), yield_floor_(kInitialBand - 1) {
  assert(depth >= 1 && depth <= kPctMaxDepth && "PCT depth out of range");
  assert(estimated_steps >= 1);
  for (uint32_t j = 1; j < depth; j++) {
    uint64_t at = 1 + rng_.next() % estimated_steps;
    change_points_.push_back({at, j});
  }
  std::stable_sort(change_points_.begin(), change_points_.end(),
                   [](const ChangePoint& a, const ChangePoint& b) { return a.at < b.at; });
  gs_.reserve(64);
}

Pct::Goroutine* Pct::find(uint64_t goid) {
  for (Goroutine& g : gs_) {
    if (g.goid == goid) return &g;
  }
  return nullptr;
}

Pct::Goroutine* Pct::track(uint64_t goid) {
  if (Goroutine* g = find(goid)) return g;
  if (gs_.size() >= kPctMaxGoroutines) return nullptr;
  gs_.push_back({goid, kInitialBand + (rng_.next() >> 2), State::kRunnable});
  return &gs_.back();
}

std::optional<uint64_t> Pct::priority(uint64_t goid) const {
  for (const Goroutine& g : gs_) {
    if (g.goid == goid) return g.priority;
  }
  return std::nullopt;
}

std::vector<uint64_t> Pct::change_points() const {
  std::vector<uint64_t> out;
  for (const ChangePoint& c : change_points_) out.push_back(c.at);
  return out;
}

bool Pct::should_preempt() const {
  if (running_ == 0) return false;
  const Goroutine* run = nullptr;
  for (const Goroutine& g : gs_) {
    if (g.goid == running_) run = &g;
  }
  for (const Goroutine& g : gs_) {
    if (g.state != State::kRunnable || g.goid == running_) continue;
    if (run == nullptr || higher(g.priority, g.goid, run->priority, run->goid)) return true;
  }
  return false;
}

uint32_t Pct::choose(Choice what, uint32_t n) {
  if (what == Choice::kAdvanceClock) return rng_.below(kAdvanceClockOneIn) == 0 ? 1 : 0;  // as the random walk
  if (what != Choice::kPreempt) return rng_.below(n);
  assert(n == 2);
  yield_points_++;
  Goroutine* run = running_ != 0 ? find(running_) : nullptr;
  while (next_change_ < change_points_.size() && change_points_[next_change_].at <= yield_points_) {
    if (run != nullptr) run->priority = change_points_[next_change_].priority;
    next_change_++;
  }
  return should_preempt() ? 1 : 0;
}

void Pct::event(const Event& e) {
  switch (e.kind) {
    case EventKind::kGoCreate:
    case EventKind::kGoReady:
      if (Goroutine* g = track(e.obj)) g->state = State::kRunnable;
      break;
    case EventKind::kGoRun:
      if (running_ != 0 && running_ != e.goid) {
        // The previous goroutine left without parking, preemption or exit: it yielded.
        if (Goroutine* prev = find(running_); prev != nullptr && prev->state == State::kRunning) {
          prev->state = State::kRunnable;
          if (prev->priority > kPctMaxDepth) prev->priority = yield_floor_--;  // change points keep theirs
        }
      }
      running_ = e.goid;
      if (Goroutine* g = track(e.goid)) g->state = State::kRunning;
      break;
    case EventKind::kGoPark:
      if (Goroutine* g = find(e.goid)) g->state = State::kBlocked;
      if (running_ == e.goid) running_ = 0;
      break;
    case EventKind::kGoPreempt:
      if (Goroutine* g = find(e.goid)) g->state = State::kRunnable;
      if (running_ == e.goid) running_ = 0;
      break;
    case EventKind::kGoExit:
      if (Goroutine* g = find(e.goid)) {
        *g = gs_.back();
        gs_.pop_back();
      }
      if (running_ == e.goid) running_ = 0;
      break;
    default:
      break;
  }
}

}  // namespace gort::harness
