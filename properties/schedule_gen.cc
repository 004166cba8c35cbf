// Random schedules (schedule_gen.h).
#include "schedule_gen.h"

#include "strategy/pct.h"
#include "strategy/random_walk.h"

namespace gort::properties {
namespace {

// No fault three times in four; else 1..50 per mille.
rc::Gen<uint32_t> gen_per_mille() {
  return rc::gen::weightedOneOf<uint32_t>(
      {{3, rc::gen::just<uint32_t>(0)}, {1, rc::gen::resize(100, rc::gen::inRange<uint32_t>(1, 51))}});
}

}  // namespace

harness::FaultPlan ScheduleParams::fault_plan() const {
  harness::FaultPlan plan;
  if (panic_per_mille > 0) plan.set(FaultSite::kPanicAtYield, harness::FaultRule::probability(panic_per_mille));
  if (jump_per_mille > 0) plan.set(FaultSite::kClockJump, harness::FaultRule::probability(jump_per_mille));
  if (spurious_per_mille > 0) plan.set(FaultSite::kSpuriousWakeup, harness::FaultRule::probability(spurious_per_mille));
  return plan;
}

std::unique_ptr<harness::Strategy> ScheduleParams::strategy() const {
  if (pct) return std::make_unique<harness::Pct>(seed, depth, kPctEstimatedSteps, fault_plan());
  return std::make_unique<harness::RandomWalk>(seed, fault_plan());
}

rc::Gen<ScheduleParams> gen_schedule() {
  return rc::gen::map(rc::gen::tuple(rc::gen::arbitrary<bool>(), rc::gen::arbitrary<uint64_t>(),
                                     rc::gen::resize(100, rc::gen::inRange<uint32_t>(1, 4)), gen_per_mille(),
                                     gen_per_mille(), gen_per_mille()),
                      [](std::tuple<bool, uint64_t, uint32_t, uint32_t, uint32_t, uint32_t> t) {
                        ScheduleParams s;
                        std::tie(s.pct, s.seed, s.depth, s.panic_per_mille, s.jump_per_mille, s.spurious_per_mille) = t;
                        return s;
                      });
}

void showValue(const ScheduleParams& s, std::ostream& os) {
  os << (s.pct ? "pct" : "random") << " seed=" << s.seed;
  if (s.pct) os << " depth=" << s.depth;
  const std::string faults = s.fault_plan().to_string();
  os << " faults=" << (faults.empty() ? "none" : faults);
}

}  // namespace gort::properties
