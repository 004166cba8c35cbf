// The channel oracle: a sequential model of Go's channels that judges a
// run's event trace (gort/hooks.h) on its own, without the runtime's code:
// values are delivered once each and in order, close means what Go says,
// buffers hold at most their capacity, and whoever is left blocked at the
// end had no partner.
//
// How it reads the trace (the sim runtime's emission contract):
//   - kChanMake(obj = c, aux = capacity) comes before any other event on c;
//   - kChanSend / kChanRecv (aux = ok) come from the goroutine whose
//     operation it is, once the operation has completed: a goroutine that
//     parked emits it after it runs again; a select's chosen case emits
//     one too, then kSelect (aux = the case, -1 for default);
//   - a partner completing a parked operation (a send handing its value to
//     a parked receiver, a receive taking a parked sender's value, a close
//     waking every waiter) emits kGoReady(goid = partner, obj = parked G,
//     aux = the channel) for each G it wakes, then its own kChanSend / kChanRecv / kChanClose,
//     with no other goroutine's event of the same M (Event::m) in between;
//     conversely, a kGoReady followed by a channel event of the same
//     goroutine before any other goroutine's event on that M is such a wake
//     (true while channel operations are the only goroutines that ready
//     others: sleep's and after()'s timers ready from the scheduler, goid
//     0; sync primitives would need a look);
//   - kGoPark(goid = G) when G parks; kGoRun(goid = G) when it runs again;
//   - after each completed operation's kChanSend / kChanRecv (and a
//     select's kSelect), the same goroutine's API-boundary events say what
//     its caller got (kApiSend / kApiRecv, then kApiSelect), with nothing
//     of that goroutine's in between but the kFault of a panic injected
//     after the operation (whose caller then gets nothing); a try_send /
//     try_recv that found nothing to do has only its API event.
// A trace with API events is judged on what the program saw: each
// operation's value, ok and case are its caller's (and the runtime's own
// event must agree: api.mismatch). A trace without any (hand-built, or
// from a build without them) is judged on the runtime's events alone.
// Sends by the runtime itself (gort::after's timer sends) are not in the
// trace: a program judged by the oracle must not receive from after().
//
// Linearization. Each channel has its own order of operations: the order
// in which they took effect under its lock, which each channel event
// carries (Event::order) and which with several Ms differs from the
// trace's order; a trace without it (hand-built) is read in trace order.
// An operation that did not park takes effect at its own event. A parked one was completed inside its partner's
// operation: a woken goroutine's first event after kGoRun is that completion, and it takes effect at the partner's
// operation (the partner's first channel event after the kGoReady): just after it (the receiver a send handed its value
// to, a buffered sender whose value went into the slot a receive freed, a receiver woken by close) or, on an unbuffered
// channel, just before it (the sender whose value the receive took). A woken goroutine whose completion the trace never
// shows (the run ended first) still counts: its operation took effect, with a value the oracle does not know. So
// "after" below means after in this order, not in the trace (a parked sender's kChanSend may follow a close that came
// after its partner's receive, and that is fine).
//
// In that order each channel is a FIFO of values in flight. Rules (stable
// names):
//   chan.not-made              an operation on a channel no kChanMake made
//   chan.duplicate-make        two kChanMake for one channel id
//   chan.send-after-close      a send completed after the channel's close
//   chan.double-close          a second close completed
//   chan.over-capacity         a buffered channel holds more than its capacity after a send
//   chan.unbuffered-unpaired   an unbuffered send completed with no receive taking its value
//   chan.fifo                  a receive took a value while an earlier-sent one was in flight
//   chan.recv-never-sent       a receive of a value never sent on that channel
//   chan.recv-duplicate        a receive of a value every send of which was received already
//   chan.recv-before-send      a receive with no value in flight, on an open channel
//   chan.recv-ok-after-drain   ok = true from a closed, drained channel
//   chan.recv-not-ok-while-open  ok = false from an open channel
//   chan.recv-not-ok-undrained ok = false while values are still buffered
//   wake.mismatch              a woken goroutine completed something its waker could not have completed
//   select.bad-case            a select's case index below -1
//   select.default-after-park  a select that parked completed without a case
//   api.mismatch               what an operation or select handed its caller (value, ok, case,
//                              channel) differs from the runtime's event of it, or one of the
//                              two has no partner
// With an EndState (end_state.h):
//   chan.conservation          values sent - values received != values the runtime still buffers
//   chan.end-closed            the runtime's closed flag disagrees with the trace
//   blocked.recv-with-values   a receiver left blocked on a channel with values in flight
//   blocked.send-with-room     a sender left blocked on a buffered channel with room
//   blocked.on-closed          a goroutine left blocked on a closed channel
//   blocked.partners           a sender and a receiver (different goroutines) left blocked on
//                              one unbuffered channel
// Values are compared only when the events carry them (has_value: integral
// elements); without, the counts are still judged.
#ifndef GORT_HARNESS_CHECK_ORACLE_H
#define GORT_HARNESS_CHECK_ORACLE_H

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "check/end_state.h"
#include "gort/hooks.h"

namespace gort::harness {

// step: the index in the trace of the offending event (for the end-of-run
// rules: the event from which the blocked operation could have completed,
// or the trace's length for chan.conservation / chan.end-closed); rule:
// one of the names above; explanation: one line naming the goroutines,
// channels and values involved.
struct TraceViolation {
  size_t step = 0;
  std::string rule;
  std::string explanation;
};

// violations in order of step.
struct OracleVerdict {
  std::vector<TraceViolation> violations;
  bool ok() const { return violations.empty(); }
};

// Judges trace (every event of one run, from its start) and, when end is
// given, the state the run ended in.
OracleVerdict judge_trace(std::span<const Event> trace, const EndState& end = {});

// The incremental face of judge_trace: hear a run's events as they happen,
// judge when it is over (judging needs the whole trace: a parked
// operation's event comes after the events it took effect among).
//
// It keeps at most max_events events (set_limit): past them it drops what
// it hears and says so (truncated()), so that a run's memory stays bounded
// by its budget; a truncated trace is judged as far as it was kept, with
// no end state (the harness reports such a run as over its budget).
class ChannelOracle {
 public:
  void on_event(const Event& e) {
    if (trace_.size() < max_events_) [[likely]] {
      trace_.push_back(e);
    } else {
      truncated_ = true;
    }
  }
  // Forgets the trace, keeping its storage (for the next run).
  void clear() {
    trace_.clear();
    truncated_ = false;
  }
  // Events kept at most from the next one on (>= 1; default: no limit).
  void set_limit(size_t max_events) { max_events_ = max_events; }
  bool truncated() const { return truncated_; }
  size_t steps() const { return trace_.size(); }
  const std::vector<Event>& trace() const { return trace_; }
  // Judges the first `steps` events (steps <= this->steps()).
  OracleVerdict finish(size_t steps, const EndState& end = {}) const;
  OracleVerdict finish(const EndState& end = {}) const { return finish(trace_.size(), end); }

 private:
  std::vector<Event> trace_;
  size_t max_events_ = SIZE_MAX;
  bool truncated_ = false;  // an event was dropped since clear()
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_CHECK_ORACLE_H
