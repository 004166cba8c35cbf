// A decision: one answer the harness gave the runtime, in the order asked.
//
// A run's decision list is what makes it reproducible: replaying the list
// answers every question the same way. It holds the runtime's Choice
// questions and, for the fault sites the fault plan arms, every "does this
// fault fire now?" question (n = 2: 0 = no, 1 = fires), so replay
// reproduces faults and shrinking can switch them off. Option 0 is always
// Go's default (for faults: no fault), so shrinking moves entries to 0.
#ifndef GORT_HARNESS_STRATEGY_DECISION_H
#define GORT_HARNESS_STRATEGY_DECISION_H

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "gort/hooks.h"

namespace gort::harness {

// Decision kinds are part of the replay file format (version 1): the first
// five Choice kinds (kRunqPut .. kPreempt) are 0..4, the fault sites
// follow at 5 + FaultSite, and the Choice kinds added later (kRunM,
// kStealOrder, kAdvanceClock, ...) come after the fault sites, so that every number a
// file written before them holds keeps its meaning. Extend hooks.h's enums
// at their ends only.
inline constexpr int kFirstChoiceKinds = 5;
inline constexpr int kChoiceKinds = 8;
static_assert(static_cast<int>(Choice::kPreempt) == kFirstChoiceKinds - 1, "the first Choice kinds moved");
static_assert(static_cast<int>(Choice::kAdvanceClock) == kChoiceKinds - 1,
              "a Choice kind was added: update kChoiceKinds");
static_assert(static_cast<int>(FaultSite::kClockJump) == kFaultSites - 1, "FaultSite enum and kFaultSites disagree");
inline constexpr int kDecisionKinds = kChoiceKinds + kFaultSites;

enum class DecisionKind : uint8_t {};

inline constexpr DecisionKind decision_kind(Choice c) {
  const int v = static_cast<int>(c);
  return static_cast<DecisionKind>(v < kFirstChoiceKinds ? v : v + kFaultSites);
}
inline constexpr DecisionKind decision_kind(FaultSite s) {
  return static_cast<DecisionKind>(kFirstChoiceKinds + static_cast<int>(s));
}
inline constexpr bool is_valid(DecisionKind k) { return static_cast<int>(k) < kDecisionKinds; }
inline constexpr bool is_fault(DecisionKind k) {
  return static_cast<int>(k) >= kFirstChoiceKinds && static_cast<int>(k) < kFirstChoiceKinds + kFaultSites;
}
// Precondition: !is_fault(k) (resp. is_fault(k)).
inline constexpr Choice as_choice(DecisionKind k) {
  const int v = static_cast<int>(k);
  return static_cast<Choice>(v < kFirstChoiceKinds ? v : v - kFaultSites);
}
inline constexpr FaultSite as_fault_site(DecisionKind k) {
  return static_cast<FaultSite>(static_cast<int>(k) - kFirstChoiceKinds);
}
static_assert(as_choice(decision_kind(Choice::kRunM)) == Choice::kRunM, "decision kinds round-trip");
static_assert(!is_fault(decision_kind(Choice::kStealOrder)), "a new Choice kind is not a fault site");
static_assert(!is_fault(decision_kind(Choice::kAdvanceClock)), "a new Choice kind is not a fault site");
static_assert(static_cast<int>(decision_kind(Choice::kAdvanceClock)) == 14, "replay files name advance-clock 14");
static_assert(as_fault_site(decision_kind(FaultSite::kClockJump)) == FaultSite::kClockJump, "fault kinds round-trip");

// Answers of this kind other than 0 preempt: a goroutine (kPreempt, and
// kAdvanceClock, whose advance preempts the goroutine too) or the running
// M (kRunM, a switch to another M at a scheduling point). DFS's bound and
// the reports count all three; counting the advance keeps DFS bounded, as
// it is asked at every yield point while a timer is pending.
inline constexpr bool can_preempt(DecisionKind k) {
  return k == decision_kind(Choice::kPreempt) || k == decision_kind(Choice::kRunM) ||
         k == decision_kind(Choice::kAdvanceClock);
}

// How often the random strategies (random walk, PCT) let time pass at a
// yield point where they are asked (Choice::kAdvanceClock): one in
// kAdvanceClockOneIn. Uniform (one in two) would move the clock at most
// yield points of a timer program, so its timeouts would nearly always win
// and a run would rarely see a reply that beats its timeout; rare enough
// that most runs keep Go's timing, often enough that a race needing one
// advance is found within a few hundred runs.
inline constexpr uint32_t kAdvanceClockOneIn = 16;

// "preempt", "pick-runnable", ..., or "fault:clock-jump"; "?" when invalid.
std::string decision_kind_name(DecisionKind k);

// Invariants: is_valid(kind); n >= 2; chosen < n; a fault decision has n == 2.
struct Decision {
  DecisionKind kind{};
  uint32_t n = 2;
  uint32_t chosen = 0;

  static Decision choice(Choice c, uint32_t n, uint32_t chosen) { return {decision_kind(c), n, chosen}; }
  static Decision fault(FaultSite s, bool fired) { return {decision_kind(s), 2, fired ? 1u : 0u}; }
  bool operator==(const Decision&) const = default;
};

// A fault that fired: where, and at which step of the run.
struct FiredFault {
  FaultSite site{};
  uint64_t step = 0;
  bool operator==(const FiredFault&) const = default;
};

// How far a list is from Go's default schedule.
size_t count_nonzero(std::span<const Decision> d);
size_t count_preemptions(std::span<const Decision> d);  // can_preempt kinds answered other than 0
size_t count_faults(std::span<const Decision> d);       // fault decisions that fired

}  // namespace gort::harness

#endif  // GORT_HARNESS_STRATEGY_DECISION_H
