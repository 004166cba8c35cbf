// How a run ends: main returning, a fatal error, an unrecovered panic.
//
// A run ends by switching to the OS thread's context and abandoning every
// goroutine frame, as Go's exit does. So nothing here (nor any caller of
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
  switch (g.status) {
    case Gstatus::kWaiting:
      return waitreason_string(g.waitreason);
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

void append_goroutine(std::string& out, const G& g) {
  char line[96];
  snprintf(line, sizeof line, "goroutine %llu [%s]:\n", static_cast<unsigned long long>(g.goid), status_text(g));
  out += line;
  append_traceback(out, g);
}

[[noreturn]] void end_run(Runtime& rt, int status) {
  rt.result.exit_status = status;
  // Goroutine frames are abandoned, not unwound; what their panics hold
  // would leak.
  for (const auto& g : rt.allgs) release_abandoned(g.get());
  if (rt.config.echo_output && !rt.result.output.empty()) {
    ssize_t ignored = write(2, rt.result.output.data(), rt.result.output.size());
    (void)ignored;
  }
  switch_to_native(&rt.m0());
}

}  // namespace

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
  for (const auto& g : rt.allgs) {
    if (g->is_g0 || g.get() == current || g->status == Gstatus::kDead || g->status == Gstatus::kIdle) continue;
    if (shown >= kDumpMaxGoroutines) {
      omitted++;
      continue;
    }
    if (shown > 0) out += "\n";
    append_goroutine(out, *g);
    shown++;
  }
  if (omitted > 0) {
    char line[96];
    snprintf(line, sizeof line, "\n...%d more goroutines not shown\n", omitted);
    out += line;
  }
  return out;
}

void fatal(Runtime& rt, std::string_view msg, std::string_view preamble, std::string_view postscript) {
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

void exit_run(Runtime& rt, int status) { end_run(rt, status); }

}  // namespace gort::rt

namespace gort::platform {

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
