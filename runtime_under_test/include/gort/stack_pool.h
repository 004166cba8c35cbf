// A pool of goroutine stacks that outlives runtimes.
//
// Each run maps the stacks it needs and unmaps them at its end; a harness
// that starts thousands of runs a second spends most of its time in mmap.
// A StackPool, passed in Config::stack_pool, keeps the stacks of finished
// runs for the next ones instead. It is an object the caller owns, never
// global state: one pool per thread that starts runs (it is not locked).
#ifndef GORT_STACK_POOL_H
#define GORT_STACK_POOL_H

#include <cstddef>
#include <memory>

namespace gort {

namespace rt {
class StackPoolImpl;
}

class StackPool {
 public:
  // Keeps at most max_stacks stacks between runs; more are unmapped.
  explicit StackPool(size_t max_stacks = 4096);
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  size_t cached() const;  // stacks waiting for the next run
  rt::StackPoolImpl& impl() { return *impl_; }

 private:
  std::unique_ptr<rt::StackPoolImpl> impl_;
};

}  // namespace gort

#endif  // GORT_STACK_POOL_H
