// The public API (include/gort/gort.h) on top of the scheduler.
#include <cassert>
#include <cstdio>
#include <cstdlib>

#include "context.h"
#include "gort/gort.h"
#include "hchan.h"
#include "mutant.h"
#include "proc.h"
#include "timer.h"
#include "yield.h"

namespace gort {

namespace rt {

// coverage-excluded-begin: API misuse: called outside gort::run (aborts with a message)
void abort_outside_run(const char* what, const char* advice) {
  fprintf(stderr, "gort: %s called outside gort::run; %s\n", what, advice);
  abort();
}
// coverage-excluded-end

}  // namespace rt

namespace {

rt::G* current_goroutine(const char* what) { return rt::goroutine_or_abort(what, "call it from a goroutine"); }

}  // namespace

namespace detail {

Result run(const Config& config, const ClosureOps* ops, void* main) {
  rt::Runtime runtime(config);
  return runtime.run(ops, main);
}

void newproc(const ClosureOps* ops, void* fn) {
  rt::G* gp = current_goroutine("gort::go");
  rt::Runtime& r = *gp->rt;
  rt::count_step(r);
  uint64_t newid = 0;
  uintptr_t gopc[rt::kGopcFrames];
  rt::caller_pcs(*gp, reinterpret_cast<uintptr_t>(__builtin_frame_address(0)), gopc, rt::kGopcFrames);
  rt::systemstack([&] {
    rt::G* newg = rt::newproc1(r, ops, fn);
    newid = newg->goid;
    for (int i = 0; i < rt::kGopcFrames; i++) newg->gopc[i] = gopc[i];
    newg->creator_name = rt::innermost_go_name(*gp);
    rt::runqput(r, rt::getm()->p, newg, /*next=*/true);
    // An idle P may now have work for another M (Go's newproc: wakep).
    rt::wakep(r);
  });
  rt::trace_event(r, EventKind::kGoCreate, gp->goid, newid);
  rt::preempt_point(gp);
}

int selectgo(const SelectCase* cases, size_t n, bool block) {
  rt::G* gp = current_goroutine("gort::select");
  rt::Runtime& r = *gp->rt;
  rt::count_step(r);
  // A case on a channel of another run: its memory is gone, never read.
  for (size_t i = 0; i < n; i++) {
    if (cases[i].c != nullptr && cases[i].run != r.run_id) rt::fatal_foreign_chan(r);
  }
  rt::yield_point(gp, FaultSite::kPanicBeforeChanOp);
  bool recv_ok = false;
  int chosen = rt::selectgo(r, cases, n, block, &recv_ok);
  if (r.decider.tracing()) {
    // The chosen case is a channel operation of its own for the oracle.
    if (chosen >= 0) {
      const SelectCase& cas = cases[chosen];
      rt::trace_chan_value(r, cas.is_send ? EventKind::kChanSend : EventKind::kChanRecv, gp->goid, cas.c->id, cas.elem,
                           cas.c->ops->size, cas.c->ops->trivial, cas.is_send ? 0 : recv_ok, gp->chan_order);
    }
    rt::trace_event(r, EventKind::kSelect, gp->goid, 0, chosen);
  }
  if (chosen >= 0) rt::after_op_fault_points(gp);
  return chosen;
}

void observe_select(const SelectCase* cases, size_t n, int chosen) {
  rt::G* gp = current_goroutine("gort::select's observation");
  rt::Runtime& r = *gp->rt;
  if (!r.decider.tracing()) return;
  if (chosen >= 0 && static_cast<size_t>(chosen) < n) {
    const SelectCase& cas = cases[chosen];
    int64_t aux = cas.is_send ? kApiDone : cas.ok != nullptr ? int64_t{*cas.ok} : kApiOkUnseen;
    rt::trace_chan_value(r, cas.is_send ? EventKind::kApiSend : EventKind::kApiRecv, gp->goid, cas.c->id, cas.elem,
                         cas.observed_size, /*trivial=*/true, aux, 0);
  }
  rt::trace_event(r, EventKind::kApiSelect, gp->goid, 0, chosen);
}

}  // namespace detail

namespace {

int64_t deadline_after(rt::Runtime& r, std::chrono::nanoseconds d) {
  int64_t now = r.clock.now();
  int64_t ns = d.count() < 0 ? 0 : d.count();
  return ns > INT64_MAX - now ? INT64_MAX : now + ns;  // saturate: "forever"
}

bool add_sleep_timer(rt::G* gp, void* t) {
  rt::addtimer(*gp->rt, rt::getm()->p, static_cast<rt::Timer*>(t));
  return true;
}

void wake_sleeper(rt::Runtime&, void* arg, int64_t) { rt::goready(static_cast<rt::G*>(arg), /*by_chan=*/0); }

// time.After's sendTime: a non-blocking send of the firing time.
void send_time(rt::Runtime&, void* arg, int64_t now) {
  auto* c = static_cast<rt::hchan*>(arg);
  int64_t v = now;
  rt::chansend_from_timer(c, &v);
  detail::chan_release(detail::ChanRef{c, c->rt->run_id});  // the timer's reference (a timer never outlives its run)
}

}  // namespace

int64_t nanotime() {
  rt::Runtime& r = *current_goroutine("gort::nanotime")->rt;
  // A step: in sim, time stands still while a goroutine spins on the clock.
  rt::count_step(r);
  return r.clock.now();
}

void sleep(std::chrono::nanoseconds d) {
  rt::G* gp = current_goroutine("gort::sleep");
  rt::count_step(*gp->rt);
  if (d.count() <= 0) return;
  rt::Timer* t = &gp->sleep_timer;
  *t = rt::Timer{};
  t->when = deadline_after(*gp->rt, d);
  t->f = wake_sleeper;
  t->arg = gp;
  // The timer goes in only once the G is waiting: its firing readies it.
  rt::gopark(add_sleep_timer, t, rt::WaitReason::kSleep);
  rt::after_op_fault_points(gp);
}

Chan<int64_t> after(std::chrono::nanoseconds d) {
  rt::G* gp = current_goroutine("gort::after");
  rt::Runtime& r = *gp->rt;
  rt::count_step(r);
  Chan<int64_t> c = make_chan<int64_t>(1);
  rt::Timer* t = rt::new_runtime_timer(r);
  t->when = deadline_after(r, d);
  t->f = send_time;
  t->arg = c.raw();
  detail::chan_retain(c.ref());
  rt::addtimer(r, rt::getm()->p, t);
  return c;
}

void gosched() {
  rt::count_step(*current_goroutine("gort::gosched")->rt);
  rt::gosched();
}

void yield_point() {
  rt::G* gp = current_goroutine("gort::yield_point");
  rt::count_step(*gp->rt);
  rt::trace_event(*gp->rt, EventKind::kYield, gp->goid);
  rt::yield_point(gp, FaultSite::kPanicAtYield);
}

uint64_t goid() { return current_goroutine("gort::goid")->goid; }

void expect_leak() {
  rt::G* gp = current_goroutine("gort::expect_leak");
  assert(!gp->is_g0);
  gp->leak_expected = true;
}

int num_goroutine() {
  // Acquire (in the sum): a goroutine counted out has done everything it
  // did (goexit0).
  return rt::live_goroutines(*current_goroutine("gort::num_goroutine")->rt);
}

GoroutineState goroutine_state(uint64_t goid) {
  rt::Runtime& r = *current_goroutine("gort::goroutine_state")->rt;
  GoroutineState st;
  // Other Ms change these Gs as we read: each field is read once, atomically.
  r.allglock.lock();
  for (const auto& g : r.allgs) {
    const rt::Gstatus status = rt::load_acquire(g->status);
    if (g->is_g0 || rt::load_relaxed(g->goid) != goid || status == rt::Gstatus::kDead || status == rt::Gstatus::kIdle) {
      continue;
    }
    st.exists = true;
    st.waiting = status == rt::Gstatus::kWaiting;
    st.wait_reason = st.waiting ? rt::waitreason_string(rt::load_relaxed(g->waitreason)) : "";
  }
  r.allglock.unlock();
  return st;
}

// coverage-excluded-next: asked by gort mutants and the mutants build's test binaries
bool mutants_built() { return GORT_MUTANTS_BUILT; }

}  // namespace gort
