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
// its creator's. Status/flag bits are caller-saved; a save may keep them
// with the control bits (amd64 does: storing MXCSR whole and loading it
// back costs less than masking it), which preserves more than the ABI asks.
//
// The other policy, Go's (Config::fp_control = kPerThread): the FP control
// state belongs to the thread, as in Go, whose gogo never touches it. The
// `_shared_fp` variants of swap, gogo and mcall neither read nor restore
// it; they use the same block layout, and a port whose block has a
// control slot writes the ABI's default there, so that a block one family
// saved is always valid for the other (a run uses one family throughout;
// mixing them must never fault, only reset the control state). On amd64 this
// saves the MXCSR store and load, about a third of a switch.
//
// Async preemption (see the section near the end): a signal handler
// redirects a goroutine running preemptible code into
// gort_arch_async_preempt, which saves every register the interrupted code
// may hold (not just the callee-saved ones), calls the runtime, and, when
// the goroutine is resumed, possibly on another thread, restores them all.
#ifndef GORT_ARCH_ARCH_H
#define GORT_ARCH_ARCH_H
// The assembler reads this header too (its directives, its layout):
// clang-format would reindent it as C++.
// clang-format off

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

// Async preemption's register-state image, as the torture probe
// (gort_arch_probe_async_regs) loads and dumps it: 64-bit words, in the
// per-CPU order below. Each port lists which words are which and which
// bits of the flags word are compared (the rest may differ legitimately).
#if defined(__x86_64__)
// [0..14]  rax rbx rcx rdx rsi rdi rbp r8 r9 r10 r11 r12 r13 r14 r15
// [15]     rflags (compared under GORT_ARCH_ASYNC_FLAGS_MASK: CF PF AF ZF SF DF OF)
// [16]     mxcsr (all 32 bits, status flags included) | x87 control word << 32
// [17..32] x87 st0..st7, 16 bytes each (80-bit value, zero-padded)
// [33..288] vector registers 0..31, 8 words each (zmm; xmm/ymm use the low 2/4)
// [289..296] opmask k0..k7 (AVX-512 only)
// [297..312] the red zone: 16 words below the probe's sp while it runs
#define GORT_ARCH_ASYNC_GPRS 15
#define GORT_ARCH_ASYNC_FLAGS 15
#define GORT_ARCH_ASYNC_FP_CONTROL 16
#define GORT_ARCH_ASYNC_X87 17
#define GORT_ARCH_ASYNC_VEC 33
#define GORT_ARCH_ASYNC_VEC_REGS 32
#define GORT_ARCH_ASYNC_VEC_WORDS 8
#define GORT_ARCH_ASYNC_OPMASK 289
#define GORT_ARCH_ASYNC_RED_ZONE 297
#define GORT_ARCH_ASYNC_RED_ZONE_WORDS 16
#define GORT_ARCH_ASYNC_WORDS 313
#define GORT_ARCH_ASYNC_FLAGS_MASK 0xCD5
#elif defined(__aarch64__)
// [0..30]  x0..x30
// [31]     nzcv (compared under GORT_ARCH_ASYNC_FLAGS_MASK: N Z C V)
// [32]     fpcr   [33] fpsr
// [34..97] q0..q31, 2 words each
#define GORT_ARCH_ASYNC_GPRS 31
#define GORT_ARCH_ASYNC_FLAGS 31
#define GORT_ARCH_ASYNC_FP_CONTROL 32
#define GORT_ARCH_ASYNC_FP_STATUS 33
#define GORT_ARCH_ASYNC_VEC 34
#define GORT_ARCH_ASYNC_VEC_REGS 32
#define GORT_ARCH_ASYNC_VEC_WORDS 2
#define GORT_ARCH_ASYNC_WORDS 98
#define GORT_ARCH_ASYNC_FLAGS_MASK 0xF0000000
// The resume trap's frame (arm64.S): byte offsets from sp at
// gort_arch_async_resume_trap, in the order of the kernel's sigcontext
// (regs[31], sp, pc, pstate): x0..x30 at 8 * n, then the interrupted sp,
// pc and NZCV (the flags word, N Z C V in bits 31..28), then FPSR, FPCR
// and q0..q31 (restored by the assembly before it traps). The frame record
// {x29, pc} lies right above the frame; above it, the interrupted sp.
#define GORT_ARCH_ASYNC_FRAME_X0 0
#define GORT_ARCH_ASYNC_FRAME_SP 248
#define GORT_ARCH_ASYNC_FRAME_PC 256
#define GORT_ARCH_ASYNC_FRAME_FLAGS 264
#define GORT_ARCH_ASYNC_FRAME_FPSR 272
#define GORT_ARCH_ASYNC_FRAME_FPCR 280
#define GORT_ARCH_ASYNC_FRAME_Q0 288
#define GORT_ARCH_ASYNC_FRAME_SIZE 800
#elif defined(__riscv) && __riscv_xlen == 64
// [0..30]  x1..x31 (word n - 1 is xn); x2 (sp) is the probe's own stack
//          pointer and x3 (gp) and x4 (tp) belong to the ABI: the probe
//          neither loads nor compares them (their words, 1..3, are
//          ignored: GORT_ARCH_ASYNC_IGNORED)
// [31]     fcsr (frm and fflags)
// [32..63] f0..f31
#define GORT_ARCH_ASYNC_GPRS 31
#define GORT_ARCH_ASYNC_FP_CONTROL 31
#define GORT_ARCH_ASYNC_VEC 32
#define GORT_ARCH_ASYNC_VEC_REGS 32
#define GORT_ARCH_ASYNC_VEC_WORDS 1
#define GORT_ARCH_ASYNC_WORDS 64
#define GORT_ARCH_ASYNC_IGNORED 0xEull /* words 1, 2, 3: sp, gp, tp */
// The resume trap's frame (riscv64.S): byte offsets from sp at
// gort_arch_async_resume_trap, in the order of the kernel's __gregs:
// the interrupted pc at 0, xn at 8 * n for n = 1..31 (x2's slot holds the
// interrupted sp; gp's and tp's are saved but never loaded back: the
// thread's own stay), then fcsr and f0..f31 (restored by the assembly
// before it traps). The frame record {s0, ra = pc} lies right above the
// frame, and s0 points just above it (the interrupted sp).
#define GORT_ARCH_ASYNC_FRAME_PC 0
#define GORT_ARCH_ASYNC_FRAME_X0 0
#define GORT_ARCH_ASYNC_FRAME_SP 16
#define GORT_ARCH_ASYNC_FRAME_FCSR 256
#define GORT_ARCH_ASYNC_FRAME_F0 264
#define GORT_ARCH_ASYNC_FRAME_SIZE 528
#elif defined(__powerpc64__)
// [0..31]  r0..r31 (word n is rn); r1 is the probe's own stack pointer and
//          r13 the thread pointer (ELFv2: it belongs to the thread, and a
//          goroutine may resume on another): the probe neither loads nor
//          compares them (GORT_ARCH_ASYNC_IGNORED). r2, the TOC pointer, is
//          loaded with random values like any other: gort_arch_async_preempt
//          computes its own TOC before it calls the runtime.
// [32]     CR (all eight fields)
// [33]     XER (compared under GORT_ARCH_ASYNC_XER_MASK)
// [34]     LR   [35] CTR
// [36]     FPSCR, all 64 bits as mffs reads them (compared under
//          GORT_ARCH_ASYNC_FPSCR_MASK; the probe loads no exception enable)
// [37]     VRSAVE (32 bits)
// [38]     VSCR (NJ and SAT, GORT_ARCH_ASYNC_VSCR_MASK)
// [39..166] vs0..vs63, 2 words each, as stxvd2x stores them (vs0..vs31's
//          first word is f0..f31; vs32..vs63 are v0..v31)
#define GORT_ARCH_ASYNC_GPRS 32
#define GORT_ARCH_ASYNC_FLAGS 32
#define GORT_ARCH_ASYNC_XER 33
#define GORT_ARCH_ASYNC_LR 34
#define GORT_ARCH_ASYNC_CTR 35
#define GORT_ARCH_ASYNC_FP_CONTROL 36
#define GORT_ARCH_ASYNC_VRSAVE 37
#define GORT_ARCH_ASYNC_VSCR 38
#define GORT_ARCH_ASYNC_VEC 39
#define GORT_ARCH_ASYNC_VEC_REGS 64
#define GORT_ARCH_ASYNC_VEC_WORDS 2
#define GORT_ARCH_ASYNC_WORDS 167
#define GORT_ARCH_ASYNC_FLAGS_MASK 0xFFFFFFFFull
// XER: SO OV CA (bits 31..29), OV32 CA32 (ISA 3.0, bits 19..18) and the
// string instructions' byte count (bits 6..0); the rest is reserved.
#define GORT_ARCH_ASYNC_XER_MASK 0xE00C007Full
// FPSCR: every defined bit but FEX and VX (bits 30, 29), which the CPU
// computes from the others and mtfsf cannot set, and the exception enables
// VE OE UE ZE XE (bits 7..3), which the probe leaves clear (an enabled
// exception with its status bit set is a pending trap). DRN (bits 34..32,
// the decimal rounding mode) is saved and restored (mffs, mtfsf with L = 1)
// but not compared: qemu-user drops what mtfsf writes there.
#define GORT_ARCH_ASYNC_FPSCR_MASK 0x9FFFF707ull
#define GORT_ARCH_ASYNC_VSCR_MASK 0x00010001ull /* NJ, SAT */
#define GORT_ARCH_ASYNC_IGNORED 0x2002ull       /* words 1, 13: r1, r13 */
// The resume trap's frame (ppc64le.S): byte offsets from r1 at
// gort_arch_async_resume_trap. The frame is an ABI stack frame: its back
// chain (0) is the interrupted r1, and 8..31 are the CR, LR and TOC save
// slots of the runtime's call. rn at 32 + 8 * n (r1's slot holds the
// interrupted r1; r13's is saved but never loaded back), then the
// interrupted pc, CTR, LR, XER and CR, which the trap handler loads; then
// FPSCR, VRSAVE, the word the frame record overwrote (below), VSCR
// (16 bytes, as stvx stores it) and vs0..vs63 (16 bytes each), which the
// assembly restores before it traps. The interrupted pc is also stored at
// 16 of the interrupted r1 (where a real call would have put its return
// address), so the back chain names it; the word there is put back before
// the trap.
#define GORT_ARCH_ASYNC_FRAME_BACKCHAIN 0
#define GORT_ARCH_ASYNC_FRAME_R0 32
#define GORT_ARCH_ASYNC_FRAME_PC 288
#define GORT_ARCH_ASYNC_FRAME_CTR 296
#define GORT_ARCH_ASYNC_FRAME_LR 304
#define GORT_ARCH_ASYNC_FRAME_XER 312
#define GORT_ARCH_ASYNC_FRAME_CR 320
#define GORT_ARCH_ASYNC_FRAME_FPSCR 328
#define GORT_ARCH_ASYNC_FRAME_VRSAVE 336
#define GORT_ARCH_ASYNC_FRAME_LR_SLOT 344
#define GORT_ARCH_ASYNC_FRAME_VSCR 352
#define GORT_ARCH_ASYNC_FRAME_VS0 368
#define GORT_ARCH_ASYNC_FRAME_SIZE 1392
// ELFv2's red zone: leaf code may keep live data in the 288 bytes below
// r1, so the injected call starts below it.
#define GORT_ARCH_ASYNC_RED_ZONE_BYTES 288
#endif

// Words of the image a port's probe neither loads nor compares (a bit per
// word index below 64).
#ifndef GORT_ARCH_ASYNC_IGNORED
#define GORT_ARCH_ASYNC_IGNORED 0ull
#endif

#ifdef __ASSEMBLER__
// The runtime's side of async preemption (gort_rt_async_preempted, below),
// weak in every port: a program that links the arch layer without the
// runtime (a fuzz target, the switch benchmark) never preempts, and a
// static link that lists the runtime's archive before this one must not
// fail on it. Wherever the runtime is linked, its async_preempt.cc (which
// the runtime itself references) defines it.
	.weak	gort_rt_async_preempted
#endif

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

// Go's FP policy (see the top of this file): swap, gogo and mcall that
// leave the FP control state alone.
void gort_arch_swap_shared_fp(gort_gobuf* save, const gort_gobuf* to);
[[noreturn]] void gort_arch_gogo_shared_fp(const gort_gobuf* to);
void gort_arch_mcall_shared_fp(gort_gobuf* save, uintptr_t g0_sp, void (*fn)(void*), void* arg);

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

// --- Async preemption ---
//
// The handler of the preemption signal (platform/preempt_signal.cc) decides
// whether the interrupted pc is at a safe point; if so it rewrites the
// signal context so that, when the handler returns, the thread runs
// gort_arch_async_preempt as if the interrupted code had called it there:
//   amd64: sp -= 128 (the red zone is never touched), push the pc;
//   arm64, riscv64: sp -= 16 (keeping 16-byte alignment), store the pc at
//     [sp]; lr/ra keeps the interrupted value;
//   ppc64le: r1 -= 288 (ELFv2's red zone) + 16, the pc at [r1] and the
//     interrupted r1 at [r1 + 8] (the assembly cannot tell how far below
//     the red zone took it otherwise); LR keeps the interrupted value.
// gort_arch_async_preempt then
//   1. saves every register the interrupted code may hold, each port's
//      whole user state: the general registers, the flags, the FP/vector
//      registers (amd64: xsave of x87, SSE, AVX and AVX-512 state) and the
//      FP control and status registers, on the goroutine's stack;
//   2. clears what the C++ ABI needs clear at a call (amd64: DF; MXCSR and
//      the x87 control word to their defaults) and aligns the stack;
//   3. calls gort_rt_async_preempted(pc, sp), the runtime's, with the
//      interrupted pc and sp;
//   4. when that returns (the goroutine was rescheduled, maybe on another
//      thread), restores every register bit for bit and resumes at pc with
//      sp as it was. amd64 ends in `ret $128`. The other CPUs cannot jump
//      to an arbitrary pc without a scratch register, and the interrupted
//      code may have every register live, so they restore the FP/vector
//      state and end in a trap instruction at gort_arch_async_resume_trap:
//      the platform's handler for that trap (SIGTRAP) loads the saved
//      general registers, flags, sp and pc from the frame at sp into the
//      signal context, and the kernel's sigreturn restores them exactly.
//
// The frame gort_arch_async_preempt builds is also a frame record (amd64:
// [rbp] = the interrupted rbp, [rbp+8] = pc; arm64: x29 = {x29, pc};
// riscv64: s0 points just above {ra = pc, s0}; ppc64le: the frame's back
// chain is the interrupted r1, and pc is at 16 of it, the LR save slot a
// real call would have written), so frame-pointer walkers
// and the CFI (marked a signal frame) show the interrupted function next.

// Non-zero when this CPU and OS support the port's async preemption (amd64:
// XSAVE enabled by the OS, and XSAVE's standard-format area for the
// components the OS enables fits the save area; arm64, riscv64: always;
// ppc64le: always, since its Linux baseline is POWER8, which has VMX and
// VSX, and the kernel saves both in signal frames).
int gort_arch_async_preempt_supported(void);

// The code the signal handler redirects to (never called directly).
void gort_arch_async_preempt(void);

// Stack bytes gort_arch_async_preempt uses below the interrupted sp, before
// it calls the runtime (the runtime's own frames come on top).
#define GORT_ARCH_ASYNC_PREEMPT_FRAME 4096

#if !defined(__x86_64__)
// Where gort_arch_async_preempt traps to resume (see 4 above), and the
// layout of the general-register frame at sp when it does
// (GORT_ARCH_ASYNC_FRAME_*, in the per-CPU block above).
extern const char gort_arch_async_resume_trap[];
#endif

// Provided by the runtime (async_preempt.cc): the goroutine was
// interrupted at pc with stack pointer sp; every register is saved. Returns
// when the goroutine runs again.
void gort_rt_async_preempted(uintptr_t pc, uintptr_t sp);

// The vector state the CPU has (amd64: 0 SSE, 1 AVX, 2 AVX-512; the other
// ports: 0), for the torture probe's `level`.
int gort_arch_async_vector_level(void);

// The torture probe, in preemptible code: loads every register of the
// image above (GORT_ARCH_ASYNC_WORDS words) from `in` (vector registers as
// `level` says; the red-zone words below sp), spins a few microseconds
// with every one of them live, then stores them all into `out`, and
// returns with the caller's callee-saved registers and FP control state
// intact. A preemption landing while it spins must change nothing.
void gort_arch_probe_async_regs(const uint64_t* in, uint64_t* out, int level);

// Single-stepping, for sim's deterministic async preemption
// (async_preempt.h): with `on` non-zero, sets the CPU's trace flag so that
// the kernel raises SIGTRAP (si_code TRAP_TRACE) after every user-mode
// instruction from the one after the next; with 0, clears it. The flag is
// per thread, survives the arch layer's switches (no switch saves or loads
// it), and is cleared in signal handlers and restored by sigreturn. A port
// that cannot trace itself from user mode (arm64, riscv64 and ppc64le need
// ptrace) defines GORT_ARCH_SINGLE_STEP 0 and does not provide it.
#if defined(__x86_64__)
#define GORT_ARCH_SINGLE_STEP 1
void gort_arch_single_step(int on);
#else
#define GORT_ARCH_SINGLE_STEP 0
#endif

#if defined(__x86_64__)
// The minimal switch, a benchmark's reference only (bench/): push the six
// callee-saved registers, store sp into *save_sp, load *to_sp, pop, and
// jump to the popped return address. No FP state, no Gobuf.
void gort_arch_bench_minimal_swap(void** save_sp, void** to_sp);
#endif

#if GORT_MUTANTS
// The async-preemption mutants (gort/mutants.h), mutants builds only:
// gort_arch_async_preempt with one bug each, selected by the runtime.
void gort_arch_async_preempt_mutant_vector_upper(void);  // AVX upper halves not restored
void gort_arch_async_preempt_mutant_flags(void);         // flags not restored
void gort_arch_async_preempt_mutant_fp_reg(void);        // one FP register not restored
void gort_arch_async_preempt_mutant_misaligned(void);    // stack misaligned at the call
#endif

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

// clang-format on
#endif  // GORT_ARCH_ARCH_H
