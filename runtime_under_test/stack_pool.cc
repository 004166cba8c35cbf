#include "stack_pool.h"

#include "gort/stack_pool.h"
#include "platform/fiber.h"

namespace gort {

StackPool::StackPool(size_t max_stacks) : impl_(std::make_unique<rt::StackPoolImpl>(max_stacks)) {}
StackPool::~StackPool() = default;
size_t StackPool::cached() const { return impl_->size(); }

namespace rt {

StackPoolImpl::~StackPoolImpl() {
  for (auto& m : free_) platform::unmap_stack(&m);
}

bool StackPoolImpl::get(size_t usable, size_t guard, platform::StackMapping* out) {
  size_t want_usable = platform::round_to_pages(usable), want_guard = platform::round_to_pages(guard);
  // Newest first: its pages are the likeliest to be resident already.
  for (size_t i = free_.size(); i-- > 0;) {
    platform::StackMapping& m = free_[i];
    if (m.usable() != want_usable || m.lo - m.base != want_guard) continue;
    *out = m;
    m = free_.back();
    free_.pop_back();
    // A previous run abandoned frames here; ASan must not see their poison.
    platform::unpoison_stack(out->lo, out->usable());
    return true;
  }
  return platform::map_stack(usable, guard, out);
}

void StackPoolImpl::put(platform::StackMapping* m) {
  if (m->base == 0) return;
  if (free_.size() >= max_) {
    platform::unmap_stack(m);
    return;
  }
  free_.push_back(*m);
  *m = platform::StackMapping{};
}

}  // namespace rt
}  // namespace gort
