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
// neither saved nor restored. The _shared_fp family (Go's policy, arch.h)
// uses the same block, neither reads nor writes frm, and stores
// FRM_DEFAULT (zero) in the slot, so that a preserving resume of such a
// block is valid (arch.h).

#include "arch.h"

#define FRM_DEFAULT 0      /* RNE: round to nearest, ties to even */
#define FRM_ALTERNATE 1    /* RTZ: round toward zero */
#define BLOCK_SIZE 208

	.text

// Pushes the callee-saved state. Entry: return address in ra.
// Exit: sp = saved block, ra untouched. Clobbers t2.
// \fp: "" or _SHARED_FP (no frm read: the slot gets FRM_DEFAULT).
.macro SAVE_CONTEXT fp=
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
.ifnc \fp,_SHARED_FP
	frrm	t2
	sd	t2, 96(sp)
.else
	sd	zero, 96(sp)             // FRM_DEFAULT is 0
.endif
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
.macro RESTORE_CONTEXT fp=
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
.ifnc \fp,_SHARED_FP
	ld	t2, 96(sp)
	fsrm	t2
.endif
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

// The current context into the Gobuf at \buf.
.macro SAVE_INTO buf, fp=
	SAVE_CONTEXT \fp
	sd	sp, GORT_GOBUF_SP(\buf)
	sd	ra, GORT_GOBUF_PC(\buf)
.endm

// Resumes the Gobuf at \buf: its stack, its registers, its pc.
.macro RESUME_FROM buf, fp=
	ld	t1, GORT_GOBUF_PC(\buf)
	ld	sp, GORT_GOBUF_SP(\buf)
	RESTORE_CONTEXT \fp
	jr	t1
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
	RESUME_FROM a0
	.cfi_endproc
ENDFUNC gort_arch_gogo

FUNC gort_arch_gogo_shared_fp
	.cfi_startproc
	RESUME_FROM a0, _SHARED_FP
	.cfi_endproc
ENDFUNC gort_arch_gogo_shared_fp

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
	SAVE_INTO a0
	RESUME_FROM a1
	.cfi_endproc
ENDFUNC gort_arch_swap

FUNC gort_arch_swap_shared_fp
	.cfi_startproc
	SAVE_INTO a0, _SHARED_FP
	RESUME_FROM a1, _SHARED_FP
	.cfi_endproc
ENDFUNC gort_arch_swap_shared_fp

// void gort_arch_mcall(gort_gobuf* save /*a0*/, uintptr_t g0_sp /*a1*/,
//                      void (*fn)(void*) /*a2*/, void* arg /*a3*/)
.macro MCALL fp=
	.cfi_startproc
	SAVE_INTO a0, \fp
	mv	sp, a1
	// From here on we are on g0's fresh stack: nothing above to unwind to.
	.cfi_undefined ra
	mv	s0, zero                 // frame-pointer walkers stop here too
	mv	a0, a3
	jalr	a2
	unimp                            // fn returned: a runtime bug
	.cfi_endproc
.endm

FUNC gort_arch_mcall
	MCALL
ENDFUNC gort_arch_mcall

FUNC gort_arch_mcall_shared_fp
	MCALL _SHARED_FP
ENDFUNC gort_arch_mcall_shared_fp

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

// --- Async preemption (arch.h) ---
//
// The frame gort_arch_async_preempt builds, from the interrupted sp (S)
// down (byte offsets from B, its lowest address, are arch.h's
// GORT_ARCH_ASYNC_FRAME_*):
//   S-16    the frame record {s0, ra = pc}, as gcc lays frames out: the
//           handler stored pc at S-16 (sp -= 16), the record keeps it at
//           S-8; s0 = S points just above the record
//   B+528   = S-16
//   B+264   f0..f31 (restored before the trap)
//   B+256   fcsr (frm and fflags; restored before the trap)
//   B+8*n   xn for n = 1..31; x2's slot holds S
//   B+0     pc
// B is the kernel's __gregs order, so the resume-trap handler
// (platform/preempt_signal.cc) copies it into the signal context, except
// gp and tp: they are the program's and the thread's (the goroutine may
// resume on another thread), saved here but never loaded back. sp at the
// call of gort_rt_async_preempted is B rounded down to 16 (s1 keeps B);
// at the trap it is B. The f registers and fcsr the kernel saved in the
// trap's signal frame are the restored ones, so sigreturn keeps them.
//
// CFI: a signal frame whose return column (ra) is the interrupted pc;
// the other registers are at their slots (ra's own value, live in a leaf
// function, is not described: one return column).

#define RF_SIZE GORT_ARCH_ASYNC_FRAME_SIZE
#define RF_SP GORT_ARCH_ASYNC_FRAME_SP
#define RF_FCSR GORT_ARCH_ASYNC_FRAME_FCSR
#define RF_F0 GORT_ARCH_ASYNC_FRAME_F0

#if GORT_ARCH_ASYNC_FRAME_PC != 0 || GORT_ARCH_ASYNC_FRAME_X0 != 0 || RF_SP != 16 || RF_FCSR != 256 || \
    RF_F0 != 264 || RF_SIZE != 528
#error "riscv64.S: the resume frame's layout disagrees with arch.h"
#endif

FUNC gort_arch_async_preempt
	.cfi_startproc
	.cfi_signal_frame
	.cfi_def_cfa sp, 16              // entry: sp = S - 16, [sp] = pc
	.cfi_offset ra, -16
	addi	sp, sp, -RF_SIZE
	.cfi_adjust_cfa_offset RF_SIZE
	sd	x1, 8(sp)
	sd	x3, 24(sp)
	sd	x4, 32(sp)
	sd	x5, 40(sp)
	sd	x6, 48(sp)
	sd	x7, 56(sp)
	sd	x8, 64(sp)
	sd	x9, 72(sp)
	sd	x10, 80(sp)
	sd	x11, 88(sp)
	sd	x12, 96(sp)
	sd	x13, 104(sp)
	sd	x14, 112(sp)
	sd	x15, 120(sp)
	sd	x16, 128(sp)
	sd	x17, 136(sp)
	sd	x18, 144(sp)
	sd	x19, 152(sp)
	sd	x20, 160(sp)
	sd	x21, 168(sp)
	sd	x22, 176(sp)
	sd	x23, 184(sp)
	sd	x24, 192(sp)
	sd	x25, 200(sp)
	sd	x26, 208(sp)
	sd	x27, 216(sp)
	sd	x28, 224(sp)
	sd	x29, 232(sp)
	sd	x30, 240(sp)
	sd	x31, 248(sp)
	.cfi_offset x5, 40 - RF_SIZE - 16
	.cfi_offset x6, 48 - RF_SIZE - 16
	.cfi_offset x7, 56 - RF_SIZE - 16
	.cfi_offset x8, 64 - RF_SIZE - 16
	.cfi_offset x9, 72 - RF_SIZE - 16
	.cfi_offset x10, 80 - RF_SIZE - 16
	.cfi_offset x11, 88 - RF_SIZE - 16
	.cfi_offset x12, 96 - RF_SIZE - 16
	.cfi_offset x13, 104 - RF_SIZE - 16
	.cfi_offset x14, 112 - RF_SIZE - 16
	.cfi_offset x15, 120 - RF_SIZE - 16
	.cfi_offset x16, 128 - RF_SIZE - 16
	.cfi_offset x17, 136 - RF_SIZE - 16
	.cfi_offset x18, 144 - RF_SIZE - 16
	.cfi_offset x19, 152 - RF_SIZE - 16
	.cfi_offset x20, 160 - RF_SIZE - 16
	.cfi_offset x21, 168 - RF_SIZE - 16
	.cfi_offset x22, 176 - RF_SIZE - 16
	.cfi_offset x23, 184 - RF_SIZE - 16
	.cfi_offset x24, 192 - RF_SIZE - 16
	.cfi_offset x25, 200 - RF_SIZE - 16
	.cfi_offset x26, 208 - RF_SIZE - 16
	.cfi_offset x27, 216 - RF_SIZE - 16
	.cfi_offset x28, 224 - RF_SIZE - 16
	.cfi_offset x29, 232 - RF_SIZE - 16
	.cfi_offset x30, 240 - RF_SIZE - 16
	.cfi_offset x31, 248 - RF_SIZE - 16
	fsd	f0, RF_F0 + 0(sp)
	fsd	f1, RF_F0 + 8(sp)
	fsd	f2, RF_F0 + 16(sp)
	fsd	f3, RF_F0 + 24(sp)
	fsd	f4, RF_F0 + 32(sp)
	fsd	f5, RF_F0 + 40(sp)
	fsd	f6, RF_F0 + 48(sp)
	fsd	f7, RF_F0 + 56(sp)
	fsd	f8, RF_F0 + 64(sp)
	fsd	f9, RF_F0 + 72(sp)
	fsd	f10, RF_F0 + 80(sp)
	fsd	f11, RF_F0 + 88(sp)
	fsd	f12, RF_F0 + 96(sp)
	fsd	f13, RF_F0 + 104(sp)
	fsd	f14, RF_F0 + 112(sp)
	fsd	f15, RF_F0 + 120(sp)
	fsd	f16, RF_F0 + 128(sp)
	fsd	f17, RF_F0 + 136(sp)
	fsd	f18, RF_F0 + 144(sp)
	fsd	f19, RF_F0 + 152(sp)
	fsd	f20, RF_F0 + 160(sp)
	fsd	f21, RF_F0 + 168(sp)
	fsd	f22, RF_F0 + 176(sp)
	fsd	f23, RF_F0 + 184(sp)
	fsd	f24, RF_F0 + 192(sp)
	fsd	f25, RF_F0 + 200(sp)
	fsd	f26, RF_F0 + 208(sp)
	fsd	f27, RF_F0 + 216(sp)
	fsd	f28, RF_F0 + 224(sp)
	fsd	f29, RF_F0 + 232(sp)
	fsd	f30, RF_F0 + 240(sp)
	fsd	f31, RF_F0 + 248(sp)
	frcsr	t0
	sd	t0, RF_FCSR(sp)
	ld	t0, RF_SIZE(sp)          // pc
	sd	t0, 0(sp)
	addi	t1, sp, RF_SIZE + 16     // S
	sd	t1, RF_SP(sp)
	sd	s0, RF_SIZE(sp)          // the frame record
	sd	t0, RF_SIZE + 8(sp)
	mv	s0, t1
	.cfi_def_cfa s0, 0
	.cfi_offset s0, -16
	.cfi_offset ra, -8
	// What the C ABI assumes at a call: frm RNE (fflags are caller-saved).
	fscsr	zero
	mv	s1, sp                   // B, callee-saved across the call
	andi	sp, sp, -16
	mv	a0, t0
	mv	a1, t1
	call	gort_rt_async_preempted  // (pc, sp)
	mv	sp, s1
	fld	f0, RF_F0 + 0(sp)
	fld	f1, RF_F0 + 8(sp)
	fld	f2, RF_F0 + 16(sp)
	fld	f3, RF_F0 + 24(sp)
	fld	f4, RF_F0 + 32(sp)
	fld	f5, RF_F0 + 40(sp)
	fld	f6, RF_F0 + 48(sp)
	fld	f7, RF_F0 + 56(sp)
	fld	f8, RF_F0 + 64(sp)
	fld	f9, RF_F0 + 72(sp)
	fld	f10, RF_F0 + 80(sp)
	fld	f11, RF_F0 + 88(sp)
	fld	f12, RF_F0 + 96(sp)
	fld	f13, RF_F0 + 104(sp)
	fld	f14, RF_F0 + 112(sp)
	fld	f15, RF_F0 + 120(sp)
	fld	f16, RF_F0 + 128(sp)
	fld	f17, RF_F0 + 136(sp)
	fld	f18, RF_F0 + 144(sp)
	fld	f19, RF_F0 + 152(sp)
	fld	f20, RF_F0 + 160(sp)
	fld	f21, RF_F0 + 168(sp)
	fld	f22, RF_F0 + 176(sp)
	fld	f23, RF_F0 + 184(sp)
	fld	f24, RF_F0 + 192(sp)
	fld	f25, RF_F0 + 200(sp)
	fld	f26, RF_F0 + 208(sp)
	fld	f27, RF_F0 + 216(sp)
	fld	f28, RF_F0 + 224(sp)
	fld	f29, RF_F0 + 232(sp)
	fld	f30, RF_F0 + 240(sp)
	fld	f31, RF_F0 + 248(sp)
	ld	t0, RF_FCSR(sp)
	fscsr	t0
	.globl	gort_arch_async_resume_trap
gort_arch_async_resume_trap:
	ebreak                           // the handler resumes the interrupted code
	.cfi_endproc
ENDFUNC gort_arch_async_preempt

// int gort_arch_async_preempt_supported(void): LP64D guarantees the F and D
// extensions, the whole state saved above.
FUNC gort_arch_async_preempt_supported
	.cfi_startproc
	li	a0, 1
	ret
	.cfi_endproc
ENDFUNC gort_arch_async_preempt_supported

// int gort_arch_async_vector_level(void): one level (f0..f31; no V state).
FUNC gort_arch_async_vector_level
	.cfi_startproc
	li	a0, 0
	ret
	.cfi_endproc
ENDFUNC gort_arch_async_vector_level

// void gort_arch_probe_async_regs(const uint64_t* in /*a0*/, uint64_t* out /*a1*/,
//                                 int level /*a2*/)
// In the preemptible section. Frame (sp while it spins): [0] ra,
// [8] s0..s11, [104] fs0..fs11, [200] in, out, [216] the caller's frm,
// [224...] the dump (arch.h's image, 64 words). sp, gp and tp are not
// loaded (their dump words get their own values); the dump is
// sp-relative, so every other register can be live.
#define T_IN 200
#define T_FRMSAVE 216
#define T_DUMP 224
#define T_FRAME 736                /* T_DUMP + 64 * 8 */
#define W(i) ((i) * 8)
#define XW(n) W((n) - 1)           /* xn's word */
#define VEC(i) W(GORT_ARCH_ASYNC_VEC + (i) * GORT_ARCH_ASYNC_VEC_WORDS)

	.section gort_preemptible,"ax",%progbits
FUNC gort_arch_probe_async_regs
	.cfi_startproc
	addi	sp, sp, -T_FRAME
	.cfi_def_cfa_offset T_FRAME
	sd	ra, 0(sp)
	.cfi_offset ra, -T_FRAME
	sd	s0, 8(sp)
	.cfi_offset s0, -T_FRAME + 8
	sd	s1, 16(sp)
	.cfi_offset s1, -T_FRAME + 16
	sd	s2, 24(sp)
	.cfi_offset s2, -T_FRAME + 24
	sd	s3, 32(sp)
	.cfi_offset s3, -T_FRAME + 32
	sd	s4, 40(sp)
	.cfi_offset s4, -T_FRAME + 40
	sd	s5, 48(sp)
	.cfi_offset s5, -T_FRAME + 48
	sd	s6, 56(sp)
	.cfi_offset s6, -T_FRAME + 56
	sd	s7, 64(sp)
	.cfi_offset s7, -T_FRAME + 64
	sd	s8, 72(sp)
	.cfi_offset s8, -T_FRAME + 72
	sd	s9, 80(sp)
	.cfi_offset s9, -T_FRAME + 80
	sd	s10, 88(sp)
	.cfi_offset s10, -T_FRAME + 88
	sd	s11, 96(sp)
	.cfi_offset s11, -T_FRAME + 96
	fsd	fs0, 104(sp)
	.cfi_offset fs0, -T_FRAME + 104
	fsd	fs1, 112(sp)
	.cfi_offset fs1, -T_FRAME + 112
	fsd	fs2, 120(sp)
	.cfi_offset fs2, -T_FRAME + 120
	fsd	fs3, 128(sp)
	.cfi_offset fs3, -T_FRAME + 128
	fsd	fs4, 136(sp)
	.cfi_offset fs4, -T_FRAME + 136
	fsd	fs5, 144(sp)
	.cfi_offset fs5, -T_FRAME + 144
	fsd	fs6, 152(sp)
	.cfi_offset fs6, -T_FRAME + 152
	fsd	fs7, 160(sp)
	.cfi_offset fs7, -T_FRAME + 160
	fsd	fs8, 168(sp)
	.cfi_offset fs8, -T_FRAME + 168
	fsd	fs9, 176(sp)
	.cfi_offset fs9, -T_FRAME + 176
	fsd	fs10, 184(sp)
	.cfi_offset fs10, -T_FRAME + 184
	fsd	fs11, 192(sp)
	.cfi_offset fs11, -T_FRAME + 192
	sd	a0, T_IN(sp)
	sd	a1, T_IN + 8(sp)
	frrm	t0
	sd	t0, T_FRMSAVE(sp)
	fld	f0, VEC(0)(a0)
	fld	f1, VEC(1)(a0)
	fld	f2, VEC(2)(a0)
	fld	f3, VEC(3)(a0)
	fld	f4, VEC(4)(a0)
	fld	f5, VEC(5)(a0)
	fld	f6, VEC(6)(a0)
	fld	f7, VEC(7)(a0)
	fld	f8, VEC(8)(a0)
	fld	f9, VEC(9)(a0)
	fld	f10, VEC(10)(a0)
	fld	f11, VEC(11)(a0)
	fld	f12, VEC(12)(a0)
	fld	f13, VEC(13)(a0)
	fld	f14, VEC(14)(a0)
	fld	f15, VEC(15)(a0)
	fld	f16, VEC(16)(a0)
	fld	f17, VEC(17)(a0)
	fld	f18, VEC(18)(a0)
	fld	f19, VEC(19)(a0)
	fld	f20, VEC(20)(a0)
	fld	f21, VEC(21)(a0)
	fld	f22, VEC(22)(a0)
	fld	f23, VEC(23)(a0)
	fld	f24, VEC(24)(a0)
	fld	f25, VEC(25)(a0)
	fld	f26, VEC(26)(a0)
	fld	f27, VEC(27)(a0)
	fld	f28, VEC(28)(a0)
	fld	f29, VEC(29)(a0)
	fld	f30, VEC(30)(a0)
	fld	f31, VEC(31)(a0)
	ld	t0, W(GORT_ARCH_ASYNC_FP_CONTROL)(a0)
	fscsr	t0
	ld	x1, XW(1)(a0)
	ld	x5, XW(5)(a0)
	ld	x6, XW(6)(a0)
	ld	x7, XW(7)(a0)
	ld	x8, XW(8)(a0)
	ld	x9, XW(9)(a0)
	ld	x11, XW(11)(a0)
	ld	x12, XW(12)(a0)
	ld	x13, XW(13)(a0)
	ld	x14, XW(14)(a0)
	ld	x15, XW(15)(a0)
	ld	x16, XW(16)(a0)
	ld	x17, XW(17)(a0)
	ld	x18, XW(18)(a0)
	ld	x19, XW(19)(a0)
	ld	x20, XW(20)(a0)
	ld	x21, XW(21)(a0)
	ld	x22, XW(22)(a0)
	ld	x23, XW(23)(a0)
	ld	x24, XW(24)(a0)
	ld	x25, XW(25)(a0)
	ld	x26, XW(26)(a0)
	ld	x27, XW(27)(a0)
	ld	x28, XW(28)(a0)
	ld	x29, XW(29)(a0)
	ld	x30, XW(30)(a0)
	ld	x31, XW(31)(a0)
	ld	x10, XW(10)(a0)
	// Every register of the image is live from here to the dump.
	.rept 1024
	nop
	.endr
	sd	x1, T_DUMP + XW(1)(sp)
	sd	x2, T_DUMP + XW(2)(sp)
	sd	x3, T_DUMP + XW(3)(sp)
	sd	x4, T_DUMP + XW(4)(sp)
	sd	x5, T_DUMP + XW(5)(sp)
	sd	x6, T_DUMP + XW(6)(sp)
	sd	x7, T_DUMP + XW(7)(sp)
	sd	x8, T_DUMP + XW(8)(sp)
	sd	x9, T_DUMP + XW(9)(sp)
	sd	x10, T_DUMP + XW(10)(sp)
	sd	x11, T_DUMP + XW(11)(sp)
	sd	x12, T_DUMP + XW(12)(sp)
	sd	x13, T_DUMP + XW(13)(sp)
	sd	x14, T_DUMP + XW(14)(sp)
	sd	x15, T_DUMP + XW(15)(sp)
	sd	x16, T_DUMP + XW(16)(sp)
	sd	x17, T_DUMP + XW(17)(sp)
	sd	x18, T_DUMP + XW(18)(sp)
	sd	x19, T_DUMP + XW(19)(sp)
	sd	x20, T_DUMP + XW(20)(sp)
	sd	x21, T_DUMP + XW(21)(sp)
	sd	x22, T_DUMP + XW(22)(sp)
	sd	x23, T_DUMP + XW(23)(sp)
	sd	x24, T_DUMP + XW(24)(sp)
	sd	x25, T_DUMP + XW(25)(sp)
	sd	x26, T_DUMP + XW(26)(sp)
	sd	x27, T_DUMP + XW(27)(sp)
	sd	x28, T_DUMP + XW(28)(sp)
	sd	x29, T_DUMP + XW(29)(sp)
	sd	x30, T_DUMP + XW(30)(sp)
	sd	x31, T_DUMP + XW(31)(sp)
	frcsr	t0
	sd	t0, T_DUMP + W(GORT_ARCH_ASYNC_FP_CONTROL)(sp)
	fsd	f0, T_DUMP + VEC(0)(sp)
	fsd	f1, T_DUMP + VEC(1)(sp)
	fsd	f2, T_DUMP + VEC(2)(sp)
	fsd	f3, T_DUMP + VEC(3)(sp)
	fsd	f4, T_DUMP + VEC(4)(sp)
	fsd	f5, T_DUMP + VEC(5)(sp)
	fsd	f6, T_DUMP + VEC(6)(sp)
	fsd	f7, T_DUMP + VEC(7)(sp)
	fsd	f8, T_DUMP + VEC(8)(sp)
	fsd	f9, T_DUMP + VEC(9)(sp)
	fsd	f10, T_DUMP + VEC(10)(sp)
	fsd	f11, T_DUMP + VEC(11)(sp)
	fsd	f12, T_DUMP + VEC(12)(sp)
	fsd	f13, T_DUMP + VEC(13)(sp)
	fsd	f14, T_DUMP + VEC(14)(sp)
	fsd	f15, T_DUMP + VEC(15)(sp)
	fsd	f16, T_DUMP + VEC(16)(sp)
	fsd	f17, T_DUMP + VEC(17)(sp)
	fsd	f18, T_DUMP + VEC(18)(sp)
	fsd	f19, T_DUMP + VEC(19)(sp)
	fsd	f20, T_DUMP + VEC(20)(sp)
	fsd	f21, T_DUMP + VEC(21)(sp)
	fsd	f22, T_DUMP + VEC(22)(sp)
	fsd	f23, T_DUMP + VEC(23)(sp)
	fsd	f24, T_DUMP + VEC(24)(sp)
	fsd	f25, T_DUMP + VEC(25)(sp)
	fsd	f26, T_DUMP + VEC(26)(sp)
	fsd	f27, T_DUMP + VEC(27)(sp)
	fsd	f28, T_DUMP + VEC(28)(sp)
	fsd	f29, T_DUMP + VEC(29)(sp)
	fsd	f30, T_DUMP + VEC(30)(sp)
	fsd	f31, T_DUMP + VEC(31)(sp)
	ld	t0, T_FRMSAVE(sp)
	fsrm	t0                       // fflags are caller-saved: only frm
	ld	t0, T_IN + 8(sp)         // out
	addi	t1, sp, T_DUMP
	li	t2, GORT_ARCH_ASYNC_WORDS
1:	ld	t3, 0(t1)
	sd	t3, 0(t0)
	addi	t1, t1, 8
	addi	t0, t0, 8
	addi	t2, t2, -1
	bnez	t2, 1b
	ld	s0, 8(sp)
	ld	s1, 16(sp)
	ld	s2, 24(sp)
	ld	s3, 32(sp)
	ld	s4, 40(sp)
	ld	s5, 48(sp)
	ld	s6, 56(sp)
	ld	s7, 64(sp)
	ld	s8, 72(sp)
	ld	s9, 80(sp)
	ld	s10, 88(sp)
	ld	s11, 96(sp)
	fld	fs0, 104(sp)
	fld	fs1, 112(sp)
	fld	fs2, 120(sp)
	fld	fs3, 128(sp)
	fld	fs4, 136(sp)
	fld	fs5, 144(sp)
	fld	fs6, 152(sp)
	fld	fs7, 160(sp)
	fld	fs8, 168(sp)
	fld	fs9, 176(sp)
	fld	fs10, 184(sp)
	fld	fs11, 192(sp)
	ld	ra, 0(sp)
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
	addi	sp, sp, T_FRAME
	.cfi_def_cfa_offset 0
	ret
	.cfi_endproc
ENDFUNC gort_arch_probe_async_regs
	.text

	.section .note.GNU-stack,"",%progbits
