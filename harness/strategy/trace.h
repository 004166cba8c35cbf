// The trace of a run: every event and decision with its step number.
//
// TraceRecorder keeps the last ring_capacity entries (the end of a failing
// run is what a report shows) and a running 64-bit hash (FNV-1a style, a
// word at a time) over every
// entry since clear(), so two runs can be compared in constant memory
// (`--verify-determinism`: run twice, compare hashes). With keep_all (a
// debug option) it keeps every entry, up to keep_all_limit, so that
// first_difference can name where two runs part.
#ifndef GORT_HARNESS_STRATEGY_TRACE_H
#define GORT_HARNESS_STRATEGY_TRACE_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gort/hooks.h"
#include "strategy/decision.h"

namespace gort::harness {

inline constexpr int kEventKinds = 33;
static_assert(static_cast<int>(EventKind::kDrainEnd) == kEventKinds - 1, "an EventKind was added: update kEventKinds");

// Invariant: exactly one of event / decision is meaningful (is_decision says which).
struct TraceEntry {
  uint64_t step = 0;
  bool is_decision = false;
  Event event{};
  Decision decision{};
};

struct TraceOptions {
  size_t ring_capacity = 10000;             // entries kept in ring mode, >= 1
  bool keep_all = false;                    // keep every entry instead (debug)
  size_t keep_all_limit = size_t{1} << 24;  // entries kept at most with keep_all
};

// Invariants: hash_ covers every entry recorded since clear(), in
// order; recorded_ counts them; ring mode: buf_ grows to ring_capacity
// slots and the kept entries are the last min(recorded_, capacity), oldest
// at next_ once the ring has wrapped; keep_all: buf_ holds the first
// min(recorded_, keep_all_limit) entries in order.
class TraceRecorder {
 public:
  explicit TraceRecorder(TraceOptions options = {});

  void clear();
  void record(uint64_t step, const Event& e);
  void record(uint64_t step, const Decision& d);

  uint64_t hash() const { return hash_; }
  uint64_t recorded() const { return recorded_; }
  // The kept entries, oldest first (allocates: for reports, not hot paths).
  std::vector<TraceEntry> entries() const;
  // Whether entries() holds every entry since clear().
  bool complete() const;

 private:
  void push(const TraceEntry& entry);

  TraceOptions options_;
  std::vector<TraceEntry> buf_;
  size_t next_ = 0;
  uint64_t recorded_ = 0;
  uint64_t hash_ = 0;
};

const char* event_kind_name(EventKind k);

// One line: "step 12  g3  chan send c2 value=5", "step 7  decide preempt 1 of 2".
std::string render(const TraceEntry& entry);

struct TraceDifference {
  size_t index = 0;  // position in both traces of the first entry that differs
  std::string what;  // one line naming both sides
};

// The first entry where two complete traces differ (nullopt: identical).
std::optional<TraceDifference> first_difference(std::span<const TraceEntry> a, std::span<const TraceEntry> b);

}  // namespace gort::harness

#endif  // GORT_HARNESS_STRATEGY_TRACE_H
