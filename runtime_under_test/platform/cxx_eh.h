// The C++ runtime's per-thread exception state, made per-goroutine.
//
// The Itanium C++ ABI keeps, per thread, the stack of exceptions being
// handled (caught, in a catch block) and the count of those in flight
// (__cxa_eh_globals). A goroutine may block inside a catch block or in a
// destructor run by unwinding, and another goroutine on the same thread
// then throws and catches: with one shared state the handled-exception
// stack interleaves and std::uncaught_exceptions lies. So the runtime
// saves the state into the G it switches away from and loads the next
// G's (context.cc), as fiber libraries do.
#ifndef GORT_PLATFORM_CXX_EH_H
#define GORT_PLATFORM_CXX_EH_H

#include <cxxabi.h>

namespace gort::platform {

// Layout of __cxa_eh_globals in libstdc++ and libc++abi on every CPU gort
// supports (ARM EHABI, which adds a field, is 32-bit ARM only).
struct CxxEhState {
  void* caught = nullptr;  // innermost exception being handled
  unsigned int uncaught = 0;
};

inline CxxEhState* cxx_eh_thread_state() { return reinterpret_cast<CxxEhState*>(abi::__cxa_get_globals()); }

}  // namespace gort::platform

#endif  // GORT_PLATFORM_CXX_EH_H
