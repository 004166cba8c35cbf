// Scenarios: goroutine programs with the outcome Go promises for them,
// for the gort CLI (gort/cli.h runs a list of them: gort's own built-in
// list, or a user's).
//
// A scenario is a main function written against the public API alone, and
// an expectation (exit status, and Go's fatal error text when it must die).
// Inside the program, scenario_check() states what must hold; a broken
// check throws, which ends the run as a panic carrying the message, so the
// run no longer matches its expectation and the harness reports it.
#ifndef GORT_SCENARIO_H
#define GORT_SCENARIO_H

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gort/gort.h"

namespace gort::harness {

struct Expectation {
  int exit_status = 0;
  const char* fatal_error = "";  // Go's text, when the run must end in one
  const char* panic = "";        // the unrecovered panic's value, when the run must end in one
};

struct Scenario {
  const char* name;
  const char* tags;  // space-separated: what it exercises
  const char* what;  // one line for `gort list`
  // The goroutine program: main of each run. Any callable (a user's
  // lambda may capture); it is called once per run, from the run's main
  // goroutine, and must leave nothing behind that the next run sees.
  std::function<void()> program;
  Expectation expect;
  size_t stack_size = 64 * 1024;
  // The fault plan gort check runs it under (harness/strategy/fault_plan.h
  // text; null: kDefaultScenarioFaults). Every scenario tolerates a run
  // that ends in an injected panic with nothing else broken; one whose own
  // deferred calls recover panics either passes injected ones on
  // (repanic_injected) or opts out of injected panics here.
  const char* faults = nullptr;
};

// The fault plans. Each scenario's plan is chosen so that at most a
// quarter of its runs end in an injected panic (such a run never reaches
// the outcome being judged): the more channel operations and wake-ups a
// run has, the fewer sites its plan arms.
//
// Injected panics at every kind of site, rarely, and spurious wake-ups: for
// scenarios of up to about a hundred channel operations.
inline constexpr const char* kDefaultScenarioFaults =
    "panic-at-yield:p=0.005,panic-before-chan-op:p=0.001,panic-after-chan-op:p=0.001,"
    "panic-in-deferred-call:p=0.01,panic-after-wakeup:p=0.001,spurious-wakeup:p=0.1";
// A few hundred channel operations: no panic after an operation.
inline constexpr const char* kBusyScenarioFaults =
    "panic-at-yield:p=0.005,panic-before-chan-op:p=0.001,panic-in-deferred-call:p=0.01,"
    "panic-after-wakeup:p=0.001,spurious-wakeup:p=0.1";
// Hundreds of channel operations and wake-ups: no panic at channel
// operations at all (at the lowest rate, 0.001, most runs would end in one).
inline constexpr const char* kBusiestScenarioFaults =
    "panic-at-yield:p=0.005,panic-in-deferred-call:p=0.01,panic-after-wakeup:p=0.001,spurious-wakeup:p=0.1";
// The default plan with virtual-time jumps: for scenarios about timers.
inline constexpr const char* kTimerScenarioFaults =
    "panic-at-yield:p=0.005,panic-before-chan-op:p=0.001,panic-after-chan-op:p=0.001,"
    "panic-in-deferred-call:p=0.01,panic-after-wakeup:p=0.001,spurious-wakeup:p=0.1,clock-jump:p=0.05";
// For scenarios that recover every panic they see (an injected one would
// look like their own): wake-ups and clock jumps only.
inline constexpr const char* kNoPanicFaults = "spurious-wakeup:p=0.1";

// The step budget of a harness run (Config::max_steps): far above what
// any built-in scenario takes (the longest, runq-overflow, about 3,000
// steps), low enough that a livelocked run ends in a fraction of a
// second. Every harness entry point (run, check, replay, the shrinker)
// runs with a finite budget.
inline constexpr uint64_t kDefaultMaxSteps = 500'000;

// The goroutine-leak oracle: what a run does when main returns while other
// goroutines are alive (gort.h Config::drain_at_exit, Result::leftover).
enum class LeakPolicy : uint8_t {
  kOff,           // Go's exit: main's return ends the run there; no leak is looked for
  kReport,        // drain, then report the goroutines left; never a failure (gort check's default)
  kFailDefinite,  // drain; a definite leak fails the run (the checking API's default)
  kFailAll,       // drain; any leak, definite or possible, fails the run
};
// "off", "report", "definite", "all": gort check's --leaks and the replay
// file's "leaks".
const char* leak_policy_name(LeakPolicy p);
bool parse_leak_policy(const std::string& text, LeakPolicy* out);

// Throws (ending the run as a panic with `what`) when cond is false.
void scenario_check(bool cond, const char* what);

namespace detail {

// The main of a harness run: the scenario's program, then after(arg) once
// it has returned (the checker takes the run's end state there). It is
// defined in this installed gort header, not in the session's source,
// because goroutine dumps hide the frames of gort's headers as Go hides the
// runtime's (runtime_under_test/fatal.cc, runtime_source): goroutine 1's
// last frame is then the program's own callable, named main.main, as Go's
// dump ends at main.main in the user's file, rather than this wrapper.
struct ScenarioMain {
  const std::function<void()>* program;
  void (*after)(void*);
  void* arg;

  void operator()() const {
    (*program)();
    after(arg);
  }
};

}  // namespace detail

// For scenarios that recover panics of their own under a plan that injects
// panics: a recovered injected panic is not theirs, and panicking with it
// again ends the run as the injected panic would have (which the harness
// tolerates). Call it on every value a scenario's deferred call recovers.
void repanic_injected(const PanicValue& v);

}  // namespace gort::harness

namespace gort {
using harness::Expectation;
using harness::LeakPolicy;
using harness::repanic_injected;
using harness::Scenario;
using harness::scenario_check;
}  // namespace gort

#endif  // GORT_SCENARIO_H
