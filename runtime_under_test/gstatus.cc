#include "gstatus.h"

namespace gort::rt {

// coverage-excluded-begin: only casgstatus's fatal error for an illegal status edge (a broken runtime) names statuses
const char* gstatus_name(Gstatus s) {
  switch (s) {
    case Gstatus::kIdle:
      return "Gidle";
    case Gstatus::kRunnable:
      return "Grunnable";
    case Gstatus::kRunning:
      return "Grunning";
    case Gstatus::kSyscall:
      return "Gsyscall";
    case Gstatus::kWaiting:
      return "Gwaiting";
    case Gstatus::kPreempted:
      return "Gpreempted";
    case Gstatus::kDead:
      return "Gdead";
  }
  return "G?";
  // coverage-excluded-end
}

bool gstatus_edge_legal(Gstatus from, Gstatus to) {
  // Only the edges some code of this runtime takes: a status with no code
  // entering or leaving it (Gsyscall: no system calls) has no legal edge
  // at all.
  using S = Gstatus;
  switch (from) {
    case S::kIdle:
      return to == S::kDead;  // malg
    case S::kDead:
      return to == S::kRunnable;  // newproc1
    case S::kRunnable:
      return to == S::kRunning;  // execute
    case S::kRunning:
      // gosched/preemption, park_m, goexit0, async preemption
      return to == S::kRunnable || to == S::kWaiting || to == S::kDead || to == S::kPreempted;
    case S::kWaiting:
      return to == S::kRunnable;  // goready
    case S::kPreempted:
      return to == S::kRunnable;  // async preemption requeues it at once
    // coverage-excluded-begin: a status no code of this runtime enters (no system calls)
    case S::kSyscall:
      return false;
  }
  return false;
  // coverage-excluded-end
}

}  // namespace gort::rt
