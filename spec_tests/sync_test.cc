// Ports of Go's sync tests (src/sync/*_test.go) and runtime/sema_test.go,
// against gort/sync.h.
#include "gort/sync.h"

#include <gtest/gtest.h>

#include "spec_run.h"

namespace {

using spec::require;
using spec::str;

// Go's TestMutex (mutex_test.go): goroutines hammer one Mutex; the
// critical sections never overlap.
void mutex_program() {
  gort::Mutex m;
  gort::WaitGroup wg;
  int inside = 0;
  int total = 0;
  constexpr int kGoroutines = 10;
  constexpr int kIters = 100;
  wg.add(kGoroutines);
  for (int i = 0; i < kGoroutines; i++) {
    gort::go([&] {
      for (int j = 0; j < kIters; j++) {
        m.lock();
        require(++inside == 1, "two goroutines inside the mutex");
        gort::yield_point();
        total++;
        inside--;
        m.unlock();
      }
      wg.done();
    });
  }
  wg.wait();
  require(total == kGoroutines * kIters, str("total ", total));
}

TEST(MutexTest, TestMutex) { spec::expect_ok(mutex_program); }

TEST(MutexTest, TestMutexMisuse) {
  for (const spec::Run& run : spec::run_all([] {
         gort::Mutex m;
         m.lock();
         m.unlock();
         m.unlock();
       })) {
    EXPECT_EQ(run.result.exit_status, 2) << spec::describe(run);
    EXPECT_EQ(run.result.fatal_error, "sync: unlock of unlocked mutex") << spec::describe(run);
  }
}

}  // namespace
