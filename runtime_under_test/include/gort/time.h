// Time: Go's time.Sleep, After, Timer, Ticker, AfterFunc and Tick, on the
// runtime's clock (Go 1.19's time/sleep.go and time/tick.go).
//
// Times are the runtime's nanotime() (Go's channels carry a time.Time;
// gort's carry its monotonic reading). Timer and Ticker are handles (Go's
// *Timer, *Ticker): copies share one timer, which the runtime keeps until
// the run ends.
//
// In sim builds the clock is virtual: it starts at 0 for every run and
// jumps to the next timer when nothing else can run, so a goroutine that
// sleeps an hour costs microseconds. In os builds it is CLOCK_MONOTONIC and
// an idle M sleeps until its next timer.
#ifndef GORT_TIME_H
#define GORT_TIME_H

#include <chrono>
#include <cstdint>
#include <functional>

#include "gort/chan.h"

namespace gort {

namespace rt {
struct ApiTimer;
}

// The runtime's monotonic clock, in nanoseconds (virtual in sim).
int64_t nanotime();

// time.Sleep(d): parks the goroutine for at least d (d <= 0 returns at once).
void sleep(std::chrono::nanoseconds d);

// time.After(d): a channel (capacity 1) that receives nanotime() once, at
// least d from now. Usable as a select case like any channel.
Chan<int64_t> after(std::chrono::nanoseconds d);

// Go's *time.Timer: fires once, d after new_timer or the last reset,
// sending nanotime() on C (capacity 1), or, made by after_func, starting
// its function on a goroutine of its own (C is nil).
class Timer {
 public:
  Timer() = default;  // Go's zero Timer: stop and reset panic

  // Go's Timer.Stop: prevents the firing; returns true if that stopped it,
  // false if it had already fired or been stopped. It does not drain C.
  bool stop() const;
  // Go's Timer.Reset: fires d from now (d <= 0: at once); returns whether
  // it was still pending. Go's advice holds: reset only a stopped or
  // fired timer whose C is drained.
  bool reset(std::chrono::nanoseconds d) const;

  Chan<int64_t> C;

 private:
  friend Timer new_timer(std::chrono::nanoseconds d);
  friend Timer after_func(std::chrono::nanoseconds d, std::function<void()> f);
  rt::ApiTimer* r_ = nullptr;
};

// Go's time.NewTimer(d).
Timer new_timer(std::chrono::nanoseconds d);
// Go's time.AfterFunc(d, f): after d, `go f()` (an empty f: the fatal error
// "go of nil func value" then). Stop prevents it; it never waits for f.
Timer after_func(std::chrono::nanoseconds d, std::function<void()> f);

// Go's *time.Ticker: sends nanotime() on C (capacity 1) every period,
// dropping ticks a slow receiver has not taken (the send never blocks).
class Ticker {
 public:
  Ticker() = default;  // Go's zero Ticker: reset panics, stop does nothing

  // Go's Ticker.Stop: no more ticks (C is not closed, nor drained).
  void stop() const;
  // Go's Ticker.Reset: stops it and restarts it with period d (panics
  // "non-positive interval for Ticker.Reset" if d <= 0).
  void reset(std::chrono::nanoseconds d) const;

  Chan<int64_t> C;

 private:
  friend Ticker new_ticker(std::chrono::nanoseconds d);
  rt::ApiTimer* r_ = nullptr;
};

// Go's time.NewTicker(d): panics with the error "non-positive interval for
// NewTicker" if d <= 0.
Ticker new_ticker(std::chrono::nanoseconds d);
// Go's time.Tick(d): a ticker's channel, never stopped; nil if d <= 0.
Chan<int64_t> tick(std::chrono::nanoseconds d);

}  // namespace gort

#endif  // GORT_TIME_H
