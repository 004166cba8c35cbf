// end_state_from_snapshot (end_state.h).
#include "check/end_state.h"

#include <unordered_map>

namespace gort::harness {

EndState end_state_from_snapshot(const introspect::Snapshot& snap) {
  // Another M is inside an operation (its effect may be in the channel but
  // not yet in the trace): the end is not known.
  if (!snap.quiescent) return {};
  std::unordered_map<uint64_t, introspect::GStatus> status;
  for (const introspect::Goroutine& g : snap.goroutines) status[g.goid] = g.status;
  auto waiting = [&](uint64_t goid) {
    auto it = status.find(goid);
    return it != status.end() && it->second == introspect::GStatus::kWaiting;
  };
  EndState end;
  for (const introspect::Channel& c : snap.channels) {
    end.channels.push_back({c.id, c.qcount, c.closed});
    for (Direction dir : {Direction::kSend, Direction::kRecv}) {
      for (const introspect::Waiter& w : dir == Direction::kSend ? c.sendq : c.recvq) {
        if (w.is_select && w.select_done) continue;
        if (!waiting(w.goid)) continue;
        end.blocked.push_back({w.goid, c.id, dir, w.is_select});
      }
    }
  }
  return end;
}

}  // namespace gort::harness
