// A signal gort's handler does not claim goes to the handler that was
// installed before gort's (fault.cc: SIGSEGV, SIGBUS; preempt_signal.cc:
// SIGURG, SIGTRAP), so that gort in a process leaves others' signals
// alone.
#ifndef GORT_PLATFORM_SIGNAL_CHAIN_H
#define GORT_PLATFORM_SIGNAL_CHAIN_H

#include <csignal>
#include <cstring>

namespace gort::platform {

// Calls the previous handler `prev` if it is a function. Returns false when
// it was SIG_DFL or SIG_IGN: the caller applies that disposition itself.
inline bool call_previous_handler(const struct sigaction& prev, int sig, siginfo_t* info, void* uctx) {
  if ((prev.sa_flags & SA_SIGINFO) != 0 && prev.sa_sigaction != nullptr) {
    prev.sa_sigaction(sig, info, uctx);
    return true;
  }
  if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN && prev.sa_handler != nullptr) {
    prev.sa_handler(sig);
    return true;
  }
  return false;
}

// Installs fn as sig's handler (SA_SIGINFO plus `flags`, nothing blocked
// beyond sig itself) and keeps the one it replaces in *prev.
inline void install_handler(int sig, void (*fn)(int, siginfo_t*, void*), int flags, struct sigaction* prev) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = fn;
  sa.sa_flags = SA_SIGINFO | flags;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, prev);
}

}  // namespace gort::platform

#endif  // GORT_PLATFORM_SIGNAL_CHAIN_H
