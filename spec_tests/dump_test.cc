// Goroutine dumps name the program's own functions with file:line, as Go's
// traceback (src/runtime/traceback.go) prints them:
//
//   goroutine 2 [chan receive]:
//   main.blockedReceiver(...)
//   	/path/to/file.go:12 +0x1d
//   created by main.main
//   	/path/to/file.go:5 +0x25
//
// Go's own tests of this format are crash_test.go's TestGoexitCrash-style
// output matches and traceback_test.go; these pin the parts a harness user
// reads: the frame of the test's own function and this file's line, for a
// goroutine parked in a deadlock, for the goroutine that panicked and for
// one that faulted, and Config::dump_addresses = false printing no "+0x"
// offsets.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "gort/gort.h"

namespace {

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

// "file:line" of this source file, as the dump prints it (the compiler
// records the path CMake passed it, which __FILE__ also is).
std::string here(int line) { return std::string(__FILE__) + ":" + std::to_string(line); }

gort::Config config(bool addresses) {
  gort::Config c;
  c.procs = 1;
  c.max_steps = 1000000;
  c.dump_addresses = addresses;
  return c;
}

// Goroutine dumps need the symboliser (cmake/GortSymbolize.cmake); a build
// without it prints Go function names only, which the other tests pin.
bool symbolised(const gort::Result& r) {
  if (contains(r.output, __FILE__)) return true;
  printf("skipped: this build has no symboliser (GORT_SYMBOLIZE=OFF or no libbacktrace), so dumps have no file:line\n");
  return false;
}

// How many frames of output name a function containing `name` at this
// file's `line`, with a "+0x" offset or without one: gcc and clang name
// the same function differently (qualified or not, parameter lists).
int frames_at(const std::string& output, const std::string& name, int line, bool offset) {
  const std::string where = "\n\t" + here(line) + (offset ? " +0x" : "\n");
  int n = 0;
  for (size_t at = output.find(where); at != std::string::npos; at = output.find(where, at + 1)) {
    const size_t start = output.rfind('\n', at - 1);
    const std::string function = output.substr(start == std::string::npos ? 0 : start + 1, at - (start + 1));
    if (function.find(name) != std::string::npos) n++;
  }
  return n;
}

int g_receive_line = 0;
int g_go_line = 0;
int g_main_wait_line = 0;

// Not inlined, so that it is a frame of its own, named in the dump.
[[gnu::noinline]] void blocked_receiver(gort::Chan<int> c) {
  g_receive_line = __LINE__ + 1;
  (void)c.recv();
  asm volatile("");  // keeps the call above from being a tail call
}

TEST(GoroutineDump, ADeadlockNamesTheParkedGoroutinesFunctionFileAndLine) {
  gort::Result r = gort::run(config(true), [] {
    gort::Chan<int> c = gort::make_chan<int>(0);
    g_go_line = __LINE__ + 1;
    gort::go([c] { blocked_receiver(c); });
    g_main_wait_line = __LINE__ + 1;
    (void)gort::make_chan<int>(0).recv();  // nobody sends: both goroutines wait
  });
  ASSERT_EQ(r.exit_status, 2) << r.output;
  if (!symbolised(r)) GTEST_SKIP() << "no symboliser in this build";
  const size_t g2 = r.output.find("goroutine 2 [");
  ASSERT_NE(g2, std::string::npos) << r.output;
  const std::string dump2 = r.output.substr(g2);
  EXPECT_EQ(frames_at(dump2, "blocked_receiver(", g_receive_line, true), 1) << r.output;
  // Go's last line: the go statement, in the function that ran it.
  EXPECT_TRUE(contains(dump2, "created by main.main()\n\t" + here(g_go_line) + " +0x")) << r.output;
  // The parked main goroutine: its entry function under its Go name, at the receive.
  const std::string dump1 = r.output.substr(0, g2);
  EXPECT_TRUE(contains(dump1, "goroutine 1 [chan receive]:\nmain.main()\n\t" + here(g_main_wait_line) + " +0x"))
      << r.output;
  // The runtime's own frames (gopark, chanrecv) are hidden, as Go hides runtime.*.
  EXPECT_FALSE(contains(r.output, "gort::rt::")) << r.output;
  EXPECT_FALSE(contains(r.output, "runtime_under_test/")) << r.output;
}

TEST(GoroutineDump, APanicNamesThePanickingFunctionAndTheLineOfThePanic) {
  static int panic_line = 0;
  gort::Result r = gort::run(config(true), [] {
    panic_line = __LINE__ + 1;
    gort::panic("boom");
  });
  ASSERT_EQ(r.exit_status, 2) << r.output;
  if (!symbolised(r)) GTEST_SKIP() << "no symboliser in this build";
  const size_t g1 = r.output.find("goroutine 1 [running]:\n");
  ASSERT_NE(g1, std::string::npos) << r.output;
  const std::string dump1 = r.output.substr(g1);
  // Go's traceback starts at gopanic's caller: the panicking function, at
  // the panic's line, and nothing of the runtime before it.
  EXPECT_EQ(dump1.rfind("goroutine 1 [running]:\nmain.main()\n\t" + here(panic_line) + " +0x", 0), 0u) << r.output;
}

// A panic in a deferred call while panicking: Go shows gopanic as
// "panic(...)" between the deferred function's frames and the function
// that panicked first (traceback.go's showfuncinfo, golang.org/issue/5832).
TEST(GoroutineDump, APanicInADeferredCallShowsTheFirstPanicsBoundary) {
  static int second_line = 0;
  static int first_line = 0;
  gort::Result r = gort::run(config(false), [](gort::Frame& f) {
    f.defer([] {
      second_line = __LINE__ + 1;
      gort::panic("second");
    });
    first_line = __LINE__ + 1;
    gort::panic("first");
  });
  ASSERT_EQ(r.exit_status, 2) << r.output;
  if (!symbolised(r)) GTEST_SKIP() << "no symboliser in this build";
  const size_t second = r.output.find("\t" + here(second_line) + "\n");
  const size_t boundary = r.output.find("panic(...)\n\t");
  const size_t first = r.output.find("main.main()\n\t" + here(first_line) + "\n");
  ASSERT_NE(second, std::string::npos) << r.output;
  ASSERT_NE(boundary, std::string::npos) << r.output;
  ASSERT_NE(first, std::string::npos) << r.output;
  EXPECT_LT(second, boundary) << r.output;
  EXPECT_LT(boundary, first) << r.output;
}

// A goroutine given a Go name (gort::named) shows it for its entry frame,
// as Go's dump shows "main.worker()": the outermost frame of each Go
// function activation takes the activation's name.
TEST(GoroutineDump, ANamedGoroutineShowsItsGoNameAtItsEntryFrame) {
  static int line = 0;
  gort::Result r = gort::run(config(false), [] {
    gort::Chan<int> c = gort::make_chan<int>(0);
    line = __LINE__ + 1;
    gort::go(gort::named("main.worker", [c] { (void)c.recv(); }));
    (void)gort::make_chan<int>(0).recv();
  });
  ASSERT_EQ(r.exit_status, 2) << r.output;
  if (!symbolised(r)) GTEST_SKIP() << "no symboliser in this build";
  EXPECT_TRUE(contains(r.output, "goroutine 2 [chan receive]:\nmain.worker()\n\t" + here(line) +
                                     "\ncreated by main.main()\n\t" + here(line) + "\n"))
      << r.output;
}

// Go prints at most 1000 goroutines' tracebacks here (fatal.cc); each
// shown one is walked and symbolised, the rest are counted.
TEST(GoroutineDump, ACrowdOfParkedGoroutinesIsWalkedUpToTheCap) {
  gort::Result r = gort::run(config(false), [] {
    gort::Chan<int> c = gort::make_chan<int>(0);
    for (int i = 0; i < 1001; i++) gort::go([c] { blocked_receiver(c); });
    (void)gort::make_chan<int>(0).recv();
  });
  ASSERT_EQ(r.exit_status, 2) << r.output.substr(0, 2000);
  if (!symbolised(r)) GTEST_SKIP() << "no symboliser in this build";
  // 1000 shown, main among them.
  EXPECT_EQ(frames_at(r.output, "blocked_receiver(", g_receive_line, false), 999) << r.output.substr(0, 2000);
  EXPECT_TRUE(contains(r.output, "\n...2 more goroutines not shown\n")) << r.output.substr(r.output.size() - 200);
}

// A goroutine that faults (a write through a wild pointer: Go's
// "unexpected signal during runtime execution") shows its frames with
// file:line too, from the faulting instruction's line outward: the dump is
// written after the signal handler has returned, on g0, and walks from the
// registers the kernel saved.
volatile uintptr_t g_wild_address = 8;  // from memory: the compiler cannot see the null
int g_wild_write_line = 0;
int g_faulter_go_line = 0;

[[gnu::noinline]] void wild_write(int v) {
  g_wild_write_line = __LINE__ + 1;
  *reinterpret_cast<volatile int*>(g_wild_address) = v;
  asm volatile("");  // keeps the write above from being the function's last act
}

TEST(GoroutineDump, AFaultingGoroutineShowsTheFaultsFileAndLine) {
  gort::Result r = gort::run(config(true), [] {
    gort::Chan<int> c = gort::make_chan<int>(0);
    g_faulter_go_line = __LINE__ + 1;
    gort::go([c] {
      c.send(1);
      wild_write(1);
    });
    (void)c.recv();
    (void)c.recv();  // never: the fault ends the run
  });
  ASSERT_EQ(r.exit_status, 2) << r.output;
  ASSERT_EQ(r.fatal_error, "unexpected signal during runtime execution") << r.output;
  if (!symbolised(r)) GTEST_SKIP() << "no symboliser in this build";
  const size_t g2 = r.output.find("goroutine 2 [running]:\n");
  ASSERT_NE(g2, std::string::npos) << r.output;
  const size_t end = r.output.find("\n\n", g2);
  const std::string dump2 = r.output.substr(g2, end == std::string::npos ? std::string::npos : end + 1 - g2);
  // The first frame is the faulting function, at the write's own line (the
  // faulting pc itself, not the line before it).
  const std::string first = dump2.substr(dump2.find('\n') + 1);
  EXPECT_NE(first.find("wild_write("), std::string::npos) << r.output;
  EXPECT_EQ(first.find("\n\t" + here(g_wild_write_line) + " +0x"), first.find('\n')) << r.output;
  EXPECT_TRUE(contains(dump2, "created by main.main()\n\t" + here(g_faulter_go_line) + " +0x")) << r.output;
}

TEST(GoroutineDump, WithoutAddressesNoFrameHasAnOffset) {
  gort::Result with = gort::run(config(true), [] {
    gort::Chan<int> c = gort::make_chan<int>(0);
    gort::go([c] { blocked_receiver(c); });
    (void)gort::make_chan<int>(0).recv();
  });
  ASSERT_EQ(with.exit_status, 2) << with.output;
  if (!symbolised(with)) GTEST_SKIP() << "no symboliser in this build";
  EXPECT_TRUE(contains(with.output, " +0x")) << with.output;
  gort::Result without = gort::run(config(false), [] {
    gort::Chan<int> c = gort::make_chan<int>(0);
    gort::go([c] { blocked_receiver(c); });
    (void)gort::make_chan<int>(0).recv();
  });
  ASSERT_EQ(without.exit_status, 2) << without.output;
  EXPECT_FALSE(contains(without.output, "+0x")) << without.output;
  EXPECT_FALSE(contains(without.output, "0x")) << without.output;
  EXPECT_EQ(frames_at(without.output, "blocked_receiver(", g_receive_line, false), 1) << without.output;
}

}  // namespace
