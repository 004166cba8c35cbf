// What a run's channels look like when the trace ends, for the oracle's
// end-of-run checks: who is still blocked on which channel, and what each
// channel still holds. Built from an introspect snapshot taken at the end
// (the last thing main does), or by hand in tests.
#ifndef GORT_HARNESS_CHECK_END_STATE_H
#define GORT_HARNESS_CHECK_END_STATE_H

#include <cstdint>
#include <vector>

#include "gort/introspect.h"

namespace gort::harness {

enum class Direction : uint8_t { kSend, kRecv };

// goid is parked in a send or receive on chan (one entry per case for a
// select: in_select). Invariant: goid != 0, chan != 0.
struct BlockedAtEnd {
  uint64_t goid = 0;
  uint64_t chan = 0;
  Direction dir = Direction::kRecv;
  bool in_select = false;
};

// A live channel: how many values its buffer holds, whether it is closed.
struct ChannelAtEnd {
  uint64_t chan = 0;
  uint32_t qcount = 0;
  bool closed = false;
};

// Empty vectors mean "not known": the oracle then skips the checks that
// need them. channels need not list every channel (freed ones are gone).
struct EndState {
  std::vector<BlockedAtEnd> blocked;
  std::vector<ChannelAtEnd> channels;
};

// Blocked: every live waiter (not a done select's stale sudog) whose G is
// waiting, with the direction of the queue it is in; channels: all of snap's.
// Nothing (not known) unless snap is quiescent: with another M inside an
// operation, a channel may hold what the trace does not show yet.
EndState end_state_from_snapshot(const introspect::Snapshot& snap);

}  // namespace gort::harness

#endif  // GORT_HARNESS_CHECK_END_STATE_H
