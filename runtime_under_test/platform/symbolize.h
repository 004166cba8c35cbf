// Program counters to source positions, for goroutine dumps: a platform
// service (the runtime formats the dump; this reads the executable's DWARF).
//
// Backed by gcc's libbacktrace where the build found it
// (cmake/GortSymbolize.cmake, GORT_HAVE_LIBBACKTRACE); without it every
// lookup fails and dumps fall back to the Go function names of gort::func
// frames. libbacktrace maps its own memory (no malloc) and reads the
// executable with open/read/mmap. No lookup runs inside a signal handler:
// a fault's dump is written after the handler has returned, on g0's fresh
// stack (runtime.cc report_signal), in an ordinary thread context.
// Demangling (__cxa_demangle) does use the heap; the dump it goes into is a
// std::string already (fatal.cc), so this adds no new kind of risk there.
//
// Process-wide state: one libbacktrace state for the executable, created on
// the first lookup (or by symbolizer_warm_up), never freed. It describes
// the program's code, which is the same for every run in the process, and
// it lives in memory libbacktrace mapped privately, so a forked child
// inherits whatever the parent had already read.
#ifndef GORT_PLATFORM_SYMBOLIZE_H
#define GORT_PLATFORM_SYMBOLIZE_H

#include <cstddef>
#include <cstdint>

namespace gort::platform {

// Whether this build can symbolise at all.
bool symbolizer_available();

// Does now the work of the first lookup: libbacktrace's state, and the
// executable's symbol table and DWARF unit map, which libbacktrace reads on
// its first lookup, not when the state is made. A process forked afterwards
// (the harness' isolated runs, through gort::introspect::prepare_dumps)
// then symbolises its dump without reading the executable again; measured
// in docs/ARCHITECTURE.md, "Goroutine dumps". Idempotent and thread-safe:
// the work is done once per process.
void symbolizer_warm_up();

// What a pc given to symbolize is: a return address (every frame but a
// fault's innermost: the call is at pc - 1), or the address of the
// instruction itself (the faulting one, which may be its function's first
// instruction, so pc - 1 could name the function before it).
enum class PcKind : uint8_t { kReturnAddress, kInstruction };

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

// Looks up `pc`, of the given kind. Returns whether at least one frame was
// found; out is reset first. The offset is Go's: from the function's entry
// to pc.
bool symbolize(uintptr_t pc, PcInfo* out, PcKind kind = PcKind::kReturnAddress);

}  // namespace gort::platform

#endif  // GORT_PLATFORM_SYMBOLIZE_H
