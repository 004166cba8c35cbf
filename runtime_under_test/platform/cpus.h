// The machine's CPUs, as the runtime sizes itself by them (Go's ncpu).
#ifndef GORT_PLATFORM_CPUS_H
#define GORT_PLATFORM_CPUS_H

#include <unistd.h>

namespace gort::platform {

// The CPUs online, at least 1. Asked afresh (a run asks once, to size
// GOMAXPROCS), so that no process-wide state is kept for it.
inline int online_cpus() {
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  return cpus < 1 ? 1 : static_cast<int>(cpus);
}

// One spin-wait hint to the CPU (Go's procyield body): PAUSE on amd64;
// elsewhere a compiler barrier (the loop itself is the wait).
inline void cpu_relax() {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#else
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
}

}  // namespace gort::platform

#endif  // GORT_PLATFORM_CPUS_H
