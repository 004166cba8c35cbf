// The semaphore table's shape, through gort/sema.h alone: many semaphores
// whose addresses hash to one root (Go's semTabSize is 251, the address
// over 8 picks the root) keep their own FIFO queues in the root's tree,
// whatever order they are released in.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdint>

#include "gort/sema.h"
#include "gort/sync.h"
#include "spec_run.h"

namespace {

using spec::require;
using spec::str;

constexpr int kAddresses = 7;
constexpr int kWaitersPerAddress = 3;
// 251 words of 8 bytes apart: the same root for every address.
constexpr size_t kStride = 251 * 2;

void sharing_a_root_program() {
  static_assert(kStride * sizeof(uint32_t) == 251 * 8);
  std::array<uint32_t, kAddresses * kStride> words{};
  auto woken = gort::make_chan<int>(kAddresses * kWaitersPerAddress);
  // Waiter w of address a queues w-th; it reports a * 10 + w once it has
  // the semaphore.
  for (int w = 0; w < kWaitersPerAddress; w++) {
    for (int a = 0; a < kAddresses; a++) {
      uint32_t* sema = &words[static_cast<size_t>(a) * kStride];
      const uint64_t id = spec::go_id([sema, woken, a, w] {
        gort::detail::semacquire(sema, /*lifo=*/false);
        woken.send(a * 10 + w);
      });
      spec::wait_blocked(id, "semacquire");
    }
  }
  // Release the addresses in a scrambled order, one waiter at a time: each
  // release wakes its own address's oldest waiter.
  for (int w = 0; w < kWaitersPerAddress; w++) {
    for (int k = 0; k < kAddresses; k++) {
      const int a = (k * 3 + w) % kAddresses;
      gort::detail::semrelease(&words[static_cast<size_t>(a) * kStride], /*handoff=*/false);
      const int got = woken.recv();
      require(got == a * 10 + w,
              str("release of address ", a, " woke waiter ", got / 10, ".", got % 10, ", want ", a, ".", w));
    }
  }
}

TEST(SemaTest, AddressesSharingARootKeepTheirOwnQueues) { spec::expect_ok(sharing_a_root_program); }

// Go's semacquire1 is preemptible at its prologue, so a goroutine that
// releases and re-acquires a semaphore forever, never parking, still lets
// another runnable goroutine onto its P once sysmon asks. (Go's
// BenchmarkSemaSyntBlock depends on it: its blocker goroutine must get to
// run while the workers loop.) One P: without the preemption check main's
// loop never ends, and ctest's timeout fails the test.
TEST(SemaTest, AGoroutineLoopingOnASemaphoreIsPreempted) {
  if (spec::kSim) {
    GTEST_SKIP() << "os builds only: in sim a semaphore's fast path is a step, not a preemption point (the chooser "
                    "preempts at the sync package's points), and this loop would run out of steps";
  }
  gort::Config cfg;
  cfg.procs = 1;
  std::atomic<bool> ran{false};
  gort::Result r = gort::run(cfg, [&ran] {
    gort::go([&ran] { ran.store(true); });
    uint32_t sema = 0;
    while (!ran.load()) {
      gort::detail::semrelease(&sema, /*handoff=*/false);
      gort::detail::semacquire(&sema, /*lifo=*/false);
    }
  });
  EXPECT_EQ(r.exit_status, 0) << r.output;
  EXPECT_TRUE(ran.load());
}

}  // namespace
