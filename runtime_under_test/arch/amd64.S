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

// The runtime's side of async preemption (arch.h). Weak: a program that
// links the arch layer without the runtime (a fuzz target, the switch
// benchmark) never preempts, and a static link that lists the runtime's
// archive before this one must not fail on it. Wherever the runtime is
// linked, its async_preempt.cc (which the runtime itself references)
// defines it.
	.weak	gort_rt_async_preempted

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
	fldt	X87(7)(%rdi)
	fldt	X87(6)(%rdi)
	fldt	X87(5)(%rdi)
	fldt	X87(4)(%rdi)
	fldt	X87(3)(%rdi)
	fldt	X87(2)(%rdi)
	fldt	X87(1)(%rdi)
	fldt	X87(0)(%rdi)
	ldmxcsr	W(GORT_ARCH_ASYNC_FP_CONTROL)(%rdi)
	fldcw	W(GORT_ARCH_ASYNC_FP_CONTROL)+4(%rdi)
	cmpl	$1, %edx
	je	.Lload_ymm
	ja	.Lload_zmm
	movdqu	VEC(0)(%rdi), %xmm0
	movdqu	VEC(1)(%rdi), %xmm1
	movdqu	VEC(2)(%rdi), %xmm2
	movdqu	VEC(3)(%rdi), %xmm3
	movdqu	VEC(4)(%rdi), %xmm4
	movdqu	VEC(5)(%rdi), %xmm5
	movdqu	VEC(6)(%rdi), %xmm6
	movdqu	VEC(7)(%rdi), %xmm7
	movdqu	VEC(8)(%rdi), %xmm8
	movdqu	VEC(9)(%rdi), %xmm9
	movdqu	VEC(10)(%rdi), %xmm10
	movdqu	VEC(11)(%rdi), %xmm11
	movdqu	VEC(12)(%rdi), %xmm12
	movdqu	VEC(13)(%rdi), %xmm13
	movdqu	VEC(14)(%rdi), %xmm14
	movdqu	VEC(15)(%rdi), %xmm15
	jmp	.Lload_flags
.Lload_ymm:
	vmovdqu	VEC(0)(%rdi), %ymm0
	vmovdqu	VEC(1)(%rdi), %ymm1
	vmovdqu	VEC(2)(%rdi), %ymm2
	vmovdqu	VEC(3)(%rdi), %ymm3
	vmovdqu	VEC(4)(%rdi), %ymm4
	vmovdqu	VEC(5)(%rdi), %ymm5
	vmovdqu	VEC(6)(%rdi), %ymm6
	vmovdqu	VEC(7)(%rdi), %ymm7
	vmovdqu	VEC(8)(%rdi), %ymm8
	vmovdqu	VEC(9)(%rdi), %ymm9
	vmovdqu	VEC(10)(%rdi), %ymm10
	vmovdqu	VEC(11)(%rdi), %ymm11
	vmovdqu	VEC(12)(%rdi), %ymm12
	vmovdqu	VEC(13)(%rdi), %ymm13
	vmovdqu	VEC(14)(%rdi), %ymm14
	vmovdqu	VEC(15)(%rdi), %ymm15
	jmp	.Lload_flags
.Lload_zmm:
	vmovdqu64	VEC(0)(%rdi), %zmm0
	vmovdqu64	VEC(1)(%rdi), %zmm1
	vmovdqu64	VEC(2)(%rdi), %zmm2
	vmovdqu64	VEC(3)(%rdi), %zmm3
	vmovdqu64	VEC(4)(%rdi), %zmm4
	vmovdqu64	VEC(5)(%rdi), %zmm5
	vmovdqu64	VEC(6)(%rdi), %zmm6
	vmovdqu64	VEC(7)(%rdi), %zmm7
	vmovdqu64	VEC(8)(%rdi), %zmm8
	vmovdqu64	VEC(9)(%rdi), %zmm9
	vmovdqu64	VEC(10)(%rdi), %zmm10
	vmovdqu64	VEC(11)(%rdi), %zmm11
	vmovdqu64	VEC(12)(%rdi), %zmm12
	vmovdqu64	VEC(13)(%rdi), %zmm13
	vmovdqu64	VEC(14)(%rdi), %zmm14
	vmovdqu64	VEC(15)(%rdi), %zmm15
	vmovdqu64	VEC(16)(%rdi), %zmm16
	vmovdqu64	VEC(17)(%rdi), %zmm17
	vmovdqu64	VEC(18)(%rdi), %zmm18
	vmovdqu64	VEC(19)(%rdi), %zmm19
	vmovdqu64	VEC(20)(%rdi), %zmm20
	vmovdqu64	VEC(21)(%rdi), %zmm21
	vmovdqu64	VEC(22)(%rdi), %zmm22
	vmovdqu64	VEC(23)(%rdi), %zmm23
	vmovdqu64	VEC(24)(%rdi), %zmm24
	vmovdqu64	VEC(25)(%rdi), %zmm25
	vmovdqu64	VEC(26)(%rdi), %zmm26
	vmovdqu64	VEC(27)(%rdi), %zmm27
	vmovdqu64	VEC(28)(%rdi), %zmm28
	vmovdqu64	VEC(29)(%rdi), %zmm29
	vmovdqu64	VEC(30)(%rdi), %zmm30
	vmovdqu64	VEC(31)(%rdi), %zmm31
	kmovq	W(GORT_ARCH_ASYNC_OPMASK + 0)(%rdi), %k0
	kmovq	W(GORT_ARCH_ASYNC_OPMASK + 1)(%rdi), %k1
	kmovq	W(GORT_ARCH_ASYNC_OPMASK + 2)(%rdi), %k2
	kmovq	W(GORT_ARCH_ASYNC_OPMASK + 3)(%rdi), %k3
	kmovq	W(GORT_ARCH_ASYNC_OPMASK + 4)(%rdi), %k4
	kmovq	W(GORT_ARCH_ASYNC_OPMASK + 5)(%rdi), %k5
	kmovq	W(GORT_ARCH_ASYNC_OPMASK + 6)(%rdi), %k6
	kmovq	W(GORT_ARCH_ASYNC_OPMASK + 7)(%rdi), %k7
.Lload_flags:
	pushq	W(GORT_ARCH_ASYNC_FLAGS)(%rdi)
	popfq                            // nothing below writes the flags
	movq	W(GORT_ARCH_ASYNC_RED_ZONE + 0)(%rdi), %rax
	movq	%rax, -128(%rsp)
	movq	W(GORT_ARCH_ASYNC_RED_ZONE + 1)(%rdi), %rax
	movq	%rax, -120(%rsp)
	movq	W(GORT_ARCH_ASYNC_RED_ZONE + 2)(%rdi), %rax
	movq	%rax, -112(%rsp)
	movq	W(GORT_ARCH_ASYNC_RED_ZONE + 3)(%rdi), %rax
	movq	%rax, -104(%rsp)
	movq	W(GORT_ARCH_ASYNC_RED_ZONE + 4)(%rdi), %rax
	movq	%rax, -96(%rsp)
	movq	W(GORT_ARCH_ASYNC_RED_ZONE + 5)(%rdi), %rax
	movq	%rax, -88(%rsp)
	movq	W(GORT_ARCH_ASYNC_RED_ZONE + 6)(%rdi), %rax
	movq	%rax, -80(%rsp)
	movq	W(GORT_ARCH_ASYNC_RED_ZONE + 7)(%rdi), %rax
	movq	%rax, -72(%rsp)
	movq	W(GORT_ARCH_ASYNC_RED_ZONE + 8)(%rdi), %rax
	movq	%rax, -64(%rsp)
	movq	W(GORT_ARCH_ASYNC_RED_ZONE + 9)(%rdi), %rax
	movq	%rax, -56(%rsp)
	movq	W(GORT_ARCH_ASYNC_RED_ZONE + 10)(%rdi), %rax
	movq	%rax, -48(%rsp)
	movq	W(GORT_ARCH_ASYNC_RED_ZONE + 11)(%rdi), %rax
	movq	%rax, -40(%rsp)
	movq	W(GORT_ARCH_ASYNC_RED_ZONE + 12)(%rdi), %rax
	movq	%rax, -32(%rsp)
	movq	W(GORT_ARCH_ASYNC_RED_ZONE + 13)(%rdi), %rax
	movq	%rax, -24(%rsp)
	movq	W(GORT_ARCH_ASYNC_RED_ZONE + 14)(%rdi), %rax
	movq	%rax, -16(%rsp)
	movq	W(GORT_ARCH_ASYNC_RED_ZONE + 15)(%rdi), %rax
	movq	%rax, -8(%rsp)
	movq	W(0)(%rdi), %rax
	movq	W(1)(%rdi), %rbx
	movq	W(2)(%rdi), %rcx
	movq	W(3)(%rdi), %rdx
	movq	W(4)(%rdi), %rsi
	movq	W(6)(%rdi), %rbp
	movq	W(7)(%rdi), %r8
	movq	W(8)(%rdi), %r9
	movq	W(9)(%rdi), %r10
	movq	W(10)(%rdi), %r11
	movq	W(11)(%rdi), %r12
	movq	W(12)(%rdi), %r13
	movq	W(13)(%rdi), %r14
	movq	W(14)(%rdi), %r15
	movq	W(5)(%rdi), %rdi
	// Every register of the image is live from here to the dump.
	.rept 256
	pause
	.endr
	movq	%rax, DUMPW(0)(%rsp)
	movq	%rbx, DUMPW(1)(%rsp)
	movq	%rcx, DUMPW(2)(%rsp)
	movq	%rdx, DUMPW(3)(%rsp)
	movq	%rsi, DUMPW(4)(%rsp)
	movq	%rdi, DUMPW(5)(%rsp)
	movq	%rbp, DUMPW(6)(%rsp)
	movq	%r8, DUMPW(7)(%rsp)
	movq	%r9, DUMPW(8)(%rsp)
	movq	%r10, DUMPW(9)(%rsp)
	movq	%r11, DUMPW(10)(%rsp)
	movq	%r12, DUMPW(11)(%rsp)
	movq	%r13, DUMPW(12)(%rsp)
	movq	%r14, DUMPW(13)(%rsp)
	movq	%r15, DUMPW(14)(%rsp)
	movq	-128(%rsp), %rax
	movq	%rax, DUMPW(GORT_ARCH_ASYNC_RED_ZONE + 0)(%rsp)
	movq	-120(%rsp), %rax
	movq	%rax, DUMPW(GORT_ARCH_ASYNC_RED_ZONE + 1)(%rsp)
	movq	-112(%rsp), %rax
	movq	%rax, DUMPW(GORT_ARCH_ASYNC_RED_ZONE + 2)(%rsp)
	movq	-104(%rsp), %rax
	movq	%rax, DUMPW(GORT_ARCH_ASYNC_RED_ZONE + 3)(%rsp)
	movq	-96(%rsp), %rax
	movq	%rax, DUMPW(GORT_ARCH_ASYNC_RED_ZONE + 4)(%rsp)
	movq	-88(%rsp), %rax
	movq	%rax, DUMPW(GORT_ARCH_ASYNC_RED_ZONE + 5)(%rsp)
	movq	-80(%rsp), %rax
	movq	%rax, DUMPW(GORT_ARCH_ASYNC_RED_ZONE + 6)(%rsp)
	movq	-72(%rsp), %rax
	movq	%rax, DUMPW(GORT_ARCH_ASYNC_RED_ZONE + 7)(%rsp)
	movq	-64(%rsp), %rax
	movq	%rax, DUMPW(GORT_ARCH_ASYNC_RED_ZONE + 8)(%rsp)
	movq	-56(%rsp), %rax
	movq	%rax, DUMPW(GORT_ARCH_ASYNC_RED_ZONE + 9)(%rsp)
	movq	-48(%rsp), %rax
	movq	%rax, DUMPW(GORT_ARCH_ASYNC_RED_ZONE + 10)(%rsp)
	movq	-40(%rsp), %rax
	movq	%rax, DUMPW(GORT_ARCH_ASYNC_RED_ZONE + 11)(%rsp)
	movq	-32(%rsp), %rax
	movq	%rax, DUMPW(GORT_ARCH_ASYNC_RED_ZONE + 12)(%rsp)
	movq	-24(%rsp), %rax
	movq	%rax, DUMPW(GORT_ARCH_ASYNC_RED_ZONE + 13)(%rsp)
	movq	-16(%rsp), %rax
	movq	%rax, DUMPW(GORT_ARCH_ASYNC_RED_ZONE + 14)(%rsp)
	movq	-8(%rsp), %rax
	movq	%rax, DUMPW(GORT_ARCH_ASYNC_RED_ZONE + 15)(%rsp)
	pushfq                           // writes the red zone's last word: copied above
	popq	DUMPW(GORT_ARCH_ASYNC_FLAGS)(%rsp)
	movq	$0, DUMPW(GORT_ARCH_ASYNC_FP_CONTROL)(%rsp)
	stmxcsr	DUMPW(GORT_ARCH_ASYNC_FP_CONTROL)(%rsp)
	fnstcw	DUMPW(GORT_ARCH_ASYNC_FP_CONTROL)+4(%rsp)
	movq	$0, DUMPX87(0)(%rsp)
	movq	$0, DUMPX87(0)+8(%rsp)
	fstpt	DUMPX87(0)(%rsp)
	movq	$0, DUMPX87(1)(%rsp)
	movq	$0, DUMPX87(1)+8(%rsp)
	fstpt	DUMPX87(1)(%rsp)
	movq	$0, DUMPX87(2)(%rsp)
	movq	$0, DUMPX87(2)+8(%rsp)
	fstpt	DUMPX87(2)(%rsp)
	movq	$0, DUMPX87(3)(%rsp)
	movq	$0, DUMPX87(3)+8(%rsp)
	fstpt	DUMPX87(3)(%rsp)
	movq	$0, DUMPX87(4)(%rsp)
	movq	$0, DUMPX87(4)+8(%rsp)
	fstpt	DUMPX87(4)(%rsp)
	movq	$0, DUMPX87(5)(%rsp)
	movq	$0, DUMPX87(5)+8(%rsp)
	fstpt	DUMPX87(5)(%rsp)
	movq	$0, DUMPX87(6)(%rsp)
	movq	$0, DUMPX87(6)+8(%rsp)
	fstpt	DUMPX87(6)(%rsp)
	movq	$0, DUMPX87(7)(%rsp)
	movq	$0, DUMPX87(7)+8(%rsp)
	fstpt	DUMPX87(7)(%rsp)
	movl	T_LEVEL(%rsp), %edx
	cmpl	$1, %edx
	je	.Ldump_ymm
	ja	.Ldump_zmm
	movdqu	%xmm0, DUMPVEC(0)(%rsp)
	movdqu	%xmm1, DUMPVEC(1)(%rsp)
	movdqu	%xmm2, DUMPVEC(2)(%rsp)
	movdqu	%xmm3, DUMPVEC(3)(%rsp)
	movdqu	%xmm4, DUMPVEC(4)(%rsp)
	movdqu	%xmm5, DUMPVEC(5)(%rsp)
	movdqu	%xmm6, DUMPVEC(6)(%rsp)
	movdqu	%xmm7, DUMPVEC(7)(%rsp)
	movdqu	%xmm8, DUMPVEC(8)(%rsp)
	movdqu	%xmm9, DUMPVEC(9)(%rsp)
	movdqu	%xmm10, DUMPVEC(10)(%rsp)
	movdqu	%xmm11, DUMPVEC(11)(%rsp)
	movdqu	%xmm12, DUMPVEC(12)(%rsp)
	movdqu	%xmm13, DUMPVEC(13)(%rsp)
	movdqu	%xmm14, DUMPVEC(14)(%rsp)
	movdqu	%xmm15, DUMPVEC(15)(%rsp)
	jmp	.Ldump_done
.Ldump_ymm:
	vmovdqu	%ymm0, DUMPVEC(0)(%rsp)
	vmovdqu	%ymm1, DUMPVEC(1)(%rsp)
	vmovdqu	%ymm2, DUMPVEC(2)(%rsp)
	vmovdqu	%ymm3, DUMPVEC(3)(%rsp)
	vmovdqu	%ymm4, DUMPVEC(4)(%rsp)
	vmovdqu	%ymm5, DUMPVEC(5)(%rsp)
	vmovdqu	%ymm6, DUMPVEC(6)(%rsp)
	vmovdqu	%ymm7, DUMPVEC(7)(%rsp)
	vmovdqu	%ymm8, DUMPVEC(8)(%rsp)
	vmovdqu	%ymm9, DUMPVEC(9)(%rsp)
	vmovdqu	%ymm10, DUMPVEC(10)(%rsp)
	vmovdqu	%ymm11, DUMPVEC(11)(%rsp)
	vmovdqu	%ymm12, DUMPVEC(12)(%rsp)
	vmovdqu	%ymm13, DUMPVEC(13)(%rsp)
	vmovdqu	%ymm14, DUMPVEC(14)(%rsp)
	vmovdqu	%ymm15, DUMPVEC(15)(%rsp)
	vzeroupper
	jmp	.Ldump_done
.Ldump_zmm:
	vmovdqu64	%zmm0, DUMPVEC(0)(%rsp)
	vmovdqu64	%zmm1, DUMPVEC(1)(%rsp)
	vmovdqu64	%zmm2, DUMPVEC(2)(%rsp)
	vmovdqu64	%zmm3, DUMPVEC(3)(%rsp)
	vmovdqu64	%zmm4, DUMPVEC(4)(%rsp)
	vmovdqu64	%zmm5, DUMPVEC(5)(%rsp)
	vmovdqu64	%zmm6, DUMPVEC(6)(%rsp)
	vmovdqu64	%zmm7, DUMPVEC(7)(%rsp)
	vmovdqu64	%zmm8, DUMPVEC(8)(%rsp)
	vmovdqu64	%zmm9, DUMPVEC(9)(%rsp)
	vmovdqu64	%zmm10, DUMPVEC(10)(%rsp)
	vmovdqu64	%zmm11, DUMPVEC(11)(%rsp)
	vmovdqu64	%zmm12, DUMPVEC(12)(%rsp)
	vmovdqu64	%zmm13, DUMPVEC(13)(%rsp)
	vmovdqu64	%zmm14, DUMPVEC(14)(%rsp)
	vmovdqu64	%zmm15, DUMPVEC(15)(%rsp)
	vmovdqu64	%zmm16, DUMPVEC(16)(%rsp)
	vmovdqu64	%zmm17, DUMPVEC(17)(%rsp)
	vmovdqu64	%zmm18, DUMPVEC(18)(%rsp)
	vmovdqu64	%zmm19, DUMPVEC(19)(%rsp)
	vmovdqu64	%zmm20, DUMPVEC(20)(%rsp)
	vmovdqu64	%zmm21, DUMPVEC(21)(%rsp)
	vmovdqu64	%zmm22, DUMPVEC(22)(%rsp)
	vmovdqu64	%zmm23, DUMPVEC(23)(%rsp)
	vmovdqu64	%zmm24, DUMPVEC(24)(%rsp)
	vmovdqu64	%zmm25, DUMPVEC(25)(%rsp)
	vmovdqu64	%zmm26, DUMPVEC(26)(%rsp)
	vmovdqu64	%zmm27, DUMPVEC(27)(%rsp)
	vmovdqu64	%zmm28, DUMPVEC(28)(%rsp)
	vmovdqu64	%zmm29, DUMPVEC(29)(%rsp)
	vmovdqu64	%zmm30, DUMPVEC(30)(%rsp)
	vmovdqu64	%zmm31, DUMPVEC(31)(%rsp)
	kmovq	%k0, DUMPW(GORT_ARCH_ASYNC_OPMASK + 0)(%rsp)
	kmovq	%k1, DUMPW(GORT_ARCH_ASYNC_OPMASK + 1)(%rsp)
	kmovq	%k2, DUMPW(GORT_ARCH_ASYNC_OPMASK + 2)(%rsp)
	kmovq	%k3, DUMPW(GORT_ARCH_ASYNC_OPMASK + 3)(%rsp)
	kmovq	%k4, DUMPW(GORT_ARCH_ASYNC_OPMASK + 4)(%rsp)
	kmovq	%k5, DUMPW(GORT_ARCH_ASYNC_OPMASK + 5)(%rsp)
	kmovq	%k6, DUMPW(GORT_ARCH_ASYNC_OPMASK + 6)(%rsp)
	kmovq	%k7, DUMPW(GORT_ARCH_ASYNC_OPMASK + 7)(%rsp)
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
