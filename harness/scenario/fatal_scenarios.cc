// Built-in scenarios that must end in one of the runtime's fatal errors,
// with Go's text: programs Go defines the end of (a nil go statement, main
// calling Goexit, a deadlock too crowded to print in full) and gort's own
// limits (a goroutine's closure too big for its stack, a select of more
// cases than Go allows), a fault during a run, and a panic while printing
// a panic.
#include <sys/mman.h>

#include <array>
#include <cstdint>
#include <cstdio>
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

// A goroutine writes through a pointer no mapping backs (address 8: a
// field of a nil struct pointer): Go's "unexpected signal during runtime
// execution" with its [signal SIGSEGV ...] line, never a crash of gort.
// The address comes from memory, so the compiler cannot see the null.
volatile uintptr_t nil_struct_field = 8;
void nil_write() {
  auto c = make_chan<int>();
  go([c] {
    c.send(1);
    *reinterpret_cast<volatile int*>(nil_struct_field) = 1;
  });
  c.recv();
  c.recv();  // never: the write ends the run
}

// A goroutine writes to a shared mapping past the end of its (empty)
// file: SIGBUS, Go's "unexpected signal" with its [signal SIGBUS: bus
// error ...] line. The mapping outlives the run (the run's end abandons
// the goroutine's frame): one page, made once per process.
void bus_error() {
  static FILE* file = tmpfile();  // kept: the mapping needs it, and so does the leak check
  static void* page = [] {
    void* p = file != nullptr ? mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fileno(file), 0) : MAP_FAILED;
    return p == MAP_FAILED ? nullptr : p;
  }();
  scenario_check(page != nullptr, "bus-error: no file mapping to fault on");
  auto c = make_chan<int>();
  go([c] {
    c.send(1);
    *static_cast<volatile int*>(page) = 1;
  });
  c.recv();
  c.recv();  // never: the write ends the run
}

// An error whose Error() itself panics, as the run's unrecovered panic:
// Go's preprintpanics makes it "panic while printing panic value", once.
struct PanickingError final : Error {
  std::string error() const override { panic("important error message"); }
};
void panic_while_printing() {
  auto done = make_chan<int>();
  go([done] { done.send(1); });
  done.recv();
  panic(PanickingError{});
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
  s.push_back({"nil-write",
               "signal fatal",
               "a write through a nil struct pointer: unexpected signal during runtime execution",
               nil_write,
               {2, "unexpected signal during runtime execution"}});
  s.push_back({"bus-error",
               "signal fatal",
               "a write past the end of a mapped file: unexpected signal during runtime execution",
               bus_error,
               {2, "unexpected signal during runtime execution"}});
  s.push_back({"panic-while-printing",
               "panic error fatal",
               "an unrecovered error whose Error() panics: panic while printing panic value",
               panic_while_printing,
               {2, "panic while printing panic value: important error message"}});
  s.push_back({"deadlock-crowd",
               "deadlock dump goroutines",
               "1001 blocked goroutines: deadlock, the dump cut at 1000",
               deadlock_crowd,
               {2, "all goroutines are asleep - deadlock!"},
               64 * 1024,
               kBusiestScenarioFaults});
}

}  // namespace gort::harness
