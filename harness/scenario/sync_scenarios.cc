// Built-in scenarios of the sync package (gort/sync.h): the classic
// programs on Mutex, RWMutex, WaitGroup, Once and Cond, each checking its
// own invariant, and one that must deadlock. The sync oracle judges each
// run's trace besides (mutual exclusion, WaitGroup, Once, Cond, semaphore
// order).
#include <array>
#include <cstdint>
#include <mutex>

#include "gort/sync.h"
#include "scenario/registry.h"
#include "scenario/scenario.h"

namespace gort::harness {
namespace {

// Every Atomic operation is a yield point where the default plan may
// inject a panic: these programs have dozens, so the plan injects at a
// lower rate (at most about a quarter of runs end in an injected panic).
constexpr const char* kSyncScenarioFaults =
    "panic-at-yield:p=0.002,panic-in-deferred-call:p=0.01,panic-after-wakeup:p=0.001,spurious-wakeup:p=0.1,"
    "clock-jump:p=0.02";

constexpr int kPhilosophers = 5;
constexpr int kMeals = 3;

// Dining philosophers who take the lower-numbered fork first: no cycle of
// waits, so all eat. A fork held by two at once is a broken Mutex.
void dining_philosophers() {
  std::array<Mutex, kPhilosophers> forks;
  std::array<Atomic<int>, kPhilosophers> users;
  WaitGroup wg;
  wg.add(kPhilosophers);
  for (int i = 0; i < kPhilosophers; i++) {
    go([&, i] {
      const int left = i;
      const int right = (i + 1) % kPhilosophers;
      const int first = left < right ? left : right;
      const int second = left < right ? right : left;
      for (int meal = 0; meal < kMeals; meal++) {
        std::lock_guard<Mutex> a(forks[first]);
        // TryLock first, as a polite philosopher would.
        if (!forks[second].try_lock()) forks[second].lock();
        std::lock_guard<Mutex> b(forks[second], std::adopt_lock);
        scenario_check(users[first].add(1) == 1, "a fork is in two hands");
        scenario_check(users[second].add(1) == 1, "a fork is in two hands");
        yield_point();  // eating
        users[first].add(-1);
        users[second].add(-1);
      }
      wg.done();
    });
  }
  wg.wait();
}

// Every philosopher takes the left fork, waits until all have, then
// reaches for the right: a cycle of waits, Go's deadlock fatal error.
void dining_philosophers_deadlock() {
  std::array<Mutex, kPhilosophers> forks;
  WaitGroup seated;
  WaitGroup fed;
  seated.add(kPhilosophers);
  fed.add(kPhilosophers);
  for (int i = 0; i < kPhilosophers; i++) {
    go([&, i] {
      forks[i].lock();
      seated.done();
      seated.wait();
      forks[(i + 1) % kPhilosophers].lock();  // never: its neighbour holds it
      fed.done();
    });
  }
  fed.wait();
}

// Transfers between accounts, each locked by its own Mutex (both locked in
// account order): money is neither made nor lost.
void bank_transfers() {
  constexpr int kAccounts = 4;
  constexpr int kClerks = 3;
  constexpr int kTransfers = 6;
  constexpr int64_t kOpening = 100;
  std::array<Mutex, kAccounts> locks;
  std::array<int64_t, kAccounts> balance;
  balance.fill(kOpening);
  WaitGroup wg;
  wg.add(kClerks);
  for (int c = 0; c < kClerks; c++) {
    go([&, c] {
      for (int t = 0; t < kTransfers; t++) {
        const int from = (c + t) % kAccounts;
        const int to = (c + 2 * t + 1) % kAccounts;
        if (from == to) continue;
        std::lock_guard<Mutex> a(locks[from < to ? from : to]);
        std::lock_guard<Mutex> b(locks[from < to ? to : from]);
        const int64_t amount = 1 + (c + t) % 7;
        const int64_t seen = balance[from];
        yield_point();  // a lost update, unless the lock holds
        balance[from] = seen - amount;
        balance[to] += amount;
      }
      wg.done();
    });
  }
  wg.wait();
  int64_t total = 0;
  for (int a = 0; a < kAccounts; a++) {
    std::lock_guard<Mutex> l(locks[a]);
    total += balance[a];
  }
  scenario_check(total == kAccounts * kOpening, "money was made or lost");
}

// Readers check a pair that writers keep equal; writers exclude everyone.
void rwmutex_readers_writers() {
  RWMutex rw;
  int64_t a = 0;
  int64_t b = 0;
  Atomic<int> readers_inside;
  WaitGroup wg;
  constexpr int kReaders = 3;
  constexpr int kWriters = 2;
  wg.add(kReaders + kWriters);
  for (int r = 0; r < kReaders; r++) {
    go([&] {
      for (int i = 0; i < 3; i++) {
        // Go's three ways in: RLock, RLocker's Lock, and TryRLock (which
        // fails while a writer holds or waits for the lock).
        if (i == 1) {
          rw.rlocker().lock();
        } else if (i != 2 || !rw.try_rlock()) {
          rw.rlock();
        }
        readers_inside.add(1);
        const int64_t x = a;
        yield_point();
        scenario_check(x == b, "a reader saw a half-done write");
        readers_inside.add(-1);
        if (i == 1)
          rw.rlocker().unlock();
        else
          rw.runlock();
      }
      wg.done();
    });
  }
  for (int w = 0; w < kWriters; w++) {
    go([&] {
      for (int i = 0; i < 3; i++) {
        if (!rw.try_lock()) rw.lock();
        std::lock_guard<RWMutex> l(rw, std::adopt_lock);
        scenario_check(readers_inside.load() == 0, "a writer with readers inside");
        a++;
        yield_point();
        b++;
      }
      wg.done();
    });
  }
  wg.wait();
  scenario_check(a == kWriters * 3 && b == a, "writes were lost");
}

// Fan-out to workers, fan-in through a WaitGroup: Wait returns only after
// every worker's Done, with every result in place.
void waitgroup_fan_out_fan_in() {
  constexpr int kWorkers = 6;
  std::array<int, kWorkers> results{};
  WaitGroup wg;
  for (int i = 0; i < kWorkers; i++) {
    wg.add(1);
    go([&, i] {
      yield_point();
      results[i] = i * i + 1;
      wg.done();
    });
  }
  // A second waiter besides main.
  auto checked = make_chan<bool>(1);
  go([&, checked] {
    wg.wait();
    for (int i = 0; i < kWorkers; i++) scenario_check(results[i] == i * i + 1, "Wait returned before a Done");
    checked.send(true);
  });
  wg.wait();
  for (int i = 0; i < kWorkers; i++) scenario_check(results[i] == i * i + 1, "Wait returned before a Done");
  checked.recv();
}

// Initialisers race through one Once: f runs once, and every caller sees
// its work done when its call returns. f has no fault site (a panicking f
// counts as done, and its callers then rightly see no work): it yields
// with gosched, a preemption only.
void once_racing_initialisers() {
  Once once;
  int runs = 0;
  int64_t config = 0;
  WaitGroup wg;
  constexpr int kCallers = 5;
  wg.add(kCallers);
  for (int i = 0; i < kCallers; i++) {
    go([&] {
      once.call([&] {
        runs++;
        gosched();  // a slow initialiser
        config = 42;
      });
      scenario_check(config == 42, "Once returned before f finished");
      wg.done();
    });
  }
  wg.wait();
  scenario_check(runs == 1, "Once ran f more than once");
}

// A bounded buffer on a Mutex and two Conds: items arrive in order, none
// lost or duplicated, the buffer never over capacity.
void cond_bounded_buffer() {
  constexpr int kCapacity = 2;
  constexpr int kItems = 12;
  Mutex mu;
  Cond not_full(mu);
  Cond not_empty(mu);
  std::array<int, kCapacity> ring{};
  int head = 0;
  int count = 0;
  auto done = make_chan<int64_t>(2);
  for (int producer = 0; producer < 2; producer++) {
    go([&, producer] {
      for (int i = 0; i < kItems / 2; i++) {
        std::unique_lock<Mutex> l(mu);
        while (count == kCapacity) not_full.wait();
        ring[(head + count) % kCapacity] = producer * 1000 + i;
        count++;
        scenario_check(count <= kCapacity, "the buffer overflowed");
        not_empty.signal();
      }
    });
  }
  for (int consumer = 0; consumer < 2; consumer++) {
    go([&, done] {
      int64_t sum = 0;
      for (int i = 0; i < kItems / 2; i++) {
        std::unique_lock<Mutex> l(mu);
        while (count == 0) not_empty.wait();
        sum += ring[head];
        head = (head + 1) % kCapacity;
        count--;
        not_full.broadcast();
      }
      done.send(sum);
    });
  }
  const int64_t total = done.recv() + done.recv();
  // Producer p sends p*1000 + 0..5.
  scenario_check(total == (0 + 1 + 2 + 3 + 4 + 5) * 2 + 1000 * 6, "items were lost or duplicated");
}

// Mutex starvation: a holder relocks at once after each unlock, which in
// normal mode beats a woken waiter that must first be scheduled. Once the
// waiter has waited over 1 ms (virtual in sim) the mutex turns to
// starvation mode and the next unlock hands it over: the holder gets it at
// most about 1 ms / 100 us more times.
void mutex_starvation() {
  Mutex mu;
  Atomic<int> holder_turns;
  Atomic<int> waiter_done;
  auto finished = make_chan<bool>(1);
  go([&, finished] {
    while (waiter_done.load() == 0) {
      mu.lock();
      holder_turns.add(1);
      sleep(std::chrono::microseconds(100));
      mu.unlock();
    }
    finished.send(true);
  });
  // Let the holder take it first.
  while (holder_turns.load() == 0) gosched();
  const int before = holder_turns.load();
  mu.lock();
  const int turns_while_waiting = holder_turns.load() - before;
  mu.unlock();
  waiter_done.store(1);
  scenario_check(turns_while_waiting <= 15, "a waiter starved past 1 ms and the mutex did not hand off");
  finished.recv();
}

// Go's misuse of the sync package: fatal errors (no recover stops them)
// and a panic, with Go's exact texts. Each program first does something
// right, so that the object is not trivially fresh.
void mutex_unlock_unlocked() {
  Mutex mu;
  auto done = make_chan<bool>();
  go([&mu, done] {
    mu.lock();
    mu.unlock();
    done.send(true);
  });
  done.recv();
  func([&mu](Frame& f) {
    f.defer([] { recover(); });  // a fatal error is not a panic
    mu.unlock();
  });
}

void rwmutex_runlock_unlocked() {
  RWMutex rw;
  rw.rlock();
  rw.runlock();
  rw.runlock();
}

void rwmutex_unlock_unlocked() {
  RWMutex rw;
  rw.lock();
  rw.unlock();
  rw.unlock();
}

void waitgroup_negative() {
  WaitGroup wg;
  wg.add(1);
  go([&wg] { wg.done(); });
  wg.wait();
  wg.done();
}

}  // namespace

void add_sync_scenarios(std::vector<Scenario>& s) {
  s.push_back({"dining-philosophers",
               "sync mutex waitgroup",
               "five philosophers, forks taken in order: all eat, no fork in two hands",
               dining_philosophers,
               {},
               64 * 1024,
               kSyncScenarioFaults});
  s.push_back({"dining-philosophers-deadlock",
               "sync mutex deadlock",
               "every philosopher holds the left fork and reaches for the right: deadlock",
               dining_philosophers_deadlock,
               {2, "all goroutines are asleep - deadlock!"}});
  s.push_back({"bank-transfers",
               "sync mutex",
               "transfers under per-account Mutexes: the total is conserved",
               bank_transfers,
               {}});
  s.push_back({"rwmutex-readers-writers",
               "sync rwmutex",
               "readers share an RWMutex, writers exclude them: no reader sees a half-done write",
               rwmutex_readers_writers,
               {},
               64 * 1024,
               kSyncScenarioFaults});
  s.push_back({"waitgroup-fan-out-fan-in",
               "sync waitgroup",
               "workers fan out, two waiters fan in: Wait returns after every Done",
               waitgroup_fan_out_fan_in,
               {}});
  s.push_back({"once-racing-initialisers",
               "sync once",
               "five callers race through one Once: f runs once, each call returns after it",
               once_racing_initialisers,
               {}});
  s.push_back({"cond-bounded-buffer",
               "sync cond mutex",
               "two producers, two consumers, a buffer of two on Mutex and Cond: nothing lost",
               cond_bounded_buffer,
               {}});
  s.push_back({"mutex-unlock-unlocked",
               "sync mutex misuse fatal",
               "Unlock of an unlocked Mutex: Go's fatal error, which recover cannot stop",
               mutex_unlock_unlocked,
               {2, "sync: unlock of unlocked mutex"}});
  s.push_back({"rwmutex-runlock-unlocked",
               "sync rwmutex misuse fatal",
               "RUnlock of an RWMutex not read-locked",
               rwmutex_runlock_unlocked,
               {2, "sync: RUnlock of unlocked RWMutex"}});
  s.push_back({"rwmutex-unlock-unlocked",
               "sync rwmutex misuse fatal",
               "Unlock of an RWMutex not write-locked",
               rwmutex_unlock_unlocked,
               {2, "sync: Unlock of unlocked RWMutex"}});
  s.push_back({"waitgroup-negative",
               "sync waitgroup misuse panic",
               "Done once too often: the WaitGroup panics",
               waitgroup_negative,
               {2, "", "sync: negative WaitGroup counter"}});
  s.push_back({"mutex-starvation",
               "sync mutex starvation timer",
               "a relocking holder and a waiter: past 1 ms of waiting the mutex hands off",
               mutex_starvation,
               {}});
}

}  // namespace gort::harness
