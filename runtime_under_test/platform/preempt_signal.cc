#include "platform/preempt_signal.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <unistd.h>
#if defined(__powerpc64__)
#include <asm/ptrace.h>  // PT_NIP, PT_R1, ...: the indices of uc_mcontext.gp_regs
#endif

#include <cassert>
#include <cerrno>
#include <cstdlib>
#include <mutex>

#include "arch/arch.h"
#include "platform/signal_chain.h"

namespace gort::platform {
namespace {

// Process-wide because the signal table is: set once, then only read.
PreemptHandler g_preempt_handler = nullptr;
struct sigaction g_previous_preempt {};

// coverage-excluded-begin: a SIGURG that is not gort's (no run on the thread): handed to whoever had it before
void chain(int sig, siginfo_t* info, void* uctx) {
  // SIGURG's default action is to ignore it: nothing to do if there was
  // no handler.
  call_previous_handler(g_previous_preempt, sig, info, uctx);
}
// coverage-excluded-end

// The interrupted pc and sp, from the kernel's signal context.
void read_pc_sp(const void* uctx, uintptr_t* pc, uintptr_t* sp) {
  const auto* uc = static_cast<const ucontext_t*>(uctx);
#if defined(__x86_64__)
  *pc = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
  *sp = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
#elif defined(__aarch64__)
  *pc = uc->uc_mcontext.pc;
  *sp = uc->uc_mcontext.sp;
#elif defined(__riscv)
  *pc = uc->uc_mcontext.__gregs[REG_PC];
  *sp = uc->uc_mcontext.__gregs[REG_SP];
#elif defined(__powerpc64__)
  *pc = uc->uc_mcontext.gp_regs[PT_NIP];
  *sp = uc->uc_mcontext.gp_regs[PT_R1];
#else
#error "gort: no signal-context layout for this CPU (docs/PORTING.md)"
#endif
}

// Rewrites the context so that sigreturn "calls" entry at the interrupted
// pc, as arch.h's async-preemption contract describes: every register but
// pc and sp keeps its interrupted value.
void inject_call(void* uctx, const PreemptDecision& d) {
  auto* uc = static_cast<ucontext_t*>(uctx);
#if defined(__x86_64__)
  uintptr_t sp = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
  const uintptr_t pc = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
  if (d.keep_red_zone) sp -= 128;  // System V's red zone: leaf code keeps live data there
  sp -= 8;
  *reinterpret_cast<uintptr_t*>(sp) = pc;
  uc->uc_mcontext.gregs[REG_RSP] = static_cast<greg_t>(sp);
  uc->uc_mcontext.gregs[REG_RIP] = static_cast<greg_t>(d.entry);
#elif defined(__aarch64__)
  // No red zone in AAPCS64; sp stays 16-aligned. x30 keeps its value.
  const uintptr_t sp = uc->uc_mcontext.sp - 16;
  *reinterpret_cast<uintptr_t*>(sp) = uc->uc_mcontext.pc;
  uc->uc_mcontext.sp = sp;
  uc->uc_mcontext.pc = d.entry;
#elif defined(__riscv)
  // No red zone in the psABI; sp stays 16-aligned. ra keeps its value.
  const uintptr_t sp = uc->uc_mcontext.__gregs[REG_SP] - 16;
  *reinterpret_cast<uintptr_t*>(sp) = uc->uc_mcontext.__gregs[REG_PC];
  uc->uc_mcontext.__gregs[REG_SP] = sp;
  uc->uc_mcontext.__gregs[REG_PC] = d.entry;
#elif defined(__powerpc64__)
  // ELFv2's red zone (288 bytes below r1) may hold a leaf's live data, so
  // the two words go below it: the pc, and the interrupted r1, since the
  // assembly cannot otherwise tell how far below r1 it starts. r1 stays
  // 16-aligned; LR and r12 keep their values (gort_arch_async_preempt
  // needs no r12: it computes its TOC itself).
  const uintptr_t s = uc->uc_mcontext.gp_regs[PT_R1];
  assert(s % 16 == 0 && "ELFv2 keeps r1 16-aligned at every instruction");
  uintptr_t e = s - 16;
  if (d.keep_red_zone) e -= GORT_ARCH_ASYNC_RED_ZONE_BYTES;
  reinterpret_cast<uintptr_t*>(e)[0] = uc->uc_mcontext.gp_regs[PT_NIP];
  reinterpret_cast<uintptr_t*>(e)[1] = s;
  uc->uc_mcontext.gp_regs[PT_R1] = e;
  uc->uc_mcontext.gp_regs[PT_NIP] = d.entry;
#else
#error "gort: no async-preemption call injection for this CPU (docs/PORTING.md)"
#endif
}

#if !defined(__x86_64__)
// The resume trap (arch.h): gort_arch_async_preempt restored the FP state
// and trapped at gort_arch_async_resume_trap with sp at its frame of
// general registers. Loading them into the signal context resumes the
// interrupted code at its pc with every register as it was: the FP state
// in the kernel's frame is already the restored one.
struct sigaction g_previous_trap {};

// Reads one 64-bit slot of the frame at byte offset off.
uint64_t frame_word(uintptr_t frame, int off) { return *reinterpret_cast<const uint64_t*>(frame + off); }

#if defined(__aarch64__)
static_assert(GORT_ARCH_ASYNC_FRAME_SP == GORT_ARCH_ASYNC_FRAME_X0 + 31 * 8, "arm64 resume frame: sp after x30");
static_assert(GORT_ARCH_ASYNC_FRAME_PC == GORT_ARCH_ASYNC_FRAME_SP + 8, "arm64 resume frame: pc after sp");
static_assert(GORT_ARCH_ASYNC_FRAME_FLAGS == GORT_ARCH_ASYNC_FRAME_PC + 8, "arm64 resume frame: nzcv after pc");
static_assert(GORT_ARCH_ASYNC_FRAME_SIZE % 16 == 0, "arm64 resume frame: keeps sp 16-aligned");
constexpr uint64_t kNzcvMask = 0xF0000000;  // PSTATE.{N,Z,C,V}: all the frame restores of pstate

uintptr_t trap_pc(const ucontext_t* uc) { return uc->uc_mcontext.pc; }

void resume_from_frame(ucontext_t* uc) {
  const uintptr_t f = uc->uc_mcontext.sp;
  for (int i = 0; i < 31; i++) uc->uc_mcontext.regs[i] = frame_word(f, GORT_ARCH_ASYNC_FRAME_X0 + i * 8);
  uc->uc_mcontext.sp = frame_word(f, GORT_ARCH_ASYNC_FRAME_SP);
  uc->uc_mcontext.pc = frame_word(f, GORT_ARCH_ASYNC_FRAME_PC);
  uc->uc_mcontext.pstate =
      (uc->uc_mcontext.pstate & ~kNzcvMask) | (frame_word(f, GORT_ARCH_ASYNC_FRAME_FLAGS) & kNzcvMask);
}
#elif defined(__riscv)
static_assert(GORT_ARCH_ASYNC_FRAME_PC == 0 && GORT_ARCH_ASYNC_FRAME_X0 == 0 && REG_PC == 0,
              "riscv64 resume frame: slot n is __gregs[n]");
static_assert(GORT_ARCH_ASYNC_FRAME_SP == REG_SP * 8, "riscv64 resume frame: sp's slot");
static_assert(GORT_ARCH_ASYNC_FRAME_FCSR == 32 * 8, "riscv64 resume frame: fcsr after x31");
static_assert(GORT_ARCH_ASYNC_FRAME_SIZE % 16 == 0, "riscv64 resume frame: keeps sp 16-aligned");
constexpr int kRegGp = 3;
constexpr int kRegTp = 4;

uintptr_t trap_pc(const ucontext_t* uc) { return uc->uc_mcontext.__gregs[REG_PC]; }

void resume_from_frame(ucontext_t* uc) {
  const uintptr_t f = uc->uc_mcontext.__gregs[REG_SP];
  for (int n = 0; n < 32; n++) {
    // gp and tp stay this thread's: the goroutine may have moved threads.
    if (n == kRegGp || n == kRegTp) continue;
    uc->uc_mcontext.__gregs[n] = frame_word(f, GORT_ARCH_ASYNC_FRAME_X0 + n * 8);
  }
}
#elif defined(__powerpc64__)
static_assert(GORT_ARCH_ASYNC_FRAME_PC == GORT_ARCH_ASYNC_FRAME_R0 + 32 * 8, "ppc64le resume frame: pc after r31");
static_assert(GORT_ARCH_ASYNC_FRAME_SIZE % 16 == 0, "ppc64le resume frame: keeps r1 16-aligned");
static_assert(GORT_ARCH_ASYNC_RED_ZONE_BYTES % 16 == 0 &&
                  GORT_ARCH_ASYNC_RED_ZONE_BYTES + 16 + GORT_ARCH_ASYNC_FRAME_SIZE <= GORT_ARCH_ASYNC_PREEMPT_FRAME,
              "ppc64le: the red zone, the injected words and the frame fit GORT_ARCH_ASYNC_PREEMPT_FRAME");
static_assert(PT_R0 == 0 && PT_R31 == 31, "ppc64le: gp_regs[n] is rn");
constexpr int kRegTp = 13;  // the thread pointer: stays this thread's

uintptr_t trap_pc(const ucontext_t* uc) {
  assert(uc != nullptr);
  return uc->uc_mcontext.gp_regs[PT_NIP];
}

void resume_from_frame(ucontext_t* uc) {
  const uintptr_t f = uc->uc_mcontext.gp_regs[PT_R1];
  assert(f % 16 == 0 && "the resume trap's frame: r1 16-aligned (ppc64le.S)");
  auto& r = uc->uc_mcontext.gp_regs;
  // f was read above: overwriting r[PT_R1] below does not move it.
  for (int n = 0; n < 32; n++) {
    if (n == kRegTp) continue;  // the goroutine may have moved threads
    r[n] = frame_word(f, GORT_ARCH_ASYNC_FRAME_R0 + n * 8);
  }
  r[PT_NIP] = frame_word(f, GORT_ARCH_ASYNC_FRAME_PC);
  r[PT_CTR] = frame_word(f, GORT_ARCH_ASYNC_FRAME_CTR);
  r[PT_LNK] = frame_word(f, GORT_ARCH_ASYNC_FRAME_LR);
  r[PT_XER] = frame_word(f, GORT_ARCH_ASYNC_FRAME_XER);
  r[PT_CCR] = frame_word(f, GORT_ARCH_ASYNC_FRAME_CR);
}
#endif

// coverage-excluded-begin: a SIGTRAP that is not the resume trap: handed to whoever had it before
void chain_trap(int sig, siginfo_t* info, void* uctx) {
  const struct sigaction& prev = g_previous_trap;
  if (call_previous_handler(prev, sig, info, uctx) || prev.sa_handler == SIG_IGN) return;
  // SIGTRAP's default action: die with it. Restore the default and
  // return: the trapping instruction runs again and the kernel ends the
  // process as it would have without gort's handler.
  signal(SIGTRAP, SIG_DFL);
}
// coverage-excluded-end

void on_trap_signal(int sig, siginfo_t* info, void* uctx) {
  auto* uc = static_cast<ucontext_t*>(uctx);
  if (trap_pc(uc) != reinterpret_cast<uintptr_t>(gort_arch_async_resume_trap)) {
    chain_trap(sig, info, uctx);  // coverage-excluded: not gort's
    return;
  }
  resume_from_frame(uc);
}
#endif

// Whether the handler runs on the thread's alternate signal stack. Off it,
// the kernel's signal frame lies right below the interrupted sp (below
// the red zone on amd64), exactly where inject_call stores the return
// slot: the store would corrupt the frame sigreturn reads back.
bool on_alternate_stack() {
  stack_t ss{};
  return sigaltstack(nullptr, &ss) == 0 && (ss.ss_flags & SS_ONSTACK) != 0;
}

void on_preempt_signal(int sig, siginfo_t* info, void* uctx) {
  const int saved_errno = errno;  // the interrupted code may be between a call and its errno check
  uintptr_t pc = 0;
  uintptr_t sp = 0;
  read_pc_sp(uctx, &pc, &sp);
  PreemptDecision d;
  if (g_preempt_handler == nullptr || !g_preempt_handler(pc, sp, &d)) {
    chain(sig, info, uctx);  // coverage-excluded: not gort's
  } else if (d.entry != 0 && on_alternate_stack()) {
    inject_call(uctx, d);
  }
  errno = saved_errno;
}

#if GORT_ARCH_SINGLE_STEP
// Single-stepping (amd64): TF is bit 8 of rflags.
constexpr greg_t kTraceFlag = 0x100;
StepHandler g_step_handler = nullptr;
struct sigaction g_previous_step {};
// The watched pages, page-rounded, set once by install_step_handler.
uintptr_t g_watch_lo = 0;
uintptr_t g_watch_hi = 0;
// Whether the run armed the watch, and whether the pages lack PROT_EXEC
// now. Written by the run's thread, in and out of its handlers only.
volatile sig_atomic_t g_watching = 0;
volatile sig_atomic_t g_pages_protected = 0;

void protect_pages(bool exec_off) {
  const int prot = exec_off ? PROT_READ : PROT_READ | PROT_EXEC;
  // coverage-excluded-next: mprotect of the executable's own text failed
  if (mprotect(reinterpret_cast<void*>(g_watch_lo), g_watch_hi - g_watch_lo, prot) != 0) abort();
  g_pages_protected = exec_off ? 1 : 0;
}

void on_step_signal(int sig, siginfo_t* info, void* uctx) {
  auto* uc = static_cast<ucontext_t*>(uctx);
  // coverage-excluded-begin: a SIGTRAP that is not a trace trap (a debugger's breakpoint, an int3)
  if (info->si_code != TRAP_TRACE || g_step_handler == nullptr) {
    if (!call_previous_handler(g_previous_step, sig, info, uctx) && g_previous_step.sa_handler != SIG_IGN)
      signal(SIGTRAP, SIG_DFL);  // as chain_trap: the default action ends the process
    return;
  }
  // coverage-excluded-end
  const int saved_errno = errno;
  uintptr_t pc = 0;
  uintptr_t sp = 0;
  read_pc_sp(uctx, &pc, &sp);
  PreemptDecision d;
  // Off the alternate stack no call can be injected (on_alternate_stack):
  // tracing stops, and the runtime's next yield point disarms.
  const StepVerdict v = on_alternate_stack() ? g_step_handler(pc, sp, &d) : StepVerdict::kStop;
  switch (v) {
    case StepVerdict::kStep:
      // Set again: a popfq in the traced code (the resume of an earlier
      // async preemption, a probe) may have cleared TF, and the trap after
      // it is the last chance to keep tracing.
      uc->uc_mcontext.gregs[REG_EFL] |= kTraceFlag;
      break;
    case StepVerdict::kWatch:
      uc->uc_mcontext.gregs[REG_EFL] &= ~kTraceFlag;
      if (g_watching && !g_pages_protected) protect_pages(true);
      break;
    case StepVerdict::kStop:
      uc->uc_mcontext.gregs[REG_EFL] &= ~kTraceFlag;
      g_watching = 0;
      if (g_pages_protected) protect_pages(false);
      if (d.entry != 0) inject_call(uctx, d);
      break;
  }
  errno = saved_errno;
}
#endif

}  // namespace

bool on_watch_fault(const siginfo_t* info, void* uctx) {
#if GORT_ARCH_SINGLE_STEP
  if (!g_watching || !g_pages_protected || info->si_code != SEGV_ACCERR) return false;
  const auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
  if (addr < g_watch_lo || addr >= g_watch_hi) return false;
  protect_pages(false);
  static_cast<ucontext_t*>(uctx)->uc_mcontext.gregs[REG_EFL] |= kTraceFlag;
  return true;
#else
  (void)info;
  (void)uctx;
  return false;
#endif
}

void watch_preemptible_code(bool on) {
#if GORT_ARCH_SINGLE_STEP
  assert(g_watch_lo < g_watch_hi && "watch_preemptible_code: install_step_handler first");
  g_watching = on ? 1 : 0;
  if (g_pages_protected != (on ? 1 : 0)) protect_pages(on);
  if (!on) gort_arch_single_step(0);
#else
  (void)on;
  assert(false && "watch_preemptible_code: this CPU cannot single-step");
#endif
}

bool install_step_handler(StepHandler handler, uintptr_t code_lo, uintptr_t code_hi) {
  assert(handler != nullptr && "install_step_handler: no handler");
  assert(code_lo <= code_hi);
#if GORT_ARCH_SINGLE_STEP
  static std::once_flag once;
  static bool supported = false;
  std::call_once(once, [handler, code_lo, code_hi] {
    supported = gort_arch_async_preempt_supported() != 0 && code_lo < code_hi;
    if (!supported) return;
    const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    g_watch_lo = code_lo & ~(page - 1);
    g_watch_hi = (code_hi + page - 1) & ~(page - 1);
    g_step_handler = handler;
    // SA_ONSTACK: a call is injected only from the alternate stack. No
    // SA_NODEFER: the handler itself runs with TF clear.
    install_handler(SIGTRAP, on_step_signal, SA_ONSTACK, &g_previous_step);
  });
  return supported;
#else
  (void)handler;
  (void)code_lo;
  (void)code_hi;
  return false;
#endif
}

bool install_preempt_handler(PreemptHandler handler) {
  assert(handler != nullptr && "install_preempt_handler: no handler");
  static std::once_flag once;
  static bool supported = false;
  std::call_once(once, [handler] {
    supported = gort_arch_async_preempt_supported() != 0;
    if (!supported) return;
    g_preempt_handler = handler;
    // SA_ONSTACK: the goroutine's stack may be nearly full. SA_RESTART: a
    // system call the signal interrupts (a futex sleep) goes on.
    install_handler(kPreemptSignal, on_preempt_signal, SA_ONSTACK | SA_RESTART, &g_previous_preempt);
#if !defined(__x86_64__)
    // The resume trap: SA_ONSTACK as above; no SA_RESTART (a trap
    // interrupts no system call). SA_NODEFER is not set: a trap in the
    // handler itself would be a bug, and blocking keeps it from looping.
    install_handler(SIGTRAP, on_trap_signal, SA_ONSTACK, &g_previous_trap);
#endif
  });
  return supported;
}

bool preempt_thread(int32_t tid) {
  assert(tid > 0 && "preempt_thread: no thread");
  return syscall(SYS_tgkill, getpid(), tid, kPreemptSignal) == 0;
}

int32_t current_tid() {
  const auto tid = static_cast<int32_t>(syscall(SYS_gettid));
  assert(tid > 0);
  return tid;
}

}  // namespace gort::platform
