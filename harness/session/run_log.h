// What a run leaves behind when its process dies: a log in shared memory
// that a forked child writes as it runs (every decision, and the last
// trace entries) and the parent still reads after the child was killed by
// a signal or for taking too long. It is how a crashing run gets a replay
// file and a timeline although its process never returned an outcome.
//
// The log sees the run through RunLogTee, a strategy wrapped around the
// run's own one: the Recorder asks the tee exactly the questions it
// records, so the tee's decisions are the Recorder's decision list, and
// its step numbers (decisions and events, counted from 0) are the trace's.
#ifndef GORT_HARNESS_SESSION_RUN_LOG_H
#define GORT_HARNESS_SESSION_RUN_LOG_H

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "strategy/decision.h"
#include "strategy/strategy.h"
#include "strategy/trace.h"

namespace gort::harness {

static_assert(std::is_trivially_copyable_v<Decision>, "decisions are copied into shared memory");
static_assert(std::is_trivially_copyable_v<TraceEntry>, "trace entries are copied into shared memory");

// A MAP_SHARED anonymous mapping made before fork, so parent and child see
// the same pages. One writer (the child) at a time; the parent reads only
// after the child has ended, so plain stores suffice past the counters.
//
// Invariants: decisions_logged() <= decision_capacity (later decisions are
// counted in decisions_seen but not kept, and the log says it is
// truncated); fired faults likewise, up to kMaxFiredFaults; the ring holds the last min(entries_seen, ring_capacity)
// trace entries, the newest at (entries_seen - 1) % ring_capacity.
class RunLog {
 public:
  // Capacities are fixed for the mapping's life; pages are touched only
  // as entries arrive, so a large decision capacity costs address space.
  RunLog(size_t decision_capacity, size_t ring_capacity);
  ~RunLog();
  static constexpr size_t kMaxFiredFaults = 1024;
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;

  // Whether the mapping exists (mmap can fail; then nothing is logged).
  bool mapped() const { return header_ != nullptr; }
  // Starts a new run's log (call before forking the child that writes it).
  void reset();

  // Called by the child, in step order.
  void decision(uint64_t step, const Decision& d);
  void event(uint64_t step, const Event& e);

  // Read by the parent once the child is gone.
  std::vector<Decision> decisions() const;
  std::vector<TraceEntry> trace_tail() const;    // oldest first
  std::vector<FiredFault> faults_fired() const;  // the first kMaxFiredFaults
  bool truncated() const;

 private:
  struct Header {
    std::atomic<uint64_t> decisions_seen;
    std::atomic<uint64_t> entries_seen;
    std::atomic<uint64_t> faults_seen;
    FiredFault fired[kMaxFiredFaults];
  };
  void push_entry(const TraceEntry& entry);

  size_t decision_capacity_;
  size_t ring_capacity_;
  size_t bytes_ = 0;
  Header* header_ = nullptr;
  Decision* decisions_ = nullptr;
  TraceEntry* ring_ = nullptr;
};

// Forwards every question and event to the run's own strategy and logs
// what it answered. Its fault plan is the inner strategy's, so the
// Recorder forwards the same fault questions to it.
class RunLogTee final : public Strategy {
 public:
  RunLogTee(Strategy& inner, RunLog& log) : Strategy(inner.fault_plan(), 0), inner_(inner), log_(log) {}
  uint32_t choose(Choice what, uint32_t n) override;
  bool fire(FaultSite site) override;
  uint32_t armed_faults() const override { return inner_.armed_faults(); }
  bool listens() const override { return true; }  // the trace ring needs every event
  void event(const Event& e) override;

 private:
  Strategy& inner_;
  RunLog& log_;
  uint64_t step_ = 0;
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_SESSION_RUN_LOG_H
