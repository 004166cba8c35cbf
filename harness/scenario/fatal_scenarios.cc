// Built-in scenarios that must end in one of the runtime's fatal errors,
// with Go's text: programs Go defines the end of (a nil go statement, main
// calling Goexit, a deadlock too crowded to print in full) and gort's own
// limits (a goroutine's closure too big for its stack, a select of more
// cases than Go allows).
#include <array>
#include <functional>
#include <vector>

#include "scenario/registry.h"
#include "scenario/scenario.h"

namespace gort::harness {
namespace {

// Go's `go f()` with f nil: fatal error "go of nil func value".
void go_nil_func() {
  auto c = make_chan<int>(1);
  go([c] { c.send(1); });
  c.recv();
  std::function<void()> nil_fn;
  go(nil_fn);
}

// main calls Goexit: the others finish, then Go's special deadlock.
void main_goexit() {
  auto c = make_chan<int>(2);
  for (int i = 0; i < 2; i++) {
    go([c, i] {
      yield_point();
      c.send(i);
    });
  }
  func([](Frame& f) {
    f.defer([] { yield_point(); });
    goexit();
  });
}

// A closure bigger than a quarter of the new goroutine's stack.
void closure_too_big() {
  go([big = std::array<char, 17 * 1024>{}] { (void)big[0]; });
}

// One case more than Go's limit (all nil channels: only the count matters).
// The cases live outside the run: a fatal error abandons main's frame, so
// a vector there would leak its 2 MB on every run.
void select_too_many() {
  static const std::vector<SelectCase> cases(kMaxSelectCases + 1, SelectCase{nullptr, 0, nullptr, nullptr, false});
  (void)select(cases.data(), cases.size());
}

// 1001 goroutines blocked for good, then main: a deadlock whose dump
// shows the first thousand and counts the rest, as Go's traceback does.
void deadlock_crowd() {
  auto c = make_chan<int>();
  for (int i = 0; i < 1001; i++) go([c] { c.recv(); });
  while (num_goroutine() < 1002) gosched();
  auto never = make_chan<int>();
  never.recv();
}

}  // namespace

void add_fatal_scenarios(std::vector<Scenario>& s) {
  s.push_back({"go-nil-func",
               "newproc nil fatal",
               "go of a nil function: fatal error: go of nil func value",
               go_nil_func,
               {2, "go of nil func value"}});
  s.push_back({"main-goexit",
               "goexit main fatal",
               "main calls Goexit; the others finish: no goroutines - deadlock",
               main_goexit,
               {2, "no goroutines (main called runtime.Goexit) - deadlock!"}});
  s.push_back({"closure-too-big",
               "newproc limit fatal",
               "a 17 KiB closure for a 64 KiB stack: fatal error",
               closure_too_big,
               {2, "newproc: function arguments too large for new goroutine"},
               64 * 1024});
  s.push_back({"select-too-many",
               "select limit fatal",
               "a select of 65537 cases: fatal error",
               select_too_many,
               {2, "select: too many cases (Go allows 65536)"},
               64 * 1024});
  s.push_back({"deadlock-crowd",
               "deadlock dump goroutines",
               "1001 blocked goroutines: deadlock, the dump cut at 1000",
               deadlock_crowd,
               {2, "all goroutines are asleep - deadlock!"},
               64 * 1024,
               kBusiestScenarioFaults});
}

}  // namespace gort::harness
