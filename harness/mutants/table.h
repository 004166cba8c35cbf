// The gort mutants table: one row per mutant, as text for the terminal and
// as Markdown for the README.
#ifndef GORT_HARNESS_MUTANTS_TABLE_H
#define GORT_HARNESS_MUTANTS_TABLE_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gort::harness {

// Invariant: caught == !caught_by.empty(). random_walk / pct: schedules to
// the scenario driver's first catch under that strategy (none: no catch
// within the budget).
struct MutantRow {
  std::string mutant;
  std::string area;
  bool caught = false;
  std::string caught_by;  // "scenario pipeline seed 2: oracle chan.fifo", "spec ChanContract.X", ...
  std::optional<uint64_t> random_walk;
  std::optional<uint64_t> pct;
  double seconds = 0;
};

std::string render_table(const std::vector<MutantRow>& rows);
std::string render_markdown(const std::vector<MutantRow>& rows);

}  // namespace gort::harness

#endif  // GORT_HARNESS_MUTANTS_TABLE_H
