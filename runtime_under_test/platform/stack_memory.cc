#include "platform/stack_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cassert>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define GORT_HAVE_VALGRIND 1
#endif

namespace gort::platform {

size_t page_size() {
  static const size_t size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

size_t round_to_pages(size_t n) {
  size_t p = page_size();
  return (n + p - 1) / p * p;
}

bool map_stack(size_t usable, size_t guard, StackMapping* out) {
  usable = round_to_pages(usable);
  guard = round_to_pages(guard);
  assert(usable > 0);
  // One mapping, then the guard carved out of its bottom: stacks grow down,
  // so running off the end faults in the guard before touching anything else.
  void* p = mmap(nullptr, guard + usable, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  // coverage-excluded-next: mmap failed: the machine is out of memory
  if (p == MAP_FAILED) return false;
  auto base = reinterpret_cast<uintptr_t>(p);
  // coverage-excluded-next: mprotect failed: the machine is out of memory
  if (guard > 0 && mprotect(p, guard, PROT_NONE) != 0) {
    munmap(p, guard + usable);
    return false;
  }
  *out = StackMapping{base, base + guard, base + guard + usable, 0};
#ifdef GORT_HAVE_VALGRIND
  // Without this, Valgrind takes every switch onto this stack for a huge
  // stack-pointer change and reports bogus invalid accesses.
  out->valgrind_stack_id = VALGRIND_STACK_REGISTER(out->lo, out->hi);
#endif
  return true;
}

void unmap_stack(StackMapping* m) {
  if (m->base == 0) return;
#ifdef GORT_HAVE_VALGRIND
  VALGRIND_STACK_DEREGISTER(m->valgrind_stack_id);
#endif
  munmap(reinterpret_cast<void*>(m->base), m->hi - m->base);
  *m = StackMapping{};
}

}  // namespace gort::platform
