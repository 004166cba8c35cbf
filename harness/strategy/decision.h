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

// Decision kinds are part of the replay file format (version 1): each
// Choice kind and fault site keeps the number it got when it was added, so
// that every number a file written before a new kind holds keeps its
// meaning. The first five Choice kinds (kRunqPut .. kPreempt) are 0..4,
// the first seven fault sites 5..11, then in order of addition kRunM 12,
// kStealOrder 13, kAdvanceClock 14, the fault site kAsyncPreempt 15 and
// kAsyncPreemptAt 16. Extend hooks.h's enums at their ends only, and the
// tables below with them.
inline constexpr int kChoiceKinds = 9;
inline constexpr int kDecisionKinds = kChoiceKinds + kFaultSites;
inline constexpr uint8_t kChoiceKindNumber[kChoiceKinds] = {0, 1, 2, 3, 4, 12, 13, 14, 16};
inline constexpr uint8_t kFaultKindNumber[kFaultSites] = {5, 6, 7, 8, 9, 10, 11, 15};
static_assert(static_cast<int>(Choice::kAsyncPreemptAt) == kChoiceKinds - 1,
              "a Choice kind was added: update kChoiceKinds and kChoiceKindNumber");
static_assert(static_cast<int>(FaultSite::kAsyncPreempt) == kFaultSites - 1,
              "a fault site was added: update kFaultKindNumber");

enum class DecisionKind : uint8_t {};

inline constexpr DecisionKind decision_kind(Choice c) {
  return static_cast<DecisionKind>(kChoiceKindNumber[static_cast<int>(c)]);
}
inline constexpr DecisionKind decision_kind(FaultSite s) {
  return static_cast<DecisionKind>(kFaultKindNumber[static_cast<int>(s)]);
}
inline constexpr bool is_valid(DecisionKind k) { return static_cast<int>(k) < kDecisionKinds; }
inline constexpr bool is_fault(DecisionKind k) {
  for (uint8_t f : kFaultKindNumber) {
    if (static_cast<uint8_t>(k) == f) return true;
  }
  return false;
}
// Precondition: is_valid(k) and !is_fault(k) (resp. is_fault(k)).
inline constexpr Choice as_choice(DecisionKind k) {
  int c = 0;
  while (c + 1 < kChoiceKinds && kChoiceKindNumber[c] != static_cast<uint8_t>(k)) c++;
  return static_cast<Choice>(c);
}
inline constexpr FaultSite as_fault_site(DecisionKind k) {
  int s = 0;
  while (s + 1 < kFaultSites && kFaultKindNumber[s] != static_cast<uint8_t>(k)) s++;
  return static_cast<FaultSite>(s);
}

// The tables number every kind once, and round-trip.
constexpr bool decision_kinds_round_trip() {
  bool seen[kDecisionKinds] = {};
  for (int c = 0; c < kChoiceKinds; c++) {
    const DecisionKind k = decision_kind(static_cast<Choice>(c));
    if (!is_valid(k) || is_fault(k) || seen[static_cast<int>(k)] || as_choice(k) != static_cast<Choice>(c))
      return false;
    seen[static_cast<int>(k)] = true;
  }
  for (int s = 0; s < kFaultSites; s++) {
    const DecisionKind k = decision_kind(static_cast<FaultSite>(s));
    if (!is_valid(k) || !is_fault(k) || seen[static_cast<int>(k)] || as_fault_site(k) != static_cast<FaultSite>(s))
      return false;
    seen[static_cast<int>(k)] = true;
  }
  return true;
}
static_assert(decision_kinds_round_trip(), "decision kind tables: a number twice or out of range");
static_assert(static_cast<int>(decision_kind(Choice::kPreempt)) == 4, "replay files name preempt 4");
static_assert(static_cast<int>(decision_kind(FaultSite::kClockJump)) == 11, "replay files name clock-jump 11");
static_assert(static_cast<int>(decision_kind(Choice::kAdvanceClock)) == 14, "replay files name advance-clock 14");

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
