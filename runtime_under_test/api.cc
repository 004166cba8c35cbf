// The public API (include/gort/gort.h) on top of the scheduler.
#include <cstdio>
#include <cstdlib>

#include "context.h"
#include "gort/gort.h"
#include "proc.h"

namespace gort {
namespace {

rt::G* current_goroutine(const char* what) {
  rt::G* gp = rt::getg();
  if (gp == nullptr) {
    fprintf(stderr, "gort: %s called outside gort::run; call it from a goroutine\n", what);
    abort();
  }
  return gp;
}

}  // namespace

namespace detail {

Result run(const Config& config, const ClosureOps* ops, void* main) {
  rt::Runtime runtime(config);
  return runtime.run(ops, main);
}

void newproc(const ClosureOps* ops, void* fn) {
  rt::G* gp = current_goroutine("gort::go");
  rt::Runtime& r = *gp->rt;
  rt::systemstack([&] {
    rt::G* newg = rt::newproc1(r, ops, fn);
    rt::runqput(r, rt::getm()->p, newg, /*next=*/true);
  });
}

}  // namespace detail

void gosched() {
  current_goroutine("gort::gosched");
  rt::gosched();
}

uint64_t goid() { return current_goroutine("gort::goid")->goid; }

int num_goroutine() { return current_goroutine("gort::num_goroutine")->rt->ngoroutines; }

}  // namespace gort
