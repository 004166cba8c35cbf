// Trampoline checks: arch.h's functions driven directly, with no runtime.
//
// Each check runs contexts on stacks of its own and uses the probe to load
// random values into every callee-saved register, cross a trampoline, and
// read them back. The other side of each switch runs the probe with its own
// random values first, so a register the trampoline forgets is certainly
// clobbered, never accidentally intact.
#include <unwind.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "arch/arch.h"
#include "archcheck/archcheck.h"
#include "archcheck/checks.h"
#include "archcheck/probe_words.h"
#include "archcheck/raw_context.h"
#include "archcheck/register_round_trip.h"
#include "archcheck/trampoline_shims.h"

namespace gort::archcheck {
namespace {

uint64_t next_random(uint64_t& state) {  // splitmix64
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

struct RegisterSet {
  uint64_t in[GORT_ARCH_CALLEE_SAVED];
  uint64_t out[GORT_ARCH_CALLEE_SAVED];

  void randomize(uint64_t& rng) {
    for (auto& v : in) v = next_random(rng);
    memset(out, 0, sizeof out);
  }
  // Returns the index of the first word that did not survive, or -1.
  int first_mismatch() const { return probe_first_mismatch(in, out); }
};

std::string describe_mismatch(const char* where, const RegisterSet& r, int i, uint32_t iteration) {
  char buf[320];
  snprintf(buf, sizeof buf, "%s, iteration %u: %s", where, iteration,
           probe_word_mismatch(i, r.in[i], r.out[i]).c_str());
  return buf;
}

// Runs the probe with fresh random values around fn(arg): clobbers every
// callee-saved register of whoever calls it, and checks that fn preserved
// them. Returns false (and fills detail) on a mismatch.
bool probe_around(const char* where, uint64_t& rng, uint32_t iteration, void (*fn)(void*), void* arg,
                  std::string& detail) {
  RegisterSet regs;
  regs.randomize(rng);
  gort_arch_probe_callee_saved(regs.in, regs.out, fn, arg);
  int bad = regs.first_mismatch();
  if (bad < 0) return true;
  if (detail.empty()) detail = describe_mismatch(where, regs, bad, iteration);
  return false;
}

void do_nothing(void*) {}

bool aligned(uintptr_t sp) { return sp % GORT_ARCH_STACK_ALIGN == 0; }

// --- swap: two contexts ping-pong; each checks its own registers ---------

// The probes call the trampolines through the shims (trampoline_shims.h):
// no compiled frame, instrumented or not, stands between the registers
// and the switch to save and restore them on the trampoline's behalf.
struct SwapPingPong {
  gort_gobuf a{}, b{};
  SwapArgs a_to_b{&a, &b}, b_to_a{&b, &a};
  uint64_t rng_b = 0;
  uint32_t iteration = 0;
  bool done = false;
  bool b_aligned = true;
  std::string b_detail;
};

void swap_body_b(void* arg) {
  auto* pp = static_cast<SwapPingPong*>(arg);
  pp->b_aligned = aligned(gort_arch_probe_sp());
  while (!pp->done) probe_around("swap (side B)", pp->rng_b, pp->iteration, swap_shim, &pp->b_to_a, pp->b_detail);
  gort_arch_gogo(&pp->a);
}

Outcome check_swap(const Options& opt) {
  Outcome out;
  RawStack stack;
  SwapPingPong pp;
  pp.rng_b = opt.seed * 7919 + 1;
  uint64_t rng_a = opt.seed;
  gort_arch_gobuf_init(&pp.b, stack.top(), swap_body_b, never_exit, &pp);
  std::string detail;
  bool ok = true;
  for (pp.iteration = 0; pp.iteration < opt.iterations; pp.iteration++) {
    ok &= probe_around("swap (side A)", rng_a, pp.iteration, swap_shim, &pp.a_to_b, detail);
  }
  pp.done = true;
  gort_arch_swap(&pp.a, &pp.b);  // B leaves its loop and resumes us for good
  if (!pp.b_aligned) detail = "fresh context entered with a misaligned stack";
  if (detail.empty()) detail = pp.b_detail;
  out.passed = ok && pp.b_aligned && pp.b_detail.empty();
  out.detail = out.passed ? "" : detail;
  return out;
}

// --- mcall: a context calls onto g0's stack, g0 resumes it with gogo -------

struct McallState {
  gort_gobuf a{}, c{}, c_save{};
  RawStack g0;
  McallArgs mcall{};
  uint64_t rng = 0;
  uint32_t iteration = 0;
  uint32_t iterations = 0;
  bool ok = true;
  bool on_g0_stack = true;
  bool g0_aligned = true;
  bool fp_kept = true;
  std::string detail;
};

// The last thing g0 does before resuming the context: its own FP mode and
// (through the probe below) its own register values are live at the switch.
void mcall_gogo_back(void* arg) {
  auto* st = static_cast<McallState*>(arg);
  gort_arch_fp_control_set(gort_arch_fp_control_alternate());
  gort_arch_gogo(&st->c_save);
}

void mcall_on_g0(void* arg) {
  auto* st = static_cast<McallState*>(arg);
  uintptr_t sp = gort_arch_probe_sp();
  st->on_g0_stack &= st->g0.contains(sp);
  st->g0_aligned &= aligned(sp);
  // g0 runs the runtime with its own values in every register; resuming
  // from inside the probe leaves them there for gogo to overwrite.
  uint64_t g0_rng = st->rng ^ 0x5555;
  RegisterSet regs;
  regs.randomize(g0_rng);
  gort_arch_probe_callee_saved(regs.in, regs.out, mcall_gogo_back, st);
  __builtin_trap();  // mcall_gogo_back never returns
}

void mcall_body_c(void* arg) {
  auto* st = static_cast<McallState*>(arg);
  st->mcall = {&st->c_save, st->g0.hi(), mcall_on_g0, st};
  for (st->iteration = 0; st->iteration < st->iterations; st->iteration++) {
    gort_arch_fp_control_set(gort_arch_fp_control_default());
    st->ok &= probe_around("mcall", st->rng, st->iteration, mcall_shim, &st->mcall, st->detail);
    st->fp_kept &= gort_arch_fp_control_get() == gort_arch_fp_control_default();
  }
  gort_arch_gogo(&st->a);
}

Outcome check_mcall(const Options& opt) {
  Outcome out;
  RawStack stack;
  McallState st;
  st.rng = opt.seed + 17;
  st.iterations = opt.iterations;
  uint64_t saved_fp = gort_arch_fp_control_get();
  gort_arch_gobuf_init(&st.c, stack.top(), mcall_body_c, never_exit, &st);
  gort_arch_swap(&st.a, &st.c);
  gort_arch_fp_control_set(saved_fp);
  out.passed = st.ok && st.on_g0_stack && st.g0_aligned && st.fp_kept;
  if (!st.on_g0_stack)
    out.detail = "mcall's fn did not run on the g0 stack it was given";
  else if (!st.g0_aligned)
    out.detail = "mcall's fn entered with a misaligned stack";
  else if (!st.fp_kept)
    out.detail = "FP control state set on g0 leaked into the context after mcall";
  else
    out.detail = st.detail;
  return out;
}

// --- systemstack: run on another stack and come back, nested --------------

struct SystemstackState {
  RawStack g0, inner;
  uint64_t rng = 0;
  uint32_t iteration = 0;
  bool ok = true;
  bool on_stack = true;
  bool aligned_ok = true;
  bool result_ok = true;
  std::string detail;
};

uintptr_t systemstack_inner(void* arg) {
  auto* st = static_cast<SystemstackState*>(arg);
  uintptr_t sp = gort_arch_probe_sp();
  st->on_stack &= st->inner.contains(sp);
  st->aligned_ok &= aligned(sp);
  return 7;
}

uintptr_t systemstack_outer(void* arg) {
  auto* st = static_cast<SystemstackState*>(arg);
  uintptr_t sp = gort_arch_probe_sp();
  st->on_stack &= st->g0.contains(sp);
  st->aligned_ok &= aligned(sp);
  uint64_t rng = st->rng ^ 0xABCD;
  std::string ignored;
  probe_around("systemstack (g0 side)", rng, st->iteration, do_nothing, nullptr, ignored);
  uintptr_t nested = gort_arch_systemstack(st->inner.hi(), systemstack_inner, st);
  return nested * 6 + st->iteration;  // 42 + iteration when nesting worked
}

// Not a shim: it checks systemstack's result, so it keeps state across
// the call. The register round trip (register_round_trip.cc) checks
// systemstack's registers through systemstack_shim.
void systemstack_from_caller(void* arg) {
  auto* st = static_cast<SystemstackState*>(arg);
  uintptr_t r = gort_arch_systemstack(st->g0.hi(), systemstack_outer, st);
  st->result_ok &= r == 42 + st->iteration;
}

Outcome check_systemstack(const Options& opt) {
  Outcome out;
  SystemstackState st;
  st.rng = opt.seed + 99;
  for (st.iteration = 0; st.iteration < opt.iterations; st.iteration++) {
    st.ok &= probe_around("systemstack", st.rng, st.iteration, systemstack_from_caller, &st, st.detail);
  }
  out.passed = st.ok && st.on_stack && st.aligned_ok && st.result_ok;
  if (!st.on_stack)
    out.detail = "systemstack's fn did not run on the stack it was given";
  else if (!st.aligned_ok)
    out.detail = "systemstack's fn entered with a misaligned stack";
  else if (!st.result_ok)
    out.detail = "systemstack did not return fn's result (or nesting failed)";
  else
    out.detail = st.detail;
  return out;
}

// --- FP control state: each context keeps its own ------------------------

struct FpState {
  gort_gobuf a{}, b{};
  uint64_t b_saw_at_entry = 0, b_saw_after = 0;
};

void fp_body_b(void* arg) {
  auto* st = static_cast<FpState*>(arg);
  st->b_saw_at_entry = gort_arch_fp_control_get();
  gort_arch_fp_control_set(gort_arch_fp_control_alternate());
  gort_arch_swap(&st->b, &st->a);
  st->b_saw_after = gort_arch_fp_control_get();
  gort_arch_fp_control_set(gort_arch_fp_control_default());
  gort_arch_gogo(&st->a);
}

Outcome check_fp_control(const Options&) {
  Outcome out;
  const uint64_t def = gort_arch_fp_control_default(), alt = gort_arch_fp_control_alternate();
  uint64_t saved = gort_arch_fp_control_get();
  RawStack stack;
  FpState st;
  gort_arch_gobuf_init(&st.b, stack.top(), fp_body_b, never_exit, &st);
  gort_arch_fp_control_set(alt);  // A's own mode; B must not inherit it
  gort_arch_swap(&st.a, &st.b);
  uint64_t a_after_first = gort_arch_fp_control_get();
  gort_arch_fp_control_set(def);
  gort_arch_swap(&st.a, &st.b);
  uint64_t a_after_second = gort_arch_fp_control_get();
  gort_arch_fp_control_set(saved);
  char buf[256];
  if (st.b_saw_at_entry != def) {
    snprintf(buf, sizeof buf, "a fresh context started with FP control 0x%" PRIx64 ", policy says 0x%" PRIx64,
             st.b_saw_at_entry, def);
  } else if (a_after_first != alt || a_after_second != def) {
    snprintf(buf, sizeof buf, "a context's FP control changed across a switch (0x%" PRIx64 " -> 0x%" PRIx64 ")", alt,
             a_after_first);
  } else if (st.b_saw_after != alt) {
    snprintf(buf, sizeof buf, "a resumed context lost its FP control (had 0x%" PRIx64 ", got 0x%" PRIx64 ")", alt,
             st.b_saw_after);
  } else {
    buf[0] = 0;
  }
  out.passed = buf[0] == 0;
  out.detail = buf;
  return out;
}

// --- FP control state: every control bit the contract preserves ----------

// The control states to try: the ABI default with one control field set
// to each of its other values (arch.h: the control bits, never the status
// flags, in gort_arch_fp_control_get's encoding). A state the CPU does not
// implement (it reads back otherwise) is skipped and counted.
std::vector<uint64_t> fp_control_variants() {
  const uint64_t def = gort_arch_fp_control_default();
  std::vector<uint64_t> out;
  auto field = [&](int shift, int width) {
    const uint64_t mask = ((uint64_t{1} << width) - 1) << shift;
    for (uint64_t v = 0; v < (uint64_t{1} << width); v++) {
      uint64_t s = (def & ~mask) | (v << shift);
      if (s != def) out.push_back(s);
    }
  };
#if defined(__x86_64__)
  // MXCSR (low word): DAZ (6), the six exception masks (7-12), RC (13-14), FTZ (15).
  field(6, 1);
  for (int bit = 7; bit <= 12; bit++) field(bit, 1);
  field(13, 2);
  field(15, 1);
  // x87 control word (<< 32): the six exception masks (0-5), PC (8-9), RC (10-11), IC (12).
  for (int bit = 0; bit <= 5; bit++) field(32 + bit, 1);
  field(32 + 8, 2);
  field(32 + 10, 2);
  field(32 + 12, 1);
#elif defined(__aarch64__)
  // FPCR: the trap enables (8-12, 15; most cores do not implement them),
  // FZ16 (19), RMode (22-23), FZ (24), DN (25), AHP (26).
  for (int bit : {8, 9, 10, 11, 12, 15, 19, 24, 25, 26}) field(bit, 1);
  field(22, 2);
#elif defined(__riscv)
  // frm (bits 0-2 of the word): RNE, RTZ, RDN, RUP, RMM; 5-7 are reserved,
  // so the field's values stop at 4.
  field(0, 2);
  out.push_back((def & ~uint64_t{7}) | 4);
#elif defined(__powerpc64__)
  // FPSCR's control byte: RN (0-1), NI (2), the enables XE ZE UE OE VE (3-7).
  field(0, 2);
  for (int bit = 2; bit <= 7; bit++) field(bit, 1);
#endif
  return out;
}

struct FpBitState {
  gort_gobuf a{}, b{};
  uint64_t b_mode = 0;
  uint64_t b_saw_at_entry = 0, b_saw_after = 0;
};

void fp_bit_body_b(void* arg) {
  auto* st = static_cast<FpBitState*>(arg);
  st->b_saw_at_entry = gort_arch_fp_control_get();
  gort_arch_fp_control_set(st->b_mode);
  gort_arch_swap(&st->b, &st->a);
  st->b_saw_after = gort_arch_fp_control_get();
  gort_arch_fp_control_set(gort_arch_fp_control_default());
  gort_arch_gogo(&st->a);
}

Outcome check_fp_control_bits(const Options&) {
  Outcome out;
  const uint64_t def = gort_arch_fp_control_default();
  const uint64_t saved = gort_arch_fp_control_get();
  std::vector<uint64_t> variants = fp_control_variants();
  std::vector<uint64_t> usable;
  for (uint64_t v : variants) {
    gort_arch_fp_control_set(v);
    if (gort_arch_fp_control_get() == v) usable.push_back(v);
    gort_arch_fp_control_set(def);
  }
  char buf[256];
  buf[0] = 0;
  // Each state in A, the next one (or the default) in B: both survive the
  // switches, and a fresh context starts at the default whatever A has.
  for (size_t i = 0; i < usable.size() && buf[0] == 0; i++) {
    const uint64_t a_mode = usable[i];
    RawStack stack;
    FpBitState st;
    st.b_mode = usable.size() > 1 ? usable[(i + 1) % usable.size()] : def;
    gort_arch_gobuf_init(&st.b, stack.top(), fp_bit_body_b, never_exit, &st);
    gort_arch_fp_control_set(a_mode);
    gort_arch_swap(&st.a, &st.b);
    const uint64_t a_after_first = gort_arch_fp_control_get();
    gort_arch_swap(&st.a, &st.b);
    const uint64_t a_after_second = gort_arch_fp_control_get();
    gort_arch_fp_control_set(def);
    if (st.b_saw_at_entry != def) {
      snprintf(buf, sizeof buf,
               "a fresh context started with FP control 0x%" PRIx64 " while its creator had 0x%" PRIx64,
               st.b_saw_at_entry, a_mode);
    } else if (a_after_first != a_mode || a_after_second != a_mode) {
      snprintf(buf, sizeof buf, "FP control 0x%" PRIx64 " came back as 0x%" PRIx64 " across a switch", a_mode,
               a_after_first != a_mode ? a_after_first : a_after_second);
    } else if (st.b_saw_after != st.b_mode) {
      snprintf(buf, sizeof buf, "a resumed context's FP control 0x%" PRIx64 " came back as 0x%" PRIx64, st.b_mode,
               st.b_saw_after);
    }
  }
  gort_arch_fp_control_set(saved);
  out.passed = buf[0] == 0;
  if (out.passed && usable.size() < variants.size()) {
    snprintf(buf, sizeof buf, "%zu of %zu control states checked; this CPU implements no others", usable.size(),
             variants.size());
  }
  out.detail = buf;
  return out;
}

// --- C++ exceptions and unwinding inside a fresh context ------------------

struct UnwindState {
  gort_gobuf a{}, b{};
  bool caught = false;
  int frames = 0;
  bool ended_cleanly = false;
  uintptr_t last_pc = 0;
};

[[gnu::noinline]] void throw_through(int depth) {
  if (depth == 0) throw std::runtime_error("archcheck");
  throw_through(depth - 1);
  asm volatile("");  // not a tail call: the frames stay on the stack
}

void exception_body(void* arg) {
  auto* st = static_cast<UnwindState*>(arg);
  try {
    throw_through(8);
  } catch (const std::runtime_error& e) {
    st->caught = strcmp(e.what(), "archcheck") == 0;
  }
  gort_arch_gogo(&st->a);
}

Outcome check_exception(const Options&) {
  Outcome out;
  RawStack stack;
  UnwindState st;
  gort_arch_gobuf_init(&st.b, stack.top(), exception_body, never_exit, &st);
  gort_arch_swap(&st.a, &st.b);
  out.passed = st.caught;
  if (!out.passed) out.detail = "a C++ exception thrown and caught inside a fresh context was lost";
  return out;
}

}  // namespace

// Walks the current stack with the C++ unwinder.
BacktraceSummary unwind_here() {
  BacktraceSummary s;
  auto step = [](_Unwind_Context* ctx, void* arg) -> _Unwind_Reason_Code {
    auto* s = static_cast<BacktraceSummary*>(arg);
    uintptr_t pc = _Unwind_GetIP(ctx);
    // The outermost frame reports pc 0; answering anything but NO_REASON
    // would make _Unwind_Backtrace report a phase-1 error instead.
    if (pc == 0) return _URC_NO_REASON;
    s->last_pc = pc;
    if (++s->frames >= 256) return _URC_NORMAL_STOP;
    return _URC_NO_REASON;
  };
  _Unwind_Reason_Code rc = _Unwind_Backtrace(step, &s);
  s.ended_at_end_of_stack = rc == _URC_END_OF_STACK && s.frames < 256;
  return s;
}

std::string judge_backtrace(const BacktraceSummary& s) {
  auto lo = reinterpret_cast<uintptr_t>(gort_arch_goroutine_entry);
  auto hi = reinterpret_cast<uintptr_t>(gort_arch_goroutine_entry_end);
  char buf[200];
  if (!s.ended_at_end_of_stack) {
    snprintf(buf, sizeof buf, "the unwinder did not stop cleanly (%d frames)", s.frames);
    return buf;
  }
  // The last pc is a return address into the entry trampoline.
  if (s.last_pc <= lo || s.last_pc > hi) {
    snprintf(buf, sizeof buf, "the backtrace ended at pc 0x%" PRIxPTR ", not in the entry trampoline", s.last_pc);
    return buf;
  }
  return "";
}

namespace {

void backtrace_body(void* arg) {
  auto* st = static_cast<UnwindState*>(arg);
  BacktraceSummary s = unwind_here();
  st->frames = s.frames;
  st->last_pc = s.last_pc;
  st->ended_cleanly = s.ended_at_end_of_stack;
  gort_arch_gogo(&st->a);
}

Outcome check_backtrace(const Options&) {
  Outcome out;
  RawStack stack;
  UnwindState st;
  gort_arch_gobuf_init(&st.b, stack.top(), backtrace_body, never_exit, &st);
  gort_arch_swap(&st.a, &st.b);
  BacktraceSummary s{st.frames, st.last_pc, st.ended_cleanly};
  out.detail = judge_backtrace(s);
  out.passed = out.detail.empty();
  return out;
}

#if defined(__powerpc64__)
// --- ppc64le: each context keeps its own TOC pointer (r2) ----------------

// Calls gort_arch_swap(save, to) with r2 = marker, and returns r2 as the
// swap left it (restoring the real r2 before anything uses it). r2 is not
// a probe word: C++ code, the probe's fn included, may need its TOC, so
// only this helper and the trampoline run with a marker in it. The call
// is a local bl to a function that needs no TOC, so nothing between the
// two reads r2: no linker-made call veneer, no TOC-relative load.
extern "C" uint64_t gort_archcheck_swap_with_toc(uint64_t marker, gort_gobuf* save, const gort_gobuf* to);
asm(R"(
	.text
	.globl	gort_archcheck_swap_with_toc
	.type	gort_archcheck_swap_with_toc, @function
	.p2align 4
gort_archcheck_swap_with_toc:
	.cfi_startproc
	mflr	0
	std	0, 16(1)
	.cfi_offset 65, 16
	stdu	1, -48(1)
	.cfi_def_cfa_offset 48
	std	2, 32(1)
	.cfi_offset 2, -16
	mr	2, 3
	mr	3, 4
	mr	4, 5
	bl	gort_arch_swap
	nop
	mr	3, 2
	ld	2, 32(1)
	.cfi_restore 2
	addi	1, 1, 48
	.cfi_def_cfa_offset 0
	ld	0, 16(1)
	mtlr	0
	.cfi_restore 65
	blr
	.cfi_endproc
	.size	gort_archcheck_swap_with_toc, .-gort_archcheck_swap_with_toc
)");

struct TocState {
  gort_gobuf a{}, b{};
  uint64_t b_saw = 0;
};
constexpr uint64_t kTocA = 0x0A0A0A0A0A0A0A0Aull, kTocB = 0x0B0B0B0B0B0B0B0Bull;

void toc_body_b(void* arg) {
  auto* st = static_cast<TocState*>(arg);
  st->b_saw = gort_archcheck_swap_with_toc(kTocB, &st->b, &st->a);
  gort_arch_gogo(&st->a);
}

// A swaps to B with one marker in r2, B swaps back with another: each
// must find its own when its swap returns. A switch that forgot r2 hands
// one context's TOC to the other, which code in another module (a shared
// library with its own TOC) would use for every global access.
Outcome check_toc(const Options&) {
  Outcome out;
  RawStack stack;
  TocState st;
  gort_arch_gobuf_init(&st.b, stack.top(), toc_body_b, never_exit, &st);
  const uint64_t a_saw = gort_archcheck_swap_with_toc(kTocA, &st.a, &st.b);
  gort_arch_swap(&st.a, &st.b);  // B's swap returns; B resumes us for good
  char buf[160];
  buf[0] = 0;
  if (a_saw != kTocA) {
    snprintf(buf, sizeof buf, "r2 0x%016" PRIx64 " came back as 0x%016" PRIx64 " across a swap", kTocA, a_saw);
  } else if (st.b_saw != kTocB) {
    snprintf(buf, sizeof buf, "a resumed context's r2 0x%016" PRIx64 " came back as 0x%016" PRIx64, kTocB, st.b_saw);
  }
  out.passed = buf[0] == 0;
  out.detail = buf;
  return out;
}
#endif

// --- every bit of every callee-saved word, alone -------------------------

// Walking ones: for each word the probe covers and each of its callee-saved
// bits, the crossing side holds that bit alone set (every other word 0)
// and the other side holds the complement in every word, through each
// trampoline. The random checks above cover every bit statistically; this
// names the exact bit a save or restore drops or mixes up: half a vector
// register (a 64-bit store where 128 bits are needed), a condition-register
// field outside the restore's mask, a VRSAVE or FPR slot swapped with its
// neighbour.
Outcome check_every_bit(const Options&) {
  Outcome out;
  for (int i = 0; i < GORT_ARCH_CALLEE_SAVED; i++) {
    const uint64_t mask = gort_arch_probe_mask(i);
    for (int b = 0; b < 64; b++) {
      const uint64_t bit = uint64_t{1} << b;
      if ((mask & bit) == 0) continue;
      RegisterValues v;
      for (int k = 0; k < kCalleeSaved; k++) {
        v.mine[k] = k == i ? bit : 0;
        v.theirs[k] = ~v.mine[k];
      }
      for (int t = 0; t < kTrampolines; t++) {
        std::string bad = register_round_trip(static_cast<Trampoline>(t), v);
        if (bad.empty()) continue;
        char buf[128];
        snprintf(buf, sizeof buf, " (the crossing side held bit %d of %s alone)", b, probe_word_name(i).c_str());
        out.detail = bad + buf;
        return out;
      }
    }
  }
  out.passed = true;
  return out;
}

}  // namespace

void add_trampoline_checks(std::vector<Check>& checks) {
  checks.push_back({"swap_preserves_callee_saved",
                    "every callee-saved register survives gort_arch_swap, both directions", check_swap});
  checks.push_back({"mcall_preserves_callee_saved",
                    "mcall runs fn on g0's stack, aligned; gogo back restores every callee-saved register",
                    check_mcall});
  checks.push_back({"systemstack_returns_and_nests",
                    "systemstack runs fn on the given stack, returns its result, nests, keeps registers",
                    check_systemstack});
  checks.push_back({"every_bit_survives_alone",
                    "each callee-saved bit (vector halves, CR fields, VRSAVE included) survives swap, mcall+gogo "
                    "and systemstack with every other bit of both sides against it",
                    check_every_bit});
#if defined(__powerpc64__)
  checks.push_back({"toc_per_context", "ppc64le: each context keeps its own TOC pointer (r2) across swaps", check_toc});
#endif
  checks.push_back({"fp_control_per_context",
                    "FP control state: fresh contexts start at the ABI default, each keeps its own", check_fp_control});
  checks.push_back({"fp_control_every_bit",
                    "FP control state: every control bit and field value survives switches, per context",
                    check_fp_control_bits});
  checks.push_back(
      {"exception_inside_context", "a C++ exception thrown and caught inside a fresh context works", check_exception});
  checks.push_back({"backtrace_ends_at_entry", "the unwinder stops cleanly at the entry trampoline of a fresh context",
                    check_backtrace});
}

}  // namespace gort::archcheck
