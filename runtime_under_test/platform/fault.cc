#include "platform/fault.h"

#include <cstring>
#include <mutex>

namespace gort::platform {
namespace {

// Process-wide because the signal table is: set once, then only read.
FaultHandler g_handler = nullptr;
struct sigaction g_previous_segv {};
struct sigaction g_previous_bus {};

void chain(int sig, siginfo_t* info, void* uctx) {
  const struct sigaction& prev = sig == SIGSEGV ? g_previous_segv : g_previous_bus;
  if ((prev.sa_flags & SA_SIGINFO) != 0 && prev.sa_sigaction != nullptr) {
    prev.sa_sigaction(sig, info, uctx);
    return;
  }
  if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN && prev.sa_handler != nullptr) {
    prev.sa_handler(sig);
    return;
  }
  // Default action: reinstate it and return; the faulting instruction runs
  // again and the process dies with the signal, as it would without gort.
  signal(sig, SIG_DFL);
}

void on_fault(int sig, siginfo_t* info, void* uctx) {
  if (g_handler != nullptr) g_handler(reinterpret_cast<uintptr_t>(info->si_addr));
  chain(sig, info, uctx);
}

}  // namespace

void install_fault_handler(FaultHandler handler) {
  static std::once_flag once;
  std::call_once(once, [handler] {
    g_handler = handler;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    // SA_NODEFER: the handler leaves by switching stacks, never by
    // returning, so the signal must not stay blocked afterwards.
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_previous_segv);
    sigaction(SIGBUS, &sa, &g_previous_bus);
  });
}

bool AltStack::install() {
  if (installed_) return true;
  // Generous: the handler formats the fatal report on g0, but ASan's and
  // the dynamic linker's first-call paths can run here.
  if (!map_stack(64 * 1024, page_size(), &mem_)) return false;
  stack_t ss{};
  ss.ss_sp = reinterpret_cast<void*>(mem_.lo);
  ss.ss_size = mem_.usable();
  if (sigaltstack(&ss, &previous_) != 0) {
    unmap_stack(&mem_);
    return false;
  }
  installed_ = true;
  return true;
}

void AltStack::uninstall() {
  if (!installed_) return;
  sigaltstack(&previous_, nullptr);
  unmap_stack(&mem_);
  installed_ = false;
}

}  // namespace gort::platform
