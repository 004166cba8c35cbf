#include "platform/fault.h"

#include <sys/ucontext.h>
#if defined(__powerpc64__)
#include <asm/ptrace.h>  // PT_NIP, PT_R1, ...: the indices of uc_mcontext.gp_regs
#endif

#include <mutex>

#include "platform/preempt_signal.h"
#include "platform/signal_chain.h"

namespace gort::platform {
namespace {

// Process-wide because the signal table is: set once, then only read.
FaultHandler g_handler = nullptr;
struct sigaction g_previous_segv {};
struct sigaction g_previous_bus {};

// coverage-excluded-begin: a SIGSEGV or SIGBUS that is no goroutine stack overflow: a crash, handed to the previous
// handler
void chain(int sig, siginfo_t* info, void* uctx) {
  if (call_previous_handler(sig == SIGSEGV ? g_previous_segv : g_previous_bus, sig, info, uctx)) return;
  // Default action: reinstate it and return; the faulting instruction runs
  // again and the process dies with the signal, as it would without gort.
  signal(sig, SIG_DFL);
}
// coverage-excluded-end

// Rewrites the interrupted context so that sigreturn "calls" r.fn(r.arg)
// on r's stack: the only per-CPU code outside arch/, because the signal
// context's layout is the kernel's, not an ABI's.
void redirect(void* uctx, const FaultRedirect& r) {
  auto* uc = static_cast<ucontext_t*>(uctx);
  uintptr_t sp = r.stack_top & ~uintptr_t{15};
  auto fn = reinterpret_cast<uintptr_t>(r.fn), arg = reinterpret_cast<uintptr_t>(r.arg);
#if defined(__x86_64__)
  sp -= 8;  // a call pushes the return address: here a zero one, the end of the stack
  *reinterpret_cast<uintptr_t*>(sp) = 0;
  uc->uc_mcontext.gregs[REG_RSP] = static_cast<greg_t>(sp);
  uc->uc_mcontext.gregs[REG_RIP] = static_cast<greg_t>(fn);
  uc->uc_mcontext.gregs[REG_RDI] = static_cast<greg_t>(arg);
  uc->uc_mcontext.gregs[REG_RBP] = 0;
#elif defined(__aarch64__)
  uc->uc_mcontext.sp = sp;
  uc->uc_mcontext.pc = fn;
  uc->uc_mcontext.regs[0] = arg;
  uc->uc_mcontext.regs[29] = 0;  // frame pointer
  uc->uc_mcontext.regs[30] = 0;  // link register
#elif defined(__riscv)
  uc->uc_mcontext.__gregs[REG_SP] = sp;
  uc->uc_mcontext.__gregs[REG_PC] = fn;
  uc->uc_mcontext.__gregs[REG_A0] = arg;
  uc->uc_mcontext.__gregs[REG_S0] = 0;  // frame pointer
  uc->uc_mcontext.__gregs[REG_RA] = 0;
#elif defined(__powerpc64__)
  // ELFv2: fn is entered at its global entry point, which computes its TOC
  // pointer from r12, so r12 must hold fn's address. r1 points at a
  // minimum frame (32 bytes: back chain, CR, LR and TOC save slots, which
  // fn may write) whose back chain is 0: the end of the stack.
  sp -= 32;
  *reinterpret_cast<uintptr_t*>(sp) = 0;
  uc->uc_mcontext.gp_regs[PT_R1] = sp;
  uc->uc_mcontext.gp_regs[PT_NIP] = fn;
  uc->uc_mcontext.gp_regs[PT_R12] = fn;
  uc->uc_mcontext.gp_regs[PT_R3] = arg;
  uc->uc_mcontext.gp_regs[PT_R31] = 0;  // frame pointer
  uc->uc_mcontext.gp_regs[PT_LNK] = 0;
#else
#error "gort: no signal-context redirect for this CPU (docs/PORTING.md)"
#endif
}

// The interrupted pc, sp and frame pointer, from the same kernel-defined
// layout.
void read_registers(const void* uctx, FaultInfo* f) {
  const auto* uc = static_cast<const ucontext_t*>(uctx);
#if defined(__x86_64__)
  f->pc = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
  f->sp = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
  f->fp = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RBP]);
#elif defined(__aarch64__)
  f->pc = uc->uc_mcontext.pc;
  f->sp = uc->uc_mcontext.sp;
  f->fp = uc->uc_mcontext.regs[29];
#elif defined(__riscv)
  f->pc = uc->uc_mcontext.__gregs[REG_PC];
  f->sp = uc->uc_mcontext.__gregs[REG_SP];
  f->fp = uc->uc_mcontext.__gregs[REG_S0];
#elif defined(__powerpc64__)
  // r1, not r31: the back chain at 0(r1) is valid at every instruction
  // (frames are allocated by one stdu), a frame pointer only after the
  // prologue. The walk (fatal.cc) starts from the back chain.
  f->pc = uc->uc_mcontext.gp_regs[PT_NIP];
  f->sp = uc->uc_mcontext.gp_regs[PT_R1];
  f->fp = uc->uc_mcontext.gp_regs[PT_R1];
#endif
}

void on_fault(int sig, siginfo_t* info, void* uctx) {
  // Sim's async preemption entering preemptible code (preempt_signal.h).
  if (sig == SIGSEGV && on_watch_fault(info, uctx)) return;
  FaultRedirect to;
  FaultInfo fault;
  fault.sig = sig;
  fault.code = info->si_code;
  fault.addr = reinterpret_cast<uintptr_t>(info->si_addr);
  read_registers(uctx, &fault);
  if (g_handler != nullptr && g_handler(fault, &to)) {
    // Return normally: sigreturn restores the signal mask and leaves the
    // alternate stack, and tools that wrap handlers (TSan) see it end.
    redirect(uctx, to);
    return;
  }
  // coverage-excluded-next: a SIGSEGV or SIGBUS that is no goroutine stack overflow: a crash
  chain(sig, info, uctx);
}

}  // namespace

const char* fault_signal_name(int sig) {
  // Go's sigtable (sigtab_linux_generic.go): "SIGSEGV: segmentation violation".
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV: segmentation violation";
    case SIGBUS:
      return "SIGBUS: bus error";
    default:  // coverage-excluded: the handler is installed for SIGSEGV and SIGBUS only
      return "";
  }
}

void install_fault_handler(FaultHandler handler) {
  static std::once_flag once;
  std::call_once(once, [handler] {
    g_handler = handler;
    install_handler(SIGSEGV, on_fault, SA_ONSTACK, &g_previous_segv);
    install_handler(SIGBUS, on_fault, SA_ONSTACK, &g_previous_bus);
  });
}

namespace {

// One thread's alternate stack memory, kept from run to run. Thread-local
// because sigaltstack is per thread; it holds no runtime state.
struct ThreadAltStack {
  StackMapping mem;
  ~ThreadAltStack() {
    if (mem.lo == 0) return;
    stack_t cur{};
    if (sigaltstack(nullptr, &cur) == 0 && (cur.ss_flags & SS_DISABLE) == 0 &&
        cur.ss_sp == reinterpret_cast<void*>(mem.lo)) {
      stack_t off{};
      off.ss_flags = SS_DISABLE;
      sigaltstack(&off, nullptr);
    }
    unmap_stack(&mem);
  }
};
thread_local ThreadAltStack t_altstack;

}  // namespace

bool AltStack::install() {
  if (installed_) return true;
  stack_t cur{};
  // coverage-excluded-next: sigaltstack failed
  if (sigaltstack(nullptr, &cur) != 0) return false;
  StackMapping& mem = t_altstack.mem;
  const bool had_one = (cur.ss_flags & SS_DISABLE) == 0;
  if (had_one && mem.lo != 0 && cur.ss_sp == reinterpret_cast<void*>(mem.lo)) {
    installed_ = true;  // ours, standing since an earlier run on this thread
    restore_ = false;
    return true;
  }
  // Generous: the handler formats the fatal report on g0, but ASan's and
  // the dynamic linker's first-call paths can run here.
  // coverage-excluded-next: mmap failed: the machine is out of memory
  if (mem.lo == 0 && !map_stack(64 * 1024, page_size(), &mem)) return false;
  stack_t ss{};
  ss.ss_sp = reinterpret_cast<void*>(mem.lo);
  ss.ss_size = mem.usable();
  // coverage-excluded-next: sigaltstack failed
  if (sigaltstack(&ss, nullptr) != 0) return false;
  previous_ = cur;
  restore_ = had_one;
  installed_ = true;
  return true;
}

void AltStack::uninstall() {
  if (!installed_) return;
  if (restore_) sigaltstack(&previous_, nullptr);
  installed_ = false;
}

}  // namespace gort::platform
