// ppc64le (POWER8+, ELFv2 ABI) context-switch trampolines. The contract is arch.h.
//
// Saved block, lowest address first (528 bytes, a multiple of 16; the
// block is an ABI stack frame: r1 points at it while it is being built):
//   0    back chain: the saver's r1 at its call, so frame walkers and the
//        kernel see a valid chain while a context is suspended
//   8    CR (mfcr; cr2..cr4 are callee-saved, restored with mtcrf 0x38)
//   16   r2 (TOC pointer)
//   24   VRSAVE
//   32   r14 .. r31 (18 slots, 32..175)
//   176  FPSCR as mffs reads it (restored with mtfsf 0x03: fields 6 and 7,
//        the control bits VE OE UE ZE XE NI RN; never the status bits)
//   184  padding
//   192  f14 .. f31 (18 slots, 192..335)
//   336  v20 .. v31 (12 x 16 bytes, 336..527; 16-aligned for stvx/lvx)
// The return address is in LR, not on the stack: a save stores LR in
// Gobuf.pc, so once the block is popped r1 is exactly the caller's r1 at
// its call. Resuming loads the pc into r12 and branches with mtctr; bctr:
// never a blr to an address that does not match its bl, which would
// unbalance the link stack predictor. r12 = the target is also what the
// ABI wants at a function's global entry point.
//
// r2 (TOC): a call within one module expects r2 unchanged across it, and
// code in another module (a shared library) runs with another TOC; so each
// context keeps its own r2 in its block, like a callee-saved register. The
// trampolines themselves never use the TOC (addresses of local labels are
// PC-relative), so they also work in a shared library. Indirect calls
// (body, exit, mcall's fn, systemstack's fn) go through r12 and ctr, as the
// ABI's global entry points require, and reload r2 from the TOC save slot
// (24 of the caller's frame) afterwards.
// The _shared_fp family (Go's policy, arch.h) uses the same block, neither
// reads nor writes FPSCR, and stores FP_DEFAULT in its slot.
//
// r13 (thread pointer) is not saved: it belongs to the thread, and a
// goroutine must not carry one thread's r13 to another.
//
// Fresh goroutine (gort_arch_gobuf_init): r14 = body, r15 = exit, r16 = arg,
// r2 = gobuf_init's caller's TOC, the other registers zero, the FPSCR
// control bits at the ABI's initial value (0: round to nearest, exceptions
// disabled), back chain 0, and pc = gort_arch_goroutine_entry.
//
// Frames that call C++ from here keep the ABI's minimum frame: 32 bytes,
// back chain at 0, CR save 8, LR save 16 (written by the callee), TOC save
// 24, and r1 16-aligned at every call.

#include "arch.h"

#define BLOCK_SIZE 528
#define B_CHAIN GORT_ARCH_BLOCK_BACKCHAIN
#if B_CHAIN != 0
#error "ppc64le.S: SAVE_CONTEXT's stdu writes the back chain at 0 of the block"
#endif
#define B_CR 8
#define B_TOC 16
#define B_VRSAVE 24
#define B_GPR 32       /* r14 at 32, r(14+i) at 32 + 8i */
#define B_FPSCR 176
#define B_FPR 192      /* f14 at 192 */
#define B_VR 336       /* v20 at 336 */
#define MIN_FRAME 32
#define FRAME_TOC 24
#define FRAME_LR 16
#define CR_FXM 0x38        /* mtcrf field mask: cr2, cr3, cr4 */
#define FPSCR_FLM 0x03     /* mtfsf field mask: fields 6 and 7 */
#define FPSCR_CONTROL 0xFF /* VE OE UE ZE XE NI RN */
#define FP_DEFAULT 0       /* RN = 0: round to nearest, ties to even; all disabled */
#define FP_ALTERNATE 1     /* RN = 1: round toward zero */

// DWARF register numbers (the ELFv2 ABI's): LR.
#define DW_LR 65

	.abiversion 2
	.machine power8
	.text

// Pushes the callee-saved state. Entry: the return address in LR (and in r0,
// where the caller put it). Exit: r1 = the saved block. Clobbers r11, f0.
// \fp: "" or _SHARED_FP (Go's policy, arch.h: no mffs; the FPSCR slot gets
// FP_DEFAULT, so that an ordinary resume of the block is valid too).
.macro SAVE_CONTEXT fp=
	stdu	%r1, -BLOCK_SIZE(%r1)
	mfcr	%r11
	std	%r11, B_CR(%r1)
	std	%r2, B_TOC(%r1)
	mfvrsave %r11
	std	%r11, B_VRSAVE(%r1)
	.irp	n, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	std	%r\n, (B_GPR + 8 * (\n - 14))(%r1)
	.endr
.ifc \fp,_SHARED_FP
	li	%r11, FP_DEFAULT
	std	%r11, B_FPSCR(%r1)
.else
	mffs	%f0
	stfd	%f0, B_FPSCR(%r1)
.endif
	.irp	n, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	stfd	%f\n, (B_FPR + 8 * (\n - 14))(%r1)
	.endr
	.irp	n, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	li	%r11, (B_VR + 16 * (\n - 20))
	stvx	%v\n, %r1, %r11
	.endr
.endm

// Pops a saved block at r1. Clobbers r11 and f0, never r12 (which holds
// the resume pc). \fp as in SAVE_CONTEXT: _SHARED_FP leaves FPSCR alone.
.macro RESTORE_CONTEXT fp=
	.irp	n, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	li	%r11, (B_VR + 16 * (\n - 20))
	lvx	%v\n, %r1, %r11
	.endr
	.irp	n, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	lfd	%f\n, (B_FPR + 8 * (\n - 14))(%r1)
	.endr
.ifnc \fp,_SHARED_FP
	lfd	%f0, B_FPSCR(%r1)
	mtfsf	FPSCR_FLM, %f0
.endif
	.irp	n, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	ld	%r\n, (B_GPR + 8 * (\n - 14))(%r1)
	.endr
	ld	%r11, B_VRSAVE(%r1)
	mtvrsave %r11
	ld	%r2, B_TOC(%r1)
	ld	%r11, B_CR(%r1)
	mtcrf	CR_FXM, %r11
	addi	%r1, %r1, BLOCK_SIZE
.endm

.macro FUNC name
	.globl	\name
	.type	\name, @function
	.p2align 4
\name:
.endm

.macro ENDFUNC name
	.size	\name, .-\name
.endm

// void gort_arch_gobuf_init(gort_gobuf* buf /*r3*/, void* stack_hi /*r4*/,
//                           void (*body)(void*) /*r5*/, void (*exit)(void*) /*r6*/,
//                           void* arg /*r7*/)
FUNC gort_arch_gobuf_init
	.cfi_startproc
	clrrdi	%r4, %r4, 4                  // popped block leaves r1 16-aligned
	addi	%r9, %r4, -BLOCK_SIZE
	li	%r0, 0
	// Zero the whole block, then fill in what is not zero.
	li	%r10, BLOCK_SIZE / 8
	mtctr	%r10
	addi	%r10, %r9, -8
1:	stdu	%r0, 8(%r10)
	bdnz	1b
	std	%r2, B_TOC(%r9)
	std	%r5, (B_GPR + 8 * 0)(%r9)    // r14 = body
	std	%r6, (B_GPR + 8 * 1)(%r9)    // r15 = exit
	std	%r7, (B_GPR + 8 * 2)(%r9)    // r16 = arg
	li	%r10, FP_DEFAULT
	std	%r10, B_FPSCR(%r9)
	std	%r9, GORT_GOBUF_SP(%r3)
	// PC-relative address of the entry (no TOC, so it also works in a .so):
	// bcl 20,31 to the next instruction is the idiom the link stack ignores.
	mflr	%r0
	bcl	20, 31, 2f
2:	mflr	%r10
	mtlr	%r0
	addi	%r10, %r10, (.Lgoroutine_entry - 2b)
	std	%r10, GORT_GOBUF_PC(%r3)
	blr
	.cfi_endproc
ENDFUNC gort_arch_gobuf_init

// void gort_arch_gogo(const gort_gobuf* to /*r3*/)
// Resumes the Gobuf at r3: its stack, its registers, its pc.
.macro GOGO fp=
	.cfi_startproc
	ld	%r12, GORT_GOBUF_PC(%r3)
	ld	%r1, GORT_GOBUF_SP(%r3)
	RESTORE_CONTEXT \fp
	mtctr	%r12
	bctr
	.cfi_endproc
.endm

FUNC gort_arch_gogo
	GOGO
ENDFUNC gort_arch_gogo

// void gort_arch_gogo_shared_fp(const gort_gobuf* to /*r3*/): Go's FP
// policy (arch.h), FPSCR left as it is.
FUNC gort_arch_gogo_shared_fp
	GOGO _SHARED_FP
ENDFUNC gort_arch_gogo_shared_fp

#if GORT_MUTANTS
// Mutant gogo-forgets-callee-saved (gort/mutants.h), mutants builds only:
// gort_arch_gogo, except that r30 keeps the resuming thread's value
// instead of the saved one. r30 because the entry trampoline does not use
// it: fresh goroutines still start, and only code that kept something in
// r30 across a switch sees the bug.
// void gort_arch_gogo_mutant_forget_reg(const gort_gobuf* to /*r3*/)
FUNC gort_arch_gogo_mutant_forget_reg
	.cfi_startproc
	mr	%r10, %r30                   // RESTORE_CONTEXT leaves r10 alone
	ld	%r12, GORT_GOBUF_PC(%r3)
	ld	%r1, GORT_GOBUF_SP(%r3)
	RESTORE_CONTEXT
	mr	%r30, %r10
	mtctr	%r12
	bctr
	.cfi_endproc
ENDFUNC gort_arch_gogo_mutant_forget_reg
#endif

// void gort_arch_swap(gort_gobuf* save /*r3*/, const gort_gobuf* to /*r4*/)
.macro SWAP fp=
	.cfi_startproc
	mflr	%r0
	SAVE_CONTEXT \fp
	std	%r1, GORT_GOBUF_SP(%r3)
	std	%r0, GORT_GOBUF_PC(%r3)
	ld	%r12, GORT_GOBUF_PC(%r4)
	ld	%r1, GORT_GOBUF_SP(%r4)
	RESTORE_CONTEXT \fp
	mtctr	%r12
	bctr
	.cfi_endproc
.endm

FUNC gort_arch_swap
	SWAP
ENDFUNC gort_arch_swap

// void gort_arch_swap_shared_fp(gort_gobuf* save /*r3*/, const gort_gobuf* to /*r4*/)
FUNC gort_arch_swap_shared_fp
	SWAP _SHARED_FP
ENDFUNC gort_arch_swap_shared_fp

// void gort_arch_mcall(gort_gobuf* save /*r3*/, uintptr_t g0_sp /*r4*/,
//                      void (*fn)(void*) /*r5*/, void* arg /*r6*/)
.macro MCALL fp=
	.cfi_startproc
	mflr	%r0
	SAVE_CONTEXT \fp
	std	%r1, GORT_GOBUF_SP(%r3)
	std	%r0, GORT_GOBUF_PC(%r3)
	// A minimum frame at the top of g0's fresh stack, back chain 0.
	addi	%r1, %r4, -MIN_FRAME
	// From here on we are on g0's fresh stack: nothing above to unwind to.
	.cfi_undefined DW_LR
	li	%r0, 0
	std	%r0, 0(%r1)
	mtlr	%r0
	li	%r31, 0                      // frame-pointer walkers stop here too
	std	%r2, FRAME_TOC(%r1)
	mr	%r3, %r6
	mr	%r12, %r5
	mtctr	%r12
	bctrl
	trap                                 // fn returned: a runtime bug
	.cfi_endproc
.endm

FUNC gort_arch_mcall
	MCALL
ENDFUNC gort_arch_mcall

// void gort_arch_mcall_shared_fp(gort_gobuf* save /*r3*/, uintptr_t g0_sp /*r4*/,
//                                void (*fn)(void*) /*r5*/, void* arg /*r6*/)
FUNC gort_arch_mcall_shared_fp
	MCALL _SHARED_FP
ENDFUNC gort_arch_mcall_shared_fp

// uintptr_t gort_arch_systemstack(uintptr_t g0_sp /*r3*/, uintptr_t (*fn)(void*) /*r4*/,
//                                 void* arg /*r5*/)
// Frame on the caller's stack (48 bytes): back chain | CR | LR save |
// TOC save | r31 | padding. r31 is the frame's address, kept by fn, so the
// CFI unwinder follows it from g0's stack back to the caller; g0's minimum
// frame has its back chain pointing at this frame, so back-chain walkers
// follow it too.
FUNC gort_arch_systemstack
	.cfi_startproc
	mflr	%r0
	std	%r0, FRAME_LR(%r1)           // the ABI's LR save slot, in the caller's frame
	.cfi_offset DW_LR, FRAME_LR
	stdu	%r1, -48(%r1)
	.cfi_def_cfa_offset 48
	std	%r31, 32(%r1)
	.cfi_offset %r31, -16
	std	%r2, FRAME_TOC(%r1)
	mr	%r31, %r1
	.cfi_def_cfa_register %r31
	addi	%r11, %r3, -MIN_FRAME
	std	%r1, 0(%r11)                 // g0's frame chains to ours
	mr	%r1, %r11
	mr	%r3, %r5
	mr	%r12, %r4
	mtctr	%r12
	bctrl
	mr	%r1, %r31
	.cfi_def_cfa_register %r1
	ld	%r2, FRAME_TOC(%r1)
	ld	%r31, 32(%r1)
	.cfi_restore %r31
	addi	%r1, %r1, 48
	.cfi_def_cfa_offset 0
	ld	%r0, FRAME_LR(%r1)
	mtlr	%r0
	.cfi_restore DW_LR
	blr
	.cfi_endproc
ENDFUNC gort_arch_systemstack

// The first frame of every goroutine. Entered by a resume of a Gobuf built by
// gort_arch_gobuf_init: r14 = body, r15 = exit, r16 = arg, r1 16-aligned,
// r31 = 0. It allocates a minimum frame whose back chain is 0: back-chain
// walkers stop there.
FUNC gort_arch_goroutine_entry
.Lgoroutine_entry:
	.cfi_startproc
	.cfi_undefined DW_LR                 // unwinding stops here
	addi	%r1, %r1, -MIN_FRAME
	.cfi_def_cfa_offset MIN_FRAME
	li	%r0, 0
	std	%r0, 0(%r1)                  // the back chain ends here
	std	%r0, FRAME_LR(%r1)
	mtlr	%r0                          // no stale return address to mistake for a caller
	std	%r2, FRAME_TOC(%r1)
	mr	%r3, %r16
	mr	%r12, %r14
	mtctr	%r12
	bctrl
	ld	%r2, FRAME_TOC(%r1)
	mr	%r3, %r16
	mr	%r12, %r15
	mtctr	%r12
	bctrl
	trap                                 // exit returned: a runtime bug
	.cfi_endproc
	.globl	gort_arch_goroutine_entry_end
gort_arch_goroutine_entry_end:
ENDFUNC gort_arch_goroutine_entry

// void gort_arch_probe_callee_saved(const uint64_t* in /*r3*/, uint64_t* out /*r4*/,
//                                   void (*fn)(void*) /*r5*/, void* arg /*r6*/)
// in/out order (arch.h): r14..r31 (words 0..17), f14..f31 (18..35),
// v20..v31 (36..59, two words each, as lxvd2x/stxvd2x move them), CR
// (60, cr2..cr4 only), VRSAVE (61, 32 bits).
// Frame (544 bytes): 0 back chain | 8 CR save | 16 LR save | 24 TOC save |
// 32 out | 40 caller's CR | 48 caller's VRSAVE | 56 padding |
// 64 r14..r31 | 208 f14..f31 | 352 v20..v31.
#define P_SIZE 544
#define P_OUT 32
#define P_CR 40
#define P_VRSAVE 48
#define P_GPR 64
#define P_FPR 208
#define P_VR 352
#define IN_GPR 0
#define IN_FPR (8 * GORT_ARCH_PROBE_FP_FIRST)
#define IN_VR (8 * GORT_ARCH_PROBE_VEC_FIRST)
#define IN_CR (8 * (GORT_ARCH_PROBE_OTHER_FIRST + GORT_ARCH_OTHER_CR))
#define IN_VRSAVE (8 * (GORT_ARCH_PROBE_OTHER_FIRST + GORT_ARCH_OTHER_VRSAVE))
#if IN_FPR != 144 || IN_VR != 288 || IN_CR != 480 || IN_VRSAVE != 488
#error "ppc64le.S: the probe's word order no longer matches arch.h"
#endif
FUNC gort_arch_probe_callee_saved
	.cfi_startproc
	mflr	%r0
	std	%r0, FRAME_LR(%r1)
	.cfi_offset DW_LR, FRAME_LR
	stdu	%r1, -P_SIZE(%r1)
	.cfi_def_cfa_offset P_SIZE
	std	%r4, P_OUT(%r1)
	std	%r2, FRAME_TOC(%r1)
	mfcr	%r0
	std	%r0, P_CR(%r1)
	mfvrsave %r0
	std	%r0, P_VRSAVE(%r1)
	.irp	n, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	std	%r\n, (P_GPR + 8 * (\n - 14))(%r1)
	.cfi_offset %r\n, (P_GPR + 8 * (\n - 14)) - P_SIZE
	.endr
	.irp	n, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	stfd	%f\n, (P_FPR + 8 * (\n - 14))(%r1)
	.cfi_offset %f\n, (P_FPR + 8 * (\n - 14)) - P_SIZE
	.endr
	.irp	n, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	li	%r11, (P_VR + 16 * (\n - 20))
	stvx	%v\n, %r1, %r11
	.endr
	// Load the values to probe with. r31 now holds a random value, so the
	// CFA stays r1-based.
	.irp	n, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	ld	%r\n, (IN_GPR + 8 * (\n - 14))(%r3)
	.endr
	.irp	n, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	lfd	%f\n, (IN_FPR + 8 * (\n - 14))(%r3)
	.endr
	// in[] is only 8-aligned: VSX's lxvd2x takes any alignment. v20..v31
	// are VSX registers 52..63.
	.irp	n, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	li	%r11, (IN_VR + 16 * (\n - 20))
	lxvd2x	(32 + \n), %r3, %r11
	.endr
	ld	%r0, IN_CR(%r3)
	mtcrf	CR_FXM, %r0
	ld	%r0, IN_VRSAVE(%r3)
	mtvrsave %r0
	mr	%r3, %r6
	mr	%r12, %r5
	mtctr	%r12
	bctrl
	ld	%r2, FRAME_TOC(%r1)
	ld	%r4, P_OUT(%r1)
	.irp	n, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	std	%r\n, (IN_GPR + 8 * (\n - 14))(%r4)
	.endr
	.irp	n, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	stfd	%f\n, (IN_FPR + 8 * (\n - 14))(%r4)
	.endr
	.irp	n, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	li	%r11, (IN_VR + 16 * (\n - 20))
	stxvd2x	(32 + \n), %r4, %r11
	.endr
	mfcr	%r0
	rlwinm	%r0, %r0, 0, 8, 19           // cr2..cr4: GORT_ARCH_CR_NONVOLATILE
	std	%r0, IN_CR(%r4)
	mfvrsave %r0
	clrldi	%r0, %r0, 32
	std	%r0, IN_VRSAVE(%r4)
	// The caller's own state back.
	.irp	n, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	ld	%r\n, (P_GPR + 8 * (\n - 14))(%r1)
	.cfi_restore %r\n
	.endr
	.irp	n, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	lfd	%f\n, (P_FPR + 8 * (\n - 14))(%r1)
	.cfi_restore %f\n
	.endr
	.irp	n, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	li	%r11, (P_VR + 16 * (\n - 20))
	lvx	%v\n, %r1, %r11
	.endr
	ld	%r0, P_CR(%r1)
	mtcrf	CR_FXM, %r0
	ld	%r0, P_VRSAVE(%r1)
	mtvrsave %r0
	addi	%r1, %r1, P_SIZE
	.cfi_def_cfa_offset 0
	ld	%r0, FRAME_LR(%r1)
	mtlr	%r0
	.cfi_restore DW_LR
	blr
	.cfi_endproc
ENDFUNC gort_arch_probe_callee_saved

// uintptr_t gort_arch_probe_sp(void): a call pushes nothing, so the
// caller's r1 at the call is r1 here.
FUNC gort_arch_probe_sp
	.cfi_startproc
	mr	%r3, %r1
	blr
	.cfi_endproc
ENDFUNC gort_arch_probe_sp

// uint64_t gort_arch_fp_control_get(void): FPSCR's control byte (VE OE UE
// ZE XE NI RN), through the red zone (ELFv2: 288 bytes below r1 that a leaf
// may use).
FUNC gort_arch_fp_control_get
	.cfi_startproc
	mffs	%f0
	stfd	%f0, -8(%r1)
	ld	%r3, -8(%r1)
	clrldi	%r3, %r3, 56
	blr
	.cfi_endproc
ENDFUNC gort_arch_fp_control_get

// void gort_arch_fp_control_set(uint64_t v /*r3*/): the control byte only;
// the status bits (fields 0..5) are left as they are.
FUNC gort_arch_fp_control_set
	.cfi_startproc
	clrldi	%r3, %r3, 56
	std	%r3, -8(%r1)
	lfd	%f0, -8(%r1)
	mtfsf	FPSCR_FLM, %f0
	blr
	.cfi_endproc
ENDFUNC gort_arch_fp_control_set

FUNC gort_arch_fp_control_default
	.cfi_startproc
	li	%r3, FP_DEFAULT
	blr
	.cfi_endproc
ENDFUNC gort_arch_fp_control_default

FUNC gort_arch_fp_control_alternate
	.cfi_startproc
	li	%r3, FP_ALTERNATE
	blr
	.cfi_endproc
ENDFUNC gort_arch_fp_control_alternate

// --- Async preemption (arch.h) ---
//
// Entry (platform/preempt_signal.cc's inject_call): every register holds
// its interrupted value but r1 = E = S - 288 - 16, where S is the
// interrupted r1 (288: ELFv2's red zone, which leaf code may be using),
// [E] = the interrupted pc and [E + 8] = S. The frame gort_arch_async_preempt
// builds, at A = E - AF_SIZE (byte offsets from A, arch.h's
// GORT_ARCH_ASYNC_FRAME_*):
//   0     back chain = S: the frame chains to the interrupted function's,
//         as a callee's would
//   8     CR save, 16 LR save, 24 TOC save: the runtime's call's slots
//   32    r0..r31 (r1's slot holds S; r13's is never loaded back)
//   288   pc    296 CTR    304 LR    312 XER    320 CR
//   328   FPSCR (mffs)    336 VRSAVE
//   344   the word at S + 16, which the frame record overwrites
//   352   VSCR (16 bytes, as stvx stores mfvscr's register)
//   368   vs0..vs63, 16 bytes each (f0..f31 and v0..v31 are their parts)
// r1 = A at the call of gort_rt_async_preempted and at the trap: the
// resume-trap handler (platform/preempt_signal.cc) loads r0..r31 (r13
// aside), pc, CTR, LR, XER and CR from A into the signal context, and
// sigreturn resumes the interrupted code with every register as it was.
// The FP and vector state (vs0..vs63, FPSCR, VSCR, VRSAVE) the kernel saved
// in the trap's signal frame is the restored one, so sigreturn puts it back
// unchanged.
//
// The frame record: [A] = S, and pc at S + 16, the LR save slot where a
// real call from the interrupted function would have put its return
// address (fatal.cc's walk: a frame's return address at 16 of its back
// chain's value). The word there may be live (a prologue between its
// `std r0,16(r1)` and its `stdu`), so it is saved and put back before the
// trap.
//
// CFI: a signal frame whose CFA is the interrupted r1, read from memory
// (the red-zone skip is the handler's choice), with the return column (LR)
// at the pc's slot and r0..r31 at theirs.

#define AF_SIZE GORT_ARCH_ASYNC_FRAME_SIZE
#define AF_R(n) (GORT_ARCH_ASYNC_FRAME_R0 + 8 * (n))
#define AF_PC GORT_ARCH_ASYNC_FRAME_PC
#define AF_CTR GORT_ARCH_ASYNC_FRAME_CTR
#define AF_LR GORT_ARCH_ASYNC_FRAME_LR
#define AF_XER GORT_ARCH_ASYNC_FRAME_XER
#define AF_CR GORT_ARCH_ASYNC_FRAME_CR
#define AF_FPSCR GORT_ARCH_ASYNC_FRAME_FPSCR
#define AF_VRSAVE GORT_ARCH_ASYNC_FRAME_VRSAVE
#define AF_LR_SLOT GORT_ARCH_ASYNC_FRAME_LR_SLOT
#define AF_VSCR GORT_ARCH_ASYNC_FRAME_VSCR
#define AF_VS0 GORT_ARCH_ASYNC_FRAME_VS0

#if GORT_ARCH_ASYNC_FRAME_BACKCHAIN != 0 || AF_R(0) != 32 || AF_PC != AF_R(32) || AF_CTR != 296 || \
    AF_LR != 304 || AF_XER != 312 || AF_CR != 320 || AF_FPSCR != 328 || AF_VRSAVE != 336 ||          \
    AF_LR_SLOT != 344 || AF_VSCR != 352 || AF_VS0 != 368 || AF_SIZE != AF_VS0 + 64 * 16 ||         \
    AF_SIZE % 16 != 0
#error "ppc64le.S: the resume frame's layout disagrees with arch.h"
#endif

// DW_CFA_expression: register \reg is saved at r1 + \off (DW_OP_breg1,
// \off as a one- or two-byte SLEB128).
.macro CFI_AT_R1 reg, off
.if (\off) < 64
	.cfi_escape 0x10, \reg, 2, 0x71, (\off)
.else
	.cfi_escape 0x10, \reg, 3, 0x71, ((\off) & 0x7f) | 0x80, (\off) >> 7
.endif
.endm

FUNC gort_arch_async_preempt
	.cfi_startproc
	.cfi_signal_frame
	.cfi_escape 0x0f, 3, 0x71, 8, 0x06   // CFA = [r1 + 8] (S)
	CFI_AT_R1 DW_LR, 0                    // the pc at [r1]
	stdu	%r1, -AF_SIZE(%r1)           // neither CR nor XER is written before it is saved
	.cfi_escape 0x0f, 4, 0x71, ((AF_SIZE + 8) & 0x7f) | 0x80, (AF_SIZE + 8) >> 7, 0x06
	CFI_AT_R1 DW_LR, AF_SIZE
	.irp	n, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	std	%r\n, AF_R(\n)(%r1)
	.endr
	mfcr	%r0
	std	%r0, AF_CR(%r1)
	mfxer	%r0
	std	%r0, AF_XER(%r1)
	mflr	%r0
	std	%r0, AF_LR(%r1)
	mfctr	%r0
	std	%r0, AF_CTR(%r1)
	ld	%r3, AF_SIZE(%r1)            // pc
	ld	%r4, AF_SIZE + 8(%r1)        // S
	clrldi	%r0, %r4, 60
	tdnei	%r0, 0                       // assert: the interrupted r1 is 16-aligned (ELFv2, always)
	std	%r3, AF_PC(%r1)
	std	%r4, AF_R(1)(%r1)
	std	%r4, 0(%r1)                  // the back chain: the interrupted frame
	ld	%r5, 16(%r4)
	std	%r5, AF_LR_SLOT(%r1)
	std	%r3, 16(%r4)                 // the frame record's return address
	.cfi_escape 0x0f, 3, 0x71, 0, 0x06   // CFA = [r1] (S)
	CFI_AT_R1 DW_LR, AF_PC
	.irp	n, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	CFI_AT_R1 \n, AF_R(\n)
	.endr
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63
	li	%r11, AF_VS0 + 16 * \n
	stxvd2x	\n, %r1, %r11
	.endr
	mffs	%f0
	stfd	%f0, AF_FPSCR(%r1)
	mfvrsave %r0
	std	%r0, AF_VRSAVE(%r1)
	mfvscr	%v0
	li	%r11, AF_VSCR
	stvx	%v0, %r1, %r11
	// What the C ABI assumes at a call: FPSCR's control fields (6 and 7:
	// the exception enables, NI and RN) at their defaults, as the block's
	// restore would leave them. Its status bits are volatile.
	mtfsfi	6, 0
	mtfsfi	7, 0
	// The interrupted r2 may be anything (the probe loads random values
	// into it): the call needs this module's TOC, computed PC-relatively.
	bcl	20, 31, 1f
1:	mflr	%r12
	addis	%r2, %r12, (.TOC. - 1b)@ha
	addi	%r2, %r2, (.TOC. - 1b)@l
	bl	gort_rt_async_preempted      // (pc = r3, sp = r4); r1 = A is 16-aligned
	nop
	li	%r11, AF_VSCR
	lvx	%v0, %r1, %r11
	mtvscr	%v0
	ld	%r0, AF_VRSAVE(%r1)
	mtvrsave %r0
	lfd	%f0, AF_FPSCR(%r1)
	mtfsf	0xff, %f0, 1, 0              // L = 1: all 64 bits, status and DRN too
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63
	li	%r11, AF_VS0 + 16 * \n
	lxvd2x	\n, %r1, %r11
	.endr
	ld	%r3, AF_R(1)(%r1)
	ld	%r4, AF_LR_SLOT(%r1)
	std	%r4, 16(%r3)                 // the word the frame record took
	.globl	gort_arch_async_resume_trap
gort_arch_async_resume_trap:
	trap                                 // the handler resumes the interrupted code
	.cfi_endproc
ENDFUNC gort_arch_async_preempt

// int gort_arch_async_preempt_supported(void): ppc64le Linux's baseline is
// POWER8 (ELFv2), which has VMX and VSX; the kernel saves both, with
// VRSAVE and VSCR, in every signal frame.
FUNC gort_arch_async_preempt_supported
	.cfi_startproc
	li	%r3, 1
	blr
	.cfi_endproc
ENDFUNC gort_arch_async_preempt_supported

// int gort_arch_async_vector_level(void): one level (vs0..vs63).
FUNC gort_arch_async_vector_level
	.cfi_startproc
	li	%r3, 0
	blr
	.cfi_endproc
ENDFUNC gort_arch_async_vector_level

// void gort_arch_probe_async_regs(const uint64_t* in /*r3*/, uint64_t* out /*r4*/,
//                                 int level /*r5*/)
// In the preemptible section. Frame (r1 while it spins, T_FRAME bytes):
// 0 back chain | 8 CR save | 16 LR save | 24 TOC save (the caller's r2) |
// 32 in | 40 out | 48 scratch (16 bytes, for VSCR's lvx/stvx) |
// 64 r14..r31 | 208 f14..f31 | 352 v20..v31 | 544 the caller's CR |
// 552 VRSAVE | 560 FPSCR | 576 VSCR (16 bytes) | 592 the dump (arch.h's
// image, 167 words). r1 is not in the image: the dump is r1-relative, so
// every other register can be live; r13 stays the thread's.
#define T_IN 32
#define T_OUT 40
#define T_SCRATCH 48
#define T_GPR 64
#define T_FPR 208
#define T_VR 352
#define T_CR 544
#define T_VRSAVE 552
#define T_FPSCR 560
#define T_VSCR 576
#define T_DUMP 592
#define T_FRAME 1936                 /* T_DUMP + 167 * 8, rounded up to 16 */
#define W(i) ((i) * 8)
#define VS(k) W(GORT_ARCH_ASYNC_VEC + (k) * GORT_ARCH_ASYNC_VEC_WORDS)
#if GORT_ARCH_ASYNC_WORDS != 167 || T_DUMP + W(GORT_ARCH_ASYNC_WORDS) > T_FRAME || T_FRAME % 16 != 0 || \
    GORT_ARCH_ASYNC_VEC != 39 || GORT_ARCH_ASYNC_VEC_WORDS != 2 || GORT_ARCH_ASYNC_FLAGS != 32
#error "ppc64le.S: the probe's frame disagrees with arch.h's image"
#endif

	.section gort_preemptible,"ax",@progbits
FUNC gort_arch_probe_async_regs
	.cfi_startproc
	mflr	%r0
	std	%r0, FRAME_LR(%r1)
	.cfi_offset DW_LR, FRAME_LR
	stdu	%r1, -T_FRAME(%r1)
	.cfi_def_cfa_offset T_FRAME
	tdnei	%r5, 0                       // assert: level 0, the only one (gort_arch_async_vector_level)
	std	%r2, FRAME_TOC(%r1)
	std	%r3, T_IN(%r1)
	std	%r4, T_OUT(%r1)
	.irp	n, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	std	%r\n, (T_GPR + 8 * (\n - 14))(%r1)
	.cfi_offset %r\n, (T_GPR + 8 * (\n - 14)) - T_FRAME
	.endr
	.irp	n, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	stfd	%f\n, (T_FPR + 8 * (\n - 14))(%r1)
	.cfi_offset %f\n, (T_FPR + 8 * (\n - 14)) - T_FRAME
	.endr
	.irp	n, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	li	%r11, (T_VR + 16 * (\n - 20))
	stvx	%v\n, %r1, %r11
	.endr
	mfcr	%r0
	std	%r0, T_CR(%r1)
	mfvrsave %r0
	std	%r0, T_VRSAVE(%r1)
	mffs	%f0
	stfd	%f0, T_FPSCR(%r1)
	mfvscr	%v0
	li	%r11, T_VSCR
	stvx	%v0, %r1, %r11
	// Load the image: VSCR and FPSCR through v0 and f0 first, then every
	// vector register, the special registers, CR (nothing after it writes
	// CR), and the general registers, r3 (the base) last.
	lwz	%r0, W(GORT_ARCH_ASYNC_VSCR)(%r3)
	stw	%r0, T_SCRATCH(%r1)          // LE: lvx puts these bytes in VSCR's word
	li	%r11, T_SCRATCH
	lvx	%v0, %r1, %r11
	mtvscr	%v0
	lfd	%f0, W(GORT_ARCH_ASYNC_FP_CONTROL)(%r3)
	mtfsf	0xff, %f0, 1, 0
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63
	li	%r11, VS(\n)
	lxvd2x	\n, %r3, %r11
	.endr
	ld	%r0, W(GORT_ARCH_ASYNC_VRSAVE)(%r3)
	mtvrsave %r0
	ld	%r0, W(GORT_ARCH_ASYNC_XER)(%r3)
	mtxer	%r0
	ld	%r0, W(GORT_ARCH_ASYNC_CTR)(%r3)
	mtctr	%r0
	ld	%r0, W(GORT_ARCH_ASYNC_LR)(%r3)
	mtlr	%r0
	ld	%r0, W(GORT_ARCH_ASYNC_FLAGS)(%r3)
	mtcr	%r0
	.irp	n, 0, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	ld	%r\n, W(\n)(%r3)
	.endr
	ld	%r3, W(3)(%r3)
	// Every register of the image is live from here to the dump.
	.rept 1024
	nop
	.endr
	.irp	n, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	std	%r\n, T_DUMP + W(\n)(%r1)
	.endr
	mfcr	%r0
	std	%r0, T_DUMP + W(GORT_ARCH_ASYNC_FLAGS)(%r1)
	mfxer	%r0
	std	%r0, T_DUMP + W(GORT_ARCH_ASYNC_XER)(%r1)
	mflr	%r0
	std	%r0, T_DUMP + W(GORT_ARCH_ASYNC_LR)(%r1)
	mfctr	%r0
	std	%r0, T_DUMP + W(GORT_ARCH_ASYNC_CTR)(%r1)
	mfvrsave %r0
	std	%r0, T_DUMP + W(GORT_ARCH_ASYNC_VRSAVE)(%r1)
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63
	li	%r11, T_DUMP + VS(\n)
	stxvd2x	\n, %r1, %r11
	.endr
	mffs	%f0
	stfd	%f0, T_DUMP + W(GORT_ARCH_ASYNC_FP_CONTROL)(%r1)
	mfvscr	%v0
	li	%r11, T_SCRATCH
	stvx	%v0, %r1, %r11
	lwz	%r0, T_SCRATCH(%r1)
	std	%r0, T_DUMP + W(GORT_ARCH_ASYNC_VSCR)(%r1)
	li	%r0, 0                       // r1's and r13's words: not in the image
	std	%r0, T_DUMP + W(1)(%r1)
	std	%r0, T_DUMP + W(13)(%r1)
	ld	%r4, T_OUT(%r1)
	addi	%r4, %r4, -8
	addi	%r5, %r1, T_DUMP - 8
	li	%r0, GORT_ARCH_ASYNC_WORDS
	mtctr	%r0
2:	ldu	%r6, 8(%r5)
	stdu	%r6, 8(%r4)
	bdnz	2b
	// The caller's own state back.
	li	%r11, T_VSCR
	lvx	%v0, %r1, %r11
	mtvscr	%v0
	lfd	%f0, T_FPSCR(%r1)
	mtfsf	0xff, %f0, 1, 0
	.irp	n, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	ld	%r\n, (T_GPR + 8 * (\n - 14))(%r1)
	.cfi_restore %r\n
	.endr
	.irp	n, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	lfd	%f\n, (T_FPR + 8 * (\n - 14))(%r1)
	.cfi_restore %f\n
	.endr
	.irp	n, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	li	%r11, (T_VR + 16 * (\n - 20))
	lvx	%v\n, %r1, %r11
	.endr
	ld	%r0, T_CR(%r1)
	mtcr	%r0
	ld	%r0, T_VRSAVE(%r1)
	mtvrsave %r0
	ld	%r2, FRAME_TOC(%r1)
	addi	%r1, %r1, T_FRAME
	.cfi_def_cfa_offset 0
	ld	%r0, FRAME_LR(%r1)
	mtlr	%r0
	.cfi_restore DW_LR
	blr
	.cfi_endproc
ENDFUNC gort_arch_probe_async_regs
	.text

	.section .note.GNU-stack,"",@progbits
