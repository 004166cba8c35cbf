// Telling the tools about stack switches.
//
// ASan must know which stack is current (for its fake stacks and for
// unwinding at a throw); TSan keeps a shadow stack per fiber. Every switch in
// the runtime goes: start_switch (on the old stack) -> arch trampoline ->
// finish_switch (on the new stack). All calls compile to nothing in builds
// without the sanitizer. (Valgrind is told about stacks at map time,
// platform/stack_memory.cc.)
#ifndef GORT_PLATFORM_FIBER_H
#define GORT_PLATFORM_FIBER_H

#include <cstddef>
#include <cstdint>

#if defined(__SANITIZE_ADDRESS__)
#define GORT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GORT_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define GORT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GORT_TSAN 1
#endif
#endif

#ifdef GORT_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef GORT_TSAN
#include <sanitizer/tsan_interface.h>
#endif
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define GORT_HAVE_MEMCHECK_H 1
#endif

namespace gort::platform {

inline constexpr bool kAddressSanitizer =
#ifdef GORT_ASAN
    true;
#else
    false;
#endif

// Per execution context (a G, an M's g0, the M's native thread stack).
// Invariant: stack_lo/stack_size describe the stack this context runs on;
// asan_fake_stack is valid only between start_switch and finish_switch.
struct Fiber {
  uintptr_t stack_lo = 0;
  size_t stack_size = 0;
  void* asan_fake_stack = nullptr;
  void* tsan_fiber = nullptr;
  bool tsan_owned = false;  // created by us (destroy it), not the thread's own
};

// A context that is created fresh: a G's stack, or g0's.
inline void fiber_create(Fiber* f, uintptr_t lo, size_t size) {
  f->stack_lo = lo;
  f->stack_size = size;
#ifdef GORT_TSAN
  f->tsan_fiber = __tsan_create_fiber(0);
  f->tsan_owned = true;
#endif
}

// The thread's own context, whose stack bounds ASan reports at the first
// switch away from it (finish_switch on the other side fills them in).
inline void fiber_adopt_thread(Fiber* f) {
#ifdef GORT_TSAN
  f->tsan_fiber = __tsan_get_current_fiber();
  f->tsan_owned = false;
#else
  (void)f;
#endif
}

inline void fiber_destroy(Fiber* f) {
#ifdef GORT_TSAN
  if (f->tsan_owned && f->tsan_fiber != nullptr) __tsan_destroy_fiber(f->tsan_fiber);
  f->tsan_fiber = nullptr;
#else
  (void)f;
#endif
}

#define GORT_FIBER_INLINE [[gnu::always_inline]] inline

// ASan half of a switch, called on `from`'s stack just before the stack
// pointer moves to `to`'s. A context that will never be resumed (a dying
// G, g0 whose frames are discarded) passes from_dies so that ASan frees
// its fake stack.
GORT_FIBER_INLINE void asan_start_switch(Fiber* from, const Fiber* to, bool from_dies) {
#ifdef GORT_ASAN
  __sanitizer_start_switch_fiber(from_dies ? nullptr : &from->asan_fake_stack,
                                 reinterpret_cast<const void*>(to->stack_lo), to->stack_size);
#else
  (void)from;
  (void)to;
  (void)from_dies;
#endif
}

// TSan half: from here on TSan attributes function entries and exits to
// `to`'s shadow stack, so no function may return between this call and the
// switch itself (hence always_inline, here and in the callers' paths).
GORT_FIBER_INLINE void tsan_switch_to(const Fiber* to) {
#ifdef GORT_TSAN
  __tsan_switch_to_fiber(to->tsan_fiber, 0);
#else
  (void)to;
#endif
}

// Both halves, for the switches that leave `from` by a jump (not a call
// that returns on `from`'s stack).
GORT_FIBER_INLINE void start_switch(Fiber* from, const Fiber* to, bool from_dies) {
  asan_start_switch(from, to, from_dies);
  tsan_switch_to(to);
}

// A context whose frames were abandoned (g0 after every activation, a G
// after goexit) starts its next life with an empty TSan shadow stack: the
// old one holds entries that will never see their exits and would only
// grow. `f` must not be the current fiber.
GORT_FIBER_INLINE void tsan_renew(Fiber* f) {
#ifdef GORT_TSAN
  if (f->tsan_owned) __tsan_destroy_fiber(f->tsan_fiber);
  f->tsan_fiber = __tsan_create_fiber(0);
  f->tsan_owned = true;
#else
  (void)f;
#endif
}

// Called on `self`'s stack right after a switch lands there. `prev`, when
// not null, learns the bounds of the stack we came from (how the thread's
// own stack bounds are found).
GORT_FIBER_INLINE void finish_switch(Fiber* self, bool fresh, Fiber* prev) {
#ifdef GORT_ASAN
  const void* bottom = nullptr;
  size_t size = 0;
  __sanitizer_finish_switch_fiber(fresh ? nullptr : self->asan_fake_stack, &bottom, &size);
  if (prev != nullptr && prev->stack_size == 0) {
    prev->stack_lo = reinterpret_cast<uintptr_t>(bottom);
    prev->stack_size = size;
  }
#else
  (void)self;
  (void)fresh;
  (void)prev;
#endif
}

// A stack being reused (a dead G's for a new goroutine, g0's after a fault)
// may still carry the tools' verdicts on frames that were abandoned, never
// returned from: ASan's poison, and Valgrind's "below the stack pointer,
// inaccessible". Both forget them here.
GORT_FIBER_INLINE void unpoison_stack(uintptr_t lo, size_t size) {
#ifdef GORT_ASAN
  ASAN_UNPOISON_MEMORY_REGION(reinterpret_cast<void*>(lo), size);
#endif
#ifdef GORT_HAVE_MEMCHECK_H
  (void)VALGRIND_MAKE_MEM_UNDEFINED(lo, size);
#endif
  (void)lo;
  (void)size;
}

}  // namespace gort::platform

#endif  // GORT_PLATFORM_FIBER_H
