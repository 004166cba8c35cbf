// Built-in scenarios over channels, select and timers. Each states what Go
// guarantees under any schedule; the harness runs them under many seeds.
#include <chrono>
#include <vector>

#include "scenario/registry.h"
#include "scenario/scenario.h"

namespace gort::harness {
namespace {

using namespace std::chrono_literals;

// Three goroutines pass a ball round a ring of unbuffered channels: every
// hand-off is a rendezvous, and the ball arrives at each player in order.
void ping_pong() {
  constexpr int kPlayers = 3, kRounds = 20;
  std::vector<Chan<int>> ring;
  for (int i = 0; i < kPlayers; i++) ring.push_back(make_chan<int>());
  auto done = make_chan<int>();
  for (int p = 0; p < kPlayers; p++) {
    go([=] {
      for (int r = 0; r < kRounds; r++) {
        int ball = ring[p].recv();
        scenario_check(ball % kPlayers == p, "ping-pong: the ball skipped a player");
        if (p == kPlayers - 1 && r == kRounds - 1) {
          done.send(ball);
          return;
        }
        ring[(p + 1) % kPlayers].send(ball + 1);
      }
    });
  }
  ring[0].send(0);
  scenario_check(done.recv() == kPlayers * kRounds - 1, "ping-pong: the ball lost a pass");
}

// A pipeline of stages over buffered channels of different capacities,
// closed from the front: every value arrives once and in order.
void pipeline() {
  auto source = make_chan<int>(2);
  auto doubled = make_chan<int>(0);
  auto sink = make_chan<int>(5);
  go([=] {
    for (int i = 0; i < 50; i++) source.send(i);
    source.close();
  });
  go([=] {
    for (;;) {
      auto [v, ok] = source.recv_ok();
      if (!ok) break;
      doubled.send(2 * v);
    }
    doubled.close();
  });
  go([=] {
    for (;;) {
      auto [v, ok] = doubled.recv_ok();
      if (!ok) break;
      sink.send(v + 1);
    }
    sink.close();
  });
  int expect = 1;
  for (;;) {
    auto [v, ok] = sink.recv_ok();
    if (!ok) break;
    scenario_check(v == expect, "pipeline: a value was lost, duplicated or reordered");
    expect += 2;
  }
  scenario_check(expect == 101, "pipeline: the stream ended early");
}

// The concurrent prime sieve of Go's test/chan/sieve1.go: a chain of
// filter goroutines, one per prime found.
void prime_sieve() {
  auto numbers = make_chan<int>();
  go([=] {
    for (int i = 2;; i++) numbers.send(i);
  });
  const int primes[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47};
  Chan<int> in = numbers;
  for (int want : primes) {
    int prime = in.recv();
    scenario_check(prime == want, "prime-sieve: wrong prime");
    auto out = make_chan<int>();
    go([in, out, prime] {
      for (;;) {
        int n = in.recv();
        if (n % prime != 0) out.send(n);
      }
    });
    in = out;
  }
}

// Fan-in with select: two producers on their own channels, one consumer
// selecting over both until both are closed (a closed case is set to the
// nil channel so select never picks it again, the Go idiom).
void fan_in_select() {
  auto a = make_chan<int>(1), b = make_chan<int>();
  go([=] {
    for (int i = 0; i < 20; i++) a.send(1);
    a.close();
  });
  go([=] {
    for (int i = 0; i < 30; i++) b.send(100);
    b.close();
  });
  Chan<int> ca = a, cb = b;
  int sum = 0, v = 0;
  bool ok = false;
  while (!ca.is_nil() || !cb.is_nil()) {
    int i = select({recv_case(ca, v, &ok), recv_case(cb, v, &ok)});
    if (!ok)
      (i == 0 ? ca : cb) = Chan<int>();  // closed: nil it out
    else
      sum += v;
  }
  scenario_check(sum == 20 + 3000, "fan-in: values lost or duplicated");
}

// A worker pool fed by one channel and stopped by closing it: close is a
// broadcast, every worker sees it and reports, no job is done twice.
void worker_pool() {
  constexpr int kWorkers = 4, kJobs = 40;
  auto jobs = make_chan<int>(3);
  auto results = make_chan<int>(kJobs);
  auto exited = make_chan<int>(kWorkers);
  for (int w = 0; w < kWorkers; w++) {
    go([=] {
      for (;;) {
        auto [j, ok] = jobs.recv_ok();
        if (!ok) break;
        results.send(j);
      }
      exited.send(w);
    });
  }
  for (int j = 0; j < kJobs; j++) jobs.send(j);
  jobs.close();
  for (int w = 0; w < kWorkers; w++) exited.recv();
  std::vector<int> seen(kJobs, 0);
  for (int j = 0; j < kJobs; j++) seen[results.recv()]++;
  for (int n : seen) scenario_check(n == 1, "worker-pool: a job was done zero or two times");
}

// Timeouts with after(): a slow reply usually loses to the timer and a
// fast one usually beats it, but Go promises no order between a runnable
// goroutine and a timer: if main does not get to run before the slow
// reply is due, or the fast replier does not get to run before the
// timeout (in sim: time passing while they are runnable,
// Choice::kAdvanceClock), the other case wins. What Go does promise: a
// timeout never fires before its duration, a reply never comes before its
// sleep ends, and a reply that lost still arrives. (This scenario used to
// require the usual orders: the sleep-and-hope assumption the advance
// exists to catch.)
void timeouts() {
  const int64_t start = nanotime();
  auto slow = make_chan<int>(1), fast = make_chan<int>(1);
  go([=] {
    sleep(50ms);
    slow.send(1);
  });
  go([=] {
    sleep(1ms);
    fast.send(2);
  });
  int v = 0;
  int64_t at = 0;
  const int64_t first = nanotime();
  int i = select({recv_case(slow, v), recv_case(after(10ms), at)});
  if (i == 1) {
    scenario_check(at >= first + 10'000'000, "timeouts: a 10 ms timeout fired early");
  } else {
    scenario_check(v == 1 && nanotime() >= start + 50'000'000, "timeouts: the 50 ms reply came early");
  }
  const int64_t second = nanotime();
  i = select({recv_case(fast, v), recv_case(after(10ms), at)});
  if (i == 1) {
    scenario_check(at >= second + 10'000'000, "timeouts: a 10 ms timeout fired early");
    v = fast.recv();
  }
  scenario_check(v == 2, "timeouts: the 1 ms reply was lost");
}

// Producer/consumer at capacities 0, 1 and 8: conservation and FIFO.
void producer_consumer() {
  for (int cap : {0, 1, 8}) {
    auto c = make_chan<int>(cap);
    auto done = make_chan<bool>();
    go([=] {
      for (int i = 0; i < 100; i++) c.send(i);
      c.close();
    });
    go([=] {
      int next = 0;
      for (;;) {
        auto [v, ok] = c.recv_ok();
        if (!ok) break;
        scenario_check(v == next++, "producer-consumer: out of order");
      }
      scenario_check(next == 100, "producer-consumer: values lost");
      done.send(true);
    });
    done.recv();
  }
}

// Everybody waits for a partner that never comes: Go's deadlock verdict.
void deadlock() {
  auto c = make_chan<int>();
  go([=] { c.send(1); });
  go([=] { c.send(2); });
  c.recv();
  c.recv();
  c.recv();  // nobody is left to send
}

}  // namespace

void add_channel_scenarios(std::vector<Scenario>& s) {
  s.push_back({"ping-pong",
               "chan unbuffered",
               "a ball passed round a ring of three goroutines",
               ping_pong,
               {},
               64 * 1024,
               kBusyScenarioFaults});
  s.push_back({"pipeline",
               "chan buffered close",
               "three stages, closed from the front; order kept",
               pipeline,
               {},
               64 * 1024,
               kBusiestScenarioFaults});
  s.push_back({"prime-sieve",
               "chan goroutines",
               "Go's concurrent prime sieve, 15 primes",
               prime_sieve,
               {},
               64 * 1024,
               kBusiestScenarioFaults});
  s.push_back({"fan-in-select",
               "select nil close",
               "select over two producers, nil-ing closed cases",
               fan_in_select,
               {},
               64 * 1024,
               kBusyScenarioFaults});
  s.push_back({"worker-pool",
               "chan close broadcast",
               "four workers stopped by closing their job channel",
               worker_pool,
               {},
               64 * 1024,
               kBusyScenarioFaults});
  s.push_back({"timeouts", "select timer after", "after() beats a slow reply, loses to a fast one", timeouts, {}});
  s.push_back({"producer-consumer",
               "chan capacity",
               "capacities 0, 1 and 8: FIFO and conservation",
               producer_consumer,
               {},
               64 * 1024,
               kBusiestScenarioFaults});
  s.push_back({"deadlock",
               "deadlock chan",
               "all goroutines block: fatal error: all goroutines are asleep",
               deadlock,
               {2, "all goroutines are asleep - deadlock!"}});
}

}  // namespace gort::harness
