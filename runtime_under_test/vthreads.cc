// Virtual Ms: the sim's threads (vthreads.h).
#include "vthreads.h"

#if defined(GORT_PLATFORM_SIM)

#include <cassert>
#include <cstdio>

#include "context.h"
#include "proc.h"

namespace gort::rt {
namespace {

// coverage-excluded-begin: a broken runtime: a virtual M's start function returned instead of switching away
[[noreturn]] void vthread_start_returned(void*) { __builtin_trap(); }
// coverage-excluded-end

}  // namespace

VirtualMs::VirtualMs(Runtime& rt, M* first) : rt_(rt), running_(first) {
  assert(first != nullptr);
  first->vstarted = true;
  first->quiescent = false;
}

void VirtualMs::add(M* mp, void (*start)(void*)) {
  assert(!mp->vstarted && "vthreads: an M added twice");
  assert(rt_.allm.size() <= kMaxMs);
  gort_arch_gobuf_init(&mp->vctx, reinterpret_cast<void*>(g0_stack_top(mp)), start, vthread_start_returned, mp);
  mp->blocked_on = nullptr;
  mp->deadline = -1;
  mp->quiescent = true;
}

M* VirtualMs::ask(uint32_t n, bool current_can_run) {
  assert(n >= 1 && n <= kMaxMs);
  nopts_ = n;
  opts_current_can_run_ = current_can_run;
  uint32_t c = rt_.decider.choose(Choice::kRunM, n);
  assert(c < n);
  return opts_[c];
}

void VirtualMs::point() {
  if (rt_.allm.size() == 1) return;
  uint32_t n = 0;
  opts_[n++] = running_;
  for (const auto& m : rt_.allm) {
    if (m.get() != running_ && runnable(m.get())) opts_[n++] = m.get();
  }
  if (n == 1) return;
  M* next = ask(n, /*current_can_run=*/true);
  if (next != running_) switch_to(next);
}

bool VirtualMs::block(const void* key, int64_t deadline) {
  M* self = running_;
  assert(key != nullptr);
  assert(self->blocked_on == nullptr && "vthreads: a blocked M is running");
  self->blocked_on = key;
  self->deadline = deadline;
  self->timed_out = false;
  for (;;) {
    uint32_t n = 0;
    for (const auto& m : rt_.allm) {
      if (runnable(m.get())) opts_[n++] = m.get();
    }
    if (n == 0) {
      // Nobody can run: virtual time moves to the earliest deadline, or,
      // with none, the runtime itself is deadlocked.
      int64_t earliest = INT64_MAX;
      for (const auto& m : rt_.allm) {
        if (m->blocked_on != nullptr && m->deadline >= 0 && m->deadline < earliest) earliest = m->deadline;
      }
      if (earliest == INT64_MAX) deadlock();  // coverage-excluded: a broken runtime: every virtual M blocked
      if (earliest > rt_.clock.now()) rt_.clock.wait_until(earliest);
      for (const auto& m : rt_.allm) {
        if (m->blocked_on != nullptr && m->deadline >= 0 && m->deadline <= rt_.clock.now()) {
          m->blocked_on = nullptr;
          m->deadline = -1;
          m->timed_out = true;
        }
      }
      continue;
    }
    M* next = n == 1 ? opts_[0] : ask(n, /*current_can_run=*/false);
    if (next != self) switch_to(next);
    break;
  }
  assert(running_ == self && self->blocked_on == nullptr);
  bool woken = !self->timed_out;
  self->timed_out = false;
  return woken;
}

void VirtualMs::wake(const void* key) {
  assert(key != nullptr);
  for (const auto& m : rt_.allm) {
    if (m->blocked_on == key) {
      m->blocked_on = nullptr;
      m->deadline = -1;
    }
  }
}

void VirtualMs::safe_point() {
  M* self = running_;
  assert(self == getm());
  self->quiescent = true;
  point();
  self->quiescent = false;
}

void VirtualMs::switch_to(M* next) {
  M* from = running_;
  assert(next != from && runnable(next));
  assert(getm() == from && "vthreads: switching from an M that is not running");
  G* from_ctx = getg();
  G* to_ctx = next->vstarted ? next->vg : next->g0;
  from->vg = from_ctx;
  // The C++ exception state of this OS thread belongs to the context that
  // runs on it: each virtual M keeps its own while switched out.
  from->veh = *from->eh;
  *from->eh = next->vstarted ? next->veh : platform::CxxEhState{};
  next->vstarted = true;
  running_ = next;
  platform::start_switch(&from_ctx->fiber, &to_ctx->fiber, /*from_dies=*/false);
  setm(next);
  setg(to_ctx);
  gort_arch_swap(&from->vctx, &next->vctx);
  // Resumed: whoever switched back here set tls_m, tls_g and running_.
  platform::finish_switch(&from_ctx->fiber, /*fresh=*/false, nullptr);
  assert(getm() == from && running_ == from);
}

void VirtualMs::question(introspect::RunMQuestion& into) const {
  into.current_m = running_->id;
  into.current_can_run = opts_current_can_run_;
  into.option_m.clear();
  for (uint32_t i = 0; i < nopts_; i++) into.option_m.push_back(opts_[i]->id);
}

// coverage-excluded-begin: a broken runtime: every virtual M blocked for ever
void VirtualMs::deadlock() {
  // Every M waits for a lock or a Note that nobody can release or wake:
  // not Go's "all goroutines are asleep", which is the runtime's own
  // verdict on the program, but the runtime's bug.
  // Written straight into the run's output: fatal abandons this frame, so
  // nothing here may own heap memory.
  for (const auto& m : rt_.allm) {
    char line[160];
    bool on_note = false;
    for (const auto& o : rt_.allm) on_note = on_note || m->blocked_on == &o->park;
    snprintf(line, sizeof line, "runtime: m%lld %s\n", static_cast<long long>(m->id),
             on_note ? "sleeps on its Note and nobody will wake it" : "waits for a runtime lock nobody will release");
    rt_.result.output += line;
  }
  fatal(rt_, "all Ms are blocked - runtime deadlock!");
}
// coverage-excluded-end

}  // namespace gort::rt

#endif  // GORT_PLATFORM_SIM
