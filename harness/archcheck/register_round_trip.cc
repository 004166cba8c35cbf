// register_round_trip (register_round_trip.h).
#include "archcheck/register_round_trip.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "archcheck/probe_words.h"
#include "archcheck/raw_context.h"
#include "archcheck/trampoline_shims.h"

namespace gort::archcheck {
namespace {

// What one side loaded and found back.
struct Side {
  const uint64_t* in = nullptr;
  uint64_t out[kCalleeSaved] = {};
};

std::string compare(Trampoline t, const char* side, const Side& s) {
  const int i = probe_first_mismatch(s.in, s.out);
  if (i < 0) return "";
  return std::string(trampoline_name(t)) + " (" + side + "): " + probe_word_mismatch(i, s.in[i], s.out[i]);
}

// --- swap ---

// The probe calls the trampolines through the shims (trampoline_shims.h),
// so no compiled frame stands between the registers and the switch.
struct SwapTrip {
  gort_gobuf a{}, b{};
  SwapArgs a_to_b{&a, &b}, b_to_a{&b, &a};
  Side mine, theirs;
};

void swap_body_b(void* arg) {
  auto* st = static_cast<SwapTrip*>(arg);
  gort_arch_probe_callee_saved(st->theirs.in, st->theirs.out, swap_shim, &st->b_to_a);
  gort_arch_gogo(&st->a);
}

std::string swap_trip(const RegisterValues& v) {
  RawStack stack;
  SwapTrip st;
  st.mine.in = v.mine;
  st.theirs.in = v.theirs;
  gort_arch_gobuf_init(&st.b, stack.top(), swap_body_b, never_exit, &st);
  // A loads its values and swaps to B, which loads its own and swaps back.
  gort_arch_probe_callee_saved(st.mine.in, st.mine.out, swap_shim, &st.a_to_b);
  // B is still inside its probe: let it finish and come back for good.
  gort_arch_swap(&st.a, &st.b);
  std::string bad = compare(Trampoline::kSwap, "the context that swapped out and back", st.mine);
  return bad.empty() ? compare(Trampoline::kSwap, "the fresh context", st.theirs) : bad;
}

// --- mcall + gogo ---

struct McallTrip {
  gort_gobuf a{}, c{}, c_save{};
  RawStack g0;
  McallArgs mcall{};
  Side mine, theirs;
};

void mcall_on_g0(void* arg) {
  auto* st = static_cast<McallTrip*>(arg);
  // g0 holds its own values when it resumes the context with gogo.
  gort_arch_probe_callee_saved(st->theirs.in, st->theirs.out, gogo_shim, &st->c_save);
  __builtin_trap();  // gogo never returns
}

void mcall_body_c(void* arg) {
  auto* st = static_cast<McallTrip*>(arg);
  st->mcall = {&st->c_save, st->g0.hi(), mcall_on_g0, st};
  gort_arch_probe_callee_saved(st->mine.in, st->mine.out, mcall_shim, &st->mcall);
  gort_arch_gogo(&st->a);
}

std::string mcall_trip(const RegisterValues& v) {
  RawStack stack;
  McallTrip st;
  st.mine.in = v.mine;
  st.theirs.in = v.theirs;
  gort_arch_gobuf_init(&st.c, stack.top(), mcall_body_c, never_exit, &st);
  gort_arch_swap(&st.a, &st.c);
  // g0's side never gets back to its probe's end (gogo leaves it): only
  // the context's own registers are judged.
  return compare(Trampoline::kMcall, "the context that mcalled and was resumed by gogo", st.mine);
}

// --- systemstack ---

struct SystemstackTrip {
  RawStack g0;
  Side mine, theirs;
};

void nothing(void*) {}

uintptr_t on_system_stack(void* arg) {
  auto* st = static_cast<SystemstackTrip*>(arg);
  gort_arch_probe_callee_saved(st->theirs.in, st->theirs.out, nothing, nullptr);
  return 0;
}

std::string systemstack_trip(const RegisterValues& v) {
  SystemstackTrip st;
  st.mine.in = v.mine;
  st.theirs.in = v.theirs;
  SystemstackArgs call{st.g0.hi(), on_system_stack, &st};
  gort_arch_probe_callee_saved(st.mine.in, st.mine.out, systemstack_shim, &call);
  std::string bad = compare(Trampoline::kSystemstack, "the caller", st.mine);
  return bad.empty() ? compare(Trampoline::kSystemstack, "the function on the system stack", st.theirs) : bad;
}

}  // namespace

const char* trampoline_name(Trampoline t) {
  switch (t) {
    case Trampoline::kSwap:
      return "swap";
    case Trampoline::kMcall:
      return "mcall+gogo";
    case Trampoline::kSystemstack:
      return "systemstack";
  }
  return "?";
}

std::string register_round_trip(Trampoline t, const RegisterValues& v) {
  switch (t) {
    case Trampoline::kSwap:
      return swap_trip(v);
    case Trampoline::kMcall:
      return mcall_trip(v);
    case Trampoline::kSystemstack:
      return systemstack_trip(v);
  }
  return "register_round_trip: no such trampoline";
}

}  // namespace gort::archcheck
