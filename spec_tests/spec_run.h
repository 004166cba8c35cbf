// Shared by the spec tests: run one program under several seeds of the sim
// chooser (spec_sim_test) or once on the real OS platform (spec_os_test),
// and judge every Result; plus what goroutines use to report a broken
// contract (require throws; an exception escaping a goroutine ends the run
// as a panic whose value is its what(), which the judging then shows).
//
// Only the public API: any runtime implementing gort/gort.h can run these.
#ifndef GORT_SPEC_TESTS_SPEC_RUN_H
#define GORT_SPEC_TESTS_SPEC_RUN_H

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gort/gort.h"
#include "gort/mutants.h"

namespace spec {

#if defined(GORT_SPEC_SIM) && GORT_SPEC_SIM
inline constexpr bool kSim = true;
#else
inline constexpr bool kSim = false;
#endif

// Sanitizer builds. ThreadSanitizer: a goroutine's creation (a TSan fiber)
// costs about a millisecond and every memory access is checked;
// AddressSanitizer (the asan and fuzz presets): every access is checked.
#if defined(__has_feature)
#define SPEC_HAS_FEATURE(x) __has_feature(x)
#else
#define SPEC_HAS_FEATURE(x) 0
#endif
#if defined(__SANITIZE_THREAD__) || SPEC_HAS_FEATURE(thread_sanitizer)
inline constexpr bool kTsan = true;
#else
inline constexpr bool kTsan = false;
#endif
#if defined(__SANITIZE_ADDRESS__) || SPEC_HAS_FEATURE(address_sanitizer)
inline constexpr bool kAsan = true;
#else
inline constexpr bool kAsan = false;
#endif
#undef SPEC_HAS_FEATURE

// Go's testing.Short(): sanitizer builds take the sizes Go's tests take
// under -short, as Go's race builders run them; the other builds take Go's
// full sizes (sim may pick smaller ones of its own: it runs every test
// under several seeds).
inline constexpr bool kShort = kTsan || kAsan;

// Seeds each sim test runs under by default (os runs once), and for the
// tests whose run costs next to nothing.
inline constexpr int kSeeds = 5;
inline constexpr int kManySeeds = 20;

// ---- inside a run -------------------------------------------------------

template <class... A>
std::string str(const A&... a) {
  std::ostringstream os;
  (os << ... << a);
  return os.str();
}

// A broken contract, reported from any goroutine (main included): ends the
// run as a panic whose value is `what`. Never use gtest's EXPECT/ASSERT
// inside a run.
[[noreturn]] inline void fail(const std::string& what) { throw std::logic_error(what); }
inline void require(bool cond, const char* what) {
  if (!cond) fail(what);
}
inline void require(bool cond, const std::string& what) {
  if (!cond) fail(what);
}

// How many times a wait below yields before it declares that what it waits
// for will never happen (a broken runtime must fail, not hang).
inline constexpr long kMaxYields = 2'000'000;

// Starts f on a new goroutine and returns its goid once it has started
// running (it records gort::goid() first thing).
template <class F>
uint64_t go_id(F f) {
  // The slot lives in this frame, which outlives the wait below; the
  // goroutine writes it before anything else and never touches it again.
  std::atomic<uint64_t> slot{0};
  std::atomic<uint64_t>* p = &slot;
  gort::go([p, f = std::move(f)]() mutable {
    p->store(gort::goid());
    p = nullptr;
    f();
  });
  for (long i = 0; i < kMaxYields; i++) {
    uint64_t id = slot.load();
    if (id != 0) return id;
    gort::gosched();
  }
  fail("go_id: the new goroutine never ran");
}

// Yields until goroutine id is parked (the runtime's own knowledge, never a
// sleep). With reason, also checks Go's wait reason ("chan send", ...).
// Fails the run if the goroutine exits instead, or never parks.
inline gort::GoroutineState wait_blocked(uint64_t id, const char* reason = nullptr) {
  for (long i = 0; i < kMaxYields; i++) {
    gort::GoroutineState st = gort::goroutine_state(id);
    require(st.exists, str("goroutine ", id, " exited instead of blocking"));
    if (st.waiting) {
      if (reason != nullptr) {
        require(std::strcmp(st.wait_reason, reason) == 0,
                str("goroutine ", id, " waits in [", st.wait_reason, "], want [", reason, "]"));
      }
      return st;
    }
    gort::gosched();
  }
  fail(str("goroutine ", id, " never blocked"));
}

// Yields until goroutine id has exited; fails the run if it never does.
inline void wait_exited(uint64_t id) {
  for (long i = 0; i < kMaxYields; i++) {
    if (!gort::goroutine_state(id).exists) return;
    gort::gosched();
  }
  fail(str("goroutine ", id, " never exited"));
}

// Yields until only main is left.
inline void wait_only_main() {
  for (long i = 0; i < kMaxYields; i++) {
    if (gort::num_goroutine() == 1) return;
    gort::gosched();
  }
  fail(str("goroutines never finished: ", gort::num_goroutine(), " left"));
}

// ---- outside the run ----------------------------------------------------

// GOMAXPROCS values each test runs at: one P, and several Ms (OS threads
// in os; in sim virtual Ms whose runtime code interleaves at every lock and
// atomic). A sim run with several Ms costs several times one with one M
// (every idle M spins and steals, every lock is a scheduling point), so
// those run a fifth of the test's seeds (at least one); gort check explores
// them further. os runs once at each.
inline constexpr uint32_t kProcs[] = {1, 2, 4};
inline constexpr int seeds_at(uint32_t procs, int seeds) {
  return procs == 1 ? seeds : (seeds / 5 > 0 ? seeds / 5 : 1);
}

struct Options {
  int seeds = kSeeds;     // sim: seeds 1..seeds at each of kProcs (os: one run at each, seed 1)
  size_t stack_size = 0;  // 0: the Config default
  // os: one more run at this GOMAXPROCS, where Go's test sets its own
  // (0: none).
  uint32_t os_extra_procs = 0;
  // Config::drain_at_exit and Config::drain_steps (0: the Config default).
  bool drain = false;
  uint64_t drain_steps = 0;
};

struct Run {
  std::string label;  // "sim procs 2 seed 3" or "os procs 2"
  gort::Result result;
};

// One stack pool for every run this (gtest's) thread starts.
inline gort::StackPool& stack_pool() {
  static gort::StackPool pool(1024);
  return pool;
}

// Runs program (a copyable callable: each run gets a fresh copy) at each
// of kProcs, under several seeds in sim, once in os, calling check(run)
// after each run.
template <class F, class Check>
void for_each_run(const F& program, Options opt, Check check) {
  std::vector<uint32_t> all_procs(std::begin(kProcs), std::end(kProcs));
  if (!kSim && opt.os_extra_procs != 0) all_procs.push_back(opt.os_extra_procs);
  for (uint32_t procs : all_procs) {
    const int n = kSim ? seeds_at(procs, opt.seeds) : 1;
    for (int seed = 1; seed <= n; seed++) {
      gort::Config cfg;
      cfg.seed = static_cast<uint64_t>(seed);
      cfg.procs = procs;
      cfg.stack_pool = &stack_pool();
      cfg.mutant = gort::mutant_from_environment();  // `gort mutants` runs this suite once per mutant
      if (opt.stack_size != 0) cfg.stack_size = opt.stack_size;
      cfg.drain_at_exit = opt.drain;
      if (opt.drain_steps != 0) cfg.drain_steps = opt.drain_steps;
      Run run{kSim ? str("sim procs ", procs, " seed ", seed) : str("os procs ", procs), gort::run(cfg, program)};
      check(static_cast<const Run&>(run));
    }
  }
}

template <class F>
std::vector<Run> run_all(const F& program, Options opt = {}) {
  std::vector<Run> runs;
  for_each_run(program, opt, [&](const Run& run) { runs.push_back(run); });
  return runs;
}

inline std::string describe(const Run& run) {
  const gort::Result& r = run.result;
  return str("[", run.label, "] exit_status=", r.exit_status, " panic=\"", r.panic, "\" fatal_error=\"", r.fatal_error,
             "\"\n--- output ---\n", r.output);
}

// Every run returns normally (exit status 0).
template <class F>
void expect_ok(const F& program, Options opt = {}) {
  for (const Run& run : run_all(program, opt)) {
    EXPECT_EQ(run.result.exit_status, 0) << describe(run);
    EXPECT_EQ(run.result.panic, "") << describe(run);
    EXPECT_EQ(run.result.fatal_error, "") << describe(run);
  }
}

// Every run ends in the unrecovered panic `value` (exit status 2).
template <class F>
void expect_panic(const F& program, std::string_view value, Options opt = {}) {
  for (const Run& run : run_all(program, opt)) {
    EXPECT_EQ(run.result.exit_status, 2) << describe(run);
    EXPECT_EQ(run.result.panic, value) << describe(run);
    EXPECT_EQ(run.result.fatal_error, "") << describe(run);
    EXPECT_NE(run.result.output.find(str("panic: ", value)), std::string::npos) << describe(run);
  }
}

// Every run ends in Go's deadlock fatal error, its goroutine dump holding
// each of dump_lines.
template <class F>
void expect_deadlock(const F& program, const std::vector<std::string>& dump_lines, Options opt = {}) {
  for (const Run& run : run_all(program, opt)) {
    EXPECT_EQ(run.result.exit_status, 2) << describe(run);
    EXPECT_EQ(run.result.fatal_error, "all goroutines are asleep - deadlock!") << describe(run);
    EXPECT_EQ(run.result.panic, "") << describe(run);
    for (const std::string& line : dump_lines) {
      EXPECT_NE(run.result.output.find(line), std::string::npos) << "missing \"" << line << "\"\n" << describe(run);
    }
  }
}

}  // namespace spec

#endif  // GORT_SPEC_TESTS_SPEC_RUN_H
