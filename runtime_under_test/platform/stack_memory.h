// Memory for goroutine stacks: mmap'd, with a PROT_NONE guard below.
#ifndef GORT_PLATFORM_STACK_MEMORY_H
#define GORT_PLATFORM_STACK_MEMORY_H

#include <cstddef>
#include <cstdint>

namespace gort::platform {

// One mapping: [base, base + guard) is PROT_NONE, [lo, hi) is the usable
// stack. Invariant: base + guard == lo, lo < hi, all page-aligned.
struct StackMapping {
  uintptr_t base = 0;
  uintptr_t lo = 0;
  uintptr_t hi = 0;
  unsigned valgrind_stack_id = 0;  // from VALGRIND_STACK_REGISTER, 0 outside Valgrind

  bool guard_contains(uintptr_t addr) const { return addr >= base && addr < lo; }
  size_t usable() const { return hi - lo; }
};

size_t page_size();
size_t round_to_pages(size_t n);

// Maps a stack; returns false (and leaves *out empty) when mmap fails.
// Tells Valgrind about the stack when running under it.
bool map_stack(size_t usable, size_t guard, StackMapping* out);
void unmap_stack(StackMapping* m);

}  // namespace gort::platform

#endif  // GORT_PLATFORM_STACK_MEMORY_H
