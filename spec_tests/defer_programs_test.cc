// Ports of Go 1.19's defer and recover test programs (test/defer.go,
// test/defernil.go, test/recover1.go), and the contracts of defer, panic,
// recover and Goexit that Go's tests leave implicit or that exist only
// because gort is C++: the runtime panics of chan.go as recovered values,
// destructors (RAII) under panic and Goexit, arguments taken at the defer
// statement, how panic values print, deferred calls near the end of a
// fixed-size stack, many goroutines panicking at once, the C++ exception
// state of goroutines switched out inside a catch block or an unwinding
// destructor, and a `catch (...)` that swallows gort's unwinding.
#include <gtest/gtest.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gort/gort.h"
#include "spec_defer.h"
#include "spec_run.h"

namespace {

using gort::Chan;
using gort::Frame;
using gort::make_chan;
using gort::PanicValue;
using spec::is;
using spec::require;
using spec::run_go_test;
using spec::show;
using spec::str;
using spec::T;

// crash_test.go's panicValue(fn): what a deferred call recovers from fn.
template <class F>
PanicValue panic_value(const F& fn) {
  PanicValue recovered;
  gort::func([&](Frame& f) {
    f.defer([&recovered] { recovered = gort::recover(); });
    fn();
  });
  return recovered;
}

// ---- test/defer.go ----------------------------------------------------------

void add_int(std::string* result, int i) { *result += std::to_string(i); }

// defer.go's addDotDotDot(v ...interface{}): fmt.Sprint of its arguments.
template <class... A>
void add_dot_dot_dot(std::string* result, const A&... v) {
  *result += str(v...);
}

// Ports test/defer.go: ten calls deferred in a loop run newest first, each
// with the loop variable's value at its defer statement (test1), also
// through a variadic function (test2).
TEST(GoTestDeferProgram, Defer) {
  spec::expect_ok([] {
    std::string result;
    // test1
    gort::func([&](Frame& f) {
      for (int i = 0; i < 10; i++) f.defer(add_int, &result, i);
    });
    require(result == "9876543210", str("test1: bad defer result (should be 9876543210): \"", result, "\""));
    // test2
    result.clear();
    gort::func([&](Frame& f) {
      for (int i = 0; i < 10; i++) f.defer(add_dot_dot_dot<int>, &result, i);
    });
    require(result == "9876543210", str("test2: bad defer result (should be 9876543210): \"", result, "\""));
  });
}

// ---- test/defernil.go ---------------------------------------------------------

// Ports test/defernil.go (issues 8047, 34926): deferring a nil func panics
// when the deferred call is due, not at the defer statement: the code
// after the defer statement runs, and the caller's deferred call recovers
// a non-nil value.
TEST(GoTestDeferProgram, Defernil) {
  run_go_test([](T& t) {
    int x = 0;
    gort::func([&](Frame& f) {
      f.defer([&] {
        PanicValue err = gort::recover();
        if (!err) t.fatal("did not panic");
        if (x != 1) t.fatal("FAIL: x != 1");
      });
      gort::func([&](Frame& g) {  // f()
        std::function<void()> nilf;
        g.defer(nilf);
        x = 1;
      });
      t.fatal("f returned normally");
    });
  });
}

// Go's text for the runtime error of calling a nil func (runtime.memoryError:
// an errorString, whose Error() has the "runtime error: " prefix).
constexpr std::string_view kNilDerefText = "runtime error: invalid memory address or nil pointer dereference";

// defernil.go's panic value, for each of gort's nil funcs: Go's `defer nilf()`
// panics with runtime.Error memoryError when due. Recovered, its Error() is
// kNilDerefText; unrecovered, it prints as "panic: " + kNilDerefText.
TEST(DeferContract, NilDeferredFuncPanicsWithGosRuntimeError) {
  enum { kStdFunction, kFunctionPointer, kFunctionPointerWithArgs };
  for (int how : {kStdFunction, kFunctionPointer, kFunctionPointerWithArgs}) {
    SCOPED_TRACE(how == kStdFunction ? "std::function" : how == kFunctionPointer ? "function pointer" : "with args");
    auto defer_nil = [how](Frame& g) {
      if (how == kStdFunction) {
        g.defer(std::function<void()>{});
      } else if (how == kFunctionPointer) {
        void (*nilf)() = nullptr;
        g.defer(nilf);
      } else {
        void (*nilf)(int) = nullptr;
        g.defer(nilf, 1);
      }
    };
    run_go_test([defer_nil](T& t) {
      PanicValue err;
      gort::func([&](Frame& f) {
        f.defer([&] { err = gort::recover(); });
        gort::func(defer_nil);
      });
      if (!err.is_runtime_error()) t.fatal(str("recovered ", show(err), ", want a runtime error"));
      if (err.error() == nullptr || err.error()->error() != kNilDerefText) {
        t.fatal(str("recovered error \"", show(err), "\", want \"", kNilDerefText, "\""));
      }
      if (err.to_string() != kNilDerefText) t.fatal(str("prints as \"", err.to_string(), "\""));
    });
    for (const spec::Run& run : spec::run_all([defer_nil] { gort::func(defer_nil); })) {
      EXPECT_EQ(run.result.exit_status, 2) << spec::describe(run);
      EXPECT_EQ(run.result.panic, kNilDerefText) << spec::describe(run);
      EXPECT_EQ(run.result.output.rfind(str("panic: ", kNilDerefText, "\n"), 0), 0u) << spec::describe(run);
    }
  }
}

// ---- test/recover1.go -----------------------------------------------------------

// recover1.go's mustNotRecover: called by a deferred call or a nested Go
// function, recover must get nil.
void must_not_recover(T* t) {
  PanicValue v = gort::recover();
  if (v) t->fatal(str("spurious recover ", show(v)));
}

// recover1.go's mustRecover(x): deferred, it recovers x; a sub-call (a Go
// function of its own) does not; a second recover gets nil.
void must_recover(T* t, int x) {
  gort::func([t] { must_not_recover(t); });  // because it's not a defer call
  PanicValue v = gort::recover();
  if (!v) {
    t->fatal(str("missing recover of ", x));
    return;
  }
  if (!is(v, x)) t->fatal(str("wrong value ", show(v), " ", x));
  // The value should be gone now regardless.
  v = gort::recover();
  if (v) t->fatal(str("recover didn't recover: ", show(v)));
}

// Ports test1 of test/recover1.go: easy nested recursive panic.
TEST(GoTestRecover1, Test1) {
  run_go_test([](T& t, Frame& f) {
    f.defer(must_recover, &t, 1);
    f.defer([&t](Frame& d) {
      d.defer(must_recover, &t, 2);
      gort::panic(2);
    });
    gort::panic(1);
  });
}

// Ports test2 of test/recover1.go: sequential panic.
TEST(GoTestRecover1, Test2) {
  run_go_test([](T& t, Frame& f) {
    f.defer(must_not_recover, &t);
    f.defer([&t](Frame& d) {
      PanicValue v = gort::recover();
      if (!is(v, 2)) t.fatal(str("wrong value ", show(v), " 2"));
      d.defer(must_recover, &t, 3);
      gort::panic(3);
    });
    gort::panic(2);
  });
}

// Ports test3 of test/recover1.go: sequential panic, like test2 but less picky.
TEST(GoTestRecover1, Test3) {
  run_go_test([](T& t, Frame& f) {
    f.defer(must_not_recover, &t);
    f.defer([&t](Frame& d) {
      (void)gort::recover();
      d.defer(must_recover, &t, 3);
      gort::panic(3);
    });
    gort::panic(2);
  });
}

// Ports test4 of test/recover1.go: single panic.
TEST(GoTestRecover1, Test4) {
  run_go_test([](T& t, Frame& f) {
    f.defer(must_not_recover, &t);
    f.defer([] { (void)gort::recover(); });
    gort::panic(4);
  });
}

// Ports test5 of test/recover1.go: single panic, recover called via
// `defer recover()` in the panic's deferred call: it runs at that call's
// normal return, as if the call itself called recover, and recovers.
TEST(GoTestRecover1, Test5) {
  run_go_test([](T& t, Frame& f) {
    f.defer(must_not_recover, &t);
    f.defer([](Frame& d) { d.defer(gort::recover); });
    gort::panic(5);
  });
}

// Ports test6 of test/recover1.go: like test3 with `defer recover()`: it
// runs once mustRecover has stopped panic 3, as a normal call of the
// deferred function, and recovers panic 2.
TEST(GoTestRecover1, Test6) {
  run_go_test([](T& t, Frame& f) {
    f.defer(must_not_recover, &t);
    f.defer([&t](Frame& d) {
      d.defer(gort::recover);  // like a normal call from this func; runs because mustRecover stops the panic
      d.defer(must_recover, &t, 3);
      gort::panic(3);
    });
    gort::panic(2);
  });
}

// Ports test7 of test/recover1.go: test6 with the defers swapped: the
// `defer recover()` is run by panic 3, not by its function, and is a no-op;
// mustRecover then stops 3 and the outer mustRecover stops 2.
TEST(GoTestRecover1, Test7) {
  run_go_test([](T& t, Frame& f) {
    f.defer(must_recover, &t, 2);
    f.defer([&t](Frame& d) {
      d.defer(must_recover, &t, 3);
      d.defer(gort::recover);  // now a no-op, unlike in test6
      gort::panic(3);
    });
    gort::panic(2);
  });
}

// Ports test2 of test/recover.go: `defer recover()` run by the panic
// itself is too early (recover is the deferred call, not called by one)
// and recovers nothing; the older deferred mustRecover then does.
TEST(GoTestRecover, Test2) {
  run_go_test([](T& t, Frame& f) {
    f.defer(must_recover, &t, 2);
    f.defer(gort::recover);  // should be no-op
    gort::panic(2);
  });
}

// The same `defer recover()` with nothing after it: the panic is not
// recovered and ends the run.
TEST(DeferContract, DeferredRecoverRunByThePanicLeavesItUnrecovered) {
  spec::expect_panic(
      [](Frame& main) {
        main.defer(gort::recover);
        gort::panic("x");
      },
      "x");
}

// ---- results, C++ exceptions, goroutines ------------------------------------

// frame.h: a gort::func whose panic a deferred call recovers returns R{}
// if its body had not returned (Go's zero result), and the body's result
// if it had (a deferred call panicked after the return statement).
TEST(DeferContract, FuncResultAfterARecoveredPanic) {
  run_go_test([](T& t) {
    int before_return = gort::func([](Frame& f) -> int {
      f.defer([] { (void)gort::recover(); });
      gort::panic(1);
    });
    if (before_return != 0) t.fatal(str("panic before return: result ", before_return, ", want 0"));
    int after_return = gort::func([](Frame& f) -> int {
      f.defer([] { (void)gort::recover(); });
      f.defer([] { gort::panic(2); });
      return 5;
    });
    if (after_return != 5) t.fatal(str("panic after return: result ", after_return, ", want 5"));
  });
}

// panic.h: a C++ exception leaving a Go function becomes a panic there,
// a CxxException carrying what(); deferred calls run and recover stops it.
TEST(DeferContract, CxxExceptionLeavingAGoFunctionIsARecoverablePanic) {
  run_go_test([](T& t) {
    std::vector<std::string> log;
    PanicValue v = panic_value([&] {
      gort::func([&](Frame& f) {
        f.defer([&log] { log.push_back("deferred"); });
        throw std::runtime_error("oops");
      });
    });
    if (v.get<gort::CxxException>() == nullptr) t.fatal(str("recovered ", show(v), ", not a CxxException"));
    if (v.error() == nullptr || v.error()->error() != "oops") t.fatal(str("recovered ", show(v), ", want oops"));
    if (log != std::vector<std::string>{"deferred"}) t.fatal("the throwing function's deferred call did not run once");
  });
}

// Go's printpanics and traceback: an unrecovered panic on a goroutine other
// than main prints that goroutine alone (its id, [running]), not main's.
TEST(DeferContract, UnrecoveredPanicPrintsOnlyThePanickingGoroutine) {
  for (const spec::Run& run : spec::run_all([] {
         auto never = make_chan<int>();
         gort::go([] { gort::func([] { gort::panic("in g"); }); });
         never.recv();
       })) {
    const std::string& out = run.result.output;
    EXPECT_EQ(run.result.exit_status, 2) << spec::describe(run);
    EXPECT_EQ(out.rfind("panic: in g\n\ngoroutine ", 0), 0u) << spec::describe(run);
    EXPECT_NE(out.find("[running]:\n"), std::string::npos) << spec::describe(run);
    EXPECT_EQ(out.find("goroutine 1 ["), std::string::npos) << spec::describe(run);
    size_t headers = 0;
    for (size_t at = out.find("\ngoroutine "); at != std::string::npos; at = out.find("\ngoroutine ", at + 1)) {
      headers++;
    }
    EXPECT_EQ(headers, 1u) << spec::describe(run);
  }
}

// ---- runtime panics are runtime.Errors ----------------------------------------

// A recovered runtime panic: a runtime.Error (gort::RuntimeError) whose
// Error() and printed form are Go's text.
std::string check_runtime_error(const PanicValue& v, std::string_view text) {
  if (!v) return str("nothing to recover, want \"", text, "\"");
  if (!v.is_runtime_error() || v.get<gort::RuntimeError>() == nullptr) {
    return str("recovered ", show(v), ", which is not a runtime.Error");
  }
  if (v.error() == nullptr || v.error()->error() != text) return str("Error() is not \"", text, "\"");
  if (v.to_string() != text) return str("prints as \"", v.to_string(), "\", want \"", text, "\"");
  return "";
}

// Ports TestRuntimePanicWithRuntimeError (src/runtime/crash_test.go, issue
// 14965), its channel cases: close of a closed channel, send on a closed
// channel, make with a negative size, close of the nil channel; each
// recovered value is a runtime.Error with Go's text. (Go's map, slice and
// nil-pointer cases have no gort counterpart.)
TEST(GoTestCrash, TestRuntimePanicWithRuntimeError) {
  run_go_test([](T& t) {
    struct Case {
      std::function<void()> fn;
      std::string_view text;
    };
    std::vector<Case> cases = {
        {[] {
           auto ch = make_chan<int>();
           ch.close();
           ch.close();
         },
         "close of closed channel"},
        {[] {
           auto ch = make_chan<int>();
           ch.close();
           ch.send(0);
         },
         "send on closed channel"},
        {[] {
           int64_t n = -1;
           (void)make_chan<bool>(n);
         },
         "makechan: size out of range"},
        {[] { Chan<bool>().close(); }, "close of nil channel"},
        // Buffered with room, and select's send case, panic the same way.
        {[] {
           auto ch = make_chan<int>(3);
           ch.close();
           ch.send(0);
         },
         "send on closed channel"},
        {[] {
           auto ch = make_chan<int>(1);
           ch.close();
           int v = 0;
           gort::select({gort::send_case(ch, v)});
         },
         "send on closed channel"},
    };
    for (size_t i = 0; i < cases.size(); i++) {
      std::string err = check_runtime_error(panic_value(cases[i].fn), cases[i].text);
      if (!err.empty()) t.fatal(str("test #", i, ": ", err));
    }
  });
}

// Go's closechan: a sender parked on the channel (plain send, or a select's
// send case) is woken by close and panics "send on closed channel" in its
// own goroutine, where a deferred call can recover it as a runtime.Error.
TEST(DeferContract, ParkedSenderRecoversSendOnClosedChannel) {
  run_go_test(
      [](T& t) {
        for (bool in_select : {false, true}) {
          auto c = make_chan<int>();
          auto result = make_chan<std::string>(1);
          uint64_t g = spec::go_id([c, result, in_select] {
            PanicValue v = panic_value([&] {
              if (in_select) {
                auto never = make_chan<int>();
                int x = 1;
                int y = 0;
                gort::select({gort::send_case(c, x), gort::recv_case(never, y)});
              } else {
                c.send(1);
              }
            });
            result.send(check_runtime_error(v, "send on closed channel"));
          });
          spec::wait_blocked(g, in_select ? "select" : "chan send");
          c.close();
          std::string err = result.recv();
          if (!err.empty()) t.fatal(str(in_select ? "select: " : "send: ", err));
        }
      },
      {.seeds = spec::kManySeeds});
}

// ---- RAII -----------------------------------------------------------------------

// Logs its destruction (once: a second destruction logs twice).
struct Tracked {
  std::vector<std::string>* log;
  const char* name;
  Tracked(std::vector<std::string>* l, const char* n) : log(l), name(n) {}
  Tracked(const Tracked&) = delete;
  Tracked& operator=(const Tracked&) = delete;
  ~Tracked() { log->push_back(str("~", name)); }
};

// Part of a Go function (plain C++, no frame of its own).
[[gnu::noinline]] void plain_helper(std::vector<std::string>* log) {
  Tracked b(log, "b");
  gort::func([log](Frame& c) {
    Tracked c1(log, "c1");
    Tracked c2(log, "c2");
    c.defer([log] { log->push_back("deferC"); });  // runs before c1, c2 go
    gort::panic("boom");
  });
  log->push_back("helper continued");
}

// The panic contract of panic.h: a panic runs the deferred calls first, on
// top of the panicking stack (every object still alive); only a recovery
// unwinds, destroying each object between the panic and the recovering
// frame exactly once, innermost first; nothing after the panic runs in
// those frames, nor in the recovering frame's body, which returns normally.
TEST(DeferContract, RecoveryDestroysObjectsBetweenPanicAndRecoveringFrameOnceInOrder) {
  spec::expect_ok([] {
    std::vector<std::string> log;
    gort::func([&log](Frame& r) {
      r.defer([&log] { log.push_back(str("recover ", show(gort::recover()))); });
      gort::func([&log](Frame& a) {
        Tracked ta(&log, "a");
        a.defer([&log] { log.push_back("deferA"); });
        plain_helper(&log);
        log.push_back("a continued");
      });
      log.push_back("r continued");
    });
    log.push_back("returned");
    std::vector<std::string> want = {"deferC", "deferA", "recover boom", "~c2", "~c1", "~b", "~a", "returned"};
    std::string got;
    for (const std::string& s : log) got += s + ",";
    require(log == want, str("log: ", got));
  });
}

// The same for Goexit (panic.h): its deferred calls run first, then the
// goroutine's frames unwind, each object destroyed once, innermost first.
TEST(DeferContract, GoexitDestroysEveryObjectOnceInOrder) {
  spec::expect_ok(
      [] {
        std::vector<std::string> log;
        auto done = make_chan<int>();
        gort::go([&log, done](Frame& g) {
          Tracked outer(&log, "outer");
          g.defer([&log, done] {
            log.push_back("deferG");
            done.send(1);
          });
          gort::func([&log](Frame& f) {
            Tracked inner(&log, "inner");
            f.defer([&log] { log.push_back(str("deferF recover=", show(gort::recover()))); });
            gort::goexit();
          });
          log.push_back("continued");
        });
        done.recv();
        spec::wait_only_main();
        std::vector<std::string> want = {"deferF recover=<nil>", "deferG", "~inner", "~outer"};
        std::string got;
        for (const std::string& s : log) got += s + ",";
        require(log == want, str("log: ", got));
      },
      {.seeds = spec::kManySeeds});
}

// ---- arguments at the defer statement -------------------------------------------

void record_int(std::vector<std::string>* log, int v) { log->push_back(str("int ", v)); }
void record_str(std::vector<std::string>* log, std::string s) { log->push_back("str " + s); }

// Go's spec: "the function value and parameters to the call are evaluated
// as usual and saved anew but the actual function is not invoked" until
// the surrounding function returns. Arguments are copies taken at the
// defer statement (later changes do not reach them), each evaluated once;
// the function value too; a closure sees its variables as they are when
// it runs.
TEST(DeferContract, ArgumentsAndFunctionValueAreEvaluatedAtTheDeferStatement) {
  run_go_test([](T& t) {
    std::vector<std::string> log;
    int x = 1;
    std::string s = "before";
    int evaluations = 0;
    std::function<void(int)> fn = [&log](int v) { log.push_back(str("fn A ", v)); };
    std::function<void()> thunk = [&log] { log.push_back("thunk A"); };
    gort::func([&](Frame& f) {
      f.defer(record_int, &log, x);
      f.defer(record_str, &log, s);
      f.defer([&log, &x] { log.push_back(str("closure ", x)); });
      f.defer(fn, 7);
      f.defer(thunk);
      f.defer(record_int, &log, [&] { return ++evaluations * 10; }());
      if (evaluations != 1) t.fatal(str("argument evaluated ", evaluations, " times at the defer statement"));
      x = 2;
      s = "after";
      fn = [&log](int v) { log.push_back(str("fn B ", v)); };
      thunk = [&log] { log.push_back("thunk B"); };
    });
    if (evaluations != 1) t.fatal(str("argument evaluated ", evaluations, " times in all"));
    // Newest first.
    std::vector<std::string> want = {"int 10", "thunk A", "fn A 7", "closure 2", "str before", "int 1"};
    if (log != want) {
      std::string got;
      for (const std::string& e : log) got += e + ",";
      t.fatal(str("log: ", got));
    }
  });
}

// ---- how panic values print -----------------------------------------------------

// A panic value of a type implementing Go's error.
struct ConfigError : gort::Error {
  int code;
  explicit ConfigError(int c) : code(c) {}
  std::string error() const override { return str("config error: code ", code); }
};

// Go's printpanicval, in the crash output of an unrecovered panic: an
// error prints as its Error(), a float64 as print() does (sign, 7 digits,
// 3-digit exponent), an int in decimal; then the panicking goroutine's
// header. (Go: panic(err) prints "panic: " + err.Error().)
TEST(DeferContract, UnrecoveredPanicValuesPrintAsGoPrintsThem) {
  struct Case {
    std::function<void()> raise;
    std::string text;
  };
  std::vector<Case> cases = {
      {[] { gort::panic(ConfigError(42)); }, "config error: code 42"},
      {[] { gort::panic(1.5); }, "+1.500000e+000"},
      {[] { gort::panic(-0.001); }, "-1.000000e-003"},
      {[] { gort::panic(1e100); }, "+1.000000e+100"},
      {[] { gort::panic(0.0); }, "+0.000000e+000"},
      {[] { gort::panic(-7); }, "-7"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    for (const spec::Run& run : spec::run_all([raise = c.raise] { gort::func(raise); })) {
      EXPECT_EQ(run.result.exit_status, 2) << spec::describe(run);
      EXPECT_EQ(run.result.panic, c.text) << spec::describe(run);
      EXPECT_EQ(run.result.output.rfind(str("panic: ", c.text, "\n\ngoroutine 1 [running]:\n"), 0), 0u)
          << spec::describe(run);
    }
  }
  // Recovered and re-panicked by a deferred call: [recovered], then the new one.
  for (const spec::Run& run : spec::run_all([](Frame& main) {
         main.defer([] {
           double half = 0;
           {  // (nothing of the run's may stay alive on a stack the panic abandons)
             PanicValue v = gort::recover();
             const ConfigError* e = v.get<ConfigError>();
             half = e != nullptr ? e->code * 0.5 : 0.0;
           }
           gort::panic(half);
         });
         gort::panic(ConfigError(3));
       })) {
    EXPECT_EQ(run.result.output.rfind("panic: config error: code 3 [recovered]\n\tpanic: +1.500000e+000\n\n", 0), 0u)
        << spec::describe(run);
  }
}

// ---- deferred calls near the end of the stack -------------------------------

constexpr size_t kStackSize = 64 * 1024;
constexpr uintptr_t kDeep = 40 * 1024;  // stack used before the panic

uintptr_t stack_here() { return reinterpret_cast<uintptr_t>(__builtin_frame_address(0)); }

// Recurses (plain C++ frames with some locals) until about kDeep bytes of
// stack below top are in use, then calls at_bottom.
template <class F>
[[gnu::noinline]] int descend(uintptr_t top, const F& at_bottom) {
  volatile char pad[256];
  pad[0] = 1;
  if (top - stack_here() < kDeep) return descend(top, at_bottom) + pad[0];
  at_bottom();
  return pad[0];
}

// panic.h: the deferred calls run on top of the panicking stack. With 40K
// of a 64K goroutine stack in use, a Go function in the deepest frame
// defers, panics and recovers (twice, on main and on another goroutine):
// the runtime's own frames for panic and recovery fit in what is left.
TEST(DeferContract, DeferPanicRecoverNearTheEndOfTheStack) {
  run_go_test(
      [](T& t) {
        auto deep_recover = [&t](const char* who) {
          uintptr_t top = stack_here();
          int recovered = 0;
          descend(top, [&] {
            gort::func([&](Frame& f) {
              f.defer([&] { recovered += spec::is(gort::recover(), "deep") ? 1 : 0; });
              gort::panic("deep");
            });
            gort::func([&](Frame& f) {
              f.defer([&] { recovered += spec::is(gort::recover(), 7) ? 1 : 0; });
              f.defer([] { gort::panic(7); });
            });
          });
          if (recovered != 2) t.fatal(str(who, ": recovered ", recovered, " of 2 panics at the bottom of the stack"));
        };
        deep_recover("main");
        auto done = make_chan<int>();
        gort::go([&deep_recover, done] {
          deep_recover("goroutine");
          done.send(1);
        });
        done.recv();
      },
      {.stack_size = kStackSize});
}

// Nests Go functions, each deferring, until about kDeep bytes are in use;
// the deepest panics. Every deferred call runs once, deepest first, on
// top of the deepest frame, and the outermost frame recovers.
TEST(DeferContract, NestedFramesEachDeferringNearTheEndOfTheStack) {
  run_go_test(
      [](T& t) {
        std::vector<int> order;
        order.reserve(4096);
        int deepest = -1;
        uintptr_t top = stack_here();
        std::function<void(int)> nest = [&](int depth) {
          gort::func([&, depth](Frame& f) {
            f.defer([&order, depth] { order.push_back(depth); });
            if (top - stack_here() < kDeep) {
              nest(depth + 1);
            } else {
              deepest = depth;
              gort::panic("deepest");
            }
          });
        };
        PanicValue v = panic_value([&] { nest(0); });
        if (!spec::is(v, "deepest")) t.fatal(str("the outermost frame recovered ", show(v)));
        if (deepest < 8) t.fatal(str("only ", deepest + 1, " frames fit before the panic"));
        bool in_order = static_cast<int>(order.size()) == deepest + 1;
        for (size_t i = 0; in_order && i < order.size(); i++) in_order = order[i] == deepest - static_cast<int>(i);
        if (!in_order) t.fatal(str(order.size(), " deferred calls ran, not ", deepest + 1, " deepest first"));
      },
      {.stack_size = kStackSize});
}

// ---- many goroutines ------------------------------------------------------------

// A goroutine whose function returns normally runs its deferred calls,
// newest first, before it ends (Go's deferreturn at a goroutine's end; no
// Go test pins it alone). Each goroutine reports through its deferred
// calls only: one that skipped them would leave main blocked, a deadlock.
TEST(DeferContract, GoroutineReturningNormallyRunsItsDeferredCalls) {
  spec::expect_ok([] {
    constexpr int kGoroutines = 8;
    auto reports = gort::make_chan<int>(2 * kGoroutines);
    for (int g = 0; g < kGoroutines; g++) {
      gort::go([reports, g](gort::Frame& f) {
        f.defer([reports, g] { reports.send(2 * g + 1); });  // runs second
        f.defer([reports, g] { reports.send(2 * g); });      // runs first
        gort::yield_point();
      });
    }
    std::vector<int> next(kGoroutines, 0);
    for (int i = 0; i < 2 * kGoroutines; i++) {
      int v = reports.recv();
      int g = v / 2;
      spec::require(v % 2 == next[g], spec::str("goroutine ", g, "'s deferred calls ran out of order"));
      next[g]++;
    }
  });
}

// 10,000 goroutines each panic with their own value; each one's deferred
// call recovers exactly that value and reports on a channel (parking, in
// a deferred call a panic runs, whenever main is not ready). Nothing is
// left behind (the asan build checks for leaks).
TEST(DeferContract, TenThousandGoroutinesEachPanicAndRecover) {
  spec::expect_ok(
      [] {
        constexpr int kN = 10000;
        auto results = make_chan<int>();
        for (int i = 0; i < kN; i++) {
          gort::go([i, results](Frame& f) {
            f.defer([i, results] { results.send(spec::is(gort::recover(), i) ? 1 : 0); });
            if (i % 2 == 0) gort::gosched();
            gort::panic(i);
          });
        }
        int ok = 0;
        for (int i = 0; i < kN; i++) ok += results.recv();
        require(ok == kN, str(kN - ok, " goroutines did not recover their own panic"));
        spec::wait_only_main();
      },
      {.seeds = 2});
}

// ---- C++ exception state across goroutine switches --------------------------

// What the current exception is, as seen from here.
std::string current_what() {
  std::exception_ptr e = std::current_exception();
  if (!e) return "none";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown";
  }
}

// Parks in its destructor, which runs during the unwinding of an exception.
struct ParksWhileUnwinding {
  T* t;
  Chan<int> parked;
  Chan<int> resume;
  ~ParksWhileUnwinding() {
    if (std::uncaught_exceptions() != 1)
      t->fatal(str("before parking: uncaught_exceptions ", std::uncaught_exceptions()));
    parked.send(1);
    resume.recv();
    if (std::uncaught_exceptions() != 1)
      t->fatal(str("after parking: uncaught_exceptions ", std::uncaught_exceptions()));
  }
};

// The C++ runtime keeps the exceptions being handled and the count of
// uncaught ones per thread; a goroutine may park inside a catch block or
// in a destructor run by unwinding, and others may throw and catch on the
// same thread meanwhile -- and leave their catch blocks out of order. Each
// goroutine must see its own state when it resumes: main and G1 park in
// catch blocks, G3 in an unwinding destructor, G2 throws and catches (and
// parks in a catch block too); they then leave in the order G1, G3, G2,
// main, none of them the innermost.
TEST(DeferContract, ExceptionStateFollowsEachGoroutineAcrossSwitches) {
  run_go_test(
      [](T& t) {
        auto parked = make_chan<int>();
        auto resume1 = make_chan<int>(), resume2 = make_chan<int>(), resume3 = make_chan<int>();
        auto done = make_chan<int>();
        try {
          throw std::out_of_range("main");
        } catch (const std::out_of_range& main_e) {
          gort::go([&t, parked, resume1, done] {
            try {
              throw std::runtime_error("g1");
            } catch (const std::runtime_error& e) {
              parked.send(1);
              resume1.recv();
              if (std::string(e.what()) != "g1") t.fatal(str("G1 catch: e is ", e.what()));
              if (current_what() != "g1") t.fatal(str("G1 catch: current exception is ", current_what()));
              if (std::uncaught_exceptions() != 0) t.fatal("G1 catch: an uncaught exception");
              try {
                throw;
              } catch (const std::runtime_error& again) {
                if (std::string(again.what()) != "g1") t.fatal(str("G1 rethrew ", again.what()));
              }
            }
            if (current_what() != "none") t.fatal(str("G1 after catch: current exception is ", current_what()));
            done.send(1);
          });
          parked.recv();
          gort::go([&t, parked, resume3, done] {
            try {
              ParksWhileUnwinding p{&t, parked, resume3};
              throw std::length_error("g3");
            } catch (const std::length_error& e) {
              if (std::string(e.what()) != "g3") t.fatal(str("G3 caught ", e.what()));
              if (current_what() != "g3") t.fatal(str("G3 catch: current exception is ", current_what()));
            }
            if (std::uncaught_exceptions() != 0) t.fatal("G3 after catch: an uncaught exception");
            done.send(3);
          });
          parked.recv();
          gort::go([&t, parked, resume2, done] {
            try {
              throw std::logic_error("g2");
            } catch (const std::logic_error& e) {
              try {
                throw 5;
              } catch (int) {
                if (current_what() != "unknown") t.fatal(str("G2 inner catch: current exception is ", current_what()));
              }
              if (current_what() != "g2") t.fatal(str("G2 catch: current exception is ", current_what()));
              parked.send(1);
              resume2.recv();
              if (current_what() != "g2") t.fatal(str("G2 catch, resumed: current exception is ", current_what()));
              if (std::string(e.what()) != "g2") t.fatal(str("G2 catch: e is ", e.what()));
            }
            if (current_what() != "none") t.fatal(str("G2 after catch: current exception is ", current_what()));
            done.send(2);
          });
          parked.recv();
          resume1.send(1);
          if (done.recv() != 1) t.fatal("G1 did not finish first");
          resume3.send(1);
          if (done.recv() != 3) t.fatal("G3 did not finish second");
          resume2.send(1);
          if (done.recv() != 2) t.fatal("G2 did not finish third");
          if (std::string(main_e.what()) != "main") t.fatal(str("main catch: e is ", main_e.what()));
          if (current_what() != "main") t.fatal(str("main catch: current exception is ", current_what()));
          if (std::uncaught_exceptions() != 0) t.fatal("main catch: an uncaught exception");
        }
        if (current_what() != "none") t.fatal(str("main after catch: current exception is ", current_what()));
      },
      {.seeds = spec::kManySeeds});
}

// ---- catch (...) and gort's unwinding -------------------------------------------

// panic.h: a recovery and Goexit unwind with a gort-internal exception; a
// user `catch (...)` that swallows it is a fatal error naming the problem
// (not a silently lost recovery or Goexit).
TEST(DeferContract, CatchAllSwallowingTheUnwindingIsAFatalError) {
  auto swallow_recovery = [] {
    gort::func([](Frame& f) {
      f.defer([] { (void)gort::recover(); });
      try {
        gort::func([] { gort::panic("boom"); });
      } catch (...) {
        // swallowed
      }
    });
    gort::select({});
  };
  auto swallow_goexit = [] {
    gort::go([] {
      try {
        gort::goexit();
      } catch (...) {
        // swallowed
      }
    });
    gort::select({});
  };
  for (int which = 0; which < 2; which++) {
    SCOPED_TRACE(which == 0 ? "recovery" : "Goexit");
    std::vector<spec::Run> runs = which == 0 ? spec::run_all(swallow_recovery) : spec::run_all(swallow_goexit);
    for (const spec::Run& run : runs) {
      EXPECT_EQ(run.result.exit_status, 2) << spec::describe(run);
      EXPECT_NE(run.result.fatal_error.find("catch (...)"), std::string::npos) << spec::describe(run);
      EXPECT_NE(run.result.output.find("fatal error: "), std::string::npos) << spec::describe(run);
      EXPECT_NE(run.result.output.find("catch (...)"), std::string::npos) << spec::describe(run);
    }
  }
}

// A `catch (...)` that rethrows lets the recovery and Goexit through: the
// objects in its scope are destroyed and everything else goes as if it
// were not there.
TEST(DeferContract, CatchAllThatRethrowsLetsTheUnwindingThrough) {
  run_go_test([](T& t) {
    int caught = 0;
    PanicValue v = panic_value([&] {
      try {
        gort::func([] { gort::panic("boom"); });
      } catch (...) {
        caught++;
        throw;
      }
      t.fatal("the try block went on after the panic");
    });
    if (!spec::is(v, "boom")) t.fatal(str("recovered ", show(v)));
    if (caught != 1) t.fatal(str("the catch (...) ran ", caught, " times"));
    auto done = make_chan<int>();
    gort::go([&, done](Frame& g) {
      g.defer([done] { done.send(1); });
      try {
        gort::goexit();
      } catch (...) {
        caught++;
        throw;
      }
      t.fatal("Goexit returned");
    });
    done.recv();
    spec::wait_only_main();
    if (caught != 2) t.fatal(str("the Goexit's catch (...) ran ", caught - 1, " times"));
  });
}

}  // namespace
