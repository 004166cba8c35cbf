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
.macro SAVE_CONTEXT
	stp	x19, x20, [sp, #-BLOCK_SIZE]!
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	mrs	x10, fpcr
	stp	x29, x10, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
.endm

// Pops a saved block at sp. Clobbers x10 and x11 (so x9 can hold the
// resume pc). FPCR is written only when it changes: the write can be
// context-synchronizing, and most switches keep the default mode.
.macro RESTORE_CONTEXT
	ldp	x29, x10, [sp, #80]
	mrs	x11, fpcr
	cmp	x10, x11
	b.eq	1f
	msr	fpcr, x10
1:
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
	ldr	x9, [x0, #GORT_GOBUF_PC]
	ldr	x10, [x0, #GORT_GOBUF_SP]
	mov	sp, x10
	RESTORE_CONTEXT
	br	x9
	.cfi_endproc
ENDFUNC gort_arch_gogo

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
	SAVE_CONTEXT
	mov	x10, sp
	str	x10, [x0, #GORT_GOBUF_SP]
	str	x30, [x0, #GORT_GOBUF_PC]
	ldr	x9, [x1, #GORT_GOBUF_PC]
	ldr	x10, [x1, #GORT_GOBUF_SP]
	mov	sp, x10
	RESTORE_CONTEXT
	br	x9
	.cfi_endproc
ENDFUNC gort_arch_swap

// void gort_arch_mcall(gort_gobuf* save /*x0*/, uintptr_t g0_sp /*x1*/,
//                      void (*fn)(void*) /*x2*/, void* arg /*x3*/)
FUNC gort_arch_mcall
	.cfi_startproc
	SAVE_CONTEXT
	mov	x10, sp
	str	x10, [x0, #GORT_GOBUF_SP]
	str	x30, [x0, #GORT_GOBUF_PC]
	mov	sp, x1
	// From here on we are on g0's fresh stack: nothing above to unwind to.
	.cfi_undefined x30
	mov	x29, xzr                 // frame-record walkers stop here too
	mov	x0, x3
	blr	x2
	brk	#0                       // fn returned: a runtime bug
	.cfi_endproc
ENDFUNC gort_arch_mcall

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

	.section .note.GNU-stack,"",@progbits
