#include "scenario/scenario.h"

#include <stdexcept>

namespace gort::harness {

void scenario_check(bool cond, const char* what) {
  if (!cond) throw std::logic_error(what);
}

void repanic_injected(const PanicValue& v) {
  if (v.get<InjectedPanic>() != nullptr) panic(v);
}

std::string judge(const Scenario& s, const Result& r) {
  if (r.exit_status == s.expect.exit_status && r.fatal_error == s.expect.fatal_error && r.panic == s.expect.panic) {
    return "";
  }
  std::string why = "expected exit status " + std::to_string(s.expect.exit_status);
  if (*s.expect.fatal_error != 0) why += std::string(" with fatal error \"") + s.expect.fatal_error + "\"";
  if (*s.expect.panic != 0) why += std::string(" with panic \"") + s.expect.panic + "\"";
  why += ", got " + std::to_string(r.exit_status);
  if (!r.fatal_error.empty()) why += " with fatal error \"" + r.fatal_error + "\"";
  if (!r.panic.empty()) why += " with panic \"" + r.panic + "\"";
  return why;
}

Result run_scenario(const Scenario& s, uint64_t seed, StackPool* pool) {
  Config cfg;
  cfg.stack_pool = pool;
  cfg.seed = seed;
  cfg.stack_size = s.stack_size;
  cfg.max_steps = kDefaultMaxSteps;
  return run(cfg, s.program);
}

const Scenario* find_scenario(const std::string& name) {
  for (const auto& s : all_scenarios()) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

}  // namespace gort::harness
