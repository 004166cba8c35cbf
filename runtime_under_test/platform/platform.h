// The platform seam: every service the runtime needs from outside itself.
//
// Runtime code gets locks, atomics, M park/unpark, time and decisions from
// here, never from std::mutex, std::atomic, the clock or an RNG directly.
// The implementation is a compile-time choice (GORT_PLATFORM_SIM), so the
// os build pays nothing for the seam:
//   os/   real futexes, std::atomic, CLOCK_MONOTONIC, an OS thread per M;
//         decisions are Go's defaults (option 0), or a per-thread fastrand
//         where Go itself randomises.
//   sim/  deterministic simulation: one OS thread, virtual time, and every
//         decision asked of the harness' Chooser; every lock, atomic and
//         Note operation is a scheduling point between virtual Ms.
// Memory for stacks, signal handling and sanitizer annotations are the same
// on both and live beside this file.
#ifndef GORT_PLATFORM_PLATFORM_H
#define GORT_PLATFORM_PLATFORM_H

#include "platform/cpus.h"

#if defined(GORT_PLATFORM_SIM)
#include "platform/sim/sim_platform.h"
namespace gort::platform {
// Yield points, faults and the event trace exist (sim) or compile away (os).
inline constexpr bool kSteerable = true;
}  // namespace gort::platform
#else
#include "platform/os/os_platform.h"
namespace gort::platform {
inline constexpr bool kSteerable = false;
}  // namespace gort::platform
#endif

#endif  // GORT_PLATFORM_PLATFORM_H
