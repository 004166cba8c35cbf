// Program counters to source positions, for goroutine dumps: a platform
// service (the runtime formats the dump; this reads the executable's DWARF).
//
// Backed by gcc's libbacktrace where the build found it
// (cmake/GortSymbolize.cmake, GORT_HAVE_LIBBACKTRACE); without it every
// lookup fails and dumps fall back to the Go function names of gort::func
// frames. libbacktrace maps its own memory (no malloc) and reads the
// executable with open/read/mmap, so a lookup may run in the fault handler.
// Demangling (__cxa_demangle) does use the heap; the dump it goes into is a
// std::string already (fatal.cc), and the fault handler builds it on g0, not
// on the faulting goroutine's stack, so this adds no new kind of risk there.
//
// Process-wide state: one libbacktrace state for the executable, created on
// the first lookup (and by symbolizer_warm_up), never freed. It describes
// the program's code, which is the same for every run in the process.
#ifndef GORT_PLATFORM_SYMBOLIZE_H
#define GORT_PLATFORM_SYMBOLIZE_H

#include <cstddef>
#include <cstdint>

namespace gort::platform {

// Whether this build can symbolise at all.
bool symbolizer_available();

// Creates the process's symboliser state outside any signal handler (run
// start), so that a lookup from the fault handler never initialises it.
void symbolizer_warm_up();

// One source-level frame at a pc. A physical frame may hold several (calls
// inlined into it), innermost first; only the outermost has an offset.
struct SourceFrame {
  const char* function = nullptr;  // demangled when possible; never null when found
  const char* file = nullptr;      // as the compiler recorded it (absolute for CMake builds)
  int line = 0;
  bool inlined = false;  // inlined into the next SourceFrame of the same pc
};

// What one pc symbolises to. Storage is owned by the object (fixed-size).
struct PcInfo {
  static constexpr int kMaxInline = 8;
  static constexpr size_t kNameBytes = 384;
  SourceFrame frames[kMaxInline];
  int nframes = 0;
  uintptr_t offset = 0;  // pc - the physical function's entry (Go's "+0x")
  bool has_offset = false;
  char names[kMaxInline][kNameBytes];
};

// Looks up a return address `pc` (the call site is pc - 1). Returns whether
// at least one frame was found; out is reset first.
bool symbolize(uintptr_t pc, PcInfo* out);

}  // namespace gort::platform

#endif  // GORT_PLATFORM_SYMBOLIZE_H
