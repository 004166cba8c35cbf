#include "mutants/scenario_driver.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cassert>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "check/checker.h"
#include "gort/gort.h"
#include "isolation/child_process.h"
#include "scenario/scenario.h"
#include "strategy/pct.h"
#include "strategy/random_walk.h"

namespace gort::harness {
namespace {

// What the child tells the parent, in shared memory: progress before each
// run (so that a crash or a hang can be pinned on the run in progress),
// and the verdict when it stops by itself.
struct Shared {
  enum State : uint32_t { kRunning, kExhausted, kCaught };
  std::atomic<uint64_t> runs{0};  // runs started; the last one is in progress while kRunning
  std::atomic<uint32_t> scenario{0};
  std::atomic<uint64_t> seed{0};
  std::atomic<uint32_t> state{kRunning};
  char why[1024] = {};
};

[[noreturn]] void child_caught(Shared& shared, const std::string& why) {
  std::snprintf(shared.why, sizeof shared.why, "%s", why.c_str());
  shared.state.store(Shared::kCaught);
  std::fflush(nullptr);
  _exit(0);
}

// Forwards everything to the checker; the first broken invariant ends the
// child at once: the run would go on in a broken state, perhaps into a
// crash or a livelock that hides what went wrong first.
class StopAtViolation final : public Chooser {
 public:
  StopAtViolation(CheckingChooser& checker, Shared& shared) : checker_(checker), shared_(shared) {}
  uint32_t choose(Choice what, uint32_t n) override { return checker_.choose(what, n); }
  bool fire(FaultSite site) override { return checker_.fire(site); }
  uint32_t armed_faults() const override { return checker_.armed_faults(); }
  void event(const Event& e) override {
    checker_.event(e);
    if (const auto& failure = checker_.first_violation()) {
      child_caught(shared_, "invariant " + failure->first().invariant + ": " + failure->first().detail);
    }
  }

 private:
  CheckingChooser& checker_;
  Shared& shared_;
};

// Counts a run's yield points (kPreempt questions): PCT's estimate k.
class YieldPointCounter final : public Chooser {
 public:
  explicit YieldPointCounter(uint64_t seed) : walk_(seed) {}
  uint32_t choose(Choice what, uint32_t n) override {
    if (what == Choice::kPreempt) yield_points++;
    return walk_.choose(what, n);
  }
  uint64_t yield_points = 0;

 private:
  RandomWalk walk_;
};

// The Ps a seed's runs have: 1, 2, 4, 1, ... (the several-M mutants show
// only with more than one; the others at any).
uint32_t hunt_procs(uint64_t seed) {
  assert(seed >= 1 && "hunt seeds start at 1");
  constexpr uint32_t kProcs[] = {1, 2, 4};
  return kProcs[(seed - 1) % 3];
}

Config run_config(const Scenario& s, uint64_t seed, uint32_t mutant, Chooser* chooser, StackPool* pool) {
  Config cfg;
  cfg.seed = seed;
  cfg.procs = hunt_procs(seed);
  cfg.chooser = chooser;
  cfg.stack_size = s.stack_size;
  cfg.stack_pool = pool;
  cfg.max_steps = kHuntMaxSteps;
  cfg.mutant = mutant;
  return cfg;
}

// PCT's k per scenario, measured on the correct runtime (mutant 0, which
// the baseline showed healthy): the yield points of one random-walk run.
std::vector<uint64_t> estimate_steps(const std::vector<Scenario>& scenarios, StackPool* pool) {
  std::vector<uint64_t> steps;
  for (const Scenario& s : scenarios) {
    YieldPointCounter counter(1);
    gort::run(run_config(s, 1, 0, &counter, pool), s.program);
    steps.push_back(counter.yield_points > 0 ? counter.yield_points : 1);
  }
  return steps;
}

// One run's verdict: "" when it did what the scenario promises, nothing
// broke (an invariant, the oracle) and it ended within its step budget.
std::string run_once(const Scenario& s, uint64_t seed, uint32_t mutant, Strategy& strategy, Shared& shared,
                     StackPool* pool) {
  CheckingChooser checker(strategy);
  StopAtViolation watch(checker, shared);
  Result r = gort::run(run_config(s, seed, mutant, &watch, pool), s.program);
  if (r.fatal_error.rfind("step budget exceeded", 0) == 0) {
    return "livelock: no end within " + std::to_string(kHuntMaxSteps) + " steps";
  }
  std::string outcome = judge(s, r);
  if (!outcome.empty()) return "outcome: " + outcome;
  OracleVerdict verdict = checker.oracle_verdict();
  if (!verdict.ok()) {
    const TraceViolation& v = verdict.violations.front();
    return "oracle " + v.rule + ": " + v.explanation;
  }
  return "";
}

[[noreturn]] void child_main(Shared& shared, uint32_t mutant, HuntStrategy strategy, const ScenarioBudget& budget) {
  const std::vector<Scenario>& scenarios = all_scenarios();
  StackPool pool(256);
  std::vector<uint64_t> steps;
  if (strategy == HuntStrategy::kPct) steps = estimate_steps(scenarios, &pool);
  const auto start = std::chrono::steady_clock::now();
  uint64_t runs = 0;
  for (uint64_t seed = 1;; seed++) {
    for (uint32_t i = 0; i < scenarios.size(); i++) {
      double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (runs >= budget.runs || elapsed > budget.seconds) {
        shared.state.store(Shared::kExhausted);
        std::fflush(nullptr);
        _exit(0);
      }
      shared.scenario.store(i);
      shared.seed.store(seed);
      shared.runs.store(++runs);
      std::unique_ptr<Strategy> chooser;
      if (strategy == HuntStrategy::kPct) {
        chooser = std::make_unique<Pct>(seed, kHuntPctDepth, steps[i]);
      } else {
        chooser = std::make_unique<RandomWalk>(seed);
      }
      std::string why = run_once(scenarios[i], seed, mutant, *chooser, shared, &pool);
      if (!why.empty()) child_caught(shared, why);
    }
  }
}

std::string run_name(const Shared& shared) {
  const std::vector<Scenario>& scenarios = all_scenarios();
  uint32_t i = shared.scenario.load();
  const char* name = i < scenarios.size() ? scenarios[i].name : "?";
  const uint64_t seed = shared.seed.load();
  return std::string("scenario ") + name + " seed " + std::to_string(seed) + " procs " +
         std::to_string(hunt_procs(seed));
}

}  // namespace

const char* hunt_strategy_name(HuntStrategy s) { return s == HuntStrategy::kPct ? "PCT" : "random walk"; }

Catch hunt_in_scenarios(uint32_t mutant, HuntStrategy strategy, const ScenarioBudget& budget,
                        const std::string& log_path) {
  void* mem = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    std::perror("gort mutants: mmap");
    std::exit(2);
  }
  auto* shared = new (mem) Shared;
  std::fflush(nullptr);  // the child must not write our buffered output again
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("gort mutants: fork");
    std::exit(2);
  }
  if (pid == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    child_main(*shared, mutant, strategy, budget);
  }
  // The child stops by itself within its budget; past that by a margin,
  // or with no new run for run_timeout_seconds, it hangs.
  ChildEnd end =
      wait_child(pid, budget.seconds + 2 * budget.run_timeout_seconds + 60, &shared->runs, budget.run_timeout_seconds);
  Catch c;
  c.seconds = end.seconds;
  c.schedules = shared->runs.load();
  uint32_t state = shared->state.load();
  if (state == Shared::kExhausted && end.exited && end.exit_code == 0) {
    // c.schedules is the budget spent, nothing caught.
  } else if (state == Shared::kCaught) {
    c.caught = true;
    c.where = run_name(*shared);
    c.why = shared->why;
  } else if (end.timed_out) {
    c.caught = true;
    c.where = run_name(*shared);
    c.why = "hang: no progress for " + std::to_string(static_cast<int>(budget.run_timeout_seconds)) + " s";
  } else {
    c.caught = true;
    c.where = run_name(*shared);
    std::string how = end.signal != 0 ? "crash: " + signal_name(end.signal) : "exit " + std::to_string(end.exit_code);
    std::string last = last_line_of(log_path);
    c.why = last.empty() ? how : how + ": " + last;
  }
  shared->~Shared();
  munmap(mem, sizeof(Shared));
  return c;
}

}  // namespace gort::harness
