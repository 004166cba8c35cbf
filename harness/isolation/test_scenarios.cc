#include "isolation/test_scenarios.h"

#include <cstdio>
#include <cstdlib>

#include "gort/gort.h"

namespace gort::harness {
namespace {

void crash_on_order() {
  auto c = make_chan<int>(2);
  go([c] { c.send(1); });
  go([c] { c.send(2); });
  int first = c.recv();
  c.recv();
  if (first == 2) {
    fprintf(stderr, "crash-on-order: the second sender won; aborting\n");
    abort();
  }
}

void spin_forever() {
  volatile uint64_t n = 0;
  for (;;) n = n + 1;  // no yield point: the runtime never hears of it
}

void well_behaved() {
  auto ping = make_chan<int>();
  auto pong = make_chan<int>();
  go([=] {
    for (int i = 0; i < 10; i++) pong.send(ping.recv() + 1);
  });
  for (int i = 0; i < 10; i++) {
    ping.send(i);
    scenario_check(pong.recv() == i + 1, "pong answers ping + 1");
  }
}

// Spins on a non-blocking receive that never succeeds: never switching,
// never blocking; only the step budget, which counts every operation, ends it.
void spin_on_try_recv() {
  auto c = make_chan<int>();
  for (;;) {
    if (c.try_recv().ready) return;
  }
}

// Its plan injects a panic at the first yield point: every run that has
// injected panics ends in one, and the rest show which runs have none.
void yields_once() { yield_point(); }

}  // namespace

const std::vector<Scenario>& isolation_test_scenarios() {
  static const std::vector<Scenario> list = {
      {"crash-on-order",
       "test crash",
       "aborts the process when the second sender wins",
       &crash_on_order,
       {},
       64 * 1024,
       ""},
      {"spin-forever", "test hang", "main spins without a yield point", &spin_forever, {}, 64 * 1024, ""},
      {"well-behaved", "test chan", "a ping-pong that always passes", &well_behaved, {}, 64 * 1024, ""},
      {"spin-on-try-recv",
       "test livelock",
       "main spins on a try_recv that never succeeds",
       &spin_on_try_recv,
       {},
       64 * 1024,
       ""},
      {"yields-once",
       "test faults",
       "one yield point, where its plan injects a panic",
       &yields_once,
       {},
       64 * 1024,
       "panic-at-yield:at=1"},
  };
  return list;
}

}  // namespace gort::harness
