// The machine's CPUs, as the runtime sizes itself by them (Go's ncpu).
#ifndef GORT_PLATFORM_CPUS_H
#define GORT_PLATFORM_CPUS_H

#include <unistd.h>

namespace gort::platform {

// The CPUs online, at least 1; read once per process (Go reads ncpu once
// at start-up too).
inline int online_cpus() {
  static const int n = [] {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus < 1 ? 1 : static_cast<int>(cpus);
  }();
  return n;
}

}  // namespace gort::platform

#endif  // GORT_PLATFORM_CPUS_H
