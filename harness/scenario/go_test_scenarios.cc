// Scenarios ported from Go's own channel test programs (Go 1.19's
// test/chan): each keeps the program's shape and its check, with loop
// counts cut so that one run is a fresh, short schedule. Each port names
// the Go program it ports. (test/chan/sieve1.go is the prime-sieve
// scenario in channel_scenarios.cc.)
#include <set>

#include "scenario/registry.h"
#include "scenario/scenario.h"

namespace gort::harness {
namespace {

// Ports test/chan/doubleselect.go: a sender selects over four unbuffered
// sends and closes all four channels in deferred calls; four muxes copy
// into one channel; the receiver must see every value once (Go's bug was
// "bad g->status in ready" when two selects raced to wake one goroutine).
void double_select() {
  constexpr int kIterations = 40;
  auto c1 = make_chan<int>(), c2 = make_chan<int>(), c3 = make_chan<int>(), c4 = make_chan<int>();
  auto done = make_chan<bool>();
  auto cmux = make_chan<int>();
  go([=](Frame& f) {  // sender
    f.defer([c1] { c1.close(); });
    f.defer([c2] { c2.close(); });
    f.defer([c3] { c3.close(); });
    f.defer([c4] { c4.close(); });
    for (int i = 0; i < kIterations; i++) {
      int v1 = i, v2 = i, v3 = i, v4 = i;
      select({send_case(c1, v1), send_case(c2, v2), send_case(c3, v3), send_case(c4, v4)});
    }
  });
  for (const auto& in : {c1, c2, c3, c4}) {
    go([=] {  // mux
      for (;;) {
        auto [v, ok] = in.recv_ok();
        if (!ok) break;
        cmux.send(v);
      }
      done.send(true);
    });
  }
  go([=] {
    for (int i = 0; i < 4; i++) done.recv();
    cmux.close();
  });
  std::set<int> seen;  // recver
  for (;;) {
    auto [v, ok] = cmux.recv_ok();
    if (!ok) break;
    scenario_check(seen.insert(v).second, "double-select: got duplicate value");
  }
  scenario_check(seen.size() == kIterations, "double-select: a value was lost");
}

// Ports test/chan/select6.go (Go issue 2075): a select's losing case must
// leave its channel's queue. A goroutine selects on c1 and c2, wins c2,
// then receives on c1; the two sends on c1 must reach the two plain
// receivers, never the select's stale case (which would panic "dummy").
void select6() {
  auto c1 = make_chan<bool>(), c2 = make_chan<bool>(), c3 = make_chan<bool>();
  go([=] { c1.recv(); });
  go([=] {
    bool got = false;
    if (select({recv_case(c1, got), recv_case(c2, got)}) == 0) panic("dummy");
    c3.send(true);
    c1.recv();
  });
  go([=] { c2.send(true); });
  c3.recv();
  c1.send(true);
  c1.send(true);
}

// Ports test/chan/fifo.go's SynchFifo: ten goroutines chained so that each
// receives from an unbuffered channel only after its predecessor did; the
// values must arrive in the order sent.
void synch_fifo() {
  constexpr int kChain = 10;
  auto ch = make_chan<int>();
  auto in = make_chan<int>();
  auto start = in;
  for (int i = 0; i < kChain; i++) {
    auto out = make_chan<int>();
    go([ch, i, in, out] {
      in.recv();
      scenario_check(ch.recv() == i, "synch-fifo: a value arrived out of order");
      out.send(1);
    });
    in = out;
  }
  start.send(0);
  for (int i = 0; i < kChain; i++) ch.send(i);
  in.recv();
}

}  // namespace

void add_go_test_scenarios(std::vector<Scenario>& s) {
  s.push_back({"double-select",
               "select close defer go-test",
               "Go's test/chan/doubleselect.go: 4-way select sends",
               double_select,
               {},
               64 * 1024,
               kBusiestScenarioFaults});
  s.push_back(
      {"select6", "select go-test", "Go's test/chan/select6.go: a losing select case leaves the queue", select6, {}});
  s.push_back({"synch-fifo",
               "chan unbuffered go-test",
               "Go's test/chan/fifo.go SynchFifo: a chain keeps order",
               synch_fifo,
               {}});
}

}  // namespace gort::harness
