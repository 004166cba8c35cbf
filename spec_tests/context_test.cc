// Ports of Go 1.19's src/context/context_test.go (run by x_test.go):
// cancellation flowing from parents to children, timeouts and deadlines,
// values, and the contracts an oracle checks on every context: a
// cancelled context's Done is closed exactly once and its err is Go's
// exact error; its children are cancelled with it, before cancel returns.
//
// Go's otherContext (a user type embedding a Context) has no counterpart:
// gort's contexts are the package's own kinds only (see gort/context.h).
#include "gort/context.h"

#include <gtest/gtest.h>

#include <any>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gort/gort.h"
#include "gort/sync.h"
#include "spec_run.h"

namespace {

using namespace std::chrono_literals;
using gort::Chan;
using gort::context::CancelFunc;
using gort::context::Context;
using spec::require;
using spec::str;
namespace ctxp = gort::context;

constexpr std::chrono::nanoseconds kShort = 1ms;       // Go's shortDuration
constexpr std::chrono::nanoseconds kVeryLong = 1000h;  // Go's veryLongDuration
constexpr std::chrono::nanoseconds kQuiescent = 5s;    // Go's quiescent(t) without a test deadline

// Go's `select { case <-c.Done(): ...; default: }`: whether Done is closed.
bool is_done(const Context& c) {
  Chan<bool> d = c.done();
  if (d.is_nil()) return false;
  auto r = d.try_recv();
  // A done channel is only ever closed, never sent on.
  require(!r.ready || !r.ok, "a value was sent on a Done channel");
  return r.ready;
}

std::string err_text(const gort::Error* e) { return e == nullptr ? "<nil>" : e->error(); }

// Ports TestBackground and TestTODO (src/context/context_test.go).
TEST(GoTestContext, TestBackgroundAndTODO) {
  spec::expect_ok([] {
    Context b = ctxp::background();
    require(!b.is_nil() && !is_done(b) && b.err() == nullptr, "Background is done");
    require(b.to_string() == "context.Background", "Background().String() = " + b.to_string());
    Context t = ctxp::todo();
    require(!t.is_nil() && !is_done(t), "TODO is done");
    require(t.to_string() == "context.TODO", "TODO().String() = " + t.to_string());
  });
}

// Ports TestWithCancel (src/context/context_test.go): cancel propagates
// synchronously to the context and its child.
TEST(GoTestContext, TestWithCancel) {
  spec::expect_ok([] {
    auto [c1, cancel] = ctxp::with_cancel(ctxp::background());
    require(c1.to_string() == "context.Background.WithCancel", "c1.String() = " + c1.to_string());
    auto [c2, cancel2] = ctxp::with_cancel(c1);
    for (const Context& c : {c1, c2}) {
      require(!c.done().is_nil(), "Done() == nil");
      require(c.err() == nullptr, "Err() != nil before cancel");
      require(!is_done(c), "<-c.Done() did not block");
    }
    cancel();
    for (const Context& c : {c1, c2}) {
      require(is_done(c), "<-c.Done() blocked after cancel");
      require(c.err() == ctxp::canceled(), "Err() == " + err_text(c.err()) + " want context canceled");
    }
    require(err_text(c1.err()) == "context canceled", "Canceled's text");
    cancel2();
  });
}

// Ports TestParentFinishesChild (src/context/context_test.go): parent ->
// cancelChild, parent -> valueChild -> timerChild; cancelling the parent
// finishes every child and empties its children.
TEST(GoTestContext, TestParentFinishesChild) {
  spec::expect_ok([] {
    auto [parent, cancel] = ctxp::with_cancel(ctxp::background());
    auto [cancel_child, stop1] = ctxp::with_cancel(parent);
    static const int kKey = 0;
    Context value_child = ctxp::with_value(parent, &kKey, std::string("value"));
    auto [timer_child, stop2] = ctxp::with_timeout(value_child, kVeryLong);
    for (const Context& c : {parent, cancel_child, value_child, timer_child}) require(!is_done(c), "done too early");
    require(parent.num_children() == 2, str("bad linkage: parent has ", parent.num_children(), " children, want 2"));
    cancel();
    require(parent.num_children() == 0, "cancel didn't clear the parent's children");
    for (const Context& c : {parent, cancel_child, value_child, timer_child}) {
      require(is_done(c), c.to_string() + ": <-Done() blocked, but shouldn't have");
      require(c.err() == ctxp::canceled(), c.to_string() + ": Err() == " + err_text(c.err()));
    }
    Context precanceled = ctxp::with_value(parent, &kKey, std::string("value"));
    require(is_done(precanceled) && precanceled.err() == ctxp::canceled(), "precanceledChild not done");
    stop1();
    stop2();
  });
}

// Ports TestChildFinishesFirst (src/context/context_test.go): a child's
// cancel removes it from its parent and leaves the parent running.
TEST(GoTestContext, TestChildFinishesFirst) {
  spec::expect_ok([] {
    auto [cancelable, stop] = ctxp::with_cancel(ctxp::background());
    for (const Context& parent : {ctxp::background(), cancelable}) {
      auto [child, cancel] = ctxp::with_cancel(parent);
      require(!is_done(parent) && !is_done(child), "done too early");
      const bool pc = !parent.done().is_nil();
      if (pc) require(parent.num_children() == 1, "bad linkage: the child is not the parent's");
      cancel();
      if (pc) require(parent.num_children() == 0, "child's cancel didn't remove self from its parent");
      require(is_done(child) && child.err() == ctxp::canceled(), "child not finished");
      require(!is_done(parent) && parent.err() == nullptr, "parent finished by its child");
    }
    stop();
  });
}

// context_test.go's testDeadline: c is done within quiescent time, with
// DeadlineExceeded.
void test_deadline(const Context& c, const std::string& name) {
  gort::Timer timer = gort::new_timer(kQuiescent);
  bool v = false;
  int64_t t = 0;
  Chan<bool> done = c.done();
  const int chosen = gort::select({gort::recv_case(timer.C, t), gort::recv_case(done, v)});
  timer.stop();
  require(chosen == 1, name + ": context not timed out");
  require(c.err() == ctxp::deadline_exceeded(), name + ": c.Err() == " + err_text(c.err()));
  require(err_text(c.err()) == "context deadline exceeded", "DeadlineExceeded's text");
}

// Ports TestDeadline (src/context/context_test.go).
TEST(GoTestContext, TestDeadline) {
  spec::expect_ok([] {
    const int64_t short_ns = std::chrono::nanoseconds(kShort).count();
    auto [c, cancel] = ctxp::with_deadline(ctxp::background(), gort::nanotime() + short_ns);
    require(c.to_string().rfind("context.Background.WithDeadline(", 0) == 0, "c.String() = " + c.to_string());
    require(c.deadline().has_value(), "no deadline");
    test_deadline(c, "WithDeadline");
    auto [c2, cancel2] = ctxp::with_deadline(ctxp::background(), gort::nanotime() + short_ns);
    auto [c3, cancel3] = ctxp::with_deadline(c2, gort::nanotime() + std::chrono::nanoseconds(kVeryLong).count());
    require(c3.deadline() == c2.deadline(), "a later deadline under a sooner one");
    test_deadline(c3, "WithDeadline+WithDeadline");
    auto [c4, cancel4] = ctxp::with_deadline(ctxp::background(), gort::nanotime() - short_ns);
    test_deadline(c4, "WithDeadline+inthepast");
    auto [c5, cancel5] = ctxp::with_deadline(ctxp::background(), gort::nanotime());
    test_deadline(c5, "WithDeadline+now");
  });
}

// Ports TestTimeout (src/context/context_test.go).
TEST(GoTestContext, TestTimeout) {
  spec::expect_ok([] {
    auto [c, cancel] = ctxp::with_timeout(ctxp::background(), kShort);
    require(c.to_string().rfind("context.Background.WithDeadline(", 0) == 0, "c.String() = " + c.to_string());
    test_deadline(c, "WithTimeout");
    auto [c2, cancel2] = ctxp::with_timeout(ctxp::background(), kShort);
    auto [c3, cancel3] = ctxp::with_timeout(c2, kVeryLong);
    test_deadline(c3, "WithTimeout+WithTimeout");
  });
}

// Ports TestCanceledTimeout (src/context/context_test.go): cancelling a
// timeout context ends it with Canceled at once.
TEST(GoTestContext, TestCanceledTimeout) {
  spec::expect_ok([] {
    auto [c0, cancel0] = ctxp::with_timeout(ctxp::background(), 1s);
    auto [c, cancel] = ctxp::with_timeout(c0, kVeryLong);
    cancel();
    require(is_done(c), "<-c.Done() blocked, but shouldn't have");
    require(c.err() == ctxp::canceled(), "c.Err() == " + err_text(c.err()));
    cancel0();
  });
}

// Ports TestValues (src/context/context_test.go): the nearest WithValue of
// a key wins; a nil value hides the ones above.
TEST(GoTestContext, TestValues) {
  spec::expect_ok([] {
    static const int k1 = 1, k2 = 2, k3 = 3;
    auto check = [](const Context& c, const char* nm, const char* v1, const char* v2, const char* v3) {
      const void* keys[] = {&k1, &k2, &k3};
      const char* want[] = {v1, v2, v3};
      for (int i = 0; i < 3; i++) {
        std::any v = c.value(keys[i]);
        const std::string* s = std::any_cast<std::string>(&v);
        const std::string got = s != nullptr ? *s : "";
        require(got == want[i] && (s != nullptr) == (want[i][0] != 0), str(nm, ".Value(k", i + 1, ") = ", got));
      }
    };
    Context c0 = ctxp::background();
    check(c0, "c0", "", "", "");
    Context c1 = ctxp::with_value(ctxp::background(), &k1, std::string("c1k1"));
    check(c1, "c1", "c1k1", "", "");
    Context c2 = ctxp::with_value(c1, &k2, std::string("c2k2"));
    check(c2, "c2", "c1k1", "c2k2", "");
    Context c3 = ctxp::with_value(c2, &k3, std::string("c3k3"));
    check(c3, "c3", "c1k1", "c2k2", "c3k3");
    Context c4 = ctxp::with_value(c3, &k1, std::any());
    check(c4, "c4", "", "c2k2", "c3k3");
  });
}

// Ports TestSimultaneousCancels (src/context/context_test.go): a tree of
// about 100 contexts cancelled from as many goroutines at once: every
// context is done and every cancel returns.
TEST(GoTestContext, TestSimultaneousCancels) {
  spec::expect_ok([] {
    auto [root, cancel] = ctxp::with_cancel(ctxp::background());
    std::vector<Context> ctxs{root};
    std::vector<CancelFunc> cancels{cancel};
    for (size_t q = 0; q < ctxs.size() && ctxs.size() < 100; q++) {
      for (int i = 0; i < 4; i++) {
        auto [ctx, c] = ctxp::with_cancel(ctxs[q]);
        ctxs.push_back(ctx);
        cancels.push_back(c);
      }
    }
    gort::WaitGroup wg;
    gort::WaitGroup* wgp = &wg;
    wg.add(static_cast<int>(cancels.size()));
    for (const CancelFunc& c : cancels) {
      gort::go([c = CancelFunc(c), wgp] {
        c();
        wgp->done();
      });
    }
    Chan<bool> stuck = gort::make_chan<bool>(0);
    gort::Timer timer = gort::after_func(kQuiescent, [stuck] { stuck.close(); });
    for (const Context& ctx : ctxs) {
      bool v = false;
      Chan<bool> d = ctx.done();
      require(gort::select({gort::recv_case(d, v), gort::recv_case(stuck, v)}) == 0,
              "timed out waiting for <-ctx.Done()");
    }
    wg.wait();  // every cancel returned (the WaitGroup is in this frame)
    timer.stop();
  });
}

// Ports TestInterlockedCancels (src/context/context_test.go): a goroutine
// cancelling the child once the parent is done does not deadlock with the
// parent's own cancellation of it.
TEST(GoTestContext, TestInterlockedCancels) {
  spec::expect_ok([] {
    auto [parent, cancel_parent] = ctxp::with_cancel(ctxp::background());
    auto [child, cancel_child] = ctxp::with_cancel(parent);
    Chan<bool> finished = gort::make_chan<bool>(0);
    gort::go([parent = parent, cancel_child = cancel_child, finished] {
      parent.done().recv();
      cancel_child();
      finished.send(true);
    });
    cancel_parent();
    gort::Timer timer = gort::new_timer(kQuiescent);
    bool v = false;
    int64_t t = 0;
    Chan<bool> d = child.done();
    require(gort::select({gort::recv_case(d, v), gort::recv_case(timer.C, t)}) == 0,
            "timed out waiting for child.Done()");
    timer.stop();
    finished.recv();
  });
}

// context_test.go's testLayers: 30+ layers of values, cancels and timeouts
// (a fixed pseudo-random mix per seed); cancelling any layer, or a timeout,
// finishes the innermost, and every value stays reachable.
void test_layers(uint64_t seed, bool test_timeout) {
  uint64_t r = seed;
  auto intn = [&r](int n) {
    r = r * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<int>((r >> 33) % static_cast<uint64_t>(n));
  };
  std::vector<std::unique_ptr<int>> vals;
  std::vector<CancelFunc> cancels;
  int num_timers = 0;
  Context ctx = ctxp::background();
  for (int i = 0; i < 30 || num_timers == 0 || cancels.empty() || vals.empty(); i++) {
    switch (intn(3)) {
      case 0:
        vals.push_back(std::make_unique<int>(i));
        ctx = ctxp::with_value(ctx, vals.back().get(), static_cast<const void*>(vals.back().get()));
        break;
      case 1: {
        auto [c, cancel] = ctxp::with_cancel(ctx);
        ctx = c;
        cancels.push_back(cancel);
        break;
      }
      default: {
        auto [c, cancel] = ctxp::with_timeout(ctx, test_timeout ? kShort : kVeryLong);
        ctx = c;
        cancels.push_back(cancel);
        num_timers++;
        break;
      }
    }
  }
  auto check_values = [&](const char* when) {
    for (const auto& key : vals) {
      std::any v = ctx.value(key.get());
      const void* const* got = std::any_cast<const void*>(&v);
      require(got != nullptr && *got == key.get(), str(when, ": a value went missing (seed ", seed, ")"));
    }
  };
  if (!test_timeout) require(!is_done(ctx), "ctx should not be canceled yet");
  require(ctx.to_string().rfind("context.Background.", 0) == 0, "ctx.String() = " + ctx.to_string());
  check_values("before cancel");
  if (test_timeout) {
    gort::Timer timer = gort::new_timer(kQuiescent);
    bool v = false;
    int64_t t = 0;
    Chan<bool> d = ctx.done();
    require(gort::select({gort::recv_case(d, v), gort::recv_case(timer.C, t)}) == 0, "ctx should have timed out");
    timer.stop();
    check_values("after timeout");
  } else {
    cancels[static_cast<size_t>(intn(static_cast<int>(cancels.size())))]();
    require(is_done(ctx), "ctx should be canceled");
    check_values("after cancel");
  }
  for (const CancelFunc& c : cancels) c();  // no leaked children
}

// Ports TestLayersCancel and TestLayersTimeout (src/context/context_test.go).
TEST(GoTestContext, TestLayersCancel) {
  spec::expect_ok([] {
    for (uint64_t seed = 1; seed <= 5; seed++) test_layers(seed, false);
  });
}
TEST(GoTestContext, TestLayersTimeout) {
  spec::expect_ok([] {
    for (uint64_t seed = 1; seed <= 5; seed++) test_layers(seed, true);
  });
}

// Ports TestCancelRemoves (src/context/context_test.go).
TEST(GoTestContext, TestCancelRemoves) {
  spec::expect_ok([] {
    auto [ctx, cancel0] = ctxp::with_cancel(ctxp::background());
    require(ctx.num_children() == 0, "after creation: children");
    auto [c1, cancel1] = ctxp::with_cancel(ctx);
    require(ctx.num_children() == 1, "with WithCancel child: want 1 child");
    cancel1();
    require(ctx.num_children() == 0, "after canceling WithCancel child: want 0 children");
    auto [c2, cancel2] = ctxp::with_timeout(ctx, 60min);
    require(ctx.num_children() == 1, "with WithTimeout child: want 1 child");
    cancel2();
    require(ctx.num_children() == 0, "after canceling WithTimeout child: want 0 children");
    cancel0();
  });
}

// Ports TestWithCancelCanceledParent (src/context/context_test.go).
TEST(GoTestContext, TestWithCancelCanceledParent) {
  spec::expect_ok([] {
    auto [parent, pcancel] = ctxp::with_cancel(ctxp::background());
    pcancel();
    auto [c, cancel] = ctxp::with_cancel(parent);
    require(is_done(c), "child not done immediately upon construction");
    require(c.err() == ctxp::canceled(), "child not canceled: " + err_text(c.err()));
    cancel();
  });
}

// Go's recoveredValue: the value fn panicked with, as text ("nil" if none).
std::string recovered_value(const std::function<void()>& fn) {
  std::string v = "nil";
  gort::func([&](gort::Frame& f) {
    f.defer([&v] { v = gort::recover().to_string(); });
    fn();
  });
  return v;
}

// Ports TestWithValueChecksKey and TestInvalidDerivedFail
// (src/context/context_test.go): a nil key, and deriving from a nil
// Context, panic (gort: with Go's texts).
TEST(GoTestContext, TestWithValueChecksKeyAndInvalidDerivedFail) {
  spec::expect_ok([] {
    std::string v = recovered_value([] { ctxp::with_value(ctxp::background(), nullptr, std::string("bar")); });
    require(v == "nil key", "panic = " + v + "; want nil key");
    const std::string want = "cannot create context from nil parent";
    v = recovered_value([] { ctxp::with_cancel(Context()); });
    require(v == want, "WithCancel(nil): panic = " + v);
    v = recovered_value([] { ctxp::with_deadline(Context(), gort::nanotime() + 1'000'000); });
    require(v == want, "WithDeadline(nil): panic = " + v);
    static const int k = 0;
    v = recovered_value([] { ctxp::with_value(Context(), &k, std::string("bar")); });
    require(v == want, "WithValue(nil): panic = " + v);
  });
}

// gort: a cancelled context's Done is closed exactly once, however many
// cancels race (from the parent and from each cancel func, on several
// goroutines): a second close would panic "close of closed channel".
TEST(GortContext, DoneClosedExactlyOnceUnderRacingCancels) {
  spec::expect_ok([] {
    auto [parent, cancel_parent] = ctxp::with_cancel(ctxp::background());
    auto [child, cancel_child] = ctxp::with_timeout(parent, kShort);
    gort::WaitGroup wg;
    gort::WaitGroup* wgp = &wg;
    wg.add(4);
    for (const CancelFunc& c : {cancel_parent, cancel_child, cancel_parent, cancel_child}) {
      gort::go([c = CancelFunc(c), wgp] {
        c();
        wgp->done();
      });
    }
    wg.wait();
    require(is_done(parent) && is_done(child), "not done after cancel");
    require(parent.err() == ctxp::canceled(), "parent's err: " + err_text(parent.err()));
    // The child's err is whichever cancel came first: its own, its parent's
    // or its deadline's, never none.
    require(child.err() == ctxp::canceled() || child.err() == ctxp::deadline_exceeded(), "child's err");
    require(parent.num_children() == 0, "a cancelled parent keeps children");
  });
}

}  // namespace
