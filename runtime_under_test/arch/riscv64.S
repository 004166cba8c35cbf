// riscv64 (LP64D) context-switch trampolines. The contract is arch.h.
//
// Saved block, lowest address first (26 slots, 208 bytes):
//   [0]  s0 (fp)  [1]  s1   [2]  s2   [3]  s3   [4]  s4   [5]  s5
//   [6]  s6       [7]  s7   [8]  s8   [9]  s9   [10] s10  [11] s11
//   [12] frm      [13] padding (keeps the block a multiple of 16 bytes)
//   [14] fs0      [15] fs1  [16] fs2  [17] fs3  [18] fs4  [19] fs5
//   [20] fs6      [21] fs7  [22] fs8  [23] fs9  [24] fs10 [25] fs11
// The return address is in ra, not on the stack: a save stores ra in
// Gobuf.pc, so once the block is popped sp is exactly the caller's sp at its
// call; resuming is an indirect jump to pc, never a `ret` that mismatches
// its call. The jump goes through t1, not ra or t0: a jalr with rs1 = x1
// or x5 and rd = x0 is hinted as a return and pops the return-address
// stack; t1 (x6) is not a link register, so `jr t1` is a plain jump.
// gp and tp are not saved: they belong to the program and to the thread,
// and a goroutine must not carry one thread's tp to another.
//
// Fresh goroutine (gort_arch_gobuf_init): s1 = body, s2 = exit, s3 = arg,
// the other registers zero, frm at the ABI's initial value (0: RNE), and
// pc = gort_arch_goroutine_entry.
//
// FP control: frm is callee-saved under the LP64D psABI, so it is part of
// the block (arch.h's policy). fflags holds only cumulative status flags,
// which are caller-saved, so frrm/fsrm touch frm alone and fflags is
// neither saved nor restored.

#include "arch.h"

#define FRM_DEFAULT 0      /* RNE: round to nearest, ties to even */
#define FRM_ALTERNATE 1    /* RTZ: round toward zero */
#define BLOCK_SIZE 208

	.text

// Pushes the callee-saved state. Entry: return address in ra.
// Exit: sp = saved block, ra untouched. Clobbers t2.
.macro SAVE_CONTEXT
	addi	sp, sp, -BLOCK_SIZE
	sd	s0, 0(sp)
	sd	s1, 8(sp)
	sd	s2, 16(sp)
	sd	s3, 24(sp)
	sd	s4, 32(sp)
	sd	s5, 40(sp)
	sd	s6, 48(sp)
	sd	s7, 56(sp)
	sd	s8, 64(sp)
	sd	s9, 72(sp)
	sd	s10, 80(sp)
	sd	s11, 88(sp)
	frrm	t2
	sd	t2, 96(sp)
	fsd	fs0, 112(sp)
	fsd	fs1, 120(sp)
	fsd	fs2, 128(sp)
	fsd	fs3, 136(sp)
	fsd	fs4, 144(sp)
	fsd	fs5, 152(sp)
	fsd	fs6, 160(sp)
	fsd	fs7, 168(sp)
	fsd	fs8, 176(sp)
	fsd	fs9, 184(sp)
	fsd	fs10, 192(sp)
	fsd	fs11, 200(sp)
.endm

// Pops a saved block at sp. Clobbers t2 (so t1 can hold the resume pc).
.macro RESTORE_CONTEXT
	ld	s0, 0(sp)
	ld	s1, 8(sp)
	ld	s2, 16(sp)
	ld	s3, 24(sp)
	ld	s4, 32(sp)
	ld	s5, 40(sp)
	ld	s6, 48(sp)
	ld	s7, 56(sp)
	ld	s8, 64(sp)
	ld	s9, 72(sp)
	ld	s10, 80(sp)
	ld	s11, 88(sp)
	ld	t2, 96(sp)
	fsrm	t2
	fld	fs0, 112(sp)
	fld	fs1, 120(sp)
	fld	fs2, 128(sp)
	fld	fs3, 136(sp)
	fld	fs4, 144(sp)
	fld	fs5, 152(sp)
	fld	fs6, 160(sp)
	fld	fs7, 168(sp)
	fld	fs8, 176(sp)
	fld	fs9, 184(sp)
	fld	fs10, 192(sp)
	fld	fs11, 200(sp)
	addi	sp, sp, BLOCK_SIZE
.endm

.macro FUNC name
	.globl	\name
	.type	\name, %function
	.p2align 2
\name:
.endm

.macro ENDFUNC name
	.size	\name, .-\name
.endm

// void gort_arch_gobuf_init(gort_gobuf* buf /*a0*/, void* stack_hi /*a1*/,
//                           void (*body)(void*) /*a2*/, void (*exit)(void*) /*a3*/,
//                           void* arg /*a4*/)
FUNC gort_arch_gobuf_init
	.cfi_startproc
	andi	a1, a1, -16              // popped block leaves sp 16-aligned
	addi	t0, a1, -BLOCK_SIZE
	sd	zero, 0(t0)              // s0
	sd	a2, 8(t0)                // s1 = body
	sd	a3, 16(t0)               // s2 = exit
	sd	a4, 24(t0)               // s3 = arg
	.irp	off, 32, 40, 48, 56, 64, 72, 80, 88    // s4..s11
	sd	zero, \off(t0)
	.endr
	li	t1, FRM_DEFAULT
	sd	t1, 96(t0)
	sd	zero, 104(t0)            // padding
	.irp	off, 112, 120, 128, 136, 144, 152, 160, 168, 176, 184, 192, 200  // fs0..fs11
	sd	zero, \off(t0)
	.endr
	sd	t0, GORT_GOBUF_SP(a0)
	lla	t1, .Lgoroutine_entry        // local: no GOT even in a .so
	sd	t1, GORT_GOBUF_PC(a0)
	ret
	.cfi_endproc
ENDFUNC gort_arch_gobuf_init

// void gort_arch_gogo(const gort_gobuf* to /*a0*/)
FUNC gort_arch_gogo
	.cfi_startproc
	ld	t1, GORT_GOBUF_PC(a0)
	ld	sp, GORT_GOBUF_SP(a0)
	RESTORE_CONTEXT
	jr	t1
	.cfi_endproc
ENDFUNC gort_arch_gogo

#if GORT_MUTANTS
// Mutant gogo-forgets-callee-saved (gort/mutants.h), mutants builds only:
// gort_arch_gogo, except that s11 keeps the resuming thread's value
// instead of the saved one. s11 because the entry trampoline does not use
// it: fresh goroutines still start, and only code that kept something in
// s11 across a switch sees the bug.
// void gort_arch_gogo_mutant_forget_reg(const gort_gobuf* to /*a0*/)
FUNC gort_arch_gogo_mutant_forget_reg
	.cfi_startproc
	mv	t3, s11                  // RESTORE_CONTEXT leaves t3 alone
	ld	t1, GORT_GOBUF_PC(a0)
	ld	sp, GORT_GOBUF_SP(a0)
	RESTORE_CONTEXT
	mv	s11, t3
	jr	t1
	.cfi_endproc
ENDFUNC gort_arch_gogo_mutant_forget_reg
#endif

// void gort_arch_swap(gort_gobuf* save /*a0*/, const gort_gobuf* to /*a1*/)
FUNC gort_arch_swap
	.cfi_startproc
	SAVE_CONTEXT
	sd	sp, GORT_GOBUF_SP(a0)
	sd	ra, GORT_GOBUF_PC(a0)
	ld	t1, GORT_GOBUF_PC(a1)
	ld	sp, GORT_GOBUF_SP(a1)
	RESTORE_CONTEXT
	jr	t1
	.cfi_endproc
ENDFUNC gort_arch_swap

// void gort_arch_mcall(gort_gobuf* save /*a0*/, uintptr_t g0_sp /*a1*/,
//                      void (*fn)(void*) /*a2*/, void* arg /*a3*/)
FUNC gort_arch_mcall
	.cfi_startproc
	SAVE_CONTEXT
	sd	sp, GORT_GOBUF_SP(a0)
	sd	ra, GORT_GOBUF_PC(a0)
	mv	sp, a1
	// From here on we are on g0's fresh stack: nothing above to unwind to.
	.cfi_undefined ra
	mv	s0, zero                 // frame-pointer walkers stop here too
	mv	a0, a3
	jalr	a2
	unimp                            // fn returned: a runtime bug
	.cfi_endproc
ENDFUNC gort_arch_mcall

// uintptr_t gort_arch_systemstack(uintptr_t g0_sp /*a0*/, uintptr_t (*fn)(void*) /*a1*/,
//                                 void* arg /*a2*/)
FUNC gort_arch_systemstack
	.cfi_startproc
	addi	sp, sp, -16
	.cfi_def_cfa_offset 16
	sd	ra, 8(sp)
	sd	s0, 0(sp)
	.cfi_offset ra, -8
	.cfi_offset s0, -16
	addi	s0, sp, 16               // the psABI frame: fp = CFA, ra at fp-8, old fp at fp-16
	// fn preserves s0, so both the CFI unwinder and frame-pointer walkers
	// follow it from g0's stack back to the caller's.
	.cfi_def_cfa s0, 0
	mv	sp, a0
	mv	a0, a2
	jalr	a1
	addi	sp, s0, -16
	.cfi_def_cfa sp, 16
	ld	ra, 8(sp)
	ld	s0, 0(sp)
	.cfi_restore ra
	.cfi_restore s0
	addi	sp, sp, 16
	.cfi_def_cfa_offset 0
	ret
	.cfi_endproc
ENDFUNC gort_arch_systemstack

// The first frame of every goroutine. Entered by a resume of a Gobuf built by
// gort_arch_gobuf_init: s1 = body, s2 = exit, s3 = arg, sp 16-aligned.
FUNC gort_arch_goroutine_entry
.Lgoroutine_entry:
	.cfi_startproc
	.cfi_undefined ra                // unwinding stops here
	mv	s0, zero                 // frame-pointer walkers stop here too
	mv	ra, zero                 // no stale return address to mistake for a caller
	mv	a0, s3
	jalr	s1
	mv	a0, s3
	jalr	s2
	unimp                            // exit returned: a runtime bug
	.cfi_endproc
	.globl	gort_arch_goroutine_entry_end
gort_arch_goroutine_entry_end:
ENDFUNC gort_arch_goroutine_entry

// void gort_arch_probe_callee_saved(const uint64_t* in /*a0*/, uint64_t* out /*a1*/,
//                                   void (*fn)(void*) /*a2*/, void* arg /*a3*/)
// in/out order: s0..s11, then fs0..fs11.
// Frame (208 bytes): s0..s11 | fs0..fs11 | out | ra.
FUNC gort_arch_probe_callee_saved
	.cfi_startproc
	addi	sp, sp, -208
	.cfi_def_cfa_offset 208
	sd	ra, 200(sp)
	.cfi_offset ra, -8
	sd	a1, 192(sp)
	sd	s0, 0(sp)
	.cfi_offset s0, -208
	sd	s1, 8(sp)
	.cfi_offset s1, -200
	sd	s2, 16(sp)
	.cfi_offset s2, -192
	sd	s3, 24(sp)
	.cfi_offset s3, -184
	sd	s4, 32(sp)
	.cfi_offset s4, -176
	sd	s5, 40(sp)
	.cfi_offset s5, -168
	sd	s6, 48(sp)
	.cfi_offset s6, -160
	sd	s7, 56(sp)
	.cfi_offset s7, -152
	sd	s8, 64(sp)
	.cfi_offset s8, -144
	sd	s9, 72(sp)
	.cfi_offset s9, -136
	sd	s10, 80(sp)
	.cfi_offset s10, -128
	sd	s11, 88(sp)
	.cfi_offset s11, -120
	fsd	fs0, 96(sp)
	.cfi_offset fs0, -112
	fsd	fs1, 104(sp)
	.cfi_offset fs1, -104
	fsd	fs2, 112(sp)
	.cfi_offset fs2, -96
	fsd	fs3, 120(sp)
	.cfi_offset fs3, -88
	fsd	fs4, 128(sp)
	.cfi_offset fs4, -80
	fsd	fs5, 136(sp)
	.cfi_offset fs5, -72
	fsd	fs6, 144(sp)
	.cfi_offset fs6, -64
	fsd	fs7, 152(sp)
	.cfi_offset fs7, -56
	fsd	fs8, 160(sp)
	.cfi_offset fs8, -48
	fsd	fs9, 168(sp)
	.cfi_offset fs9, -40
	fsd	fs10, 176(sp)
	.cfi_offset fs10, -32
	fsd	fs11, 184(sp)
	.cfi_offset fs11, -24
	// s0 now holds a random value, so the CFA stays sp-based.
	ld	s0, 0(a0)
	ld	s1, 8(a0)
	ld	s2, 16(a0)
	ld	s3, 24(a0)
	ld	s4, 32(a0)
	ld	s5, 40(a0)
	ld	s6, 48(a0)
	ld	s7, 56(a0)
	ld	s8, 64(a0)
	ld	s9, 72(a0)
	ld	s10, 80(a0)
	ld	s11, 88(a0)
	fld	fs0, 96(a0)
	fld	fs1, 104(a0)
	fld	fs2, 112(a0)
	fld	fs3, 120(a0)
	fld	fs4, 128(a0)
	fld	fs5, 136(a0)
	fld	fs6, 144(a0)
	fld	fs7, 152(a0)
	fld	fs8, 160(a0)
	fld	fs9, 168(a0)
	fld	fs10, 176(a0)
	fld	fs11, 184(a0)
	mv	a0, a3
	jalr	a2
	ld	t0, 192(sp)
	sd	s0, 0(t0)
	sd	s1, 8(t0)
	sd	s2, 16(t0)
	sd	s3, 24(t0)
	sd	s4, 32(t0)
	sd	s5, 40(t0)
	sd	s6, 48(t0)
	sd	s7, 56(t0)
	sd	s8, 64(t0)
	sd	s9, 72(t0)
	sd	s10, 80(t0)
	sd	s11, 88(t0)
	fsd	fs0, 96(t0)
	fsd	fs1, 104(t0)
	fsd	fs2, 112(t0)
	fsd	fs3, 120(t0)
	fsd	fs4, 128(t0)
	fsd	fs5, 136(t0)
	fsd	fs6, 144(t0)
	fsd	fs7, 152(t0)
	fsd	fs8, 160(t0)
	fsd	fs9, 168(t0)
	fsd	fs10, 176(t0)
	fsd	fs11, 184(t0)
	ld	s0, 0(sp)
	ld	s1, 8(sp)
	ld	s2, 16(sp)
	ld	s3, 24(sp)
	ld	s4, 32(sp)
	ld	s5, 40(sp)
	ld	s6, 48(sp)
	ld	s7, 56(sp)
	ld	s8, 64(sp)
	ld	s9, 72(sp)
	ld	s10, 80(sp)
	ld	s11, 88(sp)
	fld	fs0, 96(sp)
	fld	fs1, 104(sp)
	fld	fs2, 112(sp)
	fld	fs3, 120(sp)
	fld	fs4, 128(sp)
	fld	fs5, 136(sp)
	fld	fs6, 144(sp)
	fld	fs7, 152(sp)
	fld	fs8, 160(sp)
	fld	fs9, 168(sp)
	fld	fs10, 176(sp)
	fld	fs11, 184(sp)
	ld	ra, 200(sp)
	.cfi_restore ra
	.cfi_restore s0
	.cfi_restore s1
	.cfi_restore s2
	.cfi_restore s3
	.cfi_restore s4
	.cfi_restore s5
	.cfi_restore s6
	.cfi_restore s7
	.cfi_restore s8
	.cfi_restore s9
	.cfi_restore s10
	.cfi_restore s11
	.cfi_restore fs0
	.cfi_restore fs1
	.cfi_restore fs2
	.cfi_restore fs3
	.cfi_restore fs4
	.cfi_restore fs5
	.cfi_restore fs6
	.cfi_restore fs7
	.cfi_restore fs8
	.cfi_restore fs9
	.cfi_restore fs10
	.cfi_restore fs11
	addi	sp, sp, 208
	.cfi_def_cfa_offset 0
	ret
	.cfi_endproc
ENDFUNC gort_arch_probe_callee_saved

// uintptr_t gort_arch_probe_sp(void): a call pushes nothing, so the
// caller's sp at the call is sp here.
FUNC gort_arch_probe_sp
	.cfi_startproc
	mv	a0, sp
	ret
	.cfi_endproc
ENDFUNC gort_arch_probe_sp

// uint64_t gort_arch_fp_control_get(void): frm alone (fflags is status)
FUNC gort_arch_fp_control_get
	.cfi_startproc
	frrm	a0
	ret
	.cfi_endproc
ENDFUNC gort_arch_fp_control_get

// void gort_arch_fp_control_set(uint64_t v /*a0*/)
FUNC gort_arch_fp_control_set
	.cfi_startproc
	fsrm	a0
	ret
	.cfi_endproc
ENDFUNC gort_arch_fp_control_set

FUNC gort_arch_fp_control_default
	.cfi_startproc
	li	a0, FRM_DEFAULT
	ret
	.cfi_endproc
ENDFUNC gort_arch_fp_control_default

FUNC gort_arch_fp_control_alternate
	.cfi_startproc
	li	a0, FRM_ALTERNATE
	ret
	.cfi_endproc
ENDFUNC gort_arch_fp_control_alternate

	.section .note.GNU-stack,"",%progbits
