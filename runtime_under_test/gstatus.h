// The G status machine (Go's runtime2.go _Gidle.._Gpreempted).
//
// Legal edges, and who takes them:
//   Gidle     -> Gdead       malg: a new G, published before it has work
//   Gdead     -> Grunnable   newproc: a dead G gets a function
//   Grunnable -> Grunning    execute
//   Grunning  -> Grunnable   gosched, preemption
//   Grunning  -> Gwaiting    gopark
//   Grunning  -> Gsyscall    entersyscall
//   Grunning  -> Gpreempted  async preemption's suspend
//   Grunning  -> Gdead       goexit
//   Gwaiting  -> Grunnable   goready
//   Gsyscall  -> Grunning    exitsyscall, fast path
//   Gsyscall  -> Grunnable   exitsyscall, no P
//   Gpreempted-> Gwaiting    suspendG claims a preempted G
//   Gpreempted-> Grunnable   resume of a preempted G
// Every transition goes through casgstatus, which rejects any other edge
// (and a G not in the state the caller believes) with a fatal error.
#ifndef GORT_GSTATUS_H
#define GORT_GSTATUS_H

#include <cstdint>

namespace gort::rt {

enum class Gstatus : uint8_t {
  kIdle,
  kRunnable,
  kRunning,
  kSyscall,
  kWaiting,
  kPreempted,
  kDead,
};
inline constexpr int kGstatusCount = 7;

// "Gidle", "Grunnable", ... as Go names them.
const char* gstatus_name(Gstatus s);

// True when from -> to is one of the edges above.
bool gstatus_edge_legal(Gstatus from, Gstatus to);

}  // namespace gort::rt

#endif  // GORT_GSTATUS_H
