// The example programs (examples.h).
#include "program/examples.h"

#include <cassert>

namespace gort::harness {

Op send_op(int chan) { return Op{OpKind::kSend, chan, {}, false, {}}; }
Op recv_op(int chan) { return Op{OpKind::kRecv, chan, {}, false, {}}; }
Op try_send_op(int chan) { return Op{OpKind::kTrySend, chan, {}, false, {}}; }
Op try_recv_op(int chan) { return Op{OpKind::kTryRecv, chan, {}, false, {}}; }
Op close_op(int chan) { return Op{OpKind::kClose, chan, {}, false, {}}; }
Op yield_op() { return Op{OpKind::kYield, 0, {}, false, {}}; }
Op select_op(std::vector<Case> cases, bool has_default) {
  return Op{OpKind::kSelect, 0, std::move(cases), has_default, {}};
}
Op recover_op(std::vector<Op> body) { return Op{OpKind::kRecover, 0, {}, false, std::move(body)}; }

namespace {

std::vector<Example> make_examples() {
  constexpr Case kSend0{true, 0}, kRecv0{false, 0}, kSend1{true, 1}, kRecv1{false, 1};
  std::vector<Example> e;
  // Unbuffered hand-off both ways.
  e.push_back({"ping-pong",
               {{0, 0}, {{send_op(0), recv_op(1)}, {recv_op(0), yield_op(), send_op(1)}}, Ending::kJoin},
               Outcome::kExit,
               "",
               0});
  // A buffered channel filled past its capacity: FIFO through a parked sender.
  e.push_back({"buffered-fifo",
               {{2},
                {{send_op(0), send_op(0), send_op(0), send_op(0)}, {recv_op(0), recv_op(0), recv_op(0), recv_op(0)}},
                Ending::kJoin},
               Outcome::kExit,
               "",
               0});
  // close wakes every parked receiver.
  e.push_back(
      {"close-wakes-receivers",
       {{0}, {{yield_op(), close_op(0)}, {recv_op(0)}, {recv_op(0)}, {try_recv_op(0), recv_op(0)}}, Ending::kJoin},
       Outcome::kExit,
       "",
       0});
  // A select on both sides of one channel, and one across two channels.
  e.push_back({"select-both-sides",
               {{0, 1},
                {{recv_op(0), select_op({kSend1, kRecv1}, false)},
                 {select_op({kSend0, kRecv0}, false), select_op({kRecv1, kSend1}, false)}},
                Ending::kJoin},
               Outcome::kExit,
               "",
               0});
  // Sends racing a close, each inside a recover block: "send on closed
  // channel" is stopped whenever the close wins.
  e.push_back({"send-on-closed-recovered",
               {{1},
                {{recover_op({close_op(0)}), recv_op(0)},
                 {recover_op({send_op(0), send_op(0)})},
                 {recover_op({try_send_op(0), yield_op()})}},
                Ending::kJoin},
               Outcome::kExit,
               "",
               0});
  // A receiver nobody sends to, joined: Go's deadlock.
  e.push_back({"deadlock-join", {{0}, {{yield_op()}, {recv_op(0)}}, Ending::kJoin}, Outcome::kDeadlock, "", 1});
  // The same receiver, abandoned: main returns.
  e.push_back({"parked-at-return", {{0}, {{yield_op()}, {recv_op(0)}}, Ending::kReturn}, Outcome::kExit, "", 1});
  // The nil channel: never ready in a select, skipped by try ops.
  e.push_back({"nil-channel",
               {{1},
                {{try_send_op(kNilChan), try_recv_op(kNilChan), select_op({{true, kNilChan}, kSend0}, false),
                  select_op({{false, kNilChan}}, true)},
                 {send_op(kNilChan)}},
                Ending::kReturn},
               Outcome::kExit,
               "",
               1});
  // Closing a closed channel panics.
  e.push_back({"close-of-closed",
               {{3}, {{send_op(0), close_op(0), close_op(0)}}, Ending::kReturn},
               Outcome::kPanic,
               "close of closed channel",
               0});
  for ([[maybe_unused]] const Example& x : e) assert(valid(x.program));
  return e;
}

}  // namespace

const std::vector<Example>& examples() {
  static const std::vector<Example> all = make_examples();
  return all;
}

}  // namespace gort::harness
