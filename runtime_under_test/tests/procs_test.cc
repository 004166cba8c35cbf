// Several Ps and Ms (Config::procs): Ms start, steal and go idle; in sim
// every M is a virtual thread whose runtime code interleaves with the
// others' as the Chooser decides.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <tuple>
#include <vector>

#include "context.h"
#include "gort/introspect.h"
#include "proc.h"
#include "test_support.h"

namespace gort::rt {
namespace {

// Uniform random decisions from a seed, hearing every event: which M and
// P each happened on, and how often each kind of question came.
class RecordingChooser : public Chooser {
 public:
  explicit RecordingChooser(uint64_t seed) : state_(seed * 0x9e3779b97f4a7c15ull + 1) {}
  uint32_t choose(Choice what, uint32_t n) override {
    asked[static_cast<size_t>(what)]++;
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return static_cast<uint32_t>(state_ % n);
  }
  void event(const Event& e) override { events.push_back(e); }
  uint64_t asked[8] = {};
  std::vector<Event> events;

 private:
  uint64_t state_;
};

Config at_procs(uint32_t procs, Chooser* c) {
  Config cfg;
  cfg.procs = procs;
  cfg.chooser = c;
  cfg.max_steps = 2'000'000;
  return cfg;
}

// Eight goroutines that each switch a few times, joined over a channel.
void eight_workers() {
  Chan<int> done = make_chan<int>(0);
  for (int i = 0; i < 8; i++) {
    go([done] {
      for (int k = 0; k < 4; k++) gosched();
      done.send(1);
    });
  }
  for (int i = 0; i < 8; i++) done.recv();
}

// A macro: GTEST_SKIP returns from the function it is written in.
#define SKIP_UNLESS_SIM()    \
  if (!platform::kSimulated) \
  GTEST_SKIP()               \
      << "this pins the sim's virtual Ms (the chooser's questions, the event trace), which os builds do not have"

TEST(Procs, OneProcStartsOneMAndAsksNoRunMQuestion) {
  RecordingChooser c(1);
  Result r = run(at_procs(1, &c), eight_workers);
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(r.procs, 1u);
  EXPECT_EQ(r.ms, 1u);
  EXPECT_EQ(c.asked[static_cast<size_t>(Choice::kRunM)], 0u);
  EXPECT_EQ(c.asked[static_cast<size_t>(Choice::kStealOrder)], 0u);
}

TEST(Procs, SeveralMsRunGoroutinesOnSeveralPs) {
  SKIP_UNLESS_SIM();
  std::set<int32_t> ms_seen, ps_seen;
  uint64_t stolen = 0;
  for (uint64_t seed = 1; seed <= 20; seed++) {
    RecordingChooser c(seed);
    Result r = run(at_procs(4, &c), eight_workers);
    ASSERT_EQ(r.exit_status, 0) << "seed " << seed << "\n" << r.output;
    EXPECT_EQ(r.procs, 4u);
    EXPECT_GE(r.ms, 1u);
    EXPECT_LE(r.ms, kMaxMs);
    EXPECT_GT(c.asked[static_cast<size_t>(Choice::kRunM)], 0u) << "seed " << seed;
    // Where each goroutine was created, and where it first ran.
    std::vector<std::pair<uint64_t, int32_t>> created;
    for (const Event& e : c.events) {
      if (e.kind == EventKind::kGoCreate) created.emplace_back(e.obj, e.p);
      if (e.kind != EventKind::kGoRun) continue;
      ms_seen.insert(e.m);
      ps_seen.insert(e.p);
      for (auto& [goid, p] : created) {
        if (goid == e.goid && p >= 0 && p != e.p) stolen++;
        if (goid == e.goid) p = -1;  // only its first run counts
      }
    }
  }
  EXPECT_GE(ms_seen.size(), 2u) << "goroutines only ever ran on one M";
  EXPECT_GE(ps_seen.size(), 2u) << "goroutines only ever ran on one P";
  EXPECT_GT(stolen, 0u) << "no goroutine ever ran on a P other than its creator's: nothing was stolen";
}

TEST(Procs, SameSeedSameInterleavingOfMs) {
  SKIP_UNLESS_SIM();
  auto trace = [](uint64_t seed) {
    RecordingChooser c(seed);
    Result r = run(at_procs(4, &c), eight_workers);
    EXPECT_EQ(r.exit_status, 0) << r.output;
    std::vector<std::tuple<int, uint64_t, uint64_t, int32_t, int32_t>> out;
    for (const Event& e : c.events) out.emplace_back(static_cast<int>(e.kind), e.goid, e.obj, e.m, e.p);
    return out;
  };
  EXPECT_EQ(trace(7), trace(7));
  std::set<decltype(trace(1))> seen;
  for (uint64_t seed = 1; seed <= 10; seed++) seen.insert(trace(seed));
  EXPECT_GE(seen.size(), 5u) << "the seed barely changes how the Ms interleave";
}

TEST(Procs, TimersOnEveryPFireAndTimeReachesTheLast) {
  for (uint64_t seed = 1; seed <= 10; seed++) {
    RecordingChooser c(seed);
    int64_t elapsed = 0;
    Result r = run(at_procs(4, &c), [&] {
      Chan<int> done = make_chan<int>(6);
      int64_t start = nanotime();
      for (int i = 1; i <= 6; i++) {
        go([done, i] {
          sleep(std::chrono::milliseconds(i * 10));
          done.send(i);
        });
      }
      for (int i = 0; i < 6; i++) done.recv();
      elapsed = nanotime() - start;
    });
    ASSERT_EQ(r.exit_status, 0) << "seed " << seed << "\n" << r.output;
    EXPECT_GE(elapsed, 60'000'000) << "seed " << seed << ": the last sleeper woke before its time";
  }
}

TEST(Procs, DeadlockAtFourProcsIsGosVerdict) {
  for (uint64_t seed = 1; seed <= 10; seed++) {
    RecordingChooser c(seed);
    Result r = run(at_procs(4, &c), [] {
      Chan<int> never = make_chan<int>(0);
      for (int i = 0; i < 3; i++) go([never] { never.recv(); });
      never.recv();
    });
    EXPECT_EQ(r.exit_status, 2);
    EXPECT_EQ(r.fatal_error, "all goroutines are asleep - deadlock!") << "seed " << seed << "\n" << r.output;
  }
}

TEST(Procs, EveryMBlockedIsTheRuntimesOwnDeadlock) {
  SKIP_UNLESS_SIM();
  // An M that sleeps on a Note nobody will wake: not the program's
  // deadlock (Go's checkdead) but the runtime's, reported as such.
  Result r = run(Config{}, [] { getm()->park.sleep(); });
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_EQ(r.fatal_error, "all Ms are blocked - runtime deadlock!");
  EXPECT_NE(r.output.find("runtime: m0 sleeps on its Note and nobody will wake it"), std::string::npos) << r.output;
}

TEST(Procs, QuestionNamesTheMsOfEachOption) {
  SKIP_UNLESS_SIM();
  // A chooser that checks run_m_question at every kRunM.
  class Asking : public RecordingChooser {
   public:
    using RecordingChooser::RecordingChooser;
    uint32_t choose(Choice what, uint32_t n) override {
      if (what == Choice::kRunM) {
        introspect::RunMQuestion q;
        introspect::run_m_question(q);
        if (q.option_m.size() != n) bad++;
        if (q.current_can_run && (q.option_m.empty() || q.option_m[0] != q.current_m)) bad++;
        std::set<int64_t> distinct(q.option_m.begin(), q.option_m.end());
        if (distinct.size() != q.option_m.size()) bad++;
        questions++;
      }
      return RecordingChooser::choose(what, n);
    }
    uint64_t bad = 0, questions = 0;
  };
  Asking c(3);
  Result r = run(at_procs(4, &c), eight_workers);
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_GT(c.questions, 0u);
  EXPECT_EQ(c.bad, 0u);
}

}  // namespace
}  // namespace gort::rt
