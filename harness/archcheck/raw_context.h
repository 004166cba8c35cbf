// What the arch checks run raw contexts on, with no runtime: a plain heap
// stack, and the exit a context's body must never reach.
//
// The stack needs no guard page (nothing in the checks recurses), but
// Valgrind must know it is a stack, or it takes every switch onto it for a
// wild stack-pointer change.
#ifndef GORT_HARNESS_ARCHCHECK_RAW_CONTEXT_H
#define GORT_HARNESS_ARCHCHECK_RAW_CONTEXT_H

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define GORT_RAW_CONTEXT_VALGRIND 1
#endif

namespace gort::archcheck {

// Invariant: [lo, hi) is kBytes of memory this object owns.
class RawStack {
 public:
  static constexpr size_t kBytes = 256 * 1024;
#ifdef GORT_RAW_CONTEXT_VALGRIND
  RawStack() { valgrind_id_ = VALGRIND_STACK_REGISTER(mem_.get(), mem_.get() + kBytes); }
  ~RawStack() { VALGRIND_STACK_DEREGISTER(valgrind_id_); }
#endif
  uintptr_t lo() const { return reinterpret_cast<uintptr_t>(mem_.get()); }
  uintptr_t hi() const { return lo() + kBytes; }
  void* top() const { return reinterpret_cast<void*>(hi()); }
  bool contains(uintptr_t sp) const { return sp > lo() && sp <= hi(); }

 private:
  std::unique_ptr<std::byte[]> mem_{new std::byte[kBytes]};
#ifdef GORT_RAW_CONTEXT_VALGRIND
  unsigned valgrind_id_ = 0;
#endif
};

// The exit of every raw context's gobuf: its body switches away for good,
// so reaching here is a broken trampoline (or check).
[[noreturn]] inline void never_exit(void*) {
  fputs("archcheck: a raw context's body returned into exit\n", stderr);
  abort();
}

}  // namespace gort::archcheck

#endif  // GORT_HARNESS_ARCHCHECK_RAW_CONTEXT_H
