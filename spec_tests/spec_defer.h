// Shared by the defer, panic and recover ports (defer_test.cc,
// crash_test.cc, defer_programs_test.cc): Go's *testing.T as those ports
// use it, and Go's comparisons of a recovered `any`.
//
// Why a T and not spec::fail: inside a run, spec::fail throws, which
// becomes a panic -- and a recovering deferred call under test would
// swallow it. T records instead; the run's check reads the record.
//
// A C++ callable's locals die when it returns, before its frame's deferred
// calls run at a normal return (Go's closures would keep them alive on the
// heap): whatever a deferred call touches at a normal return must live
// outside the gort::func whose frame deferred it.
#ifndef GORT_SPEC_TESTS_SPEC_DEFER_H
#define GORT_SPEC_TESTS_SPEC_DEFER_H

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "gort/gort.h"
#include "spec_run.h"

namespace spec {

// Go's *testing.T: Fatal records the failure (the run goes on). Safe from
// any goroutine; never touched while a goroutine switch can happen.
class T {
 public:
  void fatal(std::string what) {
    std::lock_guard<std::mutex> lock(mu_);
    failures_.push_back(std::move(what));
  }
  void reset() {
    std::lock_guard<std::mutex> lock(mu_);
    failures_.clear();
  }
  std::string failures() {
    std::lock_guard<std::mutex> lock(mu_);
    std::string all;
    for (const std::string& f : failures_) all += f + "\n";
    return all;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> failures_;
};

// Runs a Go test function under every seed: body(t, frame) as one
// gort::func on main, or body(t) on main (a body that makes the test's
// gort::func itself, to keep state outside it). Every run must return
// normally with nothing reported.
template <class Body>
void run_go_test(const Body& body, Options opt = {}) {
  T t;
  for_each_run(
      [&t, body] {
        t.reset();
        if constexpr (std::is_invocable_v<const Body&, T&, gort::Frame&>) {
          gort::func([&](gort::Frame& f) { body(t, f); });
        } else {
          body(t);
        }
      },
      opt,
      [&](const Run& run) {
        EXPECT_EQ(run.result.exit_status, 0) << describe(run);
        EXPECT_EQ(run.result.panic, "") << describe(run);
        EXPECT_EQ(run.result.fatal_error, "") << describe(run);
        EXPECT_EQ(t.failures(), "") << "[" << run.label << "]";
      });
}

// Go's comparisons of an `any` with a constant: `recover() != "x"`, `n != err`.
inline bool is(const gort::PanicValue& v, std::string_view s) {
  const std::string* p = v.get<std::string>();
  return p != nullptr && *p == s;
}
inline bool is(const gort::PanicValue& v, int n) {
  const int* p = v.get<int>();
  return p != nullptr && *p == n;
}

// fmt's %v (and fmt.Println) of an `any`: nil is "<nil>".
inline std::string show(const gort::PanicValue& v) { return v.has_value() ? v.to_string() : "<nil>"; }

// Go's `defer panic(v)`: the deferred function is panic itself
// (f.defer(spec::go_panic, gort::PanicValue(v))).
inline constexpr void (*go_panic)(gort::PanicValue) = &gort::panic;

}  // namespace spec

#endif  // GORT_SPEC_TESTS_SPEC_DEFER_H
