// gort replay FILE: reproduces a recorded run exactly; a stale file (the
// scenario changed) replays as far as it matches, says where it diverged,
// and continues with the recorded seed.
#include <cinttypes>
#include <cstdio>

#include "cli/commands.h"
#include "strategy/replay_file.h"

namespace gort::cli {

int cmd_replay(const ScenarioList& scenarios, const std::string& path, const RunFlags& flags) {
  harness::ReplayRead read = harness::read_replay(path);
  if (!read.ok()) return bad_input(read.error);
  const harness::ReplayFile& f = read.file;
  const harness::Scenario* s = find_in(scenarios, f.scenario);
  if (s == nullptr) {
    return bad_input("replay file " + path + ": scenario '" + f.scenario +
                     "' is not built into this gort (`gort list` shows the scenarios)");
  }
  bool stale = f.scenario_fingerprint != harness::scenario_fingerprint(*s);
  if (stale) {
    printf(
        "stale replay file: scenario %s changed since it was recorded (was %s, now %s); replaying as far as it "
        "matches\n",
        s->name, f.scenario_fingerprint.c_str(), harness::scenario_fingerprint(*s).c_str());
  }
  harness::RunSpec spec;
  spec.scenario = s;
  spec.seed = f.seed;
  spec.strategy = harness::StrategyKind::kReplay;
  spec.replay = &f.decisions;
  spec.keep_trace = true;  // the trace's last steps are printed either way
  spec.depth = f.depth;
  spec.faults = f.fault_plan;
  spec.max_steps = flags.max_steps;
  spec.procs = f.procs;
  harness::parse_leak_policy(f.leaks, &spec.leaks);  // the reader accepted only the policies' names
  spec.check_invariants = !flags.no_invariants;
  IsolatedRuns isolated(flags);
  harness::RunOutcome out = isolated.run_checked(spec);
  if (!out.result.output.empty()) fputs(out.result.output.c_str(), stdout);
  printf("replayed %s: %zu recorded decisions (recorded with %s, seed %" PRIu64 ")\n", path.c_str(), f.decisions.size(),
         f.strategy.c_str(), f.seed);
  if (out.divergence && out.divergence->past_end) {
    printf("the recording ended at decision %zu; the run went on with Go's defaults and no faults\n",
           out.divergence->index);
  } else if (out.divergence) {
    printf("diverged: %s; continued with a random walk from seed %" PRIu64 "\n", out.divergence->describe().c_str(),
           f.seed);
  }
  if (!f.failure.empty()) printf("recorded failure: %s\n", f.failure.c_str());
  if (out.ok()) {
    printf("this run: ok (the failure did not happen%s)\n", out.divergence ? " after the divergence" : "");
    return 0;
  }
  printf("this run: %s\n", out.verdict.c_str());
  if (!out.dump.empty()) printf("goroutine dump:\n%s\n", out.dump.c_str());
  size_t from = out.trace_tail.size() > flags.report.trace_lines ? out.trace_tail.size() - flags.report.trace_lines : 0;
  printf("last %zu steps of the trace:\n", out.trace_tail.size() - from);
  for (size_t i = from; i < out.trace_tail.size(); i++) printf("  %s\n", harness::render(out.trace_tail[i]).c_str());
  return 1;
}

}  // namespace gort::cli
