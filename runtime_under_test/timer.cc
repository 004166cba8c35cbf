// Timers: a min-heap per P ordered by (when, seq), fired by the scheduler.
#include "timer.h"

#include <cassert>
#include <cstdint>
#include <memory>

#include "mutant.h"
#include "proc.h"

namespace gort::rt {
namespace {

bool before(const Timer* a, const Timer* b) { return a->when < b->when || (a->when == b->when && a->seq < b->seq); }

void place(std::vector<Timer*>& h, size_t i, Timer* t) {
  h[i] = t;
  t->heap_index = static_cast<int32_t>(i);
}

// Moves the hole at i down to where t belongs (children earlier than t
// move up into it) and puts t there.
void sift_down(std::vector<Timer*>& h, size_t i, Timer* t) {
  assert(i < h.size());
  const size_t n = h.size();
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && before(h[child + 1], h[child])) child++;
    if (!before(h[child], t)) break;
    place(h, i, h[child]);
    i = child;
  }
  place(h, i, t);
}

}  // namespace

void TimerHeap::push(Timer* t) {
  assert(t->heap_index < 0 && "addtimer: timer already in a heap");
  heap.push_back(t);
  size_t i = heap.size() - 1;
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!before(t, heap[parent])) break;
    place(heap, i, heap[parent]);
    i = parent;
  }
  place(heap, i, t);
}

Timer* TimerHeap::pop_min() {
  assert(!heap.empty());
  Timer* top = heap.front();
  Timer* last = heap.back();
  heap.pop_back();
  top->heap_index = -1;
  if (heap.empty()) return top;
  sift_down(heap, 0, last);
  return top;
}

void TimerHeap::remove(Timer* t) {
  assert(t->heap_index >= 0 && static_cast<size_t>(t->heap_index) < heap.size() && heap[t->heap_index] == t);
  size_t i = static_cast<size_t>(t->heap_index);
  Timer* last = heap.back();
  heap.pop_back();
  t->heap_index = -1;
  if (last == t) return;
  // last takes t's place, then moves up or down to where it belongs.
  while (i > 0 && before(last, heap[(i - 1) / 2])) {
    place(heap, i, heap[(i - 1) / 2]);
    i = (i - 1) / 2;
  }
  sift_down(heap, i, last);
}

namespace {

// Go's wakeNetPoller, for a timer just added to fire at when.
void wake_for_timer(Runtime& rt, int64_t when) {
  // Go's wakeNetPoller: an M sleeping until a later timer must wake to
  // wait for this one; with no sleeper, an idle P may need an M.
  // The wake-up is under sched.lock: once the sleeper leaves its seat
  // (under the lock) no late wake-up reaches its Note, which it sleeps on
  // next as an idle M.
  rt.sched.lock.lock();
  M* sleeper = rt.sched.timer_sleeper;
  if (sleeper != nullptr && when < rt.sched.sleep_until) {
    rt.sched.sleep_until = when;
    sleeper->park.wakeup();
  }
  rt.sched.lock.unlock();
  if (sleeper == nullptr) wakep(rt);
}

}  // namespace

void addtimer(Runtime& rt, P* pp, Timer* t) {
  assert(pp != nullptr && t->f != nullptr);
  pp->timers_lock.lock();
  t->seq = rt.next_timer_seq.fetch_add(1, std::memory_order_relaxed);
  pp->timers.push(t);
  // Read before the unlock: from then on another M may fire t, and a
  // sleeper it readies may reuse its own timer for its next sleep.
  const int64_t when = t->when;
  pp->timers_lock.unlock();
  wake_for_timer(rt, when);
}

bool deltimer(Runtime& rt, Timer* t) {
  (void)rt;
  assert(t->home != nullptr && "deltimer: a timer without a home P");
  P* pp = t->home;
  pp->timers_lock.lock();
  const bool pending = t->heap_index >= 0;
  if (pending) pp->timers.remove(t);
  pp->timers_lock.unlock();
  return pending;
}

bool modtimer(Runtime& rt, Timer* t, int64_t when, int64_t period) {
  assert(t->home != nullptr && t->f != nullptr && period >= 0);
  P* pp = t->home;
  // Removal and re-insertion under one hold of the lock: a concurrent
  // Stop or Reset sees the timer either before or after, never out.
  pp->timers_lock.lock();
  const bool pending = t->heap_index >= 0;
  if (pending) pp->timers.remove(t);
  t->when = when;
  t->period = period;
  t->seq = rt.next_timer_seq.fetch_add(1, std::memory_order_relaxed);
  pp->timers.push(t);
  pp->timers_lock.unlock();
  wake_for_timer(rt, when);
  return pending;
}

int runtimers(Runtime& rt, P* pp, int64_t now) {
  int ran = 0;
  // Mutant timers-fire-early: every pending timer counts as due.
  const int64_t due_by = mutant_active(rt, Mutant::kTimersFireEarly) ? INT64_MAX : now;
  // Timers due together fire earliest-first by default; in sim the chooser
  // may pick any of them first. Bounded: each round fires one timer. The
  // heap's lock is not held while a timer's function runs (it readies Gs
  // and sends on channels, which take their own locks).
  constexpr int kMaxDue = 64;
  Timer* due[kMaxDue];
  pp->timers_lock.lock();
  // Under the mutant every timer is due, a ticker's next tick too: one
  // pass fires at most the timers it started with.
  const int limit = due_by == INT64_MAX ? static_cast<int>(pp->timers.heap.size()) : INT32_MAX;
  while (ran < limit && !pp->timers.empty() && pp->timers.next_when() <= due_by) {
    int n = 0;
    while (n < kMaxDue && !pp->timers.empty() && pp->timers.next_when() <= due_by) due[n++] = pp->timers.pop_min();
    uint32_t pick = rt.decider.choose(Choice::kTimerOrder, static_cast<uint32_t>(n));
    Timer* t = due[pick];
    // The others go back with their seq (their order among themselves is
    // kept); they are still due and come round again.
    for (int i = 0; i < n; i++) {
      if (i != static_cast<int>(pick)) pp->timers.push(due[i]);
    }
    // Read before f runs: f may ready a sleeper, which owns its timer
    // again at once and may reset it for its next sleep.
    const bool owned_by_runtime = t->owned_by_runtime;
    void (*f)(Runtime&, void*, int64_t) = t->f;
    void* arg = t->arg;
    if (t->period > 0) {
      // A ticker goes back before f runs (Go's runtimer): its next tick is
      // the first multiple of period after now, skipping the ticks a late
      // run missed; past the end of time, never.
      const int64_t delta = t->when - now;
      const int64_t steps = 1 + (delta < 0 ? -delta / t->period : 0);
      t->when = steps > (INT64_MAX - t->when) / t->period ? INT64_MAX : t->when + steps * t->period;
      t->seq = rt.next_timer_seq.fetch_add(1, std::memory_order_relaxed);
      pp->timers.push(t);
    }
    pp->timers_lock.unlock();
    f(rt, arg, now);
    pp->timers_lock.lock();
    if (owned_by_runtime) {
      t->f = nullptr;
      rt.heaplock.lock();
      t->arg = rt.free_timers;
      rt.free_timers = t;
      rt.heaplock.unlock();
    }
    ran++;
  }
  pp->timers_lock.unlock();
  return ran;
}

#if defined(GORT_PLATFORM_SIM)
int64_t earliest_pending_timer(Runtime& rt) {
  // Read without the heaps' locks: in sim the Ms are virtual threads that
  // switch only at scheduling points, and no heap operation (push, pop,
  // remove) has one inside it, so every heap is whole whenever this runs,
  // even one whose lock another M holds. Taking the locks would make every
  // yield point with several Ps a string of M switches (kRunM questions).
  assert(!rt.allp.empty() && "earliest_pending_timer: a run has at least one P");
  int64_t when = INT64_MAX;
  for (const auto& pp : rt.allp) {
    if (!pp->timers.empty() && pp->timers.next_when() < when) when = pp->timers.next_when();
  }
  return when;
}

void advance_clock_to(Runtime& rt, int64_t when) {
  assert(when > rt.clock.now() && when != INT64_MAX && "advance: to a pending timer later than now");
  rt.clock.advance_to(when);
  // The timer sleeper's virtual thread would otherwise wake only once no M
  // can run (vthreads.cc moves past deadlines only then).
  rt.sched.lock.lock();
  if (M* sleeper = rt.sched.timer_sleeper; sleeper != nullptr && rt.sched.sleep_until <= when) sleeper->park.wakeup();
  rt.sched.lock.unlock();
}
#endif

Timer* new_runtime_timer(Runtime& rt) {
  rt.heaplock.lock();
  Timer* t = rt.free_timers;
  if (t != nullptr) {
    rt.free_timers = static_cast<Timer*>(t->arg);
  } else {
    rt.timer_pool.push_back(std::make_unique<Timer>());
    t = rt.timer_pool.back().get();
  }
  rt.heaplock.unlock();
  *t = Timer{};
  t->owned_by_runtime = true;
  return t;
}

}  // namespace gort::rt
