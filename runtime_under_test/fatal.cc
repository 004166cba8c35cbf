// How a run ends: main returning, a fatal error, an unrecovered panic.
//
// A run ends by switching to the OS thread's context and abandoning every
// goroutine frame, as Go's exit does.
//
// With Ms on OS threads, one M ends a run and the others must stop first:
// the M that ends it claims the end (claim_run_end; a second M that also
// fails or returns from main stops instead, as Go's second fatal error
// waits forever), asks every other M to stop (its P's preempt flag, its
// Note), and waits for them before it prints the goroutine dump (at most
// kStopWaitNs: an M in a loop with no yield point never stops) and again,
// without bound, before m0 returns from run(): until then the goroutines'
// stacks are in use. An M stops at its next check (stop_if_ending: the
// scheduler, an idle or timer sleep, a lock's slow path, a yield point);
// a goroutine in a loop with no yield point keeps its M, and run() does
// not return until it reaches one (async preemption is not built). So nothing here (nor any caller of
// these functions) may keep a heap-owning local alive across the call:
// the output is built directly in the Runtime's result, and callers format
// into fixed-size buffers.
#include <unistd.h>

#include <cassert>
#include <cstdio>
#include <cstdlib>

#include "context.h"
#include "defer.h"
#include "proc.h"

namespace gort::rt {
namespace {

// Go's traceback prints at most this many goroutines' headers here; a
// dump of a million goroutines helps nobody and costs the harness.
constexpr int kDumpMaxGoroutines = 1000;
// Go's traceback limit per goroutine (tracebackMaxFrames... Go uses 100).
constexpr int kTracebackMaxFrames = 100;

const char* status_text(const G& g) {
  switch (load_relaxed(g.status)) {
    case Gstatus::kWaiting:
      return waitreason_string(load_relaxed(g.waitreason));
    case Gstatus::kRunnable:
      return "runnable";
    case Gstatus::kRunning:
      return "running";
    // coverage-excluded-begin: statuses a dump never shows: the sim has no syscalls or async preemption, and dead or
    // idle Gs are skipped
    case Gstatus::kSyscall:
      return "syscall";
    case Gstatus::kPreempted:
      return "preempted";
    case Gstatus::kIdle:
      return "idle";
    case Gstatus::kDead:
      return "dead";
  }
  return "?";
  // coverage-excluded-end
}

// Go's traceback, one line per Go function: innermost first, "panic(...)"
// where a panic runs deferred calls on top of the frames below it. gort
// knows Go functions (Frames), not C++ frames, and prints no file:line.
void append_traceback(std::string& out, const G& g) {
  int shown = 0;
  for (const detail::Activation* a = g.top_activation; a != nullptr; a = a->parent) {
    if (shown++ == kTracebackMaxFrames) {
      out += "...additional frames elided...\n";
      break;
    }
    switch (a->kind) {
      case detail::ActivationKind::kPanic:
        out += "panic(...)\n";
        break;
      default:
        out += a->name != nullptr ? a->name : "func";
        out += "()\n";
        break;
    }
  }
}

void append_header(std::string& out, const G& g) {
  char line[96];
  snprintf(line, sizeof line, "goroutine %llu [%s]:\n", static_cast<unsigned long long>(g.goid), status_text(g));
  out += line;
}

void append_goroutine(std::string& out, const G& g) {
  append_header(out, g);
  append_traceback(out, g);
}

#if !defined(GORT_PLATFORM_SIM)
// How long the ender waits for the other Ms before it prints the dump
// anyway (Go's freezetheworld waits a few milliseconds).
constexpr int64_t kStopWaitNs = 200'000'000;
constexpr int64_t kStopPollNs = 1'000'000;

// Asks every M but the current one to stop: its P yields at the next
// yield point, and an M asleep on its Note wakes to see the run ending.
void ask_ms_to_stop(Runtime& rt) {
  for (const auto& pp : rt.allp) pp->preempt.store(true, std::memory_order_relaxed);
  const int32_t n = rt.nms.load(std::memory_order_acquire);
  for (int32_t i = 0; i < n; i++) {
    if (rt.allm[static_cast<size_t>(i)].get() != getm()) rt.allm[static_cast<size_t>(i)]->park.wakeup();
  }
}

// Waits until `want` Ms have stopped, at most until deadline (-1: no
// bound), asking again now and then (an M started meanwhile may have gone
// to sleep since). Returns whether they did.
bool wait_stopped(Runtime& rt, uint32_t want, int64_t deadline) {
  for (;;) {
    const uint32_t seen = rt.nstopped.load(std::memory_order_acquire);
    if (seen >= want) return true;
    if (deadline >= 0 && rt.clock.now() >= deadline) return false;
    ask_ms_to_stop(rt);
    platform::futex_wait_for(&rt.nstopped, seen, kStopPollNs);
  }
}

// The Ms other than the current one (every M but the ender counts itself
// in nstopped when it stops).
uint32_t other_ms(const Runtime& rt) { return static_cast<uint32_t>(rt.nms.load(std::memory_order_acquire) - 1); }

void count_stopped(Runtime& rt) {
  rt.nstopped.fetch_add(1, std::memory_order_acq_rel);
  platform::futex_wake(&rt.nstopped, INT32_MAX);
}
#endif

}  // namespace

// The first M to claim the end returns, once it has stopped the others (see
// above); any other M stops here. In sim the first M to end the run ends it.
void claim_run_end(Runtime& rt) {
#if defined(GORT_PLATFORM_SIM)
  (void)rt;
#else
  uint32_t running = 0;
  if (!rt.ending.compare_exchange_strong(running, 1, std::memory_order_acq_rel)) stop_if_ending(rt);
  rt.ender.store(getm(), std::memory_order_release);
  if (other_ms(rt) > 0) wait_stopped(rt, other_ms(rt), rt.clock.now() + kStopWaitNs);
#endif
}

namespace {

// m0, once the world is stopped: the Result is complete; back to run().
[[noreturn]] void finish_on_m0(Runtime& rt) {
  rt.allglock.lock();
  // Goroutine frames are abandoned, not unwound; what their panics hold
  // would leak.
  for (const auto& g : rt.allgs) release_abandoned(g.get());
  rt.allglock.unlock();
  switch_to_native(&rt.m0());
}

[[noreturn]] void end_run(Runtime& rt, int status) {
  rt.result.exit_status = status;
  if (rt.config.echo_output && !rt.result.output.empty()) {
    ssize_t ignored = write(2, rt.result.output.data(), rt.result.output.size());
    (void)ignored;
  }
#if !defined(GORT_PLATFORM_SIM)
  M* mp = getm();
  if (mp != &rt.m0()) {
    // m0 returns from run(): it waits for this M and the others.
    rt.end_ready.store(1, std::memory_order_release);
    platform::futex_wake(&rt.end_ready, INT32_MAX);
    rt.m0().park.wakeup();
    count_stopped(rt);
    switch_to_native(mp);
  }
  wait_stopped(rt, other_ms(rt), -1);
#endif
  finish_on_m0(rt);
}

}  // namespace

void stop_if_ending(Runtime& rt) {
#if defined(GORT_PLATFORM_SIM)
  (void)rt;
#else
  if (rt.ending.load(std::memory_order_acquire) == 0) [[likely]]
    return;
  M* mp = getm();
  if (rt.ender.load(std::memory_order_acquire) == mp) return;
  // An M that is not the ender stops here for good (a second failure on
  // another M is dropped: the first one's report stands).
  count_stopped(rt);
  if (mp != &rt.m0()) switch_to_native(mp);
  // m0 must return from run(): once the ender's Result is written and
  // every other M has stopped, it ends the run.
  while (rt.end_ready.load(std::memory_order_acquire) == 0) platform::futex_wait_for(&rt.end_ready, 0, kStopPollNs);
  wait_stopped(rt, other_ms(rt) + 1, -1);  // + 1: m0 counted itself
  finish_on_m0(rt);
#endif
}

std::string goroutine_dump(const Runtime& rt) {
  std::string out;
  // The goroutine that died first, then the others in creation order (Go's order).
  // The goroutine of the M that is ending the run.
  const M* mp = getm();
  const G* current = mp != nullptr ? mp->curg : nullptr;
  int shown = 0;
  if (current != nullptr) {
    append_goroutine(out, *current);
    shown++;
  }
  int omitted = 0;
  Runtime& run = const_cast<Runtime&>(rt);
  run.allglock.lock();
  for (const auto& g : run.allgs) {
    const Gstatus status = load_relaxed(g->status);
    if (g->is_g0 || g.get() == current || status == Gstatus::kDead || status == Gstatus::kIdle) continue;
    if (shown >= kDumpMaxGoroutines) {
      omitted++;
      continue;
    }
    if (shown > 0) out += "\n";
    if (status == Gstatus::kRunning) {
      // Another M's goroutine: its frames change under us (Go prints the same).
      append_header(out, *g);
      out += "\tgoroutine running on other thread; stack unavailable\n";
    } else {
      append_goroutine(out, *g);
    }
    shown++;
  }
  run.allglock.unlock();
  if (omitted > 0) {
    char line[96];
    snprintf(line, sizeof line, "\n...%d more goroutines not shown\n", omitted);
    out += line;
  }
  return out;
}

void fatal(Runtime& rt, std::string_view msg, std::string_view preamble, std::string_view postscript) {
  claim_run_end(rt);
  std::string& out = rt.result.output;
  out.append(preamble);
  out.append("fatal error: ").append(msg).append("\n").append(postscript).append("\n");
  rt.result.fatal_error.assign(msg);
  out += goroutine_dump(rt);
  end_run(rt, 2);
}

void fatalpanic_traceback(Runtime& rt, const G* gp) {
  // Go's default (GOTRACEBACK=single): only the panicking goroutine.
  rt.result.output += "\n";
  append_goroutine(rt.result.output, *gp);
  end_run(rt, 2);
}

void panic_runtime_error(Runtime& rt, const char* msg) {
  G* gp = getg();
  assert(gp != nullptr && !gp->is_g0 && "a runtime panic on the scheduler's stack");
  (void)rt;
  gopanic(gp, PanicValue(RuntimeError(msg)));
}

// coverage-excluded-next: API misuse: a channel handle kept from another run (no scenario keeps state across runs)
void fatal_foreign_chan(Runtime& rt) {
  fatal(rt, "channel used outside the run that made it",
        "runtime: a gort::Chan kept from another run (its channel died with that run) was used in this one\n");
}

void exit_run(Runtime& rt, int status) {
  claim_run_end(rt);
  end_run(rt, status);
}

}  // namespace gort::rt

namespace gort::platform {

#if !defined(GORT_PLATFORM_SIM)
// A lock's slow path found the run ending (platform/os/os_platform.h).
void stop_requested() {
  rt::M* mp = rt::getm();
  // coverage-excluded-next: a runtime lock waited for outside a run
  if (mp == nullptr || mp->g0 == nullptr) return;
  rt::stop_if_ending(*mp->g0->rt);
}
#endif

// coverage-excluded-begin: a broken runtime: a runtime lock taken out of rank order
void lock_rank_violation(LockRank held, LockRank taking) {
  rt::G* gp = rt::getg();
  // Outside a run nothing can end: a runtime lock misused by a direct caller.
  if (gp == nullptr) {
    fprintf(stderr, "gort: lock ordering problem outside a run: %s taken while holding %s\n", lock_rank_name(taking),
            lock_rank_name(held));
    abort();
  }
  char pre[160];
  snprintf(pre, sizeof pre, "runtime: lock ordering problem: taking %s while holding %s (%s must come first)\n",
           lock_rank_name(taking), lock_rank_name(held), lock_rank_name(taking));
  rt::fatal(*gp->rt, "lock ordering problem", pre);
}
// coverage-excluded-end

}  // namespace gort::platform
