#include "platform/preempt_signal.h"

#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "arch/arch.h"

namespace gort::platform {
namespace {

// Process-wide because the signal table is: set once, then only read.
PreemptHandler g_preempt_handler = nullptr;
struct sigaction g_previous_preempt {};

// coverage-excluded-begin: a SIGURG that is not gort's (no run on the thread): handed to whoever had it before
void chain(int sig, siginfo_t* info, void* uctx) {
  const struct sigaction& prev = g_previous_preempt;
  if ((prev.sa_flags & SA_SIGINFO) != 0 && prev.sa_sigaction != nullptr) {
    prev.sa_sigaction(sig, info, uctx);
    return;
  }
  if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN && prev.sa_handler != nullptr) prev.sa_handler(sig);
  // SIGURG's default action is to ignore it.
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
#else
  (void)uc;
  (void)d;
  assert(false && "inject_call: this CPU's async preemption is not ported");
#endif
}

void on_preempt_signal(int sig, siginfo_t* info, void* uctx) {
  const int saved_errno = errno;  // the interrupted code may be between a call and its errno check
  uintptr_t pc = 0;
  uintptr_t sp = 0;
  read_pc_sp(uctx, &pc, &sp);
  PreemptDecision d;
  if (g_preempt_handler == nullptr || !g_preempt_handler(pc, sp, &d)) {
    chain(sig, info, uctx);  // coverage-excluded: not gort's
  } else if (d.entry != 0) {
    inject_call(uctx, d);
  }
  errno = saved_errno;
}

}  // namespace

bool install_preempt_handler(PreemptHandler handler) {
  assert(handler != nullptr && "install_preempt_handler: no handler");
  static std::once_flag once;
  static bool supported = false;
  std::call_once(once, [handler] {
    supported = gort_arch_async_preempt_supported() != 0;
    if (!supported) return;
    g_preempt_handler = handler;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_preempt_signal;
    // SA_ONSTACK: the goroutine's stack may be nearly full. SA_RESTART: a
    // system call the signal interrupts (a futex sleep) goes on.
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(kPreemptSignal, &sa, &g_previous_preempt);
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
