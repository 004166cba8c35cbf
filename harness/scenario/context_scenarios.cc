// Built-in scenarios over Go's context package (gort/context.h), checking
// what Go promises about a tree of contexts under every schedule:
//  - cancelling a context closes its Done exactly once (a second close is
//    the panic "close of closed channel", a missing one leaves a watcher
//    blocked for good: Go's deadlock verdict), and later cancels do nothing;
//  - Err is nil while Done is open and non-nil once it is closed (Go sets
//    err before it closes done, under the context's lock), and the first
//    error stays;
//  - every child is cancelled with its parent, with the parent's error,
//    before the parent's cancel returns, and a cancelled child leaves its
//    parent's children; a child of a cancelled parent is born cancelled;
//  - a deadline cancels with deadline_exceeded, never before the deadline.
// The checks are scenario_check calls in the programs: a context layer
// that breaks one of them fails the run (gort check reports it).
#include <chrono>
#include <cstdint>
#include <vector>

#include "gort/context.h"
#include "scenario/registry.h"
#include "scenario/scenario.h"

namespace gort::harness {
namespace {

using namespace std::chrono_literals;
namespace ctx = gort::context;

// Whether done is closed. A context's done channel is never sent on, so a
// receive that can happen now means it is closed.
bool closed(const Chan<bool>& done) {
  auto r = done.try_recv();
  scenario_check(!r.ready || !r.ok, "context: a value was sent on a Done channel");
  return r.ready;
}

// Done closed implies Err non-nil, read in that order (the reverse order
// may see Err set just before Done closes, which Go allows).
void check_done_then_err(const ctx::Context& c, const char* what) {
  const bool is_closed = closed(c.done());
  scenario_check(!is_closed || c.err() != nullptr, what);
}

// A tree: root -> value -> a -> a1 (a 1 h timeout), root -> b -> b1. b's
// subtree is cancelled from another goroutine while watchers wait on every
// Done and an observer samples b1; then root is cancelled from main.
void context_cancel_tree() {
  static const int key = 0;  // with_value's key: an address this file owns
  auto [root, cancel_root] = ctx::with_cancel(ctx::background());
  ctx::Context val = ctx::with_value(root, &key, 7);
  auto [a, cancel_a] = ctx::with_cancel(val);
  auto [a1, cancel_a1] = ctx::with_timeout(a, 1h);
  auto [b, cancel_b] = ctx::with_cancel(root);
  auto [b1, cancel_b1] = ctx::with_cancel(b);
  const std::vector<ctx::Context> all = {root, a, a1, b, b1};
  for (const auto& c : all) {
    scenario_check(c.err() == nullptr && !closed(c.done()), "context-cancel-tree: a new context is already done");
  }
  scenario_check(root.num_children() == 2 && a.num_children() == 1 && b.num_children() == 1,
                 "context-cancel-tree: a child is not registered with its cancellable parent");

  // One watcher per context: it wakes once its Done closes, and then Err
  // must be set. Each reports its index once.
  auto seen = make_chan<int>(static_cast<int>(all.size()));
  for (int i = 0; i < static_cast<int>(all.size()); i++) {
    go([seen, c = all[i], i] {
      auto [v, ok] = c.done().recv_ok();
      scenario_check(!ok && !v, "context-cancel-tree: Done received a value instead of closing");
      scenario_check(c.err() != nullptr, "context-cancel-tree: Done closed while Err is nil");
      seen.send(i);
    });
  }
  // An observer samples b1 while b's subtree is being cancelled.
  auto observed = make_chan<bool>(1);
  go([observed, b1 = b1] {
    for (int i = 0; i < 8; i++) {
      check_done_then_err(b1, "context-cancel-tree: b1's Done closed before its Err was set");
      yield_point();
    }
    observed.send(true);
  });
  auto cancelled_b = make_chan<bool>(1);
  go([cancelled_b, cancel_b = cancel_b] {
    cancel_b();
    cancelled_b.send(true);
  });
  cancelled_b.recv();
  // cancel_b has returned: its subtree is done, with its error, and b has
  // left root's children; the rest of the tree is untouched.
  scenario_check(closed(b.done()) && b.err() == ctx::canceled(), "context-cancel-tree: b is not cancelled");
  scenario_check(closed(b1.done()) && b1.err() == ctx::canceled(),
                 "context-cancel-tree: b1 was not cancelled with its parent b");
  scenario_check(root.err() == nullptr && a.err() == nullptr && a1.err() == nullptr && !closed(root.done()) &&
                     !closed(a.done()) && !closed(a1.done()),
                 "context-cancel-tree: cancelling b cancelled a context outside its subtree");
  scenario_check(root.num_children() == 1, "context-cancel-tree: a cancelled child stayed in its parent's children");
  cancel_b();  // again: nothing (Done is closed once)
  cancel_b1();

  cancel_root();
  for (const auto& c : all) {
    scenario_check(closed(c.done()), "context-cancel-tree: a context was not cancelled with root");
    scenario_check(c.err() == ctx::canceled(), "context-cancel-tree: a context has another error than its parent's");
  }
  scenario_check(root.num_children() == 0, "context-cancel-tree: root kept a child after its cancel");
  cancel_root();
  cancel_a1();
  cancel_a();
  scenario_check(a1.err() == ctx::canceled(), "context-cancel-tree: a later cancel changed the first error");
  scenario_check(a.value(&key).has_value(), "context-cancel-tree: a value above a is lost");

  // A child of a cancelled parent is born cancelled, with the parent's error.
  auto [late, cancel_late] = ctx::with_cancel(a);
  scenario_check(closed(late.done()) && late.err() == ctx::canceled(),
                 "context-cancel-tree: a child of a cancelled context is not cancelled");
  cancel_late();

  std::vector<int> count(all.size(), 0);
  for (size_t i = 0; i < all.size(); i++) count[static_cast<size_t>(seen.recv())]++;
  for (int n : count) scenario_check(n == 1, "context-cancel-tree: a watcher saw its Done close other than once");
  observed.recv();
}

// A deadline racing a runnable worker: the worker's reply may come first
// (Go's default schedule: the clock stands still while it runs) or the
// deadline may pass first (time passing early, or a clock jump). Either
// way the deadline cancels the context and its child with
// deadline_exceeded, never before the deadline, and cancels after that
// change nothing.
void context_timeout() {
  auto [parent, cancel] = ctx::with_timeout(ctx::background(), 5ms);
  auto [child, cancel_child] = ctx::with_cancel(parent);
  const int64_t deadline = *parent.deadline();
  scenario_check(child.deadline() == deadline, "context-timeout: a child does not inherit its parent's deadline");
  auto result = make_chan<int>(1);  // room for a late reply: the worker never blocks
  go([result] {
    for (int i = 0; i < 20; i++) yield_point();
    result.send(1);
  });
  int v = 0;
  bool d = false;
  if (select({recv_case(result, v), recv_case(child.done(), d)}) == 1) {
    scenario_check(nanotime() >= deadline, "context-timeout: cancelled before its deadline");
    scenario_check(child.err() == ctx::deadline_exceeded(), "context-timeout: the child's Err is not its parent's");
  } else {
    scenario_check(v == 1, "context-timeout: the reply's value is wrong");
  }
  child.done().recv();  // the deadline passes in any case
  scenario_check(nanotime() >= deadline, "context-timeout: Done closed before the deadline");
  scenario_check(parent.err() == ctx::deadline_exceeded() && child.err() == ctx::deadline_exceeded(),
                 "context-timeout: a deadline cancelled with the wrong error");
  cancel_child();
  cancel();
  scenario_check(parent.err() == ctx::deadline_exceeded() && child.err() == ctx::deadline_exceeded(),
                 "context-timeout: a cancel after the deadline changed the error");
  scenario_check(parent.num_children() == 0, "context-timeout: the deadline left a child registered");
}

}  // namespace

void add_context_scenarios(std::vector<Scenario>& s) {
  s.push_back({"context-cancel-tree",
               "context cancel chan sync",
               "a tree of contexts cancelled piecewise: Done closes once, Err follows, children go with parents",
               context_cancel_tree,
               {},
               64 * 1024,
               kDefaultScenarioFaults});
  s.push_back({"context-timeout",
               "context timer after advance",
               "a deadline racing a runnable worker cancels parent and child with deadline_exceeded",
               context_timeout,
               {},
               64 * 1024,
               kTimerScenarioFaults});
}

}  // namespace gort::harness
