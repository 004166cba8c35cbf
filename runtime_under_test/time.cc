// gort/time.h's Timer, Ticker, after_func and tick (Go 1.19's
// time/sleep.go and time/tick.go) on the runtime's timers: the handles'
// Stop and Reset are Go's deltimer and modtimer on the timer's home P.
#include <cassert>
#include <memory>

#include "gort/gort.h"
#include "hchan.h"
#include "proc.h"
#include "timer.h"
#include "yield.h"

namespace gort {
namespace {

rt::G* current_goroutine(const char* what) { return rt::goroutine_or_abort(what, "call it from a goroutine"); }

// Go's time.when: d from now, at once if d <= 0, saturating at the end of
// time.
int64_t when(rt::Runtime& r, std::chrono::nanoseconds d) {
  const int64_t now = r.clock.now();
  if (d.count() <= 0) return now;
  return d.count() > INT64_MAX - now ? INT64_MAX : now + d.count();
}

// Go's sendTime: a non-blocking send of the firing time (a ticker's tick
// is dropped if the last one was not received).
void send_time(rt::Runtime&, void* arg, int64_t now) {
  auto* at = static_cast<rt::ApiTimer*>(arg);
  assert(at->c != nullptr);
  int64_t v = now;
  rt::chansend_from_timer(at->c, &v);
}

// Go's goFunc: `go f()`, from the timer (on g0). A goroutine the runtime
// starts: its creator is goroutine 0 in the trace.
void go_func(rt::Runtime& r, void* arg, int64_t) {
  auto* at = static_cast<rt::ApiTimer*>(arg);
  std::function<void()>* f = &at->func;  // lives until the run ends
  auto body = [f] { (*f)(); };
  const bool nil = !*f;
  rt::G* newg = rt::newproc1(r, nil ? nullptr : &detail::kClosureOps<decltype(body)>, nil ? nullptr : &body);
  rt::runqput(r, rt::getm()->p, newg, /*next=*/true);
  rt::wakep(r);
  rt::trace_event(r, EventKind::kGoCreate, 0, newg->goid);
}

// A new timer of gort/time.h, homed on the caller's P. c: the channel it
// sends on (its reference is the timer's for the run), or null.
rt::ApiTimer* new_api_timer(rt::G* gp, void (*f)(rt::Runtime&, void*, int64_t), rt::hchan* c) {
  rt::Runtime& r = *gp->rt;
  auto owned = std::make_unique<rt::ApiTimer>();
  rt::ApiTimer* at = owned.get();
  at->t.f = f;
  at->t.arg = at;
  at->t.home = rt::getm()->p;
  assert(at->t.home != nullptr && "a running goroutine's M has a P");
  at->c = c;
  r.heaplock.lock();
  r.api_timers.push_back(std::move(owned));
  r.heaplock.unlock();
  return at;
}

Chan<int64_t> timer_chan(rt::Runtime& r) {
  (void)r;
  Chan<int64_t> c = make_chan<int64_t>(1);
  detail::chan_retain(c.ref());  // the timer's: it sends until the run ends
  return c;
}

}  // namespace

Timer new_timer(std::chrono::nanoseconds d) {
  rt::G* gp = current_goroutine("gort::new_timer");
  rt::Runtime& r = *gp->rt;
  rt::count_step(r);
  Timer t;
  t.C = timer_chan(r);
  t.r_ = new_api_timer(gp, send_time, t.C.raw());
  rt::modtimer(r, &t.r_->t, when(r, d), 0);
  return t;
}

Timer after_func(std::chrono::nanoseconds d, std::function<void()> f) {
  rt::G* gp = current_goroutine("gort::after_func");
  rt::Runtime& r = *gp->rt;
  rt::count_step(r);
  Timer t;
  t.r_ = new_api_timer(gp, go_func, nullptr);
  t.r_->func = std::move(f);
  rt::modtimer(r, &t.r_->t, when(r, d), 0);
  return t;
}

bool Timer::stop() const {
  rt::G* gp = current_goroutine("gort::Timer::stop");
  if (r_ == nullptr) panic("time: Stop called on uninitialized Timer");
  rt::count_step(*gp->rt);
  return rt::deltimer(*gp->rt, &r_->t);
}

bool Timer::reset(std::chrono::nanoseconds d) const {
  rt::G* gp = current_goroutine("gort::Timer::reset");
  if (r_ == nullptr) panic("time: Reset called on uninitialized Timer");
  rt::Runtime& r = *gp->rt;
  rt::count_step(r);
  return rt::modtimer(r, &r_->t, when(r, d), 0);
}

Ticker new_ticker(std::chrono::nanoseconds d) {
  rt::G* gp = current_goroutine("gort::new_ticker");
  if (d.count() <= 0) panic(ErrorString("non-positive interval for NewTicker"));
  rt::Runtime& r = *gp->rt;
  rt::count_step(r);
  Ticker t;
  t.C = timer_chan(r);
  t.r_ = new_api_timer(gp, send_time, t.C.raw());
  rt::modtimer(r, &t.r_->t, when(r, d), d.count());
  return t;
}

void Ticker::stop() const {
  rt::G* gp = current_goroutine("gort::Ticker::stop");
  rt::count_step(*gp->rt);
  if (r_ == nullptr) return;  // Go's zero Ticker: stopTimer of an unused timer
  rt::deltimer(*gp->rt, &r_->t);
}

void Ticker::reset(std::chrono::nanoseconds d) const {
  rt::G* gp = current_goroutine("gort::Ticker::reset");
  if (d.count() <= 0) panic("non-positive interval for Ticker.Reset");
  if (r_ == nullptr) panic("time: Reset called on uninitialized Ticker");
  rt::Runtime& r = *gp->rt;
  rt::count_step(r);
  rt::modtimer(r, &r_->t, when(r, d), d.count());
}

Chan<int64_t> tick(std::chrono::nanoseconds d) {
  current_goroutine("gort::tick");
  if (d.count() <= 0) return Chan<int64_t>();
  return new_ticker(d).C;
}

}  // namespace gort
