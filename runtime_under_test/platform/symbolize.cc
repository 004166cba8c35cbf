// Program counters to source positions (symbolize.h).
#include "platform/symbolize.h"

#include <cxxabi.h>

#include <cassert>
#include <cstdlib>
#include <cstring>

#if defined(GORT_HAVE_LIBBACKTRACE)
#include <backtrace.h>
#endif

namespace gort::platform {

#if defined(GORT_HAVE_LIBBACKTRACE)
namespace {

// Errors are not reported: a pc without debug information (libc, the arch
// trampolines) simply has no source position, and the dump says less.
void ignore_error(void*, const char*, int) {}

backtrace_state* state() {
  // threaded = 1: Ms on OS threads may print dumps (one at a time: only the
  // M that claimed the run's end does, fatal.cc), and the state is shared
  // across runs in the process.
  static backtrace_state* const st = backtrace_create_state(nullptr, 1, ignore_error, nullptr);
  return st;
}

// Copies a function name into out, demangled when it is a C++ one.
void copy_name(const char* name, char* out, size_t cap) {
  assert(cap > 0 && "copy_name: no room");
  int status = -1;
  char* demangled = name[0] == '_' && name[1] == 'Z' ? abi::__cxa_demangle(name, nullptr, nullptr, &status) : nullptr;
  const char* text = status == 0 && demangled != nullptr ? demangled : name;
  strncpy(out, text, cap - 1);
  out[cap - 1] = '\0';
  free(demangled);
}

int on_pcinfo(void* data, uintptr_t, const char* file, int line, const char* function) {
  auto* out = static_cast<PcInfo*>(data);
  assert(out != nullptr && out->nframes <= PcInfo::kMaxInline && "on_pcinfo: no output");
  if (function == nullptr) return 0;  // no DWARF for this pc: nothing to say
  if (out->nframes == PcInfo::kMaxInline) return 1;
  const int i = out->nframes++;
  copy_name(function, out->names[i], PcInfo::kNameBytes);
  out->frames[i] = SourceFrame{out->names[i], file != nullptr ? file : "?", line, true};
  return 0;
}

void on_syminfo(void* data, uintptr_t pc, const char* symname, uintptr_t symval, uintptr_t) {
  auto* out = static_cast<PcInfo*>(data);
  assert(out != nullptr && "on_syminfo: no output");
  if (symval != 0 && symval <= pc) {
    out->offset = pc - symval;
    out->has_offset = true;
  }
  // The physical frame's name from the symbol table, when it is a C++ one:
  // gcc's DWARF names a function by its bare name ("operator()"), clang's by
  // its linkage name; the symbol's demangled name is the same for both.
  if (symname != nullptr && symname[0] == '_' && symname[1] == 'Z' && out->nframes > 0) {
    const int i = out->nframes - 1;
    copy_name(symname, out->names[i], PcInfo::kNameBytes);
  }
}

}  // namespace

bool symbolizer_available() { return state() != nullptr; }

void symbolizer_warm_up() {
  // backtrace_create_state only allocates the state: the first pcinfo reads
  // the executable's DWARF unit map and the first syminfo its symbol table.
  // One lookup of a pc in this function does both (a function-local static:
  // once per process, and thread-safe). The line tables of other units are
  // still read by the first lookup that lands in each.
  static const bool warmed = [] {
    PcInfo info;
    return symbolize(reinterpret_cast<uintptr_t>(&symbolizer_warm_up), &info, PcKind::kInstruction);
  }();
  (void)warmed;
}

bool symbolize(uintptr_t pc, PcInfo* out, PcKind kind) {
  assert(out != nullptr && "symbolize: no output");
  out->nframes = 0;
  out->has_offset = false;
  out->offset = 0;
  backtrace_state* st = state();
  if (st == nullptr || pc == 0) return false;
  // A return address is the instruction after the call: the call's own
  // line is the one at pc - 1 (Go's traceback does the same, tracebackPCs).
  const uintptr_t at = kind == PcKind::kReturnAddress ? pc - 1 : pc;
  backtrace_pcinfo(st, at, on_pcinfo, ignore_error, out);
  if (out->nframes == 0) return false;
  out->frames[out->nframes - 1].inlined = false;  // the physical frame
  // Go's offset is from the function's entry to pc itself.
  backtrace_syminfo(st, at, on_syminfo, ignore_error, out);
  if (out->has_offset) out->offset += pc - at;
  return true;
}

#else  // !GORT_HAVE_LIBBACKTRACE

bool symbolizer_available() { return false; }

void symbolizer_warm_up() {}

bool symbolize(uintptr_t pc, PcInfo* out, PcKind kind) {
  assert(out != nullptr && "symbolize: no output");
  (void)pc;
  (void)kind;
  out->nframes = 0;
  out->has_offset = false;
  return false;
}

#endif

}  // namespace gort::platform
