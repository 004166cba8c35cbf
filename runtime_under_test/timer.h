// Timers (Go's time.go, much reduced): a per-P min-heap of (when, seq),
// run by the scheduler on g0 when due.
#ifndef GORT_TIMER_H
#define GORT_TIMER_H

#include <cstdint>
#include <vector>

namespace gort::rt {

struct P;
class Runtime;

// Invariant: heap_index >= 0 exactly while the timer is in its P's heap;
// f runs once, on g0, with no runtime lock held, at or after `when`.
struct Timer {
  int64_t when = 0;
  uint64_t seq = 0;  // insertion order: ties on `when` fire in it by default
  void (*f)(Runtime& rt, void* arg, int64_t now) = nullptr;
  void* arg = nullptr;
  int32_t heap_index = -1;
  bool owned_by_runtime = false;  // from the runtime's pool: recycled after it fires
};

// The timer heap of one P. Capacity grows with the number of pending timers.
struct TimerHeap {
  std::vector<Timer*> heap;
  bool empty() const { return heap.empty(); }
  int64_t next_when() const { return heap.front()->when; }
  void push(Timer* t);
  Timer* pop_min();
};

// Adds t to pp's heap.
void addtimer(Runtime& rt, P* pp, Timer* t);
// Runs every timer of pp that is due at now, the earliest first unless the
// chooser (sim) picks another order among those due. Returns how many ran.
int runtimers(Runtime& rt, P* pp, int64_t now);

// A timer from the runtime's pool, freed after it fires (or at run end).
Timer* new_runtime_timer(Runtime& rt);

}  // namespace gort::rt

#endif  // GORT_TIMER_H
