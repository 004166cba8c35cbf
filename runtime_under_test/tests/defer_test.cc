// The defer and panic machinery's own state (defer.h): the G's chains
// after every way a frame can end, the defer record pool, the per-G C++
// exception state, and the activation chain tracebacks print.
#include "defer.h"

#include <gtest/gtest.h>

#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "context.h"
#include "proc.h"
#include "test_support.h"

namespace gort::rt {
namespace {

// What a G's defer/panic state is at a moment: chains empty means nothing
// deferred, nothing panicking.
struct ChainState {
  bool defers_empty;
  bool panics_empty;
  const detail::Activation* top;
};
ChainState chains() {
  G* gp = getg();
  return {gp->defers == nullptr, gp->panic == nullptr, gp->top_activation};
}

TEST(DeferChains, EmptyAgainAfterNormalReturnRecoveryAndNestedPanics) {
  std::vector<ChainState> seen;
  const detail::Activation* main_top = nullptr;
  Result r = run(testing_support::one_p(), [&] {
    main_top = getg()->top_activation;
    func([&](Frame& f) { f.defer([] {}); });
    seen.push_back(chains());
    func([&](Frame& f) {
      f.defer([] { recover(); });
      panic("x");
    });
    seen.push_back(chains());
    // A panic in a deferred call run by a panic, recovered two frames up.
    func([&](Frame& f) {
      f.defer([] { recover(); });
      func([&](Frame& g) {
        g.defer([] { panic("second"); });
        panic("first");
      });
    });
    seen.push_back(chains());
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  ASSERT_EQ(seen.size(), 3u);
  for (const ChainState& s : seen) {
    EXPECT_TRUE(s.defers_empty);
    EXPECT_TRUE(s.panics_empty);
    EXPECT_EQ(s.top, main_top);  // main's own frame is innermost again
  }
}

TEST(DeferChains, ActivationChainWhileAPanicRunsADeferredCall) {
  std::vector<detail::ActivationKind> kinds;
  Result r = run(testing_support::one_p(), [&] {
    func([&](Frame& f) {
      f.defer([&] {
        for (const detail::Activation* a = getg()->top_activation; a != nullptr; a = a->parent)
          kinds.push_back(a->kind);
        recover();
      });
      panic(1);
    });
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  using K = detail::ActivationKind;
  EXPECT_EQ(kinds, (std::vector<K>{K::kDeferredCall, K::kPanic, K::kFunc, K::kGoroutine}));
}

TEST(DeferPool, RecordsAreReusedNotAllocatedPerDefer) {
  size_t chunks_after_first = 0, chunks_at_end = 0;
  // Reads the run's heap counts from its one goroutine (heaplock: no other M).
  Result r = run(testing_support::one_p(), [&]() GORT_NO_THREAD_SAFETY_ANALYSIS {
    Runtime& rt = *getg()->rt;
    func([&](Frame& f) { f.defer([] {}); });
    chunks_after_first = rt.defer_chunks.size();
    for (int i = 0; i < 10'000; i++) {
      func([&](Frame& f) {
        for (int j = 0; j < 8; j++) f.defer([] {});
        if (i % 2 == 0) {
          f.defer([] { recover(); });
          panic(i);
        }
      });
    }
    chunks_at_end = rt.defer_chunks.size();
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(chunks_after_first, 1u);
  EXPECT_EQ(chunks_at_end, 1u);  // never more than 9 records live at once
}

// Frame::defer on a frame whose function is not the innermost one would
// put its record among an inner frame's and run it at the wrong time:
// gort refuses it (Go cannot express it).
TEST(DeferChains, DeferOnAnOuterFrameIsAFatalError) {
  Result r = run(testing_support::one_p(), [&] { func([&](Frame& outer) { func([&] { outer.defer([] {}); }); }); });
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.fatal_error.find("defer on a frame that is not the innermost one"), std::string::npos) << r.output;
}

// A G blocked inside its catch handler keeps its exception while another G,
// itself inside a handler of its own, runs on the same thread: with one
// shared per-thread state, g1's `throw;` would rethrow main's exception
// (the innermost handled one) and main's handler would end g1's
// (platform/cxx_eh.h).
TEST(CxxExceptionState, EachGoroutineKeepsItsOwnHandledException) {
  std::string g1_after, g2_saw;
  int g1_uncaught = -1;
  Result r = run(testing_support::one_p(), [&] {
    G* g1 = nullptr;
    bool g1_parked = false;
    go([&] {
      try {
        throw std::runtime_error("g1's");
      } catch (const std::exception&) {
        g1 = getg();
        g1_parked = true;
        gopark(nullptr, nullptr, WaitReason::kTest);  // switched out mid-handler
        try {
          throw;  // rethrows the exception this handler holds
        } catch (const std::exception& again) {
          g1_after = again.what();
        }
        g1_uncaught = std::uncaught_exceptions();
      }
    });
    while (!g1_parked) gosched();
    try {
      throw std::logic_error("main's");
    } catch (const std::exception&) {
      goready(g1, 0);
      while (g1_after.empty()) gosched();  // g1 ends its handler meanwhile
      try {
        throw;
      } catch (const std::exception& again) {
        g2_saw = again.what();
      }
    }
  });
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(g2_saw, "main's");
  EXPECT_EQ(g1_after, "g1's");
  EXPECT_EQ(g1_uncaught, 0);
}

// A panic value that counts its live copies (the box holds one).
struct Counted {
  static inline int live = 0;
  int id = 0;
  explicit Counted(int i) : id(i) { live++; }
  Counted(const Counted& o) : id(o.id) { live++; }
  Counted(Counted&& o) noexcept : id(o.id) { live++; }
  ~Counted() { live--; }
};

// The panic value reaches the panic record through by-value and rvalue
// parameters of functions that leave only by the recovery's C++ exception.
// Each owner along that path must release its share exactly once, or the
// value recover() handed out dies under its holder. GCC's IPA modref pass
// gets this wrong (the landing pad of a caller releases a stale copy of an
// argument the callee had moved from): gort builds with -fno-ipa-modref
// under GCC (cmake/GortCompilerWorkarounds.cmake), and this test is what
// fails without it in the GCC-built presets (arm64, riscv64, debug).
TEST(PanicValueOwnership, ARecoveredValueOutlivesThePanicThatCarriedIt) {
  Counted::live = 0;
  PanicValue seen;
  Result r = run(testing_support::one_p(), [&] {
    func([&](Frame& f) {
      f.defer([&] { seen = recover(); });
      panic(Counted(7));
    });
    // The panic and its record are gone; seen is the one owner left.
    EXPECT_EQ(Counted::live, 1);
    ASSERT_NE(seen.get<Counted>(), nullptr);
    EXPECT_EQ(seen.get<Counted>()->id, 7);
  });
  ASSERT_TRUE(r.ok()) << r.output;
  EXPECT_EQ(Counted::live, 1);  // still held by seen, after the run
  seen = PanicValue();
  EXPECT_EQ(Counted::live, 0);  // released once, by its last holder
}

}  // namespace
}  // namespace gort::rt
