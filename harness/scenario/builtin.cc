// The built-in scenarios. Each exercises the runtime through the public
// API and states what Go guarantees about its outcome under any schedule.
#include <algorithm>
#include <vector>

#include "scenario/registry.h"
#include "scenario/scenario.h"

namespace gort::harness {
namespace {

// A binary tree of goroutines: every node starts its two children and
// exits; all 2^depth - 1 nodes run exactly once, whatever the order.
struct TreeNode {
  int depth;
  int* ran;
  void operator()() const {
    (*ran)++;
    if (depth == 1) return;
    go(TreeNode{depth - 1, ran});
    go(TreeNode{depth - 1, ran});
  }
};

void spawn_tree() {
  int ran = 0;
  go(TreeNode{8, &ran});
  while (num_goroutine() > 1) gosched();
  scenario_check(ran == 255, "spawn-tree: not every node ran exactly once");
}

// Three goroutines take turns by a shared token, yielding while it is not
// theirs: progress needs every one of them to be scheduled again and again.
void gosched_ring() {
  constexpr int kPlayers = 3, kRounds = 50;
  int turn = 0;
  int moves[kPlayers] = {};
  for (int p = 0; p < kPlayers; p++) {
    go([&, p] {
      for (int r = 0; r < kRounds; r++) {
        while (turn % kPlayers != p) gosched();
        moves[p]++;
        turn++;
      }
    });
  }
  while (num_goroutine() > 1) gosched();
  for (int m : moves) scenario_check(m == kRounds, "gosched-ring: a player missed turns");
  scenario_check(turn == kPlayers * kRounds, "gosched-ring: turns lost");
}

// More goroutines than a local run queue holds, started without yielding:
// the overflow to the global queue must lose and duplicate nothing.
void runq_overflow() {
  constexpr int kCount = 1000;
  std::vector<int> ran(kCount, 0);
  for (int i = 0; i < kCount; i++) go([&ran, i] { ran[i]++; });
  while (num_goroutine() > 1) gosched();
  for (int n : ran) scenario_check(n == 1, "runq-overflow: a goroutine ran zero or two times");
}

// Waves of short-lived goroutines: dead Gs and their stacks are reused,
// goids never repeat, and the count of the living returns to one. (Goids
// are unique, not dense: with several Ps each takes them in batches, as
// Go's goidcache does.)
void goexit_churn() {
  constexpr int kWaves = 20, kPerWave = 25;
  std::vector<uint64_t> ids;
  auto got = make_chan<uint64_t>(kPerWave);
  for (int wave = 0; wave < kWaves; wave++) {
    for (int i = 0; i < kPerWave; i++) go([=] { got.send(goid()); });
    for (int i = 0; i < kPerWave; i++) ids.push_back(got.recv());
    while (num_goroutine() > 1) gosched();
  }
  std::sort(ids.begin(), ids.end());
  scenario_check(ids.front() >= 2, "goexit-churn: a goroutine got main's goid or none");
  scenario_check(std::adjacent_find(ids.begin(), ids.end()) == ids.end(), "goexit-churn: a goid was reused");
}

// Main returns while others are still runnable: the run ends at once with
// status 0, like Go's process exit (a runtime that waited for them would
// spin here forever).
void main_exits_early() {
  for (int i = 0; i < 10; i++) {
    go([] {
      while (true) gosched();
    });
  }
  gosched();
}

[[gnu::noinline]] int recurse(int depth, int limit) {
  volatile char frame[256];
  frame[0] = static_cast<char>(depth);
  if (depth == limit) return frame[0];
  return recurse(depth + 1, limit) + frame[0];
}

// Unbounded recursion hits the guard page: Go's fatal "stack overflow".
void stack_overflow() {
  go([] { recurse(0, 1 << 30); });
  while (true) gosched();
}

}  // namespace

void add_goroutine_scenarios(std::vector<Scenario>& s) {
  s.push_back({"spawn-tree", "newproc goexit", "a binary tree of 255 goroutines, each runs once", spawn_tree, {}});
  s.push_back({"gosched-ring", "gosched fairness", "three goroutines pass a turn token by yielding", gosched_ring, {}});
  s.push_back({"runq-overflow",
               "runq global-queue",
               "1000 goroutines started without yielding all run once",
               runq_overflow,
               {}});
  s.push_back({"goexit-churn",
               "goexit stack-reuse goid",
               "waves of short goroutines; goids unique, count back to 1",
               goexit_churn,
               {}});
  s.push_back({"main-exits-early", "exit", "main returns first: status 0, nothing else runs", main_exits_early, {}});
  s.push_back({"stack-overflow",
               "stack guard fatal",
               "unbounded recursion: fatal error: stack overflow",
               stack_overflow,
               {2, "stack overflow"}});
}

const std::vector<Scenario>& all_scenarios() {
  static const std::vector<Scenario> scenarios = [] {
    std::vector<Scenario> s;
    add_goroutine_scenarios(s);
    add_channel_scenarios(s);
    add_panic_scenarios(s);
    add_go_test_scenarios(s);
    add_chan_kinds_scenarios(s);
    add_select_scenarios(s);
    add_timer_scenarios(s);
    add_recover_scenarios(s);
    add_fp_scenarios(s);
    add_fatal_scenarios(s);
    add_sync_scenarios(s);
    add_context_scenarios(s);
    return s;
  }();
  return scenarios;
}

}  // namespace gort::harness
