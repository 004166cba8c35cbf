// Built-in scenarios over defer, panic, recover and Goexit, mixed with
// channels: what Go guarantees about them under any schedule. Yield points
// inside deferred calls and between operations give the harness places to
// preempt and to inject faults.
#include <string>
#include <vector>

#include "scenario/registry.h"
#include "scenario/scenario.h"

namespace gort::harness {
namespace {

// Three nested Go functions defer calls that record their order and yield;
// the innermost panics, the middle one recovers. Deferred calls run LIFO,
// the outer function's only after the middle one returned normally.
void nested_defers() {
  std::string order;
  PanicValue seen;
  func([&](Frame& outer) {
    outer.defer([&order] {
      yield_point();
      order += "o";
    });
    func([&](Frame& middle) {
      middle.defer([&order, &seen] {
        seen = recover();
        order += "m";
      });
      middle.defer([&order] {
        yield_point();
        order += "n";
      });
      func([&](Frame& inner) {
        inner.defer([&order] { order += "i"; });
        yield_point();
        panic("inner");
      });
      order += "X";  // never: the panic left this function
    });
    order += "r";  // the middle function returned normally
  });
  scenario_check(seen.to_string() == "inner", "nested-defers: the middle frame did not recover the inner panic");
  scenario_check(order == "inmro", "nested-defers: deferred calls ran out of order");
}

// Workers loop on a select over their job channel and a quit channel; on
// quit they call Goexit from inside the loop. Their deferred calls report
// on a done channel: every worker's runs exactly once, after its jobs.
void goexit_select_loop() {
  constexpr int kWorkers = 3, kJobs = 12;
  auto jobs = make_chan<int>(2);
  auto quit = make_chan<int>();
  auto done = make_chan<int>(kWorkers);
  auto results = make_chan<int>(kJobs);
  for (int w = 0; w < kWorkers; w++) {
    go([=](Frame& f) {
      int handled = 0;
      f.defer([done, &handled] { done.send(handled); });
      for (;;) {
        int job = 0;
        int quit_value = 0;
        int which = select({recv_case(jobs, job), recv_case(quit, quit_value)});
        if (which == 1) goexit();
        results.send(job * job);
        handled++;
      }
    });
  }
  for (int j = 0; j < kJobs; j++) jobs.send(j);
  int sum = 0;
  for (int j = 0; j < kJobs; j++) sum += results.recv();
  quit.close();
  int handled = 0;
  for (int w = 0; w < kWorkers; w++) handled += done.recv();
  scenario_check(handled == kJobs, "goexit-select-loop: a worker's deferred count is wrong");
  int want = 0;
  for (int j = 0; j < kJobs; j++) want += j * j;
  scenario_check(sum == want, "goexit-select-loop: a result was lost or duplicated");
}

// Goroutines each panic after a channel operation and recover in their own
// deferred call, which reports the value; the panics never cross goroutines.
void panicking_workers() {
  constexpr int kWorkers = 5;
  auto reports = make_chan<int>();
  for (int w = 0; w < kWorkers; w++) {
    go([=](Frame& f) {
      f.defer([reports] {
        // The value is read out before the send: a run may end while this
        // goroutine is parked there, abandoning the frame (Go's exit).
        int n = -1;
        if (PanicValue v = recover(); const int* p = v.get<int>()) n = *p;
        reports.send(n);
      });
      yield_point();
      panic(w);
    });
  }
  int seen = 0;
  for (int w = 0; w < kWorkers; w++) {
    int v = reports.recv();
    scenario_check(v >= 0 && v < kWorkers, "panicking-workers: a recovered value is wrong");
    scenario_check((seen & (1 << v)) == 0, "panicking-workers: a panic was recovered twice");
    seen |= 1 << v;
  }
}

// A send on a closed channel is a runtime panic the sender recovers; the
// receiver still drains what was sent before the close.
void send_on_closed() {
  auto c = make_chan<int>(4);
  auto verdict = make_chan<std::string>(1);
  go([=](Frame& f) {
    f.defer([verdict] {
      PanicValue v = recover();
      verdict.send(v.is_runtime_error() ? v.to_string() : std::string("no runtime error"));
    });
    c.send(1);
    c.send(2);
    c.close();
    c.send(3);
  });
  scenario_check(verdict.recv() == "send on closed channel", "send-on-closed: wrong or no runtime panic");
  int sum = 0;
  for (;;) {
    auto [v, ok] = c.recv_ok();
    if (!ok) break;
    sum += v;
  }
  scenario_check(sum == 3, "send-on-closed: values sent before the close were lost");
}

// An unrecovered panic in a goroutine ends the whole run, as Go's process.
void unrecovered_panic() {
  auto c = make_chan<int>();
  go([] { panic("boom"); });
  c.recv();
}

}  // namespace

void add_panic_scenarios(std::vector<Scenario>& s) {
  constexpr size_t kStack = 64 * 1024;
  // These three recover whatever panics: injected panics would pass for theirs.
  s.push_back({"nested-defers",
               "defer panic recover",
               "three nested frames; innermost panics, middle recovers",
               nested_defers,
               {},
               kStack,
               kNoPanicFaults});
  s.push_back({"goexit-select-loop",
               "goexit select defer",
               "workers Goexit from a select loop on quit",
               goexit_select_loop,
               {}});
  s.push_back({"panicking-workers",
               "panic recover goroutines",
               "five goroutines each panic and recover their own",
               panicking_workers,
               {},
               kStack,
               kNoPanicFaults});
  s.push_back({"send-on-closed",
               "panic chan close",
               "a send on a closed channel panics; recovered",
               send_on_closed,
               {},
               kStack,
               kNoPanicFaults});
  s.push_back({"unrecovered-panic",
               "panic crash",
               "a goroutine's panic ends the run: panic: boom, exit 2",
               unrecovered_panic,
               {2, "", "boom"}});
}

}  // namespace gort::harness
