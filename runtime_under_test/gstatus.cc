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
  using S = Gstatus;
  switch (from) {
    case S::kIdle:
      return to == S::kDead;
    case S::kDead:
      return to == S::kRunnable;
    case S::kRunnable:
      return to == S::kRunning;
    case S::kRunning:
      return to == S::kRunnable || to == S::kWaiting || to == S::kSyscall || to == S::kPreempted || to == S::kDead;
    case S::kWaiting:
      return to == S::kRunnable;
    // coverage-excluded-begin: edges out of statuses the sim never enters (no syscalls, no async preemption)
    case S::kSyscall:
      return to == S::kRunning || to == S::kRunnable;
    case S::kPreempted:
      return to == S::kWaiting || to == S::kRunnable;
  }
  return false;
  // coverage-excluded-end
}

}  // namespace gort::rt
