// Built-in scenario over the floating-point control state the arch
// contract preserves (runtime_under_test/arch/arch.h: it is per goroutine;
// a new goroutine starts at the ABI's default, round to nearest): each
// goroutine sets its own rounding mode (and, on amd64, flush-to-zero,
// denormals-are-zero and an exception mask) and finds it unchanged after
// every switch, while its neighbours set theirs.
#include <cfenv>
#include <cstdint>
#include <vector>

#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

#include "scenario/registry.h"
#include "scenario/scenario.h"

namespace gort::harness {
namespace {

// Thirds rounded by the current mode: up and down differ in the last bit.
// Out of line, on volatile operands: the compiler may neither fold the
// division nor move it across the rounding-mode calls around the call.
[[gnu::noinline]] double third() {
  volatile double one = 1.0, three = 3.0;
  return one / three;
}

// The rounding modes every port supports (riscv64's frm, arm64's RMode,
// amd64's MXCSR.RC and x87 RC, ppc64le's FPSCR RN).
constexpr int kModes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};

#if defined(__x86_64__)
// MXCSR control bits beyond the rounding mode: FTZ (15), DAZ (6), and
// unmasking none (the exception masks, bits 7-12, stay set: an unmasked
// exception would trap).
constexpr uint32_t kMxcsrFtz = 1u << 15, kMxcsrDaz = 1u << 6;
constexpr uint32_t kMxcsrControl = 0xffc0;
#endif

void fp_control() {
  const double nearest = third();
  std::fesetround(FE_UPWARD);
  const double up = third();
  std::fesetround(FE_DOWNWARD);
  const double down = third();
  std::fesetround(FE_TONEAREST);
  scenario_check(up > down && (nearest == up || nearest == down), "fp-control: rounding modes do not round");

  constexpr int kWorkers = 8, kRounds = 6;
  auto done = make_chan<int>(kWorkers);
  auto baton = make_chan<int>();
  for (int w = 0; w < kWorkers; w++) {
    go([=] {
      // A new goroutine starts at the ABI's default, whatever its creator set.
      scenario_check(std::fegetround() == FE_TONEAREST, "fp-control: a new goroutine inherited a rounding mode");
      const int mode = kModes[w % 4];
      std::fesetround(mode);
#if defined(__x86_64__)
      const uint32_t extra = (w & 4) != 0 ? kMxcsrFtz | kMxcsrDaz : 0;
      _mm_setcsr((_mm_getcsr() & ~(kMxcsrFtz | kMxcsrDaz)) | extra);
      const uint32_t mine = _mm_getcsr() & kMxcsrControl;
#endif
      for (int r = 0; r < kRounds; r++) {
        // Switches of every kind: a rendezvous, a yield, a park on a timer.
        if (r % 3 == 0) {
          if (w % 2 == 0)
            baton.send(w);
          else
            (void)baton.recv();
        } else if (r % 3 == 1) {
          yield_point();
          gosched();
        } else {
          sleep(std::chrono::microseconds(w + 1));
        }
        scenario_check(std::fegetround() == mode, "fp-control: a switch changed the rounding mode");
#if defined(__x86_64__)
        scenario_check((_mm_getcsr() & kMxcsrControl) == mine, "fp-control: a switch changed MXCSR's control bits");
#endif
        const double t = third();
        scenario_check(mode == FE_UPWARD      ? t == up
                       : mode == FE_TONEAREST ? t == nearest
                                              : t == down,
                       "fp-control: arithmetic rounded by another goroutine's mode");
      }
      done.send(w);
    });
  }
  // main keeps its own mode meanwhile.
  std::fesetround(FE_TOWARDZERO);
  for (int w = 0; w < kWorkers; w++) {
    (void)done.recv();
    scenario_check(std::fegetround() == FE_TOWARDZERO, "fp-control: main's rounding mode changed");
  }
  std::fesetround(FE_TONEAREST);
}

}  // namespace

void add_fp_scenarios(std::vector<Scenario>& s) {
  s.push_back({"fp-control",
               "arch fp-control switch",
               "eight goroutines keep their own rounding mode (and FTZ/DAZ) across switches",
               fp_control,
               {}});
}

}  // namespace gort::harness
