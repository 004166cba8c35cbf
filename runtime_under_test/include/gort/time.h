// Time: Go's time.Sleep and time.After, on the runtime's clock.
//
// In sim builds the clock is virtual: it starts at 0 for every run and
// jumps to the next timer when nothing else can run, so a goroutine that
// sleeps an hour costs microseconds. In os builds it is CLOCK_MONOTONIC and
// an idle M sleeps until its next timer.
#ifndef GORT_TIME_H
#define GORT_TIME_H

#include <chrono>
#include <cstdint>

#include "gort/chan.h"

namespace gort {

// The runtime's monotonic clock, in nanoseconds (virtual in sim).
int64_t nanotime();

// time.Sleep(d): parks the goroutine for at least d (d <= 0 returns at once).
void sleep(std::chrono::nanoseconds d);

// time.After(d): a channel (capacity 1) that receives nanotime() once, at
// least d from now. Usable as a select case like any channel.
Chan<int64_t> after(std::chrono::nanoseconds d);

}  // namespace gort

#endif  // GORT_TIME_H
