// A sequential model of one Go channel with its wait queues: what the
// stateful Chan property checks gort's Chan<T> against.
//
// It follows chan.go's order of cases, not gort's code: a send hands its
// value to the first parked receiver, else buffers it, else parks; a
// receive takes a parked sender's value (unbuffered) or the buffer's head
// and refills the tail from the first parked sender (buffered), else the
// buffer's head, else (zero, false) once closed, else parks; close wakes
// every parked receiver with (zero, false) and makes every parked sender
// panic. The non-blocking forms (Go's select with a default) do the same
// or report "not ready" where the blocking form would park; a
// non-blocking send on a closed channel still panics, as in Go.
//
// Operations are issued by actors (numbered goroutines); an actor whose
// operation parked is blocked until another actor's operation completes it.
#ifndef GORT_PROPERTIES_CHAN_MODEL_H
#define GORT_PROPERTIES_CHAN_MODEL_H

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

namespace gort::properties {

enum class ChanOp : uint8_t { kSend, kRecv, kTrySend, kTryRecv, kClose, kLen, kCap };
const char* chan_op_name(ChanOp op);

// What an operation returned once it completed.
struct OpOutcome {
  bool ready = true;  // try_send/try_recv: whether it happened (else: not ready)
  int64_t value = 0;  // recv, try_recv: the value; len, cap: the number
  bool ok = false;    // recv, try_recv: Go's ok
  std::string panic;  // non-empty: it panicked with this value
  bool operator==(const OpOutcome&) const = default;
  std::string describe() const;
};

// An operation another actor's operation completed.
struct Woken {
  int actor;
  OpOutcome outcome;
};

// Invariants: buf_.size() <= cap_; at most one of sendq_ and recvq_ is
// non-empty; closed_ implies sendq_ empty; blocked_[a] iff a is in one of
// the queues (exactly once).
class ChanModel {
 public:
  ChanModel(int capacity, int actors);

  // Actor (not blocked) issues op; value is what a send sends. Returns
  // false if the operation parked; otherwise *own is its outcome. Every
  // parked operation it completed is appended to *woken, in wake order.
  bool apply(int actor, ChanOp op, int64_t value, OpOutcome* own, std::vector<Woken>* woken);

  // Whether op issued now by an actor would park.
  bool would_block(ChanOp op) const;
  bool blocked(int actor) const { return blocked_[static_cast<size_t>(actor)]; }
  int idle_actors() const;
  int actors() const { return static_cast<int>(blocked_.size()); }
  int capacity() const { return cap_; }
  // The value the next send sends: sends carry 1, 2, 3, ... in issue order.
  int64_t next_value() const { return next_value_; }

 private:
  int cap_;
  std::deque<int64_t> buf_;
  bool closed_ = false;
  std::deque<std::pair<int, int64_t>> sendq_;  // parked senders and their values
  std::deque<int> recvq_;                      // parked receivers
  std::vector<bool> blocked_;
  int64_t next_value_ = 1;
};

}  // namespace gort::properties

#endif  // GORT_PROPERTIES_CHAN_MODEL_H
