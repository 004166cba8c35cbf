// The arch contract: everything a CPU port provides, and nothing else.
//
// This header is shared by C++ and by the one assembly file of each
// architecture (amd64.S, arm64.S, riscv64.S). A port implements every symbol
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
// every callee-saved integer and FP register and the FP control state, and
// its size keeps the stack 16-byte aligned once it is popped.
//
// Floating-point control state policy (all three ports): the control state
// (amd64 MXCSR control bits and x87 control word, arm64 FPCR, riscv64 frm in
// fcsr) is callee-saved in every supported ABI, and a goroutine switch looks
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

// Stack alignment every port keeps at every call (all three ABIs: 16).
#define GORT_ARCH_STACK_ALIGN 16

// Callee-saved register counts, as the probe reads and writes them:
// integer registers first, then floating-point registers.
#if defined(__x86_64__)
#define GORT_ARCH_NAME "amd64"
#define GORT_ARCH_CALLEE_SAVED_INT 6 /* rbx rbp r12 r13 r14 r15 */
#define GORT_ARCH_CALLEE_SAVED_FP 0  /* SysV: no callee-saved xmm */
#elif defined(__aarch64__)
#define GORT_ARCH_NAME "arm64"
#define GORT_ARCH_CALLEE_SAVED_INT 11 /* x19..x29 */
#define GORT_ARCH_CALLEE_SAVED_FP 8   /* d8..d15 */
#elif defined(__riscv) && __riscv_xlen == 64
#define GORT_ARCH_NAME "riscv64"
#define GORT_ARCH_CALLEE_SAVED_INT 12 /* s0..s11 */
#define GORT_ARCH_CALLEE_SAVED_FP 12  /* fs0..fs11 */
#else
#error "gort: no arch port for this CPU (see docs/PORTING.md)"
#endif

#define GORT_ARCH_CALLEE_SAVED (GORT_ARCH_CALLEE_SAVED_INT + GORT_ARCH_CALLEE_SAVED_FP)

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
// arm64 x28, riscv64 s11), which keeps the caller's value.
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
// and returns with the caller's own registers intact.
void gort_arch_probe_callee_saved(const uint64_t* in, uint64_t* out, void (*fn)(void*), void* arg);

// Returns the stack pointer as it was just before the call to this function
// (so that a caller with a correctly aligned frame sees an aligned value).
uintptr_t gort_arch_probe_sp(void);

// Reads and writes the callee-saved FP control state as one opaque word
// (amd64: mxcsr | x87cw << 32; arm64: fpcr; riscv64: frm).
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

static_assert(offsetof(gort_gobuf, sp) == GORT_GOBUF_SP, "Gobuf layout: sp");
static_assert(offsetof(gort_gobuf, pc) == GORT_GOBUF_PC, "Gobuf layout: pc");
static_assert(sizeof(gort_gobuf) == GORT_GOBUF_SIZE, "Gobuf layout: size");
#endif  // __ASSEMBLER__

#endif  // GORT_ARCH_ARCH_H
