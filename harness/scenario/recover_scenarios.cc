// Built-in scenarios over recover and panic in every position Go defines:
// outside a panic, in a deferred call run by a normal return, in a nested
// function, twice, as `defer recover()`, across a panic that replaces
// another, with panic(nil), during Goexit (and a panic recovered inside a
// Goexit's deferred calls, after which the Goexit goes on); panic values
// of every kind, the runtime's own errors, C++ exceptions, and the nil
// deferred function. Go's rules: recover returns non-nil and stops the
// panic only when called directly by a deferred call that the panic runs.
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenario/registry.h"
#include "scenario/scenario.h"

namespace gort::harness {
namespace {

// Injected panics only where no recover of these scenarios is a bare
// `defer recover()` (which cannot tell an injected panic from its own):
// at channel operations and wake-ups, never inside deferred calls.
constexpr const char* kRecoverScenarioFaults =
    "panic-before-chan-op:p=0.001,panic-after-chan-op:p=0.001,panic-after-wakeup:p=0.001,spurious-wakeup:p=0.1";

// recover(), with injected panics passed on.
PanicValue recover_own() {
  PanicValue v = recover();
  repanic_injected(v);
  return v;
}

void recover_positions() {
  // Outside any panic: nil.
  scenario_check(!recover(), "recover-positions: recover outside a panic returned a value");
  // In a deferred call run by a normal return: nil.
  bool nil_on_return = false;
  func([&](Frame& f) { f.defer([&nil_on_return] { nil_on_return = !recover(); }); });
  scenario_check(nil_on_return, "recover-positions: recover during a normal return returned a value");
  // Called from a nested function of the deferred call: nil, and the panic
  // goes on to the next deferred call, which recovers it directly.
  std::string nested = "unset", direct;
  func([&](Frame& f) {
    f.defer([&direct] { direct = recover_own().to_string(); });
    f.defer([&nested] { nested = func([] { return recover().to_string(); }); });
    panic("p1");
  });
  scenario_check(nested == "nil" && direct == "p1", "recover-positions: a nested recover stopped the panic");
  // Twice in one deferred call: the second gets nil.
  std::string first, second;
  func([&](Frame& f) {
    f.defer([&first, &second] {
      first = recover_own().to_string();
      second = recover().to_string();
    });
    panic("p2");
  });
  scenario_check(first == "p2" && second == "nil", "recover-positions: the second recover saw the panic");
  // `defer recover()` in the panicking function itself does nothing: the
  // panic reaches the caller's deferred call.
  std::string outer;
  func([&](Frame& f) {
    f.defer([&outer] { outer = recover_own().to_string(); });
    func([](Frame& g) {
      g.defer(recover);
      panic("p3");
    });
    outer = "not reached";
  });
  scenario_check(outer == "p3", "recover-positions: defer recover() in the panicking frame stopped it");
  // `defer recover()` inside a deferred call the panic runs: it stops the
  // panic when that deferred call ends, and the function returns normally.
  // (Had it not, the run would end in panic p4.)
  func([&](Frame& f) {
    f.defer([](Frame& d) { d.defer(recover); });
    panic("p4");
  });
  // A panic in a deferred call replaces the one running it: recover gets
  // the newer; the older is gone.
  std::string replaced;
  func([&](Frame& f) {
    f.defer([&replaced] { replaced = recover_own().to_string(); });
    f.defer([] { panic("second"); });
    panic("first");
  });
  scenario_check(replaced == "second", "recover-positions: recover did not get the newest panic");
  // panic(nil): recover returns nil (Go 1.19), yet the panic stops.
  bool nil_value = false;
  func([&](Frame& f) {
    f.defer([&nil_value] { nil_value = !recover(); });
    panic(nullptr);
  });
  scenario_check(nil_value, "recover-positions: recover of panic(nil) returned a value");
  // A recovered function returns its zero result.
  int r = func([](Frame& f) -> int {
    f.defer([] { (void)recover_own(); });
    panic(5);
    return 1;
  });
  scenario_check(r == 0, "recover-positions: a recovered function did not return its zero value");
}

// Goexit runs every deferred call; recover inside them returns nil; a
// panic raised by one of them and recovered by an older one does not stop
// the Goexit: the goroutine still ends, its remaining calls still run.
// (The goroutines log to a string main owns, not over channels: a fault
// injected at a channel operation inside these deferred calls would turn
// into a panic that the recovering call stops along with its own.)
void goexit_recover() {
  std::string log;
  std::string* out = &log;
  go([out](Frame& f) {
    f.defer([out] { *out += "exited;"; });
    f.defer([out] { *out += "recovered " + recover_own().to_string() + ";"; });
    f.defer([] { panic("in goexit"); });
    f.defer([out] { *out += recover() ? "goexit recovered;" : "nil during goexit;"; });
    goexit();
  });
  while (num_goroutine() > 1) gosched();
  scenario_check(log == "nil during goexit;recovered in goexit;exited;",
                 "goexit-recover: Goexit's deferred calls ran wrongly or out of order");
  log.clear();
  go([out](Frame& f) {
    f.defer([out] { *out += recover() ? "goexit recovered;" : "plain goexit;"; });
    func([](Frame& g) {
      g.defer([] { (void)recover(); });  // nil: Goexit is not a panic
      goexit();
    });
    *out += "goexit returned;";
  });
  while (num_goroutine() > 1) gosched();
  scenario_check(log == "plain goexit;", "goexit-recover: Goexit from a nested function");
}

struct Point {
  int x = 0, y = 0;
};
class Oops : public Error {
 public:
  std::string error() const override { return "oops error"; }
};
struct NotStd {};

// The value a panic carries, for every kind: what recover returns and how
// Go would print it.
template <class F>
PanicValue caught(F&& body) {
  PanicValue got;
  func([&](Frame& f) {
    f.defer([&got] { got = recover_own(); });
    body();
  });
  return got;
}

void print_int(int* out, int v) { *out = v; }

void panic_values() {
  PanicValue v = caught([] { panic(42); });
  scenario_check(v.get<int>() != nullptr && *v.get<int>() == 42 && v.to_string() == "42", "panic-values: int");
  v = caught([] { panic(true); });
  scenario_check(v.to_string() == "true", "panic-values: bool");
  v = caught([] { panic(false); });
  scenario_check(v.to_string() == "false", "panic-values: bool");
  // Floats as Go's print writes them (go run: println of each).
  const struct {
    double v;
    const char* go;
  } floats[] = {{1.5, "+1.500000e+000"},
                {std::numeric_limits<double>::quiet_NaN(), "NaN"},
                {std::numeric_limits<double>::infinity(), "+Inf"},
                {-std::numeric_limits<double>::infinity(), "-Inf"},
                {0.0, "+0.000000e+000"},
                {-0.0, "-0.000000e+000"},
                {-2.5, "-2.500000e+000"},
                {1e-7, "+1.000000e-007"},
                {123456.0, "+1.234560e+005"},
                {9.9999999999, "+1.000000e+001"},
                {1e300, "+1.000000e+300"}};
  for (const auto& f : floats) {
    const double value = f.v;
    v = caught([value] { panic(value); });
    scenario_check(v.to_string() == f.go, "panic-values: a float printed otherwise than Go prints it");
  }
  scenario_check(PanicValue().error() == nullptr && PanicValue().to_string() == "nil", "panic-values: the nil value");
  v = caught([] { panic(std::string("str")); });
  scenario_check(v.get<std::string>() != nullptr && v.to_string() == "str", "panic-values: string");
  v = caught([] { panic("lit"); });
  scenario_check(v.get<std::string>() != nullptr && v.to_string() == "lit", "panic-values: literal as string");
  v = caught([] { panic(Oops()); });
  scenario_check(v.error() != nullptr && v.to_string() == "oops error" && !v.is_runtime_error(), "panic-values: error");
  v = caught([] { panic(std::runtime_error("what")); });
  scenario_check(v.to_string() == "what" && v.error() == nullptr, "panic-values: std::exception value");
  v = caught([] { panic(Point{1, 2}); });
  scenario_check(v.get<Point>() != nullptr && v.get<Point>()->y == 2 && v.get<int>() == nullptr &&
                     v.to_string().find("Point") != std::string::npos,
                 "panic-values: struct");
  v = caught([] { panic(PanicValue(7)); });
  scenario_check(v.get<int>() != nullptr && *v.get<int>() == 7, "panic-values: a PanicValue re-panicked");
  // C++ exceptions leaving a Go function become panics.
  v = caught([] { throw std::logic_error("thrown"); });
  scenario_check(v.error() != nullptr && v.to_string() == "thrown", "panic-values: a std::exception thrown");
  v = caught([] { throw NotStd{}; });
  scenario_check(v.to_string() == "unknown C++ exception", "panic-values: a non-std exception thrown");
  // The runtime's own panics: runtime errors with Go's text.
  v = caught([] { Chan<int>().close(); });
  scenario_check(v.is_runtime_error() && v.to_string() == "close of nil channel", "panic-values: close of nil");
  v = caught([] {
    auto c = make_chan<int>();
    c.close();
    c.close();
  });
  scenario_check(v.is_runtime_error() && v.to_string() == "close of closed channel", "panic-values: double close");
  v = caught([] { (void)make_chan<int>(-1); });
  scenario_check(v.to_string() == "makechan: size out of range", "panic-values: negative size");
  v = caught([] { (void)make_chan<int64_t>(int64_t{1} << 61); });
  scenario_check(v.to_string() == "makechan: size out of range", "panic-values: size overflows");
  v = caught([] {
    auto c = make_chan<int>(1);
    c.close();
    c.send(1);
  });
  scenario_check(v.to_string() == "send on closed channel", "panic-values: send on closed");
  // A nil deferred function panics when its call is due.
  v = caught([] {
    func([](Frame& f) {
      std::function<void()> nil_fn;
      f.defer(nil_fn);
    });
  });
  scenario_check(
      v.is_runtime_error() && v.to_string() == "runtime error: invalid memory address or nil pointer dereference",
      "panic-values: nil deferred function");
  v = caught([] {
    func([](Frame& f) {
      void (*nil_fn)(int*, int) = nullptr;
      int x = 0;
      f.defer(nil_fn, &x, 1);
    });
  });
  scenario_check(v.is_runtime_error(), "panic-values: nil deferred function with arguments");
  // Deferred calls with arguments evaluated at the defer, named ones, and
  // goroutines started from function pointers, std::function and names.
  int arg = 0, ran = 0;
  func([&](Frame& f) {
    int n = 3;
    f.defer(print_int, &arg, n);
    n = 4;
    f.defer(named("main.deferred", [&ran] { ran++; }));
    scenario_check(std::string(f.name() == nullptr ? "func" : f.name()) == "func", "panic-values: an unnamed frame");
  });
  scenario_check(arg == 3 && ran == 1, "panic-values: deferred arguments were not evaluated at the defer");
  std::string frame_name = func(named("main.helper", [](Frame& f) { return std::string(f.name()); }));
  scenario_check(frame_name == "main.helper", "panic-values: a named function's frame lost its name");
  auto done = make_chan<int>(3);
  go(+[] { yield_point(); });  // a function pointer
  go(std::function<void()>([done] { done.send(1); }));
  go(named("main.worker", [done] { done.send(2); }));
  go(named("main.framed", [done](Frame& f) { f.defer([done] { done.send(4); }); }));
  scenario_check(done.recv() + done.recv() + done.recv() == 7, "panic-values: a goroutine did not run");
}

// A deferred call recovers and panics again: the run ends with the new
// panic, printed after the recovered one ("panic: first [recovered]").
void repanic() {
  func([](Frame& f) {
    f.defer([] {
      {
        // Gone before the new panic: the run ends in it, abandoning this
        // frame, and a value still held here would never be released.
        PanicValue v = recover_own();
        scenario_check(v.to_string() == "first", "repanic: wrong value recovered");
      }
      panic("second");
    });
    panic("first");
  });
}

// Go functions nested deeper than a traceback prints: the unrecovered
// panic's traceback is cut off after Go's 100 frames.
void deep_panic(int depth) {
  if (depth == 0) panic("deep");
  func([depth] { deep_panic(depth - 1); });
}

void deep_traceback() { deep_panic(120); }

}  // namespace

void add_recover_scenarios(std::vector<Scenario>& s) {
  s.push_back({"recover-positions",
               "recover defer panic",
               "recover in every position Go defines; only direct calls stop a panic",
               recover_positions,
               {},
               64 * 1024,
               kRecoverScenarioFaults});
  s.push_back({"goexit-recover",
               "goexit recover defer",
               "recover during Goexit is nil; a panic recovered there does not stop it",
               goexit_recover,
               {},
               64 * 1024,
               kRecoverScenarioFaults});
  s.push_back({"panic-values",
               "panic recover values runtime-error",
               "every kind of panic value, runtime errors, C++ exceptions, nil defers",
               panic_values,
               {},
               64 * 1024,
               kRecoverScenarioFaults});
  s.push_back({"repanic",
               "panic recover crash",
               "recover then panic again: panic: first [recovered], then second",
               repanic,
               {2, "", "second"}});
  s.push_back({"deep-traceback",
               "panic traceback crash",
               "a panic 120 Go functions deep: the traceback stops at 100",
               deep_traceback,
               {2, "", "deep"},
               256 * 1024});
}

}  // namespace gort::harness
