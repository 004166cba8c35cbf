// run_mutants: the catalogue against the drivers, one mutant after another.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "gort/mutants.h"
#include "mutants/binary_driver.h"
#include "mutants/mutants.h"
#include "mutants/scenario_driver.h"
#include "mutants/table.h"

namespace gort::harness {
namespace {

namespace fs = std::filesystem;

// The test binaries, in the order they hunt, after the scenarios.
struct Binaries {
  std::vector<TestBinary> list;
  std::string missing;  // a required one that is not built ("" if none)
};

bool is_executable_file(const fs::path& p) {
  std::error_code ec;
  auto st = fs::status(p, ec);
  return !ec && fs::is_regular_file(st) && (st.permissions() & fs::perms::owner_exec) != fs::perms::none;
}

// Executables directly in dir (sorted), e.g. the property tests: whatever
// the build puts there runs, whatever it is called.
std::vector<fs::path> executables_in(const fs::path& dir, const std::string& suffix = "") {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!suffix.empty() &&
        (name.size() < suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0))
      continue;
    if (is_executable_file(entry.path())) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Binaries find_binaries(const fs::path& build) {
  Binaries b;
  const std::vector<std::string> stop_at_first_failure = {"--gtest_fail_fast"};
  auto required = [&](const char* label, const fs::path& p) {
    if (!is_executable_file(p) && b.missing.empty()) b.missing = p.string();
    b.list.push_back({label, p.string(), stop_at_first_failure, {}});
  };
  required("spec", build / "spec_tests" / "spec_sim_test");
  required("spec (os)", build / "spec_tests" / "spec_os_test");
  // RapidCheck properties: every property, from a fixed seed.
  for (const fs::path& p : executables_in(build / "properties")) {
    b.list.push_back({"property", p.string(), {}, {"RC_PARAMS=seed=1"}});
  }
  // libFuzzer targets, if this build has them (the fuzz preset's flags on
  // top of the mutants preset): a fixed number of inputs from the seeds.
  for (const fs::path& p : executables_in(build / "fuzz", "_fuzzer")) {
    std::string seeds = p.filename().string();
    seeds.resize(seeds.size() - std::string("_fuzzer").size());
    b.list.push_back({"fuzz " + p.filename().string(),
                      p.string(),
                      {"-runs=20000", "-seed=1", std::string(GORT_SOURCE_DIR) + "/fuzz/seeds/" + seeds},
                      {}});
  }
  required("archcheck", build / "harness" / "archcheck_test");
  return b;
}

std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

// What kind of catch a scenario verdict is: "oracle chan.fifo",
// "invariant g.runnable-placement", "outcome", "crash (SIGABRT)", "hang".
std::string verdict_kind(const std::string& why) {
  if (why.rfind("crash: ", 0) == 0) {
    size_t end = why.find(':', 7);
    return "crash (" + why.substr(7, end == std::string::npos ? std::string::npos : end - 7) + ")";
  }
  return why.substr(0, why.find(':'));
}

std::string scenario_caught_by(const Catch& c) { return c.where + ": " + verdict_kind(c.why); }

std::string binary_caught_by(const Catch& c) {
  if (c.why.rfind("crash: ", 0) == 0) return c.where + " (" + verdict_kind(c.why) + ")";
  if (c.why.rfind("timed out", 0) == 0) return c.where + " (timeout)";
  return c.where;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

struct Hunt {
  const MutantsOptions& options;
  ScenarioBudget budget;
  Binaries binaries;
  fs::path logs;

  std::string log(const std::string& mutant, const std::string& driver) const {
    std::string file = mutant + "." + driver + ".log";
    std::replace(file.begin(), file.end(), ' ', '_');
    file.erase(std::remove_if(file.begin(), file.end(), [](char ch) { return ch == '(' || ch == ')'; }), file.end());
    return (logs / file).string();
  }

  // Every driver on the correct runtime must pass, or its catches mean nothing.
  bool baseline() const {
    auto start = std::chrono::steady_clock::now();
    std::printf("baseline (no mutant): ");
    std::fflush(stdout);
    uint64_t schedules = 0;
    for (HuntStrategy s : {HuntStrategy::kRandomWalk, HuntStrategy::kPct}) {
      Catch c = hunt_in_scenarios(0, s, budget, log("none", hunt_strategy_name(s)));
      if (c.caught) {
        std::printf("FAILED: %s (%s): %s\n", c.where.c_str(), hunt_strategy_name(s), one_line(c.why).c_str());
        return false;
      }
      schedules += c.schedules;
    }
    for (const TestBinary& b : binaries.list) {
      Catch c = hunt_in_binary(b, "none", options.binary_seconds, log("none", b.label));
      if (c.caught || !c.why.empty()) {
        std::printf("FAILED: %s: %s\n", c.caught ? c.where.c_str() : b.label.c_str(), one_line(c.why).c_str());
        return false;
      }
    }
    std::printf("clean (%llu schedules, %zu test binaries, %.1f s)\n", static_cast<unsigned long long>(schedules),
                binaries.list.size(), seconds_since(start));
    return true;
  }

  MutantRow hunt(const MutantInfo& m, size_t index, size_t total) const {
    auto start = std::chrono::steady_clock::now();
    MutantRow row;
    row.mutant = m.name;
    row.area = m.area;
    const uint32_t id = static_cast<uint32_t>(m.id);
    std::printf("[%2zu/%zu] %s: ", index, total, m.name);
    std::fflush(stdout);

    // The scenarios run in sim: a mutant of os-only code is the binaries'.
    Catch rw;
    Catch pct;
    if (m.in_sim) {
      rw = hunt_in_scenarios(id, HuntStrategy::kRandomWalk, budget, log(m.name, "random-walk"));
      pct = hunt_in_scenarios(id, HuntStrategy::kPct, budget, log(m.name, "pct"));
    }
    if (rw.caught) row.random_walk = rw.schedules;
    if (pct.caught) row.pct = pct.schedules;
    Catch binary;
    const Catch* found = rw.caught ? &rw : pct.caught ? &pct : nullptr;
    std::string how;
    if (found != nullptr) {
      row.caught_by = scenario_caught_by(*found);
      how = "after " + std::to_string(rw.schedules) + (rw.caught ? "" : "+") + " (random walk) / " +
            std::to_string(pct.schedules) + (pct.caught ? "" : "+") + " (PCT) schedules";
    } else {
      for (const TestBinary& b : binaries.list) {
        binary = hunt_in_binary(b, m.name, options.binary_seconds, log(m.name, b.label));
        if (!binary.caught) continue;
        found = &binary;
        row.caught_by = binary_caught_by(binary);
        how = m.in_sim ? "(scenarios: nothing in " + std::to_string(rw.schedules) + " random-walk and " +
                             std::to_string(pct.schedules) + " PCT schedules)"
                       : std::string("(scenarios: not run, os-only code)");
        break;
      }
    }
    row.caught = found != nullptr;
    row.seconds = seconds_since(start);
    if (row.caught) {
      std::printf("caught by %s %s, %.2f s\n        %s\n", row.caught_by.c_str(), how.c_str(), row.seconds,
                  one_line(found->why).c_str());
    } else {
      std::printf("SURVIVED every driver (%.2f s)\n", row.seconds);
    }
    std::fflush(stdout);
    return row;
  }
};

}  // namespace

int run_mutants(const MutantsOptions& options) {
  if (!mutants_built()) {
    std::printf("gort mutants: this runtime is built without GORT_MUTANTS; use the mutants preset (make mutants)\n");
    return 2;
  }
  std::vector<const MutantInfo*> selected;
  for (const std::string& name : options.mutants) {
    uint32_t id = 0;
    if (!parse_mutant(name, &id) || id == 0) {
      std::printf("gort mutants: no mutant \"%s\" (gort/mutants.h lists them)\n", name.c_str());
      return 2;
    }
    selected.push_back(mutant_info(id));
  }
  if (selected.empty()) {
    for (const MutantInfo& m : kMutants) selected.push_back(&m);
  }
  if (options.runs == 0 || options.seconds <= 0 || options.binary_seconds <= 0 || options.run_timeout_seconds <= 0) {
    std::printf("gort mutants: budgets must be positive\n");
    return 2;
  }

  const fs::path build = options.build_dir.empty() ? fs::path(GORT_MUTANTS_BUILD_DIR) : fs::path(options.build_dir);
  Hunt hunt{options,
            {options.runs, options.seconds, options.run_timeout_seconds},
            find_binaries(build),
            build / "mutants-logs"};
  if (!hunt.binaries.missing.empty()) {
    std::printf("gort mutants: %s is not built (cmake --build %s)\n", hunt.binaries.missing.c_str(),
                build.string().c_str());
    return 2;
  }
  std::error_code ec;
  fs::create_directories(hunt.logs, ec);
  if (ec) {
    std::printf("gort mutants: cannot create %s: %s\n", hunt.logs.string().c_str(), ec.message().c_str());
    return 2;
  }
  std::printf(
      "gort mutants: %zu mutants; scenarios: %llu schedules or %.0f s per strategy; test binaries: %.0f s "
      "each; logs in %s\n",
      selected.size(), static_cast<unsigned long long>(options.runs), options.seconds, options.binary_seconds,
      hunt.logs.string().c_str());
  if (options.baseline && !hunt.baseline()) {
    std::printf("gort mutants: the drivers fail without a mutant; fix that first\n");
    return 1;
  }

  std::vector<MutantRow> rows;
  for (size_t i = 0; i < selected.size(); i++) rows.push_back(hunt.hunt(*selected[i], i + 1, selected.size()));

  std::printf("\n%s", render_table(rows).c_str());
  if (options.markdown) std::printf("\n%s", render_markdown(rows).c_str());
  size_t survived = 0;
  std::string names;
  for (const MutantRow& r : rows) {
    if (r.caught) continue;
    survived++;
    names += " " + r.mutant;
  }
  if (survived == 0) {
    std::printf("\ngort mutants: all %zu mutants caught\n", rows.size());
    return 0;
  }
  std::printf("\ngort mutants: %zu of %zu survived:%s\n", survived, rows.size(), names.c_str());
  return 1;
}

}  // namespace gort::harness
