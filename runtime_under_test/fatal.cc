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
// not return until it reaches one, or until async preemption stops it (if
// the loop is preemptible code). So nothing here (nor any caller of
// these functions) may keep a heap-owning local alive across the call:
// the output is built directly in the Runtime's result, and callers format
// into fixed-size buffers.
#include <unistd.h>

#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "async_preempt.h"
#include "context.h"
#include "defer.h"
#include "platform/symbolize.h"
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

// The Go function names of the G's activation chain (gort::func frames),
// innermost first, "panic(...)" where a panic runs deferred calls on top of
// the frames below it: the dump of a build without a symboliser, and of a
// goroutine whose frames cannot be walked.
void append_activations(std::string& out, const G& g) {
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

// Physical frames a walk collects at most: runtime frames are among them
// and are hidden afterwards, so more than the frames a dump shows.
constexpr int kWalkMaxFrames = 2 * kTracebackMaxFrames;

// A goroutine's physical frames, innermost first, found by following the
// frame-pointer chain (every target is built with frame pointers:
// cmake/GortSymbolize.cmake): pcs[i] is a pc in the function whose frame
// pointer is fps[i]. The chain ends at the goroutine's entry trampoline,
// whose frame pointer is zero (arch.h); every record must lie inside the
// G's stack, above the previous one, so a broken chain ends the walk
// instead of reading elsewhere.
struct FrameWalk {
  uintptr_t pcs[kWalkMaxFrames];
  uintptr_t fps[kWalkMaxFrames];
  int n = 0;
  // pcs[0] is a faulting instruction, not a return address (its line is
  // at pc itself, not at pc - 1).
  bool first_is_instruction = false;
};

// What frame i's pc is, for the symboliser.
platform::PcKind pc_kind(const FrameWalk& w, int i) {
  return i == 0 && w.first_is_instruction ? platform::PcKind::kInstruction : platform::PcKind::kReturnAddress;
}

// The frame record at fp: the caller's frame pointer and the return
// address. amd64 and arm64 keep them at fp and fp + 8; riscv64 below fp
// (fp is the frame's top: ra at fp - 8, the caller's s0 at fp - 16).
//
// ppc64le has no frame record: r1 (and the frame pointer r31, and
// __builtin_frame_address(0)) point at the frame's bottom, whose first word
// is the back chain, the caller's r1; a function saves its return address
// in its caller's frame, at 16 of the caller's r1. So the walk's "fp" of a
// frame there is the frame's top (its back chain's value, the caller's
// r1): the record at it is the caller's back chain at 0 (the caller's own
// top) and this frame's return address at 16, and a frame's locals lie
// below its fp and above its callee's, as on the others. frame_top turns
// a stack-pointer-like value into that fp.
#if defined(__powerpc64__)
constexpr uintptr_t kRecordBelow = 0;
constexpr uintptr_t kRecordPrev = 0;
constexpr uintptr_t kRecordRa = 16;
constexpr uintptr_t kSavedFpOffset = GORT_ARCH_BLOCK_BACKCHAIN;  // the saved block is a frame (arch/ppc64le.S)
#elif defined(__riscv)
constexpr uintptr_t kRecordBelow = 16;
constexpr uintptr_t kRecordPrev = 0;
constexpr uintptr_t kRecordRa = 8;
constexpr uintptr_t kSavedFpOffset = 0;  // s0 is slot 0 of the saved block (arch/riscv64.S)
#elif defined(__aarch64__)
constexpr uintptr_t kRecordBelow = 0;
constexpr uintptr_t kRecordPrev = 0;
constexpr uintptr_t kRecordRa = 8;
constexpr uintptr_t kSavedFpOffset = 10 * 8;  // x29 is slot 10 (arch/arm64.S)
#else
constexpr uintptr_t kRecordBelow = 0;
constexpr uintptr_t kRecordPrev = 0;
constexpr uintptr_t kRecordRa = 8;
constexpr uintptr_t kSavedFpOffset = 6 * 8;  // rbp is slot 6 (arch/amd64.S)
#endif

bool in_entry_trampoline(uintptr_t pc) {
  return pc >= reinterpret_cast<uintptr_t>(gort_arch_goroutine_entry) &&
         pc < reinterpret_cast<uintptr_t>(gort_arch_goroutine_entry_end);
}

// A frame record's fields at fp, if the record lies in g's stack.
bool read_record(const G& g, uintptr_t fp, uintptr_t* prev, uintptr_t* ra) {
  const uintptr_t rec = fp - kRecordBelow;
  if (fp % sizeof(uintptr_t) != 0 || rec < g.stack.lo || rec + kRecordRa + sizeof(uintptr_t) > g.stack.hi) return false;
  *prev = *reinterpret_cast<const uintptr_t*>(rec + kRecordPrev);
  *ra = *reinterpret_cast<const uintptr_t*>(rec + kRecordRa);
  return true;
}

// The walk's fp of the frame whose frame pointer (or stack pointer) is
// fp: fp itself, except on ppc64le, where it is the back chain fp points
// at (see kRecordRa), if fp lies in g's stack (else 0: no walk).
uintptr_t frame_top(const G& g, uintptr_t fp) {
#if defined(__powerpc64__)
  if (fp % sizeof(uintptr_t) != 0 || fp < g.stack.lo || fp + sizeof(uintptr_t) > g.stack.hi) return 0;
  return *reinterpret_cast<const uintptr_t*>(fp);
#else
  (void)g;
  return fp;
#endif
}

// Follows the chain from fp, the frame pointer of the function pc is in
// (pc 0: from the frame's caller on).
void walk_frames(FrameWalk& w, const G& g, uintptr_t pc, uintptr_t fp) {
  assert(g.stack.hi > g.stack.lo && "walk_frames: a G without a stack");
  if (pc != 0 && !in_entry_trampoline(pc)) {
    w.pcs[w.n] = pc;
    w.fps[w.n++] = fp;
  }
  while (fp != 0 && w.n < kWalkMaxFrames) {
    uintptr_t next = 0;
    uintptr_t ra = 0;
    if (!read_record(g, fp, &next, &ra) || ra == 0 || in_entry_trampoline(ra)) break;
    if (next != 0 && next <= fp) break;  // callers' frames are above their callees'
    w.pcs[w.n] = ra;
    w.fps[w.n++] = next;
    fp = next;
  }
}

// The walk of a goroutine: from self_fp when it is the one printing (a
// frame pointer of the printer on the G's own stack, 0 otherwise), from the
// registers the kernel saved when it faulted (fault: the claimed fault of
// this M, when g is the G that was running then), from its saved context
// when it is not running. Returns false when none applies (running on
// another thread).
//
// A fault's walk runs after the signal handler has returned: the handler
// only rewrote the signal context, and this runs on g0's fresh stack in an
// ordinary thread context (runtime.cc report_signal), so symbolising here
// is no more a risk than any fatal error's dump. The faulting G's frames
// are intact: abandoned, not unwound, and its stack stays mapped until the
// run ends. The frame-pointer register is only a hint (code without frame
// pointers, the C library's, may use it for data): every record is checked
// against g's stack as in any walk. A fault in a function's prologue,
// before it set its frame pointer, shows that function and then its
// caller's caller: the caller's own frame is skipped, as any
// frame-pointer walk would.
bool walk_goroutine(FrameWalk& w, const G& g, uintptr_t self_fp, const platform::FaultInfo* fault) {
  assert(!g.is_g0 && w.n == 0 && "walk_goroutine: a goroutine's walk, from the start");
  if (self_fp != 0) {
    walk_frames(w, g, 0, frame_top(g, self_fp));
    return true;
  }
  if (fault != nullptr && fault->pc != 0) {
    walk_frames(w, g, fault->pc, frame_top(g, fault->fp));
    w.first_is_instruction = w.n > 0 && w.pcs[0] == fault->pc;
    return true;
  }
  if (load_relaxed(g.status) == Gstatus::kRunning || g.sched.sp == 0) return false;
  if (g.sched.sp < g.stack.lo || g.sched.sp + kSavedFpOffset + 8 > g.stack.hi) return false;
  walk_frames(w, g, g.sched.pc, frame_top(g, *reinterpret_cast<const uintptr_t*>(g.sched.sp + kSavedFpOffset)));
  return true;
}

bool starts_with(const char* s, const char* prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

// Frames a dump hides: the runtime's sources, its public headers
// (gort::go, the closure thunks), wherever they are installed, and its own
// tests, which reach into the runtime and so pin the names-only form
// (park_test's dumps); and the C++ library's headers (std::function's and
// std::invoke's plumbing between a caller and its callable), as Go hides
// the runtime's frames between a go statement and its function.
bool runtime_source(const platform::SourceFrame& f) {
  return starts_with(f.file, GORT_RUNTIME_SOURCE_DIR) || strstr(f.file, "/include/gort/") != nullptr ||
         strstr(f.file, "/include/c++/") != nullptr || strstr(f.file, "/c++/v1/") != nullptr;
}

// One source frame in Go's form: "function(...)\n\tfile:line +0xNN\n".
void append_frame(std::string& out, const char* function, const platform::SourceFrame& f, uintptr_t offset,
                  bool with_offset) {
  assert(function != nullptr && f.file != nullptr && "append_frame: a frame without a name or file");
  out += function;
  if (strchr(function, '(') == nullptr) out += "()";
  char pos[64];
  snprintf(pos, sizeof pos, ":%d", f.line);
  out += "\n\t";
  out += f.file;
  out += pos;
  if (with_offset) {
    snprintf(pos, sizeof pos, " +0x%llx", static_cast<unsigned long long>(offset));
    out += pos;
  }
  out += "\n";
}

// The Go function activation (gort::func, a deferred call, the goroutine's
// start) that lives in physical frame i: the runtime's call_frame, whose
// callee frames run that Go function. Its Frame is a local of call_frame,
// so it lies between the callee's frame pointer and frame i's own.
const detail::Activation* activation_in(const G& g, const FrameWalk& w, int i) {
  assert(i >= 0 && i < w.n && "activation_in: no such frame");
  const uintptr_t lo = i > 0 ? w.fps[i - 1] : 0;
  const uintptr_t hi = w.fps[i];
  for (const detail::Activation* a = g.top_activation; a != nullptr; a = a->parent) {
    if (a->kind == detail::ActivationKind::kPanic || a->kind == detail::ActivationKind::kGoexit) continue;
    const auto at = reinterpret_cast<uintptr_t>(a);
    if (at > lo && at < hi) return a;
  }
  return nullptr;
}

// Go's last line for a goroutine made by a go statement: "created by f"
// and the statement's position, the first of its gopc frames that is not
// the runtime's (gort::go itself, when it was not inlined). f is the Go
// name of the function that ran the go statement, when it has one.
void append_created_by(std::string& out, const G& g, bool with_offsets) {
  assert(!g.is_g0 && "append_created_by: g0 is made by no go statement");
  platform::PcInfo info;
  for (uintptr_t pc : g.gopc) {
    if (pc == 0 || !platform::symbolize(pc, &info)) continue;
    for (int k = 0; k < info.nframes; k++) {
      const platform::SourceFrame& f = info.frames[k];
      if (runtime_source(f)) continue;
      out += "created by ";
      append_frame(out, g.creator_name != nullptr ? g.creator_name : f.function, f, info.offset,
                   with_offsets && info.has_offset);
      return;
    }
  }
}

// Go's traceback: each frame of the goroutine's own code, innermost first,
// as "function\n\tfile:line +0xNN", ending at its entry function. Frames of
// the runtime's sources are hidden, as Go hides runtime.* frames, except
// gopanic, shown as Go's "panic(...)" where it is not the first frame (Go's
// showfuncinfo: the boundary between a panic's deferred calls and the code
// that panicked). A physical frame's offset goes on its outermost shown
// frame (the user's code inlined into a runtime thunk has it). The outermost frame of each Go
// function activation (the user's callable that gort::func, a deferred call
// or the goroutine's start ran) takes the activation's Go name when it has
// one ("main.main", gort::named's), so that dumps read like Go's; the C++
// functions it calls keep their own names. Without a symboliser, or with no
// frame to show, the activation chain's names stand in.
void traceback_on_g0(std::string& out, const G& g, uintptr_t self_fp, const platform::FaultInfo* fault) {
  const auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  assert(!(here >= g.stack.lo && here < g.stack.hi) && "traceback_on_g0: on the goroutine's own stack");
  (void)here;
  FrameWalk w;
  if (!platform::symbolizer_available() || !walk_goroutine(w, g, self_fp, fault)) {
    append_activations(out, g);
    return;
  }
  const bool with_offsets = g.rt == nullptr || g.rt->config.dump_addresses;
  // First pass: which physical frames hold an activation, and how many
  // frames each shows, so that each activation's outermost shown frame is
  // known when it is printed.
  const detail::Activation* held[kWalkMaxFrames];
  uint8_t visible[kWalkMaxFrames];
  platform::PcInfo info;
  for (int i = 0; i < w.n; i++) {
    held[i] = activation_in(g, w, i);
    visible[i] = 0;
    if (!platform::symbolize(w.pcs[i], &info, pc_kind(w, i))) continue;
    for (int k = 0; k < info.nframes; k++) {
      if (!runtime_source(info.frames[k]) || starts_with(info.frames[k].function, "gort::rt::gopanic(")) visible[i]++;
    }
  }
  int shown = 0;
  for (int i = 0; i < w.n && shown <= kTracebackMaxFrames; i++) {
    if (visible[i] == 0 || !platform::symbolize(w.pcs[i], &info, pc_kind(w, i))) continue;
    // The activation whose Go function this frame's code is part of: the
    // next one outward, unless a shown frame comes first.
    const detail::Activation* owner = nullptr;
    for (int j = i + 1; j < w.n; j++) {
      if (held[j] != nullptr) {
        owner = held[j];
        break;
      }
      if (visible[j] != 0) break;
    }
    int left = visible[i];
    for (int k = 0; k < info.nframes; k++) {
      const platform::SourceFrame& f = info.frames[k];
      const char* name = f.function;
      const bool is_gopanic = runtime_source(f) && starts_with(name, "gort::rt::gopanic(");
      if (runtime_source(f) && !is_gopanic) continue;
      const bool outermost = --left == 0;
      if (is_gopanic) {
        if (shown == 0) continue;
        name = "panic(...)";
      } else if (outermost && owner != nullptr && owner->name != nullptr) {
        name = owner->name;
      }
      if (shown++ == kTracebackMaxFrames) {
        out += "...additional frames elided...\n";
        break;
      }
      append_frame(out, name, f, info.offset, with_offsets && outermost && info.has_offset);
    }
  }
  if (shown == 0) {
    append_activations(out, g);
    return;
  }
  append_created_by(out, g, with_offsets);
}

// The walk and the lookups run on g0: their buffers (several KiB) need not
// fit on a goroutine stack a panic may have nearly filled. The printing
// goroutine's chain starts here, on its own stack; the G this M was running
// when it faulted starts at the fault.
void append_traceback(std::string& out, const G& g) {
  const auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  const uintptr_t self_fp = here >= g.stack.lo && here < g.stack.hi ? here : 0;
  const M* mp = getm();
  assert(mp != nullptr && "append_traceback: a dump outside a run");
  const platform::FaultInfo* fault = mp->claimed_fault && mp->fault_g == &g ? &mp->fault : nullptr;
  if (getg() == mp->g0) {
    traceback_on_g0(out, g, self_fp, fault);
  } else {
    systemstack([&] { traceback_on_g0(out, g, self_fp, fault); });
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
  // The signal stops a goroutine in a loop with no yield point too, if the
  // loop is preemptible code (async_preempt.h).
  const P* mine = getm()->p;
  for (const auto& pp : rt.allp) {
    if (pp.get() == mine) {
      pp->preempt.store(true, std::memory_order_relaxed);
    } else {
      preempt_p(rt, pp.get());
    }
  }
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

const char* innermost_go_name(const G& g) {
  assert(!g.is_g0 && "innermost_go_name: g0 runs no Go function");
  for (const detail::Activation* a = g.top_activation; a != nullptr; a = a->parent) {
    if (a->kind != detail::ActivationKind::kPanic && a->kind != detail::ActivationKind::kGoexit) return a->name;
  }
  return nullptr;
}

void caller_pcs(const G& g, uintptr_t fp, uintptr_t* out, int n) {
  assert(out != nullptr && n > 0 && "caller_pcs: no output");
  for (int i = 0; i < n; i++) out[i] = 0;
  fp = frame_top(g, fp);
  for (int i = 0; i < n; i++) {
    uintptr_t prev = 0;
    uintptr_t ra = 0;
    if (!read_record(g, fp, &prev, &ra) || ra == 0 || in_entry_trampoline(ra)) return;
    out[i] = ra;
    if (prev <= fp) return;
    fp = prev;
  }
}

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

}  // namespace

void end_run(Runtime& rt, int status) {
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

void goroutine_dump_one(std::string& out, const G& g) {
  assert(!g.is_g0 && "goroutine_dump_one: an M's scheduler is not a goroutine");
  const M* mp = getm();
  if (load_relaxed(g.status) == Gstatus::kRunning && (mp == nullptr || mp->curg != &g)) {
    // Another M's goroutine: its frames change under us (Go prints the same).
    append_header(out, g);
    out += "\tgoroutine running on other thread; stack unavailable\n";
  } else {
    append_goroutine(out, g);
  }
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
    goroutine_dump_one(out, *g);
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
#if defined(GORT_PLATFORM_SIM)
  async_preempt_disarm(rt);  // the dump is long: not traced instruction by instruction
#endif
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
