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
//
// FP control: a save stores MXCSR (whole) and the x87 control word; a
// resume loads both back, unconditionally. On the AMD EPYC machines gort is
// measured on, reading a just-stored MXCSR back into a general register
// (to compare it and skip the load) stalls for about 3 ns, twice what the
// load costs, so the resume never compares (bench/README: ArchSwap rows).
// The _shared_fp family skips the slot: Go's policy (arch.h).

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

// The same without reading the FP control state (Go's policy). The slot
// gets the ABI's defaults (two stores of immediates, next to free), so a
// block saved this way is still valid for a preserving resume: mixing the
// families is never a fault, at worst a reset of the control state.
.macro SAVE_CONTEXT_SHARED_FP
	popq	%r8
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	movl	$MXCSR_DEFAULT, (%rsp)
	movl	$X87CW_DEFAULT, 4(%rsp)
.endm

// Pops a saved block at %rsp, FP control state first (see the top).
.macro RESTORE_CONTEXT
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	RESTORE_CONTEXT_SHARED_FP
.endm

.macro RESTORE_CONTEXT_SHARED_FP
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
.endm

// The current context into the Gobuf at \buf (after SAVE_CONTEXT's pops
// and pushes, so sp and pc are the caller's view). \fp: "" or _SHARED_FP.
.macro SAVE_INTO buf, fp=
	SAVE_CONTEXT\fp
	movq	%rsp, GORT_GOBUF_SP(\buf)
	movq	%r8, GORT_GOBUF_PC(\buf)
.endm

// Resumes the Gobuf at \buf: its stack, its registers, its pc.
.macro RESUME_FROM buf, fp=
	movq	GORT_GOBUF_PC(\buf), %r8
	movq	GORT_GOBUF_SP(\buf), %rsp
	RESTORE_CONTEXT\fp
	jmp	*%r8
.endm

// A C function's prologue and epilogue for the six callee-saved
// registers, with their CFI (the probes' frames).
.macro PUSH_CALLEE_SAVED
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
.endm

.macro POP_CALLEE_SAVED
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

FUNC gort_arch_swap_shared_fp
	.cfi_startproc
	SAVE_INTO %rdi, _SHARED_FP
	RESUME_FROM %rsi, _SHARED_FP
	.cfi_endproc
ENDFUNC gort_arch_swap_shared_fp

FUNC gort_arch_gogo_shared_fp
	.cfi_startproc
	RESUME_FROM %rdi, _SHARED_FP
	.cfi_endproc
ENDFUNC gort_arch_gogo_shared_fp

// void gort_arch_mcall(gort_gobuf* save /*rdi*/, uintptr_t g0_sp /*rsi*/,
//                      void (*fn)(void*) /*rdx*/, void* arg /*rcx*/)
.macro MCALL fp=
	.cfi_startproc
	SAVE_INTO %rdi, \fp
	movq	%rsi, %rsp
	// From here on we are on g0's fresh stack: nothing above to unwind to.
	.cfi_undefined rip
	xorl	%ebp, %ebp
	movq	%rcx, %rdi
	call	*%rdx
	ud2                              // fn returned: a runtime bug
	.cfi_endproc
.endm

FUNC gort_arch_mcall
	MCALL
ENDFUNC gort_arch_mcall

FUNC gort_arch_mcall_shared_fp
	MCALL _SHARED_FP
ENDFUNC gort_arch_mcall_shared_fp

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
	PUSH_CALLEE_SAVED
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
	POP_CALLEE_SAVED
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

// --- Async preemption (arch.h) ---
//
// The frame gort_arch_async_preempt builds, from the interrupted sp down:
//   [sp-128, sp)  the interrupted code's red zone: never written
//   pc            pushed by the signal handler; entry rsp points here
//   rbp           the frame record {rbp, pc}: %rbp points here
//   rflags
//   rax rbx rcx rdx rsi rdi r8 r9 r10 r11 r12 r13 r14 r15
//   padding to 64 bytes, then the XSAVE area (standard format, at most
//   2688 bytes: x87, SSE, AVX, AVX-512 opmask and both upper ZMM
//   components, wherever the CPU's standard format puts them)
// The XSAVE area holds MXCSR and the x87 control word too, status bits
// included. rsp at the call is 64-aligned.

#define XSAVE_MASK 0xE7          /* x87 SSE AVX opmask ZMM_Hi256 Hi16_ZMM */
#define XSAVE_MASK_NO_UPPER 0xA3 /* mutant: without AVX and ZMM_Hi256 */
#define XSAVE_AREA 2688          /* the largest standard-format layout of XSAVE_MASK's components */
#define XSAVE_HEADER 512         /* its 64-byte header: XRSTOR wants the reserved part zero */
#define XSAVE_XMM5 (160 + 5 * 16)
#define ASYNC_GPR_BYTES 120      /* rflags + 14 general registers, below the record */

// \bug: 0 none, 1 AVX upper halves not restored, 2 flags not restored,
// 3 xmm5 not restored, 4 the stack misaligned at the call (mutants).
.macro ASYNC_PREEMPT bug=0
	.cfi_startproc
	.cfi_signal_frame
	.cfi_def_cfa rsp, 136            // the interrupted sp: pc + red zone above us
	.cfi_offset rip, -136
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_offset rbp, -144
	movq	%rsp, %rbp
	.cfi_def_cfa_register rbp
	pushfq                           // before anything that writes the flags
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	leaq	-XSAVE_AREA(%rsp), %rsp
	andq	$-64, %rsp
	xorl	%eax, %eax
	movq	%rax, XSAVE_HEADER(%rsp)
	movq	%rax, XSAVE_HEADER+8(%rsp)
	movq	%rax, XSAVE_HEADER+16(%rsp)
	movq	%rax, XSAVE_HEADER+24(%rsp)
	movq	%rax, XSAVE_HEADER+32(%rsp)
	movq	%rax, XSAVE_HEADER+40(%rsp)
	movq	%rax, XSAVE_HEADER+48(%rsp)
	movq	%rax, XSAVE_HEADER+56(%rsp)
	movl	$XSAVE_MASK, %eax
	xorl	%edx, %edx
	xsave64	(%rsp)
	// What the C++ ABI assumes at a call: DF clear, the default FP
	// control state, an empty x87 stack.
	cld
	fninit
	movl	$MXCSR_DEFAULT, -8(%rsp)
	ldmxcsr	-8(%rsp)
	movq	8(%rbp), %rdi            // pc
	leaq	144(%rbp), %rsi          // sp
.if \bug == 4
	subq	$8, %rsp
.endif
	call	gort_rt_async_preempted@PLT
.if \bug == 4
	addq	$8, %rsp
.endif
.if \bug == 3
	movdqu	%xmm5, XSAVE_XMM5(%rsp)  // xmm5 keeps what the runtime left in it
.endif
.if \bug == 1
	movl	$XSAVE_MASK_NO_UPPER, %eax
.else
	movl	$XSAVE_MASK, %eax
.endif
	xorl	%edx, %edx
	xrstor64 (%rsp)
	leaq	-ASYNC_GPR_BYTES(%rbp), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
.if \bug == 2
	leaq	8(%rsp), %rsp            // the interrupted flags are lost
.else
	popfq
.endif
	popq	%rbp
	.cfi_def_cfa rsp, 136
	ret	$128                     // pc, then the red zone: rsp is the interrupted sp
	.cfi_endproc
.endm

FUNC gort_arch_async_preempt
	ASYNC_PREEMPT
ENDFUNC gort_arch_async_preempt

#if GORT_MUTANTS
FUNC gort_arch_async_preempt_mutant_vector_upper
	ASYNC_PREEMPT 1
ENDFUNC gort_arch_async_preempt_mutant_vector_upper

FUNC gort_arch_async_preempt_mutant_flags
	ASYNC_PREEMPT 2
ENDFUNC gort_arch_async_preempt_mutant_flags

FUNC gort_arch_async_preempt_mutant_fp_reg
	ASYNC_PREEMPT 3
ENDFUNC gort_arch_async_preempt_mutant_fp_reg

FUNC gort_arch_async_preempt_mutant_misaligned
	ASYNC_PREEMPT 4
ENDFUNC gort_arch_async_preempt_mutant_misaligned
#endif

// int gort_arch_async_preempt_supported(void): XSAVE present and enabled by
// the OS (OSXSAVE), x87 and SSE state enabled in XCR0, and every upper
// component the save mask names and XCR0 enables ends within the frame's
// XSAVE_AREA in the standard format (CPUID leaf 0xD: offset + size). The
// code depends on no component's offset: xsave64/xrstor64 place them, and
// the offsets differ between CPUs (AMD's Zen 4 has no MPX components, so
// its opmask state is at 832, not Intel's 1088); only the legacy region
// and the header, at fixed offsets, are touched directly. Components
// outside the mask (PKRU, at 2688 on Intel) are neither saved nor counted.
// Clobbers eax, ebx, ecx, edx; r8d holds XCR0.
.macro ASYNC_COMPONENT_FITS comp
	btl	$\comp, %r8d
	jnc	1f
	movl	$0xD, %eax
	movl	$\comp, %ecx
	cpuid
	addl	%ebx, %eax
	cmpl	$XSAVE_AREA, %eax
	ja	.Lasync_no
1:
.endm

FUNC gort_arch_async_preempt_supported
	.cfi_startproc
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset rbx, 0
	movl	$1, %eax
	cpuid
	btl	$27, %ecx                // OSXSAVE
	jnc	.Lasync_no
	xorl	%ecx, %ecx
	xgetbv
	movl	%eax, %r8d               // XCR0, low half
	andl	$3, %eax
	cmpl	$3, %eax
	jne	.Lasync_no
	ASYNC_COMPONENT_FITS 2           // AVX
	ASYNC_COMPONENT_FITS 5           // opmask
	ASYNC_COMPONENT_FITS 6           // ZMM_Hi256
	ASYNC_COMPONENT_FITS 7           // Hi16_ZMM
	movl	$1, %eax
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	.cfi_restore rbx
	ret
.Lasync_no:
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset rbx, 0
	xorl	%eax, %eax
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	.cfi_restore rbx
	ret
	.cfi_endproc
ENDFUNC gort_arch_async_preempt_supported

// int gort_arch_async_vector_level(void): 2 when XCR0 enables AVX-512
// state, 1 AVX, else 0.
FUNC gort_arch_async_vector_level
	.cfi_startproc
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset rbx, 0
	movl	$1, %eax
	cpuid
	xorl	%eax, %eax
	btl	$27, %ecx
	jnc	1f
	xorl	%ecx, %ecx
	xgetbv
	movl	%eax, %ecx
	xorl	%eax, %eax
	movl	%ecx, %edx
	andl	$0x6, %edx
	cmpl	$0x6, %edx
	jne	1f
	movl	$1, %eax
	andl	$0xE6, %ecx
	cmpl	$0xE6, %ecx
	jne	1f
	movl	$2, %eax
1:	popq	%rbx
	.cfi_adjust_cfa_offset -8
	.cfi_restore rbx
	ret
	.cfi_endproc
ENDFUNC gort_arch_async_vector_level

// void gort_arch_single_step(int on /*edi*/): sets or clears TF (bit 8 of
// rflags) through the stack, the one way user mode can write it. With TF
// newly set the first trap comes after the instruction following popfq,
// the ret: the caller's next instruction is the first one traced.
FUNC gort_arch_single_step
	.cfi_startproc
	pushfq
	.cfi_adjust_cfa_offset 8
	andq	$~0x100, (%rsp)
	testl	%edi, %edi
	jz	1f
	orq	$0x100, (%rsp)
1:	popfq
	.cfi_adjust_cfa_offset -8
	ret
	.cfi_endproc
ENDFUNC gort_arch_single_step

// void gort_arch_bench_minimal_swap(void** save_sp /*rdi*/, void** to_sp /*rsi*/)
FUNC gort_arch_bench_minimal_swap
	.cfi_startproc
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	(%rsi), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	popq	%r8
	jmp	*%r8
	.cfi_endproc
ENDFUNC gort_arch_bench_minimal_swap

// void gort_arch_probe_async_regs(const uint64_t* in /*rdi*/, uint64_t* out /*rsi*/,
//                                 int level /*edx*/)
// In the preemptible section: the runtime may preempt it anywhere. Its
// frame (rsp while it spins): [0] in, [8] out, [16] level, [24] the
// caller's MXCSR and x87 control word, [32...] the dump (the image of
// arch.h, GORT_ARCH_ASYNC_WORDS words). Below rsp, 128 bytes of red zone
// hold the image's red-zone words while it spins.
#define T_IN 0
#define T_OUT 8
#define T_LEVEL 16
#define T_FPSAVE 24
#define T_DUMP 32
#define T_FRAME 2552              /* T_DUMP + 313 * 8, rounded so rsp stays 16-aligned */
#define W(i) ((i) * 8)
#define VEC(i) W(GORT_ARCH_ASYNC_VEC + (i) * GORT_ARCH_ASYNC_VEC_WORDS)
#define X87(i) W(GORT_ARCH_ASYNC_X87 + (i) * 2)
#define DUMPW(i) (T_DUMP + W(i))
#define DUMPVEC(i) (T_DUMP + VEC(i))
#define DUMPX87(i) (T_DUMP + X87(i))

// Image word \i into register \r, and register \r into its dump word
// (the dump's order is the image's: rax rbx rcx rdx rsi rdi rbp r8..r15).
.macro LOAD_GPR i, r
	movq	W(\i)(%rdi), %\r
.endm
.set .Ldump_gpr_index, 0
.macro DUMP_GPR r
	movq	%\r, DUMPW(.Ldump_gpr_index)(%rsp)
	.set .Ldump_gpr_index, .Ldump_gpr_index + 1
.endm

	.section gort_preemptible,"ax",@progbits
FUNC gort_arch_probe_async_regs
	.cfi_startproc
	PUSH_CALLEE_SAVED
	subq	$T_FRAME, %rsp
	.cfi_adjust_cfa_offset T_FRAME
	movq	%rdi, T_IN(%rsp)
	movq	%rsi, T_OUT(%rsp)
	movl	%edx, T_LEVEL(%rsp)
	stmxcsr	T_FPSAVE(%rsp)
	fnstcw	T_FPSAVE+4(%rsp)
	// x87 st7 first, so that st0 ends up in[st0]
	fninit
	.irp i,7,6,5,4,3,2,1,0
	fldt	X87(\i)(%rdi)
	.endr
	ldmxcsr	W(GORT_ARCH_ASYNC_FP_CONTROL)(%rdi)
	fldcw	W(GORT_ARCH_ASYNC_FP_CONTROL)+4(%rdi)
	cmpl	$1, %edx
	je	.Lload_ymm
	ja	.Lload_zmm
	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu	VEC(\i)(%rdi), %xmm\i
	.endr
	jmp	.Lload_flags
.Lload_ymm:
	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vmovdqu	VEC(\i)(%rdi), %ymm\i
	.endr
	jmp	.Lload_flags
.Lload_zmm:
	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	vmovdqu64	VEC(\i)(%rdi), %zmm\i
	.endr
	.irp i,0,1,2,3,4,5,6,7
	kmovq	W(GORT_ARCH_ASYNC_OPMASK + \i)(%rdi), %k\i
	.endr
.Lload_flags:
	pushq	W(GORT_ARCH_ASYNC_FLAGS)(%rdi)
	popfq                            // nothing below writes the flags
	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movq	W(GORT_ARCH_ASYNC_RED_ZONE + \i)(%rdi), %rax
	movq	%rax, -128+8*\i(%rsp)
	.endr
	// The image's general registers, in its order; rdi, the base, last.
	LOAD_GPR 0, rax
	LOAD_GPR 1, rbx
	LOAD_GPR 2, rcx
	LOAD_GPR 3, rdx
	LOAD_GPR 4, rsi
	LOAD_GPR 6, rbp
	LOAD_GPR 7, r8
	LOAD_GPR 8, r9
	LOAD_GPR 9, r10
	LOAD_GPR 10, r11
	LOAD_GPR 11, r12
	LOAD_GPR 12, r13
	LOAD_GPR 13, r14
	LOAD_GPR 14, r15
	LOAD_GPR 5, rdi
	// Every register of the image is live from here to the dump.
	.rept 256
	pause
	.endr
	.irp r,rax,rbx,rcx,rdx,rsi,rdi,rbp,r8,r9,r10,r11,r12,r13,r14,r15
	DUMP_GPR \r
	.endr
	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movq	-128+8*\i(%rsp), %rax
	movq	%rax, DUMPW(GORT_ARCH_ASYNC_RED_ZONE + \i)(%rsp)
	.endr
	pushfq                           // writes the red zone's last word: copied above
	popq	DUMPW(GORT_ARCH_ASYNC_FLAGS)(%rsp)
	movq	$0, DUMPW(GORT_ARCH_ASYNC_FP_CONTROL)(%rsp)
	stmxcsr	DUMPW(GORT_ARCH_ASYNC_FP_CONTROL)(%rsp)
	fnstcw	DUMPW(GORT_ARCH_ASYNC_FP_CONTROL)+4(%rsp)
	.irp i,0,1,2,3,4,5,6,7
	movq	$0, DUMPX87(\i)(%rsp)
	movq	$0, DUMPX87(\i)+8(%rsp)
	fstpt	DUMPX87(\i)(%rsp)
	.endr
	movl	T_LEVEL(%rsp), %edx
	cmpl	$1, %edx
	je	.Ldump_ymm
	ja	.Ldump_zmm
	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu	%xmm\i, DUMPVEC(\i)(%rsp)
	.endr
	jmp	.Ldump_done
.Ldump_ymm:
	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vmovdqu	%ymm\i, DUMPVEC(\i)(%rsp)
	.endr
	vzeroupper
	jmp	.Ldump_done
.Ldump_zmm:
	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	vmovdqu64	%zmm\i, DUMPVEC(\i)(%rsp)
	.endr
	.irp i,0,1,2,3,4,5,6,7
	kmovq	%k\i, DUMPW(GORT_ARCH_ASYNC_OPMASK + \i)(%rsp)
	.endr
	vzeroupper
.Ldump_done:
	cld
	ldmxcsr	T_FPSAVE(%rsp)
	fldcw	T_FPSAVE+4(%rsp)
	movq	T_OUT(%rsp), %rdi
	leaq	T_DUMP(%rsp), %rsi
	movl	$GORT_ARCH_ASYNC_WORDS, %ecx
	rep movsq
	addq	$T_FRAME, %rsp
	.cfi_adjust_cfa_offset -T_FRAME
	POP_CALLEE_SAVED
	ret
	.cfi_endproc
ENDFUNC gort_arch_probe_async_regs
	.text

	.section .note.GNU-stack,"",@progbits
