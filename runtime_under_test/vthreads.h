// Virtual Ms (sim builds): every M of a run is a virtual thread on the OS
// thread that called run(), and every platform synchronisation operation
// (platform/sim/sim_platform.h) is a scheduling point where the run's
// Chooser picks the virtual thread that goes on (Choice::kRunM). So the
// runtime's own code on several Ms interleaves as the harness decides, and
// a race in it replays exactly from the decisions.
#ifndef GORT_VTHREADS_H
#define GORT_VTHREADS_H

#include <cstdint>

#include "gort/introspect.h"
#include "m.h"
#include "platform/platform.h"

#if defined(GORT_PLATFORM_SIM)

namespace gort::rt {

class Runtime;

// Invariants: running_ is the M whose context the OS thread is executing
// (tls_m); every other M either has not started (vstarted false, vctx
// starts it), or is switched out in switch_to with its context in vctx. An
// M with blocked_on set is not runnable. Only the running M calls in.
class VirtualMs final : public platform::VirtualThreads {
 public:
  explicit VirtualMs(Runtime& rt, M* first);
  VirtualMs(const VirtualMs&) = delete;
  VirtualMs& operator=(const VirtualMs&) = delete;

  void point() override;
  bool block(const void* key, int64_t deadline) override;
  void wake(const void* key) override;
  int32_t current() const override { return static_cast<int32_t>(running_->id); }
  platform::HeldLocks& held_locks() override { return running_->held_locks; }

  // Makes mp a runnable virtual thread that starts by calling start(mp) on
  // its g0's stack.
  void add(M* mp, void (*start)(void*));
  // The M's safe point before it resumes a goroutine: no runtime lock is
  // held and no operation is half done, so a snapshot taken while the M is
  // switched out here sees it quiescent.
  void safe_point();
  // The last kRunM question (introspect::run_m_question).
  void question(introspect::RunMQuestion& into) const;

 private:
  static bool runnable(const M* mp) { return mp->blocked_on == nullptr; }
  // Asks the Chooser which of the n options runs; opts_[0..n).
  M* ask(uint32_t n, bool current_can_run);
  void switch_to(M* next);
  [[noreturn]] void deadlock();

  Runtime& rt_;
  M* running_;
  M* opts_[kMaxMs] = {};
  uint32_t nopts_ = 0;
  bool opts_current_can_run_ = true;
};

}  // namespace gort::rt

#endif  // GORT_PLATFORM_SIM
#endif  // GORT_VTHREADS_H
