// The drain after main's return and the goroutine-leak census
// (Config::drain_at_exit).
//
// Go's exit abandons every goroutine when main returns, often before the
// others have run at all; a goroutine is judged where it would block, so
// the drain lets them run on first: main ends as by Goexit, and the run
// ends when checkdead finds nothing that can run (no runnable goroutine,
// no pending timer) or when the drain's steps run out.
//
// Then every goroutine still alive is listed (Result::leftover), judged:
//   definite  blocked on something no goroutine outside the blocked set
//             can reach. The blocked set is every goroutine parked on a
//             channel, a select or a semaphore; outside it are the
//             runnable goroutines, the sleeping ones and pending timers.
//             After a quiescent drain nothing is outside the set, so every
//             blocked goroutine is definite. After a drain cut short, a
//             goroutine parked on channels is definite when every handle to
//             each of them lies on a blocked goroutine's stack: a handle is
//             two words, {channel, run id}, counted in those goroutines'
//             function objects (their captures) and compared with the channel's reference
//             count (gort/chan.h); one handle anywhere else (a runnable
//             goroutine's stack, a timer's callback, the heap) may reach it.
//             A nil channel and a select with no cases are always definite.
//   possible  anything else alive: blocked where an outsider may reach
//             (semaphores have no reference count), runnable or asleep
//             when the steps ran out.
//   expected  the goroutine called gort::expect_leak.
// This is the same question Go 1.26's goroutine-leak profile asks of the
// collector's reachability; reference-counted handles answer it here.
#include <algorithm>
#include <cassert>
#include <cstring>
#include <string>
#include <vector>

#include "context.h"
#include "hchan.h"
#include "proc.h"
#include "sudog.h"
#include "yield.h"

namespace gort::rt {
namespace {

// A goroutine's census facts: where it waits and what on.
struct Parked {
  const G* g = nullptr;
  bool blocked = false;             // in the blocked set: parked on a channel, select or semaphore
  bool nil_wait = false;            // a nil channel or a select with no cases: never woken
  std::vector<const hchan*> chans;  // the channels its sudogs wait on (no repeats)
};

bool is_sema_wait(WaitReason r) {
  return r == WaitReason::kSemacquire || r == WaitReason::kSyncMutexLock || r == WaitReason::kSyncRWMutexRLock ||
         r == WaitReason::kSyncRWMutexLock || r == WaitReason::kSyncCondWait;
}

Parked parked_facts(const G& g) {
  Parked p;
  p.g = &g;
  if (load_relaxed(g.status) != Gstatus::kWaiting) return p;
  const WaitReason r = g.waitreason;
  p.nil_wait =
      r == WaitReason::kChanReceiveNilChan || r == WaitReason::kChanSendNilChan || r == WaitReason::kSelectNoCases;
  const bool chan_wait = r == WaitReason::kChanReceive || r == WaitReason::kChanSend || r == WaitReason::kSelect;
  p.blocked = p.nil_wait || chan_wait || is_sema_wait(r);
  for (const sudog* sg = g.waiting; chan_wait && sg != nullptr; sg = sg->waitlink) {
    if (sg->c != nullptr && std::find(p.chans.begin(), p.chans.end(), sg->c) == p.chans.end()) p.chans.push_back(sg->c);
  }
  return p;
}

// How many {c, run_id} pairs lie in g's live stack, [saved sp, hi): the
// handles of c it holds in its frames and in its function's captures,
// which live at the top of its stack (newproc1). Conservative: a stale
// pair in a live frame counts too, which can only make a goroutine look
// more stuck than it is when the same pair also sits in a live slot.
// Reads below the sanitizers' view of the stack (redzones), so it is not
// instrumented.
__attribute__((no_sanitize("address", "thread"))) int64_t handles_on_stack(const G& g, const hchan* c,
                                                                           uint64_t run_id) {
  assert(g.status == Gstatus::kWaiting && "handles_on_stack: a running G's frames change under the scan");
  // Only the function's own object: a compiler may keep copies of a
  // handle's two words in its frames (spilled arguments), which look like
  // handles but hold no reference, and counting them would call a reachable
  // channel unreachable. A handle in a frame's local is missed instead,
  // which can only make a leak look possible.
  if (g.fn == nullptr || g.fn_ops == nullptr) return 0;
  const auto lo = reinterpret_cast<uintptr_t>(g.fn);
  const uintptr_t hi = lo + g.fn_ops->size;
  assert(lo >= g.stack.lo && hi <= g.stack.hi && "handles_on_stack: a goroutine's function lives on its stack");
  const auto want = reinterpret_cast<uintptr_t>(c);
  int64_t found = 0;
  for (uintptr_t at = lo; at + 16 <= hi; at += 8) {
    uintptr_t words[2];
    memcpy(words, reinterpret_cast<const void*>(at), sizeof words);
    if (words[0] == want && words[1] == run_id) found++;
  }
  return found;
}

int64_t chan_refs(const hchan* c) {
#if defined(GORT_PLATFORM_SIM)
  return c->refs;
#else
  return c->refs.load(std::memory_order_relaxed);
#endif
}

std::string waits_on_text(const Parked& p) {
  const WaitReason r = p.g->waitreason;
  if (r == WaitReason::kChanReceiveNilChan || r == WaitReason::kChanSendNilChan) return "a nil chan";
  if (r == WaitReason::kSelectNoCases) return "a select with no cases";
  if (is_sema_wait(r)) return "a semaphore (a sync object)";
  if (r == WaitReason::kSleep) return "its timer";
  if (p.chans.empty()) return "";
  std::string out = p.chans.size() == 1 ? "chan " : "chans ";
  for (size_t i = 0; i < p.chans.size(); i++) {
    if (i > 0) out += ", ";
    out += std::to_string(p.chans[i]->id);
  }
  return out;
}

// Judges one goroutine. all: every alive goroutine's facts.
void judge(Leftover& out, const Parked& p, const std::vector<Parked>& all, bool quiescent, uint64_t run_id,
           uint64_t drain_steps) {  // drain_steps: the steps the drain took
  assert(p.g != nullptr);
  const G& g = *p.g;
  const std::string cut = "the drain was cut short, " + std::to_string(drain_steps) + " steps after main returned";
  if (g.leak_expected) {
    out.kind = Leftover::Kind::kExpected;
    out.why = "it called gort::expect_leak";
    return;
  }
  if (!p.blocked && quiescent) {
    // Only a sleep to the end of time survives a quiescent drain.
    assert(g.status == Gstatus::kWaiting && "finish_drain: a runnable goroutine after a quiescent drain");
    out.kind = Leftover::Kind::kDefinite;
    out.why = "its timer is at the end of time (a deadline that saturated): it never fires";
    return;
  }
  if (!p.blocked) {
    out.kind = Leftover::Kind::kPossible;
    out.why =
        g.status == Gstatus::kWaiting ? "still waiting on a pending timer when " + cut : "still runnable when " + cut;
    return;
  }
  if (quiescent) {
    out.kind = Leftover::Kind::kDefinite;
    out.why = "nothing left can wake it: no goroutine can run and no timer is pending";
    return;
  }
  if (p.nil_wait) {
    out.kind = Leftover::Kind::kDefinite;
    out.why = "nothing ever wakes a goroutine parked there";
    return;
  }
  if (p.chans.empty()) {
    out.kind = Leftover::Kind::kPossible;
    out.why = cut + " while some goroutine could still run, and a semaphore's holders cannot be counted";
    return;
  }
  for (const hchan* c : p.chans) {
    int64_t held = 0;
    for (const Parked& q : all) {
      if (q.blocked) held += handles_on_stack(*q.g, c, run_id);
    }
    if (held < chan_refs(c)) {
      out.kind = Leftover::Kind::kPossible;
      out.why = "chan " + std::to_string(c->id) + " has " + std::to_string(chan_refs(c) - held) +
                " handle(s) outside the blocked goroutines, which a goroutine still able to run may use";
      return;
    }
  }
  out.kind = Leftover::Kind::kDefinite;
  out.why = "every handle to what it waits on is held by blocked goroutines";
}

// Fills Result::leftover. Returns before the run ends, so that its
// heap-owning locals are freed: end_run abandons its caller's frames.
void take_census(Runtime& rt, bool quiescent) {
  std::vector<Parked> all;
  rt.allglock.lock();
  for (const auto& g : rt.allgs) {
    const Gstatus status = load_relaxed(g->status);
    if (g->is_g0 || status == Gstatus::kDead || status == Gstatus::kIdle) continue;
    all.push_back(parked_facts(*g));
  }
  rt.allglock.unlock();
  rt.result.drained = quiescent;
  // The step that found the budget spent is counted but not taken.
  uint64_t drain_steps = steps_taken(rt) - rt.drain_start_step;
  if (!quiescent && drain_steps > 0) drain_steps--;
  rt.result.leftover.reserve(all.size());
  for (const Parked& p : all) {
    Leftover& l = rt.result.leftover.emplace_back();
    l.goid = p.g->goid;
    l.wait_reason = p.g->status == Gstatus::kWaiting ? waitreason_string(p.g->waitreason) : "";
    l.waits_on = waits_on_text(p);
    judge(l, p, all, quiescent, rt.run_id, drain_steps);
    goroutine_dump_one(l.dump, *p.g);
  }
}

}  // namespace

void start_drain(Runtime& rt) {
  assert(rt.config.drain_at_exit && "start_drain: no drain asked for");
  assert(!drain_started(rt) && "start_drain: main returned twice");
#if defined(GORT_PLATFORM_SIM)
  rt.drain_start_step = steps_taken(rt);
#else
  // The other Ms' allowances change as they run: what the pool has handed
  // out (each M's undrawn batch, at most 1024 steps, counts as taken).
  rt.drain_start_step = rt.steps_granted - rt.steps_pool.load(std::memory_order_relaxed);
#endif
  rt.draining.store(true, platform::kSimulated ? std::memory_order_relaxed : std::memory_order_release);
  if (rt.config.drain_steps == 0) return;
  // The step that exceeds the drain's budget ends it (step_budget_exceeded).
  // Steps taken = granted - left stays true: both shrink alike.
  const uint64_t cap = rt.config.drain_steps + 1;
#if defined(GORT_PLATFORM_SIM)
  if (rt.steps_left > cap) {
    rt.steps_granted -= rt.steps_left - cap;
    rt.steps_left = cap;
  }
#else
  // Every M's drawn batch (at most 1024 steps) still counts on top.
  uint64_t pool = rt.steps_pool.load(std::memory_order_relaxed);
  while (pool > cap && !rt.steps_pool.compare_exchange_weak(pool, cap, std::memory_order_relaxed)) {
  }
  if (pool > cap) rt.steps_granted -= pool - cap;
#endif
}

void finish_drain(Runtime& rt, bool quiescent) {
  assert(drain_started(rt) && "finish_drain: main has not returned");
  claim_run_end(rt);  // os: the other Ms stop first, so no G moves while it is judged
  take_census(rt, quiescent);
  const G* gp = getg();
  trace_event(rt, EventKind::kDrainEnd, gp != nullptr && !gp->is_g0 ? gp->goid : 0, 0, quiescent ? 1 : 0);
  end_run(rt, 0);
}

}  // namespace gort::rt
