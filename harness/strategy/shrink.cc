#include "strategy/shrink.h"

#include <algorithm>
#include <chrono>
#include <iterator>

namespace gort::harness {
namespace {

// Invariant: best_ fails the predicate (once the input did); calls_ <=
// limits_.max_calls; no call starts past the deadline but the first.
class Shrinker {
 public:
  Shrinker(std::vector<Decision> input, const StillFails& still_fails, const ShrinkLimits& limits)
      : best_(std::move(input)), still_fails_(still_fails), limits_(limits), start_(limits.now_seconds()) {}

  bool test(const std::vector<Decision>& candidate) {
    if (calls_ >= limits_.max_calls) {
      limit_reached_ = call_limit_reached_ = true;
      return false;
    }
    if (calls_ > 0 && limits_.max_seconds > 0 && elapsed() >= limits_.max_seconds) {
      limit_reached_ = time_limit_reached_ = true;
      return false;
    }
    calls_++;
    return still_fails_(candidate);
  }

  double elapsed() const { return limits_.now_seconds() - start_; }

  // best_ with every entry of among (indices, ascending) that is not in
  // keep (a subsequence of among) set to 0.
  std::vector<Decision> only(const std::vector<size_t>& keep, const std::vector<size_t>& among) const {
    std::vector<Decision> out = best_;
    size_t k = 0;
    for (size_t i : among) {
      if (k < keep.size() && keep[k] == i) {
        k++;
      } else {
        out[i].chosen = 0;
      }
    }
    return out;
  }

  std::vector<size_t> nonzero() const {
    std::vector<size_t> out;
    for (size_t i = 0; i < best_.size(); i++) {
      if (best_[i].chosen != 0) out.push_back(i);
    }
    return out;
  }

  // The M switches: kRunM answered with another M than the running one.
  std::vector<size_t> m_switches() const {
    std::vector<size_t> out;
    for (size_t i = 0; i < best_.size(); i++) {
      if (best_[i].chosen != 0 && !is_fault(best_[i].kind) && as_choice(best_[i].kind) == Choice::kRunM) {
        out.push_back(i);
      }
    }
    return out;
  }

  // (a) ddmin over among (non-zero entries), every other entry kept.
  void ddmin(const std::vector<size_t>& among) {
    std::vector<size_t> keep = among;
    if (keep.empty()) return;
    auto only = [this, &among](const std::vector<size_t>& k) { return this->only(k, among); };
    if (test(only({}))) {
      best_ = only({});
      return;
    }
    size_t granularity = 2;
    while (keep.size() >= 2 && !limit_reached_) {
      std::vector<std::vector<size_t>> chunks = split(keep, granularity);
      bool reduced = false;
      for (size_t c = 0; c < chunks.size() && !reduced; c++) {
        if (test(only(chunks[c]))) {
          keep = chunks[c];
          granularity = 2;
          reduced = true;
        }
      }
      for (size_t c = 0; c < chunks.size() && !reduced && granularity > 2; c++) {
        std::vector<size_t> complement;
        std::set_difference(keep.begin(), keep.end(), chunks[c].begin(), chunks[c].end(),
                            std::back_inserter(complement));
        if (test(only(complement))) {
          keep = complement;
          granularity = std::max<size_t>(granularity - 1, 2);
          reduced = true;
        }
      }
      if (!reduced) {
        if (granularity >= keep.size()) break;
        granularity = std::min(granularity * 2, keep.size());
      }
    }
    best_ = only(keep);
  }

  // (b) each non-zero entry to 0, one by one.
  void zero_one_by_one() {
    for (size_t i : nonzero()) {
      std::vector<Decision> candidate = best_;
      candidate[i].chosen = 0;
      if (test(candidate)) best_ = std::move(candidate);
    }
  }

  // (c) each value down to the smallest that still fails.
  void lower_values() {
    for (size_t i : nonzero()) {
      for (uint32_t v = 1; v < best_[i].chosen; v++) {
        std::vector<Decision> candidate = best_;
        candidate[i].chosen = v;
        if (test(candidate)) {
          best_ = std::move(candidate);
          break;
        }
      }
    }
  }

  // (d) the shortest prefix that still fails, at least up to the last non-zero entry.
  void trim() {
    std::vector<size_t> nz = nonzero();
    size_t lo = nz.empty() ? 0 : nz.back() + 1;
    size_t hi = best_.size();
    if (lo == hi) return;
    if (test(prefix(lo))) {
      best_ = prefix(lo);
      return;
    }
    while (hi - lo > 1 && !limit_reached_) {  // prefix(lo) passes, prefix(hi) fails
      size_t mid = lo + (hi - lo) / 2;
      if (test(prefix(mid))) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    best_ = prefix(hi);
  }

  std::vector<Decision> prefix(size_t n) const { return {best_.begin(), best_.begin() + static_cast<ptrdiff_t>(n)}; }

  static std::vector<std::vector<size_t>> split(const std::vector<size_t>& v, size_t parts) {
    std::vector<std::vector<size_t>> out;
    parts = std::min(parts, v.size());
    size_t start = 0;
    for (size_t p = 0; p < parts; p++) {
      size_t end = start + (v.size() - start) / (parts - p);
      out.emplace_back(v.begin() + static_cast<ptrdiff_t>(start), v.begin() + static_cast<ptrdiff_t>(end));
      start = end;
    }
    return out;
  }

  std::vector<Decision> best_;
  const StillFails& still_fails_;
  ShrinkLimits limits_;
  double start_;
  uint32_t calls_ = 0;
  bool limit_reached_ = false;  // either limit
  bool call_limit_reached_ = false;
  bool time_limit_reached_ = false;
};

}  // namespace

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

ShrinkResult shrink(std::vector<Decision> failing, const StillFails& still_fails, uint32_t max_calls) {
  ShrinkLimits limits;
  limits.max_calls = max_calls;
  return shrink(std::move(failing), still_fails, limits);
}

ShrinkResult shrink(std::vector<Decision> failing, const StillFails& still_fails, const ShrinkLimits& limits) {
  ShrinkStats stats;
  stats.entries_before = failing.size();
  stats.nonzero_before = count_nonzero(failing);
  stats.preemptions_before = count_preemptions(failing);
  stats.faults_before = count_faults(failing);
  Shrinker s(std::move(failing), still_fails, limits);
  stats.input_failed = s.test(s.best_);
  if (stats.input_failed) {
    // M switches first: a run with several Ms records hundreds of them, and
    // a schedule that needs fewer is easier to read than one that needs
    // fewer goroutine preemptions.
    s.ddmin(s.m_switches());
    s.ddmin(s.nonzero());
    s.zero_one_by_one();
    s.lower_values();
    s.trim();
  }
  stats.calls = s.calls_;
  stats.call_limit_reached = s.call_limit_reached_;
  stats.time_limit_reached = s.time_limit_reached_;
  stats.seconds = s.elapsed();
  stats.entries_after = s.best_.size();
  stats.nonzero_after = count_nonzero(s.best_);
  stats.preemptions_after = count_preemptions(s.best_);
  stats.faults_after = count_faults(s.best_);
  return {std::move(s.best_), stats};
}

}  // namespace gort::harness
