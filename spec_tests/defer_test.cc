// Ports of Go 1.19's src/runtime/defer_test.go: defer, panic and recover
// within one goroutine. Most of those tests guard Go's open-coded defers (a
// compiler optimisation gort does not have); what they pin through the
// language -- which deferred calls run, in which order, with which
// arguments, and what recover returns where -- is what the ports check.
//
// A Go test function is one gort::func, its Frame the test's frame (see
// spec_defer.h for T, what Go's t.Fatal reports, and for why state a
// deferred call touches at a normal return lives outside that gort::func).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gort/gort.h"
#include "spec_defer.h"
#include "spec_run.h"

namespace {

using gort::Frame;
using gort::PanicValue;
using spec::go_panic;
using spec::is;
using spec::run_go_test;
using spec::show;
using spec::str;
using spec::T;

// defer_test.go's expect(t, n, err): err must be the int n.
void expect(T& t, int n, const PanicValue& err) {
  if (!is(err, n)) t.fatal(str("have ", show(err), ", want ", n));
}

// defer_test.go's step(t, steps, want).
void step(T& t, int* steps, int want) {
  ++*steps;
  if (*steps != want) t.fatal(str("have ", *steps, ", want ", want));
}

// Ports TestUnconditionalPanic (src/runtime/defer_test.go): a function that
// can only end by panicking still runs its deferred call, which recovers.
TEST(GoTestDefer, TestUnconditionalPanic) {
  run_go_test([](T& t, Frame& f) {
    f.defer([&t] {
      if (!is(gort::recover(), "testUnconditional")) t.fatal("expected unconditional panic");
    });
    gort::panic("testUnconditional");
  });
}

int glob = 3;

// defer_test.go's testOpen: its deferred call (argument 4) recovers its panic.
void test_open(T& t, int arg) {
  gort::func([&](Frame& f) {
    f.defer(
        [&t](int n) {
          if (!is(gort::recover(), "testOpenDefer")) t.fatal("expected testOpen panic");
          if (n != 4) t.fatal(str("testOpen's deferred call got ", n, ", want 4"));
        },
        4);
    if (arg > 2) gort::panic("testOpenDefer");
  });
}

// A deferred call with argument 3 that must recover "testNonOpenDefer".
void defer_non_open(T& t, Frame& f) {
  f.defer(
      [&t](int n) {
        if (!is(gort::recover(), "testNonOpenDefer")) t.fatal("expected testNonOpen panic");
        if (n != 3) t.fatal(str("the loop's deferred call got ", n, ", want 3"));
      },
      3);
}

// Ports TestOpenAndNonOpenDefers (src/runtime/defer_test.go): a deferred call
// made in a loop, then a callee recovering its own panic, then a panic the
// loop's deferred call recovers: both recover their own panic.
TEST(GoTestDefer, TestOpenAndNonOpenDefers) {
  run_go_test([](T& t, Frame& f) {
    for (;;) {
      defer_non_open(t, f);
      if (glob > 2) break;
    }
    test_open(t, 47);
    gort::panic("testNonOpenDefer");
  });
}

// Ports TestNonOpenAndOpenDefers (src/runtime/defer_test.go): the same with
// the callee's panic first.
TEST(GoTestDefer, TestNonOpenAndOpenDefers) {
  run_go_test([](T& t, Frame& f) {
    test_open(t, 47);
    for (;;) {
      defer_non_open(t, f);
      if (glob > 2) break;
    }
    gort::panic("testNonOpenDefer");
  });
}

// Ports TestConditionalDefers (src/runtime/defer_test.go): only the defer
// statements executed register a call; they run newest first (4, 2, 1).
TEST(GoTestDefer, TestConditionalDefers) {
  run_go_test([](T& t, Frame& f) {
    std::vector<int> list;
    f.defer([&] {
      if (!is(gort::recover(), "testConditional")) t.fatal("expected panic");
      std::vector<int> want{4, 2, 1};
      if (list != want) {
        std::string got;
        for (int i : list) got += str(got.empty() ? "" : " ", i);
        t.fatal(str("wanted [4 2 1], got [", got, "]"));
      }
    });
    // testConditionalDefers(8)
    gort::func([&list](Frame& g) {
      int n = 8;
      auto doappend = [&list](int i) { list.push_back(i); };
      g.defer(doappend, 1);
      if (n > 5) {
        g.defer(doappend, 2);
        if (n > 8) {
          g.defer(doappend, 3);
        } else {
          g.defer(doappend, 4);
        }
      }
      gort::panic("testConditional");
    });
  });
}

// Ports TestDisappearingDefer (src/runtime/defer_test.go). Go's point is
// that the compiler may delete a defer statement in dead code; what the
// language pins is that a defer statement never reached registers nothing:
// the function returns normally and no deferred call runs.
TEST(GoTestDefer, TestDisappearingDefer) {
  run_go_test([](T& t, Frame& f) {
    const char* volatile goos = "linux";  // runtime.GOOS, opaque to the compiler
    if (std::string_view(goos) == "invalidOS") {
      f.defer([&t] { t.fatal("Defer shouldn't run"); });
    }
  });
}

// Ports TestAbortedPanic (src/runtime/defer_test.go): panic1's deferred call
// panics panic2; the next deferred call recovers panic2, which also removes
// the aborted panic1, so the last deferred call's recover gets nil.
TEST(GoTestDefer, TestAbortedPanic) {
  run_go_test([](T& t, Frame& f) {
    f.defer([&t] {
      PanicValue r = gort::recover();
      if (r) t.fatal(str("wanted nil recover, got ", show(r)));
    });
    f.defer([&t] {
      PanicValue r = gort::recover();
      if (!is(r, "panic2")) t.fatal(str("wanted panic2, got ", show(r)));
    });
    f.defer([] { gort::panic("panic2"); });
    gort::panic("panic1");
  });
}

// Ports TestRecoverMatching (src/runtime/defer_test.go): recover in a call
// deferred by the panic's deferred call (not run by the panic itself) gets
// nil; the test's next deferred call then recovers panic1.
TEST(GoTestDefer, TestRecoverMatching) {
  run_go_test([](T& t, Frame& f) {
    f.defer([&t] {
      PanicValue r = gort::recover();
      if (!is(r, "panic1")) t.fatal(str("wanted panic1, got ", show(r)));
    });
    f.defer([&t](Frame& d) {
      d.defer([&t] {
        PanicValue r = gort::recover();
        if (r) t.fatal(str("wanted nil recover, got ", show(r)));
      });
    });
    gort::panic("panic1");
  });
}

using NonSSAable = std::array<uint8_t, 128>;
struct BigStruct {
  int64_t x, y, z, w, p, q;
};
struct ContainsBigStruct {
  BigStruct element;
};

// Ports TestNonSSAableArgs (src/runtime/defer_test.go): arguments of a
// deferred call -- a big array returned by a call, a composite literal
// holding a call, a field of a struct, a field of a call's result -- are
// evaluated once, at the defer statement.
TEST(GoTestDefer, TestNonSSAableArgs) {
  run_go_test([](T& t) {
    int globint1 = 0, globint2 = 0, globint3 = 0;
    uint8_t save1 = 0;
    int64_t save2 = 0, save3 = 0, save4 = 0;
    gort::func([&](Frame& f) {
      auto mk_non_ssaable = [&] {
        globint1++;
        return NonSSAable{0, 0, 0, 0, 5};
      };
      auto sideeffect = [&](int64_t n) {
        globint2++;
        return n;
      };
      auto sideeffect2 = [&](ContainsBigStruct in) {
        globint3++;
        return in;
      };

      f.defer([&] {
        if (globint1 != 1) t.fatal(str("globint1:  wanted: 1, got ", globint1));
        if (save1 != 5) t.fatal(str("save1:  wanted: 5, got ", int{save1}));
        if (globint2 != 1) t.fatal(str("globint2:  wanted: 1, got ", globint2));
        if (save2 != 2) t.fatal(str("save2:  wanted: 2, got ", save2));
        if (save3 != 4) t.fatal(str("save3:  wanted: 4, got ", save3));
        if (globint3 != 1) t.fatal(str("globint3:  wanted: 1, got ", globint3));
        if (save4 != 4) t.fatal(str("save4:  wanted: 4, got ", save4));
      });

      // A function returning a non-SSAable argument.
      f.defer([&save1](NonSSAable n) { save1 = n[4]; }, mk_non_ssaable());
      // A composite literal that is not SSAable.
      f.defer([&save2](BigStruct b) { save2 = b.y; }, BigStruct{1, 2, 3, 4, 5, sideeffect(6)});
      // A struct field reference that is not SSAable.
      ContainsBigStruct foo{};
      foo.element.z = 4;
      f.defer([&save3](BigStruct element) { save3 = element.z; }, foo.element);
      f.defer([&save4](BigStruct element) { save4 = element.z; }, sideeffect2(foo).element);
      // Changing foo now must not reach the arguments taken above.
      foo.element.z = 99;
    });
  });
}

// stack_test.go's growStackIter: recursion that checks its frames survive.
// Go uses it to force a stack copy; gort stacks are fixed, so a modest
// depth keeps within them (also under the sanitizers' bigger frames).
[[gnu::noinline]] void grow_stack_iter(int* p, int n) {
  if (n == 0) {
    *p = n + 1;
    return;
  }
  *p = n + 1;
  int x = 0;
  grow_stack_iter(&x, n - 1);
  if (x != n) gort::panic("stack is corrupted");
}

// Ports TestDeferForFuncWithNoExit (src/runtime/defer_test.go): a function
// that never returns (its panicking callee is followed by an endless loop)
// still runs its deferred call, which sees the variable it captured as
// updated after the defer statement, and recovers.
TEST(GoTestDefer, TestDeferForFuncWithNoExit) {
  run_go_test([](T& t) {
    int cond = 1;
    gort::func([&](Frame& f) {
      f.defer([&] {
        if (cond != 2) t.fatal(str("cond: wanted 2, got ", cond));
        if (!is(gort::recover(), "Test panic")) t.fatal("Didn't find expected panic");
      });
      int x = 0;
      grow_stack_iter(&x, 100);
      cond = 2;
      gort::func([] { gort::panic("Test panic"); });  // doPanic
      // Go's `for {}`: never reached; reaching it is the failure.
      t.fatal("doPanic returned");
    });
  });
}

// defer_test.go's interpreter: each level recovers, and re-panics a value
// that is not its own level.
void interpreter(T& t, int level, int maxlevel, int rec) {
  gort::func([&](Frame& f) {
    f.defer([&] {
      PanicValue e = gort::recover();
      if (!e) return;
      const int* n = e.get<int>();
      if (n == nullptr) {
        t.fatal(str("interpreter: recovered a non-int ", show(e)));
        return;
      }
      if (level != *n) gort::panic(e);
    });
    if (level + 1 < maxlevel) {
      interpreter(t, level + 1, maxlevel, rec);
    } else {
      gort::panic(rec);
    }
  });
}

// defer_test.go's recurseFn: frames full of 0xffffffff, then a panic.
volatile uint32_t save_int;
void recurse_fn(int level, int maxlevel) {
  gort::func([&] {
    volatile uint32_t a[40];
    for (volatile uint32_t& v : a) v = 0xffffffff;
    if (level + 1 < maxlevel) {
      save_int = a[4];
      recurse_fn(level + 1, maxlevel);
    } else {
      gort::panic("recurseFn panic");
    }
  });
}

// defer_test.go's recurseFnPanicRec: recovers whatever recurseFn panics; a
// stale deferred call left on the goroutine by an earlier interpreter run
// would run here too.
void recurse_fn_panic_rec(T& t, int level, int maxlevel) {
  bool recovered = false;
  gort::func([&](Frame& f) {
    f.defer([&] { recovered = is(gort::recover(), "recurseFn panic"); });
    recurse_fn(level, maxlevel);
  });
  if (!recovered) t.fatal("recurseFnPanicRec did not recover recurseFn's panic");
}

// Ports TestDeferWithRepeatedRepanics (src/runtime/defer_test.go): panics
// recovered and re-panicked level after level until the level that
// handles them, each followed by a panic-and-recover over fresh frames
// that would run any stale deferred call left behind.
TEST(GoTestDefer, TestDeferWithRepeatedRepanics) {
  run_go_test([](T& t, Frame&) {
    int done = 0;
    interpreter(t, 0, 6, 2);
    done++;
    recurse_fn_panic_rec(t, 0, 10);
    interpreter(t, 0, 5, 1);
    done++;
    recurse_fn_panic_rec(t, 0, 10);
    interpreter(t, 0, 6, 3);
    done++;
    recurse_fn_panic_rec(t, 0, 10);
    if (done != 3) t.fatal("an interpreter call did not return");
  });
}

// defer_test.go's foo with its two methods (counted here: Go's test only
// checks that nothing crashes).
struct Foo {
  int* method1_calls;
  int* method2_calls;
  void method1() { ++*method1_calls; }
  void method2() { ++*method2_calls; }
};

struct GlobStruct {
  int a, b, c, d, e, f, g, h, i;
};

// defer_test.go's ff1: a method deferred, then a deferred call with many
// arguments that recovers ff1's panic.
void ff1(Foo* ap, GlobStruct* globstruct, int a, int b, int c, int d, int e, int f, int g, int h, int i) {
  gort::func([&](Frame& fr) {
    fr.defer(&Foo::method1, ap);
    fr.defer(
        [globstruct](Foo*, int a, int b, int c, int d, int e, int f, int g, int h, int) {
          (void)gort::recover();
          *globstruct = GlobStruct{a, b, c, d, e, f, g, h, 0};
        },
        ap, a, b, c, d, e, f, g, h, i);
    gort::panic("ff1 panic");
  });
}

[[gnu::noinline]] int rec1(int max) {
  if (max > 0) return rec1(max - 1) + 1;
  return 0;
}

void g2(GlobStruct* globstruct, int* m1, int* m2) {
  // Go's `var a foo` escapes to the heap; here it outlives g2's frame.
  Foo a{m1, m2};
  gort::func([&](Frame& f) {
    Foo* ap = &a;
    for (int i = 0; i < 1; i++) f.defer(&Foo::method1, ap);
    f.defer(&Foo::method2, ap);
    f.defer(&Foo::method1, ap);
    ff1(ap, globstruct, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    // Go grows the stack here to move it; gort's stacks do not move.
    volatile int depth = rec1(200);
    (void)depth;
  });
}

void g3(GlobStruct* globstruct, int* m1, int* m2) {
  gort::func([&] { g2(globstruct, m1, m2); });
}

// Ports TestIssue37688 (src/runtime/defer_test.go): method values and
// many-argument calls deferred by frames on either side of a recovered
// panic all run exactly once, with their arguments (Go's bug was a stale
// pointer to a defer record).
TEST(GoTestDefer, TestIssue37688) {
  run_go_test([](T& t, Frame&) {
    GlobStruct globstruct{};
    int m1 = 0, m2 = 0;
    for (int j = 0; j < 10; j++) {
      g2(&globstruct, &m1, &m2);
      g3(&globstruct, &m1, &m2);
    }
    // 20 g2 calls: three method1 (two of g2's, one of ff1's), one method2.
    if (m1 != 60 || m2 != 20) t.fatal(str("method1 ran ", m1, " times (want 60), method2 ", m2, " (want 20)"));
    if (globstruct.a != 1 || globstruct.e != 5 || globstruct.h != 8) t.fatal("ff1's deferred call got the wrong args");
  });
}

// Ports TestIssue43921 (src/runtime/defer_test.go): a deferred call that
// panics 4 and recovers it in its own deferred call returns normally; the
// original panic 1 then goes on and the test's deferred call recovers it.
TEST(GoTestDefer, TestIssue43921) {
  run_go_test([](T& t, Frame& f) {
    f.defer([&t] { expect(t, 1, gort::recover()); });
    gort::func([&t](Frame& g) {
      for (;;) {
        g.defer([] {});
        break;
      }
      g.defer([&t](Frame& d) {
        d.defer([&t] { expect(t, 4, gort::recover()); });
        gort::panic(4);
      });
      gort::panic(1);
    });
  });
}

// Ports TestIssue43920 (src/runtime/defer_test.go): `defer panic(n)` run by
// a deferred call's normal return, panics recovered inside deferred calls
// of deferred calls, and panic 1 recovered last by the test's own call.
TEST(GoTestDefer, TestIssue43920) {
  run_go_test([](T& t, Frame& f) {
    int steps = 0;
    f.defer([&t] { expect(t, 1, gort::recover()); });
    f.defer([&t](Frame& d) {
      d.defer([&t](Frame& d1) {
        d1.defer([&t] { expect(t, 5, gort::recover()); });
        d1.defer(go_panic, PanicValue(5));
        gort::func([] { gort::panic(4); });
      });
      d.defer([&t] { expect(t, 3, gort::recover()); });
      d.defer(go_panic, PanicValue(3));
    });
    gort::func([&](Frame& g) {
      g.defer(step, std::ref(t), &steps, 1);
      gort::panic(1);
    });
  });
}

// Ports TestIssue43941 (src/runtime/defer_test.go): recovered panics inside
// deferred calls leave every later deferred call of every frame to run
// once, in order (steps 8 to 14), and the last panic (4) reaches the
// test's deferred call.
TEST(GoTestDefer, TestIssue43941) {
  run_go_test([](T& t, Frame& f) {
    int steps = 7;
    f.defer([&] {
      step(t, &steps, 14);
      expect(t, 4, gort::recover());
    });
    gort::func([&](Frame& g) {
      gort::func([&](Frame& h) {
        h.defer([&t](Frame& d) {
          d.defer([&t] { expect(t, 3, gort::recover()); });
          d.defer(go_panic, PanicValue(3));
          gort::panic(2);
        });
        h.defer([&t] { expect(t, 1, gort::recover()); });
        h.defer(go_panic, PanicValue(1));
      });
      g.defer([] {});
      g.defer([] {});
      g.defer(step, std::ref(t), &steps, 10);
      g.defer(step, std::ref(t), &steps, 9);
      step(t, &steps, 8);
    });
    gort::func([&](Frame& g) {
      g.defer(step, std::ref(t), &steps, 13);
      g.defer(step, std::ref(t), &steps, 12);
      gort::func([&](Frame& h) {
        h.defer(step, std::ref(t), &steps, 11);
        gort::panic(4);
      });
      // Never reached (Go keeps these because removing them hid the bug).
      g.defer([] {});
      g.defer(go_panic, PanicValue(-1));
      g.defer(step, std::ref(t), &steps, -1);
      g.defer(step, std::ref(t), &steps, -1);
      g.defer([] {});
    });
  });
}

}  // namespace
