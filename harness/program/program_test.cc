// Tests of the program module: the byte format, the printer, the runner's
// quiet detection and the outcome rules every driver relies on.
#include "program/program.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "program/examples.h"
#include "program/program_bytes.h"
#include "program/program_check.h"
#include "program/program_print.h"
#include "program/program_run.h"
#include "strategy/seeded_chooser.h"

namespace gort::harness {
namespace {

// Uniform answers from a seed; preempts at a yield point one time in three.
SeededChooser seeded(uint64_t seed) { return SeededChooser(seed, 3); }

TEST(Examples, EndAsExpectedUnderEverySchedule) {
  for (const Example& e : examples()) {
    for (uint64_t seed = 1; seed <= 30; seed++) {
      SeededChooser chooser = seeded(seed);
      CheckedRun r = run_checked(e.program, chooser, false);
      ASSERT_EQ(r.failure, "") << e.name << " seed " << seed << "\n" << describe_failure(e.program, r);
      const Result& res = r.run.result;
      switch (e.outcome) {
        case Outcome::kExit:
          EXPECT_EQ(res.exit_status, 0) << e.name << " seed " << seed << "\n" << res.output;
          break;
        case Outcome::kDeadlock:
          EXPECT_EQ(res.fatal_error, kDeadlock) << e.name << " seed " << seed;
          break;
        case Outcome::kPanic:
          EXPECT_EQ(res.panic, e.panic) << e.name << " seed " << seed;
          break;
      }
      if (r.run.quiesced) {
        EXPECT_EQ(r.run.parked_when_quiet, e.parked_when_quiet) << e.name << " seed " << seed;
      }
      EXPECT_GT(r.events, 0u);
    }
  }
}

TEST(Examples, RecoverBlocksStopSendOnClosed) {
  const Example* ex = nullptr;
  for (const Example& e : examples()) {
    if (std::string(e.name) == "send-on-closed-recovered") ex = &e;
  }
  ASSERT_NE(ex, nullptr);
  size_t recovered = 0;
  for (uint64_t seed = 1; seed <= 50; seed++) {
    SeededChooser chooser = seeded(seed);
    ProgramRun r = run_program(ex->program, &chooser);
    ASSERT_TRUE(r.result.ok()) << r.result.output;
    for (const RecoveredPanic& p : r.recovered) {
      EXPECT_EQ(p.value, "send on closed channel");
      EXPECT_TRUE(p.runtime_error);
      recovered++;
    }
  }
  EXPECT_GT(recovered, 0u) << "no schedule let the close win";
}

TEST(Bytes, ExamplesRoundTrip) {
  for (const Example& e : examples()) {
    std::vector<uint8_t> bytes = encode_program(e.program);
    ByteReader in(bytes.data(), bytes.size());
    EXPECT_EQ(decode_program(in), e.program) << e.name;
    EXPECT_EQ(in.consumed(), bytes.size()) << e.name;
  }
}

TEST(Bytes, EveryByteStringIsAProgramThatRoundTrips) {
  uint64_t state = 42;
  for (int i = 0; i < 2000; i++) {
    std::vector<uint8_t> bytes(static_cast<size_t>(i % 90));
    for (uint8_t& b : bytes) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      b = static_cast<uint8_t>(state >> 56);
    }
    ByteReader in(bytes.data(), bytes.size());
    Program p = decode_program(in);
    ASSERT_TRUE(valid(p));
    std::vector<uint8_t> again = encode_program(p);
    ByteReader in2(again.data(), again.size());
    ASSERT_EQ(decode_program(in2), p) << to_string(p);
  }
}

TEST(Bytes, SeedCorpusMatchesTheExamples) {
  for (const Example& e : examples()) {
    std::ifstream f(std::string(GORT_PROGRAM_SEEDS) + "/" + e.name, std::ios::binary);
    ASSERT_TRUE(f) << "missing seed " << e.name << ": run program_seeds fuzz/seeds/program";
    std::vector<uint8_t> got((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::vector<uint8_t> want = encode_program(e.program);
    want.insert(want.begin(), 0);
    EXPECT_EQ(got, want) << "stale seed " << e.name << ": run program_seeds fuzz/seeds/program";
  }
}

TEST(Normalize, BringsAnythingWithinTheLimits) {
  Program p;
  p.capacities = {7, -2, 0, 1, 3};
  Op deep = recover_op({recover_op({send_op(9)})});
  p.goroutines.assign(9, std::vector<Op>(20, deep));
  p.goroutines[0].push_back(select_op({}, true));
  normalize(p);
  EXPECT_TRUE(valid(p));
  EXPECT_EQ(p.capacities, (std::vector<int>{3, 2, 0, 1}));
  EXPECT_EQ(p.goroutines.size(), kMaxGoroutines);
  EXPECT_EQ(p.goroutines[1][0].body[0].kind, OpKind::kYield);  // no recover inside a recover block
}

TEST(Print, ReadsLikeGo) {
  Program p{{0, 2},
            {{send_op(0), recover_op({close_op(kNilChan)})},
             {select_op({{false, 0}, {true, 1}}, true), try_send_op(1), recv_op(1)}},
            Ending::kJoin};
  EXPECT_EQ(to_string(p),
            "var nilc chan int\n"
            "func main() {\n"
            "  c0 := make(chan int)\n"
            "  c1 := make(chan int, 2)\n"
            "  go g1()\n"
            "  c0 <- 1\n"
            "  func() {\n"
            "    defer check_recover_ran_first()\n"
            "    defer func() { recover() }()\n"
            "    close(nilc)\n"
            "  }()\n"
            "  wait_quiet()  // every goroutine done or parked for good; end state captured here\n"
            "  wg.Wait()\n"
            "}\n"
            "func g1() {\n"
            "  defer wg.Done()  // done <- -1\n"
            "  select {\n"
            "  case v, ok := <-c0:\n"
            "  case c1 <- 1001:\n"
            "  default:\n"
            "  }\n"
            "  select { case c1 <- 1002: default: }\n"
            "  <-c1\n"
            "}\n");
}

// judge_outcome on runs made up by hand: what it must refuse.
ProgramRun made_up(int status, const char* fatal, const char* panic, bool quiesced, size_t parked) {
  ProgramRun r;
  r.result.exit_status = status;
  r.result.fatal_error = fatal;
  r.result.panic = panic;
  r.quiesced = quiesced;
  r.parked_when_quiet = parked;
  return r;
}

TEST(JudgeOutcome, AcceptsWhatGoAllows) {
  Program sends_and_closes{{0}, {{send_op(0), close_op(0)}}, Ending::kJoin};
  EXPECT_EQ(judge_outcome(sends_and_closes, made_up(0, "", "", true, 0), false), "");
  EXPECT_EQ(judge_outcome(sends_and_closes, made_up(2, kDeadlock, "", false, 0), false), "");
  EXPECT_EQ(judge_outcome(sends_and_closes, made_up(2, kDeadlock, "", true, 1), false), "");
  EXPECT_EQ(judge_outcome(sends_and_closes, made_up(2, "", "send on closed channel", false, 0), false), "");
  EXPECT_EQ(judge_outcome(sends_and_closes, made_up(2, "", "injected panic at panic-at-yield", false, 0), true), "");
}

TEST(JudgeOutcome, RefusesWhatGoDoesNot) {
  Program join{{0}, {{send_op(0)}, {recv_op(0)}}, Ending::kJoin};
  Program ret{{0}, {{send_op(0)}, {recv_op(0)}}, Ending::kReturn};
  EXPECT_NE(judge_outcome(join, made_up(0, "", "", true, 1), false), "");         // join passed a parked goroutine
  EXPECT_NE(judge_outcome(join, made_up(2, kDeadlock, "", true, 0), false), "");  // nobody was parked
  EXPECT_NE(judge_outcome(ret, made_up(2, kDeadlock, "", true, 1), false), "");   // main was to return
  EXPECT_NE(judge_outcome(join, made_up(0, "", "", false, 0), false), "");        // never quiet
  EXPECT_NE(judge_outcome(join, made_up(2, "", "send on closed channel", false, 0), false), "");  // no close
  EXPECT_NE(judge_outcome(join, made_up(2, "", "close of closed channel", false, 0), false), "");
  EXPECT_NE(judge_outcome(join, made_up(2, "", "injected panic at panic-at-yield", false, 0), false), "");
  EXPECT_NE(judge_outcome(join, made_up(2, "unlock of unlocked lock", "", false, 0), false), "");
  ProgramRun starved = made_up(0, "", "", false, 0);
  starved.starved = true;
  EXPECT_NE(judge_outcome(join, starved, false), "");
  ProgramRun bad_recover = made_up(0, "", "", true, 0);
  bad_recover.recovered.push_back({1, "close of nil channel", true, false});
  EXPECT_NE(judge_outcome(join, bad_recover, false), "");
}

}  // namespace
}  // namespace gort::harness
