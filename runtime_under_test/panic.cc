// panic, recover and Goexit (Go's panic.go gopanic, gorecover, Goexit,
// printpanics).
#include <cassert>
#include <cstdio>
#include <cstdlib>

#include "context.h"
#include "defer.h"
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

// Puts p on gp's panic chain and activation chain for the life of the
// gopanic / goexit frame. Normally that frame never returns (the run ends,
// or a recovery unwinds it): then this removes p, unless the recovery
// already did, and the aborted panics under a recovered one go with their
// frames, as Go drops them from the chain.
class PanicScope {
 public:
  PanicScope(G* gp, Panic* p) : gp_(gp), p_(p) {
    p->link = gp->panic;
    gp->panic = p;
    p->activation.parent = gp->top_activation;
    gp->top_activation = &p->activation;
  }
  ~PanicScope() {
    if (gp_->panic == p_) gp_->panic = p_->link;
    gp_->top_activation = p_->activation.parent;
  }
  PanicScope(const PanicScope&) = delete;
  PanicScope& operator=(const PanicScope&) = delete;

 private:
  G* gp_;
  Panic* p_;
};

// Go's printpanics: oldest first, each newer one indented by a tab;
// Goexit records print nothing.
void append_panics(std::string& out, const Panic* p) {
  if (p->link != nullptr) {
    append_panics(out, p->link);
    if (!p->link->goexit) out += "\t";
  }
  if (p->goexit) return;
  out += "panic: ";
  out += p->value.to_string();
  if (p->recovered) out += " [recovered]";
  out += "\n";
}

// Go's throw from preprintpanics' deferred recover: v is the value of the
// panic that left an Error() called to print a panic. A string is quoted,
// anything else named by its type only (no more user code runs).
[[noreturn]] void fatal_panic_while_printing(G* gp, const PanicValue& v) {
  constexpr const char* kText = "panic while printing panic value";
  char msg[1024];
  if (const std::string* s = v.get<std::string>()) {
    snprintf(msg, sizeof msg, "%s: %s", kText, s->c_str());
  } else if (v.type() != nullptr) {
    // type_name's string dies before fatal: the run ends inside it.
    snprintf(msg, sizeof msg, "%s: type %s", kText, detail::type_name(*v.type()).c_str());
  } else {
    // panic(nil) in Error(): Go's recover sees nil and skips the throw,
    // then prints the unconverted value with its address; gort ends here.
    snprintf(msg, sizeof msg, "%s: nil", kText);
  }
  fatal(*gp->rt, msg);
}

// Go's preprintpanics: before anything is printed, every value on the
// chain, newest first, becomes its text, so that each Error() (user code,
// which may have side effects, panic or block) runs exactly once. A panic
// that leaves an Error() ends the run (gopanic sees printing_panics); so
// does a C++ exception leaving one (as if it had become a panic there).
void preprint_panics(G* gp) {
  struct Printing {
    G* gp;
    explicit Printing(G* g) : gp(g) { gp->printing_panics = true; }
    ~Printing() { gp->printing_panics = false; }  // a Goexit in Error() unwinds through here
  } printing(gp);
  for (Panic* p = gp->panic; p != nullptr; p = p->link) {
    if (p->goexit || !p->value.has_value() || p->value.get<std::string>() != nullptr) continue;
    bool threw = false;
    try {
      std::string text = p->value.to_string();
      p->value = PanicValue(std::move(text));
    } catch (const RecoveryUnwind&) {
      throw;
    } catch (const GoexitUnwind&) {
      throw;
    } catch (...) {
      threw = true;  // the run ends outside the handler: a handler left by a switch keeps its exception
    }
    if (threw) fatal(*gp->rt, "panic while printing panic value: type gort::CxxException");
  }
}

// Go's gorecover: caller is the activation that called recover.
PanicValue recover_for(G* gp, const detail::Activation* caller) {
  count_step(*gp->rt);
  Panic* p = gp->panic;
  // Mutant goexit-recoverable: a Goexit counts as a panic here.
  auto recoverable = [&] { return !p->goexit || mutant_active(*gp->rt, Mutant::kGoexitRecoverable); };
  // Mutant recover-nested-call: any function the deferred call runs may recover.
  auto direct = [&] {
    return &p->running->activation_ == caller || mutant_active(*gp->rt, Mutant::kRecoverFromNestedCall);
  };
  if (p != nullptr && recoverable() && !p->recovered && p->running != nullptr && direct()) {
    p->recovered = true;
    trace_event(*gp->rt, EventKind::kRecover, gp->goid);
    return p->value;
  }
  return PanicValue();
}

G* current_goroutine(const char* what) {
  G* gp = getg();
  // coverage-excluded-next: API misuse: called outside gort::run (aborts with a message)
  if (gp == nullptr) {
    fprintf(stderr, "gort: %s called outside gort::run; call it from a goroutine\n", what);
    abort();
  }
  return gp;
}

}  // namespace

// Destroyed undelivered: a user catch handler ended without rethrowing.
// The run cannot end from here (this runs inside __cxa_end_catch, before
// the exception's memory is freed): the G is marked, and the runtime
// reports it the next time it sees the G (check_swallowed_unwinding).
RecoveryUnwind::~RecoveryUnwind() {
  // coverage-excluded-next: API misuse: a catch (...) swallowed a recovery's unwinding (a fatal error)
  if (!delivered) getg()->swallowed_unwinding = "a recovered panic's unwinding";
}

GoexitUnwind::~GoexitUnwind() {
  // coverage-excluded-next: API misuse: a catch (...) swallowed Goexit's unwinding (a fatal error)
  if (!delivered) getg()->swallowed_unwinding = "Goexit's unwinding";
}

// coverage-excluded-begin: API misuse: a catch (...) swallowed gort's unwinding (a fatal error)
void report_swallowed_unwinding(G* gp) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s was caught and not rethrown (a catch (...) must rethrow)", gp->swallowed_unwinding);
  fatal(*gp->rt, msg);
}
// coverage-excluded-end

void run_panic_defers(G* gp, Panic* p) {
  for (;;) {
    DeferRecord* d = gp->defers;
    if (d == nullptr) return;
    if (d->started) {
      // A call interrupted by p: it will not be resumed. Its record is
      // freed by its runner when p's recovery (or the Goexit) unwinds it.
      if (d->panic != nullptr) d->panic->aborted = true;
      d->panic = nullptr;
      gp->defers = d->link;
      d->link = nullptr;
      d->frame->deferred_--;
      continue;
    }
    Frame* frame = d->frame;
    run_deferred(gp, d, p);
    if (!p->recovered) continue;
    assert(!p->goexit || mutant_active(*gp->rt, Mutant::kGoexitRecoverable));
    // Recovered: p leaves the chain now; the frame that deferred the call
    // returns normally -- unless p interrupted a Goexit, whose loop must go
    // on (Go's "bypassed recovery"): then the Goexit resumes instead.
    gp->panic = p->link;
    const void* resume_at = frame;
    if (gp->panic != nullptr && gp->panic->goexit && gp->panic->aborted) resume_at = gp->panic;
    throw RecoveryUnwind(resume_at);
  }
}

void gopanic(G* gp, PanicValue v) {
  Panic p;
  p.value = std::move(v);
  p.activation.kind = detail::ActivationKind::kPanic;
  p.activation.name = "panic";
  PanicScope scope(gp, &p);
  trace_event(*gp->rt, EventKind::kPanic, gp->goid);
  // Counted once p is on the chain: a budget that ends the run here
  // releases p's value with the chain (release_abandoned).
  count_step(*gp->rt);
  run_panic_defers(gp, &p);
  // Nothing recovered it.
  if (gp->printing_panics) fatal_panic_while_printing(gp, p.value);
  preprint_panics(gp);
  // Go's fatalpanic, for the whole chain: every value is text by now.
  Runtime& rt = *gp->rt;
  claim_run_end(rt);
  std::string& out = rt.result.output;
  append_panics(out, gp->panic);
  rt.result.panic = p.value.to_string();
  fatalpanic_traceback(rt, gp);
}

void goexit_with_defers(G* gp) {
  Panic p;
  p.goexit = true;
  p.activation.kind = detail::ActivationKind::kGoexit;
  p.activation.name = "runtime.Goexit";
  count_step(*gp->rt);
  trace_event(*gp->rt, EventKind::kGoexit, gp->goid);
  {
    PanicScope scope(gp, &p);
    for (;;) {
      try {
#if GORT_MUTANTS_BUILT
        // Mutant goexit-skips-defers: the chain is emptied unrun first.
        if (mutant_active(*gp->rt, Mutant::kGoexitSkipsDefers)) drop_deferred_calls(gp);
#endif
        run_panic_defers(gp, &p);
        break;
      } catch (RecoveryUnwind& u) {
        // A panic recovered during our deferred calls: carry on with them.
        if (u.resume_at != &p) throw;
        u.delivered = true;
        assert(gp->panic == &p && gp->top_activation == &p.activation);
      }
    }
  }
  throw GoexitUnwind();
}

void release_abandoned(G* gp) {
  for (Panic* p = gp->panic; p != nullptr; p = p->link) p->value = PanicValue();
}

}  // namespace gort::rt

namespace gort {

namespace detail {

void gopanic(PanicValue v) { rt::gopanic(rt::current_goroutine("gort::panic"), std::move(v)); }

void recover_as(Frame* frame) { (void)rt::recover_for(rt::current_goroutine("gort::recover"), &frame->activation_); }

}  // namespace detail

PanicValue recover() {
  rt::G* gp = rt::current_goroutine("gort::recover");
  // Only directly from the deferred call: the innermost activation must be
  // the frame the panic is running (a nested gort::func has its own).
  return rt::recover_for(gp, gp->top_activation);
}

void goexit() { rt::goexit_with_defers(rt::current_goroutine("gort::goexit")); }

}  // namespace gort
