// Timers (Go's runtime/time.go, much reduced): a per-P min-heap of
// (when, seq), run by the scheduler on g0 when due. gort::sleep and
// gort::after add one-shot timers; the public Timer and Ticker
// (gort/time.h) also stop, reset and repeat theirs (Go's deltimer,
// modtimer and a timer's period).
#ifndef GORT_TIMER_H
#define GORT_TIMER_H

#include <cstdint>
#include <functional>
#include <vector>

namespace gort::rt {

struct P;
class Runtime;
struct hchan;

// Invariant: heap_index >= 0 exactly while the timer is in its P's heap;
// f runs on g0, with no runtime lock held, at or after `when`: once per
// addtimer or modtimer, and for a periodic timer (period > 0) again every
// period until deltimer (Go's runtimer re-adds it before f runs).
// when, period and heap_index are protected by the timers_lock of the P
// whose heap holds the timer (for a timer of gort/time.h: of its home P,
// which never changes, so Stop and Reset know which lock to take).
struct Timer {
  int64_t when = 0;
  int64_t period = 0;  // > 0: a ticker's period (Go's t.period)
  uint64_t seq = 0;    // insertion order: ties on `when` fire in it by default
  void (*f)(Runtime& rt, void* arg, int64_t now) = nullptr;
  void* arg = nullptr;
  P* home = nullptr;  // the P whose heap it joins (modtimer/deltimer); null: any
  int32_t heap_index = -1;
  bool owned_by_runtime = false;  // from the runtime's pool: recycled after it fires
};

// A timer of gort/time.h (Timer, Ticker, after_func, tick): its runtime
// timer (t.home is the P that made it), the channel it sends the time on
// (null for after_func, which holds one reference to it) and after_func's
// function, started on a goroutine of its own at each firing. It lives
// until the run ends, as Go's garbage collector keeps a timer the runtime
// still refers to; handles are plain pointers to it.
struct ApiTimer {
  Timer t;
  hchan* c = nullptr;
  std::function<void()> func;
};

// The timer heap of one P. Capacity grows with the number of pending timers.
struct TimerHeap {
  std::vector<Timer*> heap;
  bool empty() const { return heap.empty(); }
  int64_t next_when() const { return heap.front()->when; }
  void push(Timer* t);
  Timer* pop_min();
  void remove(Timer* t);  // t is in this heap (heap_index >= 0)
};

// Adds t to pp's heap.
void addtimer(Runtime& rt, P* pp, Timer* t);
// Go's deltimer: removes t (t->home set) from its heap if it is there.
// Returns whether it was (false: it already ran, or was never added or
// was already stopped).
bool deltimer(Runtime& rt, Timer* t);
// Go's modtimer: t (t->home set) fires at when (then every period, if
// period > 0) whether or not it was pending. Returns whether it was
// pending (Go's return value: Reset's "the timer had been active").
bool modtimer(Runtime& rt, Timer* t, int64_t when, int64_t period);

// Runs every timer of pp that is due at now, the earliest first unless the
// chooser (sim) picks another order among those due. Returns how many ran.
int runtimers(Runtime& rt, P* pp, int64_t now);

// A timer from the runtime's pool, freed after it fires (or at run end).
Timer* new_runtime_timer(Runtime& rt);

#if defined(GORT_PLATFORM_SIM)
// Choice::kAdvanceClock (sim): the earliest when among every P's pending
// timers (INT64_MAX: none), and the advance itself: virtual time moves to
// when, and the M sleeping for a timer (if any) is woken once its wait is
// over, so that a timer due on an idle P runs soon rather than when every
// M has blocked.
int64_t earliest_pending_timer(Runtime& rt);
void advance_clock_to(Runtime& rt, int64_t when);
#endif

}  // namespace gort::rt

#endif  // GORT_TIMER_H
