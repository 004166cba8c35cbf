// The async-preemption register torture, without the runtime: the CPU
// port (gort_arch_async_preempt, the torture probe, the resume trap) and
// the platform's signal side (platform/preempt_signal.cc: the call
// injection and, off amd64, the resume-trap handler), on every CPU.
//
// A probe thread runs gort_arch_probe_async_regs over and over with random
// register images while a second thread sends it the preemption signal
// thousands of times a second. The handler redirects every signal that
// lands in the preemptible section into gort_arch_async_preempt, which
// calls this file's gort_rt_async_preempted: it checks the frame it was
// handed (the frame record names the interrupted pc, the stack is aligned)
// and then scribbles on every register the C ABI lets it clobber, every
// FP/vector register in full and the FP control and status registers, so
// a register the port forgets to restore shows up as a difference between
// the probe's image in and out.
//
// Not linked with the runtime: the runtime provides gort_rt_async_preempted
// itself (async_preempt.cc), and this binary provides a test-local one.
#include <execinfo.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "arch/arch.h"
#include "arch/async_image.h"
#include "platform/preempt_signal.h"

// The linker's bounds of the preemptible section (the probe is in it).
extern "C" const char __start_gort_preemptible[];
extern "C" const char __stop_gort_preemptible[];

// Scribbles on every caller-saved general register, every FP/vector
// register (callee-saved ones included, in full: the caller,
// gort_arch_async_preempt, restores them all) and the FP control and
// status state and the flags. Defined in assembly below; level as
// gort_arch_async_vector_level.
extern "C" void async_regs_test_scribble(int level);

namespace {

std::atomic<uint64_t> g_preemptions{0};
std::atomic<uint64_t> g_bad_frames{0};
std::atomic<int> g_scribble_level{0};
std::atomic<int> g_unwinds{0};
std::atomic<int> g_unwinds_through{0};
thread_local bool t_probe_thread = false;

bool in_preemptible(uintptr_t pc) {
  return pc >= reinterpret_cast<uintptr_t>(__start_gort_preemptible) &&
         pc < reinterpret_cast<uintptr_t>(__stop_gort_preemptible);
}

// The test's preemption handler: preempt the probe thread in the probe.
bool on_preempt(uintptr_t pc, uintptr_t /*sp*/, gort::platform::PreemptDecision* d) {
  if (!t_probe_thread) return false;
  if (in_preemptible(pc)) d->entry = reinterpret_cast<uintptr_t>(gort_arch_async_preempt);
  return true;
}

}  // namespace

// The runtime's side, test-local: check the frame, scribble, return.
extern "C" __attribute__((noinline)) void gort_rt_async_preempted(uintptr_t pc, uintptr_t sp) {
  bool ok = in_preemptible(pc) && sp % 8 == 0;
  // The stack was 16-aligned at the call: probe_sp reports this frame's sp,
  // which the compiler keeps aligned if its entry was.
  ok = ok && gort_arch_probe_sp() % GORT_ARCH_STACK_ALIGN == 0;
  // Frame-pointer walkers see the interrupted function right above the
  // assembly's frame: this frame's record -> the assembly's -> pc.
  const auto* fp = static_cast<const uintptr_t*>(__builtin_frame_address(0));
#if defined(__riscv)
  const auto* asm_fp = reinterpret_cast<const uintptr_t*>(fp[-2]);
  ok = ok && asm_fp[-1] == pc && reinterpret_cast<uintptr_t>(asm_fp) == sp;
#elif defined(__powerpc64__)
  // ppc64le's back chain: fp is this frame's bottom, whose first word is
  // the assembly's frame; its first word is the interrupted r1, with pc in
  // that frame's LR save slot (16), where a real call would have put it.
  const auto* asm_frame = reinterpret_cast<const uintptr_t*>(fp[0]);
  ok = ok && asm_frame[0] == sp && reinterpret_cast<const uintptr_t*>(sp)[2] == pc;
#else
  const auto* asm_fp = reinterpret_cast<const uintptr_t*>(fp[0]);
  ok = ok && asm_fp[1] == pc;
#endif
  if (!ok) g_bad_frames.fetch_add(1, std::memory_order_relaxed);
  // The CFI unwinder (libgcc's, through glibc's backtrace) goes through
  // the assembly's signal frame to the interrupted pc. A few times only:
  // it is slow.
  if (g_unwinds.load(std::memory_order_relaxed) < 8) {
    g_unwinds.fetch_add(1, std::memory_order_relaxed);
    void* pcs[16];
    const int n = backtrace(pcs, 16);
    for (int i = 0; i < n; i++) {
      if (reinterpret_cast<uintptr_t>(pcs[i]) == pc) {
        g_unwinds_through.fetch_add(1, std::memory_order_relaxed);
        break;
      }
    }
  }
  g_preemptions.fetch_add(1, std::memory_order_relaxed);
  async_regs_test_scribble(g_scribble_level.load(std::memory_order_relaxed));
}

namespace {

using gort::arch_image::compared_words;
using gort::arch_image::random_image;
using gort::arch_image::splitmix;
using gort::arch_image::Word;

TEST(AsyncRegs, ProbeRoundTripsEveryRegisterWithoutPreemption) {
  const int level = gort_arch_async_vector_level();
  const std::vector<Word> words = compared_words(level);
  uint64_t seed = 1;
  for (int round = 0; round < 200; round++) {
    uint64_t in[GORT_ARCH_ASYNC_WORDS];
    uint64_t out[GORT_ARCH_ASYNC_WORDS] = {};
    random_image(in, seed, round);
    const uint64_t fpc = gort_arch_fp_control_get();
    gort_arch_probe_async_regs(in, out, level);
    ASSERT_EQ(gort::arch_image::compare(words, level, in, out), "") << "round " << round;
    ASSERT_EQ(gort_arch_fp_control_get(), fpc) << "the probe left its FP control state behind";
  }
}

// Go's policy: the _shared_fp family leaves the FP control state as the
// thread has it, in both directions; the ordinary family keeps each
// context's own (the contrast).
struct SharedFp {
  gort_gobuf main{}, other{};
  uint64_t seen[2] = {};
};

void shared_fp_body(void* arg) {
  auto* s = static_cast<SharedFp*>(arg);
  s->seen[0] = gort_arch_fp_control_get();
  gort_arch_fp_control_set(gort_arch_fp_control_default());
  gort_arch_swap_shared_fp(&s->other, &s->main);
  s->seen[1] = gort_arch_fp_control_get();
  gort_arch_fp_control_set(gort_arch_fp_control_default());
  gort_arch_gogo_shared_fp(&s->main);
}

void on_g0_shared(void* arg) {
  auto* s = static_cast<SharedFp*>(arg);
  s->seen[0] = gort_arch_fp_control_get();
  gort_arch_fp_control_set(gort_arch_fp_control_default());
  gort_arch_gogo_shared_fp(&s->main);
}

void on_g0_own(void* arg) {
  auto* s = static_cast<SharedFp*>(arg);
  gort_arch_fp_control_set(gort_arch_fp_control_default());
  gort_arch_gogo(&s->main);
}

[[noreturn]] void never_exit(void*) { abort(); }

alignas(16) char g_stack[64 * 1024];

TEST(AsyncRegs, SharedFpSwitchesLeaveTheFpControlStateAlone) {
  const uint64_t before = gort_arch_fp_control_get();
  const uint64_t alt = gort_arch_fp_control_alternate();
  const uint64_t dfl = gort_arch_fp_control_default();
  SharedFp s;
  gort_arch_gobuf_init(&s.other, g_stack + sizeof g_stack, shared_fp_body, never_exit, &s);
  gort_arch_fp_control_set(alt);
  gort_arch_swap_shared_fp(&s.main, &s.other);
  const uint64_t after_swap = gort_arch_fp_control_get();
  gort_arch_fp_control_set(alt);
  gort_arch_swap_shared_fp(&s.main, &s.other);
  const uint64_t after_gogo = gort_arch_fp_control_get();
  EXPECT_EQ(s.seen[0], alt) << "a fresh context resumed by swap_shared_fp runs with the thread's state";
  EXPECT_EQ(after_swap, dfl) << "swap_shared_fp back: the thread's state, not the saved one";
  EXPECT_EQ(s.seen[1], alt) << "swap_shared_fp into a saved context: the thread's state";
  EXPECT_EQ(after_gogo, dfl) << "gogo_shared_fp: the thread's state";

  SharedFp m;
  gort_arch_fp_control_set(alt);
  gort_arch_mcall_shared_fp(&m.main, reinterpret_cast<uintptr_t>(g_stack + sizeof g_stack), on_g0_shared, &m);
  const uint64_t after_mcall = gort_arch_fp_control_get();
  EXPECT_EQ(m.seen[0], alt);
  EXPECT_EQ(after_mcall, dfl) << "mcall_shared_fp's save kept no FP control state";

  // The ordinary family: gogo restores what mcall saved.
  SharedFp o;
  gort_arch_fp_control_set(alt);
  gort_arch_mcall(&o.main, reinterpret_cast<uintptr_t>(g_stack + sizeof g_stack), on_g0_own, &o);
  EXPECT_EQ(gort_arch_fp_control_get(), alt) << "gogo restores the saved FP control state";
  gort_arch_fp_control_set(before);
}

struct Torture {
  std::atomic<bool> stop{false};
  std::atomic<int32_t> tid{0};
  std::atomic<uint64_t> signals{0};
  bool altstack = true;
  int uncompared_word = -1;  // an image word this torture does not compare (-1: none)
  uint64_t rounds = 0;
  std::string failure;
};

void probe_thread(Torture* t, std::chrono::steady_clock::time_point until) {
  std::vector<char> altstack(256 * 1024);
  stack_t ss{};
  ss.ss_sp = altstack.data();
  ss.ss_size = altstack.size();
  stack_t previous{};
  if (t->altstack) {
    sigaltstack(&ss, &previous);
  } else {
    // None at all (ASan gives every thread one of its own).
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, &previous);
  }
  t_probe_thread = true;
  t->tid.store(gort::platform::current_tid());
  const int level = gort_arch_async_vector_level();
  std::vector<Word> words = compared_words(level);
  std::erase_if(words, [t](const Word& w) { return w.index == t->uncompared_word; });
  uint64_t seed = 42;
  for (int round = 0; std::chrono::steady_clock::now() < until; round++) {
    uint64_t in[GORT_ARCH_ASYNC_WORDS];
    uint64_t out[GORT_ARCH_ASYNC_WORDS] = {};
    random_image(in, seed, round);
    gort_arch_probe_async_regs(in, out, level);
    std::string bad = gort::arch_image::compare(words, level, in, out);
    t->rounds++;
    if (!bad.empty()) {
      t->failure = "round " + std::to_string(round) + ": " + bad;
      break;
    }
  }
  t_probe_thread = false;
  t->stop.store(true);
  sigaltstack(&previous, nullptr);
}

int torture_ms() {
  const char* env = getenv("GORT_ASYNC_TORTURE_MS");
  return env != nullptr ? atoi(env) : 2000;
}

// Runs the probe on a thread of its own for `ms` while this thread sends
// it `sig` every 50 us or so; returns the seconds it took.
double run_torture(Torture& t, int sig, int ms) {
  const auto start = std::chrono::steady_clock::now();
  std::thread probe(probe_thread, &t, start + std::chrono::milliseconds(ms));
  while (t.tid.load() == 0) std::this_thread::yield();
  const struct timespec gap = {0, 50 * 1000};
  while (!t.stop.load()) {
    if (syscall(SYS_tgkill, getpid(), t.tid.load(), sig) != 0) break;
    t.signals.fetch_add(1, std::memory_order_relaxed);
    nanosleep(&gap, nullptr);
  }
  probe.join();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(AsyncRegs, PreemptionAnywhereInTheProbeKeepsEveryRegister) {
  ASSERT_TRUE(gort::platform::install_preempt_handler(on_preempt));
  const int level = gort_arch_async_vector_level();
  g_scribble_level.store(level);
  Torture t;
  const uint64_t preemptions_before = g_preemptions.load();
  const double secs = run_torture(t, gort::platform::kPreemptSignal, torture_ms());
  const uint64_t preemptions = g_preemptions.load() - preemptions_before;
  printf("[ async ] %s: %" PRIu64 " rounds, %zu words compared each, %" PRIu64 " signals, %" PRIu64
         " preemptions (%.0f/s)\n",
         GORT_ARCH_NAME, t.rounds, compared_words(level).size(), t.signals.load(), preemptions, preemptions / secs);
  EXPECT_EQ(t.failure, "");
  EXPECT_EQ(g_bad_frames.load(), 0u) << "gort_rt_async_preempted saw a bad frame (pc, alignment or frame record)";
  EXPECT_EQ(g_unwinds_through.load(), g_unwinds.load()) << "the CFI unwinder did not reach the interrupted pc";
  // Not vacuous: a good share of the signals landed in the probe.
  EXPECT_GE(preemptions, 100u) << t.signals.load() << " signals";
}

// On the interrupted stack the platform does not inject the call (its
// return slot would land in the kernel's signal frame): no preemption.
TEST(AsyncRegs, NoPreemptionWithoutAnAlternateSignalStack) {
  ASSERT_TRUE(gort::platform::install_preempt_handler(on_preempt));
  g_scribble_level.store(gort_arch_async_vector_level());
  Torture t;
  t.altstack = false;
  const uint64_t preemptions_before = g_preemptions.load();
  run_torture(t, gort::platform::kPreemptSignal, torture_ms() / 8);
  EXPECT_EQ(t.failure, "");
  EXPECT_GT(t.signals.load(), 0u);
  EXPECT_EQ(g_preemptions.load() - preemptions_before, 0u);
}

std::atomic<uint64_t> g_scribbling_handlers{0};

void on_scribble_signal(int, siginfo_t*, void* uctx) {
  uintptr_t pc = 0;
  const auto* uc = static_cast<const ucontext_t*>(uctx);
#if defined(__x86_64__)
  pc = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
#elif defined(__aarch64__)
  pc = uc->uc_mcontext.pc;
#elif defined(__riscv)
  pc = uc->uc_mcontext.__gregs[REG_PC];
#elif defined(__powerpc64__)
  pc = uc->uc_mcontext.gp_regs[32];  // PT_NIP
#endif
  if (!in_preemptible(pc)) return;
  g_scribbling_handlers.fetch_add(1, std::memory_order_relaxed);
  async_regs_test_scribble(g_scribble_level.load(std::memory_order_relaxed));
}

// What the resume trap relies on off amd64: the FP/vector state and the FP
// control and status registers a signal handler leaves behind do not
// reach the interrupted code, because sigreturn loads them from the
// signal frame (the kernel's, or under qemu-user, qemu's own). A handler
// scribbles on all of them while the probe spins.
TEST(AsyncRegs, SigreturnRestoresTheFpStateAHandlerChanged) {
  const int level = gort_arch_async_vector_level();
  g_scribble_level.store(level);
  struct sigaction sa {};
  struct sigaction old {};
  sa.sa_sigaction = on_scribble_signal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  ASSERT_EQ(sigaction(SIGUSR2, &sa, &old), 0);
  Torture t;
#if defined(__powerpc64__)
  // VSCR is not what the resume trap relies on sigreturn for: the assembly
  // restores it before it traps, and the trap's handler never changes it.
  // And qemu-user's sigreturn does not restore it (a handler's SAT stays).
  t.uncompared_word = GORT_ARCH_ASYNC_VSCR;
  printf("[ async ] %s: vscr not compared here: restored by the assembly, not by sigreturn (qemu-user's does not)\n",
         GORT_ARCH_NAME);
#endif
  const uint64_t before = g_scribbling_handlers.load();
  run_torture(t, SIGUSR2, torture_ms() / 4);
  sigaction(SIGUSR2, &old, nullptr);
  const uint64_t scribbles = g_scribbling_handlers.load() - before;
  printf("[ async ] %s: %" PRIu64 " rounds, %" PRIu64 " handlers scribbled in the probe\n", GORT_ARCH_NAME, t.rounds,
         scribbles);
  EXPECT_EQ(t.failure, "");
  EXPECT_GE(scribbles, 25u) << t.signals.load() << " signals";
}

}  // namespace

// The scribbler (see its declaration). It ends with the FP control state
// changed on purpose: gort_arch_async_preempt restores it.
#if defined(__x86_64__)
asm(R"(
	.text
	.globl	async_regs_test_scribble
	.type	async_regs_test_scribble, @function
async_regs_test_scribble:
	movq	$-1, %rax
	movq	%rax, %rcx
	movq	%rax, %rdx
	movq	%rax, %rsi
	movq	%rax, %r8
	movq	%rax, %r9
	movq	%rax, %r10
	movq	%rax, %r11
	cmpl	$1, %edi
	je	2f
	ja	3f
	.irp r, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	pcmpeqd	%xmm\r, %xmm\r
	.endr
	jmp	4f
2:	.irp r, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vpcmpeqd	%ymm\r, %ymm\r, %ymm\r
	.endr
	jmp	4f
3:	.irp r, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	vpternlogd	$0xff, %zmm\r, %zmm\r, %zmm\r
	.endr
	.irp k, 0, 1, 2, 3, 4, 5, 6, 7
	kxnorq	%k\k, %k\k, %k\k
	.endr
4:	fninit
	fldpi
	fldpi
	fldz
	pushq	$0x7F80                  # round toward zero, all masked
	ldmxcsr	(%rsp)
	movw	$0x0F7F, (%rsp)
	fldcw	(%rsp)
	popq	%rdi
	xorl	%edi, %edi
	cmpq	%rdi, %rax               # flags: not what they were
	ret
	.size	async_regs_test_scribble, .-async_regs_test_scribble
)");
#elif defined(__aarch64__)
asm(R"(
	.text
	.globl	async_regs_test_scribble
	.type	async_regs_test_scribble, %function
async_regs_test_scribble:
	mov	x0, #-1
	.irp r, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18
	mov	x\r, x0
	.endr
	.irp r, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	movi	v\r\().16b, #0xa5
	.endr
	mov	x1, #0x00C00000          // round toward zero
	msr	fpcr, x1
	mov	x1, #0x9F                // every cumulative flag
	msr	fpsr, x1
	cmp	x0, x0                   // Z C set
	ret
	.size	async_regs_test_scribble, .-async_regs_test_scribble
)");
#elif defined(__riscv)
asm(R"(
	.text
	.globl	async_regs_test_scribble
	.type	async_regs_test_scribble, %function
async_regs_test_scribble:
	li	t0, -1
	.irp r, t1, t2, t3, t4, t5, t6, a0, a1, a2, a3, a4, a5, a6, a7
	mv	\r, t0
	.endr
	.irp r, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	fmv.d.x	f\r, t0
	.endr
	li	t1, 0x3F                 # frm RTZ, every flag
	fscsr	t1
	ret
	.size	async_regs_test_scribble, .-async_regs_test_scribble
)");
#elif defined(__powerpc64__)
// r2 (the TOC) and the non-volatile CR fields cr2..cr4 are the caller's;
// LR holds the return address. VRSAVE is changed on purpose too: the
// preemption restores it.
asm(R"(
	.text
	.abiversion 2
	.globl	async_regs_test_scribble
	.type	async_regs_test_scribble, @function
async_regs_test_scribble:
	li	%r0, -1
	.irp r, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
	mr	%r\r, %r0
	.endr
	mtctr	%r0
	mtxer	%r0
	mtcrf	0xC7, %r0                # cr0 cr1 cr5 cr6 cr7: the volatile fields
	mtvrsave %r0
	vspltisw	%v0, 1
	mtvscr	%v0                      # SAT set, NJ clear
	vspltisb	%v0, -6
	.irp r, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	xxlor	\r, 32, 32
	.endr
	.irp r, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	vspltisb	%v\r, -6
	.endr
	mtfsfi	7, 1                     # round toward zero
	mtfsfi	1, 15                    # UX ZX XX VXSNAN set (their enables are clear)
	blr
	.size	async_regs_test_scribble, .-async_regs_test_scribble
)");
#endif
