// What the strategies produce: fault plans, replay files, shrunk decision
// lists, traces and their Perfetto timelines.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "strategy/fault_injector.h"
#include "strategy/fault_plan.h"
#include "strategy/perfetto.h"
#include "strategy/replay_file.h"
#include "strategy/shrink.h"
#include "strategy/trace.h"

namespace gort::harness {
namespace {

// ---- fault plans

// Every site armed, panics included.
constexpr const char* kDefaultFaultPlanForTest =
    "panic-at-yield:p=0.005,panic-before-chan-op:p=0.002,panic-after-chan-op:p=0.002,panic-in-deferred-call:p=0.01,"
    "panic-after-wakeup:p=0.005,spurious-wakeup:p=0.1,clock-jump:at=3/7";

TEST(FaultPlan, ParsePrintRoundTrip) {
  const char* texts[] = {"", "panic-at-yield:p=0.05,clock-jump:at=3/7", "spurious-wakeup:p=1",
                         "panic-before-chan-op:p=0.001,panic-after-chan-op:at=1,panic-in-deferred-call:p=0.5"};
  for (const char* text : texts) {
    FaultPlanParse p = FaultPlan::parse(text);
    ASSERT_TRUE(p.ok()) << text << ": " << p.error;
    EXPECT_EQ(p.plan.to_string(), text);
    EXPECT_EQ(FaultPlan::parse(p.plan.to_string()).plan, p.plan);
  }
  FaultPlan plan = FaultPlan::parse("panic-at-yield:p=0.05,clock-jump:at=3/7").plan;
  EXPECT_EQ(plan.rule(FaultSite::kPanicAtYield), FaultRule::probability(50));
  EXPECT_EQ(plan.rule(FaultSite::kClockJump), FaultRule::at({3, 7}));
  EXPECT_TRUE(plan.armed(FaultSite::kClockJump));
  EXPECT_FALSE(plan.armed(FaultSite::kSpuriousWakeup));
  // Sites print in enum order, whatever order they were written in.
  EXPECT_EQ(FaultPlan::parse("clock-jump:p=0.10,panic-at-yield:at=2").plan.to_string(),
            "panic-at-yield:at=2,clock-jump:p=0.1");
}

TEST(FaultPlan, ParseErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"no-such-site:p=0.5", "unknown fault site \"no-such-site\""},
      {"panic-at-yield", "is not site:p=P"},
      {"panic-at-yield:p=0", "p must be in (0, 1]"},
      {"panic-at-yield:p=1.5", "p must be in (0, 1]"},
      {"panic-at-yield:p=0.0005", "at most 3 decimals"},
      {"panic-at-yield:p=x", "p must be in (0, 1]"},
      {"clock-jump:at=0", "occurrences are integers"},
      {"clock-jump:at=", "occurrences are integers"},
      {"clock-jump:at=3/3", "strictly increasing"},
      {"clock-jump:at=1,clock-jump:p=1", "appears twice"},
      {"clock-jump:at=1,", "trailing comma"},
      {"clock-jump:sometimes", "neither p=P nor at=N/M"},
  };
  for (const auto& [text, message] : cases) {
    FaultPlanParse p = FaultPlan::parse(text);
    EXPECT_FALSE(p.ok()) << text;
    EXPECT_NE(p.error.find(message), std::string::npos) << text << " gave: " << p.error;
    EXPECT_EQ(p.error.find('\n'), std::string::npos);
    EXPECT_TRUE(p.plan.empty());
  }
  std::string many = "clock-jump:at=1";
  for (int i = 2; i <= 65; i++) many += "/" + std::to_string(i);
  EXPECT_NE(FaultPlan::parse(many).error.find("more than 64"), std::string::npos);
}

TEST(FaultInjector, OccurrencesAndProbabilities) {
  FaultInjector at(FaultPlan::parse("clock-jump:at=2/4").plan, 1);
  std::vector<bool> fired;
  for (int i = 0; i < 5; i++) fired.push_back(at.fire(FaultSite::kClockJump));
  EXPECT_EQ(fired, (std::vector<bool>{false, true, false, true, false}));
  at.restart();
  EXPECT_FALSE(at.fire(FaultSite::kClockJump));
  EXPECT_TRUE(at.fire(FaultSite::kClockJump));

  // p holds for the first kFaultHorizon questions about a site; past them
  // the n-th question fires with p * horizon / n, so that faults grow with
  // the logarithm of a run's length and long runs keep fault-free stretches.
  FaultInjector half(FaultPlan::parse("panic-at-yield:p=0.5").plan, 7),
      again(FaultPlan::parse("panic-at-yield:p=0.5").plan, 7);
  int early = 0, late = 0;
  for (uint32_t i = 1; i <= 10 * kFaultHorizon; i++) {
    bool f = half.fire(FaultSite::kPanicAtYield);
    EXPECT_EQ(f, again.fire(FaultSite::kPanicAtYield));
    if (i <= kFaultHorizon) early += f ? 1 : 0;
    if (i > 9 * kFaultHorizon) late += f ? 1 : 0;
  }
  // Early: 500 expected; late: 0.5 * 1000 * ln(10/9) = 53 expected.
  EXPECT_GT(early, 450);
  EXPECT_LT(early, 550);
  EXPECT_GT(late, 25);
  EXPECT_LT(late, 85);
}

TEST(FaultPlan, WithoutInjectedPanicsKeepsTheOtherFaults) {
  FaultPlan plan = FaultPlan::parse(kDefaultFaultPlanForTest).plan;
  FaultPlan calm = plan.without_injected_panics();
  for (FaultSite s : {FaultSite::kPanicAtYield, FaultSite::kPanicBeforeChanOp, FaultSite::kPanicAfterChanOp,
                      FaultSite::kPanicInDeferredCall, FaultSite::kPanicAfterWakeup}) {
    EXPECT_TRUE(plan.armed(s)) << fault_site_name(s);
    EXPECT_FALSE(calm.armed(s)) << fault_site_name(s);
  }
  EXPECT_EQ(calm.rule(FaultSite::kSpuriousWakeup), plan.rule(FaultSite::kSpuriousWakeup));
  EXPECT_EQ(calm.rule(FaultSite::kClockJump), plan.rule(FaultSite::kClockJump));
  EXPECT_TRUE(calm.armed(FaultSite::kClockJump));
}

// ---- replay files

ReplayFile sample_replay() {
  ReplayFile f;
  f.scenario = "chan-ping-pong";
  f.scenario_fingerprint = "v1:abc";
  f.seed = 18446744073709551615ull;
  f.strategy = "pct";
  f.depth = 3;
  f.stack_size = 65536;
  f.fault_plan = FaultPlan::parse("panic-at-yield:p=0.05,clock-jump:at=3/7").plan;
  f.decisions = {Decision::choice(Choice::kPickRunnable, 3, 2), Decision::choice(Choice::kPreempt, 2, 1),
                 Decision::fault(FaultSite::kClockJump, true), Decision::choice(Choice::kSelectOrder, 4, 0)};
  f.faults_fired = {{FaultSite::kClockJump, 17}};
  f.failure = "panic: send on closed channel\n\"quoted\"";
  return f;
}

std::string temp_path(const char* name) {
  return ::testing::TempDir() + "gort_strategy_" + std::to_string(getpid()) + "_" + name;
}

TEST(ReplayFile, WriteReadRoundTrip) {
  std::string path = temp_path("round_trip.json");
  ReplayFile f = sample_replay();
  ASSERT_EQ(write_replay(path, f), "");
  ReplayRead r = read_replay(path);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.file, f);
  ReplayFile empty;
  EXPECT_TRUE(parse_replay(replay_json(empty), "empty.json").ok());
  std::remove(path.c_str());
}

// Each malformed input names its problem (and the file) in one line.
struct BadReplay {
  const char* name;
  std::string text;
  const char* error;
};

std::string with(const char* key, const std::string& value) {
  nlohmann::json j = nlohmann::json::parse(replay_json(sample_replay()));
  j[key] = nlohmann::json::parse(value);
  return j.dump();
}

std::string without(const char* key) {
  nlohmann::json j = nlohmann::json::parse(replay_json(sample_replay()));
  j.erase(key);
  return j.dump();
}

// GoogleTest prints each parameter when it registers the tests: by name,
// not as raw bytes (the struct's padding is uninitialised memory).
void PrintTo(const BadReplay& c, std::ostream* os) { *os << c.name; }

class ReplayFileErrors : public ::testing::TestWithParam<BadReplay> {};

TEST_P(ReplayFileErrors, NamesTheProblem) {
  const BadReplay& c = GetParam();
  ReplayRead r = parse_replay(c.text, "x.json");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error.rfind("replay file x.json: ", 0), 0u) << r.error;
  EXPECT_NE(r.error.find(c.error), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find('\n'), std::string::npos) << r.error;
  EXPECT_TRUE(r.file.decisions.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Classes, ReplayFileErrors,
    ::testing::Values(
        BadReplay{"NotJson", "{\"format\": ", "not JSON: "},
        BadReplay{"InvalidUtf8", "{\"format\": \"\xff\"}", "not JSON: "},
        BadReplay{"NotAnObject", "[1, 2]", "expected a JSON object"},
        BadReplay{"WrongFormat", with("format", "\"gort-trace\""), "\"format\": \"gort-trace\" is not \"gort-replay\""},
        BadReplay{"WrongVersion", with("version", "2"), "\"version\": 2 is not supported"},
        BadReplay{"MissingField", without("seed"), "missing field \"seed\""},
        BadReplay{"WrongType", with("seed", "\"seven\""), "\"seed\": expected an unsigned integer"},
        BadReplay{"NegativeSeed", with("seed", "-1"), "\"seed\": expected an unsigned integer"},
        BadReplay{"DepthTooLarge", with("depth", "4294967296"), "\"depth\": 4294967296 exceeds"},
        BadReplay{"ConfigNotObject", with("config", "65536"), "\"config\": expected an object"},
        BadReplay{"MissingStackSize", with("config", "{}"), "\"config\": missing field \"stack_size\""},
        BadReplay{"BadFaultPlan", with("fault_plan", "\"clock-jump:at=0\""), "\"fault_plan\": fault plan: clock-jump"},
        BadReplay{"DecisionsNotArray", with("decisions", "{}"), "\"decisions\": expected an array"},
        BadReplay{"DecisionNotTriple", with("decisions", "[[0, 2, 1], [0, 2]]"),
                  "\"decisions\"[1]: expected [kind, n, chosen]"},
        BadReplay{"KindOutOfRange", with("decisions", "[[17, 2, 0]]"),
                  "\"decisions\"[0]: kind 17 is out of range (0..16)"},
        BadReplay{"NOutOfRange", with("decisions", "[[1, 1, 0]]"), "\"decisions\"[0]: n 1 is out of range"},
        BadReplay{"ChosenNotBelowN",
                  with("decisions",
                       "[[0,2,0],[0,2,0],[0,2,0],[0,2,0],[0,2,0],[0,2,0],[0,2,0],[0,2,0],[0,2,0],[0,2,0],"
                       "[0,2,0],[0,2,0],[4,2,3]]"),
                  "\"decisions\"[12]: chosen 3 is not below n 2"},
        BadReplay{"FaultWithNotTwoOptions", with("decisions", "[[6, 3, 1]]"),
                  "a fault decision (fault:panic-before-chan-op) has n 2"},
        BadReplay{"UnknownFiredSite", with("faults_fired", "[{\"site\": \"meteor\", \"step\": 1}]"),
                  "\"faults_fired\"[0]: unknown fault site \"meteor\""},
        BadReplay{"FiredMissingStep", with("faults_fired", "[{\"site\": \"clock-jump\"}]"),
                  "\"faults_fired\"[0]: missing field \"step\""},
        BadReplay{"MoreFiredThanDecisions", with("decisions", "[]"), "\"faults_fired\": more entries than decisions"},
        BadReplay{"DeepNesting", std::string(100000, '[') + std::string(100000, ']'), "expected a JSON object"}),
    [](const ::testing::TestParamInfo<BadReplay>& info) { return info.param.name; });

TEST(ReplayFile, MissingFileIsAnError) {
  ReplayRead r = read_replay("/nonexistent/dir/x.json");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error.rfind("replay file /nonexistent/dir/x.json: cannot open", 0), 0u) << r.error;
}

// ---- shrinking

// A failure that one M switch explains as well as two preemptions: the
// shrink drops the M switches first, so it reports the preemptions (a
// plain ddmin over everything would keep the switch, the smaller set).
TEST(Shrink, MSwitchesGoFirst) {
  std::vector<Decision> failing;
  for (uint32_t i = 0; i < 10; i++) failing.push_back(Decision::choice(Choice::kRunM, 2, 1));
  for (uint32_t i = 0; i < 10; i++) failing.push_back(Decision::choice(Choice::kPreempt, 2, 1));
  auto still_fails = [](const std::vector<Decision>& d) {
    return d.size() > 16 && (d[3].chosen != 0 || (d[15].chosen != 0 && d[16].chosen != 0));
  };
  ShrinkResult r = shrink(failing, still_fails);
  ASSERT_TRUE(r.stats.input_failed);
  for (size_t i = 0; i < r.decisions.size(); i++) {
    EXPECT_EQ(r.decisions[i].chosen, (i == 15 || i == 16) ? 1u : 0u) << "entry " << i;
  }
  EXPECT_EQ(r.stats.preemptions_before, 20u);  // an M switch counts as one
  EXPECT_EQ(r.stats.preemptions_after, 2u);
}

TEST(Shrink, DdminFindsTheTwoEntriesThatMatter) {
  std::vector<Decision> failing;
  for (uint32_t i = 0; i < 40; i++) {
    bool preempt = i % 3 == 0;
    failing.push_back(preempt ? Decision::choice(Choice::kPreempt, 2, 1)
                              : Decision::choice(Choice::kPickRunnable, 3, 1 + i % 2));
  }
  failing[30] = Decision::fault(FaultSite::kPanicAtYield, true);
  auto still_fails = [](const std::vector<Decision>& d) {
    return d.size() > 17 && d[5].chosen != 0 && d[17].chosen != 0;
  };
  ShrinkResult r = shrink(failing, still_fails);
  ASSERT_TRUE(r.stats.input_failed);
  EXPECT_FALSE(r.stats.call_limit_reached);
  EXPECT_LE(r.stats.calls, kDefaultShrinkCalls);
  ASSERT_EQ(r.decisions.size(), 18u);
  for (size_t i = 0; i < r.decisions.size(); i++) {
    EXPECT_EQ(r.decisions[i].kind, failing[i].kind);
    EXPECT_EQ(r.decisions[i].n, failing[i].n);
    EXPECT_EQ(r.decisions[i].chosen, (i == 5 || i == 17) ? 1u : 0u) << "entry " << i;
  }
  EXPECT_EQ(r.stats.nonzero_before, 40u);
  EXPECT_EQ(r.stats.nonzero_after, 2u);
  EXPECT_EQ(r.stats.preemptions_before, 13u);
  EXPECT_EQ(r.stats.preemptions_after, 0u);  // 5 and 17 are picks, not preemptions
  EXPECT_EQ(r.stats.faults_before, 1u);
  EXPECT_EQ(r.stats.faults_after, 0u);
  EXPECT_EQ(r.stats.entries_before, 40u);
  EXPECT_EQ(r.stats.entries_after, 18u);
  EXPECT_LT(r.stats.calls, 200u);
}

TEST(Shrink, DdminNeedsFarFewerCallsThanEntries) {
  std::vector<Decision> failing(400, Decision::choice(Choice::kPreempt, 2, 1));
  auto still_fails = [](const std::vector<Decision>& d) { return d.size() > 317 && d[5].chosen && d[317].chosen; };
  ShrinkResult r = shrink(failing, still_fails);
  EXPECT_EQ(count_nonzero(r.decisions), 2u);
  EXPECT_EQ(r.decisions.size(), 318u);
  EXPECT_LT(r.stats.calls, 150u);  // one call per entry would be 400
}

TEST(Shrink, LowersValuesOnlyAsFarAsTheyStillFail) {
  std::vector<Decision> failing(10, Decision::choice(Choice::kSelectOrder, 5, 4));
  auto still_fails = [](const std::vector<Decision>& d) { return d.size() > 3 && d[3].chosen >= 2; };
  ShrinkResult r = shrink(failing, still_fails);
  ASSERT_EQ(r.decisions.size(), 4u);
  EXPECT_EQ(r.decisions[3].chosen, 2u);
  EXPECT_EQ(count_nonzero(r.decisions), 1u);
}

TEST(Shrink, TrimsOnlyWhatThePredicateAllows) {
  std::vector<Decision> failing(30, Decision::choice(Choice::kRunqPut, 2, 0));
  failing[2].chosen = 1;
  auto still_fails = [](const std::vector<Decision>& d) { return d.size() >= 21 && d[2].chosen == 1; };
  ShrinkResult r = shrink(failing, still_fails);
  EXPECT_EQ(r.decisions.size(), 21u);
  EXPECT_EQ(r.decisions[2].chosen, 1u);
}

TEST(Shrink, RespectsTheCallBound) {
  std::vector<Decision> failing(200, Decision::choice(Choice::kPreempt, 2, 1));
  uint32_t calls = 0;
  auto still_fails = [&calls](const std::vector<Decision>& d) {
    calls++;
    return d.size() > 150 && d[7].chosen + d[150].chosen + d[99].chosen == 3;
  };
  ShrinkResult r = shrink(failing, still_fails, 10);
  EXPECT_EQ(calls, r.stats.calls);
  EXPECT_LE(r.stats.calls, 10u);
  EXPECT_TRUE(r.stats.call_limit_reached);
  EXPECT_TRUE(still_fails(r.decisions));
}

TEST(Shrink, InputThatDoesNotFailIsReturnedAsIs) {
  std::vector<Decision> input(5, Decision::choice(Choice::kPreempt, 2, 1));
  ShrinkResult r = shrink(input, [](const std::vector<Decision>&) { return false; });
  EXPECT_FALSE(r.stats.input_failed);
  EXPECT_EQ(r.stats.calls, 1u);
  EXPECT_EQ(r.decisions, input);
}

// ---- traces

Event ev(EventKind kind, uint64_t goid, uint64_t obj = 0, int64_t value = 0, int64_t aux = 0, bool has_value = false) {
  Event e{};
  e.kind = kind;
  e.goid = goid;
  e.obj = obj;
  e.value = value;
  e.aux = aux;
  e.has_value = has_value;
  return e;
}

TEST(Trace, RendersEventsAndDecisions) {
  TraceEntry send;
  send.step = 12;
  send.event = ev(EventKind::kChanSend, 3, 2, 5, 0, true);
  EXPECT_EQ(render(send), "step 12  g3  chan send c2 value=5");
  TraceEntry decide;
  decide.step = 7;
  decide.is_decision = true;
  decide.decision = Decision::choice(Choice::kPreempt, 2, 1);
  EXPECT_EQ(render(decide), "step 7  decide preempt 1 of 2");
  decide.decision = Decision::fault(FaultSite::kClockJump, true);
  EXPECT_EQ(render(decide), "step 7  fault clock-jump: fired");
}

TEST(Trace, RendersWhatTheCallerGot) {
  auto line = [](const Event& e) {
    TraceEntry t;
    t.step = 3;
    t.event = e;
    return render(t);
  };
  EXPECT_EQ(line(ev(EventKind::kApiSend, 1, 2, 5, kApiDone, true)), "step 3  g1  api: send c2 done value=5");
  EXPECT_EQ(line(ev(EventKind::kApiSend, 1, 2, 5, kApiNotReady, true)), "step 3  g1  api: send c2 not ready");
  EXPECT_EQ(line(ev(EventKind::kApiRecv, 1, 2, 5, 1, true)), "step 3  g1  api: recv c2 value=5 ok");
  EXPECT_EQ(line(ev(EventKind::kApiRecv, 1, 2, 0, 0, true)), "step 3  g1  api: recv c2 value=0 !ok");
  EXPECT_EQ(line(ev(EventKind::kApiRecv, 1, 2, 0, kApiNotReady, true)), "step 3  g1  api: recv c2 not ready");
  EXPECT_EQ(line(ev(EventKind::kApiRecv, 1, 2, 9, kApiOkUnseen, true)), "step 3  g1  api: recv c2 value=9");
  EXPECT_EQ(line(ev(EventKind::kApiSelect, 1, 0, 0, 2)), "step 3  g1  api: select case 2");
  EXPECT_EQ(line(ev(EventKind::kApiSelect, 1, 0, 0, -1)), "step 3  g1  api: select default");
  EXPECT_STREQ(event_kind_name(EventKind::kApiSelect), "api select");
}

TEST(Trace, RingKeepsTheLastEntriesAndHashesAll) {
  TraceRecorder ring(TraceOptions{.ring_capacity = 4}), all(TraceOptions{.keep_all = true});
  for (uint64_t s = 0; s < 10; s++) {
    ring.record(s, ev(EventKind::kYield, s));
    all.record(s, ev(EventKind::kYield, s));
  }
  std::vector<TraceEntry> kept = ring.entries();
  ASSERT_EQ(kept.size(), 4u);
  for (size_t i = 0; i < 4; i++) EXPECT_EQ(kept[i].step, 6 + i);
  EXPECT_FALSE(ring.complete());
  EXPECT_TRUE(all.complete());
  EXPECT_EQ(all.entries().size(), 10u);
  EXPECT_EQ(ring.hash(), all.hash());
  EXPECT_EQ(ring.recorded(), 10u);

  TraceRecorder other(TraceOptions{.keep_all = true});
  for (uint64_t s = 0; s < 10; s++) other.record(s, ev(EventKind::kYield, s == 3 ? 99 : s));
  EXPECT_NE(other.hash(), all.hash());
  auto diff = first_difference(all.entries(), other.entries());
  ASSERT_TRUE(diff.has_value());
  EXPECT_EQ(diff->index, 3u);
  EXPECT_NE(diff->what.find("g3  yield"), std::string::npos) << diff->what;
  EXPECT_NE(diff->what.find("g99  yield"), std::string::npos) << diff->what;
  EXPECT_FALSE(first_difference(all.entries(), all.entries()).has_value());
  std::vector<TraceEntry> shorter = all.entries();
  shorter.pop_back();
  ASSERT_TRUE(first_difference(all.entries(), shorter).has_value());
  EXPECT_EQ(first_difference(all.entries(), shorter)->index, 9u);

  ring.clear();
  EXPECT_EQ(ring.recorded(), 0u);
  EXPECT_TRUE(ring.entries().empty());
}

TEST(Trace, HashCoversEveryField) {
  auto hash_of = [](const TraceEntry& t) {
    TraceRecorder r(TraceOptions{.ring_capacity = 1});
    if (t.is_decision) {
      r.record(t.step, t.decision);
    } else {
      r.record(t.step, t.event);
    }
    return r.hash();
  };
  TraceEntry base;
  base.event = ev(EventKind::kChanRecv, 3, 2, 5, 1, true);
  std::vector<TraceEntry> variants(6, base);
  variants[0].event.kind = EventKind::kChanSend;
  variants[1].event.goid = 4;
  variants[2].event.obj = 3;
  variants[3].event.value = 6;
  variants[4].event.aux = 0;
  variants[5].event.has_value = false;
  TraceEntry decision;
  decision.is_decision = true;
  decision.decision = Decision::choice(Choice::kPickRunnable, 3, 1);
  for (Decision d : {Decision::choice(Choice::kSelectOrder, 3, 1), Decision::choice(Choice::kPickRunnable, 4, 1),
                     Decision::choice(Choice::kPickRunnable, 3, 2)}) {
    variants.push_back(decision);
    variants.back().decision = d;
  }
  std::set<uint64_t> hashes = {hash_of(base), hash_of(decision)};
  for (const TraceEntry& v : variants) EXPECT_TRUE(hashes.insert(hash_of(v)).second) << render(v);
}

TEST(Perfetto, ValidJsonWithOneTrackPerGoroutine) {
  TraceRecorder t(TraceOptions{.keep_all = true});
  uint64_t s = 0;
  t.record(s++, ev(EventKind::kGoRun, 1));
  t.record(s++, ev(EventKind::kChanMake, 1, 1, 0, 0));
  t.record(s++, ev(EventKind::kGoCreate, 1, 2));
  t.record(s++, ev(EventKind::kGoCreate, 1, 3));
  t.record(s++, ev(EventKind::kGoPark, 1, 0, 0, 4));
  t.record(s++, ev(EventKind::kGoRun, 2));
  t.record(s++, ev(EventKind::kChanSend, 2, 1, 42, 0, true));
  t.record(s++, ev(EventKind::kGoReady, 2, 1));
  t.record(s++, Decision::fault(FaultSite::kPanicAfterChanOp, true));
  t.record(s++, ev(EventKind::kFault, 2, 0, 0, static_cast<int64_t>(FaultSite::kPanicAfterChanOp)));
  t.record(s++, ev(EventKind::kGoExit, 2));
  t.record(s++, ev(EventKind::kGoRun, 3));
  t.record(s++, Decision::choice(Choice::kPreempt, 2, 1));
  t.record(s++, ev(EventKind::kGoPreempt, 3));
  t.record(s++, ev(EventKind::kGoRun, 1));
  t.record(s++, ev(EventKind::kChanRecv, 1, 1, 42, 1, true));
  t.record(s++, ev(EventKind::kApiRecv, 1, 1, 42, 1, true));

  nlohmann::json j = nlohmann::json::parse(perfetto_json(t.entries()));
  ASSERT_TRUE(j.contains("traceEvents"));
  std::set<std::string> names;
  int slices = 0, faults = 0, chan_ops = 0, api = 0;
  for (const auto& e : j["traceEvents"]) {
    if (e["name"] == "thread_name") {
      EXPECT_TRUE(names.insert(e["args"]["name"].get<std::string>()).second) << "two thread_names for one track";
    }
    if (e["ph"] == "X") {
      slices++;
      EXPECT_GE(e["dur"].get<uint64_t>(), 1u);
    }
    if (e.value("cat", "") == "fault") {
      faults++;
      EXPECT_EQ(e["name"], "fault panic-after-chan-op");
      EXPECT_EQ(e["tid"], 2);
      EXPECT_EQ(e["ph"], "i");
    }
    if (e.value("cat", "") == "chan") chan_ops++;
    if (e.value("cat", "") == "api") {
      api++;
      EXPECT_EQ(e["name"], "api recv c1");
      EXPECT_EQ(e["args"]["value"], 42);
      EXPECT_EQ(e["args"]["ok"], true);
    }
  }
  EXPECT_EQ(names, (std::set<std::string>{"goroutine 1", "goroutine 2", "goroutine 3"}));
  EXPECT_EQ(slices, 4);  // g1 0..4, g2 5..10, g3 11..13, g1 14..end
  EXPECT_EQ(faults, 1);
  EXPECT_EQ(chan_ops, 3);
  EXPECT_EQ(api, 1);

  std::string path = temp_path("trace.json");
  ASSERT_EQ(write_perfetto(path, t.entries()), "");
  std::ifstream in(path);
  nlohmann::json back = nlohmann::json::parse(in, nullptr, false);
  EXPECT_FALSE(back.is_discarded());
  EXPECT_EQ(back, j);
  std::remove(path.c_str());
}

Event on(Event e, int32_t m) {
  e.m = m;
  return e;
}

TEST(Perfetto, SeveralMsGetATrackEachAndRunGoroutinesSideBySide) {
  TraceRecorder t(TraceOptions{.keep_all = true});
  uint64_t s = 0;
  t.record(s++, on(ev(EventKind::kGoRun, 1), 0));                      // 0: M0 runs g1
  t.record(s++, on(ev(EventKind::kGoCreate, 1, 2), 0));                // 1
  t.record(s++, on(ev(EventKind::kMStart, 0, 1), 1));                  // 2: M1 starts
  t.record(s++, on(ev(EventKind::kMSpin, 0, 0, 0, 1), 1));             // 3: and spins
  t.record(s++, on(ev(EventKind::kMSpin, 0, 0, 0, 0), 1));             // 4
  t.record(s++, on(ev(EventKind::kGoRun, 2), 1));                      // 5: M1 runs g2; g1 still runs on M0
  t.record(s++, Decision::fault(FaultSite::kPanicAfterChanOp, true));  // 6: on M1's g2
  t.record(s++, on(ev(EventKind::kGoExit, 2), 1));                     // 7
  t.record(s++, on(ev(EventKind::kMIdle, 0, 1), 1));                   // 8: M1 idles to the end
  t.record(s++, on(ev(EventKind::kGoPark, 1), 0));                     // 9: g1 parks

  nlohmann::json j = nlohmann::json::parse(perfetto_json(t.entries()));
  std::set<std::string> m_tracks;
  std::vector<std::string> spans;
  for (const auto& e : j["traceEvents"]) {
    if (e["name"] == "thread_name" && e["pid"] == 2) m_tracks.insert(e["args"]["name"].get<std::string>());
    if (e["ph"] == "X") {
      spans.push_back(std::to_string(e["pid"].get<int>()) + "/" + std::to_string(e["tid"].get<int64_t>()) + " " +
                      e["name"].get<std::string>() + " " + std::to_string(e["ts"].get<uint64_t>()) + ".." +
                      std::to_string(e["ts"].get<uint64_t>() + e["dur"].get<uint64_t>()));
    }
    if (e.value("cat", "") == "fault") {
      EXPECT_EQ(e["tid"], 2);
    }
  }
  EXPECT_EQ(m_tracks, (std::set<std::string>{"M0", "M1"}));
  std::sort(spans.begin(), spans.end());
  EXPECT_EQ(spans, (std::vector<std::string>{"1/1 running 0..9", "1/2 running 5..7", "2/0 g1 0..9", "2/1 g2 5..7",
                                             "2/1 idle 8..10", "2/1 spinning 3..4"}));
}

TEST(Perfetto, OneMHasNoMTracks) {
  TraceRecorder t(TraceOptions{.keep_all = true});
  t.record(0, ev(EventKind::kGoRun, 1));
  t.record(1, ev(EventKind::kGoExit, 1));
  nlohmann::json j = nlohmann::json::parse(perfetto_json(t.entries()));
  for (const auto& e : j["traceEvents"]) EXPECT_NE(e["pid"], 2) << e.dump();
}

}  // namespace
}  // namespace gort::harness
