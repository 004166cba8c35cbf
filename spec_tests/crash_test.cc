// Ports of Go 1.19's src/runtime/crash_test.go tests of panic, recover,
// Goexit and deadlock, with their programs from
// src/runtime/testdata/testprog/deadlock.go. Go runs each program as a
// process and matches its combined output; here each program is one run,
// what it prints with fmt.Println / println is captured by the program
// (gort has no stdout), and the Go test's check is applied to that text
// followed by Result::output (what Go's process writes to stderr, which
// comes after it: the programs print before they crash). Go's process
// exits with status 2 after a panic or fatal error, which is checked too.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gort/gort.h"
#include "spec_defer.h"
#include "spec_run.h"

namespace {

using gort::Frame;
using gort::PanicValue;
using spec::show;
using spec::str;
using namespace std::chrono_literals;

// fmt.Println(v) / println(s) of a testprog program, into its captured output.
void println(std::string* out, const PanicValue& v) { *out += show(v) + "\n"; }
void println(std::string* out, std::string_view s) {
  *out += s;
  *out += "\n";
}

// runTestProg: runs prog(out) -- out is the program's stdout -- as main
// (main.main's frame is given), under every seed, and calls check(output,
// run) with the combined output.
template <class Prog, class Check>
void run_test_prog(const Prog& prog, Check check, spec::Options opt = {}) {
  std::string out;
  spec::for_each_run(
      [&out, prog](Frame& main_frame) {
        out.clear();
        prog(&out, main_frame);
      },
      opt, [&](const spec::Run& run) { check(out + run.result.output, run); });
}

bool has_prefix(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool contains(std::string_view s, std::string_view what) { return s.find(what) != std::string_view::npos; }

// The Go test's `strings.HasPrefix(output, want)`, and Go's exit status 2.
template <class Prog>
void expect_output_prefix(const Prog& prog, std::string_view want) {
  run_test_prog(prog, [want](const std::string& output, const spec::Run& run) {
    EXPECT_TRUE(has_prefix(output, want)) << "output does not start with \"" << want << "\"\n" << spec::describe(run);
    EXPECT_EQ(run.result.exit_status, 2) << spec::describe(run);
  });
}

// The Go test's `strings.Contains(output, want)`, and Go's exit status 2.
template <class Prog>
void expect_output_contains(const Prog& prog, std::string_view want) {
  run_test_prog(prog, [want](const std::string& output, const spec::Run& run) {
    EXPECT_TRUE(contains(output, want)) << "want output containing \"" << want << "\"\n" << spec::describe(run);
    EXPECT_EQ(run.result.exit_status, 2) << spec::describe(run);
  });
}

constexpr std::string_view kGoexitDeadlock = "no goroutines (main called runtime.Goexit) - deadlock!";

// Go's `err.(string)`: the recovered value as a string (a value of another
// type panics, as Go's type assertion does).
std::string as_string(const PanicValue& v) {
  const std::string* s = v.get<std::string>();
  if (s == nullptr) gort::panic(str("interface conversion: interface {} is not string: ", show(v)));
  return *s;
}

// ---- recursive panics -------------------------------------------------------

// Ports TestRecursivePanic (src/runtime/crash_test.go; testprog
// RecursivePanic): a deferred call recovers "bad" and panics "wrap: bad",
// which the caller's deferred call recovers and prints; main then panics.
TEST(GoTestCrash, TestRecursivePanic) {
  expect_output_prefix(
      [](std::string* out, Frame&) {
        gort::func([out](Frame& f) {
          f.defer([out] { println(out, gort::recover()); });
          std::array<char, 8192> x{};
          gort::func([x](Frame& g) {
            volatile char first = x[0];
            (void)first;
            g.defer([] {
              if (PanicValue err = gort::recover()) gort::panic("wrap: " + as_string(err));
            });
            gort::panic("bad");
          });
        });
        gort::panic("again");
      },
      "wrap: bad\npanic: again\n\n");
}

// Ports TestRecursivePanic2 (src/runtime/crash_test.go; testprog
// RecursivePanic2): the first recover and the second panic in separate
// deferred calls, run in order: recover first, then the panic.
TEST(GoTestCrash, TestRecursivePanic2) {
  expect_output_prefix(
      [](std::string* out, Frame&) {
        gort::func([out](Frame& f) {
          f.defer([out] { println(out, gort::recover()); });
          std::array<char, 8192> x{};
          gort::func([x, out](Frame& g) {
            volatile char first = x[0];
            (void)first;
            g.defer([] { gort::panic("second panic"); });
            g.defer([out] { println(out, gort::recover()); });
            gort::panic("first panic");
          });
        });
        gort::panic("third panic");
      },
      "first panic\nsecond panic\npanic: third panic\n\n");
}

// Ports TestRecursivePanic3 (src/runtime/crash_test.go; testprog
// RecursivePanic3): a second panic recovered inside the first panic's
// deferred call leaves the first panic to finish as a panic.
TEST(GoTestCrash, TestRecursivePanic3) {
  expect_output_prefix(
      [](std::string*, Frame& main) {
        main.defer([](Frame& d) {
          d.defer([] { (void)gort::recover(); });
          gort::panic("second panic");
        });
        gort::panic("first panic");
      },
      "panic: first panic\n\n");
}

// Ports TestRecursivePanic4 (src/runtime/crash_test.go; testprog
// RecursivePanic4): one deferred call recovers the first panic and starts
// a second, unrecovered one: the first still prints, as [recovered].
TEST(GoTestCrash, TestRecursivePanic4) {
  expect_output_prefix(
      [](std::string*, Frame& main) {
        main.defer([] {
          (void)gort::recover();
          gort::panic("second panic");
        });
        gort::panic("first panic");
      },
      "panic: first panic [recovered]\n\tpanic: second panic\n");
}

// Ports TestRecursivePanic5 (src/runtime/crash_test.go; testprog
// RecursivePanic5): in three(), a deferred call recovers and re-panics, the
// next one recovers that while another is still pending; three returns
// normally and main's own panic is the only one printed.
TEST(GoTestCrash, TestRecursivePanic5) {
  expect_output_prefix(
      [](std::string* out, Frame&) {
        gort::func(gort::named("main.one", [out] {
          gort::func(gort::named("main.two", [out](Frame& two) {
            two.defer([] {});
            gort::func(gort::named("main.three", [out](Frame& three) {
              three.defer([] {});
              three.defer([out] { println(out, gort::recover()); });
              three.defer([out] {
                println(out, gort::recover());
                gort::panic("second panic");
              });
              gort::panic("first panic");
            }));
          }));
        }));
        gort::panic("third panic");
      },
      "first panic\nsecond panic\npanic: third panic\n");
}

// ---- Goexit -----------------------------------------------------------------

// ---- printing a panic's value ---------------------------------------------

// testprog's exampleError and examplePanicError (crash.go) and panicError
// (deadlock.go): errors whose Error() itself panics.
struct ExampleError final : gort::Error {
  std::string error() const override { gort::panic("important error message"); }
};
struct ExamplePanicError final : gort::Error {
  std::string error() const override { gort::panic(ExampleError{}); }
};

// Ports TestPanicWhilePanicking (src/runtime/crash_test.go, issue 52257;
// testprog ErrorPanic, DoubleErrorPanic, StringPanic, NilPanic). Go's
// preprintpanics recovers the panic that left Error() and throws: no
// "panic:" line at all, the fatal error with the value if it is a string,
// else its type. (StringerPanic, DoubleStringerPanic and CircularPanic need
// fmt.Stringer and method values, which gort has no counterpart of.) The
// whole output is pinned, beyond Go's Contains check, with exit status 2.
TEST(GoTestCrash, TestPanicWhilePanicking) {
  run_test_prog([](std::string*, Frame&) { gort::panic(ExampleError{}); },
                [](const std::string& output, const spec::Run& run) {
                  EXPECT_TRUE(has_prefix(output,
                                         "fatal error: panic while printing panic value: important error message\n\n"
                                         "goroutine 1 [running]:\n"))
                      << spec::describe(run);
                  EXPECT_FALSE(contains(output, "panic: ")) << spec::describe(run);
                  EXPECT_EQ(run.result.fatal_error, "panic while printing panic value: important error message");
                  EXPECT_EQ(run.result.exit_status, 2);
                });
  run_test_prog([](std::string*, Frame&) { gort::panic(ExamplePanicError{}); },
                [](const std::string& output, const spec::Run& run) {
                  EXPECT_TRUE(has_prefix(output, "fatal error: panic while printing panic value: type "))
                      << spec::describe(run);
                  EXPECT_TRUE(contains(run.result.fatal_error, "ExampleError")) << spec::describe(run);
                  EXPECT_EQ(run.result.exit_status, 2);
                });
  expect_output_contains([](std::string*, Frame&) { gort::panic("important string message"); },
                         "important string message");
  expect_output_contains([](std::string*, Frame&) { gort::panic(nullptr); }, "nil");
}

// Ports TestPanicLoop (src/runtime/crash_test.go; testprog PanicLoop): an
// Error() that panics must not make the printing recurse (gort used to,
// until the stack overflowed).
TEST(GoTestCrash, TestPanicLoop) {
  struct PanicError final : gort::Error {
    std::string error() const override { gort::panic("double error"); }
  };
  expect_output_contains([](std::string*, Frame&) { gort::panic(PanicError{}); }, "panic while printing panic value");
}

// Go's preprintpanics calls each value's Error() once, before printing
// anything, newest panic first, and prints the text it got (Go pins this
// nowhere; gort called Error() twice for the panic that ended the run).
// Checked against go1.19 by hand: the side effect shows once, then the chain.
TEST(PanicPrinting, ErrorIsCalledOncePerPanicBeforeAnythingIsPrinted) {
  struct Counted final : gort::Error {
    std::string* out;
    const char* text;
    Counted(std::string* o, const char* t) : out(o), text(t) {}
    std::string error() const override {
      *out += str("Error called: ", text, "\n");
      return text;
    }
  };
  run_test_prog(
      [](std::string* out, Frame& main) {
        main.defer([out] { gort::panic(Counted(out, "second")); });
        gort::panic(Counted(out, "first"));
      },
      [](const std::string& output, const spec::Run& run) {
        EXPECT_TRUE(has_prefix(output,
                               "Error called: second\nError called: first\n"
                               "panic: first\n\tpanic: second\n\ngoroutine 1 [running]:\n"))
            << spec::describe(run);
        EXPECT_EQ(run.result.panic, "second");
        EXPECT_EQ(run.result.exit_status, 2);
      });
}

// A panic in an Error() called to print an older panic of the chain ends
// the run the same way, after the newer values were converted once.
TEST(PanicPrinting, APanicWhilePrintingAnOlderValueIsTheSameFatalError) {
  struct Counted final : gort::Error {
    std::string* out;
    explicit Counted(std::string* o) : out(o) {}
    std::string error() const override {
      *out += "Error called\n";
      return "counted";
    }
  };
  run_test_prog(
      [](std::string* out, Frame& main) {
        main.defer([out] { gort::panic(Counted(out)); });
        gort::panic(ExampleError{});
      },
      [](const std::string& output, const spec::Run& run) {
        EXPECT_TRUE(has_prefix(output,
                               "Error called\n"
                               "fatal error: panic while printing panic value: important error message\n\n"))
            << spec::describe(run);
        EXPECT_EQ(run.result.exit_status, 2);
      });
}

// An Error() that throws a C++ exception: as if it had become a panic
// there (a gort::CxxException), so the same fatal error, by type.
TEST(PanicPrinting, ACxxExceptionFromErrorIsAPanicWhilePrinting) {
  struct Throwing final : gort::Error {
    std::string error() const override { throw std::runtime_error("from error()"); }
  };
  run_test_prog(
      [](std::string*, Frame&) { gort::panic(Throwing{}); },
      [](const std::string& output, const spec::Run& run) {
        EXPECT_TRUE(has_prefix(output, "fatal error: panic while printing panic value: type gort::CxxException\n\n"))
            << spec::describe(run);
        EXPECT_EQ(run.result.exit_status, 2);
      });
}

// Ports TestGoexitDefer (src/runtime/crash_test.go): Goexit runs the
// goroutine's deferred calls, and recover in them returns nil; nothing
// after Goexit runs.
TEST(GoTestCrash, TestGoexitDefer) {
  spec::run_go_test(
      [](spec::T& t) {
        auto c = gort::make_chan<int>();
        gort::go([c, &t](Frame& f) {
          f.defer([c, &t] {
            if (gort::recover()) t.fatal("non-nil recover during Goexit");
            c.send(1);
          });
          gort::goexit();
          t.fatal("Goexit returned");
        });
        // If the deferred call fails to run, this deadlocks.
        c.recv();
      },
      {.seeds = spec::kManySeeds});
}

// Ports TestGoexitCrash (src/runtime/crash_test.go; testprog GoexitExit):
// main's Goexit while another goroutine sleeps: once it is done, nothing
// is left and the run fails. (Go's program also sets a finalizer and runs
// the GC, which gort does not have.)
TEST(GoTestCrash, TestGoexitCrash) {
  expect_output_contains(
      [](std::string* out, Frame&) {
        println(out, "t1");
        gort::go([] { gort::sleep(1ms); });
        println(out, "t2");
        println(out, "t3");
        println(out, "t4");
        gort::goexit();
      },
      kGoexitDeadlock);
}

// Ports TestGoexitDeadlock (src/runtime/crash_test.go; testprog
// GoexitDeadlock): main Goexits while two goroutines finish their loops
// (here yielding, so that main's Goexit comes while they still run).
TEST(GoTestCrash, TestGoexitDeadlock) {
  expect_output_contains(
      [](std::string*, Frame&) {
        auto f = [] {
          for (int i = 0; i < 10; i++) gort::gosched();
        };
        gort::go(f);
        gort::go(f);
        gort::goexit();
      },
      kGoexitDeadlock);
}

// Ports TestGoexitInPanic (src/runtime/crash_test.go; testprog
// GoexitInPanic, issue 8774): a deferred call Goexits during a panic: the
// goroutine ends without printing the panic, and main's Goexit leaves
// nothing: the fatal error is all the output.
TEST(GoTestCrash, TestGoexitInPanic) {
  expect_output_prefix(
      [](std::string*, Frame&) {
        gort::go([](Frame& f) {
          f.defer([] { gort::goexit(); });
          gort::panic("hello");
        });
        gort::goexit();
      },
      str("fatal error: ", kGoexitDeadlock));
}

// Ports TestPanicAfterGoexit (src/runtime/crash_test.go; testprog
// PanicAfterGoexit): an unrecovered panic in a deferred call run by
// Goexit still ends the process as a panic.
TEST(GoTestCrash, TestPanicAfterGoexit) {
  expect_output_prefix(
      [](std::string*, Frame& main) {
        main.defer([] { gort::panic("hello"); });
        gort::goexit();
      },
      "panic: hello");
}

// Ports TestRecoveredPanicAfterGoexit (src/runtime/crash_test.go; testprog
// RecoveredPanicAfterGoexit): a panic in a deferred call run by Goexit,
// recovered by that call's own deferred call: the Goexit goes on.
TEST(GoTestCrash, TestRecoveredPanicAfterGoexit) {
  expect_output_prefix(
      [](std::string*, Frame& main) {
        main.defer([](Frame& d) {
          d.defer([] {
            if (!gort::recover()) gort::panic("bad recover");
          });
          gort::panic("hello");
        });
        gort::goexit();
      },
      str("fatal error: ", kGoexitDeadlock));
}

// Ports TestRecoverBeforePanicAfterGoexit (src/runtime/crash_test.go;
// testprog RecoverBeforePanicAfterGoexit): Goexit runs a deferred call that
// panics; an older deferred call of the same frame recovers it; the
// recovery resumes the Goexit, not main (which would make it disappear).
TEST(GoTestCrash, TestRecoverBeforePanicAfterGoexit) {
  expect_output_prefix(
      [](std::string*, Frame& main) {
        main.defer([] {
          if (!gort::recover()) gort::panic("bad recover");
        });
        main.defer([] { gort::panic("hello"); });
        gort::goexit();
      },
      str("fatal error: ", kGoexitDeadlock));
}

// Ports TestRecoverBeforePanicAfterGoexit2 (src/runtime/crash_test.go;
// testprog RecoverBeforePanicAfterGoexit2): the same under two older
// deferred calls, which the resumed Goexit must still run.
TEST(GoTestCrash, TestRecoverBeforePanicAfterGoexit2) {
  expect_output_prefix(
      [](std::string*, Frame& main) {
        for (int i = 0; i < 2; i++) main.defer([] {});
        main.defer([] {
          if (!gort::recover()) gort::panic("bad recover");
        });
        main.defer([] { gort::panic("hello"); });
        gort::goexit();
      },
      str("fatal error: ", kGoexitDeadlock));
}

// ---- go of nil, goroutine ids, tracebacks, deadlock ------------------------

// Ports TestGoNil (src/runtime/crash_test.go; testprog GoNil): `go f()` of
// a nil func is a fatal error, which main's recovering deferred call
// cannot stop. Both of gort's nil funcs: an empty std::function and a null
// function pointer.
TEST(GoTestCrash, TestGoNil) {
  for (bool pointer : {false, true}) {
    SCOPED_TRACE(pointer ? "null function pointer" : "empty std::function");
    run_test_prog(
        [pointer](std::string*, Frame& main) {
          main.defer([] { (void)gort::recover(); });
          if (pointer) {
            void (*f)() = nullptr;
            gort::go(f);
          } else {
            std::function<void()> f;
            gort::go(f);
          }
          gort::select({});
        },
        [](const std::string& output, const spec::Run& run) {
          EXPECT_TRUE(contains(output, "go of nil func value")) << spec::describe(run);
          EXPECT_EQ(run.result.fatal_error, "go of nil func value") << spec::describe(run);
          EXPECT_EQ(run.result.exit_status, 2) << spec::describe(run);
        });
  }
}

// Ports TestMainGoroutineID (src/runtime/crash_test.go; testprog
// MainGoroutineID): main's panic prints as goroutine 1's.
TEST(GoTestCrash, TestMainGoroutineID) {
  expect_output_prefix([](std::string*, Frame&) { gort::panic("test"); }, "panic: test\n\ngoroutine 1 [running]:\n");
}

// Ports TestPanicTraceback (src/runtime/crash_test.go; testprog
// PanicTraceback): pt1's and pt2's deferred calls each panic on top of the
// previous panic: all three print, oldest first, and the traceback names
// the functions innermost first, each panic between the deferred call it
// runs and the function it panicked in (Go's regexp loop: each name must
// start a line after the previous one's).
TEST(GoTestCrash, TestPanicTraceback) {
  run_test_prog(
      [](std::string*, Frame&) {
        gort::func(gort::named("main.pt1", [](Frame& pt1) {
          pt1.defer(gort::named("main.pt1.func1", [] { gort::panic("panic pt1"); }));
          gort::func(gort::named("main.pt2", [](Frame& pt2) {
            pt2.defer(gort::named("main.pt2.func1", [] { gort::panic("panic pt2"); }));
            gort::panic("hello");
          }));
        }));
      },
      [](const std::string& output, const spec::Run& run) {
        EXPECT_TRUE(has_prefix(output, "panic: hello\n\tpanic: panic pt2\n\tpanic: panic pt1\n"))
            << spec::describe(run);
        EXPECT_EQ(run.result.exit_status, 2) << spec::describe(run);
        std::string_view rest = output;
        for (std::string_view fn : {"main.pt1.func1", "panic", "main.pt2.func1", "panic", "main.pt2", "main.pt1"}) {
          // (?m)^fn\(.*\n
          size_t at = std::string_view::npos;
          for (size_t line = 0; line < rest.size();) {
            size_t end = rest.find('\n', line);
            if (end == std::string_view::npos) break;
            std::string_view l = rest.substr(line, end - line);
            if (has_prefix(l, fn) && l.size() > fn.size() && l[fn.size()] == '(') {
              at = end + 1;
              break;
            }
            line = end + 1;
          }
          ASSERT_NE(at, std::string_view::npos) << "expected \"" << fn << "\" function in traceback (in order)\n"
                                                << spec::describe(run);
          rest = rest.substr(at);
        }
      });
}

// Ports TestSimpleDeadlock (src/runtime/crash_test.go; testprog
// SimpleDeadlock): `select {}` on main with nothing else is a deadlock.
TEST(GoTestCrash, TestSimpleDeadlock) {
  expect_output_prefix(
      [](std::string*, Frame&) {
        gort::select({});
        gort::panic("not reached");
      },
      "fatal error: all goroutines are asleep - deadlock!\n");
}

}  // namespace
