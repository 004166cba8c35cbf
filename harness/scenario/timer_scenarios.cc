// Built-in scenarios over timers and the clock: many timers pending and
// due at once, timer channels read late and dropped before they fire,
// durations at the ends of virtual time's range. What Go promises: a
// sleep lasts at least its duration, an After channel receives a time at
// least its duration after the call, once, and the clock never goes back.
#include <chrono>
#include <cstdint>
#include <vector>

#include "scenario/registry.h"
#include "scenario/scenario.h"

namespace gort::harness {
namespace {

using namespace std::chrono_literals;

// More timers due at the same instant than the runtime fires in one
// batch, with more pending behind them: sleepers and After channels, some
// read on time, some read late (their value waits in the buffer), some
// dropped before they fire (the timer still holds its channel).
//
// Sleepers and Afters are never due at the same instant: the channel
// oracle cannot yet tell a timer's wake of a sleeper from the wake by the
// After send that the scheduler traces right after it (the trace's wake
// events carry no wait reason), and would report a correct run.
void timer_crowd() {
  constexpr int kSleepers = 70, kAfters = 80;
  const int64_t start = nanotime();
  auto woke = make_chan<int64_t>(kSleepers);
  for (int i = 0; i < kSleepers; i++) {
    // Half due together at 5 ms (more than one batch), the rest spread
    // over 1..35 ms, on whole milliseconds.
    const auto d =
        i % 2 == 0 ? std::chrono::nanoseconds(5ms) : std::chrono::nanoseconds(std::chrono::milliseconds(1 + i / 2));
    go([=] {
      sleep(d);
      int64_t now = nanotime();
      scenario_check(now - start >= d.count(), "timer-crowd: a sleep ended early");
      woke.send(now);
    });
  }
  // Afters on half milliseconds: half of them due together at 7.5 ms.
  auto after_d = [](int i) { return i % 2 == 0 ? 7500us : std::chrono::microseconds(i * 1000 + 500); };
  std::vector<Chan<int64_t>> afters;
  for (int i = 0; i < kAfters; i++) afters.push_back(after(after_d(i)));
  // Dropped early: a timer whose channel nobody holds any more still fires.
  for (int i = 0; i < 10; i++) (void)after(std::chrono::microseconds(2500 + i * 1000));
  int64_t last = start;
  for (int i = 0; i < kSleepers; i++) {
    int64_t t = woke.recv();
    scenario_check(t >= start, "timer-crowd: a wake-up before the start");
    last = t > last ? t : last;
  }
  scenario_check(nanotime() >= last, "timer-crowd: the clock went back");
  // Read late: every After fired long ago; each holds its firing time.
  sleep(100ms);
  for (int i = 0; i < kAfters; i++) {
    const int64_t d = std::chrono::nanoseconds(after_d(i)).count();
    auto [v, ok] = afters[i].recv_ok();
    scenario_check(ok && v >= start + d && v <= nanotime(), "timer-crowd: an After channel's time is wrong");
    scenario_check(!afters[i].try_recv().ready, "timer-crowd: an After channel fired twice");
  }
}

// Durations at the ends of the range: zero and negative ones return (or
// fire) at once; one of the longest representable durations saturates to
// "never" and loses every race; the clock stays monotonic throughout.
void timer_extremes() {
  const int64_t start = nanotime();
  sleep(0ns);
  sleep(-5s);
  scenario_check(nanotime() == start, "timer-extremes: a non-positive sleep took time");
  int64_t at = 0;
  auto now_ch = after(-1ms);
  auto zero_ch = after(0ns);
  scenario_check(now_ch.recv() >= start && zero_ch.recv() >= start, "timer-extremes: an immediate After misfired");
  sleep(1ms);
  // Now that the clock is past 0, the longest duration overflows it: the
  // deadline saturates at the end of time ("never").
  auto never = after(std::chrono::nanoseconds::max());
  auto far = after(std::chrono::hours(24 * 365 * 200));  // 200 years: near the end of the range
  // A goroutine sleeps "forever"; the run ends without it.
  go([] { sleep(std::chrono::nanoseconds::max()); });
  for (int i = 0; i < 5; i++) {
    int which = select({recv_case(never, at), recv_case(far, at), recv_case(after(1ms), at)});
    scenario_check(which == 2, "timer-extremes: a never-firing timer fired");
  }
  scenario_check(nanotime() - start >= 5'000'000, "timer-extremes: five 1 ms timeouts took less than 5 ms");
  scenario_check(!never.try_recv().ready && !far.try_recv().ready, "timer-extremes: a never-firing timer fired");
  // A long but representable sleep: virtual time jumps to it.
  sleep(std::chrono::hours(24 * 365));
  scenario_check(nanotime() - start >= int64_t{365} * 24 * 3600 * 1'000'000'000,
                 "timer-extremes: a year went by early");
}

// A timeout loop that always loses: a worker replies only after many
// timeouts; each select's timer left behind fires into a dropped channel.
// (Under the default plan, without clock jumps: the 3 ms timeouts and the
// 20 ms sleep are then never due at the same instant, which the channel
// oracle cannot yet judge; see timer-crowd.)
void timer_ticker() {
  auto reply = make_chan<int>();
  go([=] {
    sleep(20ms);
    reply.send(7);
  });
  const int64_t start = nanotime();
  int v = 0;
  int64_t at = 0;
  for (;;) {
    const int64_t round = nanotime();
    if (select({recv_case(reply, v), recv_case(after(3ms), at)}) == 0) break;
    scenario_check(at >= round + 3'000'000, "timer-ticker: a 3 ms timeout fired early");
  }
  scenario_check(v == 7, "timer-ticker: the reply was lost");
  scenario_check(nanotime() - start >= 20'000'000, "timer-ticker: the 20 ms reply came early");
}

// Go 1.19's Timer, Ticker and AfterFunc under any schedule and any clock
// jump: Stop returns true exactly when it prevented a firing (an AfterFunc
// it stopped never runs; one it did not stop has run or will), a stopped
// timer's Reset returns false, a timer sends once per start (Go's idiom
// `if !t.Stop() { <-t.C }` never blocks for good), and a ticker's channel
// holds at most one tick. (Waits
// are After channels, not sleeps: see timer-crowd on sleepers and timer
// sends due together.)
void timer_stop_reset() {
  // An AfterFunc raced by a Stop from another goroutine.
  auto ran = make_chan<int>(1);
  Timer f = after_func(2ms, [ran] { ran.send(1); });
  auto stopped = make_chan<bool>(1);
  go([f, stopped] {
    after(1ms).recv();
    stopped.send(f.stop());
  });
  if (stopped.recv()) {
    after(5ms).recv();
    scenario_check(!ran.try_recv().ready, "timer-stop-reset: a stopped AfterFunc ran");
  } else {
    scenario_check(ran.recv() == 1, "timer-stop-reset: an AfterFunc that Stop did not stop never ran");
  }
  // One Timer stopped, drained, reset and fired over and over.
  Timer t = new_timer(3ms);
  bool drained = false;  // t fired and its value was taken
  for (int i = 0; i < 6; i++) {
    if (!t.stop() && !drained) t.C.recv();  // it fired: its one value is there (or on its way)
    scenario_check(!t.reset(std::chrono::milliseconds(1 + i % 3)),
                   "timer-stop-reset: Reset of a stopped timer said active");
    drained = false;
    if (i % 2 == 0) {
      t.C.recv();
      drained = true;
      scenario_check(!t.stop(), "timer-stop-reset: Stop of a fired timer said it stopped it");
      scenario_check(!t.C.try_recv().ready, "timer-stop-reset: a timer sent twice");
    }
  }
  if (!t.stop() && !drained) t.C.recv();
  after(10ms).recv();
  scenario_check(!t.C.try_recv().ready, "timer-stop-reset: a stopped timer sent");
  // A ticker read slowly: at most one tick waits.
  Ticker tk = new_ticker(1ms);
  for (int i = 0; i < 3; i++) {
    after(4500us).recv();
    scenario_check(tk.C.len() <= 1, "timer-stop-reset: ticks queued up");
    int64_t at = 0;
    scenario_check(select({recv_case(tk.C, at)}) == 0 && at > 0, "timer-stop-reset: no tick");
  }
  // Go 1.19's Stop does not wait for a tick being sent on another M (a
  // clock jump may let time pass meanwhile): no check of late ticks here.
  tk.stop();
}

// The sleep-and-hope race, written correctly. A worker that never blocks
// before its reply races main's timeout: on hardware a slow worker loses
// to the timeout; in sim only time passing while the worker is runnable
// (Choice::kAdvanceClock) lets the timeout win, since otherwise the clock
// stands still until the worker has replied. The reply channel has room
// for a late reply, so the worker never blocks, and main drains it after
// a timeout: Go's promises hold either way (a timeout never before its
// duration, the reply's value intact, whichever comes first).
void timer_timeout_race() {
  constexpr int kWork = 10;
  auto reply = make_chan<int>(1);
  go([=] {
    int sum = 0;
    for (int i = 1; i <= kWork; i++) {
      sum += i;
      yield_point();  // a slow worker: time may pass at each step
    }
    reply.send(sum);
  });
  const int64_t start = nanotime();
  int v = 0;
  int64_t at = 0;
  if (select({recv_case(reply, v), recv_case(after(1s), at)}) == 0) {
    scenario_check(v == kWork * (kWork + 1) / 2, "timer-timeout-race: the reply's value is wrong");
  } else {
    scenario_check(at >= start + 1'000'000'000, "timer-timeout-race: the timeout fired early");
    scenario_check(reply.recv() == kWork * (kWork + 1) / 2, "timer-timeout-race: the late reply was lost");
  }
}

}  // namespace

void add_timer_scenarios(std::vector<Scenario>& s) {
  s.push_back({"timer-crowd",
               "timer sleep after heap",
               "150 timers, many due at once; After read late and dropped early",
               timer_crowd,
               {},
               64 * 1024,
               kBusiestScenarioFaults});
  s.push_back({"timer-extremes",
               "timer sleep after range",
               "zero, negative and near-infinite durations; the clock stays monotonic",
               timer_extremes,
               {},
               64 * 1024,
               kTimerScenarioFaults});
  s.push_back({"timer-ticker",
               "timer select after",
               "a timeout loop loses until a slow reply comes",
               timer_ticker,
               {},
               64 * 1024,
               kDefaultScenarioFaults});
  s.push_back({"timer-stop-reset",
               "timer ticker afterfunc",
               "Timer Stop/Reset, a raced AfterFunc and a slow Ticker keep Go's promises",
               timer_stop_reset,
               {},
               64 * 1024,
               kTimerScenarioFaults});
  s.push_back({"timer-timeout-race",
               "timer select after advance",
               "a timeout that ends while its runnable worker has not replied (time passing early)",
               timer_timeout_race,
               {},
               64 * 1024,
               kDefaultScenarioFaults});
}

}  // namespace gort::harness
