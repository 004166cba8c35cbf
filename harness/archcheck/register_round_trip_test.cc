// register_round_trip: every trampoline keeps every callee-saved register,
// for values of every shape (zero, all ones, random), on both sides.
#include "archcheck/register_round_trip.h"

#include <gtest/gtest.h>

namespace gort::archcheck {
namespace {

TEST(RegisterRoundTrip, EveryTrampolineKeepsEveryRegister) {
  uint64_t state = 7;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state ^ (state >> 29);
  };
  for (int round = 0; round < 200; round++) {
    RegisterValues v;
    for (int i = 0; i < kCalleeSaved; i++) {
      v.mine[i] = round == 0 ? 0 : round == 1 ? ~uint64_t{0} : next();
      v.theirs[i] = ~v.mine[i];
    }
    for (int t = 0; t < kTrampolines; t++) {
      EXPECT_EQ(register_round_trip(static_cast<Trampoline>(t), v), "") << "round " << round;
    }
  }
}

}  // namespace
}  // namespace gort::archcheck
