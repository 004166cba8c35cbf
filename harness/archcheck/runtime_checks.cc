// Runtime checks: the same contracts seen from goroutines of a real run
// (the os runtime), plus what only a runtime can show: stack overflow into
// the guard page ends that run as Go does, and the process carries on.
#include <cinttypes>
#include <cstdio>
#include <stdexcept>

#include "arch/arch.h"
#include "archcheck/checks.h"
#include "archcheck/probe_words.h"
#include "gort/gort.h"
#include "gort/mutants.h"

namespace gort::archcheck {
namespace {

// Every run of these checks: the defaults, plus the mutant GORT_MUTANT
// names (a mutants build under `gort mutants`; otherwise none).
Config check_config() {
  Config cfg;
  cfg.mutant = mutant_from_environment();
  return cfg;
}

Outcome from(bool passed, std::string detail) {
  Outcome o;
  o.passed = passed;
  if (!passed) o.detail = std::move(detail);
  return o;
}

Outcome check_goroutine_entry_aligned(const Options&) {
  int misaligned = 0, ran = 0;
  Result r = run(check_config(), [&] {
    for (int i = 0; i < 64; i++) {
      go([&] {
        ran++;
        misaligned += gort_arch_probe_sp() % GORT_ARCH_STACK_ALIGN != 0;
      });
    }
    while (num_goroutine() > 1) gosched();
  });
  if (r.exit_status != 0) return from(false, "run failed: " + r.output);
  return from(ran == 64 && misaligned == 0, std::to_string(misaligned) + " goroutines started misaligned");
}

// Two goroutines take turns, each yielding (gosched: mcall out, gogo
// back) inside the probe with its own random values in every callee-saved
// register: whatever the runtime's switch path forgets holds the other
// goroutine's value or the scheduler's when it resumes. (The trampoline
// checks cross the trampolines directly; this crosses the runtime's use
// of them.)
Outcome check_goroutine_switch_preserves_callee_saved(const Options& opt) {
  constexpr int kGoroutines = 2;
  std::string first_bad;
  int bad = 0, probes = 0;
  Result r = run(check_config(), [&] {
    auto done = make_chan<int>(kGoroutines);
    for (int g = 0; g < kGoroutines; g++) {
      go([&, g, done] {
        uint64_t rng = opt.seed * 1000003 + static_cast<uint64_t>(g);
        for (uint32_t i = 0; i < opt.iterations; i++) {
          uint64_t in[GORT_ARCH_CALLEE_SAVED], out[GORT_ARCH_CALLEE_SAVED] = {};
          for (uint64_t& v : in) {  // splitmix64
            uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            v = z ^ (z >> 31);
          }
          gort_arch_probe_callee_saved(
              in, out, [](void*) { gosched(); }, nullptr);
          probes++;
          const int k = probe_first_mismatch(in, out);
          if (k >= 0 && bad++ == 0) {
            char buf[64];
            snprintf(buf, sizeof buf, "goroutine %d, yield %u: ", g, i);
            first_bad = buf + probe_word_mismatch(k, in[k], out[k]);
          }
        }
        done.send(g);
      });
    }
    for (int g = 0; g < kGoroutines; g++) done.recv();
  });
  if (r.exit_status != 0) return from(false, "run failed: " + r.output);
  return from(bad == 0,
              std::to_string(bad) + " of " + std::to_string(probes) + " yields lost a register; first: " + first_bad);
}

[[gnu::noinline]] int throw_at_depth(int depth) {
  if (depth == 0) throw std::runtime_error("deep");
  return throw_at_depth(depth - 1) + 1;
}

Outcome check_goroutine_exception(const Options&) {
  int caught = 0;
  Result r = run(check_config(), [&] {
    for (int i = 0; i < 16; i++) {
      go([&] {
        try {
          gosched();  // other goroutines run between the try and the throw
          throw_at_depth(16);
        } catch (const std::runtime_error& e) {
          caught += std::string(e.what()) == "deep";
        }
      });
    }
    while (num_goroutine() > 1) gosched();
  });
  if (r.exit_status != 0) return from(false, "run failed: " + r.output);
  return from(caught == 16, std::to_string(caught) + " of 16 goroutines caught their exception");
}

Outcome check_goroutine_backtrace(const Options&) {
  std::string verdict = "the goroutine never ran";
  Result r = run(check_config(), [&] {
    go([&] { verdict = judge_backtrace(unwind_here()); });
    gosched();
  });
  if (r.exit_status != 0) return from(false, "run failed: " + r.output);
  return from(verdict.empty(), verdict);
}

// Recurses until `limit` frames, i.e. far past any stack this check uses;
// the frame array keeps each level's frame real.
[[gnu::noinline]] int recurse_deep(int depth, int limit) {
  volatile char frame[512];
  frame[0] = static_cast<char>(depth);
  if (depth == limit) return frame[0];
  return recurse_deep(depth + 1, limit) + frame[0];
}

Outcome check_stack_overflow(const Options&) {
  Config cfg = check_config();
  cfg.stack_size = 64 * 1024;
  char want[96];
  snprintf(want, sizeof want, "runtime: goroutine stack exceeds %zu-byte limit\n", cfg.stack_size);
  // Three in a row: the signal handling must leave the thread (its mask,
  // its alternate stack, the tools' bookkeeping) as it found it.
  for (int i = 0; i < 3; i++) {
    Result r = run(cfg, [] {
      go([] { recurse_deep(0, 1 << 30); });
      gosched();
    });
    if (r.exit_status != 2 || r.fatal_error != "stack overflow")
      return from(false, "overflow was not reported as Go's fatal stack overflow: " + r.output);
    if (r.output.rfind(want, 0) != 0) return from(false, "output does not start with \"" + std::string(want) + "\"");
    if (r.output.find("fatal error: stack overflow\n\ngoroutine 2 [running]:\n") == std::string::npos)
      return from(false, "output does not name the overflowing goroutine: " + r.output);
  }
  // The process carries on: the next run is unaffected.
  int ran = 0;
  Result next = run(check_config(), [&] {
    go([&] { ran++; });
    gosched();
  });
  return from(next.exit_status == 0 && ran == 1, "the run after an overflow failed: " + next.output);
}

}  // namespace

void add_runtime_checks(std::vector<Check>& checks) {
  checks.push_back(
      {"goroutine_entry_aligned", "goroutines start with the ABI's stack alignment", check_goroutine_entry_aligned});
  checks.push_back({"goroutine_switch_preserves_callee_saved",
                    "a goroutine gets every callee-saved register back after it yields and others run",
                    check_goroutine_switch_preserves_callee_saved});
  checks.push_back({"goroutine_exception", "C++ exceptions thrown and caught inside goroutines, across switches",
                    check_goroutine_exception});
  checks.push_back({"goroutine_backtrace_ends_at_entry",
                    "a backtrace inside a goroutine ends cleanly at the entry trampoline", check_goroutine_backtrace});
  checks.push_back({"stack_overflow_is_fatal_error",
                    "recursion into the guard page ends the run with Go's stack overflow report; the next run is clean",
                    check_stack_overflow});
}

}  // namespace gort::archcheck
