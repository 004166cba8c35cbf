// Async preemption in sim, deterministic (the fault site async-preempt):
// where a preemption lands is the chooser's decision (Choice::
// kAsyncPreemptAt), so a run is a pure function of its chooser's answers,
// and every register survives a preemption at an arbitrary instruction.
// sim only (spec_sim_test); the os side is async_preempt_test.cc.
#include <gtest/gtest.h>

#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "arch/async_image.h"
#include "gort/gort.h"
#include "gort/hooks.h"
#include "gort/sync.h"

namespace {

// Skips, saying why, where sim cannot single-step itself.
#define REQUIRE_SIM_SINGLE_STEP()                                                                       \
  do {                                                                                                  \
    if (!GORT_ARCH_SINGLE_STEP || gort_arch_async_preempt_supported() == 0)                             \
      GTEST_SKIP() << "this CPU port cannot single-step from user mode (arch.h GORT_ARCH_SINGLE_STEP)"; \
  } while (0)

// Fires the site at every question asked, lands each preemption where a
// seeded stream says, and answers every other decision as Go does (0).
// Records, per async preemption, which goroutine it landed in.
class AsyncChooser final : public gort::Chooser {
 public:
  explicit AsyncChooser(uint64_t seed, uint32_t fire_one_in = 1) : rng_(seed), one_in_(fire_one_in) {}
  uint32_t choose(gort::Choice what, uint32_t n) override {
    if (what != gort::Choice::kAsyncPreemptAt) return 0;
    landings_asked++;
    return static_cast<uint32_t>(next() % n);
  }
  bool fire(gort::FaultSite s) override { return s == gort::FaultSite::kAsyncPreempt && next() % one_in_ == 0; }
  uint32_t armed_faults() const override { return 1u << static_cast<unsigned>(gort::FaultSite::kAsyncPreempt); }
  void event(const gort::Event& e) override {
    if (e.kind == gort::EventKind::kGoPreempt && e.aux == 1) preempted.push_back(e.goid);
  }
  std::vector<uint64_t> preempted;  // goroutine ids, one per async preemption, in order
  uint64_t landings_asked = 0;

 private:
  uint64_t next() {  // SplitMix64
    uint64_t z = (rng_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t rng_;
  uint32_t one_in_;
};

gort::Config sim_config(gort::Chooser* chooser, uint32_t procs = 1) {
  gort::Config cfg;
  cfg.procs = procs;
  cfg.chooser = chooser;
  cfg.max_steps = 200'000;
  return cfg;
}

// A goroutine that spins on a flag with no yield point: in sim, where
// nothing else interrupts a goroutine, only an async preemption lets the
// setter run (Go's TestAsyncPreempt, deterministic).
GORT_PREEMPTIBLE void spin_until(const std::atomic<bool>* flag, uint64_t* spins) {
  while (!flag->load(std::memory_order_relaxed)) ++*spins;
}

TEST(AsyncPreemptSim, ASpinningGoroutineIsPreemptedSoItsSetterRuns) {
  REQUIRE_SIM_SINGLE_STEP();
  for (uint64_t seed = 1; seed <= 8; seed++) {
    AsyncChooser chooser(seed);
    std::atomic<bool> flag{false};
    uint64_t spins = 0;
    gort::Result r = gort::run(sim_config(&chooser), [&] {
      gort::WaitGroup wg;
      wg.add(1);
      gort::go([&] {
        // The setter waits in runnext (Go's choice for a new goroutine)
        // while its creator spins.
        gort::go([&] { flag.store(true, std::memory_order_relaxed); });
        spin_until(&flag, &spins);
        wg.done();
      });
      wg.wait();
    });
    ASSERT_TRUE(r.ok()) << "seed " << seed << ": " << r.output;
    EXPECT_GE(r.async_preemptions, 1u) << "seed " << seed << ": the spinner ended without a preemption";
    EXPECT_FALSE(chooser.preempted.empty()) << "seed " << seed << ": no kGoPreempt (async) in the trace";
    EXPECT_GE(chooser.landings_asked, r.async_preemptions) << "a preemption landed without its decision";
  }
}

// Off (Config::async_preempt = false), the site is never asked: no
// landing decision, no preemption, and code with yield points runs as
// before.
TEST(AsyncPreemptSim, OffMeansTheSiteIsNeverAsked) {
  AsyncChooser chooser(1);
  gort::Config cfg = sim_config(&chooser);
  cfg.async_preempt = false;
  int sum = 0;
  gort::Result r = gort::run(cfg, [&] {
    gort::Chan<int> c = gort::make_chan<int>(0);
    gort::go([c]() mutable {
      for (int i = 1; i <= 10; i++) c.send(i);
    });
    for (int i = 0; i < 10; i++) sum += c.recv();
  });
  ASSERT_TRUE(r.ok()) << r.output;
  EXPECT_EQ(sum, 55);
  EXPECT_EQ(r.async_preemptions, 0u);
  EXPECT_EQ(chooser.landings_asked, 0u);
}

// Two goroutines add to a counter in preemptible loops, non-atomically.
// Each returns the values it saw, so a run's whole interleaving is in the
// result.
GORT_PREEMPTIBLE void add_many(volatile int64_t* counter, int n, int64_t* seen) {
  for (int i = 0; i < n; i++) {
    const int64_t v = *counter;
    *counter = v + 1;
    *seen += v;
  }
}

struct Interleaving {
  int64_t counter = 0;
  int64_t seen[2] = {0, 0};
  std::vector<uint64_t> preempted;
  uint64_t async_preemptions = 0;
  bool operator==(const Interleaving& o) const {
    return counter == o.counter && seen[0] == o.seen[0] && seen[1] == o.seen[1] && preempted == o.preempted &&
           async_preemptions == o.async_preemptions;
  }
};

Interleaving run_adders(uint64_t seed, uint32_t procs) {
  AsyncChooser chooser(seed);
  Interleaving out;
  volatile int64_t counter = 0;
  gort::Result r = gort::run(sim_config(&chooser, procs), [&] {
    gort::WaitGroup wg;
    wg.add(2);
    for (int g = 0; g < 2; g++) {
      gort::go([&, g] {
        add_many(&counter, 200, &out.seen[g]);
        wg.done();
      });
    }
    wg.wait();
  });
  EXPECT_TRUE(r.ok()) << r.output;
  out.counter = counter;
  out.preempted = chooser.preempted;
  out.async_preemptions = r.async_preemptions;
  return out;
}

TEST(AsyncPreemptSim, WhereItLandsIsAPureFunctionOfTheChoosersAnswers) {
  REQUIRE_SIM_SINGLE_STEP();
  int lost = 0;
  int differ = 0;
  Interleaving first_seed;
  for (uint64_t seed = 1; seed <= 10; seed++) {
    for (uint32_t procs : {1u, 2u}) {
      const Interleaving a = run_adders(seed, procs);
      const Interleaving b = run_adders(seed, procs);
      EXPECT_TRUE(a == b) << "seed " << seed << " procs " << procs << ": counter " << a.counter << " vs " << b.counter
                          << ", " << a.async_preemptions << " vs " << b.async_preemptions << " preemptions";
      EXPECT_GE(a.async_preemptions, 1u) << "seed " << seed << ": nothing landed";
      if (a.counter < 400) lost++;
      if (seed == 1 && procs == 1) first_seed = a;
      if (!(a == first_seed)) differ++;
    }
  }
  // The decisions matter: other answers, other interleavings, and some of
  // them lose an update (a preemption between the load and the store).
  EXPECT_GT(differ, 0) << "every seed interleaved the same way";
  EXPECT_GT(lost, 0) << "no seed preempted between a load and its store in 20 runs";
}

// The register torture under sim's preemptions: each round the probe holds
// random values in every register of the contract while preemptions land
// at chosen instructions, and two goroutines share the thread, so a
// register a preemption forgets holds the other's value.
GORT_PREEMPTIBLE void torture_round(const uint64_t* in, uint64_t* out, int level) {
  gort_arch_probe_async_regs(in, out, level);
}

TEST(AsyncPreemptSim, RegisterTortureEveryBitSurvives) {
  REQUIRE_SIM_SINGLE_STEP();
  const int level = gort_arch_async_vector_level();
  const std::vector<gort::arch_image::Word> words = gort::arch_image::compared_words(level);
  AsyncChooser chooser(7);
  std::string failure;
  uint64_t rounds = 0;
  gort::Result r = gort::run(sim_config(&chooser), [&] {
    gort::WaitGroup wg;
    wg.add(2);
    for (int g = 0; g < 2; g++) {
      gort::go([&, g] {
        std::vector<uint64_t> in(GORT_ARCH_ASYNC_WORDS), out(GORT_ARCH_ASYNC_WORDS);
        uint64_t rng = static_cast<uint64_t>(g) + 1;
        for (int round = 0; round < 40 && failure.empty(); round++) {
          gort::arch_image::random_image(in.data(), rng, round);
          torture_round(in.data(), out.data(), level);
          std::string diff = gort::arch_image::compare(words, level, in.data(), out.data());
          if (!diff.empty())
            failure = "goroutine " + std::to_string(g) + " round " + std::to_string(round) + ": " + diff;
          rounds++;
          gort::yield_point();  // the next round's arming
        }
        wg.done();
      });
    }
    wg.wait();
  });
  ASSERT_TRUE(r.ok()) << r.output;
  EXPECT_EQ(failure, "") << "a register changed across " << r.async_preemptions << " async preemptions";
  EXPECT_GE(r.async_preemptions, rounds / 2) << "most rounds should take a preemption inside the probe";
  std::printf("[ torture  ] sim level %d: %" PRIu64 " async preemptions, %" PRIu64 " rounds, %zu words per round\n",
              level, r.async_preemptions, rounds, words.size());
}

}  // namespace
