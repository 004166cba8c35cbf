// amd64 (System V) context-switch trampolines. The contract is arch.h.
//
// Saved block, lowest address first (7 slots, 56 bytes):
//   [0]  mxcsr (low 32 bits) | x87 control word (bits 32..47)
//   [1]  r15   [2] r14   [3] r13   [4] r12   [5] rbx   [6] rbp
// A save pops the caller's return address into Gobuf.pc first, so once the
// block is popped, rsp is exactly what the caller's `call` expects after a
// return; resuming is `jmp *pc`, never a `ret` that mismatches its call.
//
// Fresh goroutine (gort_arch_gobuf_init): rbx = body, r12 = exit, r13 = arg,
// the other registers zero, FP control at the ABI's initial values, and
// pc = gort_arch_goroutine_entry.

#include "arch.h"

#define MXCSR_DEFAULT 0x1F80       /* round to nearest, all exceptions masked */
#define MXCSR_ALTERNATE 0x7F80     /* round toward zero, all masked */
#define MXCSR_CONTROL_MASK 0xFFC0  /* bits 0..5 are status flags */
#define X87CW_DEFAULT 0x037F       /* extended precision, nearest, masked */
#define X87CW_ALTERNATE 0x0F7F     /* extended precision, toward zero, masked */

	.text

// Pushes the callee-saved state. Entry: return address at (%rsp).
// Exit: %r8 = return address, %rsp = saved block.
.macro SAVE_CONTEXT
	popq	%r8
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
.endm

// Pops a saved block at %rsp. Clobbers eax, ecx (caller-saved, and dead
// at every resume point). The FP control state is loaded only when it
// differs from the current one: ldmxcsr is slow whenever it changes the
// sticky status flags (tens of ns on this machine kind), and the status
// flags are caller-saved, so a resumed context need not get its own back.
.macro RESTORE_CONTEXT
	stmxcsr	-8(%rsp)                 // red zone, below the block
	movl	-8(%rsp), %eax
	xorl	(%rsp), %eax
	testl	$MXCSR_CONTROL_MASK, %eax
	jz	1f
	ldmxcsr	(%rsp)
1:
	fnstcw	-8(%rsp)
	movzwl	-8(%rsp), %eax
	movzwl	4(%rsp), %ecx
	cmpl	%eax, %ecx
	je	2f
	fldcw	4(%rsp)
2:
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
.endm

// The current context into the Gobuf at \buf (after SAVE_CONTEXT's pops
// and pushes, so sp and pc are the caller's view).
.macro SAVE_INTO buf
	SAVE_CONTEXT
	movq	%rsp, GORT_GOBUF_SP(\buf)
	movq	%r8, GORT_GOBUF_PC(\buf)
.endm

// Resumes the Gobuf at \buf: its stack, its registers, its pc.
.macro RESUME_FROM buf
	movq	GORT_GOBUF_PC(\buf), %r8
	movq	GORT_GOBUF_SP(\buf), %rsp
	RESTORE_CONTEXT
	jmp	*%r8
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

// void gort_arch_gobuf_init(gort_gobuf* buf /*rdi*/, void* stack_hi /*rsi*/,
//                           void (*body)(void*) /*rdx*/, void (*exit)(void*) /*rcx*/,
//                           void* arg /*r8*/)
FUNC gort_arch_gobuf_init
	.cfi_startproc
	andq	$-16, %rsi               // popped block leaves rsp 16-aligned
	leaq	-56(%rsi), %rax
	movl	$MXCSR_DEFAULT, (%rax)
	movl	$X87CW_DEFAULT, 4(%rax)
	movq	$0, 8(%rax)              // r15
	movq	$0, 16(%rax)             // r14
	movq	%r8, 24(%rax)            // r13 = arg
	movq	%rcx, 32(%rax)           // r12 = exit
	movq	%rdx, 40(%rax)           // rbx = body
	movq	$0, 48(%rax)             // rbp
	movq	%rax, GORT_GOBUF_SP(%rdi)
	leaq	.Lgoroutine_entry(%rip), %rax   // local: no PLT/GOT even in a .so
	movq	%rax, GORT_GOBUF_PC(%rdi)
	ret
	.cfi_endproc
ENDFUNC gort_arch_gobuf_init

// void gort_arch_gogo(const gort_gobuf* to /*rdi*/)
FUNC gort_arch_gogo
	.cfi_startproc
	RESUME_FROM %rdi
	.cfi_endproc
ENDFUNC gort_arch_gogo

#if GORT_MUTANTS
// Mutant gogo-forgets-callee-saved (gort/mutants.h), mutants builds only:
// gort_arch_gogo, except that r15 keeps the resuming thread's value
// instead of the saved one. r15 because the entry trampoline does not use
// it: fresh goroutines still start, and only code that kept something in
// r15 across a switch sees the bug.
// void gort_arch_gogo_mutant_forget_reg(const gort_gobuf* to /*rdi*/)
FUNC gort_arch_gogo_mutant_forget_reg
	.cfi_startproc
	movq	%r15, %r9                // caller-saved, dead at every resume point
	movq	GORT_GOBUF_PC(%rdi), %r8
	movq	GORT_GOBUF_SP(%rdi), %rsp
	RESTORE_CONTEXT
	movq	%r9, %r15
	jmp	*%r8
	.cfi_endproc
ENDFUNC gort_arch_gogo_mutant_forget_reg
#endif

// void gort_arch_swap(gort_gobuf* save /*rdi*/, const gort_gobuf* to /*rsi*/)
FUNC gort_arch_swap
	.cfi_startproc
	SAVE_INTO %rdi
	RESUME_FROM %rsi
	.cfi_endproc
ENDFUNC gort_arch_swap

// void gort_arch_mcall(gort_gobuf* save /*rdi*/, uintptr_t g0_sp /*rsi*/,
//                      void (*fn)(void*) /*rdx*/, void* arg /*rcx*/)
FUNC gort_arch_mcall
	.cfi_startproc
	SAVE_INTO %rdi
	movq	%rsi, %rsp
	// From here on we are on g0's fresh stack: nothing above to unwind to.
	.cfi_undefined rip
	xorl	%ebp, %ebp
	movq	%rcx, %rdi
	call	*%rdx
	ud2                              // fn returned: a runtime bug
	.cfi_endproc
ENDFUNC gort_arch_mcall

// uintptr_t gort_arch_systemstack(uintptr_t g0_sp /*rdi*/, uintptr_t (*fn)(void*) /*rsi*/,
//                                 void* arg /*rdx*/)
FUNC gort_arch_systemstack
	.cfi_startproc
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset rbp, 0
	movq	%rsp, %rbp
	.cfi_def_cfa_register rbp        // unwinders follow rbp back to the caller's stack
	movq	%rdi, %rsp
	movq	%rdx, %rdi
	call	*%rsi
	movq	%rbp, %rsp
	.cfi_def_cfa_register rsp
	popq	%rbp
	.cfi_adjust_cfa_offset -8
	.cfi_restore rbp
	ret
	.cfi_endproc
ENDFUNC gort_arch_systemstack

// The first frame of every goroutine. Entered by a resume of a Gobuf built by
// gort_arch_gobuf_init: rbx = body, r12 = exit, r13 = arg, rsp 16-aligned.
FUNC gort_arch_goroutine_entry
.Lgoroutine_entry:
	.cfi_startproc
	.cfi_undefined rip               // unwinding stops here
	xorl	%ebp, %ebp               // frame-pointer walkers stop here too
	movq	%r13, %rdi
	call	*%rbx
	movq	%r13, %rdi
	call	*%r12
	ud2                              // exit returned: a runtime bug
	.cfi_endproc
	.globl	gort_arch_goroutine_entry_end
gort_arch_goroutine_entry_end:
ENDFUNC gort_arch_goroutine_entry

// void gort_arch_probe_callee_saved(const uint64_t* in /*rdi*/, uint64_t* out /*rsi*/,
//                                   void (*fn)(void*) /*rdx*/, void* arg /*rcx*/)
// in/out order: rbx rbp r12 r13 r14 r15.
FUNC gort_arch_probe_callee_saved
	.cfi_startproc
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset rbp, 0
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset rbx, 0
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset r12, 0
	pushq	%r13
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset r13, 0
	pushq	%r14
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset r14, 0
	pushq	%r15
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset r15, 0
	subq	$24, %rsp                // 8 (ret) + 48 + 24: rsp 16-aligned at the call
	.cfi_adjust_cfa_offset 24
	movq	%rsi, (%rsp)
	movq	%rdx, %rax
	movq	0(%rdi), %rbx
	movq	8(%rdi), %rbp
	movq	16(%rdi), %r12
	movq	24(%rdi), %r13
	movq	32(%rdi), %r14
	movq	40(%rdi), %r15
	movq	%rcx, %rdi
	call	*%rax
	movq	(%rsp), %rax
	movq	%rbx, 0(%rax)
	movq	%rbp, 8(%rax)
	movq	%r12, 16(%rax)
	movq	%r13, 24(%rax)
	movq	%r14, 32(%rax)
	movq	%r15, 40(%rax)
	addq	$24, %rsp
	.cfi_adjust_cfa_offset -24
	popq	%r15
	.cfi_adjust_cfa_offset -8
	popq	%r14
	.cfi_adjust_cfa_offset -8
	popq	%r13
	.cfi_adjust_cfa_offset -8
	popq	%r12
	.cfi_adjust_cfa_offset -8
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	popq	%rbp
	.cfi_adjust_cfa_offset -8
	ret
	.cfi_endproc
ENDFUNC gort_arch_probe_callee_saved

// uintptr_t gort_arch_probe_sp(void)
FUNC gort_arch_probe_sp
	.cfi_startproc
	leaq	8(%rsp), %rax
	ret
	.cfi_endproc
ENDFUNC gort_arch_probe_sp

// uint64_t gort_arch_fp_control_get(void): mxcsr control bits | x87cw << 32
FUNC gort_arch_fp_control_get
	.cfi_startproc
	stmxcsr	-8(%rsp)                 // red zone
	fnstcw	-4(%rsp)
	movl	-8(%rsp), %eax
	andl	$MXCSR_CONTROL_MASK, %eax
	movzwl	-4(%rsp), %edx
	shlq	$32, %rdx
	orq	%rdx, %rax
	ret
	.cfi_endproc
ENDFUNC gort_arch_fp_control_get

// void gort_arch_fp_control_set(uint64_t v /*rdi*/)
FUNC gort_arch_fp_control_set
	.cfi_startproc
	movl	%edi, -8(%rsp)
	ldmxcsr	-8(%rsp)
	shrq	$32, %rdi
	movw	%di, -4(%rsp)
	fldcw	-4(%rsp)
	ret
	.cfi_endproc
ENDFUNC gort_arch_fp_control_set

FUNC gort_arch_fp_control_default
	.cfi_startproc
	movabsq	$((X87CW_DEFAULT << 32) | MXCSR_DEFAULT), %rax
	ret
	.cfi_endproc
ENDFUNC gort_arch_fp_control_default

FUNC gort_arch_fp_control_alternate
	.cfi_startproc
	movabsq	$((X87CW_ALTERNATE << 32) | MXCSR_ALTERNATE), %rax
	ret
	.cfi_endproc
ENDFUNC gort_arch_fp_control_alternate

	.section .note.GNU-stack,"",@progbits
