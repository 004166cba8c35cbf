// arm64 (AAPCS64) context-switch trampolines. The contract is arch.h.
//
// Saved block, lowest address first (20 slots, 160 bytes):
//   [0]  x19   [1]  x20   [2]  x21   [3]  x22   [4]  x23   [5]  x24
//   [6]  x25   [7]  x26   [8]  x27   [9]  x28   [10] x29 (fp)
//   [11] fpcr
//   [12] d8    [13] d9    [14] d10   [15] d11   [16] d12   [17] d13
//   [18] d14   [19] d15
// AAPCS64 preserves only the low 64 bits of v8..v15, so d8..d15 suffice.
// The return address is in x30 (lr), not on the stack: a save stores lr in
// Gobuf.pc, so once the block is popped sp is exactly the caller's sp at its
// `bl`; resuming is `br pc`, never a `ret` that mismatches its call (the
// return-stack predictor only pushes on bl/blr and pops on ret).
// x18 (the platform register) is not saved: on Linux it is a scratch
// register, and a goroutine must not carry one thread's platform state to
// another.
//
// Fresh goroutine (gort_arch_gobuf_init): x19 = body, x20 = exit, x21 = arg,
// the other registers zero, fpcr at the ABI's initial value (0: round to
// nearest, no traps, no flush-to-zero, IEEE NaNs), and
// pc = gort_arch_goroutine_entry.
//
// FP control: FPCR is callee-saved under AAPCS64, so it is part of the block
// (arch.h's policy). FPSR holds only cumulative status flags, which are
// caller-saved, so it is neither saved nor restored.
//
// The _shared_fp family (Go's policy, arch.h) uses the same block, neither
// reads nor writes FPCR, and stores FPCR_DEFAULT in the slot (xzr), so
// that a preserving resume of such a block is valid (arch.h).
//
// Not BTI-ready: `br` to a saved return address needs no landing pad only
// while the pages are not BTI-guarded, and this file emits no GNU property
// note, so linking it turns BTI off for the executable.

#include "arch.h"

#define FPCR_DEFAULT 0              /* round to nearest, no traps, IEEE */
#define FPCR_ALTERNATE 0x00C00000   /* RMode (bits 23:22) = 0b11: toward zero */
#define BLOCK_SIZE 160

	.text

// Pushes the callee-saved state. Entry: return address in x30.
// Exit: sp = saved block, x30 untouched. Clobbers x10.
// \fp: "" or _SHARED_FP (no FPCR read: the slot gets FPCR_DEFAULT).
.macro SAVE_CONTEXT fp=
	stp	x19, x20, [sp, #-BLOCK_SIZE]!
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
.ifc \fp,_SHARED_FP
	stp	x29, xzr, [sp, #80]      // FPCR_DEFAULT is 0
.else
	mrs	x10, fpcr
	stp	x29, x10, [sp, #80]
.endif
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
.endm

// Pops a saved block at sp. Clobbers x10 and x11 (so x9 can hold the
// resume pc). FPCR is written only when it changes: the write can be
// context-synchronizing, and most switches keep the default mode.
.macro RESTORE_CONTEXT fp=
.ifc \fp,_SHARED_FP
	ldr	x29, [sp, #80]
.else
	ldp	x29, x10, [sp, #80]
	mrs	x11, fpcr
	cmp	x10, x11
	b.eq	1f
	msr	fpcr, x10
1:
.endif
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	ldp	x19, x20, [sp], #BLOCK_SIZE
.endm

// The current context into the Gobuf at \buf. Clobbers x10.
.macro SAVE_INTO buf, fp=
	SAVE_CONTEXT \fp
	mov	x10, sp
	str	x10, [\buf, #GORT_GOBUF_SP]
	str	x30, [\buf, #GORT_GOBUF_PC]
.endm

// Resumes the Gobuf at \buf: its stack, its registers, its pc.
.macro RESUME_FROM buf, fp=
	ldr	x9, [\buf, #GORT_GOBUF_PC]
	ldr	x10, [\buf, #GORT_GOBUF_SP]
	mov	sp, x10
	RESTORE_CONTEXT \fp
	br	x9
.endm

.macro FUNC name
	.globl	\name
	.type	\name, %function
	.p2align 4
\name:
.endm

.macro ENDFUNC name
	.size	\name, .-\name
.endm

// void gort_arch_gobuf_init(gort_gobuf* buf /*x0*/, void* stack_hi /*x1*/,
//                           void (*body)(void*) /*x2*/, void (*exit)(void*) /*x3*/,
//                           void* arg /*x4*/)
FUNC gort_arch_gobuf_init
	.cfi_startproc
	and	x1, x1, #-16             // popped block leaves sp 16-aligned
	sub	x9, x1, #BLOCK_SIZE
	stp	x2, x3, [x9, #0]         // x19 = body, x20 = exit
	stp	x4, xzr, [x9, #16]       // x21 = arg, x22
	stp	xzr, xzr, [x9, #32]      // x23 x24
	stp	xzr, xzr, [x9, #48]      // x25 x26
	stp	xzr, xzr, [x9, #64]      // x27 x28
	mov	x10, #FPCR_DEFAULT
	stp	xzr, x10, [x9, #80]      // x29, fpcr
	stp	xzr, xzr, [x9, #96]      // d8 d9
	stp	xzr, xzr, [x9, #112]     // d10 d11
	stp	xzr, xzr, [x9, #128]     // d12 d13
	stp	xzr, xzr, [x9, #144]     // d14 d15
	str	x9, [x0, #GORT_GOBUF_SP]
	adr	x10, .Lgoroutine_entry       // local: no GOT even in a .so
	str	x10, [x0, #GORT_GOBUF_PC]
	ret
	.cfi_endproc
ENDFUNC gort_arch_gobuf_init

// void gort_arch_gogo(const gort_gobuf* to /*x0*/)
FUNC gort_arch_gogo
	.cfi_startproc
	RESUME_FROM x0
	.cfi_endproc
ENDFUNC gort_arch_gogo

FUNC gort_arch_gogo_shared_fp
	.cfi_startproc
	RESUME_FROM x0, _SHARED_FP
	.cfi_endproc
ENDFUNC gort_arch_gogo_shared_fp

#if GORT_MUTANTS
// Mutant gogo-forgets-callee-saved (gort/mutants.h), mutants builds only:
// gort_arch_gogo, except that x28 keeps the resuming thread's value
// instead of the saved one. x28 because the entry trampoline does not use
// it: fresh goroutines still start, and only code that kept something in
// x28 across a switch sees the bug.
// void gort_arch_gogo_mutant_forget_reg(const gort_gobuf* to /*x0*/)
FUNC gort_arch_gogo_mutant_forget_reg
	.cfi_startproc
	mov	x12, x28                 // RESTORE_CONTEXT leaves x12 alone
	ldr	x9, [x0, #GORT_GOBUF_PC]
	ldr	x10, [x0, #GORT_GOBUF_SP]
	mov	sp, x10
	RESTORE_CONTEXT
	mov	x28, x12
	br	x9
	.cfi_endproc
ENDFUNC gort_arch_gogo_mutant_forget_reg
#endif

// void gort_arch_swap(gort_gobuf* save /*x0*/, const gort_gobuf* to /*x1*/)
FUNC gort_arch_swap
	.cfi_startproc
	SAVE_INTO x0
	RESUME_FROM x1
	.cfi_endproc
ENDFUNC gort_arch_swap

FUNC gort_arch_swap_shared_fp
	.cfi_startproc
	SAVE_INTO x0, _SHARED_FP
	RESUME_FROM x1, _SHARED_FP
	.cfi_endproc
ENDFUNC gort_arch_swap_shared_fp

// void gort_arch_mcall(gort_gobuf* save /*x0*/, uintptr_t g0_sp /*x1*/,
//                      void (*fn)(void*) /*x2*/, void* arg /*x3*/)
.macro MCALL fp=
	.cfi_startproc
	SAVE_INTO x0, \fp
	mov	sp, x1
	// From here on we are on g0's fresh stack: nothing above to unwind to.
	.cfi_undefined x30
	mov	x29, xzr                 // frame-record walkers stop here too
	mov	x0, x3
	blr	x2
	brk	#0                       // fn returned: a runtime bug
	.cfi_endproc
.endm

FUNC gort_arch_mcall
	MCALL
ENDFUNC gort_arch_mcall

FUNC gort_arch_mcall_shared_fp
	MCALL _SHARED_FP
ENDFUNC gort_arch_mcall_shared_fp

// uintptr_t gort_arch_systemstack(uintptr_t g0_sp /*x0*/, uintptr_t (*fn)(void*) /*x1*/,
//                                 void* arg /*x2*/)
FUNC gort_arch_systemstack
	.cfi_startproc
	stp	x29, x30, [sp, #-16]!
	.cfi_def_cfa_offset 16
	.cfi_offset x29, -16
	.cfi_offset x30, -8
	mov	x29, sp
	// fn preserves x29, so both the CFI unwinder and frame-record walkers
	// follow it from g0's stack back to the caller's.
	.cfi_def_cfa x29, 16
	mov	sp, x0
	mov	x0, x2
	blr	x1
	mov	sp, x29
	.cfi_def_cfa sp, 16
	ldp	x29, x30, [sp], #16
	.cfi_def_cfa_offset 0
	.cfi_restore x29
	.cfi_restore x30
	ret
	.cfi_endproc
ENDFUNC gort_arch_systemstack

// The first frame of every goroutine. Entered by a resume of a Gobuf built by
// gort_arch_gobuf_init: x19 = body, x20 = exit, x21 = arg, sp 16-aligned.
FUNC gort_arch_goroutine_entry
.Lgoroutine_entry:
	.cfi_startproc
	.cfi_undefined x30               // unwinding stops here
	mov	x29, xzr                 // frame-record walkers stop here too
	mov	x30, xzr                 // no stale return address to mistake for a caller
	mov	x0, x21
	blr	x19
	mov	x0, x21
	blr	x20
	brk	#0                       // exit returned: a runtime bug
	.cfi_endproc
	.globl	gort_arch_goroutine_entry_end
gort_arch_goroutine_entry_end:
ENDFUNC gort_arch_goroutine_entry

// void gort_arch_probe_callee_saved(const uint64_t* in /*x0*/, uint64_t* out /*x1*/,
//                                   void (*fn)(void*) /*x2*/, void* arg /*x3*/)
// in/out order: x19..x29, then d8..d15.
// Frame (176 bytes): x29 x30 | x19..x28 | d8..d15 | out | pad.
FUNC gort_arch_probe_callee_saved
	.cfi_startproc
	stp	x29, x30, [sp, #-176]!
	.cfi_def_cfa_offset 176
	.cfi_offset x29, -176
	.cfi_offset x30, -168
	stp	x19, x20, [sp, #16]
	.cfi_offset x19, -160
	.cfi_offset x20, -152
	stp	x21, x22, [sp, #32]
	.cfi_offset x21, -144
	.cfi_offset x22, -136
	stp	x23, x24, [sp, #48]
	.cfi_offset x23, -128
	.cfi_offset x24, -120
	stp	x25, x26, [sp, #64]
	.cfi_offset x25, -112
	.cfi_offset x26, -104
	stp	x27, x28, [sp, #80]
	.cfi_offset x27, -96
	.cfi_offset x28, -88
	stp	d8, d9, [sp, #96]
	.cfi_offset d8, -80
	.cfi_offset d9, -72
	stp	d10, d11, [sp, #112]
	.cfi_offset d10, -64
	.cfi_offset d11, -56
	stp	d12, d13, [sp, #128]
	.cfi_offset d12, -48
	.cfi_offset d13, -40
	stp	d14, d15, [sp, #144]
	.cfi_offset d14, -32
	.cfi_offset d15, -24
	str	x1, [sp, #160]
	// x29 now holds a random value, so the CFA stays sp-based.
	ldp	x19, x20, [x0, #0]
	ldp	x21, x22, [x0, #16]
	ldp	x23, x24, [x0, #32]
	ldp	x25, x26, [x0, #48]
	ldp	x27, x28, [x0, #64]
	ldr	x29, [x0, #80]
	ldp	d8, d9, [x0, #88]
	ldp	d10, d11, [x0, #104]
	ldp	d12, d13, [x0, #120]
	ldp	d14, d15, [x0, #136]
	mov	x0, x3
	blr	x2
	ldr	x9, [sp, #160]
	stp	x19, x20, [x9, #0]
	stp	x21, x22, [x9, #16]
	stp	x23, x24, [x9, #32]
	stp	x25, x26, [x9, #48]
	stp	x27, x28, [x9, #64]
	str	x29, [x9, #80]
	stp	d8, d9, [x9, #88]
	stp	d10, d11, [x9, #104]
	stp	d12, d13, [x9, #120]
	stp	d14, d15, [x9, #136]
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	ldp	x29, x30, [sp], #176
	.cfi_def_cfa_offset 0
	.cfi_restore x29
	.cfi_restore x30
	.cfi_restore x19
	.cfi_restore x20
	.cfi_restore x21
	.cfi_restore x22
	.cfi_restore x23
	.cfi_restore x24
	.cfi_restore x25
	.cfi_restore x26
	.cfi_restore x27
	.cfi_restore x28
	.cfi_restore d8
	.cfi_restore d9
	.cfi_restore d10
	.cfi_restore d11
	.cfi_restore d12
	.cfi_restore d13
	.cfi_restore d14
	.cfi_restore d15
	ret
	.cfi_endproc
ENDFUNC gort_arch_probe_callee_saved

// uintptr_t gort_arch_probe_sp(void): a `bl` pushes nothing, so the
// caller's sp at the call is sp here.
FUNC gort_arch_probe_sp
	.cfi_startproc
	mov	x0, sp
	ret
	.cfi_endproc
ENDFUNC gort_arch_probe_sp

// uint64_t gort_arch_fp_control_get(void): fpcr (it holds no status bits)
FUNC gort_arch_fp_control_get
	.cfi_startproc
	mrs	x0, fpcr
	ret
	.cfi_endproc
ENDFUNC gort_arch_fp_control_get

// void gort_arch_fp_control_set(uint64_t v /*x0*/)
FUNC gort_arch_fp_control_set
	.cfi_startproc
	msr	fpcr, x0
	ret
	.cfi_endproc
ENDFUNC gort_arch_fp_control_set

FUNC gort_arch_fp_control_default
	.cfi_startproc
	mov	x0, #FPCR_DEFAULT
	ret
	.cfi_endproc
ENDFUNC gort_arch_fp_control_default

FUNC gort_arch_fp_control_alternate
	.cfi_startproc
	mov	x0, #FPCR_ALTERNATE
	ret
	.cfi_endproc
ENDFUNC gort_arch_fp_control_alternate

// --- Async preemption (arch.h) ---
//
// The frame gort_arch_async_preempt builds, from the interrupted sp (S)
// down (byte offsets from B, its lowest address, are arch.h's
// GORT_ARCH_ASYNC_FRAME_*):
//   S-16    the frame record {x29, pc}: the handler stored pc at S-16
//           (sp -= 16), the record keeps it at S-8; x29 points at S-16
//   B+800   = S-16
//   B+288   q0..q31, 16 bytes each (restored before the trap)
//   B+280   fpcr     B+272  fpsr (restored before the trap)
//   B+264   nzcv (the flags word, as `mrs nzcv` reads it)
//   B+256   pc       B+248  the interrupted sp (S)
//   B+0     x0..x30, 8 bytes each
// sp = B at the call of gort_rt_async_preempted and at the trap: the
// resume-trap handler (platform/preempt_signal.cc) loads x0..x30, sp, pc
// and NZCV from B into the signal context, and sigreturn resumes the
// interrupted code with every register as it was. The FP/SIMD state the
// kernel saved in the signal frame is the restored one, so sigreturn puts
// it back unchanged. x18 is restored like any other register (a scratch
// register on Linux); TPIDR_EL0 is the thread's and not touched.
//
// CFI: a signal frame whose return column (x30) is the interrupted pc;
// x0..x29 are at their slots. An unwinder that goes on into a leaf
// function whose live return address is in x30 sees the pc there, not
// x30 (a limitation of having one return column).

#define AF_SIZE GORT_ARCH_ASYNC_FRAME_SIZE
#define AF_SP GORT_ARCH_ASYNC_FRAME_SP
#define AF_FLAGS GORT_ARCH_ASYNC_FRAME_FLAGS
#define AF_FPSR GORT_ARCH_ASYNC_FRAME_FPSR
#define AF_Q0 GORT_ARCH_ASYNC_FRAME_Q0
#define RESUME_BRK 0x4750              /* "GP": the resume trap's brk immediate */

#if AF_SP != 248 || GORT_ARCH_ASYNC_FRAME_PC != 256 || AF_FLAGS != 264 || AF_FPSR != 272 || \
    GORT_ARCH_ASYNC_FRAME_FPCR != 280 || AF_Q0 != 288 || AF_SIZE != 800
#error "arm64.S: the resume frame's layout disagrees with arch.h"
#endif

FUNC gort_arch_async_preempt
	.cfi_startproc
	.cfi_signal_frame
	.cfi_def_cfa sp, 16              // entry: sp = S - 16, [sp] = pc
	.cfi_offset x30, -16
	sub	sp, sp, #AF_SIZE         // SUB (immediate) leaves NZCV alone
	.cfi_adjust_cfa_offset AF_SIZE
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
	.cfi_offset x0, 0 - AF_SIZE - 16
	.cfi_offset x1, 8 - AF_SIZE - 16
	.cfi_offset x2, 16 - AF_SIZE - 16
	.cfi_offset x3, 24 - AF_SIZE - 16
	.cfi_offset x4, 32 - AF_SIZE - 16
	.cfi_offset x5, 40 - AF_SIZE - 16
	.cfi_offset x6, 48 - AF_SIZE - 16
	.cfi_offset x7, 56 - AF_SIZE - 16
	.cfi_offset x8, 64 - AF_SIZE - 16
	.cfi_offset x9, 72 - AF_SIZE - 16
	.cfi_offset x10, 80 - AF_SIZE - 16
	.cfi_offset x11, 88 - AF_SIZE - 16
	.cfi_offset x12, 96 - AF_SIZE - 16
	.cfi_offset x13, 104 - AF_SIZE - 16
	.cfi_offset x14, 112 - AF_SIZE - 16
	.cfi_offset x15, 120 - AF_SIZE - 16
	.cfi_offset x16, 128 - AF_SIZE - 16
	.cfi_offset x17, 136 - AF_SIZE - 16
	.cfi_offset x18, 144 - AF_SIZE - 16
	.cfi_offset x19, 152 - AF_SIZE - 16
	.cfi_offset x20, 160 - AF_SIZE - 16
	.cfi_offset x21, 168 - AF_SIZE - 16
	.cfi_offset x22, 176 - AF_SIZE - 16
	.cfi_offset x23, 184 - AF_SIZE - 16
	.cfi_offset x24, 192 - AF_SIZE - 16
	.cfi_offset x25, 200 - AF_SIZE - 16
	.cfi_offset x26, 208 - AF_SIZE - 16
	.cfi_offset x27, 216 - AF_SIZE - 16
	.cfi_offset x28, 224 - AF_SIZE - 16
	.cfi_offset x29, 232 - AF_SIZE - 16
	mrs	x0, nzcv
	str	x0, [sp, #AF_FLAGS]
	mrs	x0, fpsr
	mrs	x1, fpcr
	stp	x0, x1, [sp, #AF_FPSR]
	stp	q0, q1, [sp, #AF_Q0 + 0]
	stp	q2, q3, [sp, #AF_Q0 + 32]
	stp	q4, q5, [sp, #AF_Q0 + 64]
	stp	q6, q7, [sp, #AF_Q0 + 96]
	stp	q8, q9, [sp, #AF_Q0 + 128]
	stp	q10, q11, [sp, #AF_Q0 + 160]
	stp	q12, q13, [sp, #AF_Q0 + 192]
	stp	q14, q15, [sp, #AF_Q0 + 224]
	stp	q16, q17, [sp, #AF_Q0 + 256]
	stp	q18, q19, [sp, #AF_Q0 + 288]
	stp	q20, q21, [sp, #AF_Q0 + 320]
	stp	q22, q23, [sp, #AF_Q0 + 352]
	stp	q24, q25, [sp, #AF_Q0 + 384]
	stp	q26, q27, [sp, #AF_Q0 + 416]
	stp	q28, q29, [sp, #AF_Q0 + 448]
	stp	q30, q31, [sp, #AF_Q0 + 480]
	add	x2, sp, #AF_SIZE         // S - 16
	ldr	x0, [x2]                 // pc
	add	x1, x2, #16              // S
	stp	x1, x0, [sp, #AF_SP]     // sp, pc
	stp	x29, x0, [x2]            // the frame record
	mov	x29, x2
	.cfi_def_cfa x29, 16
	.cfi_offset x29, -16
	.cfi_offset x30, -8
	// What the C ABI assumes at a call: FPCR at its default (round to
	// nearest, no traps, no flush-to-zero). FPSR's flags are caller-saved.
	msr	fpcr, xzr
	bl	gort_rt_async_preempted  // (pc, sp); sp = B is 16-aligned
	ldp	q0, q1, [sp, #AF_Q0 + 0]
	ldp	q2, q3, [sp, #AF_Q0 + 32]
	ldp	q4, q5, [sp, #AF_Q0 + 64]
	ldp	q6, q7, [sp, #AF_Q0 + 96]
	ldp	q8, q9, [sp, #AF_Q0 + 128]
	ldp	q10, q11, [sp, #AF_Q0 + 160]
	ldp	q12, q13, [sp, #AF_Q0 + 192]
	ldp	q14, q15, [sp, #AF_Q0 + 224]
	ldp	q16, q17, [sp, #AF_Q0 + 256]
	ldp	q18, q19, [sp, #AF_Q0 + 288]
	ldp	q20, q21, [sp, #AF_Q0 + 320]
	ldp	q22, q23, [sp, #AF_Q0 + 352]
	ldp	q24, q25, [sp, #AF_Q0 + 384]
	ldp	q26, q27, [sp, #AF_Q0 + 416]
	ldp	q28, q29, [sp, #AF_Q0 + 448]
	ldp	q30, q31, [sp, #AF_Q0 + 480]
	ldp	x0, x1, [sp, #AF_FPSR]
	msr	fpsr, x0
	msr	fpcr, x1
	.globl	gort_arch_async_resume_trap
gort_arch_async_resume_trap:
	brk	#RESUME_BRK              // the handler resumes the interrupted code
	.cfi_endproc
ENDFUNC gort_arch_async_preempt

// int gort_arch_async_preempt_supported(void): every arm64 Linux has the
// state saved above (Advanced SIMD is mandatory).
FUNC gort_arch_async_preempt_supported
	.cfi_startproc
	mov	w0, #1
	ret
	.cfi_endproc
ENDFUNC gort_arch_async_preempt_supported

// int gort_arch_async_vector_level(void): one level (q0..q31).
FUNC gort_arch_async_vector_level
	.cfi_startproc
	mov	w0, #0
	ret
	.cfi_endproc
ENDFUNC gort_arch_async_vector_level

// void gort_arch_probe_async_regs(const uint64_t* in /*x0*/, uint64_t* out /*x1*/,
//                                 int level /*w2*/)
// In the preemptible section. Frame (sp while it spins): [0] x29 x30,
// [16] x19..x28, [96] d8..d15, [160] in, out, [176] the caller's FPCR,
// [192...] the dump (arch.h's image, 98 words). sp is not in the image:
// the dump is sp-relative, so every register of the image can be live.
#define T_IN 160
#define T_FPSAVE 176
#define T_DUMP 192
#define T_FRAME 976                /* T_DUMP + 98 * 8 */
#define W(i) ((i) * 8)
#define VEC(i) W(GORT_ARCH_ASYNC_VEC + (i) * GORT_ARCH_ASYNC_VEC_WORDS)

	.section gort_preemptible,"ax",%progbits
FUNC gort_arch_probe_async_regs
	.cfi_startproc
	sub	sp, sp, #T_FRAME
	.cfi_def_cfa_offset T_FRAME
	stp	x29, x30, [sp, #0]
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	.cfi_offset x29, -T_FRAME
	.cfi_offset x30, -T_FRAME + 8
	.cfi_offset x19, -T_FRAME + 16
	.cfi_offset x20, -T_FRAME + 24
	.cfi_offset x21, -T_FRAME + 32
	.cfi_offset x22, -T_FRAME + 40
	.cfi_offset x23, -T_FRAME + 48
	.cfi_offset x24, -T_FRAME + 56
	.cfi_offset x25, -T_FRAME + 64
	.cfi_offset x26, -T_FRAME + 72
	.cfi_offset x27, -T_FRAME + 80
	.cfi_offset x28, -T_FRAME + 88
	.cfi_offset d8, -T_FRAME + 96
	.cfi_offset d9, -T_FRAME + 104
	.cfi_offset d10, -T_FRAME + 112
	.cfi_offset d11, -T_FRAME + 120
	.cfi_offset d12, -T_FRAME + 128
	.cfi_offset d13, -T_FRAME + 136
	.cfi_offset d14, -T_FRAME + 144
	.cfi_offset d15, -T_FRAME + 152
	stp	x0, x1, [sp, #T_IN]
	mrs	x9, fpcr
	str	x9, [sp, #T_FPSAVE]
	ldp	q0, q1, [x0, #VEC(0)]
	ldp	q2, q3, [x0, #VEC(2)]
	ldp	q4, q5, [x0, #VEC(4)]
	ldp	q6, q7, [x0, #VEC(6)]
	ldp	q8, q9, [x0, #VEC(8)]
	ldp	q10, q11, [x0, #VEC(10)]
	ldp	q12, q13, [x0, #VEC(12)]
	ldp	q14, q15, [x0, #VEC(14)]
	ldp	q16, q17, [x0, #VEC(16)]
	ldp	q18, q19, [x0, #VEC(18)]
	ldp	q20, q21, [x0, #VEC(20)]
	ldp	q22, q23, [x0, #VEC(22)]
	ldp	q24, q25, [x0, #VEC(24)]
	ldp	q26, q27, [x0, #VEC(26)]
	ldp	q28, q29, [x0, #VEC(28)]
	ldp	q30, q31, [x0, #VEC(30)]
	ldr	x9, [x0, #W(GORT_ARCH_ASYNC_FP_CONTROL)]
	msr	fpcr, x9
	ldr	x9, [x0, #W(GORT_ARCH_ASYNC_FP_STATUS)]
	msr	fpsr, x9
	ldr	x9, [x0, #W(GORT_ARCH_ASYNC_FLAGS)]
	msr	nzcv, x9                 // nothing below writes the flags
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	// Every register of the image is live from here to the dump.
	.rept 1024
	yield
	.endr
	stp	x0, x1, [sp, #T_DUMP + 0]
	stp	x2, x3, [sp, #T_DUMP + 16]
	stp	x4, x5, [sp, #T_DUMP + 32]
	stp	x6, x7, [sp, #T_DUMP + 48]
	stp	x8, x9, [sp, #T_DUMP + 64]
	stp	x10, x11, [sp, #T_DUMP + 80]
	stp	x12, x13, [sp, #T_DUMP + 96]
	stp	x14, x15, [sp, #T_DUMP + 112]
	stp	x16, x17, [sp, #T_DUMP + 128]
	stp	x18, x19, [sp, #T_DUMP + 144]
	stp	x20, x21, [sp, #T_DUMP + 160]
	stp	x22, x23, [sp, #T_DUMP + 176]
	stp	x24, x25, [sp, #T_DUMP + 192]
	stp	x26, x27, [sp, #T_DUMP + 208]
	stp	x28, x29, [sp, #T_DUMP + 224]
	str	x30, [sp, #T_DUMP + 240]
	mrs	x0, nzcv
	str	x0, [sp, #T_DUMP + W(GORT_ARCH_ASYNC_FLAGS)]
	mrs	x0, fpcr
	str	x0, [sp, #T_DUMP + W(GORT_ARCH_ASYNC_FP_CONTROL)]
	mrs	x0, fpsr
	str	x0, [sp, #T_DUMP + W(GORT_ARCH_ASYNC_FP_STATUS)]
	stp	q0, q1, [sp, #T_DUMP + VEC(0)]
	stp	q2, q3, [sp, #T_DUMP + VEC(2)]
	stp	q4, q5, [sp, #T_DUMP + VEC(4)]
	stp	q6, q7, [sp, #T_DUMP + VEC(6)]
	stp	q8, q9, [sp, #T_DUMP + VEC(8)]
	stp	q10, q11, [sp, #T_DUMP + VEC(10)]
	stp	q12, q13, [sp, #T_DUMP + VEC(12)]
	stp	q14, q15, [sp, #T_DUMP + VEC(14)]
	stp	q16, q17, [sp, #T_DUMP + VEC(16)]
	stp	q18, q19, [sp, #T_DUMP + VEC(18)]
	stp	q20, q21, [sp, #T_DUMP + VEC(20)]
	stp	q22, q23, [sp, #T_DUMP + VEC(22)]
	stp	q24, q25, [sp, #T_DUMP + VEC(24)]
	stp	q26, q27, [sp, #T_DUMP + VEC(26)]
	stp	q28, q29, [sp, #T_DUMP + VEC(28)]
	stp	q30, q31, [sp, #T_DUMP + VEC(30)]
	ldr	x9, [sp, #T_FPSAVE]
	msr	fpcr, x9
	ldr	x1, [sp, #T_IN + 8]      // out
	add	x2, sp, #T_DUMP
	mov	x3, #GORT_ARCH_ASYNC_WORDS
1:	ldr	x4, [x2], #8
	str	x4, [x1], #8
	subs	x3, x3, #1
	b.ne	1b
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	ldp	x29, x30, [sp, #0]
	add	sp, sp, #T_FRAME
	.cfi_def_cfa_offset 0
	.cfi_restore x29
	.cfi_restore x30
	.cfi_restore x19
	.cfi_restore x20
	.cfi_restore x21
	.cfi_restore x22
	.cfi_restore x23
	.cfi_restore x24
	.cfi_restore x25
	.cfi_restore x26
	.cfi_restore x27
	.cfi_restore x28
	.cfi_restore d8
	.cfi_restore d9
	.cfi_restore d10
	.cfi_restore d11
	.cfi_restore d12
	.cfi_restore d13
	.cfi_restore d14
	.cfi_restore d15
	ret
	.cfi_endproc
ENDFUNC gort_arch_probe_async_regs
	.text

	.section .note.GNU-stack,"",@progbits
