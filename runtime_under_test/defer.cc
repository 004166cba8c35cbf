// Go functions, deferred calls and deferreturn (Go's panic.go deferproc,
// deferreturn, and the frame half of recovery).
#include "defer.h"

#include <cxxabi.h>

#include <cassert>
#include <cstdio>
#include <exception>

#include "context.h"
#include "mutant.h"
#include "proc.h"
#include "yield.h"

// Activation and panic records live in the stack frames of the functions
// they describe and are linked from the G for exactly that long (the
// scopes below unlink them however the frame ends). GCC 12's
// -Wdangling-pointer cannot see the unlinking and flags the linking.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif

namespace gort::rt {
namespace {

// Records are carved from chunks of this many; chunks live until the run ends.
constexpr size_t kDeferChunk = 32;

void defer_free(P* pp, DeferRecord* d) {
  d->frame = nullptr;
  d->ops = nullptr;
  d->panic = nullptr;
  d->started = false;
  d->link = pp->deferpool;
  pp->deferpool = d;
}

[[gnu::noinline]] DeferRecord* defer_refill(Runtime& rt, P* pp) {
  auto chunk = std::make_unique<DeferRecord[]>(kDeferChunk);
  for (size_t i = 0; i < kDeferChunk; i++) defer_free(pp, &chunk[i]);
  rt.heaplock.lock();
  rt.defer_chunks.push_back(std::move(chunk));
  rt.heaplock.unlock();
  return pp->deferpool;
}

// The P's pool of free records, refilled a chunk at a time: no allocation
// per defer.
DeferRecord* defer_alloc(Runtime& rt, P* pp) {
  DeferRecord* d = pp->deferpool;
  if (d == nullptr) [[unlikely]]
    d = defer_refill(rt, pp);
  pp->deferpool = d->link;
  d->link = nullptr;
  return d;
}

// Pushes frame on gp's activation chain for the frame's lifetime.
// Invariant on exit, however it happens: the activation chain is back to
// what it was, and the frame owns no records.
class FrameScope {
 public:
  FrameScope(G* gp, Frame* frame) : gp_(gp), frame_(frame) {
    frame->activation_.parent = gp->top_activation;
    gp->top_activation = &frame->activation_;
  }
  ~FrameScope() {
    assert(frame_->deferred_ == 0 && "a frame ended with deferred calls not run");
    gp_->top_activation = frame_->activation_.parent;
  }
  FrameScope(const FrameScope&) = delete;
  FrameScope& operator=(const FrameScope&) = delete;

 private:
  G* gp_;
  Frame* frame_;
};

// Frees a running deferred call's record once its call is over, however
// the call ends (returned, or unwound past by a recovery or Goexit).
class DeferredCallScope {
 public:
  DeferredCallScope(G* gp, DeferRecord* d) : gp_(gp), d_(d) {}
  ~DeferredCallScope() {
    if (d_->ops != nullptr) d_->ops->destroy(d_->fn);
    d_->ops = nullptr;
    defer_free(getm()->p, d_);
    (void)gp_;
  }
  DeferredCallScope(const DeferredCallScope&) = delete;
  DeferredCallScope& operator=(const DeferredCallScope&) = delete;

 private:
  G* gp_;
  DeferRecord* d_;
};

// Go's `defer nilFunc()` panics when the call is due. Go's value is a
// runtime.Error whose text carries "runtime error: " (an errorString,
// unlike the channel panics' plainError).
void invoke_nil_func(void*, Frame*) {
  panic_runtime_error(*getg()->rt, "runtime error: invalid memory address or nil pointer dereference");
}
constexpr detail::ClosureOps kNilFuncOps = {0, 1, nullptr, invoke_nil_func, nullptr};

// deferreturn: the frame's records, newest first, at its normal end.
void deferreturn(G* gp, Frame* frame) {
  while (frame->deferred_ > 0) {
    DeferRecord* d = gp->defers;
    assert(d != nullptr && d->frame == frame && "deferreturn: the chain's top is not this frame's");
    run_deferred(gp, d, nullptr);
  }
}

}  // namespace

void run_deferred(G* gp, DeferRecord* d, Panic* p) {
  assert(gp->defers == d && !d->started);
  d->started = true;
  d->panic = p;
  DeferredCallScope release(gp, d);
  const detail::ClosureOps* ops = d->ops != nullptr ? d->ops : &kNilFuncOps;
  gp->defer_no_fault = d->no_fault;  // read by call_frame as it starts
  call_frame(gp, detail::ActivationKind::kDeferredCall, nullptr, ops, d->fn, p);
  if (p != nullptr) p->running = nullptr;  // its frame is gone
  // The call returned: nothing newer may remain, and nobody discarded it.
  // coverage-excluded-next: a broken runtime: a deferred call returned with newer records on the chain
  if (gp->defers != d) fatal(*gp->rt, "bad defer entry in panic");
  gp->defers = d->link;
  d->frame->deferred_--;
  d->panic = nullptr;
}

#if GORT_MUTANTS_BUILT
void drop_deferred_calls(G* gp) {
  while (DeferRecord* d = gp->defers) {
    gp->defers = d->link;
    d->link = nullptr;
    d->frame->deferred_--;
    // A started record's runner frees it when its call unwinds.
    if (d->started) continue;
    if (d->ops != nullptr) d->ops->destroy(d->fn);
    defer_free(getm()->p, d);
  }
}
#endif

bool call_frame(G* gp, detail::ActivationKind kind, const char* name, const detail::ClosureOps* ops, void* fn,
                Panic* runner) {
  Frame frame(gp, kind, name);
  FrameScope scope(gp, &frame);
  if (runner != nullptr) runner->running = &frame;
  bool recovered = false;
  bool body_started = false;
  const bool no_fault = kind == detail::ActivationKind::kDeferredCall && gp->defer_no_fault;
  gp->defer_no_fault = false;
  // A C++ exception that left the body, as the panic it becomes: raised
  // once its handler is over, so that no exception is being handled while
  // the deferred calls run. Moved out when raised, so that an abandoned
  // frame holds nothing.
  PanicValue foreign;
  for (;;) {
    try {
      if (foreign) gopanic(gp, std::move(foreign));
      if (!body_started) {
        body_started = true;
        if (kind == detail::ActivationKind::kDeferredCall && !no_fault) {
          fault_point(gp, FaultSite::kPanicInDeferredCall);
        }
        ops->invoke(fn, &frame);
        check_swallowed_unwinding(gp);
      }
      deferreturn(gp, &frame);
      return recovered;
    } catch (RecoveryUnwind& u) {
      if (u.resume_at != &frame) throw;
      u.delivered = true;
      recovered = true;
    } catch (GoexitUnwind&) {
      throw;
      // coverage-excluded-next: a thread cancellation unwinding a goroutine: gort never cancels its thread
    } catch (abi::__forced_unwind&) {
      throw;
    } catch (const std::exception& e) {
      foreign = PanicValue(CxxException(e.what()));
    } catch (...) {
      foreign = PanicValue(CxxException("unknown C++ exception"));
    }
    // Resumed here: everything newer than this frame is gone.
    assert(gp->top_activation == &frame.activation_);
  }
}

}  // namespace gort::rt

namespace gort::detail {

void deferproc(Frame* frame, const ClosureOps* ops, void* fn) {
  rt::G* gp = rt::getg();
  // coverage-excluded-next: API misuse: called outside gort::run (aborts with a message)
  if (gp == nullptr) {
    fprintf(stderr, "gort: Frame::defer called outside gort::run\n");
    abort();
  }
  rt::count_step(*gp->rt);
  // coverage-excluded-next: API misuse: Frame::defer called on another function's frame (a fatal error)
  if (gp->top_activation != &frame->activation_) {
    rt::fatal(*gp->rt, "defer on a frame that is not the innermost one (call Frame::defer only from its own function)");
  }
  rt::DeferRecord* d = rt::defer_alloc(*gp->rt, rt::getm()->p);
  if (ops != nullptr) {
    assert(ops->size <= kMaxDeferredCallableSize && ops->align <= kMaxDeferredCallableAlign);
    ops->move_to(d->fn, fn);
  }
  d->ops = ops;
  d->frame = frame;
  d->no_fault = false;
  if (rt::mutant_active(*gp->rt, Mutant::kDefersRunFifo)) {
    // Mutant defers-fifo: below the frame's earlier records, which then run first.
    // coverage-excluded-begin: the mutants build only: mutant defers-fifo
    rt::DeferRecord** at = &gp->defers;
    while (*at != nullptr && (*at)->frame == frame) at = &(*at)->link;
    d->link = *at;
    *at = d;
    // coverage-excluded-end
  } else {
    d->link = gp->defers;
    gp->defers = d;
  }
  frame->deferred_++;
}

void defer_sync_call(Frame* frame, const ClosureOps* ops, void* fn) {
  assert(ops != nullptr);
  deferproc(frame, ops, fn);
  rt::getg()->defers->no_fault = true;  // deferproc put it on top of the chain
}

bool call_func(const char* name, const ClosureOps* ops, void* fn) {
  rt::G* gp = rt::getg();
  // coverage-excluded-next: API misuse: called outside gort::run (aborts with a message)
  if (gp == nullptr) {
    fprintf(stderr, "gort: gort::func called outside gort::run\n");
    abort();
  }
  return rt::call_frame(gp, ActivationKind::kFunc, name, ops, fn, nullptr);
}

}  // namespace gort::detail
