// The stack pool behind gort::StackPool: free stacks by (usable, guard) size.
#ifndef GORT_STACK_POOL_IMPL_H
#define GORT_STACK_POOL_IMPL_H

#include <cstddef>
#include <vector>

#include "platform/stack_memory.h"

namespace gort::rt {

// Invariant: every mapping in free_ has exactly the usable and guard sizes
// of the key it was returned under; size() <= max_stacks.
class StackPoolImpl {
 public:
  explicit StackPoolImpl(size_t max_stacks) : max_(max_stacks) {}
  ~StackPoolImpl();

  // A stack of these sizes, from the pool or freshly mapped; false if mmap failed.
  bool get(size_t usable, size_t guard, platform::StackMapping* out);
  // Keeps m for a later get of the same sizes, or unmaps it when full.
  void put(platform::StackMapping* m);
  size_t size() const { return free_.size(); }

 private:
  size_t max_;
  std::vector<platform::StackMapping> free_;
};

}  // namespace gort::rt

#endif  // GORT_STACK_POOL_IMPL_H
