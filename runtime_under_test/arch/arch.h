// The arch contract: everything a CPU port provides, and nothing else.
//
// This header is shared by C++ and by the one assembly file of each
// architecture (amd64.S, arm64.S, riscv64.S, ppc64le.S). A port implements every symbol
// declared below and passes `gort archcheck` (docs/PORTING.md).
//
// The model is Go's: a Gobuf is the saved execution context of a goroutine
// that is not running. Unlike Go's ABI0, the C++ ABIs have callee-saved
// registers, so a save pushes them onto the goroutine's own stack and the
// Gobuf holds only the stack pointer (pointing at that block) and the pc to
// resume at. Resuming pops the block and jumps: no `ret` that does not match
// its call, so the return-stack predictor is never poisoned.
//
// The saved block's layout is private to each .S (gort_arch_gobuf_init is
// the only other code that builds one); each .S documents its own. It holds
// every callee-saved integer, FP and vector register, every other piece of
// callee-saved state (ppc64le: condition-register fields cr2-cr4, VRSAVE,
// the TOC pointer r2) and the FP control state, and its size keeps the stack
// 16-byte aligned once it is popped.
//
// Floating-point control state policy (all four ports): the control state
// (amd64 MXCSR control bits and x87 control word, arm64 FPCR, riscv64 frm in
// fcsr, ppc64le FPSCR's control bits: RN, NI and the exception enables) is
// callee-saved in every supported ABI, and a goroutine switch looks
// like an ordinary call to the goroutine that makes it, so each goroutine
// keeps its own control state across switches. A new goroutine starts with
// the ABI's initial state (round to nearest, exceptions masked), not with
// its creator's. Status/flag bits are caller-saved and are not preserved.
#ifndef GORT_ARCH_ARCH_H
#define GORT_ARCH_ARCH_H

// Gobuf field offsets, used by the assembly.
#define GORT_GOBUF_SP 0
#define GORT_GOBUF_PC 8
#define GORT_GOBUF_SIZE 16

// Stack alignment every port keeps at every call (all four ABIs: 16).
#define GORT_ARCH_STACK_ALIGN 16

// Callee-saved state, as the probe reads and writes it, in 64-bit words:
// integer registers first, then floating-point registers, then vector
// registers (two words each, 128-bit ones: the lower-addressed word of the
// register's memory image first), then other state (one word each, only
// the bits gort_arch_probe_mask names). The ports without callee-saved
// vector registers or other state have counts of 0 there. The FP control
// state is not a probe word: gort_arch_fp_control_* read and write it.
#if defined(__x86_64__)
#define GORT_ARCH_NAME "amd64"
#define GORT_ARCH_CALLEE_SAVED_INT 6 /* rbx rbp r12 r13 r14 r15 */
#define GORT_ARCH_CALLEE_SAVED_FP 0  /* SysV: no callee-saved xmm */
#define GORT_ARCH_CALLEE_SAVED_VEC 0
#define GORT_ARCH_CALLEE_SAVED_OTHER 0
#elif defined(__aarch64__)
#define GORT_ARCH_NAME "arm64"
#define GORT_ARCH_CALLEE_SAVED_INT 11 /* x19..x29 */
#define GORT_ARCH_CALLEE_SAVED_FP 8   /* d8..d15 (only their low 64 bits are callee-saved) */
#define GORT_ARCH_CALLEE_SAVED_VEC 0
#define GORT_ARCH_CALLEE_SAVED_OTHER 0
#elif defined(__riscv) && __riscv_xlen == 64
#define GORT_ARCH_NAME "riscv64"
#define GORT_ARCH_CALLEE_SAVED_INT 12 /* s0..s11 */
#define GORT_ARCH_CALLEE_SAVED_FP 12  /* fs0..fs11 */
#define GORT_ARCH_CALLEE_SAVED_VEC 0
#define GORT_ARCH_CALLEE_SAVED_OTHER 0
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__) && defined(_CALL_ELF) && _CALL_ELF == 2
#define GORT_ARCH_NAME "ppc64le"
#define GORT_ARCH_CALLEE_SAVED_INT 18  /* r14..r31 */
#define GORT_ARCH_CALLEE_SAVED_FP 18   /* f14..f31 */
#define GORT_ARCH_CALLEE_SAVED_VEC 24  /* v20..v31: 12 registers of 128 bits */
#define GORT_ARCH_CALLEE_SAVED_OTHER 2 /* CR (fields cr2..cr4), VRSAVE */
#define GORT_ARCH_OTHER_CR 0           /* which other word is which */
#define GORT_ARCH_OTHER_VRSAVE 1
#define GORT_ARCH_CR_NONVOLATILE 0x00FFF000u /* cr2, cr3, cr4 in the 32-bit CR image */
#define GORT_ARCH_BLOCK_BACKCHAIN 0          /* the saved block's back-chain slot (ppc64le.S, fatal.cc) */
#else
#error "gort: no arch port for this CPU (see docs/PORTING.md)"
#endif

#define GORT_ARCH_CALLEE_SAVED \
  (GORT_ARCH_CALLEE_SAVED_INT + GORT_ARCH_CALLEE_SAVED_FP + GORT_ARCH_CALLEE_SAVED_VEC + GORT_ARCH_CALLEE_SAVED_OTHER)
// Where each kind of word starts in the probe's arrays.
#define GORT_ARCH_PROBE_FP_FIRST GORT_ARCH_CALLEE_SAVED_INT
#define GORT_ARCH_PROBE_VEC_FIRST (GORT_ARCH_PROBE_FP_FIRST + GORT_ARCH_CALLEE_SAVED_FP)
#define GORT_ARCH_PROBE_OTHER_FIRST (GORT_ARCH_PROBE_VEC_FIRST + GORT_ARCH_CALLEE_SAVED_VEC)

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

extern "C" {

// The saved context of a goroutine (or of an M's g0) that is not running.
// Invariant: sp points at a saved block built by a save (swap, mcall) or by
// gort_arch_gobuf_init, on the stack of the context it describes; pc is
// where that context resumes. A Gobuf of a running context is stale.
struct gort_gobuf {
  uintptr_t sp;
  uintptr_t pc;
};

// Prepares `buf` so that resuming it on a fresh stack whose highest usable
// address is `stack_hi` runs body(arg), then exit(arg), with the frame
// pointer zeroed and unwinding stopping at the entry trampoline. exit must
// not return (if it does, the trampoline traps).
void gort_arch_gobuf_init(gort_gobuf* buf, void* stack_hi, void (*body)(void*), void (*exit)(void*), void* arg);

// Resumes `to`. Never returns.
[[noreturn]] void gort_arch_gogo(const gort_gobuf* to);

#if GORT_MUTANTS
// Mutant gogo-forgets-callee-saved (gort/mutants.h), mutants builds only:
// gort_arch_gogo without restoring one callee-saved register (amd64 r15,
// arm64 x28, riscv64 s11, ppc64le r30), which keeps the caller's value.
[[noreturn]] void gort_arch_gogo_mutant_forget_reg(const gort_gobuf* to);
#endif

// Saves the current context into `save` and resumes `to`. Returns when
// somebody resumes `save`.
void gort_arch_swap(gort_gobuf* save, const gort_gobuf* to);

// Saves the current context into `save`, switches to the stack whose top is
// `g0_sp` (16-aligned) and calls fn(arg) there. fn must not return (the
// trampoline traps if it does). Returns when somebody resumes `save`.
void gort_arch_mcall(gort_gobuf* save, uintptr_t g0_sp, void (*fn)(void*), void* arg);

// Runs fn(arg) on the stack whose top is `g0_sp` (16-aligned) and returns
// its result on the caller's stack. fn must not throw.
uintptr_t gort_arch_systemstack(uintptr_t g0_sp, uintptr_t (*fn)(void*), void* arg);

// --- Conformance probes (used by gort archcheck; a port provides them) ---

// Loads every callee-saved register from in[0..GORT_ARCH_CALLEE_SAVED),
// calls fn(arg), then stores every callee-saved register into out[...],
// and returns with the caller's own registers intact. Other-state words
// are loaded and stored through gort_arch_probe_mask: bits outside it are
// neither loaded nor preserved, and read back as 0.
void gort_arch_probe_callee_saved(const uint64_t* in, uint64_t* out, void (*fn)(void*), void* arg);

// Returns the stack pointer as it was just before the call to this function
// (so that a caller with a correctly aligned frame sees an aligned value).
uintptr_t gort_arch_probe_sp(void);

// Reads and writes the callee-saved FP control state as one opaque word
// (amd64: mxcsr | x87cw << 32; arm64: fpcr; riscv64: frm; ppc64le:
// FPSCR's control byte, VE OE UE ZE XE NI RN in bits 7..0).
uint64_t gort_arch_fp_control_get(void);
void gort_arch_fp_control_set(uint64_t v);

// The ABI's initial FP control state, as gort_arch_fp_control_get reports it.
uint64_t gort_arch_fp_control_default(void);

// A different valid FP control state (another rounding mode), for tests.
uint64_t gort_arch_fp_control_alternate(void);

// The goroutine entry trampoline's code range: a backtrace taken inside a
// goroutine ends with a frame whose pc is in [entry, entry_end).
extern const char gort_arch_goroutine_entry[];
extern const char gort_arch_goroutine_entry_end[];

}  // extern "C"

// The bits of probe word i that are callee-saved state: every bit of a
// register word; for other state, the bits the ABI makes callee-saved
// (ppc64le: CR fields cr2..cr4, all 32 bits of VRSAVE).
constexpr uint64_t gort_arch_probe_mask(int i) {
#if GORT_ARCH_CALLEE_SAVED_OTHER > 0
  if (i == GORT_ARCH_PROBE_OTHER_FIRST + GORT_ARCH_OTHER_CR) return GORT_ARCH_CR_NONVOLATILE;
  if (i == GORT_ARCH_PROBE_OTHER_FIRST + GORT_ARCH_OTHER_VRSAVE) return 0xFFFFFFFFu;
#endif
  return i >= 0 && i < GORT_ARCH_CALLEE_SAVED ? ~uint64_t{0} : 0;
}

// What kind of state probe word i is, and its number within its kind
// (vector words: word 2n and 2n+1 are vector register n's two halves).
constexpr const char* gort_arch_probe_kind(int i) {
  return i < GORT_ARCH_PROBE_FP_FIRST      ? "integer"
         : i < GORT_ARCH_PROBE_VEC_FIRST   ? "FP"
         : i < GORT_ARCH_PROBE_OTHER_FIRST ? "vector"
                                           : "other";
}
constexpr int gort_arch_probe_index(int i) {
  return i < GORT_ARCH_PROBE_FP_FIRST      ? i
         : i < GORT_ARCH_PROBE_VEC_FIRST   ? i - GORT_ARCH_PROBE_FP_FIRST
         : i < GORT_ARCH_PROBE_OTHER_FIRST ? i - GORT_ARCH_PROBE_VEC_FIRST
                                           : i - GORT_ARCH_PROBE_OTHER_FIRST;
}

#if defined(__powerpc64__)
// ppc64le.S's probe addresses in/out by these word indices (it checks the
// byte offsets it derives from them too).
static_assert(GORT_ARCH_PROBE_VEC_FIRST == 36 && GORT_ARCH_PROBE_OTHER_FIRST == 60 && GORT_ARCH_CALLEE_SAVED == 62,
              "probe layout: ppc64le");
static_assert(GORT_ARCH_BLOCK_BACKCHAIN == 0, "the back chain is a frame's first word (ELFv2)");
#endif
static_assert(offsetof(gort_gobuf, sp) == GORT_GOBUF_SP, "Gobuf layout: sp");
static_assert(offsetof(gort_gobuf, pc) == GORT_GOBUF_PC, "Gobuf layout: pc");
static_assert(sizeof(gort_gobuf) == GORT_GOBUF_SIZE, "Gobuf layout: size");
#endif  // __ASSEMBLER__

#endif  // GORT_ARCH_ARCH_H
