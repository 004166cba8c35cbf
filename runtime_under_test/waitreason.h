// Why a G is waiting: the text of "goroutine N [chan send]:" in a dump.
// The strings are Go's (runtime2.go waitReasonStrings).
#ifndef GORT_WAITREASON_H
#define GORT_WAITREASON_H

#include <cstdint>

namespace gort::rt {

enum class WaitReason : uint8_t {
  kZero,
  kChanReceiveNilChan,
  kChanSendNilChan,
  kSelectNoCases,
  kChanReceive,
  kChanSend,
  kSelect,
  kSleep,
  kSyncCondWait,
  kSemacquire,
  kSyncMutexLock,
  kSyncRWMutexRLock,
  kSyncRWMutexLock,
  kPreempted,
  kTest,  // runtime-internal tests park with this
};

inline const char* waitreason_string(WaitReason r) {
  switch (r) {
    // coverage-excluded-next: the wait reason of a G that is not waiting: never printed
    case WaitReason::kZero:
      return "";
    case WaitReason::kChanReceiveNilChan:
      return "chan receive (nil chan)";
    case WaitReason::kChanSendNilChan:
      return "chan send (nil chan)";
    case WaitReason::kSelectNoCases:
      return "select (no cases)";
    case WaitReason::kChanReceive:
      return "chan receive";
    case WaitReason::kChanSend:
      return "chan send";
    case WaitReason::kSelect:
      return "select";
    case WaitReason::kSleep:
      return "sleep";
    // coverage-excluded-begin: reasons of the sync package and of async preemption, which gort does not have; kTest:
    // unit tests only
    case WaitReason::kSyncCondWait:
      return "sync.Cond.Wait";
    case WaitReason::kSemacquire:
      return "semacquire";
    case WaitReason::kSyncMutexLock:
      return "sync.Mutex.Lock";
    case WaitReason::kSyncRWMutexRLock:
      return "sync.RWMutex.RLock";
    case WaitReason::kSyncRWMutexLock:
      return "sync.RWMutex.Lock";
    case WaitReason::kPreempted:
      return "preempted";
    case WaitReason::kTest:
      return "test park";
      // coverage-excluded-end
  }
  // coverage-excluded-next: not reached: the switch covers every reason
  return "?";
}

}  // namespace gort::rt

#endif  // GORT_WAITREASON_H
