// The instrumentation seam: the one interface through which a harness
// steers the runtime, beyond the public API. The runtime never includes
// harness headers; the harness implements what is declared here.
#ifndef GORT_HOOKS_H
#define GORT_HOOKS_H

#include <cstdint>

namespace gort {

// A decision the runtime lets somebody else make. For every kind, option 0
// is what Go's runtime does by default, so a chooser that always answers 0
// reproduces Go's policy exactly and shrinking moves choices towards 0.
enum class Choice : uint8_t {
  // runqput of a G Go would put in runnext (new or readied Gs).
  // n = 2: 0 = runnext (Go), 1 = tail of the local run queue (what Go's
  // race-mode randomizeScheduler does half the time).
  kRunqPut,
  // Which runnable G an M runs next. n = number of candidate sources that
  // are non-empty, in Go's order of preference (the global queue first on
  // every 61st schedtick, then runnext, the local queue's head, the global
  // queue's head); 0 = Go's pick.
  kPickRunnable,
  // select's poll order, drawn as Go draws it (Fisher-Yates): placing the
  // i-th case with a channel asks n = i + 1 for its slot. Go randomises
  // this itself (cheaprand), so os builds draw from a seeded fastrand.
  kSelectOrder,
  // Which of the n timers due at the same moment fires next; 0 = the
  // earliest (when, then creation order).
  kTimerOrder,
};

inline const char* choice_name(Choice c) {
  switch (c) {
    case Choice::kRunqPut:
      return "runqput";
    case Choice::kPickRunnable:
      return "pick-runnable";
    case Choice::kSelectOrder:
      return "select-order";
    case Choice::kTimerOrder:
      return "timer-order";
  }
  return "?";
}

// Makes the runtime's decisions in sim mode. Called on the runtime's own
// thread, from inside the scheduler: it must not call back into the runtime.
class Chooser {
 public:
  virtual ~Chooser() = default;
  // Returns an option in [0, n); n >= 2 (single-option decisions are not asked).
  virtual uint32_t choose(Choice what, uint32_t n) = 0;
};

}  // namespace gort

#endif  // GORT_HOOKS_H
