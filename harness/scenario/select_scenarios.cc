// Built-in scenarios over select's corners: a channel named by several
// cases (both directions), more cases than fit select's inline orders,
// nil and closed channels, sends into a buffer, defaults, and what a
// select or a receiver sees when the channel closes under it.
#include <string>
#include <vector>

#include "scenario/registry.h"
#include "scenario/scenario.h"

namespace gort::harness {
namespace {

// A channel named several times in one select, as receive and as send: the
// select locks it once, proceeds on exactly one case, and a goroutine's
// send never meets its own receive in the same select. Partners in other
// goroutines match both directions.
void select_duplicates() {
  auto c = make_chan<int>();
  auto results = make_chan<int>(16);
  // A partner that sends 0..3, then receives 4 values.
  go([=] {
    for (int i = 0; i < 4; i++) c.send(i);
    int sum = 0;
    for (int i = 0; i < 4; i++) sum += c.recv();
    results.send(sum);
  });
  int got = 0, sent = 0;
  for (int round = 0; round < 8; round++) {
    int a = -1, b = -1, out1 = 100, out2 = 200;
    int which = select({recv_case(c, a), send_case(c, out1), recv_case(c, b), send_case(c, out2)});
    scenario_check(which >= 0 && which < 4, "select-duplicates: no case proceeded");
    if (round < 4) {
      // The partner sends first: only a receive case can proceed.
      scenario_check(which == 0 || which == 2, "select-duplicates: a send met no receiver");
      got += which == 0 ? a : b;
    } else {
      scenario_check(which == 1 || which == 3, "select-duplicates: a receive met no sender");
      sent += which == 1 ? 100 : 200;
    }
  }
  scenario_check(got == 0 + 1 + 2 + 3, "select-duplicates: received values lost");
  scenario_check(results.recv() == sent, "select-duplicates: the partner received other values than were sent");
  // A buffered channel named twice: a send case fills it, a receive drains it.
  auto b = make_chan<int>(1);
  int in = 0, out = 5;
  scenario_check(select({recv_case(b, in), send_case(b, out)}) == 1, "select-duplicates: empty buffer not sent into");
  scenario_check(select({recv_case(b, in), send_case(b, out)}) == 0 && in == 5,
                 "select-duplicates: full buffer not drained");
}

// More cases than select orders inline: 40 channels, one ready at a time,
// every one chosen exactly when it is the ready one; nil channels among
// them are never chosen.
void select_wide() {
  constexpr int kChans = 40;
  std::vector<Chan<int>> chans;
  for (int i = 0; i < kChans; i++) chans.push_back(i % 7 == 3 ? Chan<int>() : make_chan<int>(1));
  std::vector<int> values(kChans, -1);
  std::vector<SelectCase> cases;
  for (int i = 0; i < kChans; i++) cases.push_back(recv_case(chans[i], values[i]));
  go([=] {
    for (int i = 0; i < kChans; i++) {
      if (!chans[i].is_nil()) chans[i].send(i * 10);
    }
  });
  for (int i = 0; i < kChans; i++) {
    if (chans[i].is_nil()) continue;
    int which = select(cases.data(), cases.size());
    scenario_check(!chans[which].is_nil(), "select-wide: a nil channel's case was chosen");
    scenario_check(values[which] == which * 10, "select-wide: the chosen case got the wrong value");
    values[which] = -1;
  }
  scenario_check(try_select(cases.data(), cases.size()) == -1, "select-wide: a drained select was ready");
  // Only nil channels: the default is the only way out.
  Chan<int> nil1, nil2;
  int v = 0;
  scenario_check(try_select({recv_case(nil1, v), send_case(nil2, v)}) == -1, "select-wide: a nil case proceeded");
  scenario_check(try_select({}) == -1, "select-wide: an empty select with default did not take it");
}

// What a close does to those waiting and to those who come after: parked
// receivers and selects get the zero value with ok false, a select parked
// on a send panics when the channel closes, and later receives and
// non-blocking selects see the close at once.
void select_after_close() {
  auto c = make_chan<int>();
  auto report = make_chan<int>(8);
  // Two receivers and a receiving select park on c.
  for (int i = 0; i < 2; i++) {
    go([=] {
      auto [v, ok] = c.recv_ok();
      report.send(!ok && v == 0 ? 1 : 100);
    });
  }
  go([=] {
    int v = 9;
    bool ok = true;
    auto other = make_chan<int>();
    int which = select({recv_case(other, v), recv_case(c, v, &ok)});
    report.send(which == 1 && !ok && v == 0 ? 1 : 100);
  });
  // A select parked on a send to d (which nobody receives from) panics
  // with Go's runtime error when d closes.
  auto d = make_chan<int>();
  go([=](Frame& f) {
    f.defer([report] {
      PanicValue p = recover();
      repanic_injected(p);
      report.send(p.is_runtime_error() && p.to_string() == "send on closed channel" ? 1 : 100);
    });
    int v = 3;
    auto other = make_chan<int>();
    int w = 0;
    select({send_case(d, v), recv_case(other, w)});
    report.send(100);  // never: the close makes the select panic
  });
  // And a plain send parked on e, which nobody receives from.
  auto e = make_chan<int>();
  go([=](Frame& f) {
    f.defer([report] {
      PanicValue p = recover();
      repanic_injected(p);
      report.send(p.is_runtime_error() && p.to_string() == "send on closed channel" ? 1 : 100);
    });
    e.send(4);
    report.send(100);  // never: the close makes the send panic
  });
  // Goroutines 2 to 6 (the five started above) must all be parked.
  for (uint64_t id = 2; id <= 6; id++) {
    while (goroutine_state(id).exists && !goroutine_state(id).waiting) gosched();
  }
  c.close();
  d.close();
  e.close();
  int sum = 0;
  for (int i = 0; i < 5; i++) sum += report.recv();
  scenario_check(sum == 5, "select-after-close: a waiter saw the close wrongly");
  // After the close: receives see it at once, in select too.
  int v = 1;
  bool ok = true;
  scenario_check(select({recv_case(c, v, &ok)}) == 0 && !ok && v == 0, "select-after-close: select missed the close");
  v = 1;
  scenario_check(try_select({recv_case(c, v, &ok)}) == 0 && !ok, "select-after-close: try_select missed the close");
  // A select send on the closed channel panics at once.
  std::string why = "no panic";
  func([&](Frame& f) {
    f.defer([&why] {
      PanicValue p = recover();
      repanic_injected(p);
      why = p.to_string();
    });
    int s = 1;
    select({send_case(c, s)});
  });
  scenario_check(why == "send on closed channel", "select-after-close: a select send on a closed channel");
  // A buffered channel closed with values: a select drains them first.
  auto b = make_chan<int>(2);
  int one = 1, two = 2;
  scenario_check(select({send_case(b, one)}) == 0 && try_select({send_case(b, two)}) == 0,
                 "select-after-close: buffered sends");
  b.close();
  int got = 0;
  scenario_check(select({recv_case(b, got, &ok)}) == 0 && ok && got == 1, "select-after-close: buffered value lost");
  scenario_check(select({recv_case(b, got, &ok)}) == 0 && ok && got == 2, "select-after-close: buffered value lost");
  scenario_check(select({recv_case(b, got, &ok)}) == 0 && !ok && got == 0, "select-after-close: drained channel");
}

// Goroutines blocked for good (on a nil channel each way, and in a select
// with no cases) do not keep main from ending the run.
void blocked_forever() {
  Chan<int> nil;
  go([=] { nil.send(1); });
  go([=] { nil.recv(); });
  go([] { select({}); });
  go([=] {
    int v = 0;
    select({recv_case(nil, v)});
  });
  for (uint64_t id = 2; id <= 5; id++) {
    while (goroutine_state(id).exists && !goroutine_state(id).waiting) gosched();
  }
  scenario_check(num_goroutine() == 5, "blocked-forever: a goroutine blocked forever went away");
}

// Everybody blocked for good: nil channels, an empty select, a receive:
// Go's deadlock verdict, with every wait reason in the dump.
void deadlock_kinds() {
  Chan<int> nil;
  auto c = make_chan<int>();
  go([=] { nil.send(1); });
  go([=] { nil.recv(); });
  go([] { select({}); });
  go([=] { c.send(1); });
  c.recv();
  c.recv();
}

}  // namespace

void add_select_scenarios(std::vector<Scenario>& s) {
  s.push_back({"select-duplicates",
               "select duplicate-channel",
               "one channel named by four cases, both ways",
               select_duplicates,
               {}});
  s.push_back(
      {"select-wide", "select many-cases nil default", "a 40-case select, nil cases, defaults", select_wide, {}});
  s.push_back({"select-after-close",
               "select close recover",
               "parked receivers, selects and senders when a channel closes",
               select_after_close,
               {}});
  s.push_back({"blocked-forever",
               "chan nil select exit",
               "goroutines blocked on nil channels and select{}; main exits",
               blocked_forever,
               {}});
  s.push_back({"deadlock-kinds",
               "deadlock nil select",
               "blocked on nil channels, select{} and a receive: deadlock",
               deadlock_kinds,
               {2, "all goroutines are asleep - deadlock!"}});
}

}  // namespace gort::harness
