// Replay files: a failing run, written down so that `gort replay FILE`
// can run it again. JSON, versioned:
//
//   {"format": "gort-replay", "version": 1,
//    "scenario": "chan-ping-pong", "scenario_fingerprint": "...",
//    "seed": 7, "strategy": "pct", "depth": 3,
//    "config": {"stack_size": 65536, "procs": 2},
//    "fault_plan": "panic-at-yield:p=0.05",
//    "decisions": [[kind, n, chosen], ...],
//    "faults_fired": [{"site": "panic-at-yield", "step": 120}, ...],
//    "failure": "panic: send on closed channel"}
//
// config.procs (GOMAXPROCS) may be missing: files written before several
// Ms existed ran one P, and read as 1.
// kind is a DecisionKind number (decision.h: the Choice kinds, then the
// fault sites). scenario_fingerprint is whatever the caller uses to notice
// that the scenario changed since the recording (Replay copes either way).
// Reading never crashes and never throws: bad input gives one line naming
// the file and the problem, e.g.
//   replay file x.json: "decisions"[12]: chosen 3 is not below n 2
#ifndef GORT_HARNESS_STRATEGY_REPLAY_FILE_H
#define GORT_HARNESS_STRATEGY_REPLAY_FILE_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strategy/decision.h"
#include "strategy/fault_plan.h"

namespace gort::harness {

inline constexpr const char* kReplayFormat = "gort-replay";
inline constexpr int kReplayVersion = 1;
inline constexpr size_t kMaxReplayFileBytes = size_t{256} << 20;
inline constexpr size_t kMaxReplayDecisions = size_t{1} << 24;
inline constexpr uint32_t kMaxDecisionOptions = 1u << 20;

// Invariants (what read_replay guarantees, and write_replay asserts):
// every decision valid (decision.h); faults_fired no longer than decisions.
struct ReplayFile {
  std::string scenario;
  std::string scenario_fingerprint;
  uint64_t seed = 0;
  std::string strategy;  // "random", "pct", "dfs", "fuzz", "replay"
  uint32_t depth = 0;    // PCT's depth; DFS's preemption bound; else 0
  uint64_t stack_size = 0;
  uint32_t procs = 1;  // GOMAXPROCS of the run (Config::procs)
  // The leak oracle's policy (gort/scenario.h leak_policy_name): whether
  // the run drained after main returned, which its decisions depend on.
  // Files without it were written before the oracle: "off".
  std::string leaks = "off";
  FaultPlan fault_plan;
  std::vector<Decision> decisions;
  std::vector<FiredFault> faults_fired;
  std::string failure;  // what the run did wrong, one line or more
  bool operator==(const ReplayFile&) const = default;
};

// error is empty on success, else one line.
struct ReplayRead {
  ReplayFile file;
  std::string error;
  bool ok() const { return error.empty(); }
};

// The file's text (one decision per line).
std::string replay_json(const ReplayFile& file);
// Returns "" on success, else one line naming the path and what failed.
std::string write_replay(const std::string& path, const ReplayFile& file);

ReplayRead read_replay(const std::string& path);
// As read_replay, from text; source names the file in error messages.
ReplayRead parse_replay(std::string_view text, std::string_view source);

}  // namespace gort::harness

#endif  // GORT_HARNESS_STRATEGY_REPLAY_FILE_H
