// A random goroutine program, as data: what the property tests generate,
// the fuzz target decodes from bytes, shrinkers cut down, and run_program
// executes on the sim runtime.
//
//   channels c0..c{M-1} with capacities 0..3 (Go: make(chan int, cap))
//   goroutine 0 is main; it starts goroutines 1..K-1 first (go g1(); ...),
//   then runs its own ops; each goroutine runs its ops once, in order.
//
// Ops: send, recv, try_send, try_recv (select with a default), close,
// select over 1-3 cases with or without default, yield_point, and a
// recover block (Go's `func() { defer func() { recover() }(); OPS }()`),
// whose body holds no recover block of its own. A channel operand may be
// the nil channel (kNilChan). There are no loops, so every op runs at most
// once and every run ends: normally, in Go's deadlock fatal error, or in a
// panic the program provoked (send on closed channel, close of a closed or
// nil channel) or the harness injected.
//
// Values: every send site sends its own integer (send_value), so the
// channel oracle can tell every value apart.
#ifndef GORT_HARNESS_PROGRAM_PROGRAM_H
#define GORT_HARNESS_PROGRAM_PROGRAM_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gort::harness {

inline constexpr size_t kMaxGoroutines = 6;  // main included
inline constexpr size_t kMaxChannels = 4;
inline constexpr int kMaxCapacity = 3;
inline constexpr size_t kMaxOps = 12;         // per goroutine, top level
inline constexpr size_t kMaxRecoverBody = 4;  // ops inside one recover block
inline constexpr size_t kMaxSelectCases = 3;
inline constexpr int kNilChan = -1;  // a channel operand naming the nil channel

enum class OpKind : uint8_t { kSend, kRecv, kTrySend, kTryRecv, kClose, kSelect, kYield, kRecover };
inline constexpr int kOpKinds = 8;

struct Case {
  bool is_send = false;
  int chan = 0;  // index into Program::capacities, or kNilChan
  bool operator==(const Case&) const = default;
};

struct Op {
  OpKind kind = OpKind::kYield;
  int chan = 0;              // kSend..kClose: index or kNilChan
  std::vector<Case> cases;   // kSelect: 1..kMaxSelectCases
  bool has_default = false;  // kSelect
  std::vector<Op> body;      // kRecover: the protected ops
  bool operator==(const Op&) const = default;
};

// How main ends once its own ops are done. Either way it first waits until
// every other goroutine has finished or is parked for good (quiescence), and
// the harness captures the end state there.
enum class Ending : uint8_t {
  kReturn,  // then main returns: goroutines still parked are abandoned (exit 0)
  kJoin,    // then main waits for every goroutine (Go's WaitGroup.Wait): any still
            // parked make it Go's "all goroutines are asleep - deadlock!"
};

// Invariants (valid()): 1..kMaxChannels capacities in [0, kMaxCapacity];
// 1..kMaxGoroutines goroutines of at most kMaxOps ops; channel operands
// in range or kNilChan; selects with 1..kMaxSelectCases cases; recover
// bodies of at most kMaxRecoverBody ops and no recover block inside.
struct Program {
  std::vector<int> capacities{0};
  std::vector<std::vector<Op>> goroutines{{}};  // [0] is main
  Ending ending = Ending::kReturn;
  bool operator==(const Program&) const = default;
};

bool valid(const Program& p);

// Brings any Program within the limits (drops what is past them, maps
// channel operands into range): what generators and decoders end with.
void normalize(Program& p);

// The value the send at a send site sends: goroutine g's n-th send site
// (n counts from 1 in program order: ops in order, a select's cases in
// order, a recover block's body in place) sends g * 1000 + n. Positive and
// unique in a program; the harness' own values (done tokens) are negative.
inline int64_t send_value(size_t goroutine, int site) { return static_cast<int64_t>(goroutine) * 1000 + site; }

// Counts one goroutine's send sites in program order (see send_value).
class SendSites {
 public:
  explicit SendSites(size_t goroutine) : goroutine_(goroutine) {}
  int64_t next() { return send_value(goroutine_, ++sites_); }

 private:
  size_t goroutine_;
  int sites_ = 0;
};

// What a program may provoke, for judging an outcome.
struct ProgramTraits {
  bool sends = false;         // a send, try_send or select send case on a real channel
  bool closes = false;        // a close of a real channel
  bool double_close = false;  // two close ops name the same real channel
  bool nil_close = false;     // a close of the nil channel
  bool yields = false;        // a yield_point (where panic-at-yield fires)
  bool recovers = false;      // a recover block
};
ProgramTraits traits(const Program& p);

}  // namespace gort::harness

#endif  // GORT_HARNESS_PROGRAM_PROGRAM_H
